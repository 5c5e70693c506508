-- Equipment: catalogue, assets, lifecycle events, downtime, work orders, plans, meters and
-- donation checklists. As for the ledger tables, each record is kept whole in `doc`; the columns
-- are the references the database enforces and the keys per-asset and per-facility queries use.
CREATE TABLE device_models (
    id TEXT PRIMARY KEY NOT NULL,
    manufacturer_id TEXT NOT NULL REFERENCES organisations(id),
    generic_type TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE facility_power (
    id TEXT PRIMARY KEY NOT NULL,
    facility_id TEXT NOT NULL REFERENCES facilities(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX facility_power_facility ON facility_power(facility_id);

CREATE TABLE populations (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE equipment_standards (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE assets (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES device_models(id),
    facility_id TEXT NOT NULL REFERENCES facilities(id),
    -- Deferred: an accessory and its parent may arrive in one batch in any order.
    parent_id TEXT REFERENCES assets(id) DEFERRABLE INITIALLY DEFERRED,
    activity_id TEXT REFERENCES activities(id),
    equipment_line_id TEXT REFERENCES equipment_lines(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX assets_facility ON assets(facility_id);
CREATE INDEX assets_model ON assets(model_id);
CREATE INDEX assets_activity ON assets(activity_id);

CREATE TABLE maintenance_plans (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT REFERENCES device_models(id),
    asset_id TEXT REFERENCES assets(id),
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE work_orders (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id),
    plan_id TEXT REFERENCES maintenance_plans(id),
    status TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX work_orders_asset ON work_orders(asset_id);

CREATE TABLE asset_events (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id),
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    acceptance_id TEXT REFERENCES work_orders(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX asset_events_asset ON asset_events(asset_id, at);

CREATE TABLE downtimes (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id),
    work_order_id TEXT REFERENCES work_orders(id),
    start TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX downtimes_asset ON downtimes(asset_id, start);

CREATE TABLE meter_readings (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id),
    at TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX meter_readings_asset ON meter_readings(asset_id, at);

CREATE TABLE donation_checks (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT REFERENCES assets(id),
    activity_id TEXT REFERENCES activities(id),
    model_id TEXT NOT NULL REFERENCES device_models(id),
    facility_id TEXT NOT NULL REFERENCES facilities(id),
    doc TEXT NOT NULL
) STRICT;
