//! `POST /v1/integration-import`: a job with its stops → geocoded, optimised and assigned to
//! the driver. Field names are the document's; the stop and warning objects of the answer
//! are left open by the document and follow the sandbox's (docs/decisions.md).

use serde::{Deserialize, Serialize};

use crate::jobs::JobStop;

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
