//! `GET /v1/time_zones`

use axum::Json;
use hakobu_diaq::{TimeZone, time_zones};

pub async fn list() -> Json<Vec<TimeZone>> {
    Json(time_zones())
}
