//! Handing stops to DIAq in one action: for each stop, a window DIAq holds at its store that
//! fits the stop's window (the estimate's earliest, else `reserve_windows` for a fitting
//! hourly slot), then a delivery created through the outbox. A per-item report says what
//! became of each: created (tracking code), no fitting window (with the nearest offered),
//! refused (the API's words), queued (offline).
//!
//! Nothing is created twice: each stop's packages carry an order reference derived from the
//! plan and the stop. Before anything is asked, the outbox is searched for a create carrying
//! it (sent or not: a pending one is replayed, a sent one whose answer was lost is found by
//! the outbox's own look-up), then DIAq itself. So repeating the action, or running it again
//! after the app died at any point, finds what the first run made.
//!
//! A run that fails part-way (DIAq stops answering) keeps what it made: before the error is
//! answered, the stops created so far leave for the tray with their tracking codes (a new
//! version), as their items said. The stops named are all checked first: a stop not in the
//! plan makes nothing.

use chrono::{Duration, NaiveDate, TimeZone as _};
use hakobu_cache::{OutboxRow, OutboxState};
use hakobu_diaq_client::OrderQuery;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::planning::evaluate::evaluate;
use crate::planning::request::{BatchStop, StopSource};
use crate::planning::result::{Plan, PlanHistory, UnassignedCause, UnassignedStop};
use crate::{
    CommandError, Dispatch, ErrorCode, ErrorDetail, Hold, OrderKind, WindowChoice, Write, Written,
};

/// The package size handed over when the batch does not say (DIAq's smallest box).
const SERVICE_BRAND: &str = "60サイズ";
/// DIAq's limit on a delivery's boxes.
const MAX_BOXES: u32 = 10;

/// What became of one stop.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outsourced {
    /// DIAq has it (made now, or by an earlier run).
    Created {
        delivery_id: String,
        tracking_code: String,
        window: Hold,
    },
    /// Written but not sent: the API did not answer. The outbox sends it later.
    Queued {
        client_id: String,
        reason: CommandError,
    },
    /// No window DIAq could hold fits the stop's window; nothing was created.
    NoFittingWindow {
        /// The earliest window the store's estimate held, for the dispatcher to weigh.
        nearest: Option<Hold>,
        /// The span a window had to fit: the stop's window, else the whole day (seconds
        /// since midnight of the plan's date).
        wanted: [f64; 2],
    },
    /// DIAq (or a rule checked before asking) refused it; nothing was created.
    Refused { error: CommandError },
    /// Already a DIAq order (picked from the board): nothing to hand over.
    AlreadyDiaq { tracking_code: String },
}

/// One stop of an `outsource_stops` report.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutsourceItem {
    pub stop_id: String,
    /// Where the stop came from: the view names it from this.
    pub source: StopSource,
    /// The packages' order reference on DIAq (file stops).
    pub order_reference: Option<String>,
    #[serde(flatten)]
    pub outcome: Outsourced,
}

/// `outsource_stops`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OutsourceReport {
    pub plan_id: String,
    /// The plan's version after the hand-over: created stops leave their routes and wait in
    /// the tray with their tracking code (a new version when any did).
    pub version: u32,
    pub items: Vec<OutsourceItem>,
    pub created: usize,
}

/// Who hears each stop's outcome as it is settled.
pub type OutsourceListener<'a> = &'a (dyn Fn(&OutsourceItem) + Send + Sync);

/// `HK` + 20 hex digits of SHA-256 over the plan and the stop: the same stop of the same plan
/// always carries the same reference, whichever version or run hands it over.
pub(crate) fn order_reference(plan_id: &str, stop_id: &str) -> String {
    let digest = Sha256::digest(format!("hakobu-outsource/1\n{plan_id}\n{stop_id}").as_bytes());
    let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("HK{hex}")
}

