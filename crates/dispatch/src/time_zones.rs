//! The API's time zones (時間枠): read from the API at sync, kept in the cache so the calendar
//! and the new-order form work offline.

use hakobu_diaq::TimeZone;

use crate::{CommandError, Dispatch, tokyo_rfc3339};

impl Dispatch {
    /// Reads `GET /v1/time_zones` and makes the cache exactly that; returns them.
    pub async fn sync_time_zones(&self) -> Result<Vec<TimeZone>, CommandError> {
        let result = self.client.time_zones().await;
        self.observe(&result);
        let zones = result?;
        self.cache
            .replace_time_zones(&zones, &tokyo_rfc3339(self.clock.now()))?;
        Ok(zones)
    }

    /// The cached time zones, in the API's order (empty before the first sync).
    pub fn list_time_zones(&self) -> Result<Vec<TimeZone>, CommandError> {
        Ok(self.cache.time_zones()?)
    }
}
