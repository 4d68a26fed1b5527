-- 6: RouteMate jobs sent from planned routes (hakobu-dispatch, routemate*.rs). One row per
-- plan content and RouteMate account (`source`: "sandbox", or the RouteMate base URL), so the
-- jobs of one account never show as another's. The row exists from the first send attempt:
-- a send that got no answer, or was refused, is visible and can be sent again.
CREATE TABLE routemate_jobs (
    source          TEXT NOT NULL,
    external_job_id TEXT NOT NULL,   -- derived from the plan's content: a resend has the same id
    revision        INTEGER NOT NULL DEFAULT 0,  -- bumped by a refused send: a new Idempotency-Key
    plan_date       TEXT NOT NULL,   -- YYYY-MM-DD the route is for
    driver_email    TEXT NOT NULL,
    title           TEXT NOT NULL,
    plan            TEXT NOT NULL,   -- the planned route (JSON), phone and notes included
    job_id          TEXT,            -- RouteMate's id, once imported
    import_response TEXT,            -- the import answer (JSON): optimisation, order, warnings
    status          TEXT,            -- the job's status when last read; 'not_found' if it vanished
    stop_count      INTEGER,
    status_counts   TEXT,            -- JSON object, stops per status, when last read
    job             TEXT,            -- the job (JSON) when last read: each stop's status
    last_error      TEXT,            -- why the last send or read failed; NULL after a success
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (source, external_job_id)
);
CREATE INDEX routemate_jobs_by_day ON routemate_jobs (source, plan_date, driver_email);
