//! Batch import for planning: a CSV (UTF-8, Shift_JIS or UTF-16, as Japanese spreadsheets
//! export) or a RouteMate import body → a report of every row (its place and match level, its
//! errors and warnings) before anything is optimized. The steps each have their file:
//! `decode` (bytes → text), `csv_file` + `columns` (rows and headers),
//! `json_body` (the RouteMate body), `check` + `window` (rules, geocoding),
//! `report` (what the UI shows), `stops` (what the solver gets).

use hakobu_geo::Gazetteer;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::batch::check::{check_row, mark_duplicates};
use crate::batch::csv_file::read_csv;
use crate::batch::decode::decode;
use crate::batch::json_body::read_json;
use crate::batch::report::{BatchReport, BatchSummary};
use crate::batch::source::Missing;
use crate::{CommandError, Dispatch, ErrorCode, ErrorDetail};

/// Rows one file may have. The RouteMate sandbox takes 500 stops per job; a planning batch may
/// become several routes, so the limit here only keeps the report a size a screen can show.
pub const MAX_ROWS: usize = 5_000;

/// Bytes one file may have. 5,000 rows of a delivery spreadsheet are well under 2 MB; the cap
/// stops a wrong file (a video, a database dump) before it is read, sent over IPC or decoded.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum BatchFormat {
    /// Comma- or tab-separated, with a header row.
    Csv,
    /// A RouteMate import body.
    Json,
}

impl BatchFormat {
    /// From a file name's extension, for the open dialog: `.csv`, `.tsv`, `.txt`, `.json`.
    pub fn from_extension(extension: &str) -> Option<BatchFormat> {
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(BatchFormat::Csv),
            "json" => Some(BatchFormat::Json),
            _ => None,
        }
    }

    /// From a file's name (or path), for a file dropped or picked: its extension's format;
    /// `None` when the name has no extension (the content decides) or is Excel's (its bytes
    /// get the "save it as CSV" advice, which says more than "not a CSV file"). Any other
    /// extension (a photo, a PDF, a zip) is refused before the file is read: its bytes would
    /// only fail as an encoding or a missing address column, which does not say what is wrong.
    /// Only a name ending in a dot and 1–5 ASCII letters has an extension: `配達_12.08` or
    /// `東京.配達` is a name with a dot in it, and the content decides.
    pub fn of_file_name(name: &str) -> Result<Option<BatchFormat>, BatchError> {
        let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let Some((_, extension)) = file.rsplit_once('.') else {
            return Ok(None);
        };
        if !(1..=5).contains(&extension.len())
            || !extension.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return Ok(None);
        }
        match BatchFormat::from_extension(extension) {
            Some(format) => Ok(Some(format)),
            None if matches!(extension.to_ascii_lowercase().as_str(), "xlsx" | "xls") => Ok(None),
            None => Err(BatchError::NotBatchFile {
                name: file.to_owned(),
            }),
        }
    }

    /// JSON starts with `{` (a body) or `[` (not a valid body, but meant as JSON: better told
    /// so than read as a one-column CSV).
    fn detect(text: &str) -> BatchFormat {
        match text.trim_start().chars().next() {
            Some('{' | '[') => BatchFormat::Json,
            _ => BatchFormat::Csv,
        }
    }
}

