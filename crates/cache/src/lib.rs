//! `hakobu-cache`: the app's local SQLite file. Every view reads from here, never from the
//! network, so the app opens and searches offline.

mod drivers;
mod error;
mod fleet;
mod jst;
mod late_filter;
mod location_batch;
mod migrations;
mod order_history;
mod order_query;
mod orders;
mod outbox;
mod plans;
mod retention;
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
pub use location_batch::{LocationTaken, LocationWebhook};
pub use order_history::{HistorySource, StatusChange, StatusOrigin};
pub use order_query::{MAX_KEYS, OrderSelection, OrderSort, OrderSortKey};
pub use orders::{CachedOrder, MAX_LIMIT, OrderFilter, window_time};
pub use outbox::{NewOutboxRow, OutboxAccount, OutboxCounts, OutboxRow, OutboxState};
pub use plans::PlanRow;
pub use retention::{HISTORY_KEPT_SECS, Pruned};
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
    /// The views' reads (board, list, detail, stores) go through a connection of their own:
    /// in WAL mode a reader sees the last commit and never waits for a writer, so a sync's
    /// write transaction of 10,000 orders does not hold the board up. `None` in memory,
    /// where a second connection would be a second, empty database.
    reader: Option<Mutex<Connection>>,
}

impl Cache {
    /// Opens (creating when missing) and migrates the cache file.
    pub fn open(path: &Path) -> Result<Cache, CacheError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| CacheError::Io(e.to_string()))?;
            // The cache holds customers' names, phones and addresses: its directory (the app's
            // data directory) and the file are the user's alone.
            private(dir, 0o700)?;
        }
        let conn = Connection::open(path)?;
        // SQLite creates the -wal and -shm files with the database file's mode.
        private(path, 0o600)?;
        let mut cache = Cache::from_connection(conn)?;
        // Opened after the writer has migrated the file, so it sees the current schema.
        let reader = Connection::open(path)?;
        tune(&reader)?;
        reader.pragma_update(None, "query_only", "ON")?;
        cache.reader = Some(Mutex::new(reader));
        Ok(cache)
    }

    /// An in-memory cache, for tools and tests that need no file.
    pub fn in_memory() -> Result<Cache, CacheError> {
        Cache::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Cache, CacheError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL lets the UI read while a sync writes; NORMAL is durable across app crashes.
        set_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        tune(&conn)?;
        migrations::apply(&mut conn)?;
        orders::build_pending_bigrams(&mut conn)?;
        Ok(Cache {
            conn: Mutex::new(conn),
            reader: None,
        })
    }

    /// For reads only (a connection that refuses writes where there is a second one).
    fn read<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CacheError> {
        let Some(reader) = &self.reader else {
            return self.with(f);
        };
        let mut conn = reader.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut conn)?)
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CacheError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut conn)?)
    }

    /// Like [`Cache::with`], committed with `synchronous=FULL`: for a write the user has been
    /// told is queued, which must survive a power cut, not only a crash of the app. The rest
    /// (syncs, webhook fixes at hundreds per second) stays at NORMAL, where a power cut may
    /// lose the last commits but never corrupts the file, and the next sync brings them back.
    fn with_durable<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CacheError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.pragma_update(None, "synchronous", "FULL")?;
        let result = f(&mut conn);
        let restored = conn.pragma_update(None, "synchronous", "NORMAL");
        let value = result?;
        restored?;
        Ok(value)
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

/// Switches the file to WAL. Two processes switching one new file at the same moment both
/// hold a shared lock and want an exclusive one: one of them gets SQLITE_BUSY at once, without
/// the busy timeout's wait (SQLite returns rather than deadlock). It tries again until the
/// other is done, for as long as the busy timeout would have waited.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

/// What every connection of the file shares.
fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Board queries and short searches scan indexes of tens of MB at 50,000 orders: with
    // SQLite's default 2 MB page cache every scan went back to the file. 64 MB of cache and
    // reads through mmap keep them in memory (crates/dispatch/BENCHMARKS.md).
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    Ok(())
}

