-- Web accounts, sessions, API tokens and proposed changes awaiting approval. Records themselves
-- stay in the ledger tables: a proposed change enters them (through the audited apply) only when
-- it is approved, so the ledger and the public view hold approved data only.
CREATE TABLE web_accounts (
    name TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- An editor's organisations, a facility engineer's facilities. Not foreign keys: an account may
-- be created before the records it will look after are loaded.
CREATE TABLE web_account_scopes (
    account TEXT NOT NULL REFERENCES web_accounts(name) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'facility')),
    record_id TEXT NOT NULL,
    PRIMARY KEY (account, kind, record_id)
) STRICT;

-- Only hashes of session and API tokens are stored, so a copy of the database opens no session.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account TEXT NOT NULL REFERENCES web_accounts(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE web_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account TEXT NOT NULL REFERENCES web_accounts(name) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT
) STRICT;

CREATE TABLE web_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    -- ETag of the stored record the change was made against (NULL: a new record). Approval
    -- refuses a change whose base is no longer current, so no edit silently overwrites another.
    base_etag TEXT,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'rejected')),
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decided_by TEXT,
    note TEXT
) STRICT;
CREATE INDEX web_changes_state ON web_changes(state);
CREATE INDEX web_changes_record ON web_changes(kind, record_id);
