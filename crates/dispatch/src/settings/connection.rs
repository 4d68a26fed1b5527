//! "接続テスト": whether a service answers at a URL and accepts the credentials, and how fast,
//! before anything is saved. One request each, no retries (a test should answer in seconds,
//! and say the first failure as it is).

use std::time::{Duration, Instant};

use hakobu_diaq::StoreQuery;
use hakobu_diaq_client::{ClientError, DiaqClient, RetryPolicy};
use hakobu_routemate_client::{RouteMateClient, RouteMateError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a connection test found. `field` names where the problem is (the URL when nothing
/// answered, the key or secret when it was refused).
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
    /// What went wrong, in the service's or the network's words.
    pub message: Option<String>,
}

const ONE_TRY: RetryPolicy = RetryPolicy {
    max_attempts: 1,
    base: Duration::from_millis(0),
    cap: Duration::from_millis(0),
};

impl ServiceCheck {
    fn ok(latency: Duration, key_accepted: Option<bool>) -> ServiceCheck {
        ServiceCheck {
            reachable: true,
            key_accepted,
            latency_ms: Some(millis(latency)),
            field: None,
            message: None,
        }
    }

    fn at(field: &str, message: String) -> ServiceCheck {
        ServiceCheck {
            reachable: false,
            key_accepted: None,
            latency_ms: None,
            field: Some(field.to_owned()),
            message: Some(message),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// DIAq: one page of one store, which needs the key.
pub async fn diaq(url: &str, api_key: &str) -> ServiceCheck {
    let client = match DiaqClient::new(url, api_key) {
        Ok(c) => c.with_retry(ONE_TRY),
        Err(e) => return ServiceCheck::at("diaq_url", e.to_string()),
    };
    let started = Instant::now();
    let result = client.list_stores(&StoreQuery::default(), 1, Some(1)).await;
    let latency = started.elapsed();
    match result {
        Ok(_) => ServiceCheck::ok(latency, Some(true)),
        Err(ClientError::Unauthorized) => ServiceCheck {
            reachable: true,
            key_accepted: Some(false),
            latency_ms: Some(millis(latency)),
            field: Some("diaq_api_key".into()),
            message: Some(ClientError::Unauthorized.to_string()),
        },
        Err(e @ ClientError::Transport(_)) => ServiceCheck::at("diaq_url", e.to_string()),
        Err(e) => ServiceCheck {
            reachable: true,
            key_accepted: None,
            latency_ms: Some(millis(latency)),
            field: Some("diaq_url".into()),
            message: Some(e.to_string()),
        },
    }
}

/// RouteMate: a token for the client credentials, then one page of jobs.
pub async fn routemate(url: &str, client_id: &str, client_secret: &str) -> ServiceCheck {
    let client = match RouteMateClient::new(url, client_id, client_secret) {
        Ok(c) => c.with_retry(ONE_TRY),
        Err(e) => return ServiceCheck::at("routemate_url", e.to_string()),
    };
    let started = Instant::now();
    let result = client.jobs(1).await;
    let latency = started.elapsed();
    match result {
        Ok(_) => ServiceCheck::ok(latency, Some(true)),
        Err(e @ RouteMateError::Unauthorized { .. }) => ServiceCheck {
            reachable: true,
            key_accepted: Some(false),
            latency_ms: Some(millis(latency)),
            field: Some("routemate_client_secret".into()),
            message: Some(e.to_string()),
        },
        Err(e @ RouteMateError::Transport(_)) => ServiceCheck::at("routemate_url", e.to_string()),
        Err(e) => ServiceCheck {
            reachable: true,
            key_accepted: None,
            latency_ms: Some(millis(latency)),
            field: Some("routemate_url".into()),
            message: Some(e.to_string()),
        },
    }
}

/// OSRM: a 2×2 table in central Tokyo (no credentials).
pub async fn osrm(url: &str) -> ServiceCheck {
    let client = match hakobu_osrm::OsrmClient::new(url, hakobu_osrm::DEFAULT_PROFILE) {
        Ok(c) => c,
        Err(e) => return ServiceCheck::at("osrm_url", e.to_string()),
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
    let result = client.table(&points).await;
    let latency = started.elapsed();
    match result {
        Ok(_) => ServiceCheck::ok(latency, None),
        Err(e) => ServiceCheck::at("osrm_url", e.to_string()),
    }
}
