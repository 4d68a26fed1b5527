//! What can go wrong asking OSRM for a table, sorted by what the caller does about it.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OsrmError {
    /// The configured base URL is not `http(s)://…`. A settings problem.
    #[error("OSRM URL must start with http:// or https://: {0:?}")]
    InvalidUrl(String),
    /// The profile is not a bare path segment (`driving`, `car`, `bike` …).
    #[error("OSRM profile must be letters, digits, '-' or '_': {0:?}")]
    InvalidProfile(String),
    /// No answer within the client's timeout. Worth retrying later.
    #[error("OSRM did not answer within {0:?}")]
    Timeout(Duration),
    /// No answer at all: connection refused, DNS, TLS. Worth retrying later.
    #[error("could not reach OSRM: {0}")]
    Transport(String),
    /// OSRM's own refusal (`code` other than `"Ok"`), e.g. `InvalidOptions` with "Coordinates are
    /// invalid", `NoSegment`, `InvalidUrl`. Whatever the HTTP status, this is what OSRM said.
    #[error("OSRM {code}: {message}")]
    Osrm { code: String, message: String },
    /// An HTTP error that is not an OSRM answer (a proxy's 502 page, a 404 from another server).
    #[error("OSRM URL answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    /// A 200 whose body is not the table OSRM documents.
    #[error("unexpected OSRM response: {0}")]
    Decode(String),
    /// OSRM snapped a point to a road farther away than the client's limit: the point is
    /// probably outside the server's map extract, and a table from the snapped road would lie.
    #[error(
        "point {index} is {metres:.0} m from the nearest road OSRM knows (limit {limit:.0} m): is it outside the server's map?"
    )]
    TooFarFromRoad {
        index: usize,
        metres: f64,
        limit: f64,
    },
    /// OSRM found no road route between these (from, to) pairs (its `null` entries): the points
    /// sit on parts of the network that do not connect (an island, a one-way trap, a car-free
    /// street). `OsrmClient::table_or_great_circle` estimates them instead.
    #[error("OSRM found no road route for {} pair(s): {}", pairs.len(), sample(pairs))]
    Unroutable { pairs: Vec<(usize, usize)> },
}

fn sample(pairs: &[(usize, usize)]) -> String {
    const SHOWN: usize = 6;
    let mut s = pairs
        .iter()
        .take(SHOWN)
        .map(|(from, to)| format!("{from}→{to}"))
        .collect::<Vec<_>>()
        .join(", ");
    if pairs.len() > SHOWN {
        s.push_str(", …");
    }
    s
}

impl OsrmError {
    pub(crate) fn from_reqwest(e: reqwest::Error, timeout: Duration) -> OsrmError {
        if e.is_timeout() {
            OsrmError::Timeout(timeout)
        } else {
            // The URL carries every coordinate of the block: too long for a message.
            OsrmError::Transport(error_chain(&e.without_url()))
        }
    }

    /// OSRM's answer that the request held too many sources × destinations for the server's
    /// `--max-table-size`.
    pub(crate) fn is_too_big(&self) -> bool {
        matches!(self, OsrmError::Osrm { code, .. } if code == "TooBig")
    }
}

/// reqwest's top-level message ("error sending request") hides the cause ("Connection refused").
fn error_chain(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unroutable_names_a_few_pairs() {
        let e = OsrmError::Unroutable {
            pairs: (0..8).map(|i| (i, 9)).collect(),
        };
        let text = e.to_string();
        assert!(
            text.starts_with("OSRM found no road route for 8 pair(s): 0→9, 1→9"),
            "{text}"
        );
        assert!(text.ends_with("5→9, …"), "{text}");
    }
}
