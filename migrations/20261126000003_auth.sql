-- Credentials that change over time. Secrets live here, which is one reason the database file is
-- created with mode 0600.

-- auth.method = "oauth": the current token pair (one row). A refresh replaces the row in one
-- transaction that commits before the new access token is used.
CREATE TABLE oauth_tokens (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    access_token    TEXT    NOT NULL,
    refresh_token   TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,   -- when the access token expires (UTC, RFC 3339)
    obtained_at     TEXT    NOT NULL,   -- when `auth login --code` exchanged the code
    last_refresh_at TEXT,               -- NULL until the first refresh
    refreshes       INTEGER NOT NULL DEFAULT 0
);

-- auth.method = "api_key": the legacy session cookie (one row), reused until it is 14 minutes
-- old or refused.
CREATE TABLE api_sessions (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    login        TEXT    NOT NULL,
    cookie       TEXT    NOT NULL,
    logged_in_at TEXT    NOT NULL,
    logins       INTEGER NOT NULL DEFAULT 1
);
