//! Webhook intake and incremental sync: the real sandbox on port 0 (posting its own signed
//! webhooks, or driven directly), the real client, a real cache file, and requests posted to
//! the receiver by hand where a test needs a forged, stale or replayed one.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hakobu_cache::Cache;
use hakobu_diaq_client::{ClientError, DiaqClient};
use hakobu_dispatch::{Changes, Clock, Dispatch, ErrorCode, Mode, WebhookReceiver, WebhookSecret};
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use rand::SeedableRng;
use serde_json::{Value, json};
use tokio::sync::broadcast;

const KEY: &str = "k_webhooks";
const STORE: &str = "5eed0000-0000-4000-8000-000000000003"; // 渋谷道玄坂
/// The acceptance bound: a sandbox event is in the cache this soon after the change.
const WITHIN: Duration = Duration::from_secs(1);
/// For waits that are not under test.
const PATIENCE: Duration = Duration::from_secs(20);

/// The wall clock moved by an offset the test sets: the receiver's idea of "now".
#[derive(Default)]
struct ShiftedClock(AtomicI64);

impl ShiftedClock {
    fn shift(&self, by: chrono::Duration) {
        self.0.store(by.num_seconds(), Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::SeqCst))
    }
}

struct World {
    dir: tempfile::TempDir,
    server: Option<RunningSandbox>,
    addr: std::net::SocketAddr,
    client: DiaqClient,
    cache: Arc<Cache>,
    clock: Arc<ShiftedClock>,
    dispatch: Arc<Dispatch>,
    http: reqwest::Client,
}

fn sandbox_config(dir: &tempfile::TempDir) -> SandboxConfig {
    SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        ..SandboxConfig::default()
    }
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let server = hakobu_sandbox::start(&sandbox_config(&dir), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY)
        .unwrap()
        .with_retry(hakobu_diaq_client::RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        });
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let clock = Arc::new(ShiftedClock::default());
    let dispatch = Arc::new(
        Dispatch::new(
            client.clone(),
            cache.clone(),
            Mode::Sandbox,
            clock.clone(),
            None,
        )
        .unwrap(),
    );
    World {
        addr: server.addr(),
        server: Some(server),
        dir,
        client,
        cache,
        clock,
        dispatch,
        http: reqwest::Client::new(),
    }
}

fn tomorrow_10() -> String {
    let t = hakobu_diaq::time::from_utc(Utc::now()) + chrono::Duration::days(1);
    format!("{}T10:00:00+09:00", t.format("%Y-%m-%d"))
}

/// A delivery created on the sandbox (estimate, then create), as the API answered.
async fn create_delivery(client: &DiaqClient) -> Value {
    let mut body = json!({
        "store_id": STORE,
        "ready_by": tomorrow_10(),
        "customer": {"address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "address_line_2": "原宿ビル5F",
                     "last_name": "吉沢", "phone": "090-1234-5678"},
        "packages": [{"service_brand": "60サイズ", "order_reference": "W1", "name": "靴",
                      "boxes": 1, "number": 1}]
    });
    let estimate = client.create_delivery_estimate(&body).await.unwrap();
    body["delivery_window_id"] = json!(estimate.delivery_windows[0].id);
    serde_json::to_value(client.create_delivery(&body).await.unwrap()).unwrap()
}

fn secret() -> WebhookSecret {
    WebhookSecret::generate(&mut rand::rngs::StdRng::from_os_rng())
}

fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// The three Standard Webhooks headers for `body`, signed with `secret` at `timestamp`.
fn signed(secret: &WebhookSecret, id: &str, timestamp: i64, body: &str) -> Vec<(String, String)> {
    vec![
        ("webhook-id".into(), id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        (
            "webhook-signature".into(),
            secret.sign(id, timestamp, body.as_bytes()),
        ),
    ]
}

impl World {
    async fn post(
        &self,
        receiver: &WebhookReceiver,
        headers: &[(String, String)],
        body: &str,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .post(receiver.url())
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn status_of(&self, id: &str) -> String {
        self.cache.order(id).unwrap().unwrap().status
    }

    fn events(&self) -> u64 {
        self.cache.webhook_event_count(None).unwrap()
    }
}

/// A `delivery.<status>` body as the sandbox would send it, claiming `status`.
fn delivery_event(delivery: &Value, status: &str) -> String {
    let mut object = delivery.clone();
    object["status"] = json!(status);
    json!({"event": format!("delivery.{status}"), "created_at": "2026-11-23T09:00:00+09:00",
           "delivery": object})
    .to_string()
}

fn location_event(driver: u64, lat: f64, lng: f64, update: &str) -> String {
    json!({"event": "driver.location", "created_at": update,
           "driver": {"id": driver, "name": "佐藤 花子",
                      "location": {"latitude": lat, "longitude": lng, "update": update}}})
    .to_string()
}

/// Whatever is announced within a moment (the changes channel is in-process: a moment is
/// plenty), merged.
async fn announced(rx: &mut broadcast::Receiver<Changes>) -> Changes {
    let mut all = Changes::default();
    while let Ok(Ok(c)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
        all.orders.extend(c.orders);
        all.drivers.extend(c.drivers);
        all.positions.extend(c.positions);
    }
    all
}

#[tokio::test]
async fn only_signed_fresh_events_are_taken_and_nothing_changes_otherwise() {
    let w = world().await;
    let d = create_delivery(&w.client).await;
    let id = d["id"].as_str().unwrap();
    w.dispatch.sync_orders(true).await.unwrap();
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    assert!(
        receiver.url().starts_with("http://127.0.0.1:"),
        "{}",
        receiver.url()
    );
    // The API moves on; the events below claim more.
    w.client.sandbox_advance("deliveries", id).await.unwrap();
    let body = delivery_event(&d, "delivered");

    // Signed with another key.
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&secret(), "msg_forged", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(status, 401, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("webhook-signature")
    );
    // Signed right, body changed afterwards.
    let tampered = body.replace("吉沢", "吉田");
    let (status, _) = w
        .post(
            &receiver,
            &signed(&key, "msg_tampered", unix_now(), &body),
            &tampered,
        )
        .await;
    assert_eq!(status, 401);
    // Each header missing in turn.
    for missing in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let headers: Vec<_> = signed(&key, "msg_partial", unix_now(), &body)
            .into_iter()
            .filter(|(k, _)| k != missing)
            .collect();
        let (status, answer) = w.post(&receiver, &headers, &body).await;
        assert_eq!(status, 401, "{missing}");
        assert_eq!(answer["error"], format!("{missing}: header missing"));
    }
    // Stale: signed six minutes ago by the wall clock…
    let stale = unix_now() - 6 * 60;
    let (status, answer) = w
        .post(&receiver, &signed(&key, "msg_stale", stale, &body), &body)
        .await;
    assert_eq!(status, 401);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("webhook-timestamp")
    );
    // …or signed now while the receiver's (injected) clock is six minutes ahead.
    w.clock.shift(chrono::Duration::minutes(6));
    let (status, _) = w
        .post(
            &receiver,
            &signed(&key, "msg_early", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(status, 401);
    w.clock.shift(chrono::Duration::zero());

    assert_eq!(w.events(), 0, "nothing refused was recorded");
    assert_eq!(w.status_of(id), "created", "nor applied");

    // Correctly signed but not an event we can read: 400, still nothing recorded.
    for (bad, says) in [
        ("not json", "body: must be JSON"),
        (
            r#"{"event": "delivery.assigned", "delivery": {}}"#,
            "delivery.id: must be a string",
        ),
    ] {
        let (status, answer) = w
            .post(&receiver, &signed(&key, "msg_bad", unix_now(), bad), bad)
            .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(answer["error"], says);
    }
    assert_eq!(w.events(), 0);

    // The same event, signed right and fresh: taken, and the cache gets the API's status —
    // `assigned`, not the `delivered` the body claims (confirm-by-GET).
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_good", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"], "applied");
    assert_eq!(answer["detail"], "confirmed assigned");
    assert_eq!(w.status_of(id), "assigned");
    let event = w.cache.webhook_event("msg_good").unwrap().unwrap();
    assert_eq!(event.event, "delivery.delivered");
    assert_eq!(event.outcome.as_deref(), Some("confirmed assigned"));
    assert!(event.applied_at.is_some());
    assert_eq!(w.events(), 1);
    receiver.shutdown().await;
}

