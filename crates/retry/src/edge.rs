//! The reqwest client both API clients use, and the rules at its edge: credentials go only to
//! the configured origin, over https unless the server is this computer, and an answer is read
//! only up to a size.
//!
//! Redirects: reqwest follows them by default and strips only the standard credential headers
//! (`Authorization`, `Cookie`) on the way to another host — DIAq's `Api-Key` would go along,
//! and a 307/308 resends a POST body such as RouteMate's `client_secret`. So a redirect is
//! followed only within the origin the request went to (same scheme, host and port); any other
//! is answered as the 3xx it is, never sent on ([`redirect_refusal`] words it).

use std::time::Duration;

use reqwest::redirect::{Attempt, Policy};
use reqwest::{Response, Url};

/// The most a single answer may be. A page of 100 orders is about 200 KB; anything near this
/// is a server gone wrong, which must end in an error, not in memory exhaustion.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Redirects followed within one origin before giving up (reqwest's own limit).
const MAX_REDIRECTS: usize = 10;

fn same_origin(attempt: &Attempt<'_>) -> bool {
    attempt
        .previous()
        .last()
        .is_some_and(|from| from.origin() == attempt.url().origin())
}

/// Follows a redirect only to the origin the request went to.
pub fn same_origin_redirects() -> Policy {
    Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if same_origin(&attempt) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// The client builder both API clients start from: timeouts, the user agent, and
/// [`same_origin_redirects`].
pub fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("hakobu/", env!("CARGO_PKG_VERSION")))
        .redirect(same_origin_redirects())
}

/// A redirect answer that was not followed, in words: where it pointed (origin only, so no
/// path or query from the server lands in a message) and why it was not followed.
pub fn redirect_refusal(response: &Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let to = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| response.url().join(l).ok())
        .map_or_else(
            || "nowhere".to_owned(),
            |u| u.origin().ascii_serialization(),
        );
    Some(format!(
        "redirected to {to}, another origin than {}: not followed, so the credentials stay with the configured server (check its URL)",
        response.url().origin().ascii_serialization()
    ))
}

/// How an API endpoint's URL breaks [`endpoint_rule`]: facts for a view to word, `Display`
/// the English (the one home of these sentences).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointRefusal {
    /// Not an absolute URL with a host (`api.dia-9.com`, `https://`).
    NotAUrl,
    /// A URL of another scheme than http(s) (`ftp`).
    Scheme { scheme: String },
    /// Plain `http://` to a host other than this computer.
    PlainHttp { host: String },
}

impl std::fmt::Display for EndpointRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndpointRefusal::NotAUrl => {
                f.write_str("must start with https:// (a URL like https://api.example.com)")
            }
            EndpointRefusal::Scheme { scheme } => {
                write!(f, "must start with https:// (not {scheme}://)")
            }
            EndpointRefusal::PlainHttp { host } => write!(
                f,
                "must start with https:// for {host} (plain http:// only for this computer: localhost, 127.0.0.1, ::1)"
            ),
        }
    }
}

/// The rule an API endpoint's URL must meet, or how it breaks it: an `http(s)` URL with a
/// host, and `https` unless the host is this computer (`localhost`, `127.0.0.0/8`, `::1`) — a
/// key or secret sent over plain http can be read on the way.
pub fn endpoint_rule(url: &str) -> Result<(), EndpointRefusal> {
    let parsed = Url::parse(url.trim()).map_err(|_| EndpointRefusal::NotAUrl)?;
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Err(EndpointRefusal::NotAUrl);
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(EndpointRefusal::PlainHttp {
            host: host.to_owned(),
        }),
        other => Err(EndpointRefusal::Scheme {
            scheme: other.to_owned(),
        }),
    }
}

/// The host (without an IPv6 address's brackets) and port a URL connects to, its scheme's
/// default port when it names none; `None` for a URL without a host.
pub fn host_and_port(url: &str) -> Option<(String, u16)> {
    let parsed = Url::parse(url.trim()).ok()?;
    let host = parsed.host_str().filter(|h| !h.is_empty())?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    Some((host, parsed.port_or_known_default()?))
}

/// `localhost`, or a loopback address (`[::1]` as the URL writes it).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What reading a body up to [`MAX_BODY_BYTES`] can end in.
#[derive(Debug)]
pub enum BodyError {
    /// The answer was cut off (connection lost, timeout): no answer.
    Read(reqwest::Error),
    /// The answer is longer than the cap; reading stopped there.
    TooLarge { limit: usize },
}

