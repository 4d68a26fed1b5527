//! `hakobu-cache`: the app's local SQLite file. Every view reads from here, never from the
//! network, so the app opens and searches offline.

mod drivers;
mod error;
mod fleet;
mod jst;
mod late_filter;
mod migrations;
mod order_history;
mod order_query;
mod orders;
mod outbox;
mod plans;
mod routemate_jobs;
mod slot_grid;
mod stores;
mod time_zones;
mod webhook_events;
mod windows;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension};

pub use drivers::{CachedDriver, DriverFix, DriverJob, FixOutcome, TRAIL_POINTS, TrailPoint};
pub use error::CacheError;
pub use fleet::FleetRow;
pub use late_filter::LateFilter;
pub use order_history::{HistorySource, StatusChange, StatusOrigin};
pub use order_query::{MAX_KEYS, OrderSelection, OrderSort, OrderSortKey};
pub use orders::{CachedOrder, MAX_LIMIT, OrderFilter, window_time};
pub use outbox::{NewOutboxRow, OutboxCounts, OutboxRow, OutboxState};
pub use plans::PlanRow;
pub use routemate_jobs::{
    NewRouteMateJob, ROUTEMATE_NOT_FOUND, RouteMateJobRow, RouteMateJobStatus,
};
pub use slot_grid::{
    AnytimeCell, GRID_DAYS, GridColumn, GridDay, KNOWLEDGE_FRESH_SECS, SlotCell, SlotGrid,
};
pub use stores::{CachedStore, StoreLocation};
pub use webhook_events::{Arrival, WEBHOOK_EVENTS_KEPT, WebhookEvent};
pub use windows::{CachedEstimate, CachedHold, EstimateAnswer, WINDOWS_KEPT_SECS};

pub struct Cache {
    conn: Mutex<Connection>,
}

impl Cache {
    /// Opens (creating when missing) and migrates the cache file.
    pub fn open(path: &Path) -> Result<Cache, CacheError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| CacheError::Io(e.to_string()))?;
        }
        let conn = Connection::open(path)?;
        Cache::from_connection(conn)
    }

    /// An in-memory cache, for tools and tests that need no file.
    pub fn in_memory() -> Result<Cache, CacheError> {
        Cache::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Cache, CacheError> {
        // WAL lets the UI read while a sync writes; NORMAL is durable across app crashes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Board queries and short searches scan indexes of tens of MB at 50,000 orders: with
        // SQLite's default 2 MB page cache every scan went back to the file. 64 MB of cache and
        // reads through mmap keep them in memory (crates/dispatch/BENCHMARKS.md).
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        migrations::apply(&mut conn)?;
        orders::build_pending_bigrams(&mut conn)?;
        Ok(Cache {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CacheError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut conn)?)
    }

    /// The schema version this file is at (the number of migrations applied).
    pub fn schema_version(&self) -> Result<usize, CacheError> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
    }

    /// A small key/value note, e.g. when the last sync finished.
    pub fn meta(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        })
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(drop)
        })
    }
}