#[tokio::test]
async fn confirmation_by_get_decides_the_status_and_unknown_orders_change_nothing() {
    let w = world().await;
    let d = create_delivery(&w.client).await;
    let id = d["id"].as_str().unwrap();
    w.dispatch.sync_orders(true).await.unwrap();
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    let mut changes = w.dispatch.subscribe_changes();

    // The body claims `canceled`; the API still has `created`: the cache keeps `created` and
    // nothing is announced.
    let body = delivery_event(&d, "canceled");
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_claim", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(
        (status, answer["detail"].as_str()),
        (200, Some("unchanged"))
    );
    assert_eq!(w.status_of(id), "created");
    assert_eq!(announced(&mut changes).await, Changes::default());

    // An order the API does not have: recorded, answered 200 (resending will not help),
    // and the cache does not gain it.
    let mut ghost = d.clone();
    ghost["id"] = json!("00000000-0000-4000-8000-000000000000");
    let body = delivery_event(&ghost, "assigned");
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_ghost", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(
        (status, answer["detail"].as_str()),
        (200, Some("not_found"))
    );
    assert!(
        w.cache
            .order(ghost["id"].as_str().unwrap())
            .unwrap()
            .is_none()
    );

    // A fetch event is confirmed with GET /v1/fetches/{id}: a delivery's id is not a fetch.
    let body = json!({"event": "fetch.assigned", "fetch": {"id": id}}).to_string();
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_fetch", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(
        (status, answer["detail"].as_str()),
        (200, Some("not_found"))
    );
    assert_eq!(w.status_of(id), "created");

    // An event type we do not use is recorded and acknowledged.
    let body = r#"{"event": "store.updated"}"#;
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_other", unix_now(), body),
            body,
        )
        .await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("ignored")));
    assert_eq!(w.events(), 4);

    // Once the API moves, the same kind of event brings its status, and says so.
    w.client.sandbox_advance("deliveries", id).await.unwrap();
    let body = delivery_event(&d, "canceled");
    let (status, _) = w
        .post(
            &receiver,
            &signed(&key, "msg_claim_2", unix_now(), &body),
            &body,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(w.status_of(id), "assigned");
    assert_eq!(announced(&mut changes).await.orders, vec![id.to_owned()]);
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_replayed_webhook_id_is_acknowledged_but_applied_once() {
    let w = world().await;
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    let mut changes = w.dispatch.subscribe_changes();
    let body = location_event(2, 35.6595, 139.7005, "2026-11-23T09:00:00+09:00");
    let headers = signed(&key, "msg_replayed", unix_now(), &body);
    let (status, answer) = w.post(&receiver, &headers, &body).await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));
    assert_eq!(announced(&mut changes).await.drivers, vec![2]);

    // The sender did not hear us and sends it again (same id, same signature).
    let (status, answer) = w.post(&receiver, &headers, &body).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("duplicate"))
    );
    assert_eq!(w.events(), 1);
    assert_eq!(w.dispatch.driver_trail(2).unwrap().len(), 1);
    assert_eq!(announced(&mut changes).await, Changes::default());
    receiver.shutdown().await;
}

#[tokio::test]
async fn an_id_inside_the_replay_window_stays_a_duplicate_after_ten_thousand_newer_events() {
    let w = world().await;
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    let body = location_event(2, 35.6595, 139.7005, "2026-11-23T09:00:00+09:00");
    let headers = signed(&key, "msg_captured", unix_now(), &body);
    let (status, answer) = w.post(&receiver, &headers, &body).await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));

    // A flood: more than the count the cache keeps whatever their age, all just now.
    let now = hakobu_dispatch::tokyo_rfc3339(w.clock.now());
    let forget_before = (w.clock.now() - chrono::Duration::minutes(11)).timestamp();
    let flood = hakobu_cache::WEBHOOK_EVENTS_KEPT + 10;
    for n in 0..flood {
        w.cache
            .record_webhook_event(
                &format!("msg_flood_{n}"),
                "driver.location",
                &now,
                &json!({}),
                forget_before,
            )
            .unwrap();
    }
    assert_eq!(w.events(), flood as u64 + 1);

    // The captured request, replayed while its timestamp is still fresh: not applied again.
    let (status, answer) = w.post(&receiver, &headers, &body).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("duplicate")),
        "{answer}"
    );
    assert_eq!(w.dispatch.driver_trail(2).unwrap().len(), 1);
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_and_one_at_the_limit_is_read() {
    let w = world().await;
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    // An event type we do not use, padded to exactly the limit.
    let frame = json!({"event": "store.updated", "padding": ""}).to_string();
    let padding = "x".repeat(hakobu_dispatch::WEBHOOK_BODY_LIMIT - frame.len());
    let at_limit = json!({"event": "store.updated", "padding": padding}).to_string();
    assert_eq!(at_limit.len(), hakobu_dispatch::WEBHOOK_BODY_LIMIT);
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_at_limit", unix_now(), &at_limit),
            &at_limit,
        )
        .await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("ignored")));

    let over = json!({"event": "store.updated", "padding": format!("{padding}x")}).to_string();
    let (status, answer) = w
        .post(
            &receiver,
            &signed(&key, "msg_over", unix_now(), &over),
            &over,
        )
        .await;
    assert_eq!(status, 413, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().starts_with("body: "),
        "{answer}"
    );
    assert!(w.cache.webhook_event("msg_over").unwrap().is_none());
    assert_eq!(w.events(), 1);
    receiver.shutdown().await;
}

