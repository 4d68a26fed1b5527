//! Exactly once without `Idempotency-Key` (issue 23 §3): DIAq's document does not promise the
//! header, so every write here goes through a proxy that strips it before the real sandbox
//! (port 0) sees it. What keeps writes single is then the outbox's own care: a create sent
//! before is looked for (orders by reference, stores by name + address + phone) before it is
//! sent again, and a resent delete or cancel answering 404 is done. The outbox's crash test
//! (a child SIGKILLed at random points) runs through the proxy; lost answers are the proxy's
//! 502 after the sandbox applied the write (a gateway that lost the upstream's answer).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use hakobu_cache::{Cache, OutboxState};
use hakobu_diaq::{Status, StoreInput};
use hakobu_diaq_client::{DiaqClient, OrderQuery, RetryPolicy};
use hakobu_dispatch::{Dispatch, Mode, SystemClock, Target, Write, Written};
use hakobu_sandbox::{CapacityConfig, RunningSandbox, SandboxConfig, Seed};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const KEY: &str = "k";
/// Seeded Tokyo demo stores.
const SHIBUYA: &str = "5eed0000-0000-4000-8000-000000000003";
const AZABU: &str = "5eed0000-0000-4000-8000-000000000001";

async fn sandbox(dir: &Path) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: dir.join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        // Room for every test job (and the holds of estimates cut short by kills).
        capacity: CapacityConfig {
            per_hour: 1000,
            anytime_per_day: 1000,
            ..CapacityConfig::default()
        },
        ..SandboxConfig::default()
    };
    hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// The proxy's state: where it forwards, how many keys it removed, and the next request
/// (method, path prefix) whose answer it loses.
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    stripped: AtomicUsize,
    lose: Mutex<Option<(Method, &'static str)>>,
}

async fn forward(State(p): State<Arc<Proxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut headers = parts.headers.clone();
    if headers.remove("idempotency-key").is_some() {
        p.stripped.fetch_add(1, Ordering::SeqCst);
    }
    let lose = {
        let mut lose = p.lose.lock().unwrap();
        let hit = lose.as_ref().is_some_and(|(method, prefix)| {
            *method == parts.method && parts.uri.path().starts_with(prefix)
        });
        if hit {
            *lose = None;
        }
        hit
    };
    let Ok(answer) = p
        .http
        .request(parts.method, format!("{}{}", p.upstream, parts.uri))
        .headers(headers)
        .body(body)
        .send()
        .await
    else {
        return (StatusCode::BAD_GATEWAY, "upstream unreachable").into_response();
    };
    if lose {
        // Applied upstream; the answer goes no further.
        return (StatusCode::BAD_GATEWAY, "upstream answer lost").into_response();
    }
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let bytes = answer.bytes().await.unwrap_or_default();
    (
        status,
        [("content-type", "application/json")],
        Body::from(bytes),
    )
        .into_response()
}

