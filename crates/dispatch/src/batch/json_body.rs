//! The RouteMate import body (`POST /v1/integration-import`, shared/seeds/routemate-api.txt) →
//! rows. The job's properties are kept for the report; each of `stops` is a row, reported at
//! the line its object starts on. Beside the document's stop properties (`external_stop_id`,
//! `address`, `label`, `parcel_count`) the names of the CSV columns that RouteMate lacks are
//! read too (`postal_code`, `phone`, `notes`, `time_window`); RouteMate ignores unknown
//! properties, so such a body is still a valid import. Other properties are reported, not used.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::batch::columns::Column;
use crate::batch::import::{BatchError, MAX_ROWS};
use crate::batch::source::{Cells, FieldIssue, IssueRule, LineCursor, SourceRow};

/// The job a RouteMate body describes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct BatchJob {
    pub external_job_id: Option<String>,
    pub title: Option<String>,
    pub driver_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonRead {
    pub job: BatchJob,
    pub notices: Vec<String>,
    pub rows: Vec<SourceRow>,
}

const JOB_PROPERTIES: [&str; 4] = ["external_job_id", "title", "driver_email", "stops"];
const STOP_STRINGS: [Column; 6] = [
    Column::ExternalStopId,
    Column::Address,
    Column::Label,
    Column::PostalCode,
    Column::Phone,
    Column::Notes,
];

/// The stops borrowed from the text, so each one's place in it is known.
#[derive(Deserialize)]
struct Placed<'a> {
    #[serde(borrow)]
    stops: Vec<&'a RawValue>,
}

/// A string property: `null`, absent or blank is "not sent", as RouteMate reads it.
fn string(stop: &Map<String, Value>, name: &str, errors: &mut Vec<FieldIssue>) -> Option<String> {
    match stop.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.push(FieldIssue::new(name, IssueRule::NotAString));
            None
        }
    }
}

fn stop_row(stop: &Value, index: usize, line: usize, unknown: &mut BTreeSet<String>) -> SourceRow {
    let mut errors = Vec::new();
    let Value::Object(stop) = stop else {
        errors.push(FieldIssue::new(
            &format!("stops[{index}]"),
            IssueRule::NotAnObject,
        ));
        return SourceRow {
            line,
            cells: Cells::default(),
            errors,
        };
    };
    for key in stop.keys() {
        let known = STOP_STRINGS.iter().any(|c| c.name() == key)
            || key == Column::ParcelCount.name()
            || key == Column::TimeWindow.name();
        if !known {
            unknown.insert(key.clone());
        }
    }
    let parcel_count = match stop.get(Column::ParcelCount.name()) {
        None | Some(Value::Null) => None,
        // The number's own text: the checks read 2 as 2, and 2.5 or 1e3 as not an integer.
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            // Not a JSON number, whatever it says: RouteMate reads `"2"` as no integer.
            errors.push(FieldIssue::new(
                "parcel_count",
                IssueRule::ParcelCount {
                    max: hakobu_routemate::rules::MAX_PARCELS,
                    got: None,
                },
            ));
            None
        }
    };
    let mut s = |column: Column| string(stop, column.name(), &mut errors);
    let cells = Cells {
        external_stop_id: s(Column::ExternalStopId),
        address: s(Column::Address),
        label: s(Column::Label),
        postal_code: s(Column::PostalCode),
        phone: s(Column::Phone),
        notes: s(Column::Notes),
        time_window: s(Column::TimeWindow),
        parcel_count,
    };
    SourceRow {
        line,
        cells,
        errors,
    }
}

fn job_string(body: &Map<String, Value>, name: &str, notices: &mut Vec<String>) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            notices.push(format!("{name}: must be a string; ignored"));
            None
        }
    }
}

