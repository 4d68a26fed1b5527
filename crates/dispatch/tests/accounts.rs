//! Switching account never sends one account's writes to another: real sandboxes on port 0
//! (or the same port again, for "the same URL with a new key"), real cache files. Each case
//! leaves the old account pending, failed and in-flight rows, switches, and checks that the
//! new API received nothing of them, that they are held (listed, counted, refused for retry,
//! discardable), and — where the old account comes back — that they reach it then.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hakobu_cache::{Cache, OutboxState};
use hakobu_diaq::StoreInput;
use hakobu_diaq::StoreQuery;
use hakobu_diaq_client::{DiaqClient, OrderQuery as ApiOrderQuery, RetryPolicy};
use hakobu_dispatch::{
    Dispatch, ErrorCode, Mode, OrderQuery, SystemClock, Target, WindowChoice, Write, Written,
};
use hakobu_sandbox::{CapacityConfig, RunningSandbox, SandboxConfig, Seed};
use serde_json::{Value, json};

const KEY_A: &str = "key_a";
const KEY_B: &str = "key_b";
/// Seeded Tokyo demo stores (the same ids in every seeded sandbox).
const SHIBUYA: &str = "5eed0000-0000-4000-8000-000000000003";
const AZABU: &str = "5eed0000-0000-4000-8000-000000000001";
const OLD_STORE: &str = "旧アカウント商店";
const OLD_PHONE: &str = "03-0000-1111";

async fn sandbox(db: &Path, key: &str, addr: &str) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: db.to_owned(),
        api_key: key.into(),
        seed: Some(Seed::Tokyo),
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

fn client(url: &str, key: &str) -> DiaqClient {
    DiaqClient::new(url, key).unwrap().with_retry(RetryPolicy {
        max_attempts: 2,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    })
}

fn dispatch(mode: Mode, url: &str, key: &str, cache: &Arc<Cache>) -> Dispatch {
    Dispatch::new(
        client(url, key),
        cache.clone(),
        mode,
        Arc::new(SystemClock),
        None,
    )
    .unwrap()
}

fn tomorrow_10() -> String {
    let t = hakobu_diaq::time::from_utc(chrono::Utc::now()) + chrono::Duration::days(1);
    format!("{}T10:00:00+09:00", t.format("%Y-%m-%d"))
}

fn delivery(reference: &str) -> Write {
    Write::CreateDelivery {
        body: json!({
            "store_id": SHIBUYA,
            "ready_by": tomorrow_10(),
            "customer": {"last_name": "吉沢", "first_name": "太郎", "phone": "090-1234-5678",
                         "address_zipcode": "150-0001", "address_prefecture": "東京都",
                         "address_line_1": "渋谷区神宮前1-19-11"},
            "packages": [{"service_brand": "60サイズ", "order_reference": reference,
                          "name": "靴", "boxes": 1, "number": 1}]
        }),
        window: WindowChoice::Earliest,
    }
}

async fn queued(d: &Dispatch, write: Write) -> String {
    match d.enqueue_write(write).await.unwrap() {
        Written::Queued { client_id, .. } => client_id,
        applied => panic!("the old API is down, yet applied: {applied:?}"),
    }
}

/// The old account's rows, queued while its API is down: two pending, one the server
/// refused (failed), one cut short mid-send (in flight).
struct OldRows {
    pending: Vec<String>,
    failed: String,
    in_flight: String,
}

async fn leave_rows(d: &Dispatch, cache: &Cache) -> OldRows {
    let store = queued(
        d,
        Write::CreateStore {
            input: StoreInput {
                store_name: Some(OLD_STORE.into()),
                store_address_zipcode: Some("106-0032".into()),
                store_address_prefecture: Some("東京都".into()),
                store_address_line_1: Some("港区六本木6-10-1".into()),
                store_phone: Some("03-6406-6000".into()),
                ..StoreInput::default()
            },
        },
    )
    .await;
    let pending_delivery = queued(d, delivery("OLD-PENDING")).await;
    let failed = queued(
        d,
        Write::UpdateStore {
            id: Target::Id(AZABU.into()),
            input: StoreInput {
                store_phone: Some(OLD_PHONE.into()),
                ..StoreInput::default()
            },
        },
    )
    .await;
    let in_flight = queued(d, delivery("OLD-IN-FLIGHT")).await;
    // The server's refusal, and a stop mid-send, as the replay would leave them.
    let now = "2026-11-23T10:00:00+09:00";
    let row = cache.outbox_row(&failed).unwrap().unwrap();
    cache.outbox_mark_in_flight(row.seq, now).unwrap().unwrap();
    assert!(
        cache
            .outbox_failed(row.seq, "bad_request", "store_phone: refused", now)
            .unwrap()
    );
    let row = cache.outbox_row(&in_flight).unwrap().unwrap();
    cache.outbox_mark_in_flight(row.seq, now).unwrap().unwrap();
    OldRows {
        pending: vec![store, pending_delivery],
        failed,
        in_flight,
    }
}

