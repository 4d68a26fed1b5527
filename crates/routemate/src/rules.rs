//! The import's rules, in one place for everyone who must agree on them: the sandbox that
//! enforces them, the batch import that checks a file against them before a plan is made, the
//! fleet that only keeps logins a route can be sent to, and the client's wire types
//! ([`crate::ImportRequest::check`]). The document shows the fields but states no limits; these
//! are the sandbox's (docs/decisions.md "RouteMate (sandbox)" → Import).
//!
//! Each check answers the rule's words (`must be at most 200 characters`); the caller puts the
//! field's path before them (`stops[2].address: …`), as every `{"error"}` message does.

use std::fmt;

/// Stops in one import.
pub const MAX_STOPS: usize = 500;
/// Parcels at one stop (`parcel_count` is 1 to this).
pub const MAX_PARCELS: u32 = 999;
/// Characters of an id (`external_job_id`, `external_stop_id`).
pub const ID_CHARS: usize = 100;
/// Characters of a text (`title`, `address`, `label`).
pub const TEXT_CHARS: usize = 200;
/// Characters of an email address (RFC 5321's path limit).
pub const EMAIL_CHARS: usize = 254;

/// A broken rule in words, without the field: `must be an integer from 1 to 999`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken(pub String);

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Broken {}

/// A broken rule and the field's path: displays as the `{"error"}` message
/// (`stops[1].parcel_count: must be an integer from 1 to 999`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: String,
    pub rule: Broken,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

impl std::error::Error for RuleError {}

impl Broken {
    /// This rule, broken at `field`.
    pub fn at(self, field: impl Into<String>) -> RuleError {
        RuleError {
            field: field.into(),
            rule: self,
        }
    }
}

/// The import's string fields and what each allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    ExternalJobId,
    Title,
    DriverEmail,
    ExternalStopId,
    Address,
    Label,
}

impl TextField {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            TextField::ExternalJobId => "external_job_id",
            TextField::Title => "title",
            TextField::DriverEmail => "driver_email",
            TextField::ExternalStopId => "external_stop_id",
            TextField::Address => "address",
            TextField::Label => "label",
        }
    }

    pub fn max_chars(self) -> usize {
        match self {
            TextField::ExternalJobId | TextField::ExternalStopId => ID_CHARS,
            TextField::Title | TextField::Address | TextField::Label => TEXT_CHARS,
            TextField::DriverEmail => EMAIL_CHARS,
        }
    }

    /// Only a stop's label may be left out.
    pub fn required(self) -> bool {
        self != TextField::Label
    }
}

/// A string field's value: `None` is "not sent" (absent or `null`). A required field must be
/// sent and not blank; any value at most [`TextField::max_chars`] characters. The email's own
/// form is [`driver_email`].
pub fn text(field: TextField, value: Option<&str>) -> Result<(), Broken> {
    match value {
        None if field.required() => Err(Broken("is required".into())),
        Some(s) if field.required() && s.trim().is_empty() => Err(Broken("is required".into())),
        Some(s) => length(field, s),
        None => Ok(()),
    }
}

/// Only the length part of [`text`]: for callers that say "is required" their own way.
pub fn length(field: TextField, value: &str) -> Result<(), Broken> {
    if value.chars().count() > field.max_chars() {
        Err(Broken(format!(
            "must be at most {} characters",
            field.max_chars()
        )))
    } else {
        Ok(())
    }
}

/// `local@domain` with both parts present and no spaces, at most [`EMAIL_CHARS`] characters:
/// enough to tell a typo from an address, as the document gives no pattern.
pub fn is_email(s: &str) -> bool {
    s.chars().count() <= EMAIL_CHARS
        && !s.chars().any(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
}

/// `driver_email` after [`text`]: a driver's RouteMate login (surrounding spaces forgiven).
pub fn driver_email(value: &str) -> Result<(), Broken> {
    if is_email(value.trim()) {
        Ok(())
    } else {
        Err(Broken("must be an email address (local@domain)".into()))
    }
}

/// The number of stops: at least one, at most [`MAX_STOPS`].
pub fn stop_count(n: usize) -> Result<(), Broken> {
    match n {
        0 => Err(Broken("must not be empty".into())),
        n if n > MAX_STOPS => Err(Broken(format!("must have at most {MAX_STOPS} stops"))),
        _ => Ok(()),
    }
}

/// A stop's `parcel_count`, given as the integer it was read as (`None`: not an integer).
pub fn parcel_count(n: Option<i64>) -> Result<u32, Broken> {
    n.and_then(|n| u32::try_from(n).ok())
        .filter(|n| (1..=MAX_PARCELS).contains(n))
        .ok_or_else(|| Broken(format!("must be an integer from 1 to {MAX_PARCELS}")))
}

/// An `external_stop_id` seen before in the same job, at stop `first`.
pub fn duplicate_stop_id(first: usize) -> Broken {
    Broken(format!("must be unique (stops[{first}] has it too)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_required_and_bounded() {
        use TextField::*;
        assert_eq!(text(Title, None), Err(Broken("is required".into())));
        assert_eq!(text(Address, Some("  ")), Err(Broken("is required".into())));
        assert_eq!(text(Label, None), Ok(()));
        assert_eq!(text(Label, Some("")), Ok(()));
        assert_eq!(text(ExternalStopId, Some(&"x".repeat(100))), Ok(()));
        assert_eq!(
            text(ExternalStopId, Some(&"x".repeat(101))).unwrap_err().0,
            "must be at most 100 characters"
        );
        // Characters, not bytes: 200 kanji fit.
        assert_eq!(text(Address, Some(&"港".repeat(200))), Ok(()));
        assert_eq!(
            text(Label, Some(&"港".repeat(201))).unwrap_err().0,
            "must be at most 200 characters"
        );
        assert_eq!(DriverEmail.max_chars(), 254);
        assert_eq!(ExternalJobId.name(), "external_job_id");
    }

    #[test]
    fn emails_need_both_parts() {
        for ok in ["a@b", "driver@example.com", "x.y+z@routemate.example"] {
            assert!(is_email(ok), "{ok}");
            assert_eq!(driver_email(&format!(" {ok} ")), Ok(()));
        }
        for bad in [
            "",
            "a",
            "@b",
            "a@",
            "a@b@c",
            "a b@c",
            &format!("{}@b", "a".repeat(253)),
        ] {
            assert!(!is_email(bad), "{bad}");
            assert_eq!(
                driver_email(bad).unwrap_err().0,
                "must be an email address (local@domain)"
            );
        }
    }

    #[test]
    fn counts_are_bounded() {
        assert_eq!(stop_count(0).unwrap_err().0, "must not be empty");
        assert_eq!(stop_count(500), Ok(()));
        assert_eq!(
            stop_count(501).unwrap_err().0,
            "must have at most 500 stops"
        );
        assert_eq!(parcel_count(Some(1)), Ok(1));
        assert_eq!(parcel_count(Some(999)), Ok(999));
        for bad in [None, Some(0), Some(1000), Some(-1), Some(i64::MAX)] {
            assert_eq!(
                parcel_count(bad).unwrap_err().0,
                "must be an integer from 1 to 999",
                "{bad:?}"
            );
        }
        assert_eq!(
            duplicate_stop_id(0).to_string(),
            "must be unique (stops[0] has it too)"
        );
    }
}
