-- 12: our own drivers (the fleet that plans are made for) and the plans made.
-- A driver is keyed by their RouteMate login, the email routes are sent to. Places are JSON
-- (`{"kind":"store","store_id":…}` or `{"kind":"point","lat":…,"lng":…}`): this crate does not
-- read them, hakobu-dispatch does.
CREATE TABLE fleet_drivers (
    email        TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    vehicle_type TEXT NOT NULL,
    shift_start  TEXT NOT NULL,   -- HH:MM, Japan time
    shift_end    TEXT NOT NULL,
    start_place  TEXT NOT NULL,
    end_place    TEXT NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    updated_at   TEXT NOT NULL
);
-- Every plan result is a new version under its plan id; earlier versions stay for comparison.
-- `request` and `result` are hakobu-dispatch's JSON; `state` is running, finished, cancelled or
-- failed (a running row whose process died is read as interrupted by hakobu-dispatch).
CREATE TABLE plans (
    plan_id     TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version > 0),
    state       TEXT NOT NULL,
    plan_date   TEXT NOT NULL,
    request     TEXT NOT NULL,
    result      TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (plan_id, version)
);
CREATE INDEX plans_by_date ON plans (plan_date, created_at);