/// The body, read chunk by chunk and given up once past `limit` (a `Content-Length` above it
/// is refused before reading anything).
pub async fn read_capped(mut response: Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What reading a 2xx answer where JSON is expected can end in, sorted by what the caller
/// does about it.
#[derive(Debug)]
pub enum JsonBodyError {
    /// No answer: the body was cut off, or is not JSON at all (a proxy's page, an empty
    /// body). Whether a write was applied is unknown, so this is neither a success nor a
    /// refusal: a request that may repeat is sent again, and a keyed resend finds out.
    NoAnswer(NoAnswer),
    /// The body is longer than the cap: an answer, but one the app cannot read.
    TooLarge { limit: usize },
}

/// Why a 2xx answer counts as no answer.
#[derive(Debug)]
pub enum NoAnswer {
    /// The body was cut off (connection lost, timeout).
    Read(reqwest::Error),
    /// The body was read and is not JSON; the words say so ([`read_json`]).
    NotJson(String),
}

/// A 2xx answer's body where JSON is expected, read up to [`MAX_BODY_BYTES`]. One home for
/// the rule both clients follow: JSON of the wrong shape is the caller's `Decode` (an answer
/// it cannot read); no JSON at all is [`JsonBodyError::NoAnswer`].
pub async fn read_json(response: Response) -> Result<Vec<u8>, JsonBodyError> {
    let status = response.status();
    match read_capped(response, MAX_BODY_BYTES).await {
        Ok(bytes) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() => Ok(bytes),
        Ok(bytes) => Err(JsonBodyError::NoAnswer(NoAnswer::NotJson(format!(
            "answered {status} without JSON ({} bytes): counted as no answer",
            bytes.len()
        )))),
        Err(BodyError::Read(e)) => Err(JsonBodyError::NoAnswer(NoAnswer::Read(e))),
        Err(BodyError::TooLarge { limit }) => Err(JsonBodyError::TooLarge { limit }),
    }
}

/// A refusal's body as text, for its `{"error"}` message: read up to 64 KiB (the message is
/// at most a line), whatever is left unread or unreadable is dropped.
pub async fn error_text(response: Response) -> String {
    const ERROR_BODY_BYTES: usize = 64 * 1024;
    match read_capped(response, ERROR_BODY_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    }
}

/// The words for [`BodyError::TooLarge`].
pub fn too_large(limit: usize) -> String {
    format!(
        "the answer is larger than {} MiB: not read further",
        limit / (1024 * 1024)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_connects_to_its_host_and_port() {
        assert_eq!(
            host_and_port("https://api.dia-9.com/v1"),
            Some(("api.dia-9.com".into(), 443))
        );
        assert_eq!(
            host_and_port("http://127.0.0.1:8080"),
            Some(("127.0.0.1".into(), 8080))
        );
        assert_eq!(
            host_and_port("http://[::1]:9000"),
            Some(("::1".into(), 9000))
        );
        assert_eq!(host_and_port("api.dia-9.com"), None);
    }

    #[test]
    fn endpoints_need_https_except_on_this_computer() {
        for ok in [
            "https://api.dia-9.com",
            "https://api.routemate.app/",
            "http://127.0.0.1:8080",
            "http://127.8.0.1",
            "http://localhost:3000",
            "http://LOCALHOST",
            "http://[::1]:9000",
        ] {
            assert_eq!(endpoint_rule(ok), Ok(()), "{ok}");
        }
        let plain = endpoint_rule("http://api.dia-9.com").unwrap_err();
        assert_eq!(
            plain,
            EndpointRefusal::PlainHttp {
                host: "api.dia-9.com".into()
            }
        );
        assert_eq!(
            plain.to_string(),
            "must start with https:// for api.dia-9.com (plain http:// only for this computer: localhost, 127.0.0.1, ::1)"
        );
        assert!(
            endpoint_rule("http://192.168.1.5")
                .unwrap_err()
                .to_string()
                .starts_with("must start with https:// for 192.168.1.5")
        );
        assert!(endpoint_rule("http://localhost.evil.example").is_err());
        assert!(endpoint_rule("http://127.0.0.1.evil.example").is_err());
        let scheme = endpoint_rule("ftp://x.example").unwrap_err();
        assert_eq!(
            scheme,
            EndpointRefusal::Scheme {
                scheme: "ftp".into()
            }
        );
        assert_eq!(scheme.to_string(), "must start with https:// (not ftp://)");
        for bad in ["api.dia-9.com", "", "https://"] {
            let refusal = endpoint_rule(bad).unwrap_err();
            assert_eq!(refusal, EndpointRefusal::NotAUrl, "{bad}");
            assert_eq!(
                refusal.to_string(),
                "must start with https:// (a URL like https://api.example.com)"
            );
        }
    }
}
