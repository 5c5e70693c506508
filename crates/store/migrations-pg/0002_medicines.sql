-- Medicines and supplies, as SQLite's 0009_medicines.sql: products, essential-medicines list
-- entries, consignments, arrival decisions and stock movements (stock on hand is derived from the
-- movements, never stored). References deferrable, as in 0001_records.sql.
CREATE TABLE IF NOT EXISTS medicine_products (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT REFERENCES market_registrations(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS essential_medicines (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS consignments (
    id TEXT PRIMARY KEY NOT NULL,
    donor_id TEXT NOT NULL REFERENCES organisations(id) DEFERRABLE INITIALLY IMMEDIATE,
    activity_id TEXT REFERENCES activities(id) DEFERRABLE INITIALLY IMMEDIATE,
    destination_id TEXT NOT NULL REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consignments_activity ON consignments(activity_id);

CREATE TABLE IF NOT EXISTS consignment_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    consignment_id TEXT NOT NULL REFERENCES consignments(id) DEFERRABLE INITIALLY IMMEDIATE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consignment_decisions_consignment ON consignment_decisions(consignment_id);

CREATE TABLE IF NOT EXISTS stock_movements (
    id TEXT PRIMARY KEY NOT NULL,
    consignment_id TEXT NOT NULL REFERENCES consignments(id) DEFERRABLE INITIALLY IMMEDIATE,
    product_id TEXT NOT NULL REFERENCES medicine_products(id) DEFERRABLE INITIALLY IMMEDIATE,
    from_id TEXT REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    to_id TEXT REFERENCES facilities(id) DEFERRABLE INITIALLY IMMEDIATE,
    date TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_movements_consignment ON stock_movements(consignment_id);
CREATE INDEX IF NOT EXISTS stock_movements_from ON stock_movements(from_id);
CREATE INDEX IF NOT EXISTS stock_movements_to ON stock_movements(to_id);