/// Sets `path`'s permission bits to `mode` (Unix; elsewhere the per-user profile directory
/// already keeps other users out).
fn private(path: &Path, mode: u32) -> Result<(), CacheError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| CacheError::Io(format!("{}: {e}", path.display())))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_data_directory_is_0700_and_the_cache_files_0600() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.join("cache.db");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let cache = Cache::open(&path).unwrap();
        cache.set_meta("k", "v").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(&dir),
            0o700,
            "an existing, looser directory is tightened"
        );
        assert_eq!(mode(&path), 0o600, "an existing, looser file is tightened");
        let wal = dir.join("cache.db-wal");
        assert!(wal.exists());
        assert_eq!(mode(&wal), 0o600, "the WAL follows the file");
        let fresh = root.path().join("new").join("cache.db");
        Cache::open(&fresh).unwrap();
        assert_eq!(mode(fresh.parent().unwrap()), 0o700);
        assert_eq!(mode(&fresh), 0o600);
    }

    fn synchronous(cache: &Cache) -> i64 {
        cache
            .with(|c| c.query_row("PRAGMA synchronous", [], |r| r.get(0)))
            .unwrap()
    }

    #[test]
    fn durable_writes_commit_at_full_and_the_rest_stays_at_normal() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        assert_eq!(synchronous(&cache), 1, "NORMAL outside durable writes");
        let inside: i64 = cache
            .with_durable(|c| c.query_row("PRAGMA synchronous", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(inside, 2, "FULL while the durable write commits");
        assert_eq!(synchronous(&cache), 1, "back to NORMAL after it");
        let failed = cache.with_durable(|c| c.execute("INSERT INTO no_such_table VALUES (1)", []));
        assert!(failed.is_err());
        assert_eq!(synchronous(&cache), 1, "back to NORMAL after a failed one");
    }

    #[test]
    fn the_views_read_while_a_long_write_transaction_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let cache = std::sync::Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
        cache.set_meta("note", "before").unwrap();
        let (started_tx, started) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let writer = {
            let cache = cache.clone();
            std::thread::spawn(move || {
                // A sync's write transaction, held open until the test says.
                cache
                    .with(|c| {
                        let tx = c.transaction()?;
                        tx.execute("UPDATE meta SET value = 'during' WHERE key = 'note'", [])?;
                        started_tx.send(()).unwrap();
                        release_rx.recv().unwrap();
                        tx.commit()
                    })
                    .unwrap();
            })
        };
        started.recv().unwrap();
        let (done_tx, done) = std::sync::mpsc::channel();
        {
            let cache = cache.clone();
            std::thread::spawn(move || {
                let read = cache
                    .order("nope")
                    .map(|o| o.is_none())
                    .and_then(|none| cache.stores(None).map(|s| (none, s.len())));
                done_tx.send(read).unwrap();
            });
        }
        let read = done
            .recv_timeout(std::time::Duration::from_secs(3))
            .expect("the reads answer while the write transaction is open");
        assert_eq!(read.unwrap(), (true, 0));
        release.send(()).unwrap();
        writer.join().unwrap();
        assert_eq!(cache.meta("note").unwrap().as_deref(), Some("during"));
    }

    #[test]
    fn the_read_connection_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        let wrote = cache.read(|c| c.execute("DELETE FROM meta", []));
        assert!(wrote.is_err(), "query_only");
    }

    #[test]
    fn processes_opening_one_new_file_at_once_migrate_it_once() {
        // Eight connections race to migrate a fresh file. With a deferred transaction two of
        // them read "nothing applied", and the one upgrading its read to a write second fails
        // at once with SQLITE_BUSY (the busy timeout does not apply to that upgrade).
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("cache.db");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let opened: Vec<_> = (0..8)
                .map(|_| {
                    let path = path.clone();
                    let barrier = barrier.clone();
                    std::thread::spawn(move || {
                        barrier.wait();
                        Cache::open(&path).map(|c| c.schema_version().unwrap())
                    })
                })
                .collect();
            for handle in opened {
                let version = handle.join().unwrap();
                assert_eq!(
                    version.unwrap_or_else(|e| panic!("round {round}: {e}")),
                    migrations::count(),
                );
            }
        }
    }
}