/// The prefecture an address starts with, and the rest: 都道府県 names are 北海道, 東京都,
/// 京都府, 大阪府, or two or three characters and 県.
fn split_prefecture(address: &str) -> Option<(String, String)> {
    let address = address.trim();
    for p in ["北海道", "東京都", "京都府", "大阪府"] {
        if let Some(rest) = address.strip_prefix(p) {
            return Some((p.to_owned(), rest.trim().to_owned()));
        }
    }
    let chars: Vec<char> = address.chars().collect();
    let k = [2, 3].into_iter().find(|&k| chars.get(k) == Some(&'県'))?;
    Some((
        chars[..=k].iter().collect(),
        chars[k + 1..].iter().collect::<String>().trim().to_owned(),
    ))
}

fn bad(field: &str, message: String) -> CommandError {
    CommandError::bad_field(field, format!("{field}: {message}"))
}

/// A create's answer as the report shows it.
fn created(delivery: &Value) -> Option<Outsourced> {
    let window: Hold = serde_json::from_value(delivery["delivery_window"].clone()).ok()?;
    Some(Outsourced::Created {
        delivery_id: delivery["id"].as_str()?.to_owned(),
        tracking_code: delivery["tracking_code"].as_str()?.to_owned(),
        window,
    })
}

/// Seconds after `midnight` of a held window's start (its end for an AnytimeWindow's start).
fn hold_span(hold: &Hold, midnight: chrono::DateTime<chrono::FixedOffset>) -> Option<[f64; 2]> {
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| (t - midnight).num_seconds() as f64)
    };
    let end = at(&hold.ends_at)?;
    let start = match &hold.starts_at {
        Some(s) => at(s)?,
        // An AnytimeWindow: any time of its day.
        None => end - 24.0 * 3600.0,
    };
    Some([start, end])
}