async fn stripping_proxy(upstream: &str) -> (String, Arc<Proxy>) {
    let proxy = Arc::new(Proxy {
        upstream: upstream.to_owned(),
        http: reqwest::Client::new(),
        stripped: AtomicUsize::new(0),
        lose: Mutex::new(None),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(any(forward))
        .with_state(proxy.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, proxy)
}

fn dispatch(url: &str, cache_file: &Path, attempts: u32) -> Dispatch {
    let client = DiaqClient::new(url, KEY).unwrap().with_retry(RetryPolicy {
        max_attempts: attempts,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    });
    Dispatch::new(
        client,
        Arc::new(Cache::open(cache_file).unwrap()),
        Mode::Sandbox,
        Arc::new(SystemClock),
        None,
    )
    .unwrap()
}

fn store_input(name: &str) -> StoreInput {
    StoreInput {
        store_name: Some(name.into()),
        store_address_zipcode: Some("106-0032".into()),
        store_address_prefecture: Some("東京都".into()),
        store_address_line_1: Some("港区六本木6-10-1".into()),
        store_phone: Some("03-6406-6000".into()),
        ..StoreInput::default()
    }
}

async fn delivery_refs(client: &DiaqClient) -> Vec<(String, Value)> {
    let all = client.all_deliveries(&OrderQuery::default()).await.unwrap();
    all.into_iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .flat_map(|d| {
            d["packages"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["order_reference"].as_str().map(str::to_owned))
                .map(|r| (r, d.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The outbox's crash test (tests/outbox.rs) with every request through the key-stripping
/// proxy: 100 children queue a store and deliveries, replay and sync, and are SIGKILLed at
/// random points; after one clean replay the sandbox holds every write exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_points_without_keys_no_write_is_lost_or_applied_twice() {
    const RUNS: u32 = 100;
    const WRITES: u32 = 3;
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let (proxy_url, proxy) = stripping_proxy(&server.base_url()).await;
    let cache_file = dir.path().join("cache.db");
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261207);
    let mut finished = 0;
    for run in 0..RUNS {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outbox-crash-child"))
            .arg(&cache_file)
            .arg(&proxy_url)
            .arg(KEY)
            .arg(run.to_string())
            .arg(WRITES.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..400))).await;
        // SIGKILL on Unix; a child already done just reports its exit.
        let _ = child.kill();
        if child.wait().unwrap().success() {
            finished += 1;
        }
    }
    let d = dispatch(&proxy_url, &cache_file, 3);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(report.stopped, None);
    let rows = d.outbox_rows(&[]).unwrap();
    let unsettled: Vec<_> = rows
        .iter()
        .filter(|r| r.state != OutboxState::Acked)
        .collect();
    assert!(unsettled.is_empty(), "{unsettled:?}");
    assert!(rows.len() > RUNS as usize, "the children queued writes");
    assert!(
        proxy.stripped.load(Ordering::SeqCst) > rows.len(),
        "every write's key was stripped"
    );

    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for (reference, delivery) in delivery_refs(&client).await {
        seen.entry(reference)
            .or_default()
            .push(delivery["id"].as_str().unwrap().to_owned());
    }
    let duplicates: Vec<_> = seen.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(duplicates.is_empty(), "applied twice: {duplicates:?}");
    let mut stores: HashMap<String, Vec<String>> = HashMap::new();
    for s in client.all_stores(&Default::default()).await.unwrap() {
        stores.entry(s.store_name).or_default().push(s.id);
    }
    let duplicates: Vec<_> = stores.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(
        duplicates.is_empty(),
        "stores created twice: {duplicates:?}"
    );
    let (mut deliveries, mut created_stores) = (0, 0);
    for row in &rows {
        let id = row.server_id.clone().unwrap();
        match row.kind.as_str() {
            "create_delivery" => {
                deliveries += 1;
                let reference = row.payload["body"]["packages"][0]["order_reference"]
                    .as_str()
                    .unwrap();
                assert_eq!(seen.get(reference), Some(&vec![id]), "{reference}");
            }
            "create_store" => {
                created_stores += 1;
                let name = row.payload["input"]["store_name"].as_str().unwrap();
                assert_eq!(stores.get(name), Some(&vec![id]), "{name}");
            }
            other => panic!("unexpected write {other}"),
        }
    }
    assert_eq!(
        seen.len(),
        deliveries,
        "nothing the outbox does not know of"
    );
    assert_eq!(stores.len(), created_stores + 12);
    eprintln!(
        "crash test without keys: {RUNS} runs, {finished} finished before the kill, {} writes \
         acked, {} keys stripped",
        rows.len(),
        proxy.stripped.load(Ordering::SeqCst)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_store_create_whose_answer_was_lost_is_found_not_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let (url, proxy) = stripping_proxy(&server.base_url()).await;
    // Retries allowed: the client must still not send the create again itself (a repeat
    // within the attempt would make a second store here, the key being stripped); the
    // outbox's resend, which looks first, is what sends it again.
    let d = dispatch(&url, &dir.path().join("cache.db"), 3);
    *proxy.lose.lock().unwrap() = Some((Method::POST, "/v1/stores"));
    let written = d
        .enqueue_write(Write::CreateStore {
            input: store_input("返事なし商店"),
        })
        .await
        .unwrap();
    let Written::Queued { client_id, .. } = written else {
        panic!("{written:?}")
    };
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let named = |stores: &[hakobu_diaq::Store]| {
        stores
            .iter()
            .filter(|s| s.store_name == "返事なし商店")
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    let made = named(&client.all_stores(&Default::default()).await.unwrap());
    assert_eq!(made.len(), 1, "the sandbox applied it; the app never heard");

    let report = d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.stopped), (1, None));
    let after = named(&client.all_stores(&Default::default()).await.unwrap());
    assert_eq!(after, made, "found, not created again");
    let row = d
        .outbox_rows(&[])
        .unwrap()
        .into_iter()
        .find(|r| r.client_id == client_id)
        .unwrap();
    assert_eq!(row.server_id.as_deref(), Some(made[0].as_str()));
    assert!(proxy.stripped.load(Ordering::SeqCst) >= 1);
    server.shutdown().await;
}

#[tokio::test]
async fn a_resent_delete_answering_404_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let (url, proxy) = stripping_proxy(&server.base_url()).await;
    // The client's own retry sends the DELETE again after the lost answer.
    let d = dispatch(&url, &dir.path().join("cache.db"), 2);
    d.sync_stores().await.unwrap();
    *proxy.lose.lock().unwrap() = Some((Method::DELETE, "/v1/stores/"));
    let deleted = d.delete_store_or_queue(AZABU).await.unwrap();
    assert!(matches!(deleted, Written::Applied { .. }), "{deleted:?}");
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    assert!(
        client.get_store(AZABU).await.is_err(),
        "gone from the sandbox"
    );
    assert!(
        d.list_stores(None)
            .unwrap()
            .iter()
            .all(|s| s.store.id != AZABU),
        "gone from the cache"
    );
    assert_eq!(d.outbox_counts().unwrap().conflict, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn a_cancel_resent_by_the_next_replay_answering_404_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let (url, proxy) = stripping_proxy(&server.base_url()).await;
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let t = hakobu_diaq::time::from_utc(chrono::Utc::now()) + chrono::Duration::days(1);
    let mut body = json!({
        "store_id": SHIBUYA,
        "ready_by": format!("{}T10:00:00+09:00", t.format("%Y-%m-%d")),
        "customer": {"last_name": "試験", "first_name": "花子", "phone": "090-1234-5678",
                     "address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11"},
        "packages": [{"service_brand": "60サイズ", "order_reference": "LOST-CANCEL",
                      "name": "靴", "boxes": 1, "number": 1}]
    });
    let estimate = client.create_delivery_estimate(&body).await.unwrap();
    body["delivery_window_id"] = json!(estimate.delivery_windows[0].id);
    let delivery = client.create_delivery(&body).await.unwrap();

    // No client retries: the first cancel's answer is lost, the row waits for the next replay.
    let d = dispatch(&url, &dir.path().join("cache.db"), 1);
    *proxy.lose.lock().unwrap() = Some((Method::DELETE, "/v1/deliveries/"));
    let written = d
        .enqueue_write(Write::CancelDelivery {
            id: Target::Id(delivery.id.clone()),
        })
        .await
        .unwrap();
    assert!(matches!(written, Written::Queued { .. }), "{written:?}");
    assert_eq!(
        client.get_delivery(&delivery.id).await.unwrap().status,
        Status::Canceled,
        "the sandbox applied it"
    );
    // Sent again: the sandbox answers 404 (a canceled delivery cannot be canceled).
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(
        (report.acked, report.conflicts, report.stopped),
        (1, 0, None)
    );
    let row = &d.outbox_rows(&[]).unwrap()[0];
    assert_eq!(row.state, OutboxState::Acked);
    assert_eq!(row.response.as_ref().unwrap()["status"], "canceled");
    server.shutdown().await;
}
