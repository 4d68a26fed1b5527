//! A status the DIAq document does not list (issue 23 §3): the real sandbox (port 0) behind a
//! proxy that renames one delivery's status in every list answer. The sync still reads the
//! whole page; the order is kept in the cache and shown on the board as unknown, in a column
//! of its own, beside every other order in its column as before.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use hakobu_cache::Cache;
use hakobu_diaq::Status;
use hakobu_diaq_client::{DiaqClient, RetryPolicy};
use hakobu_dispatch::{BoardQuery, Dispatch, Mode, OrderQuery, SystemClock};
use hakobu_sandbox::{SandboxConfig, Seed};

const KEY: &str = "k_unknown";
const NEW_STATUS: &str = "lost_in_transit";

struct Upstream {
    base: String,
    http: reqwest::Client,
}

/// Forwards everything; in delivery list answers the first `created` becomes `NEW_STATUS`.
async fn forward(State(up): State<Arc<Upstream>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let answer = up
        .http
        .request(parts.method, format!("{}{}", up.base, parts.uri))
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let list = parts.uri.path() == "/v1/deliveries";
    let bytes: Bytes = answer.bytes().await.unwrap();
    let bytes = if list {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        Bytes::from(text.replacen(
            r#""status":"created""#,
            &format!(r#""status":"{NEW_STATUS}""#),
            1,
        ))
    } else {
        bytes
    };
    (
        status,
        [("content-type", "application/json")],
        Body::from(bytes),
    )
        .into_response()
}

#[tokio::test]
async fn an_unknown_status_is_kept_and_shown_not_a_failed_sync() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::TokyoDay),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let up = Arc::new(Upstream {
        base: server.base_url(),
        http: reqwest::Client::new(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(any(forward)).with_state(up);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = DiaqClient::new(&proxy, KEY)
        .unwrap()
        .with_retry(RetryPolicy {
            max_attempts: 1,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(50),
        });
    // The raw list says NEW_STATUS for one delivery; the client reads it as unknown.
    let direct = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let everything = hakobu_diaq_client::OrderQuery::default();
    let truth = direct.all_deliveries(&everything).await.unwrap();
    let seen = client.all_deliveries(&everything).await.unwrap();
    assert_eq!(seen.len(), truth.len(), "the whole list is read");
    let renamed: Vec<_> = seen
        .iter()
        .filter(|d| d.status == Status::Unknown)
        .collect();
    assert_eq!(renamed.len(), 1);
    let id = renamed[0].id.clone();

    let d = Dispatch::new(
        client,
        Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap()),
        Mode::Sandbox,
        Arc::new(SystemClock),
        None,
    )
    .unwrap();
    d.sync_stores().await.unwrap();
    d.sync_orders(true).await.unwrap();
    let rows = d
        .order_page(&OrderQuery {
            limit: 1000,
            ..OrderQuery::default()
        })
        .unwrap()
        .rows;
    let truth_fetches = direct.all_fetches(&Default::default()).await.unwrap();
    assert_eq!(
        rows.len(),
        truth.len() + truth_fetches.len(),
        "nothing hidden"
    );
    let row = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.status, Status::Unknown);
    assert_eq!(row.cancel_to, None, "no cancel the document can tell");

    let board = d.board(&BoardQuery::default()).unwrap();
    let unknown = board
        .columns
        .iter()
        .find(|c| c.status == Status::Unknown)
        .expect("a column for the unknown status");
    assert_eq!(unknown.count, 1);
    assert_eq!(unknown.cards[0].id, id);
    assert_eq!(board.columns.len(), Status::ALL.len() + 1);
    assert_eq!(board.total, rows.len() as u64, "every order in one column");
    server.shutdown().await;
}
