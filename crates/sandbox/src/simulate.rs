//! Sandbox-only routes standing in for the drivers' app (the document's "管理画面でステータスを
//! 進める"): advance a job to its next status, or raise an exception that cancels or returns it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use hakobu_diaq::order::names;
use hakobu_diaq::{Exception, Purpose, Status};
use serde_json::{Value, json};

use crate::Sandbox;
use crate::error::AppError;
use crate::orders::{cancel, load, parse_json, save, status_of};

/// Demo drivers: (name, phone, vehicle type).
const DRIVERS: [(&str, &str, &str); 4] = [
    ("吉井 次郎", "090-0000-1111", "バイク125cc超"),
    ("佐藤 花子", "080-2222-3333", "軽四輪"),
    ("鈴木 一郎", "070-4444-5555", "原付"),
    ("高橋 美咲", "090-6666-7777", "自転車"),
];

fn purpose_of(kind: &str) -> Result<Purpose, AppError> {
    match kind {
        "deliveries" => Ok(Purpose::Delivery),
        "fetches" => Ok(Purpose::Fetch),
        _ => Err(AppError::NotFound("path: not found".into())),
    }
}

/// `POST /sandbox/{deliveries|fetches}/{id}/advance`
pub async fn advance(
    State(sb): State<Sandbox>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    let purpose = purpose_of(&kind)?;
    let now = sb.now();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let mut object = load(&tx, purpose, &id)?;
        let from = status_of(&object);
        let to = from
            .advanced()
            .ok_or_else(|| AppError::BadRequest(format!("status: {} is final", from.as_str())))?;
        object["status"] = json!(to);
        if to == Status::Assigned {
            let pick = object["tracking_code"]
                .as_str()
                .and_then(|c| c.bytes().last())
                .map_or(0, |b| usize::from(b) % DRIVERS.len());
            let (name, _, _) = DRIVERS[pick];
            object["driver"] = json!({ "name": name });
        }
        if to.driver_details_visible()
            && let Some(name) = object["driver"]["name"].as_str().map(str::to_owned)
            && let Some((_, phone, vehicle)) = DRIVERS.iter().find(|(n, _, _)| *n == name)
        {
            object["driver"]["phone"] = json!(phone);
            object["driver"]["vehicle_type"] = json!(vehicle);
        }
        if to == Status::Delivered {
            object["delivered_at"] = json!(hakobu_diaq::time::format(now));
        }
        object["update"] = json!(hakobu_diaq::time::format_millis(now));
        save(&tx, &object, now)?;
        tx.commit()?;
        Ok(Json(object))
    })
}

/// `POST /sandbox/{deliveries|fetches}/{id}/exception` with `{"code": 1..8, "comment": "…"}`.
pub async fn exception(
    State(sb): State<Sandbox>,
    Path((kind, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let purpose = purpose_of(&kind)?;
    let body = parse_json(&body)?;
    let code = body["code"]
        .as_u64()
        .and_then(|c| u8::try_from(c).ok())
        .ok_or_else(|| {
            AppError::BadRequest("code: must be an exception code from 1 to 8".into())
        })?;
    let comment = body["comment"].as_str().unwrap_or_default();
    let e = Exception::from_code(code, comment).ok_or_else(|| {
        AppError::BadRequest("code: must be an exception code from 1 to 8".into())
    })?;
    let _ = names(purpose);
    cancel(&sb, purpose, &id, Some(e)).map(Json)
}
