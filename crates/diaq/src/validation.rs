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
            Rule::Fixed { value } => write!(f, "must be \"{value}\""),
        }
    }
}

/// One broken rule on one field. Displays as `<field>: <rule>`, the API's error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    pub field: &'static str,
    pub rule: Rule,
}

impl FieldError {
    pub fn new(field: &'static str, rule: Rule) -> Self {
        Self { field, rule }
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