/// What `url` holds of the old rows: store names, delivery references and Azabu's phone.
async fn old_rows_at(url: &str, key: &str) -> (bool, Vec<String>, String) {
    let api = client(url, key);
    let stores = api.all_stores(&StoreQuery::default()).await.unwrap();
    let has_store = stores.iter().any(|s| s.store_name == OLD_STORE);
    let azabu_phone = stores
        .iter()
        .find(|s| s.id == AZABU)
        .map(|s| s.store_phone.clone())
        .unwrap();
    let refs = api
        .all_deliveries(&ApiOrderQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .flat_map(|d: Value| {
            d["packages"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["order_reference"].as_str().map(str::to_owned))
                .filter(|r| r.starts_with("OLD-"))
                .collect::<Vec<_>>()
        })
        .collect();
    (has_store, refs, azabu_phone)
}

/// The new account replays and syncs; the old rows stay where they were, held, and `new_url`
/// received none of them.
async fn assert_held(new: &Dispatch, cache: &Cache, old: &OldRows, new_url: &str, new_key: &str) {
    let report = new.replay_outbox().await.unwrap();
    assert_eq!(
        (report.acked, report.failed, report.conflicts),
        (0, 0, 0),
        "nothing of the old account is sent to the new one: {report:?}"
    );
    new.sync_stores().await.unwrap();
    let (has_store, refs, phone) = old_rows_at(new_url, new_key).await;
    assert!(!has_store, "the old account's store reached the new API");
    assert!(
        refs.is_empty(),
        "old deliveries reached the new API: {refs:?}"
    );
    assert_ne!(
        phone, OLD_PHONE,
        "the old account's refused update reached the new API"
    );

    let state = |id: &str| cache.outbox_row(id).unwrap().unwrap().state;
    for id in &old.pending {
        assert_eq!(state(id), OutboxState::Pending);
    }
    assert_eq!(state(&old.failed), OutboxState::Failed);
    assert_eq!(state(&old.in_flight), OutboxState::InFlight);
    let rows = new.outbox_rows(&[]).unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.held), "{rows:?}");
    let status = new.status().unwrap();
    assert_eq!(
        (
            status.pending_writes,
            status.refused_writes,
            status.held_writes
        ),
        (0, 0, 4),
        "the status bar counts them as held, not as this account's"
    );
    // Editing one to send it here is refused: it was made for the other account.
    let e = new.retry_failed(&old.failed, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("another account"), "{e:?}");
    // The board shows none of them as queued on this account.
    let page = new
        .order_page(&OrderQuery {
            limit: 1000,
            ..OrderQuery::default()
        })
        .unwrap();
    let queued_rows: Vec<_> = page
        .rows
        .iter()
        .filter(|r| r.id.starts_with(hakobu_dispatch::QUEUED_ID_PREFIX))
        .map(|r| r.id.clone())
        .collect();
    assert!(queued_rows.is_empty(), "{queued_rows:?}");
}

/// The old account comes back (same URL and key): its pending and in-flight rows reach it,
/// once each; its failed row waits for the user as before.
async fn assert_sent_back(old_d: &Dispatch, cache: &Cache, old: &OldRows, url: &str, key: &str) {
    let report = old_d.replay_outbox().await.unwrap();
    assert_eq!(
        (report.acked, report.stopped.is_none()),
        (3, true),
        "{report:?}"
    );
    let (has_store, mut refs, phone) = old_rows_at(url, key).await;
    refs.sort();
    assert!(has_store);
    assert_eq!(refs, ["OLD-IN-FLIGHT", "OLD-PENDING"]);
    assert_ne!(
        phone, OLD_PHONE,
        "the failed row is not sent without the user"
    );
    assert_eq!(
        cache.outbox_row(&old.failed).unwrap().unwrap().state,
        OutboxState::Failed
    );
    assert!(old_d.outbox_rows(&[]).unwrap().iter().all(|r| !r.held));
}

