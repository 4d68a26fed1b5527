//! A `Dispatch` the app switched away from writes nothing after `retire` returns (issue 23 §1,
//! "switching account never sends one account's writes to another"), on the real sandbox
//! (port 0), a real cache file and the real signed webhook receiver. The next account claims
//! the cache right after `retire` (as `wiring::Live::rewire` does), and what the old instance
//! was still doing must not show up in it:
//! - driver fixes posted to the old receiver through the switch (the location writer's queue);
//! - a plan the old instance was solving: cancelled at the switch and marked interrupted, its
//!   result never written, and no new version begun.
//!
//! The switch stops the old receiver before it retires the instance; these tests keep it
//! posting on purpose, so that a fix queued behind the switch (a sender that hung up leaves
//! one) is certain to be there.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{
    BatchStop, Dispatch, DriverInput, ErrorCode, Mode, PlanEvent, PlanRequest, PlanState,
    StopWindow, SystemClock, WebhookSecret, demo_driver, tokyo_rfc3339,
};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use rand::SeedableRng;
use serde_json::json;
use tokio::sync::mpsc;

const KEY: &str = "k_retired";
/// The next account: the same server with another key is another account.
const NEXT_KEY: &str = "k_next_account";

fn geo() -> Arc<Gazetteer> {
    static G: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    G.get_or_init(|| {
        Arc::new(
            Gazetteer::load(&Gazetteer::default_path())
                .unwrap_or_else(|e| panic!("{e}: run `make data` first")),
        )
    })
    .clone()
}

async fn sandbox(dir: &Path, geo: Option<Arc<Gazetteer>>) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: dir.join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::TokyoDay),
        geo: geo.into(),
        ..SandboxConfig::default()
    };
    hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn dispatch(
    server: &RunningSandbox,
    key: &str,
    mode: Mode,
    cache: &Arc<Cache>,
    geo: Option<Arc<Gazetteer>>,
) -> Dispatch {
    Dispatch::new(
        DiaqClient::new(&server.base_url(), key).unwrap(),
        cache.clone(),
        mode,
        Arc::new(SystemClock),
        geo,
    )
    .unwrap()
}

/// Keeps posting signed fixes of new drivers to `url` until `stop`; counts the answers.
struct Posting {
    applied: AtomicU64,
    refused: AtomicU64,
    stop: AtomicBool,
}

async fn post_fixes(url: String, secret: WebhookSecret, poster: u64, posting: Arc<Posting>) {
    let http = reqwest::Client::new();
    let mut k = 0u64;
    while !posting.stop.load(Ordering::SeqCst) {
        k += 1;
        let driver = poster * 1_000_000 + k;
        let body = json!({"event": "driver.location", "driver": {
            "id": driver, "name": format!("運転手 {driver}"),
            "location": {"latitude": 35.68, "longitude": 139.76,
                         "update": tokyo_rfc3339(chrono::Utc::now())}}})
        .to_string();
        let id = format!("msg_{driver}");
        let now = chrono::Utc::now().timestamp();
        let answer = http
            .post(&url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", now.to_string())
            .header("webhook-signature", secret.sign(&id, now, body.as_bytes()))
            .body(body)
            .send()
            .await;
        match answer {
            Ok(a) if a.status().is_success() => posting.applied.fetch_add(1, Ordering::SeqCst),
            _ => posting.refused.fetch_add(1, Ordering::SeqCst),
        };
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixes_posted_to_the_old_receiver_through_the_switch_never_reach_the_next_account() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), None).await;
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let old = Arc::new(dispatch(&server, KEY, Mode::Sandbox, &cache, None));
    let secret = WebhookSecret::generate(&mut rand::rngs::StdRng::from_os_rng());
    let receiver = old.serve_webhooks(secret.clone()).await.unwrap();
    let posting = Arc::new(Posting {
        applied: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });
    let posters: Vec<_> = (1..=4)
        .map(|p| {
            tokio::spawn(post_fixes(
                receiver.url().to_owned(),
                secret.clone(),
                p,
                posting.clone(),
            ))
        })
        .collect();
    until("the old account's drivers arrive", || {
        old.list_drivers().unwrap().len() >= 20
    })
    .await;

    old.retire().await;
    let next = dispatch(&server, NEXT_KEY, Mode::Remote, &cache, None);
    assert!(
        next.list_drivers().unwrap().is_empty(),
        "the claim emptied them"
    );
    // The posts go on through the switch and after it.
    let refused_at_switch = posting.refused.load(Ordering::SeqCst);
    until("many posts answered after the switch", || {
        posting.refused.load(Ordering::SeqCst) >= refused_at_switch + 200
    })
    .await;
    posting.stop.store(true, Ordering::SeqCst);
    for p in posters {
        p.await.unwrap();
    }
    let applied = posting.applied.load(Ordering::SeqCst);
    assert!(applied >= 20, "{applied} fixes applied before the switch");
    assert!(
        next.list_drivers().unwrap().is_empty(),
        "no fix of the old account's receiver was written after the switch"
    );
    receiver.shutdown().await;
}

