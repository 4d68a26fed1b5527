//! A planned route as the planning view hands it over (from the solver's output), and the
//! RouteMate import it becomes. The import's `external_job_id` — and so its
//! `Idempotency-Key` — is derived from exactly what is sent plus the day, so sending the same
//! plan again, from this app or after a crash or reinstall, names the same job and cannot
//! make a second one; a changed plan is a new job (RouteMate has no update).

use chrono::NaiveDate;
use hakobu_routemate::{ImportRequest, ImportStop};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One driver's stops for one day, in the planned order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRoute {
    /// The driver's RouteMate login.
    pub driver_email: String,
    /// The day the route is driven.
    pub date: NaiveDate,
    /// What the driver's app shows for the job, e.g. 「11/24 午前便」.
    pub title: String,
    pub stops: Vec<PlannedStop>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStop {
    pub address: String,
    /// The customer's name.
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub parcel_count: u32,
    /// For the driver: 置き配可, building entrance, …
    #[serde(default)]
    pub notes: Option<String>,
}

/// RouteMate's `label` limit (the sandbox's, the document states none).
pub const LABEL_MAX_CHARS: usize = 200;
/// Bumped if the derivation below ever changes, so old and new ids cannot collide.
const DERIVATION: &str = "hakobu-routemate-plan/1";

/// The one text a stop carries to the driver besides the address: the document's stop has
/// no phone or notes, so they go into `label` (name / phone / notes), cut to
/// [`LABEL_MAX_CHARS`]. The cache keeps the plan with every field apart.
fn label(stop: &PlannedStop) -> Option<String> {
    let parts: Vec<&str> = [
        Some(stop.name.as_str()),
        stop.phone.as_deref(),
        stop.notes.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect();
    if parts.is_empty() {
        return None;
    }
    let full = parts.join(" / ");
    if full.chars().count() <= LABEL_MAX_CHARS {
        return Some(full);
    }
    let mut cut: String = full.chars().take(LABEL_MAX_CHARS - 1).collect();
    cut.push('…');
    Some(cut)
}

impl PlannedRoute {
    /// The import for this plan, its `external_job_id` derived from the rest of it.
    pub fn to_import(&self) -> ImportRequest {
        let stops: Vec<ImportStop> = self
            .stops
            .iter()
            .zip(1..)
            .map(|(s, n): (&PlannedStop, u32)| ImportStop {
                // Position in the plan: unique in the job, and stable for the same plan.
                external_stop_id: format!("stop-{n}"),
                address: s.address.trim().to_owned(),
                label: label(s),
                parcel_count: s.parcel_count,
            })
            .collect();
        let mut request = ImportRequest {
            external_job_id: String::new(),
            title: self.title.trim().to_owned(),
            // RouteMate matches emails case-insensitively; one spelling keeps one id.
            driver_email: self.driver_email.trim().to_lowercase(),
            stops,
        };
        request.external_job_id = external_job_id(self.date, &request);
        request
    }
}

/// `hakobu-` + SHA-256 (hex) of the day and every property sent, as a JSON array (arrays
/// have no key order to disagree on; strings are escaped, so no two plans share a text).
fn external_job_id(date: NaiveDate, request: &ImportRequest) -> String {
    let stops: Vec<serde_json::Value> = request
        .stops
        .iter()
        .map(|s| serde_json::json!([s.external_stop_id, s.address, s.label, s.parcel_count]))
        .collect();
    let canonical = serde_json::json!([
        DERIVATION,
        date.format("%Y-%m-%d").to_string(),
        request.driver_email,
        request.title,
        stops
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("hakobu-{hex}")
}

/// The `Idempotency-Key` of a send: the job's id, with the number of earlier refused sends
/// after it — a server replays a refusal to the same key, and the cause (an unknown driver)
/// may have been fixed on RouteMate's side since.
pub(crate) fn idempotency_key(external_job_id: &str, revision: u32) -> String {
    if revision == 0 {
        external_job_id.to_owned()
    } else {
        format!("{external_job_id}.r{revision}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> PlannedRoute {
        PlannedRoute {
            driver_email: " Tanaka.Kenta@routemate.example ".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            title: "11/24 午前便".into(),
            stops: vec![
                PlannedStop {
                    address: "東京都港区六本木6-10-1".into(),
                    name: "佐藤 一郎".into(),
                    phone: Some("090-1234-5678".into()),
                    parcel_count: 2,
                    notes: Some("置き配可".into()),
                },
                PlannedStop {
                    address: "東京都中央区銀座4-6-16".into(),
                    name: "鈴木 花子".into(),
                    phone: None,
                    parcel_count: 1,
                    notes: Some("  ".into()),
                },
            ],
        }
    }

    #[test]
    fn the_import_carries_the_plan_in_order() {
        let r = plan().to_import();
        assert_eq!(r.driver_email, "tanaka.kenta@routemate.example");
        assert_eq!(r.stops[0].external_stop_id, "stop-1");
        assert_eq!(
            r.stops[0].label.as_deref(),
            Some("佐藤 一郎 / 090-1234-5678 / 置き配可")
        );
        assert_eq!(r.stops[1].label.as_deref(), Some("鈴木 花子"));
        assert_eq!(r.stops[1].parcel_count, 1);
        assert!(r.external_job_id.starts_with("hakobu-") && r.external_job_id.len() == 71);
    }

    #[test]
    fn the_id_is_the_same_for_the_same_plan_and_differs_for_any_change() {
        let id = plan().to_import().external_job_id;
        let mut same = plan();
        same.driver_email = "tanaka.kenta@routemate.example".into();
        same.title = " 11/24 午前便".into();
        assert_eq!(same.to_import().external_job_id, id, "spelling only");

        let changes: [fn(&mut PlannedRoute); 6] = [
            |p| p.date = p.date.succ_opt().unwrap(),
            |p| p.driver_email = "ito.sakura@routemate.example".into(),
            |p| p.title = "午後便".into(),
            |p| p.stops.swap(0, 1),
            |p| p.stops[1].parcel_count = 3,
            |p| p.stops[0].phone = None,
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut p = plan();
            change(&mut p);
            assert_ne!(p.to_import().external_job_id, id, "change {i}");
        }
    }

    #[test]
    fn a_long_label_is_cut_and_an_empty_one_left_out() {
        let mut p = plan();
        p.stops[0].notes = Some("あ".repeat(300));
        let label = p.to_import().stops[0].label.clone().unwrap();
        assert_eq!(label.chars().count(), LABEL_MAX_CHARS);
        assert!(label.ends_with('…'));
        p.stops[0].name = " ".into();
        p.stops[0].phone = None;
        p.stops[0].notes = None;
        assert_eq!(p.to_import().stops[0].label, None);
    }

    #[test]
    fn a_refused_send_moves_to_a_new_key() {
        assert_eq!(idempotency_key("hakobu-x", 0), "hakobu-x");
        assert_eq!(idempotency_key("hakobu-x", 2), "hakobu-x.r2");
    }
}
