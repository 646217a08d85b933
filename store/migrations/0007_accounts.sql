-- Schema version 7: users of the UI and API, and failed logins for rate limiting.
-- A user belongs to one partner cluster (a registry organisation id, checked by the CLI since the
-- registry lives in YAML, not here); the password is only ever stored as a KDF hash.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    cluster_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('scout', 'staff', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per failed login, per user name and client address; rows older than the window are pruned.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    failed_at TEXT NOT NULL
);

CREATE INDEX login_failures_by_key ON login_failures (name, address, failed_at);
