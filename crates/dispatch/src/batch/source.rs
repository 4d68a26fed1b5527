//! A stop as read from a CSV row or a JSON stop, before its values are checked: the shape both
//! readers produce, so the checks (and their messages) are the same for both.

use serde::Serialize;
use ts_rs::TS;

/// One broken rule or doubt about a field: `message` is `<field>: <rule>`, the form every
/// message of the app takes; `field` lets the UI highlight the cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldIssue {
    pub field: String,
    pub message: String,
}

impl FieldIssue {
    pub(crate) fn new(field: &str, rule: impl std::fmt::Display) -> FieldIssue {
        FieldIssue {
            field: field.to_owned(),
            message: format!("{field}: {rule}"),
        }
    }
}

/// The text of each field, trimmed; `None` when the file has no such column or property (or
/// JSON's `null`/blank string). `Some("")` only from a CSV cell left empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    pub external_stop_id: Option<String>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub label: Option<String>,
    pub phone: Option<String>,
    pub parcel_count: Option<String>,
    pub notes: Option<String>,
    pub time_window: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceRow {
    /// The file's line the row (or the JSON stop) starts on, 1-based.
    pub line: usize,
    pub cells: Cells,
    /// Broken rules found while reading: a wrong number of CSV fields, a JSON value of the
    /// wrong type.
    pub errors: Vec<FieldIssue>,
}

/// What the checks assume for a field the source has no value for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// RouteMate JSON: `external_stop_id` and `parcel_count` are required, as the sandbox
    /// requires them.
    Required,
    /// A spreadsheet without the column: the id is made from the line, one parcel is assumed
    /// (the report's notices say so once).
    Defaulted,
}

/// 1-based line numbers of byte offsets met in increasing order, counted once over the text
/// (counting from the start for each of 5,000 rows would be quadratic).
pub(crate) struct LineCursor<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCursor<'a> {
    pub(crate) fn new(text: &'a str) -> LineCursor<'a> {
        LineCursor {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of byte `offset`; an offset before the last one asked restarts the count.
    pub(crate) fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.text[self.at..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.at = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_forward_and_again_from_the_start() {
        let text = "a\nbb\n\nc";
        let mut lines = LineCursor::new(text);
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(2), 2);
        assert_eq!(lines.line_at(6), 4);
        assert_eq!(lines.line_at(99), 4);
        assert_eq!(lines.line_at(3), 2);
    }
}
