//! Drivers on the map: read from the cache, which webhooks fill (`driver.location`, and the
//! driver object every status event carries). The DIAq document has no route to list drivers,
//! so webhooks are their only source.

use hakobu_cache::{CachedDriver, DriverFix, DriverJob, TrailPoint};
use serde_json::Value;

use crate::{CommandError, Dispatch};

impl Dispatch {
    /// Every driver heard of, with the latest location and job.
    pub fn list_drivers(&self) -> Result<Vec<CachedDriver>, CommandError> {
        Ok(self.cache.drivers()?)
    }

    /// The drivers among `ids` the cache knows (those a `cache-changed` named), by id.
    pub fn drivers_by_ids(&self, ids: &[u64]) -> Result<Vec<CachedDriver>, CommandError> {
        Ok(self.cache.drivers_by_ids(ids)?)
    }

    /// Where the driver has been, oldest first (bounded: [`hakobu_cache::TRAIL_POINTS`]).
    pub fn driver_trail(&self, id: u64) -> Result<Vec<TrailPoint>, CommandError> {
        Ok(self.cache.driver_trail(id)?)
    }
}

/// The fix a webhook's Driver object (webhook form: `{id, name, [phone, vehicle_type,]
/// location: {latitude, longitude, update}}`) reports; `None` when it lacks any of id, name,
/// a numeric coordinate or a readable `update`. Whether the fix can be right (on the globe,
/// not in the future) is `fix_check`'s question, asked before it is stored.
pub(crate) fn driver_fix(
    driver: &Value,
    job: Option<DriverJob>,
    received_at: &str,
) -> Option<DriverFix> {
    let location = &driver["location"];
    let coordinate = |name: &str| location[name].as_f64();
    let located_at = location["update"].as_str()?;
    let text = |name: &str| driver[name].as_str().map(str::to_owned);
    Some(DriverFix {
        id: driver["id"].as_u64()?,
        name: text("name")?,
        phone: text("phone"),
        vehicle_type: text("vehicle_type"),
        lat: coordinate("latitude")?,
        lng: coordinate("longitude")?,
        located_at: located_at.to_owned(),
        located_ms: hakobu_diaq::time::parse(located_at)?.timestamp_millis(),
        job,
        received_at: received_at.to_owned(),
    })
}

/// The job a `driver.location` event names (`"delivery"` or `"fetch"`: `{id, status}`), if any.
pub(crate) fn located_job(event: &Value) -> Option<DriverJob> {
    ["delivery", "fetch"].into_iter().find_map(|kind| {
        let job = event.get(kind)?;
        Some(DriverJob {
            kind: kind.to_owned(),
            id: job["id"].as_str()?.to_owned(),
            status: job["status"].as_str()?.to_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn driver() -> Value {
        json!({"id": 1, "name": "吉井 次郎", "location": {
            "latitude": 35.65720395654035, "longitude": 139.7335300316473,
            "update": "2018-11-22T15:15:03+09:00"}})
    }

    #[test]
    fn reads_the_documents_driver_sample() {
        let fix = driver_fix(&driver(), None, "now").unwrap();
        assert_eq!(fix.id, 1);
        assert_eq!(fix.name, "吉井 次郎");
        assert_eq!((fix.phone, fix.vehicle_type), (None, None));
        assert_eq!(fix.lat, 35.65720395654035);
        assert_eq!(fix.located_ms, 1_542_867_303_000);
        let mut d = driver();
        d["phone"] = json!("090-0000-1111");
        d["vehicle_type"] = json!("バイク125cc超");
        let fix = driver_fix(&d, None, "now").unwrap();
        assert_eq!(fix.phone.as_deref(), Some("090-0000-1111"));
        assert_eq!(fix.vehicle_type.as_deref(), Some("バイク125cc超"));
    }

    #[test]
    fn a_driver_without_id_name_place_or_time_is_no_fix() {
        let broken: [fn(&mut Value); 6] = [
            |d| d["id"] = json!("1"),
            |d| d["name"] = Value::Null,
            |d| d["location"]["latitude"] = Value::Null,
            |d| d["location"]["longitude"] = json!("139"),
            |d| d["location"]["update"] = json!("yesterday"),
            |d| d["location"] = Value::Null,
        ];
        for (n, breaks) in broken.iter().enumerate() {
            let mut d = driver();
            breaks(&mut d);
            assert!(driver_fix(&d, None, "now").is_none(), "case {n}: {d}");
        }
        assert!(driver_fix(&Value::Null, None, "now").is_none());
    }

    #[test]
    fn a_coordinate_off_the_globe_is_read_for_the_check_to_refuse() {
        let mut d = driver();
        d["location"]["latitude"] = json!(91.0);
        let fix = driver_fix(&d, None, "now").unwrap();
        assert_eq!(fix.lat, 91.0);
    }

    #[test]
    fn the_job_is_the_events_delivery_or_fetch() {
        let job = located_job(&json!({"fetch": {"id": "f1", "status": "collecting",
                                                 "tracking_code": "1"}}))
        .unwrap();
        assert_eq!(
            job,
            DriverJob {
                kind: "fetch".into(),
                id: "f1".into(),
                status: "collecting".into()
            }
        );
        assert_eq!(located_job(&json!({"event": "driver.location"})), None);
        assert_eq!(located_job(&json!({"delivery": {"id": 1}})), None);
    }
}
