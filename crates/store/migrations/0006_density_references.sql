-- Published device densities (units per million population) that users add beside the figures
-- shipped with aidtrace; each cites its source inside `doc`.
CREATE TABLE density_references (
    id TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL
) STRICT;
