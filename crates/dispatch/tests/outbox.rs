//! The outbox against the real sandbox (port 0, or the same port again after a stop) and real
//! cache files: offline queueing and in-order replay, refusals, lost answers, and a child
//! process killed at random points 100 times.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hakobu_cache::{Cache, OutboxState};
use hakobu_diaq::StoreInput;
use hakobu_diaq_client::{DiaqClient, OrderQuery, RetryPolicy};
use hakobu_dispatch::{
    Dispatch, ErrorCode, Mode, OrderKind, SystemClock, Target, WindowChoice, Write, Written,
};
use hakobu_sandbox::{CapacityConfig, RunningSandbox, SandboxConfig, Seed};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const KEY: &str = "k";
/// Seeded Tokyo demo stores.
const SHIBUYA: &str = "5eed0000-0000-4000-8000-000000000003";
const AZABU: &str = "5eed0000-0000-4000-8000-000000000001";
/// Nothing listens here: every request is a transport error.
const DEAD: &str = "http://127.0.0.1:9";

async fn sandbox(dir: &Path, addr: &str) -> RunningSandbox {
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
    hakobu_sandbox::start(&config, addr.parse().unwrap())
        .await
        .unwrap()
}

fn quick_client(url: &str, key: &str) -> DiaqClient {
    DiaqClient::new(url, key).unwrap().with_retry(RetryPolicy {
        max_attempts: 2,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    })
}

fn dispatch(url: &str, cache_file: &Path) -> Dispatch {
    dispatch_keyed(url, KEY, cache_file)
}

fn dispatch_keyed(url: &str, key: &str, cache_file: &Path) -> Dispatch {
    let cache = Arc::new(Cache::open(cache_file).unwrap());
    Dispatch::new(
        quick_client(url, key),
        cache,
        Mode::Sandbox,
        Arc::new(SystemClock),
        None,
    )
    .unwrap()
}

fn tomorrow_10() -> String {
    let t = hakobu_diaq::time::from_utc(chrono::Utc::now()) + chrono::Duration::days(1);
    format!("{}T10:00:00+09:00", t.format("%Y-%m-%d"))
}

