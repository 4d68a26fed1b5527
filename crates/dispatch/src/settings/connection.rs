//! "接続テスト": whether a service answers at a URL and accepts the credentials, and how fast,
//! before anything is saved. One request each, no retries (a test should answer in seconds,
//! and say the first failure as it is).

use std::time::{Duration, Instant};

use hakobu_diaq::StoreQuery;
use hakobu_diaq_client::{ClientError, DiaqClient, RetryPolicy};
use hakobu_osrm::OsrmError;
use hakobu_routemate_client::{RouteMateClient, RouteMateError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a connection test found. `field` names where the problem is (the URL when nothing
/// answered, the key or secret when it was refused); `failure` is why, as a fact the view words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceCheck {
    /// Something answered at the URL.
    pub reachable: bool,
    /// The credentials were accepted; `null` when the service has none (OSRM) or nothing
    /// answered.
    pub key_accepted: Option<bool>,
    /// How long the answer took, in milliseconds (`null` when there was none).
    #[ts(type = "number | null")]
    pub latency_ms: Option<u64>,
    /// The form field the problem is at, `null` when all is well.
    pub field: Option<String>,
    /// Why the test failed, `null` when all is well.
    pub failure: Option<CheckFailure>,
    /// What went wrong, in the service's or the network's words (English; for the log and
    /// support, and shown as it is where the view does not know `failure`).
    pub message: Option<String>,
}

/// Why a connection test failed. The client's error says what it saw; when it saw no answer,
/// the test looks at the host itself (name, then a TCP connection) to say which part failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckFailure {
    /// No client could be made for the URL.
    MalformedUrl,
    /// The host's name did not resolve.
    UnknownHost { host: String },
    /// Nothing listens at the host's port: the connection was refused.
    Refused { host: String, port: u16 },
    /// The host could not be connected to for another reason (no route, network down).
    Unreachable { host: String },
    /// No answer within `seconds`.
    Timeout { seconds: u64 },
    /// Connected, but no answer could be read (TLS, a proxy, cut off, not JSON).
    NoAnswer,
    /// The key or the client credentials were refused (401).
    KeyRefused,
    /// 404: something answers at the URL, but not the service (a path missing or extra).
    NotFound,
    /// A redirect to another origin, not followed (the credentials stay with the URL's).
    Redirected,
    /// Another HTTP status.
    Status { status: u16 },
    /// An answer, but not what the service sends.
    UnexpectedAnswer,
    /// OSRM answered, but has no roads at the test's points in central Tokyo (its map does
    /// not cover them).
    OutsideMap,
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckFailure::MalformedUrl => f.write_str("is not a URL a client can be made for"),
            CheckFailure::UnknownHost { host } => write!(f, "{host}: no such host"),
            CheckFailure::Refused { host, port } => {
                write!(f, "{host}:{port} refused the connection")
            }
            CheckFailure::Unreachable { host } => write!(f, "{host} cannot be reached"),
            CheckFailure::Timeout { seconds } => write!(f, "no answer within {seconds} s"),
            CheckFailure::NoAnswer => f.write_str("connected, but no answer could be read"),
            CheckFailure::KeyRefused => f.write_str("the credentials were refused"),
            CheckFailure::NotFound => f.write_str("answered 404: not the service's URL"),
            CheckFailure::Redirected => f.write_str("redirected to another origin: not followed"),
            CheckFailure::Status { status } => write!(f, "answered HTTP {status}"),
            CheckFailure::UnexpectedAnswer => f.write_str("answered, but not as the service does"),
            CheckFailure::OutsideMap => f.write_str("has no roads in central Tokyo on its map"),
        }
    }
}

const ONE_TRY: RetryPolicy = RetryPolicy {
    max_attempts: 1,
    base: Duration::from_millis(0),
    cap: Duration::from_millis(0),
};

/// The longest a test waits for its answer (a test should answer in seconds).
pub const TEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest the look at a host that did not answer waits for its name, then its port.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

impl ServiceCheck {
    fn ok(latency: Duration, key_accepted: Option<bool>) -> ServiceCheck {
        ServiceCheck {
            reachable: true,
            key_accepted,
            latency_ms: Some(millis(latency)),
            field: None,
            failure: None,
            message: None,
        }
    }

    /// Nothing (usable) answered.
    fn at(field: &str, failure: CheckFailure, message: String) -> ServiceCheck {
        ServiceCheck {
            reachable: false,
            key_accepted: None,
            latency_ms: None,
            field: Some(field.to_owned()),
            failure: Some(failure),
            message: Some(message),
        }
    }

