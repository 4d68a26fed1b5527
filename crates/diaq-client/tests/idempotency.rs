//! `Idempotency-Key` on the sandbox's writes (DESIGN.md semantics), over real HTTP.

use std::sync::Arc;

use chrono::Duration;
use hakobu_sandbox::{ManualClock, RunningSandbox, SandboxConfig, Seed};
use serde_json::{Value, json};

const KEY: &str = "k_idem";

async fn sandbox() -> (tempfile::TempDir, RunningSandbox, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        hakobu_diaq::time::parse("2026-11-23T09:00:00+09:00").unwrap(),
    ));
    let config = SandboxConfig {
        db_path: dir.path().join("s.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        clock: Some(clock.clone()),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (dir, server, clock)
}

fn store(name: &str) -> Value {
    json!({
        "store_name": name,
        "store_address_zipcode": "106-0032",
        "store_address_prefecture": "東京都",
        "store_address_line_1": "港区六本木6-10-1",
        "store_phone": "03-6406-6000"
    })
}

async fn post(base: &str, key: Option<&str>, body: &Value) -> (u16, Option<String>, Value) {
    let mut r = reqwest::Client::new()
        .post(format!("{base}/v1/stores"))
        .header("Api-Key", KEY)
        .json(body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    let resp = r.send().await.unwrap();
    let replayed = resp
        .headers()
        .get("Idempotent-Replayed")
        .map(|v| v.to_str().unwrap().to_owned());
    (resp.status().as_u16(), replayed, resp.json().await.unwrap())
}

async fn count(base: &str) -> u64 {
    reqwest::Client::new()
        .get(format!("{base}/v1/stores/counts"))
        .header("Api-Key", KEY)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["counts"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_same_key_and_body_replay_the_first_answer_and_create_once() {
    let (_d, s, _c) = sandbox().await;
    let base = s.base_url();
    let (st, replayed, first) = post(&base, Some("k-1"), &store("一号店")).await;
    assert_eq!((st, replayed), (200, None));
    let (st, replayed, again) = post(&base, Some("k-1"), &store("一号店")).await;
    assert_eq!((st, replayed.as_deref()), (200, Some("true")));
    assert_eq!(again, first);
    assert_eq!(count(&base).await, 13, "12 seeded + 1");
    // Without a key, nothing is remembered.
    post(&base, None, &store("二号店")).await;
    post(&base, None, &store("二号店")).await;
    assert_eq!(count(&base).await, 15);
}

#[tokio::test]
async fn a_different_body_under_the_same_key_is_422_and_a_rejected_request_replays_its_400() {
    let (_d, s, _c) = sandbox().await;
    let base = s.base_url();
    post(&base, Some("k-2"), &store("一号店")).await;
    let (st, _, body) = post(&base, Some("k-2"), &store("別の店")).await;
    assert_eq!(st, 422);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("Idempotency-Key:")
    );
    let mut invalid = store("x");
    invalid["store_phone"] = json!("phone");
    let (st, _, first) = post(&base, Some("k-3"), &invalid).await;
    let (st2, replayed, second) = post(&base, Some("k-3"), &invalid).await;
    assert_eq!((st, st2, replayed.as_deref()), (400, 400, Some("true")));
    assert_eq!(first, second);
}

#[tokio::test]
async fn keys_expire_after_24_hours() {
    let (_d, s, clock) = sandbox().await;
    let base = s.base_url();
    let (_, _, a) = post(&base, Some("k-4"), &store("一号店")).await;
    clock.advance(Duration::hours(24) + Duration::seconds(1));
    let (_, replayed, b) = post(&base, Some("k-4"), &store("一号店")).await;
    assert_eq!(replayed, None);
    assert_ne!(a["id"], b["id"], "a new request after expiry");
}

#[tokio::test]
async fn concurrent_duplicates_create_exactly_one() {
    let (_d, s, _c) = sandbox().await;
    let base = s.base_url();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { post(&base, Some("k-5"), &store("同時店")).await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let (st, _, body) = t.await.unwrap();
        match st {
            200 => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            409 => assert!(body["error"].as_str().unwrap().contains("in progress")),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(count(&base).await, 13);
}