fn order_body(kind: OrderKind, reference: &str) -> Value {
    let base = match kind {
        OrderKind::Delivery => "ready_by",
        OrderKind::Fetch => "deliver_by",
    };
    json!({
        "store_id": SHIBUYA,
        base: tomorrow_10(),
        "customer": {"last_name": "吉沢", "first_name": "太郎", "phone": "090-1234-5678",
                     "address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "address_line_2": "原宿ビル5F"},
        "packages": [{"service_brand": "60サイズ", "order_reference": reference, "name": "靴",
                      "boxes": 1, "number": 1}]
    })
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

/// Queues `write` on an API that does not answer; returns its client id.
async fn queued(d: &Dispatch, write: Write) -> String {
    match d.enqueue_write(write).await.unwrap() {
        Written::Queued { client_id, reason } => {
            assert_eq!(reason.code, ErrorCode::Transport, "{reason:?}");
            client_id
        }
        applied => panic!("offline, yet applied: {applied:?}"),
    }
}

/// Every package order reference of every delivery, in the API's (creation) order.
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

#[tokio::test]
async fn offline_writes_wait_and_are_applied_once_in_order_when_the_api_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let first = sandbox(dir.path(), "127.0.0.1:0").await;
    let addr: SocketAddr = first.addr();
    first.shutdown().await;
    let url = format!("http://{addr}");
    let cache_file = dir.path().join("cache.db");
    let d = dispatch(&url, &cache_file);

    // Twenty writes, some acting on what earlier ones create.
    let mut ids = Vec::new();
    let store = queued(
        &d,
        Write::CreateStore {
            input: store_input("オフライン商店"),
        },
    )
    .await;
    ids.push(store.clone());
    let mut deliveries = Vec::new();
    for i in 1..=14 {
        let window = if i % 4 == 0 {
            WindowChoice::Anytime
        } else {
            WindowChoice::Earliest
        };
        let body = order_body(OrderKind::Delivery, &format!("OFF-{i:02}"));
        let id = queued(&d, Write::CreateDelivery { body, window }).await;
        deliveries.push(id.clone());
        ids.push(id);
    }
    let writes = [
        Write::UpdateStore {
            id: Target::Outbox(store.clone()),
            input: StoreInput {
                store_name: Some("オフライン商店 本店".into()),
                ..StoreInput::default()
            },
        },
        Write::CreateFetch {
            body: order_body(OrderKind::Fetch, "OFF-F1"),
            window: WindowChoice::Earliest,
        },
        Write::UpdateDelivery {
            id: Target::Outbox(deliveries[1].clone()),
            body: json!({"destination_comments": "置き配"}),
        },
        Write::CancelDelivery {
            id: Target::Outbox(deliveries[2].clone()),
        },
        Write::UpdateStore {
            id: Target::Id(AZABU.into()),
            input: StoreInput {
                store_phone: Some("03-0000-0000".into()),
                ..StoreInput::default()
            },
        },
    ];
    for w in writes {
        ids.push(queued(&d, w).await);
    }
    assert_eq!(ids.len(), 20);
    let counts = d.outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.acked), (20, 0));
    let status = d.status().unwrap();
    assert_eq!(
        (status.online, status.pending_writes, status.refused_writes),
        (false, 20, 0),
        "the status bar says offline with 20 writes waiting"
    );
    let rows = d.outbox_rows(&[]).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.client_id.clone()).collect::<Vec<_>>(),
        ids,
        "rows are in the order asked for"
    );
    assert!(rows.iter().all(|r| r.state == OutboxState::Pending));
    assert!(rows[0].last_error.as_deref().unwrap().contains("reach"));
    assert_eq!(rows[0].last_error_code.as_deref(), Some("transport"));
    assert!(!d.status().unwrap().online);
    // A replay while still offline sends nothing and stops at the first row.
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(report.acked, 0);
    assert_eq!(report.stopped.unwrap().code, ErrorCode::Transport);

    // The API is back: the same port, the same database.
    let server = sandbox(dir.path(), &addr.to_string()).await;
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(
        (
            report.acked,
            report.failed,
            report.conflicts,
            report.stopped
        ),
        (20, 0, 0, None),
        "{:?}",
        d.outbox_rows(&[]).unwrap()
    );
    assert!(d.status().unwrap().online);
    let rows = d.outbox_rows(&[]).unwrap();
    assert!(rows.iter().all(|r| r.state == OutboxState::Acked));
    let row = |id: &str| rows.iter().find(|r| r.client_id == id).unwrap();

    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let refs = delivery_refs(&client).await;
    let expected: Vec<String> = (1..=14).map(|i| format!("OFF-{i:02}")).collect();
    assert_eq!(
        refs.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
        expected,
        "each delivery once, created in the order queued"
    );
    for (i, (_, delivery)) in refs.iter().enumerate() {
        assert_eq!(
            row(&deliveries[i]).server_id.as_deref(),
            delivery["id"].as_str()
        );
        let anytime = (i + 1) % 4 == 0;
        assert_eq!(
            delivery["delivery_window"]["starts_at"].is_null(),
            anytime,
            "the window asked for: {delivery}"
        );
    }
    assert_eq!(refs[1].1["destination_comments"], "置き配");
    assert_eq!(refs[2].1["status"], "canceled");
    assert_eq!(refs[0].1["status"], "created");
    let fetches = client.all_fetches(&OrderQuery::default()).await.unwrap();
    assert_eq!(fetches.len(), 1);
    assert_eq!(fetches[0].packages[0].order_reference, "OFF-F1");

    let stores = client.all_stores(&Default::default()).await.unwrap();
    assert_eq!(stores.len(), 13);
    let ours: Vec<_> = stores
        .iter()
        .filter(|s| s.store_name.starts_with("オフライン商店"))
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].store_name, "オフライン商店 本店");
    assert_eq!(row(&store).server_id.as_deref(), Some(ours[0].id.as_str()));
    let azabu = stores.iter().find(|s| s.id == AZABU).unwrap();
    assert_eq!(azabu.store_phone, "03-0000-0000");

    // The cache holds what the server answered.
    let cached = d.list_stores(Some("本店")).unwrap();
    assert_eq!(cached.len(), 1);
    let canceled = refs[2].1["id"].as_str().unwrap();
    let cache = Cache::open(&cache_file).unwrap();
    assert_eq!(cache.order(canceled).unwrap().unwrap().status, "canceled");
    assert_eq!(
        cache
            .order(refs[1].1["id"].as_str().unwrap())
            .unwrap()
            .unwrap()
            .body["destination_comments"],
        "置き配"
    );

    // Replaying again sends nothing.
    let report = d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.stopped), (0, None));
    assert_eq!(delivery_refs(&client).await.len(), 14);
    server.shutdown().await;
}