/// Why a file could not be read at all, as facts (`rule` and what the view needs to say it;
/// sent as `ErrorDetail::BatchFile`). `Display` is the English, the one home of these
/// sentences. Anything about one row is in the report instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum BatchError {
    #[error("file: is empty")]
    Empty,
    #[error(
        "file: is {} MB; at most {} MB can be imported (split it into several files)",
        mb(*bytes),
        mb(*max)
    )]
    TooLarge { bytes: u64, max: u64 },
    #[error("file: {name} is not a CSV or JSON file; import a .csv, .tsv, .txt or .json file")]
    NotBatchFile { name: String },
    #[error("file: {name} is a folder; import a .csv, .tsv, .txt or .json file")]
    Folder { name: String },
    #[error("file: is an Excel workbook, not CSV; save it as CSV (UTF-8 or Shift_JIS) first")]
    Spreadsheet,
    #[error("file: line {line} is not valid {encoding}; save the file again as UTF-8 or Shift_JIS")]
    Encoding { line: usize, encoding: &'static str },
    #[error(
        "header: no address column (住所, お届け先住所, address, or split 都道府県/市区町村/町名/番地 columns); the header has: {found}"
    )]
    NoAddressColumn { found: String },
    #[error(
        "header: columns {first} ({first_header}) and {second} ({second_header}) both hold {column}; remove or rename one"
    )]
    DuplicateColumn {
        column: &'static str,
        first: usize,
        first_header: String,
        second: usize,
        second_header: String,
    },
    #[error("file: has a header but no rows")]
    NoRows,
    #[error("file: has more than {max} rows; split it into several files")]
    TooManyRows { max: usize },
    #[error("file: not valid JSON at line {line} column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("body: must be a JSON object with a stops array")]
    NotABody,
    #[error("stops: is required")]
    NoStops,
    #[error("stops: must be an array")]
    StopsNotArray,
    /// A dropped file that could not be read (`reason`: the system's words).
    #[error("file: cannot be read ({reason}): {path}")]
    Unreadable { path: String, reason: String },
}

/// Megabytes with one decimal, for messages.
fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

impl BatchError {
    /// The size cap, checked before a file is read (from its length on disk) and again on the
    /// bytes themselves.
    pub fn check_size(bytes: u64) -> Result<(), BatchError> {
        if bytes > MAX_BYTES {
            Err(BatchError::TooLarge {
                bytes,
                max: MAX_BYTES,
            })
        } else {
            Ok(())
        }
    }

    /// The part of the input the message is about, for the UI.
    fn field(&self) -> &'static str {
        match self {
            BatchError::NoAddressColumn { .. } | BatchError::DuplicateColumn { .. } => "header",
            BatchError::NotABody => "body",
            BatchError::NoStops | BatchError::StopsNotArray => "stops",
            _ => "file",
        }
    }
}

impl From<BatchError> for CommandError {
    fn from(e: BatchError) -> Self {
        CommandError {
            code: ErrorCode::BadRequest,
            message: e.to_string(),
            field: Some(e.field().to_owned()),
            detail: Some(Box::new(ErrorDetail::BatchFile { refusal: e })),
        }
    }
}

impl BatchReport {
    /// Reads a whole file: decodes it, reads its rows, checks and geocodes each. `format`
    /// `None` detects it from the content.
    pub fn read(
        bytes: &[u8],
        format: Option<BatchFormat>,
        geo: Option<&Gazetteer>,
    ) -> Result<BatchReport, BatchError> {
        BatchError::check_size(bytes.len() as u64)?;
        let decoded = decode(bytes)?;
        let format = format.unwrap_or_else(|| BatchFormat::detect(&decoded.text));
        let (columns, job, notices, rows, blank_rows, missing) = match format {
            BatchFormat::Csv => {
                let csv = read_csv(&decoded.text)?;
                (
                    csv.columns,
                    None,
                    csv.notices,
                    csv.rows,
                    csv.blank_rows,
                    Missing::Defaulted,
                )
            }
            BatchFormat::Json => {
                let json = read_json(&decoded.text)?;
                (
                    Vec::new(),
                    Some(json.job),
                    json.notices,
                    json.rows,
                    0,
                    Missing::Required,
                )
            }
        };
        let mut rows: Vec<_> = rows
            .into_iter()
            .map(|row| check_row(row, missing, geo))
            .collect();
        mark_duplicates(&mut rows);
        Ok(BatchReport {
            format,
            encoding: decoded.encoding,
            columns,
            job,
            notices,
            summary: BatchSummary::of(&rows, blank_rows),
            rows,
        })
    }
}

