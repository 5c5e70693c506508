-- The PostgreSQL schema of the record store, the same tables and keys as the SQLite migrations
-- 0001-0008 (web accounts and the change queue stay on SQLite for now). Differences of dialect:
-- amounts are NUMERIC; every reference is DEFERRABLE (checked at once unless a writer that has
-- checked them itself defers them to commit, as SQLite's defer_foreign_keys does); the audit log's
-- append-only rule is a trigger function; the chain head starts as a row so it can be locked.

CREATE TABLE sources (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE facilities (
    id TEXT PRIMARY KEY NOT NULL,
    operator_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    country TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE INDEX activities_parent ON activities(parent_id);

CREATE TABLE flows (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    parent_flow_id TEXT REFERENCES flows(id) DEFERRABLE INITIALLY IMMEDIATE,
    provider_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    receiver_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount NUMERIC NOT NULL,
    value_date TEXT,
    doc TEXT NOT NULL
);

CREATE INDEX flows_activity ON flows(activity_id);

CREATE INDEX flows_parent ON flows(parent_flow_id);

CREATE TABLE equipment_lines (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    facility_id TEXT REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE INDEX equipment_lines_activity ON equipment_lines(activity_id);

CREATE TABLE partnerships (
    id TEXT PRIMARY KEY NOT NULL,
    lead_id TEXT NOT NULL REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE market_registrations (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE claims (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE fx_rates (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE budgets (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    provider_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    receiver_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE INDEX budgets_activity ON budgets(activity_id);

CREATE TABLE device_models (
    id TEXT PRIMARY KEY NOT NULL,
    manufacturer_id TEXT NOT NULL REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    generic_type TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE facility_power (
    id TEXT PRIMARY KEY NOT NULL,
    facility_id TEXT NOT NULL REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE INDEX facility_power_facility ON facility_power(facility_id);

CREATE TABLE populations (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE equipment_standards (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE assets (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES device_models(id) DEFERRABLE INITIALLY IMMEDIATE,
    facility_id TEXT NOT NULL REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    -- Deferred: an accessory and its parent may arrive in one batch in any order.
    parent_id TEXT REFERENCES assets(id) DEFERRABLE INITIALLY DEFERRED,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    equipment_line_id TEXT REFERENCES equipment_lines(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE INDEX assets_facility ON assets(facility_id);

CREATE INDEX assets_model ON assets(model_id);

CREATE INDEX assets_activity ON assets(activity_id);

CREATE TABLE maintenance_plans (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT REFERENCES device_models(id) DEFERRABLE INITIALLY IMMEDIATE,
    asset_id TEXT REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE work_orders (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    plan_id TEXT REFERENCES maintenance_plans(id) DEFERRABLE INITIALLY IMMEDIATE,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE INDEX work_orders_asset ON work_orders(asset_id);

CREATE TABLE asset_events (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    acceptance_id TEXT REFERENCES work_orders(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE INDEX asset_events_asset ON asset_events(asset_id, at);

CREATE TABLE downtimes (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    work_order_id TEXT REFERENCES work_orders(id) DEFERRABLE INITIALLY IMMEDIATE,
    start TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE INDEX downtimes_asset ON downtimes(asset_id, start);

CREATE TABLE meter_readings (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT NOT NULL REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    at TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE INDEX meter_readings_asset ON meter_readings(asset_id, at);

CREATE TABLE donation_checks (
    id TEXT PRIMARY KEY NOT NULL,
    asset_id TEXT REFERENCES assets(id) DEFERRABLE INITIALLY IMMEDIATE,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    model_id TEXT NOT NULL REFERENCES device_models(id) DEFERRABLE INITIALLY IMMEDIATE,
    facility_id TEXT NOT NULL REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE intake_drafts (
    id TEXT PRIMARY KEY NOT NULL,
    source_id TEXT REFERENCES sources(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE density_references (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action = 'create' OR action = 'update' OR action = 'delete'),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_log_record ON audit_log(kind, record_id);

-- The head exists from the start: a writer locks it (SELECT ... FOR UPDATE) before appending, so
-- writers in several processes chain one after another.
INSERT INTO audit_head (singleton, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
