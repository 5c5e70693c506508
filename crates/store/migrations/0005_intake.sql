-- Intake review queue: one draft per submitted article, kept whole in `doc` (text, extraction,
-- review state of each fact). `source_id` is the Source written on the first acceptance.
CREATE TABLE intake_drafts (
    id TEXT PRIMARY KEY NOT NULL,
    source_id TEXT REFERENCES sources(id),
    doc TEXT NOT NULL
) STRICT;