pub(crate) fn read_json(text: &str) -> Result<JsonRead, BatchError> {
    if text.trim().is_empty() {
        return Err(BatchError::Empty);
    }
    let body: Value = serde_json::from_str(text).map_err(|e| BatchError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Value::Object(body) = body else {
        return Err(BatchError::NotABody);
    };
    let stops = match body.get("stops") {
        None | Some(Value::Null) => {
            return Err(BatchError::NoStops);
        }
        Some(Value::Array(a)) if a.is_empty() => return Err(BatchError::NoRows),
        Some(Value::Array(a)) if a.len() > MAX_ROWS => {
            return Err(BatchError::TooManyRows { max: MAX_ROWS });
        }
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(BatchError::StopsNotArray);
        }
    };
    // The body parsed, so its stops parse again as raw slices of the same text.
    let starts: Vec<usize> = serde_json::from_str::<Placed>(text)
        .map(|p| {
            let mut lines = LineCursor::new(text);
            p.stops
                .iter()
                .map(|raw| lines.line_at(raw.get().as_ptr() as usize - text.as_ptr() as usize))
                .collect()
        })
        .unwrap_or_default();

    let mut notices = Vec::new();
    let job = BatchJob {
        external_job_id: job_string(&body, "external_job_id", &mut notices),
        title: job_string(&body, "title", &mut notices),
        driver_email: job_string(&body, "driver_email", &mut notices),
    };
    for key in body
        .keys()
        .filter(|k| !JOB_PROPERTIES.contains(&k.as_str()))
    {
        notices.push(format!("{key}: not a RouteMate import property; ignored"));
    }
    let mut unknown = BTreeSet::new();
    let rows = stops
        .iter()
        .enumerate()
        .map(|(i, stop)| stop_row(stop, i, starts.get(i).copied().unwrap_or(0), &mut unknown))
        .collect();
    for key in unknown {
        notices.push(format!("stops[].{key}: not a stop property; ignored"));
    }
    Ok(JsonRead { job, notices, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{
  "external_job_id": "BATCH-001",
  "title": "Morning Deliveries",
  "driver_email": "driver@example.com",
  "stops": [
    {
      "external_stop_id": "STOP-1",
      "address": "東京都港区六本木6-10-1",
      "label": "Customer A",
      "parcel_count": 2
    },
    {"external_stop_id": "STOP-2", "address": "港区南麻布4-5-48", "parcel_count": 1,
     "phone": "03-1234-5678", "time_window": "14-16", "notes": "置き配", "postal_code": "1060047"}
  ]
}"#;

    #[test]
    fn reads_the_documents_body_with_the_line_of_each_stop() {
        let r = read_json(BODY).unwrap();
        assert_eq!(r.job.external_job_id.as_deref(), Some("BATCH-001"));
        assert_eq!(r.job.title.as_deref(), Some("Morning Deliveries"));
        assert_eq!(r.job.driver_email.as_deref(), Some("driver@example.com"));
        assert!(r.notices.is_empty(), "{:?}", r.notices);
        assert_eq!(r.rows.len(), 2);
        assert_eq!((r.rows[0].line, r.rows[1].line), (6, 12));
        let c = &r.rows[0].cells;
        assert_eq!(c.external_stop_id.as_deref(), Some("STOP-1"));
        assert_eq!(c.address.as_deref(), Some("東京都港区六本木6-10-1"));
        assert_eq!(c.label.as_deref(), Some("Customer A"));
        assert_eq!(c.parcel_count.as_deref(), Some("2"));
        let c = &r.rows[1].cells;
        assert_eq!(c.phone.as_deref(), Some("03-1234-5678"));
        assert_eq!(c.time_window.as_deref(), Some("14-16"));
        assert_eq!(c.notes.as_deref(), Some("置き配"));
        assert_eq!(c.postal_code.as_deref(), Some("1060047"));
    }

    #[test]
    fn values_of_the_wrong_type_are_row_errors() {
        let r = read_json(
            r#"{"stops": [{"external_stop_id": 7, "address": "港区", "label": ["x"], "parcel_count": "2"},
                        "STOP-2",
                        {"external_stop_id": " ", "address": null, "parcel_count": 1.5, "colour": "red", "x": 1}]}"#,
        )
        .unwrap();
        let messages = |i: usize| -> Vec<&str> {
            r.rows[i]
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .collect()
        };
        assert_eq!(
            messages(0),
            [
                "parcel_count: must be an integer from 1 to 999",
                "external_stop_id: must be a string",
                "label: must be a string"
            ]
        );
        assert_eq!(messages(1), ["stops[1]: must be a JSON object"]);
        let rules: Vec<&IssueRule> = r.rows[0].errors.iter().map(|e| &e.rule).collect();
        assert_eq!(
            rules,
            [
                &IssueRule::ParcelCount {
                    max: 999,
                    got: None
                },
                &IssueRule::NotAString,
                &IssueRule::NotAString
            ]
        );
        assert_eq!(r.rows[1].errors[0].rule, IssueRule::NotAnObject);
        assert_eq!(r.rows[1].line, 2);
        assert!(messages(2).is_empty());
        assert_eq!(r.rows[2].cells.external_stop_id, None);
        assert_eq!(r.rows[2].cells.address, None);
        assert_eq!(r.rows[2].cells.parcel_count.as_deref(), Some("1.5"));
        assert_eq!(
            r.notices,
            [
                "stops[].colour: not a stop property; ignored",
                "stops[].x: not a stop property; ignored"
            ]
        );
    }

    #[test]
    fn the_job_properties_are_reported_not_required() {
        let r =
            read_json(r#"{"title": 5, "extra": true, "stops": [{"address": "港区"}]}"#).unwrap();
        assert_eq!(r.job, BatchJob::default());
        assert_eq!(
            r.notices,
            [
                "title: must be a string; ignored",
                "extra: not a RouteMate import property; ignored"
            ]
        );
    }

    #[test]
    fn names_what_is_wrong_with_the_body() {
        let e = read_json("{\n  \"stops\": [\n    {\"address\": \"港区\",}\n  ]\n}").unwrap_err();
        assert!(matches!(e, BatchError::Json { line: 3, .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("file: not valid JSON at line 3 column"),
            "{e}"
        );
        assert_eq!(
            read_json("[]").unwrap_err().to_string(),
            "body: must be a JSON object with a stops array"
        );
        assert_eq!(
            read_json("{}").unwrap_err().to_string(),
            "stops: is required"
        );
        assert_eq!(
            read_json(r#"{"stops": {}}"#).unwrap_err().to_string(),
            "stops: must be an array"
        );
        assert_eq!(
            read_json(r#"{"stops": []}"#).unwrap_err(),
            BatchError::NoRows
        );
        assert_eq!(read_json(" \n").unwrap_err(), BatchError::Empty);
        let many = format!(r#"{{"stops": [{}]}}"#, vec!["{}"; MAX_ROWS + 1].join(","));
        assert_eq!(
            read_json(&many).unwrap_err(),
            BatchError::TooManyRows { max: MAX_ROWS }
        );
    }
}
