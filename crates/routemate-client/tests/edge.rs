//! The HTTP edge of the RouteMate client against real servers on port 0 (issue 23 §3): a token
//! request redirected to another origin is not followed, so the `client_secret` in its body
//! (which a 307/308 would resend) never reaches that server; an answer past the size cap is an
//! error.

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
