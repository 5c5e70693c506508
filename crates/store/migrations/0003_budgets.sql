-- Budgets and planned disbursements: plans for a period, kept apart from flows.
CREATE TABLE budgets (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities(id),
    provider_id TEXT REFERENCES organisations(id),
    receiver_id TEXT REFERENCES organisations(id),
    doc TEXT NOT NULL
) STRICT;
CREATE INDEX budgets_activity ON budgets(activity_id);
