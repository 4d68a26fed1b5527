//! The `POST /v1/integration-import` body, read by hand so that the first broken rule is named
//! the way the rest of the sandbox names them: `{"error": "<field>: <rule>"}`, with paths like
//! `stops[2].address`. The document shows the fields but no table of rules; the rules are
//! hakobu-routemate's (`rules.rs`), shared with the client and the app's batch import. Only
//! the JSON types (a string, an array, an object) are read here.

use std::collections::HashMap;

use hakobu_routemate::rules::{self, TextField};
use serde::Serialize;
use serde_json::Value;

use crate::error::AppError;

/// A validated import. Its serde form (fixed field order, unknown properties dropped) is what
/// "the same body" means for a repeated `external_job_id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ImportRequest {
    pub external_job_id: String,
    pub title: String,
    pub driver_email: String,
    pub stops: Vec<StopInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct StopInput {
    pub external_stop_id: String,
    pub address: String,
    pub label: Option<String>,
    /// Kept as the solver's demand type; the rule ([`rules::parcel_count`]) bounds it.
    pub parcel_count: i64,
}

fn bad(field: &str, rule: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("{field}: {rule}"))
}

/// A string property: `null` or absent is "not sent"; the rule is `kind`'s.
fn string(value: &Value, field: &str, kind: TextField) -> Result<Option<String>, AppError> {
    let text = match value {
        Value::Null => None,
        Value::String(s) => Some(s.as_str()),
        _ => return Err(bad(field, "must be a string")),
    };
    rules::text(kind, text).map_err(|b| bad(field, b))?;
    Ok(text.map(str::to_owned))
}

fn required(value: &Value, field: &str, kind: TextField) -> Result<String, AppError> {
    string(value, field, kind).map(Option::unwrap_or_default)
}

impl ImportRequest {
    /// The first broken rule in the document's field order, stop by stop.
    pub(crate) fn from_json(body: &Value) -> Result<ImportRequest, AppError> {
        if !body.is_object() {
            return Err(bad("body", "must be a JSON object"));
        }
        let external_job_id = required(
            &body["external_job_id"],
            "external_job_id",
            TextField::ExternalJobId,
        )?;
        let title = required(&body["title"], "title", TextField::Title)?;
        let driver_email = required(
            &body["driver_email"],
            "driver_email",
            TextField::DriverEmail,
        )?;
        rules::driver_email(&driver_email).map_err(|b| bad("driver_email", b))?;
        let stops = match &body["stops"] {
            Value::Null => return Err(bad("stops", "is required")),
            Value::Array(a) => a,
            _ => return Err(bad("stops", "must be an array")),
        };
        rules::stop_count(stops.len()).map_err(|b| bad("stops", b))?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut parsed = Vec::with_capacity(stops.len());
        for (i, stop) in stops.iter().enumerate() {
            let at = |name: &str| format!("stops[{i}].{name}");
            if !stop.is_object() {
                return Err(bad(&format!("stops[{i}]"), "must be a JSON object"));
            }
            let external_stop_id = required(
                &stop["external_stop_id"],
                &at("external_stop_id"),
                TextField::ExternalStopId,
            )?;
            let key = stop["external_stop_id"].as_str().unwrap_or_default();
            if let Some(first) = seen.insert(key, i) {
                return Err(bad(
                    &at("external_stop_id"),
                    rules::duplicate_stop_id(first),
                ));
            }
            let address = required(&stop["address"], &at("address"), TextField::Address)?;
            let label = string(&stop["label"], &at("label"), TextField::Label)?;
            let parcel_count = match &stop["parcel_count"] {
                Value::Null => return Err(bad(&at("parcel_count"), "is required")),
                v => rules::parcel_count(v.as_i64()).map_err(|b| bad(&at("parcel_count"), b))?,
            };
            parsed.push(StopInput {
                external_stop_id,
                address,
                label,
                parcel_count: i64::from(parcel_count),
            });
        }
        Ok(ImportRequest {
            external_job_id,
            title,
            driver_email,
            stops: parsed,
        })
    }

    /// SHA-256 of the serde form: equal for bodies that differ only in key order, spacing or
    /// properties the sandbox ignores.
    pub(crate) fn fingerprint(&self) -> String {
        super::sha256_hex(serde_json::to_string(self).unwrap_or_default().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakobu_routemate::rules::MAX_STOPS;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "external_job_id": "BATCH-001",
            "title": "Morning Deliveries",
            "driver_email": "driver@example.com",
            "stops": [
                {"external_stop_id": "STOP-1", "address": "港区六本木6-10-1", "label": "A", "parcel_count": 2},
                {"external_stop_id": "STOP-2", "address": "港区南麻布4-5-48", "parcel_count": 1}
            ]
        })
    }

    fn error(body: &Value) -> String {
        match ImportRequest::from_json(body) {
            Err(AppError::BadRequest(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_a_valid_body() {
        let r = ImportRequest::from_json(&valid()).unwrap();
        assert_eq!(r.stops.len(), 2);
        assert_eq!(r.stops[0].label.as_deref(), Some("A"));
        assert_eq!(r.stops[1].label, None);
    }

    #[test]
    fn the_fingerprint_ignores_order_spacing_and_unknown_properties() {
        let a = ImportRequest::from_json(&valid()).unwrap();
        let text = r#"{"stops":[{"parcel_count":2,"label":"A","address":"港区六本木6-10-1","external_stop_id":"STOP-1","x":1},
            {"external_stop_id":"STOP-2","address":"港区南麻布4-5-48","parcel_count":1,"label":null}],
            "driver_email":"driver@example.com","title":"Morning Deliveries","external_job_id":"BATCH-001"}"#;
        let b = ImportRequest::from_json(&serde_json::from_str(text).unwrap()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let mut other = valid();
        other["stops"][1]["parcel_count"] = json!(3);
        let c = ImportRequest::from_json(&other).unwrap();
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn names_the_first_broken_rule() {
        assert_eq!(error(&json!([])), "body: must be a JSON object");
        type Change = fn(&mut Value);
        let cases: Vec<(Change, &str)> = vec![
            (
                |b| b["title"] = json!("x".repeat(201)),
                "title: must be at most 200 characters",
            ),
            (
                |b| b["external_job_id"] = json!(7),
                "external_job_id: must be a string",
            ),
            (|b| b["stops"] = json!({}), "stops: must be an array"),
            (
                |b| b["stops"] = json!(vec![json!(1); MAX_STOPS + 1]),
                "stops: must have at most 500 stops",
            ),
            (
                |b| b["stops"][1] = json!("x"),
                "stops[1]: must be a JSON object",
            ),
            (
                |b| b["stops"][1]["label"] = json!(5),
                "stops[1].label: must be a string",
            ),
            (
                |b| b["stops"][0]["parcel_count"] = json!(1000),
                "stops[0].parcel_count: must be an integer from 1 to 999",
            ),
            (
                |b| b["stops"][0]["parcel_count"] = json!(1.5),
                "stops[0].parcel_count: must be an integer from 1 to 999",
            ),
            (
                |b| b["stops"][0]["parcel_count"] = json!("2"),
                "stops[0].parcel_count: must be an integer from 1 to 999",
            ),
        ];
        for (change, expected) in cases {
            let mut body = valid();
            change(&mut body);
            assert_eq!(error(&body), expected);
        }
    }
}
