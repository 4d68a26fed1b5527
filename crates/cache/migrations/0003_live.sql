-- 3: what arrives live: the time zones, drivers with their latest location and a bounded
-- trail, and every webhook received (its webhook-id is the key that de-duplicates retries).

-- `GET /v1/time_zones` as last read: the calendar's rows.
CREATE TABLE time_zones (
    id              TEXT PRIMARY KEY,
    starts          INTEGER NOT NULL,
    ends            INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('anytime', 'time')),
    is_extra_charge INTEGER NOT NULL,
    position        INTEGER NOT NULL,   -- the API's order (anytime first, then by hour)
    fetched_at      TEXT NOT NULL
);

-- Drivers as webhooks show them (the document's Driver object, webhook form). `phone` and
-- `vehicle_type` only arrive from `collecting` on; once known they are kept.
CREATE TABLE drivers (
    id           INTEGER PRIMARY KEY,  -- the document's numeric driver id
    name         TEXT NOT NULL,
    phone        TEXT,
    vehicle_type TEXT,
    lat          REAL NOT NULL,
    lng          REAL NOT NULL,
    located_at   TEXT NOT NULL,        -- location.update as the API wrote it
    located_ms   INTEGER NOT NULL,     -- the same as unix milliseconds, to order fixes
    order_kind   TEXT CHECK (order_kind IN ('delivery', 'fetch')),
    order_id     TEXT,                 -- the job the driver is on, if any
    order_status TEXT,
    fetched_at   TEXT NOT NULL         -- when we heard it
);

-- Where each driver has been: the newest 200 fixes per driver (by location time), enforced by
-- the trigger below whoever writes, so the map's trails never grow without bound.
CREATE TABLE driver_trail (
    seq        INTEGER PRIMARY KEY,
    driver_id  INTEGER NOT NULL,
    lat        REAL NOT NULL,
    lng        REAL NOT NULL,
    located_at TEXT NOT NULL,
    located_ms INTEGER NOT NULL,
    -- The same fix reported twice (a driver.location, then the status event carrying it)
    -- is one point.
    UNIQUE (driver_id, located_ms, lat, lng)
);
CREATE INDEX driver_trail_by_time ON driver_trail (driver_id, located_ms, seq);
CREATE TRIGGER driver_trail_bound AFTER INSERT ON driver_trail BEGIN
    DELETE FROM driver_trail
    WHERE driver_id = new.driver_id
      AND seq NOT IN (SELECT seq FROM driver_trail WHERE driver_id = new.driver_id
                      ORDER BY located_ms DESC, seq DESC LIMIT 200);
END;

-- Every webhook received with a valid signature (or any, without a secret). A retry of an
-- applied one is answered 2xx without being applied again; one whose apply failed (API
-- unreachable for the confirming GET) is applied when it comes again.
CREATE TABLE webhook_events (
    webhook_id  TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body        TEXT NOT NULL,
    applied_at  TEXT,                  -- NULL until applied
    outcome     TEXT                   -- what applying did: confirmed, location, ignored, …
);
