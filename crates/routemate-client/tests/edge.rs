//! The HTTP edge of the RouteMate client against real servers on port 0 (issue 23 §3): a token
//! request redirected to another origin is not followed, so the `client_secret` in its body
//! (which a 307/308 would resend) never reaches that server; an answer past the size cap is an
//! error; a 2xx that is not JSON (a proxy's page) is no answer, sent again like a lost one.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::any;
use hakobu_routemate_client::{RetryPolicy, RouteMateClient, RouteMateError};

const SECRET: &str = "rm_cs_do_not_leak";

async fn serve(app: Router, host: &str) -> String {
    let listener = tokio::net::TcpListener::bind((host, 0)).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn once() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn a_redirected_token_request_never_takes_the_secret_elsewhere() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let other = serve(
        Router::new().fallback(any(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                log.lock()
                    .unwrap()
                    .push(format!("{headers:?} {}", String::from_utf8_lossy(&body)));
                (
                    StatusCode::OK,
                    r#"{"access_token":"rm_at_x","token_type":"Bearer","expires_in":3600}"#,
                )
            }
        })),
        "127.0.0.2",
    )
    .await;
    for status in [
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
        StatusCode::FOUND,
    ] {
        let to = other.clone();
        let base = serve(
            Router::new().fallback(any(move |request: Request| {
                let to = format!("{to}{}", request.uri());
                async move { (status, [(header::LOCATION, to)]).into_response() }
            })),
            "127.0.0.1",
        )
        .await;
        let client = RouteMateClient::new(&base, "rm_ci_x", SECRET)
            .unwrap()
            .with_retry(once());
        match client.job_by_id("j").await.unwrap_err() {
            RouteMateError::Server { status: s, message } => {
                assert_eq!(s, status.as_u16());
                assert!(
                    message.starts_with(&format!("redirected to {other}, another origin")),
                    "{message}"
                );
            }
            e => panic!("{e:?}"),
        }
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "the other origin saw {:?}",
        seen.lock().unwrap()
    );
}

#[tokio::test]
async fn an_answer_past_the_cap_is_an_error() {
    let huge = vec![b' '; 17 * 1024 * 1024];
    let base = serve(
        Router::new().fallback(any(move || {
            let huge = huge.clone();
            async move { (StatusCode::OK, huge) }
        })),
        "127.0.0.1",
    )
    .await;
    let client = RouteMateClient::new(&base, "rm_ci_x", SECRET)
        .unwrap()
        .with_retry(once());
    assert_eq!(
        client.job_by_id("j").await.unwrap_err(),
        RouteMateError::Decode("the answer is larger than 16 MiB: not read further".into())
    );
}

#[tokio::test]
async fn a_2xx_answer_without_json_is_no_answer_and_is_sent_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const PAGE: &str = "<html><body>Service temporarily unavailable</body></html>";
    // Each path's first answer is a proxy's page with 200 OK, the next the real answer.
    let token_hits = Arc::new(AtomicUsize::new(0));
    let job_hits = Arc::new(AtomicUsize::new(0));
    let (tokens, jobs) = (token_hits.clone(), job_hits.clone());
    let app = Router::new()
        .route(
            "/v1/integration-token",
            axum::routing::post(move || {
                let n = tokens.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        (StatusCode::OK, PAGE).into_response()
                    } else {
                        (
                            StatusCode::OK,
                            [(header::CONTENT_TYPE, "application/json")],
                            r#"{"access_token":"rm_at_x","token_type":"Bearer","expires_in":3600}"#,
                        )
                            .into_response()
                    }
                }
            }),
        )
        .route(
            "/v1/integration-jobs",
            axum::routing::get(move || {
                let n = jobs.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n % 2 == 0 {
                        (StatusCode::OK, PAGE).into_response()
                    } else {
                        (
                            StatusCode::OK,
                            [(header::CONTENT_TYPE, "application/json")],
                            r#"{"job_id":"j1","status":"assigned","stop_count":2,"status_counts":{"pending":2}}"#,
                        )
                            .into_response()
                    }
                }
            }),
        );
    let base = serve(app, "127.0.0.1").await;
    let fast = RetryPolicy {
        max_attempts: 3,
        base: std::time::Duration::from_millis(1),
        cap: std::time::Duration::from_millis(5),
    };
    let client = RouteMateClient::new(&base, "rm_ci_x", SECRET)
        .unwrap()
        .with_retry(fast);
    let job = client.job_by_id("j1").await.unwrap();
    assert_eq!((job.job_id.as_str(), job.stop_count), ("j1", 2));
    assert_eq!(token_hits.load(Ordering::SeqCst), 2, "token asked again");
    assert_eq!(job_hits.load(Ordering::SeqCst), 2, "job read again");
    // Retries spent: the caller hears "no answer" (not a decode failure) — for an import,
    // the outbox keeps it pending and its keyed resend finds out whether it was applied.
    let once = RouteMateClient::new(&base, "rm_ci_x", SECRET)
        .unwrap()
        .with_retry(once());
    let e = once.job_by_id("j1").await.unwrap_err();
    assert_eq!(
        e,
        RouteMateError::Transport(format!(
            "answered 200 OK without JSON ({} bytes): counted as no answer",
            PAGE.len()
        ))
    );
    assert_eq!(job_hits.load(Ordering::SeqCst), 3);
}