    /// An answer that is not the one wanted (`key_accepted`: `Some(false)` for a refused key).
    fn answered(
        field: &str,
        latency: Duration,
        key_accepted: Option<bool>,
        failure: CheckFailure,
        message: String,
    ) -> ServiceCheck {
        ServiceCheck {
            reachable: true,
            key_accepted,
            latency_ms: Some(millis(latency)),
            field: Some(field.to_owned()),
            failure: Some(failure),
            message: Some(message),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn timeout_failure(limit: Duration) -> CheckFailure {
    CheckFailure::Timeout {
        seconds: limit.as_secs(),
    }
}

/// Why nothing answered at `url`: its host's name looked up, then its port connected to, each
/// within [`PROBE_TIMEOUT`]. Connected means the failure came after (TLS, a proxy, an answer
/// cut off or not JSON): [`CheckFailure::NoAnswer`]. Only asked after the client saw no answer,
/// so a proxy the client goes through never stands in a working test's way.
pub async fn why_no_answer(url: &str) -> CheckFailure {
    let Some((host, port)) = hakobu_retry::edge::host_and_port(url) else {
        return CheckFailure::MalformedUrl;
    };
    let found =
        tokio::time::timeout(PROBE_TIMEOUT, tokio::net::lookup_host((host.clone(), port))).await;
    let addresses: Vec<std::net::SocketAddr> = match found {
        Err(_) => return timeout_failure(PROBE_TIMEOUT),
        Ok(Err(_)) => return CheckFailure::UnknownHost { host },
        Ok(Ok(found)) => found.collect(),
    };
    if addresses.is_empty() {
        return CheckFailure::UnknownHost { host };
    }
    match tokio::time::timeout(
        PROBE_TIMEOUT,
        tokio::net::TcpStream::connect(addresses.as_slice()),
    )
    .await
    {
        Err(_) => timeout_failure(PROBE_TIMEOUT),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            CheckFailure::Refused { host, port }
        }
        Ok(Err(_)) => CheckFailure::Unreachable { host },
        Ok(Ok(_)) => CheckFailure::NoAnswer,
    }
}

/// A status answer's failure: 404 (not the service), a 3xx (a redirect not followed), other.
fn status_failure(status: u16) -> CheckFailure {
    match status {
        404 => CheckFailure::NotFound,
        300..=399 => CheckFailure::Redirected,
        _ => CheckFailure::Status { status },
    }
}

/// DIAq: one page of one store, which needs the key.
pub async fn diaq(url: &str, api_key: &str) -> ServiceCheck {
    let client = match DiaqClient::new(url, api_key) {
        Ok(c) => c.with_retry(ONE_TRY),
        Err(e) => return ServiceCheck::at("diaq_url", CheckFailure::MalformedUrl, e.to_string()),
    };
    let started = Instant::now();
    let result = tokio::time::timeout(
        TEST_TIMEOUT,
        client.list_stores(&StoreQuery::default(), 1, Some(1)),
    )
    .await;
    let latency = started.elapsed();
    let field = "diaq_url";
    match result {
        Err(_) => ServiceCheck::at(
            field,
            timeout_failure(TEST_TIMEOUT),
            format!("no answer within {} s", TEST_TIMEOUT.as_secs()),
        ),
        Ok(Ok(_)) => ServiceCheck::ok(latency, Some(true)),
        Ok(Err(e @ ClientError::Unauthorized)) => ServiceCheck::answered(
            "diaq_api_key",
            latency,
            Some(false),
            CheckFailure::KeyRefused,
            e.to_string(),
        ),
        Ok(Err(e @ ClientError::Transport(_))) => {
            ServiceCheck::at(field, why_no_answer(url).await, e.to_string())
        }
        Ok(Err(e)) => {
            let failure = match &e {
                ClientError::NotFound { .. } => CheckFailure::NotFound,
                ClientError::Server { status, .. } => status_failure(*status),
                ClientError::BadRequest { .. } => CheckFailure::Status { status: 400 },
                _ => CheckFailure::UnexpectedAnswer,
            };
            ServiceCheck::answered(field, latency, None, failure, e.to_string())
        }
    }
}

/// RouteMate: a token for the client credentials, then one page of jobs.
pub async fn routemate(url: &str, client_id: &str, client_secret: &str) -> ServiceCheck {
    let field = "routemate_url";
    let client = match RouteMateClient::new(url, client_id, client_secret) {
        Ok(c) => c.with_retry(ONE_TRY),
        Err(e) => return ServiceCheck::at(field, CheckFailure::MalformedUrl, e.to_string()),
    };
    let started = Instant::now();
    let result = tokio::time::timeout(TEST_TIMEOUT, client.jobs(1)).await;
    let latency = started.elapsed();
    match result {
        Err(_) => ServiceCheck::at(
            field,
            timeout_failure(TEST_TIMEOUT),
            format!("no answer within {} s", TEST_TIMEOUT.as_secs()),
        ),
        Ok(Ok(_)) => ServiceCheck::ok(latency, Some(true)),
        Ok(Err(e @ RouteMateError::Unauthorized { .. })) => ServiceCheck::answered(
            "routemate_client_secret",
            latency,
            Some(false),
            CheckFailure::KeyRefused,
            e.to_string(),
        ),
        Ok(Err(e @ RouteMateError::Transport(_))) => {
            ServiceCheck::at(field, why_no_answer(url).await, e.to_string())
        }
        Ok(Err(e)) => {
            let failure = match &e {
                RouteMateError::NotFound { .. } => CheckFailure::NotFound,
                RouteMateError::Server { status, .. } => status_failure(*status),
                RouteMateError::BadRequest { .. } => CheckFailure::Status { status: 400 },
                RouteMateError::Conflict { .. } => CheckFailure::Status { status: 409 },
                RouteMateError::Unprocessable { .. } => CheckFailure::Status { status: 422 },
                _ => CheckFailure::UnexpectedAnswer,
            };
            ServiceCheck::answered(field, latency, None, failure, e.to_string())
        }
    }
}

/// OSRM: a 2×2 table in central Tokyo (no credentials).
pub async fn osrm(url: &str) -> ServiceCheck {
    let client = match hakobu_osrm::OsrmClient::new(url, hakobu_osrm::DEFAULT_PROFILE) {
        Ok(c) => c,
        Err(e) => return ServiceCheck::at("osrm_url", CheckFailure::MalformedUrl, e.to_string()),
    };
    let points = [
        hakobu_geo::Point {
            lat: 35.681_236,
            lng: 139.767_125,
        },
        hakobu_geo::Point {
            lat: 35.658_034,
            lng: 139.701_636,
        },
    ];
    let started = Instant::now();
    let result = tokio::time::timeout(TEST_TIMEOUT, client.table(&points)).await;
    let latency = started.elapsed();
    let field = "osrm_url";
    match result {
        Err(_) => ServiceCheck::at(
            field,
            timeout_failure(TEST_TIMEOUT),
            format!("no answer within {} s", TEST_TIMEOUT.as_secs()),
        ),
        Ok(Ok(_)) => ServiceCheck::ok(latency, None),
        Ok(Err(e @ OsrmError::Transport(_))) => {
            ServiceCheck::at(field, why_no_answer(url).await, e.to_string())
        }
        Ok(Err(e @ OsrmError::Timeout(limit))) => {
            ServiceCheck::at(field, timeout_failure(limit), e.to_string())
        }
        Ok(Err(e)) => {
            let failure = match &e {
                OsrmError::Status { status, .. } => status_failure(*status),
                OsrmError::TooFarFromRoad { .. } | OsrmError::Unroutable { .. } => {
                    CheckFailure::OutsideMap
                }
                _ => CheckFailure::UnexpectedAnswer,
            };
            ServiceCheck::answered(field, latency, None, failure, e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A port nothing listens on (bound, then let go).
    fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn no_answer_is_said_as_which_part_failed() {
        let port = free_port();
        assert_eq!(
            why_no_answer(&format!("http://127.0.0.1:{port}")).await,
            CheckFailure::Refused {
                host: "127.0.0.1".into(),
                port,
            }
        );
        assert_eq!(
            why_no_answer("https://no-such-host.invalid").await,
            CheckFailure::UnknownHost {
                host: "no-such-host.invalid".into()
            }
        );
        assert_eq!(why_no_answer("no url").await, CheckFailure::MalformedUrl);
        // Something listens: the failure came after connecting.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        assert_eq!(why_no_answer(&url).await, CheckFailure::NoAnswer);
    }

    #[tokio::test]
    async fn each_failure_comes_with_its_kind_and_the_words_it_was_said_in() {
        let port = free_port();
        let down = diaq(&format!("http://127.0.0.1:{port}"), "k").await;
        assert_eq!(
            (
                down.reachable,
                down.field.as_deref(),
                down.failure.clone(),
                down.latency_ms
            ),
            (
                false,
                Some("diaq_url"),
                Some(CheckFailure::Refused {
                    host: "127.0.0.1".into(),
                    port
                }),
                None
            ),
        );
        assert!(
            down.message
                .as_deref()
                .is_some_and(|m| m.starts_with("could not reach the API")),
            "{down:?}"
        );
        let osrm_down = osrm(&format!("http://127.0.0.1:{port}")).await;
        assert_eq!(
            osrm_down.failure,
            Some(CheckFailure::Refused {
                host: "127.0.0.1".into(),
                port
            })
        );
        assert_eq!(
            serde_json::to_value(&down).unwrap()["failure"],
            serde_json::json!({"kind": "refused", "host": "127.0.0.1", "port": port})
        );
    }

    #[tokio::test]
    async fn a_service_that_never_answers_is_a_timeout_after_the_tests_limit() {
        // Accepts connections (the kernel's backlog) and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let started = Instant::now();
        let silent = diaq(&url, "k").await;
        assert_eq!(
            silent.failure,
            Some(CheckFailure::Timeout {
                seconds: TEST_TIMEOUT.as_secs()
            }),
            "{silent:?}"
        );
        assert_eq!(silent.field.as_deref(), Some("diaq_url"));
        assert!(started.elapsed() < TEST_TIMEOUT + Duration::from_secs(3));
        drop(listener);
    }
}
