//! `GET /v1/integration-jobs`: a job and its stops' progress, by `job_id` or
//! `external_job_id`, or a page of jobs. The document shows `job_id`, `status`, `stop_count`,
//! `status_counts` and `stops`; the rest is the sandbox's (docs/decisions.md) and optional
//! here. Statuses the client does not know are kept as text rather than refused: a new
//! status on the server must not break reading a job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A job's state: `assigned` (the document's example) until every stop is done.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum JobStatus {
    Assigned,
    Completed,
    Other(String),
}

impl JobStatus {
    pub fn as_str(&self) -> &str {
        match self {
            JobStatus::Assigned => "assigned",
            JobStatus::Completed => "completed",
            JobStatus::Other(s) => s,
        }
    }

    /// Nothing more will happen to the job: no need to ask again.
    pub fn is_final(&self) -> bool {
        matches!(self, JobStatus::Completed)
    }
}

impl From<String> for JobStatus {
    fn from(s: String) -> Self {
        match s.as_str() {
            "assigned" => JobStatus::Assigned,
            "completed" => JobStatus::Completed,
            _ => JobStatus::Other(s),
        }
    }
}

impl From<JobStatus> for String {
    fn from(s: JobStatus) -> Self {
        s.as_str().to_owned()
    }
}

/// A stop's state: `pending → en_route → completed | failed`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum StopStatus {
    Pending,
    EnRoute,
    Completed,
    Failed,
    Other(String),
}

impl StopStatus {
    pub fn as_str(&self) -> &str {
        match self {
            StopStatus::Pending => "pending",
            StopStatus::EnRoute => "en_route",
            StopStatus::Completed => "completed",
            StopStatus::Failed => "failed",
            StopStatus::Other(s) => s,
        }
    }
}

impl From<String> for StopStatus {
    fn from(s: String) -> Self {
        match s.as_str() {
            "pending" => StopStatus::Pending,
            "en_route" => StopStatus::EnRoute,
            "completed" => StopStatus::Completed,
            "failed" => StopStatus::Failed,
            _ => StopStatus::Other(s),
        }
    }
}

impl From<StopStatus> for String {
    fn from(s: StopStatus) -> Self {
        s.as_str().to_owned()
    }
}

/// A stop of a job (in an import answer or a job). Only `external_stop_id` is certain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobStop {
    pub external_stop_id: String,
    /// 1-based driving order.
    #[serde(default)]
    pub sequence: Option<u32>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub parcel_count: Option<u32>,
    /// Where the address was placed.
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Kilometres from the previous point.
    #[serde(default)]
    pub leg_distance_km: Option<f64>,
    /// Planned minutes from departure to arrival.
    #[serde(default)]
    pub arrival_minutes: Option<f64>,
    #[serde(default)]
    pub status: Option<StopStatus>,
    #[serde(default)]
    pub failure_reason: Option<String>,
}

/// A job and its stops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub job_id: String,
    pub status: JobStatus,
    pub stop_count: u32,
    /// Stops per status; statuses no stop has may be left out (the document's example).
    pub status_counts: BTreeMap<String, u32>,
    #[serde(default)]
    pub stops: Vec<JobStop>,
    #[serde(default)]
    pub external_job_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub driver_email: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

impl Job {
    /// Stops with this status (0 when the server left it out of `status_counts`).
    pub fn count(&self, status: &StopStatus) -> u32 {
        self.status_counts
            .get(status.as_str())
            .copied()
            .unwrap_or(0)
    }
}

/// A page of jobs, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub jobs: Vec<Job>,
    pub page: u32,
    pub per_page: u32,
    pub total_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_job_reads_and_counts_default_to_zero() {
        let job: Job = serde_json::from_str(
            r#"{"job_id": "e7ad097b-", "status": "assigned", "stop_count": 3,
                "status_counts": {"pending": 2, "completed": 1}, "stops": []}"#,
        )
        .unwrap();
        assert_eq!(job.status, JobStatus::Assigned);
        assert!(!job.status.is_final());
        assert_eq!(job.count(&StopStatus::Pending), 2);
        assert_eq!(job.count(&StopStatus::EnRoute), 0);
    }

    #[test]
    fn unknown_statuses_are_kept_as_text() {
        let s: StopStatus = serde_json::from_str(r#""skipped""#).unwrap();
        assert_eq!(s, StopStatus::Other("skipped".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""skipped""#);
        let s: StopStatus = serde_json::from_str(r#""en_route""#).unwrap();
        assert_eq!(s, StopStatus::EnRoute);
        let j: JobStatus = serde_json::from_str(r#""cancelled""#).unwrap();
        assert!(!j.is_final());
        assert_eq!(j.as_str(), "cancelled");
        assert!(JobStatus::from("completed".to_owned()).is_final());
    }
}
