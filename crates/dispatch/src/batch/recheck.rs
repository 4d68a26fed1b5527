//! One row of an imported file checked again after the dispatcher fixed it on the planning
//! screen (an address that did not place, a town picked): the same checks and geocoder as the
//! import, so a fixed row is exactly what the file would have given with that address.

use serde::Deserialize;
use ts_rs::TS;

use crate::batch::check::check_row;
use crate::batch::report::RowReport;
use crate::batch::source::{Cells, Missing, SourceRow};
use crate::{CommandError, Dispatch};

/// A row's cells as the screen sends them back, with the dispatcher's changes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct BatchRowEdit {
    /// The file's line, kept so the row still points back at it.
    pub line: usize,
    pub external_stop_id: Option<String>,
    pub address: String,
    pub postal_code: Option<String>,
    pub label: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub parcel_count: Option<u32>,
    /// `HH:MM-HH:MM`, as a file would give it; `None`: no window.
    pub time_window: Option<String>,
}

impl BatchRowEdit {
    fn into_row(self) -> SourceRow {
        SourceRow {
            line: self.line,
            cells: Cells {
                external_stop_id: self.external_stop_id,
                address: Some(self.address),
                postal_code: self.postal_code,
                label: self.label,
                phone: self.phone,
                parcel_count: self.parcel_count.map(|n| n.to_string()),
                notes: self.notes,
                time_window: self.time_window,
            },
            errors: Vec::new(),
        }
    }
}

impl Dispatch {
    /// The row checked and geocoded again. Ids are not compared with the other rows here: the
    /// screen edits the address, never the id, so a duplicate stays as the import reported it.
    pub fn recheck_batch_row(&self, edit: BatchRowEdit) -> Result<RowReport, CommandError> {
        Ok(check_row(
            edit.into_row(),
            Missing::Defaulted,
            self.geo.get().as_deref(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::report::{Geocode, RowStatus};

    fn edit(address: &str) -> BatchRowEdit {
        BatchRowEdit {
            line: 7,
            external_stop_id: Some("T-07".into()),
            address: address.into(),
            postal_code: None,
            label: Some("山田".into()),
            phone: None,
            notes: None,
            parcel_count: Some(2),
            time_window: Some("14:00-16:00".into()),
        }
    }

    #[test]
    fn a_row_keeps_its_line_id_parcels_and_window() {
        let row = check_row(edit("").into_row(), Missing::Defaulted, None);
        assert_eq!(row.line, 7);
        assert_eq!(row.external_stop_id.as_deref(), Some("T-07"));
        assert_eq!(row.parcel_count, Some(2));
        assert_eq!(
            serde_json::to_value(row.time_window).unwrap(),
            serde_json::json!({"start": "14:00", "end": "16:00"})
        );
        assert_eq!(row.status, RowStatus::Error);
        assert_eq!(row.errors[0].message, "address: is required");
    }

    #[test]
    fn a_bad_window_sent_back_is_an_error_naming_it() {
        let mut e = edit("港区六本木6-10-1");
        e.time_window = Some("16:00-14:00".into());
        let row = check_row(e.into_row(), Missing::Defaulted, None);
        assert!(
            row.errors.iter().any(|i| i.field == "time_window"),
            "{:?}",
            row.errors
        );
        assert!(matches!(row.geocode, Some(Geocode::Failed { .. })));
    }
}