#[tokio::test]
async fn a_refused_write_fails_with_the_message_and_later_writes_still_go() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), "127.0.0.1:0").await;
    let cache_file = dir.path().join("cache.db");
    let offline = dispatch(DEAD, &cache_file);
    let bad_input = StoreInput {
        store_address_zipcode: Some("1060032".into()),
        ..store_input("郵便番号違い")
    };
    let bad = queued(
        &offline,
        Write::CreateStore {
            input: bad_input.clone(),
        },
    )
    .await;
    let good = queued(
        &offline,
        Write::CreateStore {
            input: store_input("正しい店"),
        },
    )
    .await;
    let dependent = queued(
        &offline,
        Write::UpdateStore {
            id: Target::Outbox(bad.clone()),
            input: StoreInput {
                store_name: Some("郵便番号直し済み".into()),
                ..StoreInput::default()
            },
        },
    )
    .await;
    let unknown = queued(
        &offline,
        Write::CancelDelivery {
            id: Target::Id("00000000-0000-4000-8000-000000000000".into()),
        },
    )
    .await;
    let orphan = queued(
        &offline,
        Write::DeleteStore {
            id: Target::Outbox("never-queued".into()),
        },
    )
    .await;
    drop(offline);
    // A row this version cannot read (say, written by a newer app) fails; it does not block.
    let cache = Cache::open(&cache_file).unwrap();
    let unreadable = json!({"write": "teleport"});
    cache
        .outbox_enqueue(&hakobu_cache::NewOutboxRow {
            account: &hakobu_dispatch::account_of(Mode::Sandbox, "", ""),
            client_id: "unreadable",
            kind: "teleport",
            payload: &unreadable,
            payload_hash: &hakobu_dispatch::payload_hash(&unreadable),
            now: "2026-11-23T10:00:00+09:00",
        })
        .unwrap();

    let d = dispatch(&server.base_url(), &cache_file);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(
        (
            report.acked,
            report.failed,
            report.conflicts,
            report.stopped
        ),
        (1, 2, 3, None)
    );
    let odd = cache.outbox_row("unreadable").unwrap().unwrap();
    assert_eq!(odd.state, OutboxState::Failed);
    assert!(odd.last_error.unwrap().starts_with("unreadable write"));
    assert_eq!(odd.last_error_code.as_deref(), Some("internal"));
    let orphan = cache.outbox_row(&orphan).unwrap().unwrap();
    assert_eq!(orphan.state, OutboxState::Conflict);
    assert!(orphan.last_error.unwrap().contains("discarded"));
    assert_eq!(orphan.last_error_code.as_deref(), Some("conflict"));
    let row = |id: &str| {
        d.outbox_rows(&[])
            .unwrap()
            .into_iter()
            .find(|r| r.client_id == id)
    };
    let failed = row(&bad).unwrap();
    assert_eq!(failed.state, OutboxState::Failed);
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("store_address_zipcode: "),
        "{failed:?}"
    );
    assert_eq!(failed.last_error_code.as_deref(), Some("bad_request"));
    assert_eq!(row(&good).unwrap().state, OutboxState::Acked);
    let dep = row(&dependent).unwrap();
    assert_eq!(dep.state, OutboxState::Conflict);
    assert!(
        dep.last_error.as_deref().unwrap().contains("failed"),
        "{dep:?}"
    );
    let gone = row(&unknown).unwrap();
    assert_eq!(gone.state, OutboxState::Conflict);
    assert!(
        gone.last_error.as_deref().unwrap().contains("not found"),
        "{gone:?}"
    );
    // Each row keeps the code of its refusal beside the message, for the UI to word.
    assert_eq!(
        (
            dep.last_error_code.as_deref(),
            gone.last_error_code.as_deref()
        ),
        (Some("conflict"), Some("not_found"))
    );
    let counts = d.outbox_counts().unwrap();
    assert_eq!((counts.failed, counts.conflict, counts.pending), (2, 3, 0));
    assert_eq!(
        d.status().unwrap().refused_writes,
        5,
        "the status bar counts both"
    );
    assert_eq!(
        d.outbox_rows(&[OutboxState::Failed, OutboxState::Conflict])
            .unwrap()
            .len(),
        5
    );

    // Discard: only a failed or conflicting row.
    assert_eq!(
        d.discard_failed(&good).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        d.discard_failed("no-such-id").unwrap_err().code,
        ErrorCode::NotFound
    );
    d.discard_failed(&unknown).unwrap();
    assert!(row(&unknown).is_none());

    // Edit and retry: refused again, the row stays for another edit …
    let e = d
        .retry_failed(&bad, Some(Write::CreateStore { input: bad_input }))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("store_address_zipcode"));
    assert_eq!(row(&bad).unwrap().state, OutboxState::Failed);
    // … fixed, it is applied (under a new Idempotency-Key: the old one holds the 400).
    let fixed = d
        .retry_failed(
            &bad,
            Some(Write::CreateStore {
                input: store_input("郵便番号直した店"),
            }),
        )
        .await
        .unwrap();
    let Written::Applied { value: created, .. } = fixed else {
        panic!("not applied: {fixed:?}")
    };
    assert_eq!(created.revision, 2);
    // The dependent write now finds its target.
    let again = d.retry_failed(&dependent, None).await.unwrap();
    assert!(matches!(again, Written::Applied { .. }), "{again:?}");
    assert_eq!(
        d.retry_failed("no-such-id", None).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        d.retry_failed(&good, None).await.unwrap_err().code,
        ErrorCode::NotFound
    );

    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let names: Vec<String> = client
        .all_stores(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.store_name)
        .collect();
    assert!(names.contains(&"正しい店".to_owned()), "{names:?}");
    assert!(names.contains(&"郵便番号直し済み".to_owned()), "{names:?}");
    assert_eq!(names.len(), 12 + 2, "{names:?}");

    // Online, a refused form gets its error at once and leaves nothing queued.
    let before = d.outbox_rows(&[]).unwrap().len();
    let e = d
        .enqueue_write(Write::CreateStore {
            input: StoreInput {
                store_phone: Some("phone".into()),
                ..store_input("電話違い")
            },
        })
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("store_phone"))
    );
    assert_eq!(d.outbox_rows(&[]).unwrap().len(), before);
    server.shutdown().await;
}

