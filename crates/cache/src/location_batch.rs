//! Driver-location webhooks written together: each one's `webhook-id` recorded (a duplicate
//! is not applied again), its fix written, and the event marked applied — for a whole batch in
//! one transaction. At 2,000 moves a second, three commits per move (each a WAL append of every
//! page it touched) were most of the receiver's work; one commit per batch shares the pages.

use crate::drivers::{DriverFix, FixOutcome, write_fix};
use crate::webhook_events::{Arrival, mark_applied, record_event};
use crate::{Cache, CacheError};

/// One received `driver.location` to record and apply.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationWebhook {
    pub webhook_id: String,
    pub event: String,
    pub received_at: String,
    /// The body as received (kept for inspection, see `webhook_events`).
    pub body: String,
    /// Ids received before this (unix seconds) may be forgotten (`record_webhook_event`).
    pub forget_before: i64,
    /// The fix to write, or what to mark when the caller's checks refused it.
    pub fix: Result<DriverFix, String>,
}

/// What taking one of them did.
#[derive(Debug, Clone, PartialEq)]
pub enum LocationTaken {
    /// Its id was applied before: nothing done.
    Duplicate,
    /// Applied: the fix's outcome (`None`: refused by the caller, only recorded and marked).
    Applied(Option<FixOutcome>),
}

impl Cache {
    /// Records and applies `batch` in order, in one transaction; `detail` words what a written
    /// fix did for the event's mark (a refused one is marked with its `Err` text).
    pub fn take_locations(
        &self,
        batch: &[LocationWebhook],
        detail: impl Fn(&FixOutcome) -> String,
    ) -> Result<Vec<LocationTaken>, CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let mut taken = Vec::with_capacity(batch.len());
            for w in batch {
                let arrival = record_event(
                    &tx,
                    &w.webhook_id,
                    &w.event,
                    &w.received_at,
                    &w.body,
                    w.forget_before,
                )?;
                if arrival == Arrival::Applied {
                    taken.push(LocationTaken::Duplicate);
                    continue;
                }
                let (outcome, text) = match &w.fix {
                    Ok(fix) => {
                        let outcome = write_fix(&tx, fix)?;
                        let text = detail(&outcome);
                        (Some(outcome), text)
                    }
                    Err(refused) => (None, refused.clone()),
                };
                mark_applied(&tx, &w.webhook_id, &w.received_at, &text)?;
                taken.push(LocationTaken::Applied(outcome));
            }
            tx.commit()?;
            Ok(taken)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(id: u64, ms: i64, lat: f64) -> DriverFix {
        DriverFix {
            id,
            name: format!("d{id}"),
            phone: None,
            vehicle_type: None,
            lat,
            lng: 139.7,
            located_at: format!("t{ms}"),
            located_ms: ms,
            job: None,
            received_at: "r".into(),
        }
    }

    fn webhook(id: &str, fix: Result<DriverFix, String>) -> LocationWebhook {
        LocationWebhook {
            webhook_id: id.into(),
            event: "driver.location".into(),
            received_at: "2026-11-23T09:00:00+09:00".into(),
            body: format!("{{\"n\":\"{id}\"}}"),
            forget_before: 0,
            fix,
        }
    }

    fn word(o: &FixOutcome) -> String {
        match o {
            FixOutcome::Older => "older".into(),
            FixOutcome::Moved(_) => "moved".into(),
            FixOutcome::Unchanged => "unchanged".into(),
        }
    }

    #[test]
    fn a_batch_records_applies_and_marks_each_and_a_repeated_id_is_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        let batch = [
            webhook("m1", Ok(fix(1, 2_000, 35.6))),
            webhook("m2", Ok(fix(1, 1_000, 35.5))),
            webhook("m3", Err("fix refused: latitude".into())),
            // The same id again inside the batch: applied by the first, a duplicate now.
            webhook("m1", Ok(fix(1, 3_000, 35.9))),
        ];
        let taken = cache.take_locations(&batch, word).unwrap();
        assert!(
            matches!(&taken[0], LocationTaken::Applied(Some(FixOutcome::Moved(d))) if d.lat == 35.6)
        );
        assert_eq!(taken[1], LocationTaken::Applied(Some(FixOutcome::Older)));
        assert_eq!(taken[2], LocationTaken::Applied(None));
        assert_eq!(taken[3], LocationTaken::Duplicate);
        // The driver is where the newest fix put it; the older one is on the trail.
        assert_eq!(cache.driver(1).unwrap().unwrap().lat, 35.6);
        assert_eq!(cache.driver_trail(1).unwrap().len(), 2);
        for (id, outcome) in [
            ("m1", "moved"),
            ("m2", "older"),
            ("m3", "fix refused: latitude"),
        ] {
            let e = cache.webhook_event(id).unwrap().unwrap();
            assert_eq!(e.outcome.as_deref(), Some(outcome), "{id}");
            assert!(e.applied_at.is_some(), "{id}");
        }
        assert_eq!(cache.webhook_event_count(None).unwrap(), 3);
        // A later batch: m2 is a duplicate, a new id applies.
        let taken = cache
            .take_locations(
                &[
                    webhook("m2", Ok(fix(1, 9_000, 36.0))),
                    webhook("m4", Ok(fix(2, 1, 35.0))),
                ],
                word,
            )
            .unwrap();
        assert_eq!(taken[0], LocationTaken::Duplicate);
        assert!(matches!(
            &taken[1],
            LocationTaken::Applied(Some(FixOutcome::Moved(_)))
        ));
        assert_eq!(cache.driver(1).unwrap().unwrap().lat, 35.6);
    }
}
