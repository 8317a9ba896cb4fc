-- catalog-sync: the elements of catalogs and their custom fields (SPEC §6).
-- Public names, like those of the initial migration: columns may be added later, none renamed.

-- 1 = sync this catalog's elements, 0 = do not, NULL = follow sync.elements.
ALTER TABLE desired_catalogs ADD COLUMN sync_elements INTEGER CHECK (sync_elements IN (0, 1));

-- API v4 reports when a catalog last changed (v2 does not: NULL then).
ALTER TABLE remote_catalogs ADD COLUMN updated_at INTEGER;

-- The custom fields of every element-synced catalog, as the account describes them: a
-- read-only mirror, replaced whenever the field list is pulled.
CREATE TABLE catalog_fields (
    catalog_remote_id INTEGER NOT NULL,
    field_id          INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    code              TEXT,                      -- SKU, PRICE, ... for system fields
    type              TEXT    NOT NULL,          -- text, numeric, select, ...
    sort              INTEGER,
    is_required       INTEGER NOT NULL DEFAULT 0,
    is_api_only       INTEGER NOT NULL DEFAULT 0,
    options           TEXT    NOT NULL DEFAULT '[]',  -- JSON: enums, or the category tree
    raw_json          TEXT    NOT NULL,
    pulled_at         TEXT    NOT NULL,
    PRIMARY KEY (catalog_remote_id, field_id)
);

-- The elements a person wants. INSERT creates one, UPDATE changes it, DELETE deletes it from
-- the account. `fields` is a JSON object keyed by field id (a decimal string): a key absent
-- means "not managed", JSON null means "clear it". The views catalog_<remote id> edit this
-- table for you.
CREATE TABLE desired_elements (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    desired_catalog_id INTEGER NOT NULL REFERENCES desired_catalogs (id),
    remote_id          INTEGER UNIQUE,
    name               TEXT    NOT NULL,
    fields             TEXT    NOT NULL DEFAULT '{}'
                       CHECK (json_valid(fields) AND json_type(fields) = 'object'),
    -- Bumped on every change, as in desired_catalogs.
    revision           INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX desired_elements_catalog ON desired_elements (desired_catalog_id);

CREATE TRIGGER desired_elements_edited
AFTER UPDATE ON desired_elements
WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE desired_elements
       SET revision = OLD.revision + 1,
           updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE id = NEW.id;
END;

-- Keys of `fields` must be field ids, so that a typo is refused when it is written instead of
-- being silently ignored by every run.
CREATE TRIGGER desired_elements_field_keys_insert
BEFORE INSERT ON desired_elements
WHEN json_valid(NEW.fields) AND EXISTS (
    SELECT 1 FROM json_each(NEW.fields) WHERE key = '' OR key GLOB '*[^0-9]*')
BEGIN
    SELECT RAISE(ABORT, 'desired_elements.fields: every key must be a field id in decimal, e.g. {"271207": "value"}; see catalog_fields');
END;

CREATE TRIGGER desired_elements_field_keys_update
BEFORE UPDATE OF fields ON desired_elements
WHEN json_valid(NEW.fields) AND EXISTS (
    SELECT 1 FROM json_each(NEW.fields) WHERE key = '' OR key GLOB '*[^0-9]*')
BEGIN
    SELECT RAISE(ABORT, 'desired_elements.fields: every key must be a field id in decimal, e.g. {"271207": "value"}; see catalog_fields');
END;

-- Deleting a desired catalog deletes its elements with it (the account deletes them with the
-- catalog). A trigger, not ON DELETE CASCADE: sqlite3 leaves foreign keys off by default.
CREATE TRIGGER desired_catalogs_deleted
AFTER DELETE ON desired_catalogs
BEGIN
    DELETE FROM desired_elements WHERE desired_catalog_id = OLD.id;
END;

-- Each element in the account at the last complete pull of its catalog. `fields` holds the
-- canonical values (SPEC §6) of the fields that have one.
CREATE TABLE remote_elements (
    id                INTEGER PRIMARY KEY,
    catalog_remote_id INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    fields            TEXT    NOT NULL,
    created_by        INTEGER,
    created_at        INTEGER,
    updated_at        INTEGER,
    raw_json          TEXT    NOT NULL,
    raw_digest        INTEGER NOT NULL,          -- FNV-1a of raw_json: a pull rewrites only rows that changed
    pulled_at         TEXT    NOT NULL           -- the pull that last changed this row
);
CREATE INDEX remote_elements_catalog ON remote_elements (catalog_remote_id);

-- Each element as both sides last agreed: the base of the three-way merge.
CREATE TABLE synced_elements (
    remote_id         INTEGER PRIMARY KEY,
    catalog_remote_id INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    fields            TEXT    NOT NULL,
    synced_at         TEXT    NOT NULL
);
CREATE INDEX synced_elements_catalog ON synced_elements (catalog_remote_id);

-- One row per element-synced catalog: when its field list and its elements were last pulled
-- completely, and what the last pull saw.
CREATE TABLE element_pulls (
    catalog_remote_id  INTEGER PRIMARY KEY,
    fields_pulled_at   TEXT,
    elements_pulled_at TEXT,
    elements           INTEGER NOT NULL DEFAULT 0,
    pages              INTEGER NOT NULL DEFAULT 0
);

-- What kind of record a row is about. Rows from before elements are catalogs.
ALTER TABLE outbox ADD COLUMN entity TEXT NOT NULL DEFAULT 'catalog'
    CHECK (entity IN ('catalog', 'element'));
ALTER TABLE outbox ADD COLUMN catalog_remote_id INTEGER;   -- an element's catalog
-- The record's fields as the merge decided them (canonical JSON): what an operation whose
-- outcome is unknown is checked against in the account. A catalog's payload is its fields.
ALTER TABLE outbox ADD COLUMN intent TEXT;
UPDATE outbox SET intent = payload WHERE op IN ('add', 'update');
CREATE INDEX outbox_entity ON outbox (entity, state);

ALTER TABLE conflicts ADD COLUMN entity TEXT NOT NULL DEFAULT 'catalog'
    CHECK (entity IN ('catalog', 'element'));
ALTER TABLE conflicts ADD COLUMN catalog_remote_id INTEGER;

ALTER TABLE change_log ADD COLUMN entity TEXT NOT NULL DEFAULT 'catalog'
    CHECK (entity IN ('catalog', 'element'));
ALTER TABLE change_log ADD COLUMN catalog_remote_id INTEGER;

-- Element counts of a run, beside the catalog counts.
ALTER TABLE sync_runs ADD COLUMN elements_pulled    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_added     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_updated   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_deleted   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_adopted   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_conflicts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_failed    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN elements_invalid   INTEGER NOT NULL DEFAULT 0;