#[tokio::test]
async fn a_queued_reservation_of_a_window_filled_meanwhile_fails_as_not_found() {
    const ZONE_15: &str = "96823b8f-0df6-4c24-9b50-8eeadd6e21e6";
    let dir = tempfile::tempdir().unwrap();
    // One job or hold per hour: a single reservation fills a window.
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        capacity: CapacityConfig {
            per_hour: 1,
            ..CapacityConfig::default()
        },
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let cache_file = dir.path().join("cache.db");
    let date = tomorrow_10()[..10].to_owned();
    let reservation = || Write::ReserveWindow {
        store_id: Target::Id(SHIBUYA.into()),
        reserve_date: date.clone(),
        time_zone_id: ZONE_15.into(),
    };
    let offline = dispatch(DEAD, &cache_file);
    let ours = queued(&offline, reservation()).await;
    drop(offline);
    // Another client takes the window while ours waits.
    quick_client(&server.base_url(), KEY)
        .reserve_window(SHIBUYA, &date, ZONE_15)
        .await
        .unwrap();

    let d = dispatch(&server.base_url(), &cache_file);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.failed, report.conflicts), (0, 1, 0));
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].1.code, ErrorCode::NotFound);
    let row = d
        .outbox_rows(&[OutboxState::Failed])
        .unwrap()
        .into_iter()
        .find(|r| r.client_id == ours)
        .unwrap();
    assert_eq!(
        row.last_error_code.as_deref(),
        Some("not_found"),
        "the 404 is kept as such: the window calendar turns the slot sold out by it"
    );
    // Reserved now, the same window is refused with the same code.
    let now = d.enqueue_write(reservation()).await.unwrap_err();
    assert_eq!(now.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_create_applied_with_its_answer_lost_is_found_and_not_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), "127.0.0.1:0").await;
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let cache_file = dir.path().join("cache.db");

    // Tried once with no answer (attempts = 1): the window was held by an estimate.
    let mut body = order_body(OrderKind::Delivery, "LOST-1");
    let hold = client.create_delivery_estimate(&body).await.unwrap();
    body["delivery_window_id"] = json!(hold.delivery_windows[0].id);
    let offline = dispatch(DEAD, &cache_file);
    let tried = queued(
        &offline,
        Write::CreateDelivery {
            body: body.clone(),
            window: WindowChoice::Given,
        },
    )
    .await;
    drop(offline);
    // Yet it had reached the server (without a key, as a server that ignores keys would
    // see it): only the look-up by order reference can tell.
    let applied = client.create_delivery(&body).await.unwrap();

    // Another create was cut short by a crash mid-send: left in flight.
    let cache = Cache::open(&cache_file).unwrap();
    let offline = dispatch(DEAD, &cache_file);
    let crashed = queued(
        &offline,
        Write::CreateFetch {
            body: order_body(OrderKind::Fetch, "LOST-F"),
            window: WindowChoice::Earliest,
        },
    )
    .await;
    drop(offline);
    let mut fetch_body = order_body(OrderKind::Fetch, "LOST-F");
    let hold = client.create_fetch_estimate(&fetch_body).await.unwrap();
    fetch_body["fetch_window_id"] = json!(hold.fetch_windows[0].id);
    let fetch = client.create_fetch(&fetch_body).await.unwrap();
    let row = cache.outbox_row(&crashed).unwrap().unwrap();
    cache
        .outbox_mark_in_flight(row.seq, "2026-11-23T10:00:00+09:00")
        .unwrap()
        .unwrap();

    let d = dispatch(&server.base_url(), &cache_file);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.failed, report.stopped), (2, 0, None));
    let found = cache.outbox_row(&tried).unwrap().unwrap();
    assert_eq!(found.server_id.as_deref(), Some(applied.id.as_str()));
    assert_eq!(
        found.attempts, 3,
        "two tries without an answer, then the look-up"
    );
    let found = cache.outbox_row(&crashed).unwrap().unwrap();
    assert_eq!(found.server_id.as_deref(), Some(fetch.id.as_str()));
    assert_eq!(
        found.request, None,
        "found before any window was picked again"
    );
    let refs = delivery_refs(&client).await;
    assert_eq!(refs.len(), 1, "no duplicate: {refs:?}");
    assert_eq!(
        client
            .all_fetches(&OrderQuery::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(cache.order(&applied.id).unwrap().is_some(), "cached");
    server.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_keeps_writes_queued_and_compat_callers_hear_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), "127.0.0.1:0").await;
    let cache_file = dir.path().join("cache.db");
    let d = dispatch_keyed(&server.base_url(), "wrong", &cache_file);
    let written = d
        .enqueue_write(Write::CreateStore {
            input: store_input("鍵違い"),
        })
        .await
        .unwrap();
    let Written::Queued { reason, client_id } = &written else {
        panic!("{written:?}")
    };
    assert_eq!(reason.code, ErrorCode::Unauthorized);
    assert_eq!(written.client_id(), client_id);
    let e = d.create_store(&store_input("鍵違い2")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert!(e.message.contains("queued"), "{}", e.message);
    assert_eq!(d.outbox_counts().unwrap().pending, 2);

    // With the right key both go, in order.
    let d = dispatch(&server.base_url(), &cache_file);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(report.acked, 2);
    let names: Vec<String> = d
        .list_stores(Some("鍵違い"))
        .unwrap()
        .into_iter()
        .map(|s| s.store.store_name)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let queued_store = d
        .update_store_or_queue(AZABU, &store_input("麻布"))
        .await
        .unwrap();
    assert!(matches!(queued_store, Written::Applied { .. }));
    let deleted = d.delete_store_or_queue(AZABU).await.unwrap();
    assert!(matches!(deleted, Written::Applied { value: (), .. }));
    server.shutdown().await;
}

