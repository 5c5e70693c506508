-- `aidtrace user disable`: a disabled account keeps its row (and its audit history) but cannot
-- sign in or act; `aidtrace user add` on it sets a new password and enables it again.
ALTER TABLE web_accounts ADD COLUMN disabled_at TEXT;