impl Dispatch {
    /// The planning screen's import: the report of a CSV or RouteMate JSON file, every row in
    /// it. Geocoding is in memory, so this does not wait on anything; a file that cannot be
    /// read at all is a `bad_request` naming why (and the line, where there is one).
    pub fn import_batch(
        &self,
        bytes: &[u8],
        format: Option<BatchFormat>,
    ) -> Result<BatchReport, CommandError> {
        Ok(BatchReport::read(bytes, format, self.geo.get().as_deref())?)
    }
}

#[cfg(test)]
mod tests {
    use encoding_rs::SHIFT_JIS;
    use hakobu_geo::travel::VehicleType;

    use super::*;
    use crate::batch::decode::TextEncoding;
    use crate::batch::report::RowStatus;

    #[test]
    fn detects_the_format_from_the_content_or_takes_the_hint() {
        assert_eq!(
            BatchFormat::detect("  \n{\"stops\": []}"),
            BatchFormat::Json
        );
        assert_eq!(BatchFormat::detect("[1]"), BatchFormat::Json);
        assert_eq!(BatchFormat::detect("住所\n港区"), BatchFormat::Csv);
        assert_eq!(BatchFormat::from_extension("CSV"), Some(BatchFormat::Csv));
        assert_eq!(BatchFormat::from_extension("tsv"), Some(BatchFormat::Csv));
        assert_eq!(BatchFormat::from_extension("json"), Some(BatchFormat::Json));
        assert_eq!(BatchFormat::from_extension("xlsx"), None);
        assert_eq!(
            BatchFormat::of_file_name("/tmp/a.b/stops.JSON"),
            Ok(Some(BatchFormat::Json))
        );
        assert_eq!(BatchFormat::of_file_name("/tmp/a.b/stops"), Ok(None));
        // A dot in a name is not an extension unless letters follow it.
        assert_eq!(BatchFormat::of_file_name("/tmp/配達_12.08"), Ok(None));
        assert_eq!(BatchFormat::of_file_name("/tmp/東京.配達"), Ok(None));
        assert_eq!(BatchFormat::of_file_name("/tmp/day.2026-12-08"), Ok(None));
        assert_eq!(BatchFormat::of_file_name("C:\\day\\book.xlsx"), Ok(None));
        let e = BatchFormat::of_file_name("/home/me/photo.png").unwrap_err();
        assert_eq!(
            e.to_string(),
            "file: photo.png is not a CSV or JSON file; import a .csv, .tsv, .txt or .json file"
        );
        // A hint wins: this JSON-looking text read as CSV has no address column.
        let e = BatchReport::read(
            br#"{"stops": [{"address": "x"}]}"#,
            Some(BatchFormat::Csv),
            None,
        )
        .unwrap_err();
        assert!(matches!(e, BatchError::NoAddressColumn { .. }), "{e:?}");
        let e = BatchReport::read("住所\n港区\n".as_bytes(), Some(BatchFormat::Json), None)
            .unwrap_err();
        assert!(matches!(e, BatchError::Json { line: 1, .. }), "{e:?}");
    }

