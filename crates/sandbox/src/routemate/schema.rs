//! RouteMate's wire types: what the handlers serialise (so the OpenAPI schemas follow them),
//! and schema-only structs for the bodies read by hand. Field names are the document's where
//! it shows them (`access_token`, `job_id`, `optimization.total_distance_km`, `status_counts`,
//! …); the stop object and the job list are the sandbox's (docs/decisions.md).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `POST /v1/integration-token`
#[derive(ToSchema)]
#[schema(example = json!({"client_id": "rm_ci_your_client_id", "client_secret": "rm_cs_your_client_secret"}))]
pub struct TokenBody {
    #[schema(max_length = 255)]
    pub client_id: String,
    #[schema(max_length = 255)]
    pub client_secret: String,
}

/// The answer of `POST /v1/integration-token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// `rm_at_…`, opaque.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the token is valid: 3600.
    pub expires_in: i64,
}

/// The answer of `POST /sandbox/routemate/clients`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewClient {
    /// `rm_ci_…`
    pub client_id: String,
    /// `rm_cs_…`, shown only here.
    pub client_secret: String,
}

/// `POST /v1/integration-import`
#[derive(ToSchema)]
#[schema(example = json!({
    "external_job_id": "BATCH-001",
    "title": "Morning Deliveries",
    "driver_email": "tanaka.kenta@routemate.example",
    "stops": [{"external_stop_id": "STOP-1", "address": "東京都港区六本木6-10-1", "label": "Customer A", "parcel_count": 2}]
}))]
pub struct ImportBody {
    /// Your id for the job; importing it again with the same body returns the same job.
    #[schema(max_length = 100)]
    pub external_job_id: String,
    #[schema(max_length = 200)]
    pub title: String,
    /// A driver known to the sandbox (`--driver`, or the Tokyo seed's).
    #[schema(max_length = 254)]
    pub driver_email: String,
    #[schema(min_items = 1, max_items = 500)]
    pub stops: Vec<ImportStopBody>,
}

/// A stop as imported; `external_stop_id` unique within the job.
#[derive(ToSchema)]
pub struct ImportStopBody {
    #[schema(max_length = 100)]
    pub external_stop_id: String,
    /// A Japanese address; one the gazetteer cannot place is left out with a warning.
    #[schema(max_length = 200)]
    pub address: String,
    #[schema(max_length = 200)]
    pub label: Option<String>,
    #[schema(minimum = 1, maximum = 999)]
    pub parcel_count: i64,
}

/// The answer of `POST /v1/integration-import` (the document's four properties).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportResponse {
    pub job_id: String,
    pub optimization: Optimization,
    /// In the optimised driving order.
    pub stops: Vec<JobStop>,
    /// Stops left out of the job, with the reason.
    pub warnings: Vec<ImportWarning>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Optimization {
    /// Road kilometres from the driver's start through every stop, one decimal.
    pub total_distance_km: f64,
    /// Driving plus service time at each stop, whole minutes.
    pub total_duration_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportWarning {
    pub external_stop_id: String,
    /// `address: …` — why the stop could not be placed.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopStatus {
    Pending,
    EnRoute,
    Completed,
    Failed,
}

impl StopStatus {
    pub const ALL: [StopStatus; 4] = [
        StopStatus::Pending,
        StopStatus::EnRoute,
        StopStatus::Completed,
        StopStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StopStatus::Pending => "pending",
            StopStatus::EnRoute => "en_route",
            StopStatus::Completed => "completed",
            StopStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<StopStatus> {
        StopStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Completed or failed: nothing more happens to the stop.
    pub fn is_final(self) -> bool {
        matches!(self, StopStatus::Completed | StopStatus::Failed)
    }
}

/// A stop of a job.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobStop {
    /// 1-based position in the driving order.
    pub sequence: i64,
    pub external_stop_id: String,
    pub label: Option<String>,
    pub address: String,
    pub parcel_count: i64,
    /// Where the gazetteer placed the address.
    pub latitude: f64,
    pub longitude: f64,
    /// Road kilometres from the previous stop (from the driver's start for the first).
    pub leg_distance_km: f64,
    /// Planned minutes from departure to arrival here.
    pub arrival_minutes: i64,
    pub status: StopStatus,
    /// Why the stop failed; null otherwise.
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Some stop is still pending or en route.
    Assigned,
    /// Every stop is completed or failed.
    Completed,
}

/// Stops per status; a status no stop has is left out, as in the document's example.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct StatusCounts {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub pending: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub en_route: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub completed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub failed: Option<i64>,
}

/// A job and its stops (`GET /v1/integration-jobs?job_id=…`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Job {
    pub job_id: String,
    pub external_job_id: String,
    pub title: String,
    pub driver_email: String,
    pub status: JobStatus,
    pub stop_count: i64,
    pub status_counts: StatusCounts,
    /// In driving order.
    pub stops: Vec<JobStop>,
    /// When it was imported (`+09:00`).
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A page of jobs, oldest first (`GET /v1/integration-jobs` without an id).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobList {
    pub jobs: Vec<Job>,
    pub page: u32,
    pub per_page: u32,
    pub total_count: i64,
}

/// One job when an id is given, else a page of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum JobsAnswer {
    Job(Job),
    List(JobList),
}

/// `GET /v1/integration-jobs`: by `job_id` or `external_job_id` (not both), or a page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// The `job_id` the import answered.
    pub job_id: Option<String>,
    /// Your id from the import.
    pub external_job_id: Option<String>,
    /// 1-based page of the list (default 1).
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Jobs per page, 1–100 (default 25).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// `POST /sandbox/routemate/jobs/{job_id}/fail`
#[derive(ToSchema)]
pub struct FailBody {
    /// Shown as the stop's `failure_reason` (default 「不在」).
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}