/// `n` stops around the store, 10:00–17:00 windows.
fn stops_around(lat: f64, lng: f64, n: usize) -> Vec<BatchStop> {
    (0..n)
        .map(|k| {
            let angle = k as f64 * 2.399_963;
            let r = 0.004 + 0.0015 * k as f64;
            BatchStop {
                external_stop_id: format!("S{k}"),
                line: k + 2,
                lat: lat + r * angle.sin(),
                lng: lng + r * angle.cos(),
                parcel_count: 1 + (k % 2) as u32,
                time_window: Some(StopWindow {
                    start: "10:00".into(),
                    end: "17:00".into(),
                }),
                ..BatchStop::default()
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_solving_at_the_switch_is_interrupted_and_nothing_of_it_is_written_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), Some(geo())).await;
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let old = dispatch(&server, KEY, Mode::Sandbox, &cache, Some(geo()));
    old.sync_stores().await.unwrap();
    let fleet: Vec<DriverInput> = hakobu_sandbox::demo_drivers()
        .iter()
        .map(|r| demo_driver(&r.email, &r.name, r.vehicle, r.start))
        .collect();
    old.seed_fleet(&fleet).unwrap();
    let store = old
        .list_stores(None)
        .unwrap()
        .into_iter()
        .find(|s| s.location.is_some())
        .expect("a seeded store with a position");
    let at = store.location.unwrap();
    let request = PlanRequest {
        plan_id: None,
        date: "2026-12-08".into(),
        store_id: Some(store.store.id.clone()),
        stops: stops_around(at.lat, at.lng, 40),
        orders: Vec::new(),
        drivers: None,
        // Far longer than the test: only a cancel ends it in time.
        time_limit_s: Some(120),
        threads: Some(1),
        seed: Some(7),
    };
    let (tx, mut events) = mpsc::unbounded_channel();
    let started = old
        .plan_batch(
            request.clone(),
            Arc::new(move |e| {
                let _ = tx.send(e);
            }),
        )
        .await
        .unwrap();
    // Under way: its progress is heard.
    loop {
        match events.recv().await.expect("the solver reports") {
            PlanEvent::Progress(_) => break,
            PlanEvent::Preview(_) => {}
            PlanEvent::Finished(f) => panic!("ended before the switch: {f:?}"),
        }
    }

    old.retire().await;
    // Marked at the switch, before the next account claims the cache.
    let marked = old
        .get_plan(&started.plan_id, Some(started.version))
        .unwrap();
    assert_eq!(marked.state, PlanState::Interrupted);
    assert!(
        marked
            .error
            .as_deref()
            .is_some_and(|e| e.contains("switched")),
        "{:?}",
        marked.error
    );
    // Nor does it begin a new version (its stores are still cached: only the fence stops it).
    let refused = old.plan_batch(request, Arc::new(|_| {})).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Config, "{refused}");
    let next = dispatch(&server, NEXT_KEY, Mode::Remote, &cache, Some(geo()));

    // The solver stops at once (cancelled), and what it found is not written.
    let finished = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let PlanEvent::Finished(f) = events.recv().await.expect("the solver ends") {
                return f;
            }
        }
    })
    .await
    .expect("the solve ends long before its time limit");
    assert_eq!(finished.state, PlanState::Interrupted, "{finished:?}");
    assert_eq!(
        (finished.plan_id.as_str(), finished.version),
        (started.plan_id.as_str(), started.version)
    );
    // Plans are the account's own (migration 0014): the next account does not see it, and
    // the old account, back again, finds it as the switch left it.
    let unseen = next.get_plan(&started.plan_id, None).unwrap_err();
    assert_eq!(unseen.code, ErrorCode::NotFound, "{unseen}");
    assert!(next.list_plans().unwrap().is_empty());
    let back = dispatch(&server, KEY, Mode::Sandbox, &cache, Some(geo()));
    let kept = back.get_plan(&started.plan_id, None).unwrap();
    assert_eq!(kept.version, started.version, "no version after the switch");
    assert_eq!(kept.state, PlanState::Interrupted);
    assert!(
        kept.routes.is_empty(),
        "the old solve's routes were not written"
    );
    assert_eq!(
        kept.finished_at, marked.finished_at,
        "written once, at the switch"
    );
    assert!(
        !back.cancel_plan(&started.plan_id),
        "nothing of it runs any more"
    );
    assert_eq!(back.list_plans().unwrap().len(), 1);
}

/// A write asked of the instance being left (the window still had it during the switch) is
/// refused and queues nothing: a row of the old account would be held, and sent as a
/// duplicate if the user ever switched back, after they had done it again on the new one.
#[tokio::test]
async fn a_write_asked_during_the_switch_queues_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path(), None).await;
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let old = dispatch(&server, KEY, Mode::Remote, &cache, None);
    old.retire().await;
    let write = hakobu_dispatch::Write::CreateStore {
        input: hakobu_diaq::StoreInput {
            store_name: Some("切替中の店".into()),
            store_address_zipcode: Some("106-0032".into()),
            store_address_prefecture: Some("東京都".into()),
            store_address_line_1: Some("港区六本木6-10-1".into()),
            store_phone: Some("03-6406-6000".into()),
            ..hakobu_diaq::StoreInput::default()
        },
    };
    let refused = old.enqueue_write(write).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Config, "{refused:?}");
    assert!(refused.message.contains("switched"), "{refused:?}");
    assert!(old.outbox_rows(&[]).unwrap().is_empty(), "a row was queued");
    server.shutdown().await;
}
