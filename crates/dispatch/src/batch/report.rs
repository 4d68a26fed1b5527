//! What an import found, row by row, for the planning screen to show before anything is
//! optimized. Every row read is here: rows with errors stay in the report and are left out of
//! the stops handed to the solver ([`BatchReport::planning_stops`]).

use serde::Serialize;
use ts_rs::TS;

use crate::batch::csv_file::ColumnReport;
use crate::batch::decode::TextEncoding;
use crate::batch::import::BatchFormat;
use crate::batch::json_body::BatchJob;
use crate::batch::source::FieldIssue;
use crate::batch::window::TimeWindow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RowStatus {
    Ok,
    /// Usable, but worth a look (placed only at a municipality's centre, a phone that does not
    /// look like one, an empty parcel count taken as 1).
    Warning,
    /// Left out of planning until fixed.
    Error,
}

/// How precisely a stop was placed: the gazetteer's levels, plus `postal` for a postal code's
/// centre used when the address alone placed it less precisely (or not at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum MatchLevel {
    Chome,
    Town,
    Postal,
    City,
    Prefecture,
}

/// The geocoder's answer for the row's address.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Geocode {
    Placed {
        lat: f64,
        lng: f64,
        level: MatchLevel,
        prefecture: String,
        city: String,
        /// The town as the gazetteer spells it (「六本木六丁目」); empty above town level.
        town: String,
        /// Block numbers after the town, `N-M`.
        numbers: String,
        building: String,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RowReport {
    /// The line of the file the row (or JSON stop) starts on.
    pub line: usize,
    pub status: RowStatus,
    /// As given, or `row-<line>` when the file has none for the row; `None` only when a
    /// RouteMate body leaves out the required id (an error).
    pub external_stop_id: Option<String>,
    pub label: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub postal_code: Option<String>,
    /// As read (split columns joined; a leading postal code moved to `postal_code`).
    pub address: String,
    /// The address as the gazetteer reads it (prefecture, municipality, town, numbers,
    /// building); the normalised text when it could not be placed.
    pub normalized_address: String,
    /// `None` when there was no address to place.
    pub geocode: Option<Geocode>,
    pub parcel_count: Option<u32>,
    pub time_window: Option<TimeWindow>,
    pub errors: Vec<FieldIssue>,
    pub warnings: Vec<FieldIssue>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct BatchSummary {
    /// Rows read (blank rows not counted); `ok + warnings + errors`.
    pub rows: usize,
    pub ok: usize,
    pub warnings: usize,
    pub errors: usize,
    /// Rows whose every cell was blank, skipped.
    pub blank_rows: usize,
    /// Parcels in the rows that go to planning.
    pub parcels: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BatchReport {
    pub format: BatchFormat,
    pub encoding: TextEncoding,
    /// CSV: each header column and the field it was read as. Empty for JSON.
    pub columns: Vec<ColumnReport>,
    /// RouteMate JSON: the job's own properties.
    pub job: Option<BatchJob>,
    /// About the file rather than a row: ignored columns or properties, defaults applied.
    pub notices: Vec<String>,
    pub rows: Vec<RowReport>,
    pub summary: BatchSummary,
}

impl BatchSummary {
    pub(crate) fn of(rows: &[RowReport], blank_rows: usize) -> BatchSummary {
        let count = |s: RowStatus| rows.iter().filter(|r| r.status == s).count();
        BatchSummary {
            rows: rows.len(),
            ok: count(RowStatus::Ok),
            warnings: count(RowStatus::Warning),
            errors: count(RowStatus::Error),
            blank_rows,
            parcels: rows
                .iter()
                .filter(|r| r.status != RowStatus::Error)
                .filter_map(|r| r.parcel_count)
                .sum(),
        }
    }
}

impl RowReport {
    pub(crate) fn settle_status(&mut self) {
        self.status = if !self.errors.is_empty() {
            RowStatus::Error
        } else if !self.warnings.is_empty() {
            RowStatus::Warning
        } else {
            RowStatus::Ok
        };
    }
}