#[tokio::test]
async fn remote_to_sandbox_holds_the_remote_accounts_rows() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let a_db = dir.path().join("a.db");
    let a = sandbox(&a_db, KEY_A, "127.0.0.1:0").await;
    let a_addr: SocketAddr = a.addr();
    let a_url = a.base_url();
    a.shutdown().await;
    let old = {
        let d = dispatch(Mode::Remote, &a_url, KEY_A, &cache);
        leave_rows(&d, &cache).await
    };

    let b = sandbox(&dir.path().join("b.db"), KEY_B, "127.0.0.1:0").await;
    let sandbox_d = dispatch(Mode::Sandbox, &b.base_url(), KEY_B, &cache);
    assert_held(&sandbox_d, &cache, &old, &b.base_url(), KEY_B).await;
    drop(sandbox_d);

    let a = sandbox(&a_db, KEY_A, &a_addr.to_string()).await;
    let back = dispatch(Mode::Remote, &a_url, KEY_A, &cache);
    assert_sent_back(&back, &cache, &old, &a.base_url(), KEY_A).await;
    let (has_store, refs, _) = old_rows_at(&b.base_url(), KEY_B).await;
    assert!(
        !has_store && refs.is_empty(),
        "still nothing at the sandbox"
    );
}

#[tokio::test]
async fn a_new_key_on_the_same_url_is_another_account() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let a_db = dir.path().join("a.db");
    let a = sandbox(&a_db, KEY_A, "127.0.0.1:0").await;
    let addr = a.addr().to_string();
    let url = a.base_url();
    let old_d = dispatch(Mode::Remote, &url, KEY_A, &cache);
    old_d.sync_stores().await.unwrap();
    assert_eq!(cache.stores(None).unwrap().len(), 12, "A's stores cached");
    a.shutdown().await;
    let old = leave_rows(&old_d, &cache).await;
    drop(old_d);

    // Another account's server on the very same URL.
    let b = sandbox(&dir.path().join("b.db"), KEY_B, &addr).await;
    let new = dispatch(Mode::Remote, &url, KEY_B, &cache);
    assert!(
        cache.stores(None).unwrap().is_empty(),
        "a new key on the same URL does not keep the old account's cache"
    );
    assert_held(&new, &cache, &old, &url, KEY_B).await;
    // The user gives one held row up from the new account; the others stay held.
    new.discard_failed(&old.pending[0]).unwrap();
    assert!(cache.outbox_row(&old.pending[0]).unwrap().is_none());
    let e = new.discard_failed(&old.in_flight).unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::NotFound,
        "an in-flight row is not discarded"
    );
    assert_eq!(new.status().unwrap().held_writes, 3);
    drop(new);
    b.shutdown().await;

    let a = sandbox(&a_db, KEY_A, &addr).await;
    let back = dispatch(Mode::Remote, &url, KEY_A, &cache);
    let report = back.replay_outbox().await.unwrap();
    assert_eq!(
        (report.acked, report.stopped.is_none()),
        (2, true),
        "{report:?}"
    );
    let (has_store, mut refs, _) = old_rows_at(&a.base_url(), KEY_A).await;
    refs.sort();
    assert!(!has_store, "the discarded row went nowhere");
    assert_eq!(refs, ["OLD-IN-FLIGHT", "OLD-PENDING"]);
}

#[tokio::test]
async fn account_a_to_account_b_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let a_db = dir.path().join("a.db");
    let a = sandbox(&a_db, KEY_A, "127.0.0.1:0").await;
    let a_addr = a.addr().to_string();
    let a_url = a.base_url();
    a.shutdown().await;
    let old = {
        let d = dispatch(Mode::Remote, &a_url, KEY_A, &cache);
        leave_rows(&d, &cache).await
    };

    let b = sandbox(&dir.path().join("b.db"), KEY_B, "127.0.0.1:0").await;
    let new = dispatch(Mode::Remote, &b.base_url(), KEY_B, &cache);
    assert_held(&new, &cache, &old, &b.base_url(), KEY_B).await;
    // B's own writes go to B meanwhile, past the held rows.
    match new.enqueue_write(delivery("B-OWN")).await.unwrap() {
        Written::Applied { .. } => {}
        queued => panic!("B's write not applied: {queued:?}"),
    }
    drop(new);

    let a = sandbox(&a_db, KEY_A, &a_addr).await;
    let back = dispatch(Mode::Remote, &a_url, KEY_A, &cache);
    assert_sent_back(&back, &cache, &old, &a.base_url(), KEY_A).await;
    let b_row = back
        .outbox_rows(&[OutboxState::Acked])
        .unwrap()
        .into_iter()
        .filter(|r| r.endpoint == b.base_url())
        .count();
    assert_eq!(b_row, 1, "B's acked write stays B's");
    let refs = |url: String, key: &'static str| async move {
        let api = client(&url, key);
        api.all_deliveries(&ApiOrderQuery::default())
            .await
            .unwrap()
            .iter()
            .map(|d| d.packages[0].order_reference.clone())
            .collect::<Vec<_>>()
    };
    assert!(
        !refs(a.base_url(), KEY_A)
            .await
            .contains(&"B-OWN".to_owned())
    );
    assert!(
        refs(b.base_url(), KEY_B)
            .await
            .contains(&"B-OWN".to_owned())
    );
}
