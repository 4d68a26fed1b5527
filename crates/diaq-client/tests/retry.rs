//! Retries against a real HTTP server that fails on purpose: GETs and keyed writes are
//! retried on 5xx/429/connection errors, plain writes never, 4xx never.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use hakobu_diaq_client::{ClientError, DiaqClient, RetryPolicy};

/// A server whose routes fail `failures` times with `status`, then answer as DIAq would.
async fn flaky(failures: usize, status: StatusCode) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let (h1, h2) = (hits.clone(), hits.clone());
    let app = Router::new()
        .route(
            "/v1/time_zones",
            get(move || {
                let n = h1.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < failures {
                        (status, "{\"error\":\"busy\"}".to_owned())
                    } else {
                        (StatusCode::OK, "[]".to_owned())
                    }
                }
            }),
        )
        .route(
            "/v1/deliveries/",
            post(move |headers: HeaderMap| {
                let n = h2.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert_eq!(
                        headers.get("Api-Key").unwrap(),
                        "k",
                        "every attempt keeps the key"
                    );
                    if n < failures {
                        (status, "{\"error\":\"busy\"}".to_owned())
                    } else {
                        (
                            StatusCode::BAD_REQUEST,
                            "{\"error\":\"store_id: store not found\"}".to_owned(),
                        )
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, hits)
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base: Duration::from_millis(5),
        cap: Duration::from_millis(20),
    }
}

#[tokio::test]
async fn a_get_is_retried_through_5xx_and_429_until_it_succeeds() {
    for status in [
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let (base, hits) = flaky(2, status).await;
        let client = DiaqClient::new(&base, "k").unwrap().with_retry(fast());
        assert_eq!(client.time_zones().await.unwrap(), vec![]);
        assert_eq!(hits.load(Ordering::SeqCst), 3, "{status}");
    }
}

#[tokio::test]
async fn retries_stop_at_the_policy_limit_with_the_last_answer() {
    let (base, hits) = flaky(10, StatusCode::BAD_GATEWAY).await;
    let client = DiaqClient::new(&base, "k").unwrap().with_retry(fast());
    let e = client.time_zones().await.unwrap_err();
    assert_eq!(
        e,
        ClientError::Server {
            status: 502,
            message: "busy".into()
        }
    );
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn writes_are_retried_only_with_an_idempotency_key_and_never_on_4xx() {
    let body = serde_json::json!({});
    let (base, hits) = flaky(1, StatusCode::INTERNAL_SERVER_ERROR).await;
    let client = DiaqClient::new(&base, "k").unwrap().with_retry(fast());
    assert!(matches!(
        client.create_delivery(&body).await,
        Err(ClientError::Server { status: 500, .. })
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a plain POST is sent once");

    // A keyed POST is repeated only after a 429 (refused before any work): after a 5xx it
    // may have been made, and DIAq's document promises no Idempotency-Key to catch a repeat.
    let (base, hits) = flaky(2, StatusCode::TOO_MANY_REQUESTS).await;
    let client = DiaqClient::new(&base, "k").unwrap().with_retry(fast());
    let e = client
        .create_delivery_keyed(&body, "key-1")
        .await
        .unwrap_err();
    assert_eq!(
        e.field(),
        Some("store_id"),
        "the 400 after two 429s, not retried"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    let (base, hits) = flaky(2, StatusCode::INTERNAL_SERVER_ERROR).await;
    let client = DiaqClient::new(&base, "k").unwrap().with_retry(fast());
    assert!(matches!(
        client.create_delivery_keyed(&body, "key-1").await,
        Err(ClientError::Server { status: 500, .. })
    ));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a keyed POST is not sent again after a 500"
    );
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported_as_transport() {
    // Nothing listens on port 9 of loopback.
    let client = DiaqClient::new("http://127.0.0.1:9", "k")
        .unwrap()
        .with_retry(fast());
    assert!(matches!(
        client.time_zones().await,
        Err(ClientError::Transport(_))
    ));
}
