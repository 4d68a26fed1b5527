//! Stores: read from the cache; sync and write through the API, then refresh the cache.

use hakobu_cache::{CachedStore, StoreLocation};
use hakobu_diaq::{Store, StoreInput, StoreQuery};
use hakobu_diaq_client::ClientError;
use serde::Serialize;

use crate::{CommandError, Dispatch, META_LAST_SYNC, tokyo_rfc3339};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        self.cache.replace_stores(&cached)?;
        self.cache.set_meta(META_LAST_SYNC, &now)?;
        Ok(SyncReport {
            count: cached.len(),
            synced_at: now,
        })
    }

    pub async fn create_store(&self, input: &StoreInput) -> Result<CachedStore, CommandError> {
        let result = self.client.create_store(input).await;
        self.observe(&result);
        self.store_answered(result?)
    }

    pub async fn update_store(
        &self,
        id: &str,
        input: &StoreInput,
    ) -> Result<CachedStore, CommandError> {
        let result = self.client.update_store(id, input).await;
        self.observe(&result);
        match result {
            Ok(store) => self.store_answered(store),
            Err(e) => Err(self.forget_if_gone(id, e)),
        }
    }

    pub async fn delete_store(&self, id: &str) -> Result<(), CommandError> {
        let result = self.client.delete_store(id).await;
        self.observe(&result);
        match result {
            Ok(()) => {
                self.cache.delete_store(id)?;
                Ok(())
            }
            Err(e) => Err(self.forget_if_gone(id, e)),
        }
    }

    /// A store the API says does not exist is dropped from the cache too, so the list stops
    /// offering it; the caller still hears the 404.
    fn forget_if_gone(&self, id: &str, e: ClientError) -> CommandError {
        if matches!(e, ClientError::NotFound { .. })
            && let Err(cache_error) = self.cache.delete_store(id)
        {
            return cache_error.into();
        }
        e.into()
    }

    fn store_answered(&self, store: Store) -> Result<CachedStore, CommandError> {
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
            .as_ref()
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