/// A child process queues and replays writes and syncs; it is SIGKILLed at random points
/// 100 times. After every kill the cache opens at the current schema; at the end, after one
/// clean replay, the sandbox holds every acknowledged write exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_points_no_write_is_lost_or_applied_twice() {
    const RUNS: u32 = 100;
    const WRITES: u32 = 3;
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), "127.0.0.1:0").await;
    let cache_file = dir.path().join("cache.db");
    let schema = Cache::in_memory().unwrap().schema_version().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261123);
    let (mut finished, mut mid_send) = (0, 0);
    for run in 0..RUNS {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_outbox-crash-child"))
            .arg(&cache_file)
            .arg(server.base_url())
            .arg(KEY)
            .arg(run.to_string())
            .arg(WRITES.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..400))).await;
        // SIGKILL on Unix; a child already done just reports its exit.
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            finished += 1;
        }
        let cache = Cache::open(&cache_file)
            .unwrap_or_else(|e| panic!("run {run}: the cache does not open: {e}"));
        assert_eq!(cache.schema_version().unwrap(), schema, "run {run}");
        if !cache
            .outbox_rows(
                &[OutboxState::InFlight],
                1,
                &hakobu_dispatch::account_of(Mode::Sandbox, "", ""),
            )
            .unwrap()
            .is_empty()
        {
            mid_send += 1;
        }
    }

    let d = dispatch(&server.base_url(), &cache_file);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!(report.stopped, None);
    let last_replay = report.acked;
    let rows = d.outbox_rows(&[]).unwrap();
    let unsettled: Vec<_> = rows
        .iter()
        .filter(|r| r.state != OutboxState::Acked)
        .collect();
    assert!(unsettled.is_empty(), "{unsettled:?}");
    assert!(rows.len() > RUNS as usize, "the children queued writes");

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
        "crash test: {RUNS} runs, {finished} finished before the kill, {mid_send} killed \
         mid-send; {} writes acked, {last_replay} of them by the final replay",
        rows.len()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_window_the_estimate_does_not_offer_fails_the_create() {
    let dir = tempfile::tempdir().unwrap();
    // No anytime capacity: estimates offer TimeWindows only.
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        capacity: CapacityConfig {
            anytime_per_day: 0,
            ..CapacityConfig::default()
        },
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let d = dispatch(&server.base_url(), &dir.path().join("cache.db"));
    let e = d
        .enqueue_write(Write::CreateDelivery {
            body: order_body(OrderKind::Delivery, "ANY-1"),
            window: WindowChoice::Anytime,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::BadRequest);
    assert!(e.message.contains("no AnytimeWindow"), "{}", e.message);
    let written = d
        .enqueue_write(Write::CreateDelivery {
            body: order_body(OrderKind::Delivery, "TIME-1"),
            window: WindowChoice::Earliest,
        })
        .await
        .unwrap();
    let Written::Applied { value: row, .. } = written else {
        panic!("{written:?}")
    };
    let request = row.request.unwrap();
    assert_eq!(
        row.response.unwrap()["delivery_window"]["id"],
        request["delivery_window_id"],
        "the body sent is the one recorded"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn online_every_kind_of_write_is_applied_at_once_and_cached() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), "127.0.0.1:0").await;
    let d = dispatch(&server.base_url(), &dir.path().join("cache.db"));
    let applied = |w: Written<hakobu_cache::OutboxRow>| match w {
        Written::Applied { value, .. } => value,
        queued => panic!("online, yet {queued:?}"),
    };

    // 新規依頼: estimate, pick one of its windows, create with it.
    let estimate = applied(
        d.enqueue_write(Write::Estimate {
            kind: OrderKind::Delivery,
            body: order_body(OrderKind::Delivery, "NEW-1"),
        })
        .await
        .unwrap(),
    );
    let response = estimate.response.unwrap();
    assert_eq!(estimate.server_id.as_deref(), response["id"].as_str());
    let mut body = order_body(OrderKind::Delivery, "NEW-1");
    body["delivery_window_id"] = response["delivery_windows"][0]["id"].clone();
    let created = applied(
        d.enqueue_write(Write::CreateDelivery {
            body,
            window: WindowChoice::Given,
        })
        .await
        .unwrap(),
    );
    let delivery = created.server_id.unwrap();
    assert_eq!(
        created.response.unwrap()["delivery_window"]["id"],
        response["delivery_windows"][0]["id"]
    );

    let fetch_estimate = applied(
        d.enqueue_write(Write::Estimate {
            kind: OrderKind::Fetch,
            body: order_body(OrderKind::Fetch, "NEW-F"),
        })
        .await
        .unwrap(),
    );
    assert!(
        fetch_estimate.response.unwrap()["fetch_windows"]
            .as_array()
            .is_some_and(|w| !w.is_empty())
    );
    let fetch = applied(
        d.enqueue_write(Write::CreateFetch {
            body: order_body(OrderKind::Fetch, "NEW-F"),
            window: WindowChoice::Anytime,
        })
        .await
        .unwrap(),
    )
    .server_id
    .unwrap();
    let updated = applied(
        d.enqueue_write(Write::UpdateFetch {
            id: Target::Id(fetch.clone()),
            body: json!({"pickup_comments": "インターホン故障"}),
        })
        .await
        .unwrap(),
    );
    assert_eq!(
        updated.response.unwrap()["pickup_comments"],
        "インターホン故障"
    );
    applied(
        d.enqueue_write(Write::CancelFetch {
            id: Target::Id(fetch.clone()),
        })
        .await
        .unwrap(),
    );
    let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
    assert_eq!(cache.order(&fetch).unwrap().unwrap().status, "canceled");
    assert_eq!(cache.order(&delivery).unwrap().unwrap().status, "created");
    // A canceled fetch cannot change any more: at once, the caller hears the 404.
    let e = d
        .enqueue_write(Write::UpdateFetch {
            id: Target::Id(fetch),
            body: json!({"pickup_comments": "x"}),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);

    // 枠カレンダー: reserve a slot tomorrow; a slot already past is refused.
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let zone = client
        .time_zones()
        .await
        .unwrap()
        .into_iter()
        .find(|z| z.starts == 12)
        .unwrap();
    let tomorrow = tomorrow_10()[..10].to_owned();
    let held = applied(
        d.enqueue_write(Write::ReserveWindow {
            store_id: Target::Id(SHIBUYA.into()),
            reserve_date: tomorrow,
            time_zone_id: zone.id.clone(),
        })
        .await
        .unwrap(),
    );
    assert_eq!(
        held.server_id.as_deref(),
        held.response.unwrap()["id"].as_str()
    );
    let e = d
        .enqueue_write(Write::ReserveWindow {
            store_id: Target::Id(SHIBUYA.into()),
            reserve_date: "2020-01-01".into(),
            time_zone_id: zone.id,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(e.message.contains("already started"), "{}", e.message);
    assert_eq!(d.outbox_counts().unwrap().acked, 7);
    server.shutdown().await;
}

/// A proxy that forwards every request to `upstream` and, once the answer starts coming
/// back, closes the connection without passing it on: the server applied the write, the
/// client never hears so.
async fn answer_losing_proxy(upstream: SocketAddr) -> SocketAddr {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut from_client, _to_client) = client.into_split();
                let (mut from_server, mut to_server) = server.into_split();
                let forward = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
                });
                let mut first = [0u8; 1];
                let _ = from_server.read(&mut first).await;
                forward.abort();
                // Dropping both halves closes the client's connection with no answer.
            });
        }
    });
    addr
}