impl Dispatch {
    /// Hands `stop_ids` of the plan's current version to DIAq; see the module's doc.
    /// `on_item` hears each stop as it is settled (for a progress list).
    pub async fn outsource_stops(
        &self,
        plan_id: &str,
        stop_ids: &[String],
        on_item: OutsourceListener<'_>,
    ) -> Result<OutsourceReport, CommandError> {
        if stop_ids.is_empty() {
            return Err(CommandError::refused(
                "stop_ids",
                ErrorDetail::NoStopsPicked,
            ));
        }
        let plan = self.plan_head(plan_id)?;
        let date = NaiveDate::parse_from_str(&plan.date, "%Y-%m-%d").map_err(|_| {
            CommandError::new(ErrorCode::Internal, format!("plan date {:?}", plan.date))
        })?;
        let midnight = chrono::FixedOffset::east_opt(9 * 3600)
            .expect("+09:00")
            .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .expect("a fixed offset has one midnight");
        // Every stop named is found before any is handed over: a typo makes nothing.
        let stops = stop_ids
            .iter()
            .map(|stop_id| {
                stop_of(&plan, stop_id)
                    .map(|stop| (stop_id.as_str(), stop))
                    .ok_or_else(|| {
                        CommandError::refused(
                            "stop_ids",
                            ErrorDetail::StopNotInPlan {
                                stop_id: stop_id.clone(),
                            },
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut items = Vec::with_capacity(stops.len());
        let mut stopped = None;
        for (stop_id, stop) in stops {
            match self.outsource_one(&plan, stop_id, stop, midnight).await {
                Ok(item) => {
                    on_item(&item);
                    items.push(item);
                }
                // DIAq stopped answering (or the outbox failed): the rest is not tried.
                Err(e) => {
                    stopped = Some(e);
                    break;
                }
            }
        }
        let created: Vec<(&str, &str)> = items
            .iter()
            .filter_map(|i| match &i.outcome {
                Outsourced::Created { tracking_code, .. } => {
                    Some((i.stop_id.as_str(), tracking_code.as_str()))
                }
                _ => None,
            })
            .collect();
        // Made is made, failure or not: the tray shows each created stop with its tracking code
        // (a new version) without waiting for the action to be run again.
        let version = self.mark_outsourced(&plan, &created).await;
        if let Some(e) = stopped {
            if let Err(m) = version {
                tracing::warn!("plan {plan_id}: handed-over stops not marked: {m}");
            }
            return Err(e);
        }
        let version = version?;
        Ok(OutsourceReport {
            plan_id: plan.plan_id.clone(),
            version,
            created: created.len(),
            items,
        })
    }

    async fn outsource_one(
        &self,
        plan: &Plan,
        stop_id: &str,
        (source, window, parcels): PlanStop<'_>,
        midnight: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<OutsourceItem, CommandError> {
        let item = |order_reference: Option<String>, outcome| OutsourceItem {
            stop_id: stop_id.to_owned(),
            source: source.clone(),
            order_reference,
            outcome,
        };
        let line = match source {
            StopSource::Order { tracking_code, .. } => {
                return Ok(item(
                    None,
                    Outsourced::AlreadyDiaq {
                        tracking_code: tracking_code.clone(),
                    },
                ));
            }
            StopSource::File { line, .. } => *line,
        };
        let reference = order_reference(&plan.plan_id, stop_id);
        let done = |outcome| Ok(item(Some(reference.clone()), outcome));
        let Some(row) = plan.request.stops.iter().find(|s| s.line == line) else {
            return done(Outsourced::Refused {
                error: bad(
                    "stop_ids",
                    format!("{stop_id} is not in the plan's request"),
                ),
            });
        };
        let store_id = plan.request.store_id.clone().unwrap_or_default();

        // Made before (this action repeated, or a run that died)?
        if let Some(outcome) = self.outsourced_before(&reference, &store_id).await? {
            return done(outcome);
        }
        let body = match delivery_body(row, &store_id, parcels, &reference) {
            Ok(body) => body,
            Err(error) => return done(Outsourced::Refused { error }),
        };

        // A window that fits: the estimate's earliest, else a fitting slot reserved.
        let [from, until] = window.unwrap_or([0.0, 24.0 * 3600.0]);
        let ready_by =
            (midnight + Duration::seconds((from - 3600.0).max(0.0) as i64)).max(self.now_jst());
        let ready_by = hakobu_diaq::time::format(ready_by);
        let estimate_body = json!({
            "store_id": store_id,
            "ready_by": ready_by,
            "customer": {
                "address_zipcode": body["customer"]["address_zipcode"],
                "address_prefecture": body["customer"]["address_prefecture"],
                "address_line_1": body["customer"]["address_line_1"],
            },
            "packages": body["packages"],
        });
        let estimate = match self
            .estimate_order(OrderKind::Delivery, &estimate_body)
            .await
        {
            Ok(e) => e,
            Err(error) => return done(Outsourced::Refused { error }),
        };
        let fits = |hold: &Hold| {
            hold_span(hold, midnight).is_some_and(|[a, b]| a >= from - 1e-6 && b <= until + 1e-6)
        };
        let mut held = estimate
            .time_window
            .clone()
            .filter(|h| fits(h))
            .or_else(|| {
                estimate
                    .anytime_window
                    .clone()
                    .filter(|h| window.is_none() && fits(h))
            });
        if held.is_none() {
            held = self
                .reserve_fitting(&store_id, midnight, from, until)
                .await?;
        }
        let Some(hold) = held else {
            let nearest = estimate
                .time_window
                .clone()
                .or(estimate.anytime_window.clone());
            return done(Outsourced::NoFittingWindow {
                nearest,
                wanted: [from, until],
            });
        };
        let mut body = body;
        body["ready_by"] = json!(ready_by);
        body["delivery_window_id"] = json!(hold.id);
        let written = self
            .enqueue_write(Write::CreateDelivery {
                body,
                window: WindowChoice::Given,
            })
            .await;
        let outcome = match written {
            Ok(Written::Applied { value, .. }) => match value.response.as_ref().and_then(created) {
                Some(c) => c,
                None => Outsourced::Refused {
                    error: CommandError::new(
                        ErrorCode::Internal,
                        "DIAq's answer to the create has no delivery",
                    ),
                },
            },
            Ok(Written::Queued { client_id, reason }) => Outsourced::Queued { client_id, reason },
            Err(error) => Outsourced::Refused { error },
        };
        done(outcome)
    }

    /// What an earlier run made for `reference`: a create in the outbox (replayed if not yet
    /// sent), or a delivery DIAq has.
    async fn outsourced_before(
        &self,
        reference: &str,
        store_id: &str,
    ) -> Result<Option<Outsourced>, CommandError> {
        let find = |rows: Vec<OutboxRow>| {
            rows.into_iter().rev().find(|r| {
                serde_json::from_value::<Write>(r.payload.clone())
                    .is_ok_and(|w| w.order_references().iter().any(|x| x == reference))
            })
        };
        if let Some(mut row) = find(self.outbox_rows(&[])?) {
            if matches!(row.state, OutboxState::Pending | OutboxState::InFlight) {
                self.replay_outbox().await?;
                row = find(self.outbox_rows(&[])?).unwrap_or(row);
            }
            return Ok(Some(match row.state {
                OutboxState::Acked => {
                    row.response
                        .as_ref()
                        .and_then(created)
                        .unwrap_or(Outsourced::Refused {
                            error: CommandError::new(
                                ErrorCode::Internal,
                                "DIAq's answer to the create has no delivery",
                            ),
                        })
                }
                OutboxState::Pending | OutboxState::InFlight => Outsourced::Queued {
                    client_id: row.client_id.clone(),
                    reason: CommandError::new(
                        ErrorCode::Transport,
                        row.last_error
                            .clone()
                            .unwrap_or_else(|| "waiting in the outbox".into()),
                    ),
                },
                OutboxState::Failed | OutboxState::Conflict => Outsourced::Refused {
                    error: CommandError::new(
                        ErrorCode::BadRequest,
                        row.last_error.clone().unwrap_or_default(),
                    ),
                },
            }));
        }
        let query = OrderQuery {
            order_reference: Some(reference.to_owned()),
            store_id: Some(store_id.to_owned()).filter(|s| !s.is_empty()),
            ..OrderQuery::default()
        };
        let result = self.client.all_deliveries(&query).await;
        self.observe(&result);
        let found = result.map_err(CommandError::from)?;
        Ok(found
            .into_iter()
            .next()
            .and_then(|d| serde_json::to_value(d).ok())
            .and_then(|d| created(&d)))
    }

    /// The first hourly slot inside `from`–`until` of the day DIAq lets us hold at the store
    /// (`reserve_windows`, through the outbox), if any.
    async fn reserve_fitting(
        &self,
        store_id: &str,
        midnight: chrono::DateTime<chrono::FixedOffset>,
        from: f64,
        until: f64,
    ) -> Result<Option<Hold>, CommandError> {
        let mut zones = self.list_time_zones()?;
        if zones.is_empty() {
            zones = self.sync_time_zones().await?;
        }
        let date = midnight.date_naive().format("%Y-%m-%d").to_string();
        for zone in zones.iter().filter(|z| {
            z.ends > z.starts
                && z.ends - z.starts < 24
                && f64::from(z.starts * 3600) >= from - 1e-6
                && f64::from(z.ends * 3600) <= until + 1e-6
        }) {
            match self.reserve_window(store_id, &date, &zone.id).await {
                Ok(Written::Applied { value, .. }) => return Ok(Some(value)),
                // Offline: no slot can be held now; the stop is reported, not queued.
                Ok(Written::Queued { reason, .. }) => return Err(reason),
                // Sold out, started, beyond the horizon: try the next slot.
                Err(e) if e.code == ErrorCode::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// A new version with the created stops off their routes, waiting in the tray with their
    /// tracking code (fixed, so re-optimisation leaves them to DIAq). The version unchanged
    /// when none was created now.
    async fn mark_outsourced(
        &self,
        plan: &Plan,
        created: &[(&str, &str)],
    ) -> Result<u32, CommandError> {
        let _one = self.plan_edits.lock().await;
        let head = self.plan_head(&plan.plan_id)?;
        let fresh: Vec<&(&str, &str)> = created
            .iter()
            .filter(|(stop, _)| {
                !head
                    .unassigned
                    .iter()
                    .any(|u| u.stop_id == *stop && u.diaq_tracking_code.is_some())
            })
            .collect();
        if fresh.is_empty() {
            return Ok(head.version);
        }
        let built = self.build_problem(&head.request).await?;
        let mut next = head.clone();
        for (stop, code) in fresh {
            let taken: Option<UnassignedStop> = next
                .routes
                .iter()
                .flat_map(|r| &r.visits)
                .find(|v| v.stop_id == *stop && v.store_id.is_none())
                .map(|v| UnassignedStop {
                    stop_id: v.stop_id.clone(),
                    source: v.source.clone(),
                    lat: v.lat,
                    lng: v.lng,
                    parcels: v.parcels,
                    window: v.window,
                    cause: UnassignedCause::Manual,
                    closest_driver: None,
                    closest_driver_name: None,
                    closest_misses: Vec::new(),
                    fixed: true,
                    diaq_tracking_code: None,
                });
            for r in next.routes.iter_mut() {
                r.visits.retain(|v| v.stop_id != *stop);
            }
            if let Some(t) = taken {
                next.unassigned.push(t);
            }
            if let Some(u) = next.unassigned.iter_mut().find(|u| u.stop_id == *stop) {
                u.cause = UnassignedCause::Manual;
                u.diaq_tracking_code = Some((*code).to_owned());
                u.fixed = true;
            }
        }
        let mut undo = head.history.undo.clone();
        undo.push(head.version);
        next.history = PlanHistory {
            from_version: Some(head.version),
            made_by: "outsource".into(),
            edit: None,
            undo,
            redo: Vec::new(),
        };
        evaluate(&built, &mut next, Some(&head))?;
        self.keep_version(&mut next)?;
        Ok(next.version)
    }
}

/// A stop of the plan: its source, window and parcels (from its customer visit, or the tray).
type PlanStop<'a> = (&'a StopSource, Option<[f64; 2]>, u32);

fn stop_of<'a>(plan: &'a Plan, stop_id: &str) -> Option<PlanStop<'a>> {
    let visit = plan
        .routes
        .iter()
        .flat_map(|r| &r.visits)
        // The customer's visit: the store's has no window.
        .find(|v| v.stop_id == stop_id && v.store_id.is_none())
        .map(|v| (&v.source, v.window, v.parcels));
    visit.or_else(|| {
        plan.unassigned
            .iter()
            .find(|u| u.stop_id == stop_id)
            .map(|u| (&u.source, u.window, u.parcels))
    })
}

/// The create body for a file's stop (without `ready_by` and the window), or why it cannot
/// be handed over.
fn delivery_body(
    row: &BatchStop,
    store_id: &str,
    parcels: u32,
    reference: &str,
) -> Result<Value, CommandError> {
    let line = row.line;
    let need = |field: &str, value: &Option<String>, why: &str| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| bad(field, format!("line {line} has no {why}")))
    };
    if store_id.is_empty() {
        return Err(bad("store_id", "the plan names no store".into()));
    }
    let address = need("address", &row.address, "address")?;
    let zipcode = need(
        "postal_code",
        &row.postal_code,
        "postal code (DIAq needs one)",
    )?;
    let name = need("label", &row.label, "customer name (DIAq needs one)")?;
    let phone = need("phone", &row.phone, "phone (DIAq needs one)")?;
    let Some((prefecture, line_1)) = split_prefecture(&address) else {
        return Err(bad(
            "address",
            format!("line {line}: {address:?} does not start with a prefecture"),
        ));
    };
    let (last, first) = match name.split_once([' ', '　']) {
        Some((l, f)) => (l.trim().to_owned(), Some(f.trim().to_owned())),
        None => (name.clone(), None),
    };
    let boxes = parcels.clamp(1, MAX_BOXES);
    let packages: Vec<Value> = (1..=boxes)
        .map(|n| {
            json!({"service_brand": SERVICE_BRAND, "order_reference": reference,
                   "name": "荷物", "boxes": boxes, "number": n})
        })
        .collect();
    let mut customer = json!({
        "address_zipcode": zipcode, "address_prefecture": prefecture,
        "address_line_1": line_1, "last_name": last, "phone": phone,
    });
    if let Some(f) = first.filter(|f| !f.is_empty()) {
        customer["first_name"] = json!(f);
    }
    let mut body = json!({"store_id": store_id, "customer": customer, "packages": packages});
    if let Some(notes) = row.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        body["destination_comments"] = json!(notes.trim());
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefectures_are_split_by_their_one_rule() {
        let cases = [
            (
                "東京都港区六本木6-10-1",
                Some(("東京都", "港区六本木6-10-1")),
            ),
            (
                "北海道札幌市中央区北1条西2",
                Some(("北海道", "札幌市中央区北1条西2")),
            ),
            ("京都府京都市下京区", Some(("京都府", "京都市下京区"))),
            ("神奈川県横浜市西区", Some(("神奈川県", "横浜市西区"))),
            ("埼玉県川越市", Some(("埼玉県", "川越市"))),
            ("港区六本木6-10-1", None),
        ];
        for (address, want) in cases {
            assert_eq!(
                split_prefecture(address),
                want.map(|(p, r)| (p.to_owned(), r.to_owned())),
                "{address}"
            );
        }
    }

    #[test]
    fn a_stop_has_one_reference_per_plan() {
        let a = order_reference("plan-1", "line-2");
        assert_eq!(a, order_reference("plan-1", "line-2"));
        assert_ne!(a, order_reference("plan-1", "line-3"));
        assert_ne!(a, order_reference("plan-2", "line-2"));
        assert!(a.starts_with("HK") && a.len() == 22, "{a}");
    }

    #[test]
    fn a_stop_missing_what_diaq_needs_is_refused_by_field() {
        let row = BatchStop {
            line: 7,
            address: Some("東京都港区六本木6-10-1".into()),
            postal_code: Some("106-0032".into()),
            label: Some("佐藤 一郎".into()),
            phone: Some("090-1234-5678".into()),
            ..BatchStop::default()
        };
        let body = delivery_body(&row, "s", 12, "HKx").unwrap();
        assert_eq!(body["customer"]["last_name"], "佐藤");
        assert_eq!(body["customer"]["first_name"], "一郎");
        assert_eq!(
            body["packages"].as_array().unwrap().len(),
            10,
            "at most ten boxes"
        );
        for (field, change) in [
            (
                "address",
                (|r: &mut BatchStop| r.address = None) as fn(&mut BatchStop),
            ),
            ("postal_code", |r| r.postal_code = Some(" ".into())),
            ("label", |r| r.label = None),
            ("phone", |r| r.phone = None),
        ] {
            let mut bad = row.clone();
            change(&mut bad);
            let Err(error) = delivery_body(&bad, "s", 1, "HKx") else {
                panic!("{field} accepted");
            };
            assert_eq!(error.field.as_deref(), Some(field));
            assert!(error.message.contains("line 7"), "{}", error.message);
        }
        let mut bad = row.clone();
        bad.address = Some("港区六本木".into());
        let e = delivery_body(&bad, "s", 1, "HKx").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("address"));
    }
}
