//! The document's regular expressions. They are Ruby regexes: `\d` is ASCII-only there (so
//! `[0-9]` here) and `\Z` also matches before one final newline (so `\n?\z`).

use std::sync::LazyLock;

use regex::Regex;

use crate::validation::Rule;

pub const ZIPCODE_DOC: &str = r"/\A\d{3}[-]\d{4}\z/";
pub const PHONE_DOC: &str = r"/(\A0\d{1,3}-\d{2,4}-\d{3,4}\Z)|(\A0\d{9,10}\Z)/";
pub const EMAIL_DOC: &str = r"/\A([^@\s]+)@((?:[-a-z0-9]+.)+[a-z]{2,})\z/i";
pub const HHMM_DOC: &str = r"/\A([01][0-9]|2[0-3]):[0-5][0-9]\z/";

pub static ZIPCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A[0-9]{3}-[0-9]{4}\z").expect("valid regex"));
pub static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\A0[0-9]{1,3}-[0-9]{2,4}-[0-9]{3,4}\n?\z)|(\A0[0-9]{9,10}\n?\z)")
        .expect("valid regex")
});
/// `.` in the document's domain part is "any character", as written; `/i` makes it
/// case-insensitive. `\s` in Ruby is ASCII whitespace.
pub static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\A([^@\t\n\x0B\f\r ]+)@((?:[-a-z0-9]+.)+[a-z]{2,})\z").expect("valid regex")
});
pub static HHMM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A([01][0-9]|2[0-3]):[0-5][0-9]\z").expect("valid regex"));

pub fn rule(pattern: &'static str) -> Rule {
    Rule::Pattern { pattern }
}
