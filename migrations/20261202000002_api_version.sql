-- catalog-sync: the API version catalogs use (SPEC §9).

-- With amocrm.api = "auto" a run starts on API v2; when the account answers v2 with 404 or 410
-- (v2 switched off) the run goes on through v4 and this row remembers it, so that later runs
-- start on v4 directly. To go back to v2 (amoCRM answers it again): DELETE FROM api_version;
CREATE TABLE api_version (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    api         TEXT    NOT NULL CHECK (api IN ('v4')),
    switched_at TEXT    NOT NULL,
    run_id      INTEGER,                     -- the run that met the 404/410 (NULL for a plan)
    reason      TEXT    NOT NULL             -- the answer that showed v2 is gone
);
