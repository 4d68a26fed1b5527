//! Stores: read from the cache; synced from the API; written through the outbox (sent at once
//! when the API answers, queued otherwise), then refreshed in the cache.

use hakobu_cache::{CachedStore, OutboxRow, StoreLocation};
use hakobu_diaq::{Store, StoreInput, StoreQuery};
use serde::Serialize;
use ts_rs::TS;

use crate::outbox::Written;
use crate::outbox_write::{Target, Write};
use crate::{CommandError, Dispatch, ErrorCode, META_LAST_SYNC, tokyo_rfc3339};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncReport {
    pub count: usize,
    pub synced_at: String,
}

impl Dispatch {
    /// The cached stores, filtered by the search box (never touches the network).
    pub fn list_stores(&self, search: Option<&str>) -> Result<Vec<CachedStore>, CommandError> {
        Ok(self.cache.stores(search)?)
    }

    /// Reads every store from the API and makes the cache exactly that.
    pub async fn sync_stores(&self) -> Result<SyncReport, CommandError> {
        let result = self.client.all_stores(&StoreQuery::default()).await;
        self.observe(&result);
        let stores = result?;
        let now = tokyo_rfc3339(self.clock.now());
        let cached: Vec<CachedStore> = stores.into_iter().map(|s| self.cached(s, &now)).collect();
        // The same lock `retire` waits on: no write of a retired account after it.
        let _writing = self.order_writes.lock().await;
        self.still_current()?;
        self.cache.replace_stores(&cached)?;
        self.cache.set_meta(META_LAST_SYNC, &now)?;
        Ok(SyncReport {
            count: cached.len(),
            synced_at: now,
        })
    }

    /// Creates a store through the outbox. Online: the created store, as before. Queued
    /// (offline): the error that stopped the queue, its message saying the write is queued —
    /// [`Dispatch::create_store_or_queue`] tells the two apart without an error.
    pub async fn create_store(&self, input: &StoreInput) -> Result<CachedStore, CommandError> {
        self.create_store_or_queue(input).await?.applied()
    }

    pub async fn update_store(
        &self,
        id: &str,
        input: &StoreInput,
    ) -> Result<CachedStore, CommandError> {
        self.update_store_or_queue(id, input).await?.applied()
    }

    pub async fn delete_store(&self, id: &str) -> Result<(), CommandError> {
        self.delete_store_or_queue(id).await?.applied()
    }

    /// Creates a store: applied at once when the API answers, otherwise queued. A refusal
    /// (400) is the error, as before, and leaves nothing queued.
    pub async fn create_store_or_queue(
        &self,
        input: &StoreInput,
    ) -> Result<Written<CachedStore>, CommandError> {
        let write = Write::CreateStore {
            input: input.clone(),
        };
        self.enqueue_write(write)
            .await?
            .try_map(|row| self.acked_store(&row))
    }

    /// Changes a store. A store the API says does not exist is also dropped from the cache,
    /// so the list stops offering it; the caller still hears the 404.
    pub async fn update_store_or_queue(
        &self,
        id: &str,
        input: &StoreInput,
    ) -> Result<Written<CachedStore>, CommandError> {
        let write = Write::UpdateStore {
            id: Target::Id(id.to_owned()),
            input: input.clone(),
        };
        self.enqueue_write(write)
            .await?
            .try_map(|row| self.acked_store(&row))
    }

    pub async fn delete_store_or_queue(&self, id: &str) -> Result<Written<()>, CommandError> {
        let write = Write::DeleteStore {
            id: Target::Id(id.to_owned()),
        };
        self.enqueue_write(write).await?.try_map(|_| Ok(()))
    }

    /// The store an acked row created or changed, as now cached.
    fn acked_store(&self, row: &OutboxRow) -> Result<CachedStore, CommandError> {
        if let Some(cached) = row
            .server_id
            .as_deref()
            .map(|id| self.cache.store(id))
            .transpose()?
            .flatten()
        {
            return Ok(cached);
        }
        // Gone from the cache meanwhile (a full sync raced it): the server's answer stands.
        let store: Store = row
            .response
            .clone()
            .and_then(|r| serde_json::from_value(r).ok())
            .ok_or_else(|| {
                CommandError::new(ErrorCode::Internal, "acked store without its object")
            })?;
        Ok(self.cached(store, &row.updated_at))
    }

    pub(crate) fn store_answered(&self, store: Store) -> Result<CachedStore, CommandError> {
        let cached = self.cached(store, &tokyo_rfc3339(self.clock.now()));
        self.cache.upsert_store(&cached)?;
        Ok(cached)
    }

    fn cached(&self, store: Store, fetched_at: &str) -> CachedStore {
        // Line 1 starts at the municipality (the document says so); the prefecture comes first.
        let address = format!(
            "{}{}",
            store.store_address_prefecture, store.store_address_line_1
        );
        let location = self
            .geo
            .get()
            .and_then(|g| g.geocode(&address).ok())
            .map(|g| StoreLocation {
                lat: g.point.lat,
                lng: g.point.lng,
                level: g.level.as_str().to_owned(),
            });
        CachedStore {
            store,
            location,
            fetched_at: fetched_at.to_owned(),
        }
    }
}
