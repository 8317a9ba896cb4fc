-- catalog-sync: resilience (issue 4).

-- Every 403 "blocked" answer from amoCRM. While the newest row's `until` is in the future the
-- daemon sends nothing at all, across restarts. If amoCRM support lifted the block earlier,
-- `DELETE FROM account_blocks;` lets the next run go ahead.
CREATE TABLE account_blocks (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER REFERENCES sync_runs (id),
    blocked_at TEXT    NOT NULL,                 -- when the 403 came back
    until      TEXT    NOT NULL,                 -- blocked_at + http.blocked_cooldown_seconds
    detail     TEXT    NOT NULL                  -- the error as reported
);
