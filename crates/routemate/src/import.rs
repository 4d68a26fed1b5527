//! `POST /v1/integration-import`: a job with its stops → geocoded, optimised and assigned to
//! the driver. Field names are the document's; the stop and warning objects of the answer
//! are left open by the document and follow the sandbox's (docs/decisions.md).

use serde::{Deserialize, Serialize};

use crate::jobs::JobStop;
use crate::rules::{self, RuleError, TextField};

/// The import body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    /// Your id for the job: the same id with the same body is the same job.
    pub external_job_id: String,
    pub title: String,
    /// A driver RouteMate knows.
    pub driver_email: String,
    pub stops: Vec<ImportStop>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStop {
    /// Unique within the job.
    pub external_stop_id: String,
    pub address: String,
    /// What the driver sees for the stop (customer name …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub parcel_count: u32,
}

impl ImportRequest {
    /// The first broken rule (of [`crate::rules`]) in the document's field order, stop by
    /// stop — what the sandbox would answer with a 400, found before sending.
    pub fn check(&self) -> Result<(), RuleError> {
        let top = [
            (TextField::ExternalJobId, &self.external_job_id),
            (TextField::Title, &self.title),
            (TextField::DriverEmail, &self.driver_email),
        ];
        for (field, value) in top {
            rules::text(field, Some(value)).map_err(|b| b.at(field.name()))?;
        }
        rules::driver_email(&self.driver_email).map_err(|b| b.at("driver_email"))?;
        rules::stop_count(self.stops.len()).map_err(|b| b.at("stops"))?;
        let mut seen = std::collections::HashMap::new();
        for (i, stop) in self.stops.iter().enumerate() {
            let at = |name: &str| format!("stops[{i}].{name}");
            rules::text(TextField::ExternalStopId, Some(&stop.external_stop_id))
                .map_err(|b| b.at(at("external_stop_id")))?;
            if let Some(first) = seen.insert(stop.external_stop_id.as_str(), i) {
                return Err(rules::duplicate_stop_id(first).at(at("external_stop_id")));
            }
            rules::text(TextField::Address, Some(&stop.address))
                .map_err(|b| b.at(at("address")))?;
            rules::text(TextField::Label, stop.label.as_deref()).map_err(|b| b.at(at("label")))?;
            rules::parcel_count(Some(i64::from(stop.parcel_count)))
                .map_err(|b| b.at(at("parcel_count")))?;
        }
        Ok(())
    }
}

/// The import answer: the document's four properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportResponse {
    pub job_id: String,
    pub optimization: Optimization,
    /// The stops placed, in the optimised driving order.
    pub stops: Vec<JobStop>,
    /// Stops left out (an address that could not be placed), with the reason.
    #[serde(default)]
    pub warnings: Vec<ImportWarning>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Optimization {
    pub total_distance_km: f64,
    /// Whole minutes in the document's example; read as a number in case a server sends a
    /// fraction.
    pub total_duration_minutes: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportWarning {
    pub external_stop_id: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_example_round_trips() {
        let text = r#"{
          "external_job_id": "BATCH-001",
          "title": "Morning Deliveries",
          "driver_email": "driver@example.com",
          "stops": [{"external_stop_id": "STOP-1", "address": "1 George St, Brisbane QLD 4000",
                     "label": "Customer A", "parcel_count": 2}]
        }"#;
        let r: ImportRequest = serde_json::from_str(text).unwrap();
        assert_eq!(r.stops[0].label.as_deref(), Some("Customer A"));
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        let answer: ImportResponse = serde_json::from_str(
            r#"{"job_id": "e7ad097b", "optimization": {"total_distance_km": 12.4,
                "total_duration_minutes": 25}, "stops": [], "warnings": []}"#,
        )
        .unwrap();
        assert_eq!(answer.optimization.total_duration_minutes, 25.0);
    }

    #[test]
    fn check_names_the_first_broken_rule_as_the_sandbox_does() {
        let stop = |id: &str, parcels: u32| ImportStop {
            external_stop_id: id.into(),
            address: "東京都港区六本木6-10-1".into(),
            label: None,
            parcel_count: parcels,
        };
        let ok = ImportRequest {
            external_job_id: "J-1".into(),
            title: "朝便".into(),
            driver_email: "driver@example.com".into(),
            stops: vec![stop("S-1", 1), stop("S-2", 999)],
        };
        assert_eq!(ok.check(), Ok(()));
        type Change = fn(&mut ImportRequest);
        let cases: Vec<(Change, &str)> = vec![
            (|r| r.title = " ".into(), "title: is required"),
            (
                |r| r.driver_email = "driver".into(),
                "driver_email: must be an email address (local@domain)",
            ),
            (|r| r.stops.clear(), "stops: must not be empty"),
            (
                |r| r.stops = vec![r.stops[0].clone(); 501],
                "stops: must have at most 500 stops",
            ),
            (
                |r| r.stops[1].external_stop_id = "S-1".into(),
                "stops[1].external_stop_id: must be unique (stops[0] has it too)",
            ),
            (
                |r| r.stops[1].label = Some("x".repeat(201)),
                "stops[1].label: must be at most 200 characters",
            ),
            (
                |r| r.stops[0].parcel_count = 1000,
                "stops[0].parcel_count: must be an integer from 1 to 999",
            ),
            (
                |r| r.stops[1].parcel_count = 0,
                "stops[1].parcel_count: must be an integer from 1 to 999",
            ),
        ];
        for (change, expected) in cases {
            let mut r = ok.clone();
            change(&mut r);
            assert_eq!(r.check().unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn a_stop_without_a_label_sends_none() {
        let s = ImportStop {
            external_stop_id: "1".into(),
            address: "東京都港区六本木6-10-1".into(),
            label: None,
            parcel_count: 1,
        };
        assert!(serde_json::to_value(&s).unwrap().get("label").is_none());
    }
}
