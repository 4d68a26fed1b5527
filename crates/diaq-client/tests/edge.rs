//! The HTTP edge against real servers on port 0 (issue 23 §3): a redirect to another origin is
//! not followed, so the server there never sees the `Api-Key` or a body; a redirect within the
//! origin is; an answer past the size cap and a server that ignores `page` end in errors
//! instead of exhausting memory.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{any, get};
use hakobu_diaq::{StoreInput, StoreQuery};
use hakobu_diaq_client::{ClientError, DiaqClient, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "prod_s3cret_key";

async fn serve(app: Router, host: &str) -> String {
    let listener = tokio::net::TcpListener::bind((host, 0)).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// A server that writes down every request it gets (headers and body) and answers `[]`.
async fn elsewhere(host: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().fallback(any(move |headers: HeaderMap, body: Bytes| {
        let log = log.clone();
        async move {
            log.lock()
                .unwrap()
                .push(format!("{headers:?} {}", String::from_utf8_lossy(&body)));
            (StatusCode::OK, "[]")
        }
    }));
    (serve(app, host).await, seen)
}

fn once() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    }
}

fn store_input() -> StoreInput {
    StoreInput {
        store_name: Some("転送".into()),
        store_address_zipcode: Some("106-0032".into()),
        store_address_prefecture: Some("東京都".into()),
        store_address_line_1: Some("港区六本木6-10-1".into()),
        store_phone: Some("03-6406-6000".into()),
        ..StoreInput::default()
    }
}

#[tokio::test]
async fn redirects_to_another_origin_are_not_followed_and_carry_nothing_there() {
    // Another port on this host, and another host (127.0.0.2 is this computer too, but
    // another origin).
    let (other_port, seen_port) = elsewhere("127.0.0.1").await;
    let (other_host, seen_host) = elsewhere("127.0.0.2").await;
    for (target, seen) in [(other_port, seen_port), (other_host, seen_host)] {
        for status in [
            StatusCode::MOVED_PERMANENTLY,
            StatusCode::TEMPORARY_REDIRECT,
        ] {
            let to = target.clone();
            let app = Router::new().fallback(any(move |request: Request| {
                let to = format!("{to}{}", request.uri());
                async move { (status, [(header::LOCATION, to)]).into_response() }
            }));
            let base = serve(app, "127.0.0.1").await;
            let client = DiaqClient::new(&base, KEY).unwrap().with_retry(once());
            let e = client.all_stores(&StoreQuery::default()).await.unwrap_err();
            match &e {
                ClientError::Server { status: s, message } => {
                    assert_eq!(*s, status.as_u16());
                    assert!(
                        message.starts_with(&format!("redirected to {target}, another origin"))
                            && message.contains("not followed"),
                        "{message}"
                    );
                }
                other => panic!("{other:?}"),
            }
            // A write's body (307 resends it) goes nowhere either.
            let e = client.create_store(&store_input()).await.unwrap_err();
            assert!(matches!(e, ClientError::Server { .. }), "{e:?}");
            assert!(
                seen.lock().unwrap().is_empty(),
                "the other origin saw {:?}",
                seen.lock().unwrap()
            );
        }
    }
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    let app = Router::new()
        .route(
            "/v1/time_zones",
            get(|| async { Redirect::temporary("/moved") }),
        )
        .route(
            "/moved",
            get(|headers: HeaderMap| async move {
                assert_eq!(headers.get("Api-Key").unwrap(), KEY);
                (StatusCode::OK, "[]")
            }),
        );
    let base = serve(app, "127.0.0.1").await;
    let client = DiaqClient::new(&base, KEY).unwrap().with_retry(once());
    assert_eq!(client.time_zones().await.unwrap(), vec![]);
}

/// A server answering every connection with `head` and then a JSON-looking body that never
/// ends (it lasts until the client hangs up).
async fn endless(head: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 1024 * 1024];
                // Until the client hangs up.
                while socket.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    base
}

