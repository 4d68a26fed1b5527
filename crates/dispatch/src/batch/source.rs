//! A stop as read from a CSV row or a JSON stop, before its values are checked: the shape both
//! readers produce, so the checks (and their messages) are the same for both.

use serde::Serialize;
use ts_rs::TS;

use crate::batch::window::FORMS;

/// One broken rule or doubt about a field: `rule` and its facts, flattened beside `field`, for
/// the view to word in its own language; `message` is their English, `<field>: <rule>`, the
/// form every message of the app takes (logs, and what a view without the rule shows); `field`
/// lets the UI highlight the cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldIssue {
    pub field: String,
    #[serde(flatten)]
    pub rule: IssueRule,
    pub message: String,
}

impl FieldIssue {
    pub(crate) fn new(field: &str, rule: IssueRule) -> FieldIssue {
        FieldIssue {
            field: field.to_owned(),
            message: format!("{field}: {rule}"),
            rule,
        }
    }
}

/// The rule a field broke or the doubt about it, with what the view needs to say it (`got`:
/// the text as the file has it). `Display` is the English, the one home of these sentences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum IssueRule {
    /// No value where one is needed.
    Required,
    /// Longer than RouteMate takes: at most `max` characters.
    TooLong { max: usize },
    /// A RouteMate JSON stop's property that is not a string.
    NotAString,
    /// A RouteMate JSON stop that is not an object.
    NotAnObject,
    /// A CSV row with more cells than the header: a comma in a value without quotes.
    TooManyFields { fields: usize, header: usize },
    /// A CSV row with fewer cells than the header.
    TooFewFields { fields: usize, header: usize },
    /// An empty id cell: the row is named `id` (`row-<line>`).
    IdMade { id: String },
    /// The same id on the other `lines` too.
    DuplicateId { id: String, lines: Vec<usize> },
    /// Not a parcel count RouteMate takes (1 to `max`); `got` is `None` for a JSON value that
    /// is not a number.
    ParcelCount { max: u32, got: Option<String> },
    /// An empty parcel count cell, counted as 1.
    CountedAsOne,
    /// Not 10 or 11 digits from 0 or +81.
    OddPhone { got: String },
    /// A time window in none of the forms read.
    WindowForm { got: String },
    /// A time window with hours past 24 or minutes past 59.
    WindowTime { got: String },
    /// A time window that ends before (or when) it starts.
    WindowOrder { got: String },
    /// Not 7 digits.
    PostalMalformed,
    /// 7 digits that are no Japanese postal code.
    PostalUnknown { code: String },
    /// The postal code is in another place than the address names (as far as it was read).
    PostalElsewhere {
        code: String,
        postal_prefecture: String,
        postal_city: String,
        address_prefecture: String,
        address_city: String,
    },
    /// No gazetteer was built, so no address can be placed.
    NoGazetteer,
    /// Nothing left of the address to read.
    AddressEmpty,
    /// Neither a prefecture nor a municipality found in `address`.
    NotRecognised { address: String },
    /// A municipality's name found in several `prefectures`.
    AmbiguousCity {
        city: String,
        prefectures: Vec<String>,
    },
    /// A town without a block number (番地): placed at the town's centre.
    NoBlockNumber { town: String },
    /// Only the municipality was recognised (the `reason` of `placed_at_postal`).
    CityOnly { city: String },
    /// Only the municipality was recognised: placed at its centre.
    PlacedAtCity { city: String },
    /// Only the prefecture was recognised: too coarse to place.
    PrefectureOnly { prefecture: String },
    /// The address alone placed the stop less precisely (`reason`) than its postal code,
    /// whose centre was used.
    PlacedAtPostal {
        code: String,
        reason: Box<IssueRule>,
    },
}

impl std::fmt::Display for IssueRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IssueRule::Required => f.write_str("is required"),
            IssueRule::TooLong { max } => write!(f, "must be at most {max} characters"),
            IssueRule::NotAString => f.write_str("must be a string"),
            IssueRule::NotAnObject => f.write_str("must be a JSON object"),
            IssueRule::TooManyFields { fields, header } => write!(
                f,
                "has {fields} fields, the header has {header}; a comma inside a value needs \"quotes\""
            ),
            IssueRule::TooFewFields { fields, header } => {
                write!(f, "has {fields} fields, the header has {header}")
            }
            IssueRule::IdMade { id } => write!(f, "is empty; named {id}"),
            IssueRule::DuplicateId { id, lines } => {
                let plural = if lines.len() == 1 { "" } else { "s" };
                let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "must be unique ({id} is also on line{plural} {})",
                    lines.join(", ")
                )
            }
            IssueRule::ParcelCount { max, got } => {
                write!(f, "must be an integer from 1 to {max}")?;
                match got {
                    Some(got) => write!(f, " (got {got:?})"),
                    None => Ok(()),
                }
            }
            IssueRule::CountedAsOne => f.write_str("is empty; counted as 1"),
            IssueRule::OddPhone { got } => write!(
                f,
                "does not look like a Japanese phone number (10 or 11 digits) (got {got:?})"
            ),
            IssueRule::WindowForm { got } => write!(f, "{FORMS} (got {got:?})"),
            IssueRule::WindowTime { got } => {
                write!(f, "hours must be 0–24 and minutes 0–59 (got {got:?})")
            }
            IssueRule::WindowOrder { got } => {
                write!(f, "must end after it starts (got {got:?})")
            }
            IssueRule::PostalMalformed => f.write_str("must be 7 digits, as 1234567 or 123-4567"),
            IssueRule::PostalUnknown { code } => write!(f, "{code} is not a Japanese postal code"),
            IssueRule::PostalElsewhere {
                code,
                postal_prefecture,
                postal_city,
                address_prefecture,
                address_city,
            } => write!(
                f,
                "{code} is in {postal_prefecture}{postal_city}, the address in {address_prefecture}{address_city}"
            ),
            IssueRule::NoGazetteer => {
                f.write_str("no gazetteer to place addresses (build it with `make data`)")
            }
            IssueRule::AddressEmpty => f.write_str("is empty"),
            IssueRule::NotRecognised { address } => {
                write!(f, "no prefecture or municipality recognised in {address:?}")
            }
            IssueRule::AmbiguousCity { city, prefectures } => write!(
                f,
                "municipality {city:?} exists in {}; add the prefecture to choose",
                prefectures.join(", ")
            ),
            IssueRule::NoBlockNumber { town } => {
                write!(
                    f,
                    "no block number (番地) after {town}; placed at its centre"
                )
            }
            IssueRule::CityOnly { city } => {
                write!(f, "only the municipality ({city}) was recognised")
            }
            IssueRule::PlacedAtCity { city } => write!(
                f,
                "only the municipality ({city}) was recognised; placed at its centre"
            ),
            IssueRule::PrefectureOnly { prefecture } => {
                write!(f, "only the prefecture ({prefecture}) was recognised")
            }
            IssueRule::PlacedAtPostal { code, reason } => {
                write!(f, "{reason}; placed at the centre of postal code {code}")
            }
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
