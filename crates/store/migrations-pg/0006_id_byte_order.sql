-- Lists and pages read records in byte order of their ids (`ORDER BY id COLLATE "C"`, the order
-- SQLite gives), but a primary key's index has the database's default collation, so PostgreSQL
-- sorted the whole table for every page: 0.30 s for a page of 50 of a million flows
-- (BENCHMARKS.md, "Issue #13 on PostgreSQL beside SQLite"). An index in byte order serves them.
-- The ids themselves stay as they are (changing a referenced column's collation would touch
-- every foreign key).
CREATE INDEX sources_id_bytes ON sources (id COLLATE "C");
CREATE INDEX organisations_id_bytes ON organisations (id COLLATE "C");
CREATE INDEX facilities_id_bytes ON facilities (id COLLATE "C");
CREATE INDEX activities_id_bytes ON activities (id COLLATE "C");
CREATE INDEX flows_id_bytes ON flows (id COLLATE "C");
CREATE INDEX budgets_id_bytes ON budgets (id COLLATE "C");
CREATE INDEX equipment_lines_id_bytes ON equipment_lines (id COLLATE "C");
CREATE INDEX partnerships_id_bytes ON partnerships (id COLLATE "C");
CREATE INDEX market_registrations_id_bytes ON market_registrations (id COLLATE "C");
CREATE INDEX claims_id_bytes ON claims (id COLLATE "C");
CREATE INDEX device_models_id_bytes ON device_models (id COLLATE "C");
CREATE INDEX facility_power_id_bytes ON facility_power (id COLLATE "C");
CREATE INDEX populations_id_bytes ON populations (id COLLATE "C");
CREATE INDEX equipment_standards_id_bytes ON equipment_standards (id COLLATE "C");
CREATE INDEX assets_id_bytes ON assets (id COLLATE "C");
CREATE INDEX maintenance_plans_id_bytes ON maintenance_plans (id COLLATE "C");
CREATE INDEX work_orders_id_bytes ON work_orders (id COLLATE "C");
CREATE INDEX asset_events_id_bytes ON asset_events (id COLLATE "C");
CREATE INDEX downtimes_id_bytes ON downtimes (id COLLATE "C");
CREATE INDEX meter_readings_id_bytes ON meter_readings (id COLLATE "C");
CREATE INDEX donation_checks_id_bytes ON donation_checks (id COLLATE "C");
CREATE INDEX intake_drafts_id_bytes ON intake_drafts (id COLLATE "C");
CREATE INDEX density_references_id_bytes ON density_references (id COLLATE "C");
CREATE INDEX medicine_products_id_bytes ON medicine_products (id COLLATE "C");
CREATE INDEX essential_medicines_id_bytes ON essential_medicines (id COLLATE "C");
CREATE INDEX consignments_id_bytes ON consignments (id COLLATE "C");
CREATE INDEX consignment_decisions_id_bytes ON consignment_decisions (id COLLATE "C");
CREATE INDEX stock_movements_id_bytes ON stock_movements (id COLLATE "C");
CREATE INDEX contracts_id_bytes ON contracts (id COLLATE "C");
CREATE INDEX spare_parts_id_bytes ON spare_parts (id COLLATE "C");
CREATE INDEX part_movements_id_bytes ON part_movements (id COLLATE "C");
CREATE INDEX incidents_id_bytes ON incidents (id COLLATE "C");
CREATE INDEX field_safety_notices_id_bytes ON field_safety_notices (id COLLATE "C");