#[tokio::test]
async fn answers_lost_on_the_wire_cause_no_duplicate_store_or_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), "127.0.0.1:0").await;
    let proxy = answer_losing_proxy(server.addr()).await;
    let cache_file = dir.path().join("cache.db");
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();

    let lossy = dispatch(&format!("http://{proxy}"), &cache_file);
    let written = lossy
        .enqueue_write(Write::CreateStore {
            input: store_input("返事なし商店"),
        })
        .await
        .unwrap();
    let Written::Queued {
        client_id: store, ..
    } = written
    else {
        panic!("{written:?}")
    };
    let mut body = order_body(OrderKind::Delivery, "WIRE-1");
    let hold = client.create_delivery_estimate(&body).await.unwrap();
    body["delivery_window_id"] = json!(hold.delivery_windows[0].id);
    // Its own outbox, so the queued store does not hold the delivery back.
    let lossy_orders = dispatch(&format!("http://{proxy}"), &dir.path().join("orders.db"));
    let written = lossy_orders
        .enqueue_write(Write::CreateDelivery {
            body,
            window: WindowChoice::Given,
        })
        .await
        .unwrap();
    assert!(matches!(written, Written::Queued { .. }), "{written:?}");
    drop((lossy, lossy_orders));
    // The server did apply the store, though the app never heard.
    let stores = client.all_stores(&Default::default()).await.unwrap();
    assert_eq!(stores.len(), 13);

    let d = dispatch(&server.base_url(), &cache_file);
    let report = d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.stopped), (1, None));
    // The store: its key replays the first answer (stores have no order reference).
    let stores = client.all_stores(&Default::default()).await.unwrap();
    assert_eq!(stores.len(), 13, "no second store");
    let ours = stores
        .iter()
        .find(|s| s.store_name == "返事なし商店")
        .unwrap();
    let row = d
        .outbox_rows(&[])
        .unwrap()
        .into_iter()
        .find(|r| r.client_id == store)
        .unwrap();
    assert_eq!(row.server_id.as_deref(), Some(ours.id.as_str()));
    // The delivery was applied too; replayed, it is found, not created again.
    assert_eq!(delivery_refs(&client).await.len(), 1);
    let d = dispatch(&server.base_url(), &dir.path().join("orders.db"));
    let report = d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.stopped), (1, None));
    let refs = delivery_refs(&client).await;
    assert_eq!(refs.len(), 1, "no second delivery: {refs:?}");
    let row = &d.outbox_rows(&[]).unwrap()[0];
    assert_eq!(row.server_id.as_deref(), refs[0].1["id"].as_str());
    server.shutdown().await;
}
