//! Field-level validation errors, shaped so the API's `{"error": "<field>: <rule>"}` body and the
//! UI's field highlighting come from one value.

use std::fmt;

/// Which rule of the document a value broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// A required property is missing or empty.
    Required,
    /// More characters (Unicode scalar values, not bytes) than the document allows.
    TooLong { max: usize },
    /// Does not match the document's regular expression (given as the document writes it).
    Pattern { pattern: &'static str },
    /// Not one of the document's listed values.
    OneOf { allowed: &'static [&'static str] },
    /// The JSON value has the wrong type (e.g. a number where the document says string).
    Type { expected: &'static str },
    /// A number outside the document's range ("1~10の数値").
    Range { min: i64, max: i64 },
    /// An array that must have at least one element.
    NonEmpty,
    /// A timestamp that is not ISO 8601 (RFC 3339 with an offset).
    Timestamp,
    /// A rule of the document about a value in context (a window that is not anytime, a date
    /// beyond the horizon …), in words.
    Invalid { reason: String },
    /// A value that may not be set by the caller (e.g. `delivery_proof` other than "signature").
    Fixed { value: &'static str },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => write!(f, "is required"),
            Rule::TooLong { max } => write!(f, "must be at most {max} characters"),
            Rule::Pattern { pattern } => write!(f, "must match {pattern}"),
            Rule::OneOf { allowed } => write!(f, "must be one of {}", allowed.join(", ")),
            Rule::Type { expected } => write!(f, "must be a {expected}"),
            Rule::Range { min, max } => write!(f, "must be an integer from {min} to {max}"),
            Rule::NonEmpty => write!(f, "must not be empty"),
            Rule::Timestamp => write!(
                f,
                "must be an ISO 8601 timestamp with an offset, e.g. 2018-10-25T04:45:00+09:00"
            ),
            Rule::Invalid { reason } => write!(f, "{reason}"),
            Rule::Fixed { value } => write!(f, "must be \"{value}\""),
        }
    }
}

/// One broken rule on one field. Displays as `<field>: <rule>`, the API's error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    /// The property's path: `store_name`, `customer.phone`, `packages[1].boxes`.
    pub field: std::borrow::Cow<'static, str>,
    pub rule: Rule,
}

impl FieldError {
    pub fn new(field: &'static str, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }

    pub fn at(field: String, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }
}

/// Length in characters, as the document counts "100文字まで" (a kanji is one character).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

pub fn check_max_chars(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if char_len(value) > max {
        return Err(FieldError::new(field, Rule::TooLong { max }));
    }
    Ok(())
}