#[tokio::test]
async fn an_answer_past_the_cap_is_an_error_not_memory() {
    // No length, no chunking: the body lasts until the connection closes.
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
    let client = DiaqClient::new(&endless(head).await, KEY)
        .unwrap()
        .with_retry(once());
    let e = client
        .list_stores(&StoreQuery::default(), 1, None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ClientError::Decode("the answer is larger than 16 MiB: not read further".into())
    );
    // A Content-Length above the cap is refused before anything is read.
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 67108864\r\n\r\n[";
    let client = DiaqClient::new(&endless(head).await, KEY)
        .unwrap()
        .with_retry(once());
    let e = client.time_zones().await.unwrap_err();
    assert_eq!(
        e,
        ClientError::Decode("the answer is larger than 16 MiB: not read further".into())
    );
}

#[tokio::test]
async fn a_server_that_ignores_page_ends_the_read_with_an_error() {
    let asked = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = asked.clone();
    let app = Router::new().route(
        "/v1/stores",
        get(move |Query(q): Query<Vec<(String, String)>>| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(format!("{q:?}"));
                // Always the same full page, whatever `page` says.
                let page: Vec<_> = (0..100).map(store_json).collect();
                axum::Json(page)
            }
        }),
    );
    let base = serve(app, "127.0.0.1").await;
    let client = DiaqClient::new(&base, KEY).unwrap().with_retry(once());
    let e = client.all_stores(&StoreQuery::default()).await.unwrap_err();
    assert_eq!(
        e,
        ClientError::Decode(
            "page 2 holds only items of earlier pages: the server ignores `page`, so the list cannot be read to its end".into()
        )
    );
    assert_eq!(
        asked.lock().unwrap().len(),
        2,
        "stopped at the first repeat"
    );
}

#[tokio::test]
async fn pages_that_shift_while_read_are_read_to_the_end() {
    // Page 2 repeats one item of page 1 (a new store pushed the list along), then ends.
    let app = Router::new().route(
        "/v1/stores",
        get(|Query(q): Query<Vec<(String, String)>>| async move {
            let page = q.iter().find(|(k, _)| k == "page").unwrap().1.clone();
            let items: Vec<_> = match page.as_str() {
                "1" => (0..100).map(store_json).collect(),
                "2" => (99..150).map(store_json).collect(),
                _ => vec![],
            };
            axum::Json(items)
        }),
    );
    let base = serve(app, "127.0.0.1").await;
    let client = DiaqClient::new(&base, KEY).unwrap().with_retry(once());
    let all = client.all_stores(&StoreQuery::default()).await.unwrap();
    assert_eq!(all.len(), 151);
}

fn store_json(i: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("00000000-0000-4000-8000-{i:012}"),
        "id_alias": format!("S{i:04}"),
        "store_name": "店",
        "store_address_zipcode": "106-0032",
        "store_address_prefecture": "東京都",
        "store_address_line_1": "港区六本木6-10-1",
        "store_address_line_2": "",
        "store_phone": "03-6406-6000",
        "store_type": "standalone_store",
        "offers_delivery": true,
        "offers_fetches": true,
        "pickup_proof": "signature",
        "delivery_proof": "signature"
    })
}

#[tokio::test]
async fn a_2xx_answer_without_json_is_no_answer_and_a_keyed_update_is_sent_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let (puts, posts) = (hits.clone(), hits.clone());
    // An update's first answer is a proxy's page, then the store; a create's is always the page.
    let app = Router::new()
        .route(
            "/v1/stores/{id}",
            axum::routing::put(move || {
                let n = puts.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        (StatusCode::OK, "<html>OK</html>".to_owned()).into_response()
                    } else {
                        axum::Json(store_json(1)).into_response()
                    }
                }
            }),
        )
        .route(
            "/v1/stores",
            axum::routing::post(move || {
                posts.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::OK, "<html>OK</html>".to_owned()).into_response() }
            }),
        );
    let base = serve(app, "127.0.0.1").await;
    let fast = RetryPolicy {
        max_attempts: 3,
        base: std::time::Duration::from_millis(1),
        cap: std::time::Duration::from_millis(5),
    };
    let client = DiaqClient::new(&base, KEY).unwrap().with_retry(fast);
    let id = "00000000-0000-4000-8000-000000000001";
    let store = client
        .update_store_keyed(id, &store_input(), "key-1")
        .await
        .unwrap();
    assert_eq!(store.id, id);
    assert_eq!(hits.load(Ordering::SeqCst), 2, "sent again under its key");
    // A create is not repeated by the client, keyed or not: the caller hears "no answer" (not
    // a refusal, not a decode failure) — it may have been made — and the outbox looks for it
    // before sending it again.
    let no_answer = ClientError::Transport(
        "answered 200 OK without JSON (15 bytes): counted as no answer".into(),
    );
    let e = client
        .create_store_keyed(&store_input(), "key-2")
        .await
        .unwrap_err();
    assert_eq!(e, no_answer);
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    hits.store(0, Ordering::SeqCst);
    assert_eq!(
        client.create_store(&store_input()).await.unwrap_err(),
        no_answer
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
