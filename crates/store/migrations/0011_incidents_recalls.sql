-- Incidents (adverse events with one asset) and field safety notices (recalls), issue #17 item 7.
-- Each record is kept whole in `doc`; the columns are the references the database enforces and
-- the keys the asset page and the recall search read by. IF NOT EXISTS as in 0009.
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id),
    work_order_id TEXT REFERENCES work_orders(id),
    at TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS incidents_asset ON incidents(asset_id, at);

CREATE TABLE IF NOT EXISTS field_safety_notices (
    id TEXT PRIMARY KEY NOT NULL,
    issuer_id TEXT NOT NULL REFERENCES organisations(id),
    model_id TEXT REFERENCES device_models(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS field_safety_notices_model ON field_safety_notices(model_id);

-- Transfers are few; the indexed facility reads look them up to find assets that were at a
-- facility before moving (dated location, issue #17 item 2).
CREATE INDEX IF NOT EXISTS asset_events_transferred ON asset_events(state) WHERE state = 'transferred';
