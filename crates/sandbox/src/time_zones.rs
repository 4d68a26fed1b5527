//! `GET /v1/time_zones`

use axum::Json;
use hakobu_diaq::{TimeZone, time_zones};

#[utoipa::path(
    get,
    path = "/v1/time_zones",
    tag = "time_zones",
    responses((status = 200, description = "The 19 time zones: anytime, then 6時〜0時", body = Vec<TimeZone>))
)]
pub async fn list() -> Json<Vec<TimeZone>> {
    Json(time_zones())
}
