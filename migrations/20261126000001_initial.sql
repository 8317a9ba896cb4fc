-- catalog-sync: the public schema (see README "The database").
-- Table and column names are a contract with the people and scripts that read them: columns may be
-- added by later migrations, none renamed. Booleans are INTEGER 0/1; timestamps are ISO-8601 UTC
-- text unless the column mirrors an amoCRM unix timestamp.

-- What a person wants the account to have. INSERT creates a catalog, UPDATE changes it, DELETE
-- deletes it from the account. NULL in a can_* column means "not managed".
-- AUTOINCREMENT: ids are never reused, so outbox, conflicts and change_log rows that name a
-- deleted row can never be mistaken for a later one.
CREATE TABLE desired_catalogs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    remote_id         INTEGER UNIQUE,
    name              TEXT    NOT NULL,
    type              TEXT    NOT NULL DEFAULT 'regular',
    can_add_elements  INTEGER CHECK (can_add_elements IN (0, 1)),
    can_show_in_cards INTEGER CHECK (can_show_in_cards IN (0, 1)),
    can_link_multiple INTEGER CHECK (can_link_multiple IN (0, 1)),
    sort              INTEGER,
    -- Bumped on every change. The daemon's own writes are conditional on it, so an edit made
    -- by a person while a run is in progress is never overwritten.
    revision          INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- A person's UPDATE does not touch `revision`; this trigger bumps it. The daemon sets
-- `revision = revision + 1` itself, which does not fire the trigger (recursive triggers are off).
CREATE TRIGGER desired_catalogs_edited
AFTER UPDATE ON desired_catalogs
WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE desired_catalogs
       SET revision = OLD.revision + 1,
           updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE id = NEW.id;
END;

-- The account's catalogs at the last complete pull.
CREATE TABLE remote_catalogs (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    type              TEXT,
    sort              INTEGER,
    created_by        INTEGER,
    created_at        INTEGER,
    can_add_elements  INTEGER,
    can_show_in_cards INTEGER,
    can_link_multiple INTEGER,
    raw_json          TEXT    NOT NULL,
    pulled_at         TEXT    NOT NULL
);

-- Each catalog as both sides last agreed: the base of the three-way merge.
CREATE TABLE synced_catalogs (
    remote_id         INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    type              TEXT,
    can_add_elements  INTEGER,
    can_show_in_cards INTEGER,
    can_link_multiple INTEGER,
    sort              INTEGER,
    synced_at         TEXT    NOT NULL
);

-- One row per reconcile.
CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    trigger       TEXT    NOT NULL,              -- once | schedule | start | demo
    outcome       TEXT CHECK (outcome IN ('ok', 'partial', 'failed', 'aborted')),
    pulled        INTEGER NOT NULL DEFAULT 0,    -- catalogs in the pull
    added         INTEGER NOT NULL DEFAULT 0,    -- catalogs created in the account
    updated       INTEGER NOT NULL DEFAULT 0,    -- catalogs updated in the account
    deleted       INTEGER NOT NULL DEFAULT 0,    -- catalogs deleted from the account
    adopted       INTEGER NOT NULL DEFAULT 0,    -- remote changes applied to desired_catalogs
    conflicts     INTEGER NOT NULL DEFAULT 0,    -- conflicts detected
    failed        INTEGER NOT NULL DEFAULT 0,    -- outbox rows the account refused
    invalid       INTEGER NOT NULL DEFAULT 0,    -- desired rows skipped as invalid
    http_requests INTEGER NOT NULL DEFAULT 0,
    error         TEXT
);

-- Every operation decided for the account, committed before it is sent.
-- An add's request_id is its id: AUTOINCREMENT keeps it unique for the life of the database.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL REFERENCES sync_runs (id),
    op          TEXT    NOT NULL CHECK (op IN ('add', 'update', 'delete')),
    desired_id  INTEGER,
    remote_id   INTEGER,
    request_id  INTEGER,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'done', 'failed', 'in_doubt')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    response    TEXT,                            -- what came back for this item
    created_at  TEXT    NOT NULL,
    sent_at     TEXT,
    finished_at TEXT
);
CREATE INDEX outbox_state ON outbox (state);
CREATE INDEX outbox_run ON outbox (run_id);

-- A field changed differently on both sides (or a deletion against an edit).
-- resolution: 'local' or 'remote' once settled; NULL while held for a person (policy manual).
-- A person settles a held conflict by editing the desired row, or by setting resolution to
-- 'local' or 'remote' here.
CREATE TABLE conflicts (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES sync_runs (id),
    remote_id        INTEGER NOT NULL,
    desired_id       INTEGER,
    field            TEXT    NOT NULL,           -- a column name, or 'catalog' for delete-vs-edit
    base_value       TEXT,                       -- JSON
    local_value      TEXT,                       -- JSON; "deleted" when the row was deleted
    remote_value     TEXT,                       -- JSON; "deleted" when the catalog is gone
    resolution       TEXT CHECK (resolution IN ('local', 'remote')),
    resolved_at      TEXT,
    detected_at      TEXT    NOT NULL,
    desired_revision INTEGER                     -- the row's revision when the conflict was held
);
CREATE INDEX conflicts_open ON conflicts (remote_id) WHERE resolved_at IS NULL;

-- Changes the daemon applied to desired_catalogs from the account.
CREATE TABLE change_log (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES sync_runs (id),
    remote_id   INTEGER,
    desired_id  INTEGER,
    action      TEXT    NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'link')),
    before_json TEXT,
    after_json  TEXT,
    changed_at  TEXT    NOT NULL
);
