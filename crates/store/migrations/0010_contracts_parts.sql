-- Service contracts and warranties, spare parts per device model and their stock movements
-- (issue #17 items 5 and 6). Each record is kept whole in `doc`; the columns are the references
-- the database enforces and the keys per-facility reads use. A contract covers listed assets
-- (kept in `doc`) or every asset of `model_id` at `facility_id`. Stock on hand has no table: it
-- is derived from `part_movements` so it can never drift.
-- IF NOT EXISTS: a store taken back to an earlier schema version keeps these tables.
CREATE TABLE IF NOT EXISTS contracts (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT REFERENCES organisations(id),
    model_id TEXT REFERENCES device_models(id),
    facility_id TEXT REFERENCES facilities(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS contracts_facility ON contracts(facility_id);

CREATE TABLE IF NOT EXISTS spare_parts (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES device_models(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS spare_parts_model ON spare_parts(model_id);

CREATE TABLE IF NOT EXISTS part_movements (
    id TEXT PRIMARY KEY NOT NULL,
    part_id TEXT NOT NULL REFERENCES spare_parts(id),
    facility_id TEXT NOT NULL REFERENCES facilities(id),
    work_order_id TEXT REFERENCES work_orders(id),
    at TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS part_movements_part ON part_movements(part_id, facility_id, at);
CREATE INDEX IF NOT EXISTS part_movements_facility ON part_movements(facility_id);
