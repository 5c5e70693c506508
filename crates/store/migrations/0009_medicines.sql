-- Medicines and supplies: products, essential-medicines list entries, donated consignments with
-- their packing lists, arrival decisions and stock movements. Each record is kept whole in `doc`;
-- the columns are the references the database enforces and the keys per-facility stock uses.
-- Stock on hand has no table: it is derived from `stock_movements` so it can never drift.
-- IF NOT EXISTS: a store taken back to an earlier schema version (as the migration tests do)
-- keeps these tables, and migrating forward again must not fail on them.
CREATE TABLE IF NOT EXISTS medicine_products (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT REFERENCES market_registrations(id),
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS essential_medicines (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS consignments (
    id TEXT PRIMARY KEY NOT NULL,
    donor_id TEXT NOT NULL REFERENCES organisations(id),
    activity_id TEXT REFERENCES activities(id),
    destination_id TEXT NOT NULL REFERENCES facilities(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS consignments_activity ON consignments(activity_id);

CREATE TABLE IF NOT EXISTS consignment_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    consignment_id TEXT NOT NULL REFERENCES consignments(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS consignment_decisions_consignment ON consignment_decisions(consignment_id);

CREATE TABLE IF NOT EXISTS stock_movements (
    id TEXT PRIMARY KEY NOT NULL,
    consignment_id TEXT NOT NULL REFERENCES consignments(id),
    product_id TEXT NOT NULL REFERENCES medicine_products(id),
    from_id TEXT REFERENCES facilities(id),
    to_id TEXT REFERENCES facilities(id),
    date TEXT NOT NULL,
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS stock_movements_consignment ON stock_movements(consignment_id);
CREATE INDEX IF NOT EXISTS stock_movements_from ON stock_movements(from_id);
CREATE INDEX IF NOT EXISTS stock_movements_to ON stock_movements(to_id);
