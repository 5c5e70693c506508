-- Service contracts, spare parts and part movements, as SQLite's 0010_contracts_parts.sql
-- (stock on hand is derived from the movements, never stored). References deferrable, as in
-- 0001_records.sql.
CREATE TABLE IF NOT EXISTS contracts (
    id TEXT PRIMARY KEY NOT NULL,
    vendor_id TEXT REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    model_id TEXT REFERENCES device_models(id) DEFERRABLE INITIALLY IMMEDIATE,
    facility_id TEXT REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contracts_facility ON contracts(facility_id);

CREATE TABLE IF NOT EXISTS spare_parts (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL REFERENCES device_models(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS spare_parts_model ON spare_parts(model_id);

CREATE TABLE IF NOT EXISTS part_movements (
    id TEXT PRIMARY KEY NOT NULL,
    part_id TEXT NOT NULL REFERENCES spare_parts(id) DEFERRABLE INITIALLY IMMEDIATE,
    facility_id TEXT NOT NULL REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    work_order_id TEXT REFERENCES work_orders(id) DEFERRABLE INITIALLY IMMEDIATE,
    at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS part_movements_part ON part_movements(part_id, facility_id, at);
CREATE INDEX IF NOT EXISTS part_movements_facility ON part_movements(facility_id);
