-- Each record is kept whole as JSON in `doc`; the columns beside it are the references and keys
-- the database must enforce or index. Foreign keys are the last line of defence: the service
-- checks references first to give a clear message.
CREATE TABLE sources (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES organisations(id),
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE facilities (
    id TEXT PRIMARY KEY NOT NULL,
    operator_id TEXT REFERENCES organisations(id),
    country TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES activities(id),
    status TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX activities_parent ON activities(parent_id);

CREATE TABLE flows (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id),
    parent_flow_id TEXT REFERENCES flows(id),
    provider_id TEXT REFERENCES organisations(id),
    receiver_id TEXT REFERENCES organisations(id),
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    value_date TEXT,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX flows_activity ON flows(activity_id);
CREATE INDEX flows_parent ON flows(parent_flow_id);

CREATE TABLE equipment_lines (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id),
    facility_id TEXT REFERENCES facilities(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX equipment_lines_activity ON equipment_lines(activity_id);

CREATE TABLE partnerships (
    id TEXT PRIMARY KEY NOT NULL,
    lead_id TEXT NOT NULL REFERENCES organisations(id),
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE market_registrations (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE claims (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT REFERENCES activities(id),
    doc TEXT NOT NULL
) STRICT;

-- Rates users import on top of the built-in IMF table. `id` is currency:date:frequency:source.
CREATE TABLE fx_rates (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;

-- Append-only, hash-chained: hash = sha256(prev_hash, seq, at, actor, action, kind, record_id, before, after).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_record ON audit_log(kind, record_id);

-- The chain's head, written in the same transaction as each entry, so cutting the log's tail shows.
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