#[tokio::test]
async fn sandbox_events_reach_the_cache_within_a_second() {
    let w = world().await;
    let d = create_delivery(&w.client).await;
    let id = d["id"].as_str().unwrap();
    w.dispatch.sync_orders(true).await.unwrap();
    let mut changes = w.dispatch.subscribe_changes();
    let receiver = w.dispatch.start_webhook_receiver().await.unwrap();

    let started = Instant::now();
    w.client.sandbox_advance("deliveries", id).await.unwrap();
    while w.status_of(id) != "assigned" {
        assert!(
            started.elapsed() < WITHIN,
            "not in the cache within {WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let heard = announced(&mut changes).await;
    assert_eq!(heard.orders, vec![id.to_owned()]);
    // The event carried the assigned driver (webhook form): it is on the map, on this job.
    assert_eq!(heard.drivers.len(), 1, "{heard:?}");
    let driver = w.cache.driver(heard.drivers[0]).unwrap().unwrap();
    // …and the announcement carries the row as recorded, so the map needs no read.
    assert_eq!(heard.positions, vec![driver.clone()]);
    let job = driver.job.unwrap();
    assert_eq!((job.kind.as_str(), job.id.as_str()), ("delivery", id));
    assert_eq!(job.status, "assigned");
    assert_eq!(driver.phone, None, "no phone before collecting");

    // The driver moves (sandbox route): driver.location updates the latest point and the
    // trail, which stays bounded however far it goes.
    let moves = hakobu_cache::TRAIL_POINTS + 5;
    let url = format!("http://{}/sandbox/drivers/{}/location", w.addr, driver.id);
    for n in 0..moves {
        let lat = 35.6 + n as f64 * 1e-4;
        let res = w
            .http
            .put(&url)
            .header("Api-Key", KEY)
            .json(&json!({"latitude": lat, "longitude": 139.7}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let last = 35.6 + (moves - 1) as f64 * 1e-4;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let d = w.cache.driver(driver.id).unwrap().unwrap();
        if (d.lat - last).abs() < 1e-9 {
            assert_eq!(d.job.unwrap().id, id, "still on the job");
            break;
        }
        assert!(Instant::now() < deadline, "last move not applied");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let trail = w.dispatch.driver_trail(driver.id).unwrap();
    assert!(trail.len() <= hakobu_cache::TRAIL_POINTS, "{}", trail.len());
    assert!((trail.last().unwrap().lat - last).abs() < 1e-9);
    assert!(
        w.dispatch
            .list_drivers()
            .unwrap()
            .iter()
            .any(|x| x.id == driver.id)
    );
    assert!(w.dispatch.status().unwrap().online);

    // Registration errors surface: the sandbox refuses a secret that is not whsec_.
    assert!(matches!(
        w.client
            .sandbox_register_webhook(receiver.url(), "plain")
            .await,
        Err(ClientError::BadRequest { .. })
    ));
    w.client.sandbox_unregister_webhook().await.unwrap();
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_remote_api_is_not_registered_with() {
    let w = world().await;
    let remote = Arc::new(
        Dispatch::new(
            w.client.clone(),
            Arc::new(Cache::open(&w.dir.path().join("remote.db")).unwrap()),
            Mode::Remote,
            w.clock.clone(),
            None,
        )
        .unwrap(),
    );
    let e = remote.start_webhook_receiver().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
}

#[tokio::test]
async fn registration_failure_is_reported_and_the_receiver_stopped() {
    let mut w = world().await;
    w.server.take().unwrap().shutdown().await;
    let e = w.dispatch.start_webhook_receiver().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    assert!(!w.dispatch.status().unwrap().online);
}

#[tokio::test]
async fn an_event_the_api_cannot_confirm_is_refused_with_503_and_applied_on_retry() {
    let mut w = world().await;
    let d = create_delivery(&w.client).await;
    let id = d["id"].as_str().unwrap();
    w.dispatch.sync_orders(true).await.unwrap();
    w.client.sandbox_advance("deliveries", id).await.unwrap();
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();

    // The API goes away: the event cannot be confirmed, so the sender must retry.
    w.server.take().unwrap().shutdown().await;
    let body = delivery_event(&d, "assigned");
    let headers = signed(&key, "msg_retry", unix_now(), &body);
    let (status, answer) = w.post(&receiver, &headers, &body).await;
    assert_eq!(status, 503, "{answer}");
    assert!(!w.dispatch.status().unwrap().online, "offline shows");
    let event = w.cache.webhook_event("msg_retry").unwrap().unwrap();
    assert_eq!(event.applied_at, None);
    assert_eq!(w.status_of(id), "created");

    // Back on the same address (same data): the retry is applied, not taken for a duplicate.
    let server = hakobu_sandbox::start(&sandbox_config(&w.dir), w.addr)
        .await
        .unwrap();
    let (status, answer) = w.post(&receiver, &headers, &body).await;
    assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));
    assert_eq!(w.status_of(id), "assigned");
    assert!(w.dispatch.status().unwrap().online);
    assert_eq!(w.events(), 1);
    receiver.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_cache_failure_is_a_500_and_not_acknowledged() {
    let w = world().await;
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    // Break the file under the app: the events table is gone.
    rusqlite::Connection::open(w.dir.path().join("cache.db"))
        .unwrap()
        .execute_batch("DROP TABLE webhook_events")
        .unwrap();
    let body = location_event(1, 35.6, 139.7, "2026-11-23T09:00:00+09:00");
    let (status, answer) = w
        .post(&receiver, &signed(&key, "msg_1", unix_now(), &body), &body)
        .await;
    assert_eq!(status, 500);
    assert_eq!(answer["error"], "cache error", "no internals leak");
    receiver.shutdown().await;
}

#[tokio::test]
async fn incremental_sync_reports_what_changed_and_then_nothing() {
    let mut w = world().await;
    let a = create_delivery(&w.client).await;
    let a_id = a["id"].as_str().unwrap().to_owned();
    let mut changes = w.dispatch.subscribe_changes();
    let full = w.dispatch.sync_orders(true).await.unwrap();
    assert_eq!(full.changed, vec![a_id.clone()], "new to the cache");
    assert_eq!(announced(&mut changes).await.orders, vec![a_id.clone()]);

    // Nothing happened: nothing to report, nothing announced.
    let quiet = w.dispatch.sync_orders(false).await.unwrap();
    assert_eq!((quiet.scope, quiet.deliveries), ("recent", 1));
    assert!(quiet.changed.is_empty(), "{:?}", quiet.changed);
    assert_eq!(announced(&mut changes).await, Changes::default());

    // A change made directly on the API (no webhook registered), and a new order.
    w.client.sandbox_advance("deliveries", &a_id).await.unwrap();
    let b = create_delivery(&w.client).await;
    let b_id = b["id"].as_str().unwrap().to_owned();
    let report = w.dispatch.sync_orders(false).await.unwrap();
    let mut changed = report.changed.clone();
    changed.sort();
    let mut expected = vec![a_id.clone(), b_id.clone()];
    expected.sort();
    assert_eq!(changed, expected);
    assert_eq!(w.status_of(&a_id), "assigned");
    let mut heard = announced(&mut changes).await.orders;
    heard.sort();
    assert_eq!(heard, expected);
    let status = w.dispatch.status().unwrap();
    assert_eq!(status.last_sync.as_deref(), Some(report.synced_at.as_str()));
    assert!(status.online);

    // A second sync with nothing changed reports nothing.
    let again = w.dispatch.sync_orders(false).await.unwrap();
    assert!(again.changed.is_empty(), "{:?}", again.changed);

    // A full sync reports a cached order the API no longer lists as removed (a row left from
    // elsewhere stands in: the API itself never drops an order, it cancels it).
    let mut stray = w.cache.order(&a_id).unwrap().unwrap();
    stray.id = "stray-0000".into();
    w.cache
        .upsert_orders(&[stray], hakobu_cache::StatusOrigin::SYNC)
        .unwrap();
    let full = w.dispatch.sync_orders(true).await.unwrap();
    assert_eq!(full.changed, vec!["stray-0000".to_owned()]);
    assert!(w.cache.order("stray-0000").unwrap().is_none());

    // Offline: the sync fails, the status bar says so, the last sync time stays.
    w.server.take().unwrap().shutdown().await;
    let e = w.dispatch.sync_orders(false).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    let offline = w.dispatch.status().unwrap();
    assert!(!offline.online);
    assert_eq!(offline.last_sync.as_deref(), Some(full.synced_at.as_str()));
}

#[tokio::test]
async fn incremental_sync_rereads_unfinished_orders_of_past_windows_within_a_week() {
    let w = world().await;
    let d = create_delivery(&w.client).await;
    let id = d["id"].as_str().unwrap();
    w.dispatch.sync_orders(true).await.unwrap();
    // Three days on, the window (tomorrow) ended two days ago, yet the order is still open:
    // it is re-read and its change seen.
    w.clock.shift(chrono::Duration::days(3));
    w.client.sandbox_advance("deliveries", id).await.unwrap();
    let report = w.dispatch.sync_orders(false).await.unwrap();
    assert_eq!(report.changed, vec![id.to_owned()]);
    // Ten days on, it is past the look-back: not read (a full sync still would).
    w.clock.shift(chrono::Duration::days(10));
    w.client.sandbox_advance("deliveries", id).await.unwrap();
    let report = w.dispatch.sync_orders(false).await.unwrap();
    assert_eq!((report.deliveries, report.changed.len()), (0, 0));
    let report = w.dispatch.sync_orders(true).await.unwrap();
    assert_eq!(report.changed, vec![id.to_owned()]);
}

#[tokio::test]
async fn time_zones_are_cached_for_offline_use() {
    let mut w = world().await;
    assert!(w.dispatch.list_time_zones().unwrap().is_empty());
    let zones = w.dispatch.sync_time_zones().await.unwrap();
    assert_eq!(zones, hakobu_diaq::time_zones(), "the document's 19");
    w.server.take().unwrap().shutdown().await;
    assert_eq!(
        w.dispatch.sync_time_zones().await.unwrap_err().code,
        ErrorCode::Transport
    );
    assert_eq!(w.dispatch.list_time_zones().unwrap(), zones, "offline");
}

#[tokio::test]
async fn drivers_of_another_api_are_forgotten() {
    let w = world().await;
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    let body = location_event(5, 35.71, 139.81, "2026-11-23T09:00:00+09:00");
    let (status, _) = w
        .post(&receiver, &signed(&key, "msg_1", unix_now(), &body), &body)
        .await;
    assert_eq!(status, 200);
    receiver.shutdown().await;
    let same = Dispatch::new(
        w.client.clone(),
        w.cache.clone(),
        Mode::Sandbox,
        w.clock.clone(),
        None,
    )
    .unwrap();
    assert_eq!(same.list_drivers().unwrap().len(), 1, "same API: kept");
    let other = Dispatch::new(
        w.client.clone(),
        w.cache.clone(),
        Mode::Remote,
        w.clock.clone(),
        None,
    )
    .unwrap();
    assert!(other.list_drivers().unwrap().is_empty());
    assert!(other.driver_trail(5).unwrap().is_empty());
}

/// Posts a signed `driver.location` of driver 2 (佐藤 花子) under a fresh id.
async fn post_fix(
    w: &World,
    receiver: &WebhookReceiver,
    key: &WebhookSecret,
    lat: f64,
    lng: f64,
    update: &str,
) -> (u16, Value) {
    let body = location_event(2, lat, lng, update);
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    w.post(receiver, &signed(key, &id, unix_now(), &body), &body)
        .await
}

#[tokio::test]
async fn fixes_that_cannot_be_right_are_not_drawn_but_acknowledged() {
    let w = world().await;
    let key = secret();
    let receiver = w.dispatch.serve_webhooks(key.clone()).await.unwrap();
    let mut changes = w.dispatch.subscribe_changes();
    let now = w.clock.now();
    let at =
        |minutes: i64| hakobu_dispatch::tokyo_rfc3339(now + chrono::Duration::minutes(minutes));
    let answer = |(status, body): (u16, Value)| {
        (
            status,
            body["result"].as_str().unwrap_or_default().to_owned(),
            body["detail"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let applied = |detail: &str| (200, "applied".to_owned(), detail.to_owned());
    let refused = |why: &str| (200, "ignored".to_owned(), format!("fix refused: {why}"));
    let position = || {
        let d = w.cache.driver(2).unwrap().unwrap();
        (d.lat, d.lng, d.located_at)
    };

    let first = post_fix(&w, &receiver, &key, 35.6595, 139.7005, &at(-1)).await;
    assert_eq!(answer(first), applied("location"));
    assert_eq!(announced(&mut changes).await.drivers, vec![2]);
    let drawn = position();

    // Off the globe, or later than our clock beyond the 2 minutes of skew: not stored at all.
    for (lat, lng, update, why) in [
        (95.0, 139.7, at(0), "latitude out of range"),
        (-90.5, 139.7, at(0), "latitude out of range"),
        (35.6, 180.01, at(0), "longitude out of range"),
        (35.6, -200.0, at(0), "longitude out of range"),
        (35.6, 139.7, at(3), "time in the future beyond clock skew"),
    ] {
        let got = post_fix(&w, &receiver, &key, lat, lng, &update).await;
        assert_eq!(answer(got), refused(why), "{lat} {lng} {update}");
        // Again: the same answer (the log line is not repeated: fix_check's unit tests).
        let got = post_fix(&w, &receiver, &key, lat, lng, &update).await;
        assert_eq!(answer(got), refused(why));
    }
    assert_eq!(position(), drawn);
    assert_eq!(
        w.dispatch.driver_trail(2).unwrap().len(),
        1,
        "not on the trail"
    );
    assert_eq!(announced(&mut changes).await, Changes::default());

    // A number JSON cannot hold is no event at all (and no panic).
    let huge = r#"{"event": "driver.location", "driver": {"id": 2, "name": "佐藤 花子",
        "location": {"latitude": 1e400, "longitude": 139.7, "update": "2026-11-23T09:00:00+09:00"}}}"#;
    let (status, _) = w
        .post(&receiver, &signed(&key, "msg_huge", unix_now(), huge), huge)
        .await;
    assert_eq!(status, 400);

    // Ahead by less than the skew: the freshest news, drawn.
    let ahead = post_fix(&w, &receiver, &key, 35.6600, 139.7010, &at(1)).await;
    assert_eq!(answer(ahead), applied("location"));
    let drawn = position();
    assert_eq!(drawn, (35.66, 139.701, at(1)));
    assert_eq!(announced(&mut changes).await.drivers, vec![2]);

    // Older than the one drawn: on the trail in its place, the driver stays.
    let older = post_fix(&w, &receiver, &key, 35.6500, 139.6900, &at(-5)).await;
    assert_eq!(answer(older), applied("location on the trail only"));
    assert_eq!(position(), drawn);
    let trail = w.dispatch.driver_trail(2).unwrap();
    let times: Vec<_> = trail.iter().map(|p| p.located_at.clone()).collect();
    assert_eq!(times, [at(-5), at(-1), at(1)]);
    assert_eq!(announced(&mut changes).await, Changes::default());
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_sandbox_fix_an_hour_back_is_drawn_with_its_time_and_a_future_one_is_not() {
    let w = world().await;
    let receiver = w.dispatch.start_webhook_receiver().await.unwrap();
    let put = |update: String| {
        w.http
            .put(format!("http://{}/sandbox/drivers/6/location", w.addr))
            .header("Api-Key", KEY)
            .json(&json!({"latitude": 35.6284, "longitude": 139.7387, "update": update}))
            .send()
    };
    let settled = async |events: u64| {
        let started = Instant::now();
        while w.events() < events {
            assert!(
                started.elapsed() < PATIENCE,
                "the sandbox's event never came"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let now = w.clock.now();
    let future = hakobu_dispatch::tokyo_rfc3339(now + chrono::Duration::minutes(10));
    assert_eq!(put(future).await.unwrap().status(), 200);
    settled(1).await;
    assert!(w.cache.driver(6).unwrap().is_none(), "not drawn");

    let hour_back = hakobu_dispatch::tokyo_rfc3339(now - chrono::Duration::hours(1));
    assert_eq!(put(hour_back.clone()).await.unwrap().status(), 200);
    settled(2).await;
    let d = w.cache.driver(6).unwrap().unwrap();
    assert_eq!((d.lat, d.lng), (35.6284, 139.7387));
    assert_eq!(d.located_at, hour_back, "drawn with its age");
    receiver.shutdown().await;
}
