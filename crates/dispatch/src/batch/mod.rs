//! Batch import for planning: a CSV (UTF-8 or Shift_JIS, as Japanese spreadsheets export) or
//! the RouteMate import JSON becomes a per-row report (geocode level, errors) and the rows that
//! can be planned. docs/decisions.md, "Batch import".

mod check;
mod columns;
mod csv_file;
mod decode;
mod import;
mod json_body;
mod recheck;
mod report;
mod source;
mod stops;
mod window;

pub use columns::Column as BatchColumn;
pub use csv_file::ColumnReport;
pub use decode::TextEncoding;
pub use import::{
    BatchError, BatchFormat, MAX_BYTES as BATCH_MAX_BYTES, MAX_ROWS as BATCH_MAX_ROWS,
};
pub use json_body::BatchJob;
pub use recheck::BatchRowEdit;
pub use report::{BatchReport, BatchSummary, Geocode, MatchLevel, RowReport, RowStatus};
pub use source::{FieldIssue, IssueRule};
pub use stops::PlanningStop;
pub use window::TimeWindow;

pub(crate) use check::unplaced;
