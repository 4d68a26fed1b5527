//! What a received webhook does to the cache. Status events are hints, not facts: the
//! delivery or fetch is read back from the API (`GET`) and the cache takes *that*, so a
//! wrong, stale or reordered event can never put a status on the board the API does not have.
//! Driver locations have no API to confirm them and are applied as received, unless they
//! cannot be right (`fix_check`).

use hakobu_cache::{
    Arrival, CacheError, DriverJob, FixOutcome, HistorySource, LocationTaken, LocationWebhook,
    StatusOrigin,
};
use hakobu_diaq::Status;
use hakobu_diaq_client::ClientError;
use serde::Serialize;
use serde_json::Value;

use crate::drivers::{driver_fix, located_job};
use crate::fix_check::{self, Refusal};
use crate::intake_timing::Stage;
use crate::{Changes, CommandError, Dispatch, ErrorCode, tokyo_rfc3339};

/// What the receiver answers a webhook with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeOutcome {
    /// `applied` (written to the cache), `duplicate` (already applied: nothing done) or
    /// `ignored` (an event type we do not use, recorded only).
    pub result: &'static str,
    /// What applying did: `confirmed <status>`, `unchanged`, `not_found`, `location`, ….
    pub detail: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Not an event we can read (400: resending it will not help).
    #[error("{0}")]
    Malformed(String),
    /// The API could not be asked (503: the sender should retry; the event stays unapplied).
    #[error("could not confirm with the API: {0}")]
    Unconfirmed(CommandError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// How long a `webhook-id` is remembered at least (the cache keeps more when there are few).
/// A signed request is taken while its timestamp is within the tolerance of our clock, and
/// that timestamp may itself be a tolerance ahead of when we first saw the id: twice the
/// tolerance covers every replay the signature check lets through, and a minute more the
/// time a request spends in flight.
fn remember_ids_for() -> chrono::Duration {
    hakobu_webhook_signature::TOLERANCE * 2 + chrono::Duration::minutes(1)
}

/// An event, read and checked before anything is recorded.
enum Event {
    /// `delivery.<status>` / `fetch.<status>`: the object's id, and its driver's location fix
    /// if the body carries one.
    Order {
        kind: &'static str,
        id: String,
        driver: Value,
        /// The status the event announces, and when (its `created_at`): the time the status
        /// history records when the API confirms that status.
        claims: Option<(Status, String)>,
    },
    /// `driver.location`.
    Location,
    /// Any other type (a future one): recorded, not applied.
    Other,
}

fn read(body: &Value) -> Result<(String, Event), IntakeError> {
    let event = body["event"]
        .as_str()
        .ok_or_else(|| IntakeError::Malformed("event: must be a string".into()))?
        .to_owned();
    let kind = match event.split_once('.') {
        Some(("delivery", _)) => Some("delivery"),
        Some(("fetch", _)) => Some("fetch"),
        _ => None,
    };
    let parsed = if let Some(kind) = kind {
        let id = body[kind]["id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| IntakeError::Malformed(format!("{kind}.id: must be a string")))?;
        let claims = event
            .split_once('.')
            .and_then(|(_, status)| Status::parse(status))
            .zip(body["created_at"].as_str().map(str::to_owned));
        Event::Order {
            kind,
            id: id.to_owned(),
            driver: body[kind]["driver"].clone(),
            claims,
        }
    } else if event == "driver.location" {
        if driver_fix(&body["driver"], None, "").is_none() {
            return Err(IntakeError::Malformed(
                "driver: must have id, name and location {latitude, longitude, update}".into(),
            ));
        }
        Event::Location
    } else {
        Event::Other
    };
    Ok((event, parsed))
}

impl Dispatch {
    /// Records and applies one (verified) webhook. `webhook_id` de-duplicates: an event
    /// already applied is not applied again.
    pub(crate) async fn take_webhook(
        &self,
        webhook_id: &str,
        body: &Value,
    ) -> Result<IntakeOutcome, IntakeError> {
        let (event, parsed) = read(body)?;
        let at = self.clock.now();
        let now = tokyo_rfc3339(at);
        let forget_before = (at - remember_ids_for()).timestamp();
        // Locations are taken in batches; the rest one by one below.
        let order = match parsed {
            Event::Location => {
                return self
                    .take_location(webhook_id, event, body, now, forget_before)
                    .await;
            }
            Event::Order {
                kind,
                id,
                driver,
                claims,
            } => Some((kind, id, driver, claims)),
            Event::Other => None,
        };
        let timing = &self.intake_timing;
        let step = std::time::Instant::now();
        let recorded =
            self.cache
                .record_webhook_event(webhook_id, &event, &now, body, forget_before)?;
        timing.note(Stage::Record, step.elapsed());
        match recorded {
            Arrival::Applied => {
                return Ok(IntakeOutcome {
                    result: "duplicate",
                    detail: "already applied".into(),
                });
            }
            Arrival::New | Arrival::Unapplied => {}
        }
        let mut changes = Changes::default();
        let (result, detail) = match order {
            Some((kind, id, driver, claims)) => {
                let detail = self
                    .confirm_order(kind, &id, claims.as_ref(), &now, &mut changes)
                    .await?;
                // The driver's location rides along with the confirmed status.
                if let Some(status) = detail.status {
                    let job = (!matches!(
                        status,
                        Status::Delivered | Status::Canceled | Status::Returned
                    ))
                    .then(|| DriverJob {
                        kind: kind.to_owned(),
                        id: id.clone(),
                        status: status.as_str().to_owned(),
                    });
                    // A refused fix is logged; the confirmed status stands either way.
                    if let Some(fix) = driver_fix(&driver, job, &now) {
                        self.record_fix(&fix, &mut changes)?;
                    }
                }
                ("applied", detail.text)
            }
            None => ("ignored", "unknown event type".to_owned()),
        };
        let step = std::time::Instant::now();
        self.cache
            .mark_webhook_event_applied(webhook_id, &now, &detail)?;
        timing.note(Stage::Mark, step.elapsed());
        self.announce(changes);
        Ok(IntakeOutcome { result, detail })
    }

    /// A `driver.location`: checked here, then recorded, written and marked applied with the
    /// others queued meanwhile in one transaction ([`crate::location_writes`]), which also
    /// announces the moves.
    async fn take_location(
        &self,
        webhook_id: &str,
        event: String,
        body: &Value,
        now: String,
        forget_before: i64,
    ) -> Result<IntakeOutcome, IntakeError> {
        let fix = driver_fix(&body["driver"], located_job(body), &now)
            .ok_or_else(|| IntakeError::Malformed("driver".into()))?;
        let timing = &self.intake_timing;
        timing.note_age(Stage::Transit, fix.located_ms);
        let refused = fix_check::check(&fix, self.clock.now()).err();
        if let Some(refusal) = refused {
            self.refused_fixes.note(&fix, refusal);
        }
        let step = std::time::Instant::now();
        let taken = self
            .location_writes
            .take(LocationWebhook {
                webhook_id: webhook_id.to_owned(),
                event,
                received_at: now,
                body: body.to_string(),
                forget_before,
                fix: match refused {
                    None => Ok(fix.clone()),
                    Some(refusal) => Err(format!("fix refused: {}", refusal.as_str())),
                },
            })
            .await?;
        timing.note(Stage::Fix, step.elapsed());
        Ok(match (taken, refused) {
            (LocationTaken::Duplicate, _) => IntakeOutcome {
                result: "duplicate",
                detail: "already applied".into(),
            },
            (LocationTaken::Applied(_), Some(refusal)) => IntakeOutcome {
                result: "ignored",
                detail: format!("fix refused: {}", refusal.as_str()),
            },
            // A refused fix is still a readable event: answered 2xx, as resending it will
            // not make it right.
            (LocationTaken::Applied(outcome), None) => {
                if let Some(FixOutcome::Older) = outcome {
                    self.refused_fixes.note(&fix, Refusal::Older);
                }
                IntakeOutcome {
                    result: "applied",
                    detail: outcome
                        .as_ref()
                        .map_or_else(|| "location".to_owned(), crate::location_writes::fix_detail),
                }
            }
        })
    }

    /// Stores the fix unless it cannot be right ([`fix_check`]); says why it did not move
    /// the driver, if it did not. Each refusal is logged once per driver and reason.
    fn record_fix(
        &self,
        fix: &hakobu_cache::DriverFix,
        changes: &mut Changes,
    ) -> Result<Option<Refusal>, CacheError> {
        let refusal = match fix_check::check(fix, self.clock.now()) {
            Err(refusal) => Some(refusal),
            Ok(()) => match self.cache.record_driver_fix(fix)? {
                FixOutcome::Moved(row) => {
                    changes.drivers.push(fix.id);
                    changes.positions.push(*row);
                    None
                }
                FixOutcome::Unchanged => None,
                FixOutcome::Older => Some(Refusal::Older),
            },
        };
        if let Some(refusal) = refusal {
            self.refused_fixes.note(fix, refusal);
        }
        Ok(refusal)
    }

    /// Reads the order from the API and puts that in the cache, unless the cache already holds
    /// a newer `update` of it (a sync or another event got there first). A status change is
    /// recorded at the event's time when the API confirms the status the event announced,
    /// otherwise at the object's `update` (the event was stale or ran ahead).
    async fn confirm_order(
        &self,
        kind: &'static str,
        id: &str,
        claims: Option<&(Status, String)>,
        now: &str,
        changes: &mut Changes,
    ) -> Result<Confirmed, IntakeError> {
        let answer = if kind == "delivery" {
            let r = self.client.get_delivery(id).await;
            self.observe(&r);
            r.and_then(|d| serde_json::to_value(d).map_err(|e| ClientError::Decode(e.to_string())))
        } else {
            let r = self.client.get_fetch(id).await;
            self.observe(&r);
            r.and_then(|f| serde_json::to_value(f).map_err(|e| ClientError::Decode(e.to_string())))
        };
        let object = match answer {
            Ok(object) => object,
            // The API says there is no such order: nothing to apply, and no use resending.
            Err(ClientError::NotFound { .. }) => {
                return Ok(Confirmed {
                    status: None,
                    text: "not_found".into(),
                });
            }
            Err(e) => return Err(IntakeError::Unconfirmed(e.into())),
        };
        let status = object["status"].as_str().and_then(Status::parse);
        let row = self.cached_order(kind, object, now).ok_or_else(|| {
            IntakeError::Unconfirmed(CommandError::new(
                ErrorCode::Internal,
                format!("{kind} {id}: the API's object has no window"),
            ))
        })?;
        // The newer-`update` check and the write must not interleave with another writer's
        // (a sync, another confirmation). The lock is taken only now, after the GET: held
        // across a network call (with its retries) it kept every sync and write waiting on a
        // slow API. The check below makes an answer that a sync overtook meanwhile harmless.
        let _writing = self.order_writes.lock().await;
        // Switched meanwhile: the sender retries (503), and finds the receiver gone.
        self.still_current().map_err(IntakeError::Unconfirmed)?;
        let text = match self.cache.order(id)? {
            Some(cached) if is_newer(&cached.api_update, &row.api_update) => "stale".to_owned(),
            Some(cached) if same_order(&cached, &row) => "unchanged".to_owned(),
            _ => {
                let at = claims
                    .filter(|(claimed, _)| Some(*claimed) == status)
                    .map(|(_, at)| at.as_str());
                let origin = StatusOrigin {
                    source: HistorySource::Webhook,
                    at,
                };
                self.cache
                    .upsert_orders(std::slice::from_ref(&row), origin)?;
                changes.orders.push(row.id.clone());
                format!("confirmed {}", row.status)
            }
        };
        Ok(Confirmed { status, text })
    }
}

struct Confirmed {
    /// The API's status (`None`: the API does not have the order).
    status: Option<Status>,
    text: String,
}

/// Whether `update` a is strictly later than b (both the API's timestamps; an unreadable one
/// is never "newer", so it cannot block a write).
pub(crate) fn is_newer(a: &str, b: &str) -> bool {
    match (hakobu_diaq::time::parse(a), hakobu_diaq::time::parse(b)) {
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

/// The same order as far as the board can tell (ignoring when we fetched it).
pub(crate) fn same_order(a: &hakobu_cache::CachedOrder, b: &hakobu_cache::CachedOrder) -> bool {
    a.status == b.status && a.api_update == b.api_update && a.body == b.body
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_order_location_and_other_events() {
        let (event, e) =
            read(&json!({"event": "fetch.assigned", "fetch": {"id": "f1", "driver": null}}))
                .unwrap();
        assert_eq!(event, "fetch.assigned");
        assert!(matches!(e, Event::Order { kind: "fetch", ref id, .. } if id == "f1"));
        let location = json!({"event": "driver.location", "driver": {"id": 2, "name": "佐藤",
            "location": {"latitude": 35.6, "longitude": 139.7, "update": "2026-11-23T09:00:00+09:00"}}});
        assert!(matches!(read(&location).unwrap().1, Event::Location));
        assert!(matches!(
            read(&json!({"event": "store.updated"})).unwrap().1,
            Event::Other
        ));
    }

    #[test]
    fn malformed_events_are_refused_before_anything_is_recorded() {
        for (body, says) in [
            (json!({"delivery": {"id": "d1"}}), "event:"),
            (json!([1, 2]), "event:"),
            (
                json!({"event": "delivery.assigned", "delivery": {}}),
                "delivery.id",
            ),
            (
                json!({"event": "fetch.canceled", "fetch": {"id": ""}}),
                "fetch.id",
            ),
            (
                json!({"event": "driver.location", "driver": {"id": 1}}),
                "driver:",
            ),
        ] {
            match read(&body) {
                Err(IntakeError::Malformed(m)) => assert!(m.starts_with(says), "{m}"),
                _ => panic!("{body} was accepted"),
            }
        }
    }

    #[test]
    fn newer_compares_instants_not_text() {
        assert!(is_newer(
            "2026-11-23T10:00:00.001+09:00",
            "2026-11-23T10:00:00.000+09:00"
        ));
        assert!(is_newer(
            "2026-11-23T02:00:00Z",
            "2026-11-23T10:59:00+09:00"
        ));
        assert!(!is_newer(
            "2026-11-23T10:00:00+09:00",
            "2026-11-23T10:00:00.000+09:00"
        ));
        assert!(!is_newer("garbage", "2026-11-23T10:00:00+09:00"));
        assert!(!is_newer("2026-11-23T10:00:00+09:00", ""));
    }
}