    #[test]
    fn a_shift_jis_file_is_read_and_every_row_reported() {
        let text = "伝票番号,お届け先名,住所,個数\r\nA-1,山田,東京都港区六本木6-10-1,2\r\nA-2,佐藤,,1\r\nA-1,鈴木,港区,x\r\n";
        let (bytes, _, _) = SHIFT_JIS.encode(text);
        let report = BatchReport::read(&bytes, None, None).unwrap();
        assert_eq!(report.format, BatchFormat::Csv);
        assert_eq!(report.encoding, TextEncoding::ShiftJis);
        assert_eq!(report.rows.len(), 3);
        assert_eq!(report.rows[0].label.as_deref(), Some("山田"));
        assert_eq!(
            report.summary,
            BatchSummary {
                rows: 3,
                ok: 0,
                warnings: 0,
                errors: 3,
                blank_rows: 0,
                parcels: 0
            }
        );
        let messages: Vec<&str> = report.rows[2]
            .errors
            .iter()
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "parcel_count: must be an integer from 1 to 999 (got \"x\")",
                "address: no gazetteer to place addresses (build it with `make data`)",
                "external_stop_id: must be unique (A-1 is also on line 2)"
            ]
        );
        assert!(report.planning_stops(VehicleType::KeiVan).is_empty());
    }

    #[test]
    fn a_json_body_is_read_into_the_same_rows() {
        let body = r#"{"external_job_id": "B1", "title": "t", "driver_email": "d@example.com",
            "stops": [{"external_stop_id": "S1", "address": "", "parcel_count": 0}]}"#;
        let report = BatchReport::read(body.as_bytes(), None, None).unwrap();
        assert_eq!(report.format, BatchFormat::Json);
        assert_eq!(
            report.job.as_ref().unwrap().external_job_id.as_deref(),
            Some("B1")
        );
        let row = &report.rows[0];
        assert_eq!(row.status, RowStatus::Error);
        let messages: Vec<&str> = row.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "address: is required",
                "parcel_count: must be an integer from 1 to 999 (got \"0\")"
            ]
        );
    }

    #[test]
    fn file_errors_cross_to_the_ui_as_bad_requests_naming_the_part() {
        let e: CommandError = BatchReport::read(b"", None, None).unwrap_err().into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "bad_request", "message": "file: is empty", "field": "file",
                "detail": {"rule": "batch_file", "refusal": {"rule": "empty"}}})
        );
        let e: CommandError = BatchReport::read("氏名\nA\n".as_bytes(), None, None)
            .unwrap_err()
            .into();
        assert_eq!(e.field.as_deref(), Some("header"));
        let e: CommandError = BatchReport::read(b"{}", None, None).unwrap_err().into();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("stops"), "stops: is required")
        );
        let e: CommandError = BatchReport::read(b"\xFF\xFF,\n", None, None)
            .unwrap_err()
            .into();
        assert_eq!(
            e.message,
            "file: line 1 is not valid UTF-8 or Shift_JIS; save the file again as UTF-8 or Shift_JIS"
        );
    }

    /// Each whole-file refusal reaches the view as its rule and facts (`ErrorDetail::BatchFile`),
    /// the English beside them as before.
    #[test]
    fn each_file_refusal_is_sent_as_its_rule_and_facts() {
        use serde_json::json;
        let refusal = |bytes: &[u8]| {
            let e: CommandError = BatchReport::read(bytes, None, None).unwrap_err().into();
            let wire = serde_json::to_value(&e).unwrap();
            assert_eq!(wire["detail"]["rule"], "batch_file", "{wire}");
            (wire["detail"]["refusal"].clone(), e.message)
        };
        let many_rows = format!("住所\n{}", "東京都港区六本木6-10-1\n".repeat(MAX_ROWS + 1));
        for (bytes, wire, english) in [
            (&b""[..], json!({"rule": "empty"}), "file: is empty"),
            (
                "氏名\nA\n".as_bytes(),
                json!({"rule": "no_address_column", "found": "氏名"}),
                "header: no address column (住所, お届け先住所, address, or split 都道府県/市区町村/町名/番地 columns); the header has: 氏名",
            ),
            (
                "住所\n".as_bytes(),
                json!({"rule": "no_rows"}),
                "file: has a header but no rows",
            ),
            (
                many_rows.as_bytes(),
                json!({"rule": "too_many_rows", "max": MAX_ROWS}),
                "file: has more than 5000 rows; split it into several files",
            ),
            (
                &b"\xFF\xFF,\n"[..],
                json!({"rule": "encoding", "line": 1, "encoding": "UTF-8 or Shift_JIS"}),
                "file: line 1 is not valid UTF-8 or Shift_JIS; save the file again as UTF-8 or Shift_JIS",
            ),
            (
                &b"[1]"[..],
                json!({"rule": "not_a_body"}),
                "body: must be a JSON object with a stops array",
            ),
            (
                &b"{}"[..],
                json!({"rule": "no_stops"}),
                "stops: is required",
            ),
            (
                &br#"{"stops": 3}"#[..],
                json!({"rule": "stops_not_array"}),
                "stops: must be an array",
            ),
        ] {
            assert_eq!(refusal(bytes), (wire, english.to_owned()));
        }
        // JSON's own words stay inside the facts.
        let (wire, _) = refusal(b"{\"stops\": [");
        assert_eq!(
            (wire["rule"].as_str(), wire["line"].as_u64()),
            (Some("json"), Some(1))
        );
        assert!(wire["message"].as_str().is_some_and(|m| !m.is_empty()));
        // Refused by name, before reading: not a batch file, and a folder or an unreadable file
        // (the app's drop adapter).
        let e: CommandError = BatchFormat::of_file_name("stops.pdf").unwrap_err().into();
        assert_eq!(
            serde_json::to_value(&e).unwrap()["detail"]["refusal"],
            json!({"rule": "not_batch_file", "name": "stops.pdf"})
        );
        for (refusal, wire) in [
            (
                BatchError::Folder {
                    name: "配達".into(),
                },
                json!({"rule": "folder", "name": "配達"}),
            ),
            (
                BatchError::Unreadable {
                    path: "/x/stops.csv".into(),
                    reason: "No such file".into(),
                },
                json!({"rule": "unreadable", "path": "/x/stops.csv", "reason": "No such file"}),
            ),
            (BatchError::Spreadsheet, json!({"rule": "spreadsheet"})),
            (
                BatchError::DuplicateColumn {
                    column: "address",
                    first: 1,
                    first_header: "住所".into(),
                    second: 3,
                    second_header: "address".into(),
                },
                json!({"rule": "duplicate_column", "column": "address", "first": 1,
                       "first_header": "住所", "second": 3, "second_header": "address"}),
            ),
        ] {
            let e: CommandError = refusal.into();
            assert_eq!(serde_json::to_value(&e).unwrap()["detail"]["refusal"], wire);
        }
    }

    #[test]
    fn a_file_over_the_size_cap_is_refused_before_it_is_read() {
        let big = vec![b'a'; MAX_BYTES as usize + 1];
        let e = BatchReport::read(&big, None, None).unwrap_err();
        assert_eq!(
            e,
            BatchError::TooLarge {
                bytes: MAX_BYTES + 1,
                max: MAX_BYTES
            }
        );
        assert_eq!(
            e.to_string(),
            "file: is 10.0 MB; at most 10.0 MB can be imported (split it into several files)"
        );
        assert_eq!(
            BatchError::check_size(25 * 1024 * 1024)
                .unwrap_err()
                .to_string(),
            "file: is 25.0 MB; at most 10.0 MB can be imported (split it into several files)"
        );
        assert!(BatchError::check_size(MAX_BYTES).is_ok());
        let e: CommandError = e.into();
        assert_eq!(e.field.as_deref(), Some("file"));
    }

    #[test]
    fn the_report_serializes_for_the_ui() {
        let report =
            BatchReport::read("住所,時間帯\n港区,午前中\n".as_bytes(), None, None).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["format"], "csv");
        assert_eq!(json["encoding"], "UTF-8");
        assert_eq!(
            json["columns"][1],
            serde_json::json!({"number": 2, "header": "時間帯", "field": "time_window"})
        );
        let row = &json["rows"][0];
        assert_eq!(row["line"], 2);
        assert_eq!(row["status"], "error");
        assert_eq!(row["external_stop_id"], "row-2");
        assert_eq!(
            row["time_window"],
            serde_json::json!({"start": "08:00", "end": "12:00"})
        );
        assert_eq!(row["geocode"]["result"], "failed");
        assert_eq!(row["errors"][0]["field"], "address");
        assert_eq!(json["summary"]["errors"], 1);
    }
}
