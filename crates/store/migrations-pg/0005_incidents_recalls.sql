-- Incidents and field safety notices, as SQLite's 0011_incidents_recalls.sql. References
-- deferrable, as in 0001_records.sql.
CREATE TABLE IF NOT EXISTS incidents (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    work_order_id TEXT REFERENCES work_orders(id) DEFERRABLE INITIALLY IMMEDIATE,
    at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_asset ON incidents(asset_id, at);

CREATE TABLE IF NOT EXISTS field_safety_notices (
    id TEXT PRIMARY KEY NOT NULL,
    issuer_id TEXT NOT NULL REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    model_id TEXT REFERENCES device_models(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS field_safety_notices_model ON field_safety_notices(model_id);

-- Transfers are few; the indexed facility reads look them up to find assets that were at a
-- facility before moving (dated location, issue #17 item 2).
CREATE INDEX IF NOT EXISTS asset_events_transferred ON asset_events(state) WHERE state = 'transferred';
