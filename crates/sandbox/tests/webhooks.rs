//! Webhooks and simulated drivers: the real sandbox on port 0 posting to a small axum receiver
//! on port 0, signatures checked with an HMAC written here from the definition (RFC 2104), not
//! the sandbox's.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{ManualClock, RunningSandbox, SandboxConfig, Seed, WebhookConfig};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

const KEY: &str = "k_hooks";
const STORE: &str = "5eed0000-0000-4000-8000-000000000001"; // 麻布十番
const NOW: &str = "2026-11-23T09:10:00+09:00";
const READY_BY: &str = "2026-11-23T10:00:00+09:00";
const SECRET_KEY: &[u8] = b"a key only this test and the sandbox know";
/// Generous: nothing here should take more than a few seconds.
const PATIENCE: Duration = Duration::from_secs(20);

fn secret() -> String {
    format!("whsec_{}", STANDARD.encode(SECRET_KEY))
}

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

/// HMAC-SHA256 by the book: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), 64-byte blocks.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Hit {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

impl Hit {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn event(&self) -> String {
        self.json()["event"].as_str().unwrap().to_owned()
    }

    fn verifies(&self) -> bool {
        let signed = format!("{}.{}.{}", self.id, self.timestamp, self.body);
        let expected = format!(
            "v1,{}",
            STANDARD.encode(hmac_sha256(SECRET_KEY, signed.as_bytes()))
        );
        // The header may carry several space-separated signatures.
        self.signature.split(' ').any(|s| s == expected)
    }
}

#[derive(Clone)]
struct Inbox {
    hits: mpsc::UnboundedSender<Hit>,
    /// Statuses to answer with, in order; 200 once empty.
    script: Arc<Mutex<VecDeque<u16>>>,
}

async fn hook(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let _ = inbox.hits.send(Hit {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let status = inbox.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

struct Receiver {
    url: String,
    hits: mpsc::UnboundedReceiver<Hit>,
}

impl Receiver {
    async fn start(script: &[u16]) -> Receiver {
        let (tx, hits) = mpsc::unbounded_channel();
        let inbox = Inbox {
            hits: tx,
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
        };
        let app = Router::new().route("/hooks", post(hook)).with_state(inbox);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, hits }
    }

    async fn next(&mut self) -> Hit {
        tokio::time::timeout(PATIENCE, self.hits.recv())
            .await
            .expect("no webhook in time")
            .unwrap()
    }

    /// Hits until one whose event is `last` (included).
    async fn until(&mut self, last: &str) -> Vec<Hit> {
        let mut got = Vec::new();
        loop {
            let hit = self.next().await;
            let done = hit.event() == last;
            got.push(hit);
            if done {
                return got;
            }
        }
    }

    /// Nothing more arrives for a moment.
    async fn quiet(&mut self) {
        if let Ok(Some(hit)) =
            tokio::time::timeout(Duration::from_millis(300), self.hits.recv()).await
        {
            panic!("unexpected webhook {}", hit.body);
        }
    }
}

struct Peer {
    _dir: tempfile::TempDir,
    server: RunningSandbox,
    http: reqwest::Client,
    /// Stays at [`NOW`] until a test moves it: the simulated drivers read windows by it.
    clock: Arc<ManualClock>,
}

impl Peer {
    async fn start(webhook: Option<WebhookConfig>, simulate: Option<f64>) -> Peer {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(hakobu_diaq::time::parse(NOW).unwrap()));
        let config = SandboxConfig {
            db_path: dir.path().join("sandbox.db"),
            api_key: KEY.into(),
            seed: Some(Seed::Tokyo),
            clock: Some(clock.clone()),
            geo: Some(geo()).into(),
            webhook,
            simulate,
            ..SandboxConfig::default()
        };
        let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Peer {
            _dir: dir,
            server,
            http: reqwest::Client::new(),
            clock,
        }
    }

    /// Sets the clock to the start of the delivery's window: within the simulated drivers'
    /// reach from then on.
    fn to_window_of(&self, delivery: &Value) {
        let starts = delivery["delivery_window"]["starts_at"].as_str().unwrap();
        self.clock.set(hakobu_diaq::time::parse(starts).unwrap());
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.server.base_url()))
            .header("Api-Key", KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method, path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {value}");
        value
    }

    async fn create_delivery(&self) -> Value {
        let mut body = json!({
            "store_id": STORE,
            "ready_by": READY_BY,
            "customer": {
                "address_zipcode": "106-0044",
                "address_prefecture": "東京都",
                "address_line_1": "港区東麻布1-5-2",
                "address_line_2": "東麻布ビル9階",
            },
            "packages": [
                {"service_brand": "60サイズ", "order_reference": "r1", "name": "花瓶", "boxes": 1,
                 "number": 1, "height": 0, "width": 0, "depth": 0, "weight": 0, "attention": ""}
            ]
        });
        let estimate = self
            .ok(
                reqwest::Method::POST,
                "/v1/delivery_estimates",
                Some(body.clone()),
            )
            .await;
        body["delivery_window_id"] = estimate["delivery_windows"][0]["id"].clone();
        body["customer"]["last_name"] = json!("吉沢");
        body["customer"]["phone"] = json!("03-1234-5678");
        self.ok(reqwest::Method::POST, "/v1/deliveries", Some(body))
            .await
    }

    async fn register(&self, url: &str) {
        let answer = self
            .ok(
                reqwest::Method::PUT,
                "/sandbox/webhook",
                Some(json!({"url": url, "secret": secret()})),
            )
            .await;
        assert_eq!(answer["url"], url);
    }
}

const HAPPY_PATH: [&str; 6] = [
    "assigned",
    "collecting",
    "arrived_origin",
    "delivering",
    "arrived_goal",
    "delivered",
];

#[tokio::test]
async fn every_status_change_is_one_signed_event_with_the_full_object() {
    let mut receiver = Receiver::start(&[]).await;
    let p = Peer::start(None, None).await;
    p.register(&receiver.url).await;
    let created = p.create_delivery().await;
    let id = created["id"].as_str().unwrap();
    // Creation is not a status change: nothing is sent.
    receiver.quiet().await;

    let mut hits = Vec::new();
    for _ in HAPPY_PATH {
        p.ok(
            reqwest::Method::POST,
            &format!("/sandbox/deliveries/{id}/advance"),
            None,
        )
        .await;
    }
    for _ in HAPPY_PATH {
        hits.push(receiver.next().await);
    }
    receiver.quiet().await;

    let shown = p
        .ok(reqwest::Method::GET, &format!("/v1/deliveries/{id}"), None)
        .await;
    let mut ids = std::collections::HashSet::new();
    for (hit, status) in hits.iter().zip(HAPPY_PATH) {
        assert!(hit.verifies(), "bad signature on {}", hit.body);
        assert!(hit.id.starts_with("msg_"), "{}", hit.id);
        assert!(ids.insert(hit.id.clone()), "webhook-id reused");
        let ts: i64 = hit.timestamp.parse().unwrap();
        assert!(ts > 1_600_000_000, "webhook-timestamp {ts}");
        let body = hit.json();
        assert_eq!(body["event"], format!("delivery.{status}"));
        assert_eq!(body["created_at"], "2026-11-23T09:10:00+09:00");
        let object = &body["delivery"];
        assert_eq!(object["id"], id);
        assert_eq!(object["status"], status);
        // The full object: every property the API shows.
        let keys = |v: &Value| {
            v.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<String>>()
        };
        assert_eq!(keys(object), keys(&shown), "{status}");
        // The driver in the webhook form (document's Driver section).
        let driver = &object["driver"];
        assert!(driver["id"].as_u64().is_some(), "{driver}");
        assert!(driver["name"].is_string());
        assert!(driver["location"]["latitude"].as_f64().is_some());
        assert!(driver["location"]["longitude"].as_f64().is_some());
        assert!(driver["location"]["update"].is_string());
        let details = status != "assigned";
        assert_eq!(driver["phone"].is_string(), details, "{status}: {driver}");
        assert_eq!(driver["vehicle_type"].is_string(), details, "{status}");
    }
    let last = hits.last().unwrap().json();
    assert_eq!(last["delivery"]["delivered_at"], shown["delivered_at"]);
    assert_eq!(last["delivery"]["packages"], shown["packages"]);
    assert_eq!(last["delivery"]["customer"], shown["customer"]);

    // A tampered body does not verify.
    let mut forged = hits[0].clone();
    forged.body = forged.body.replace("assigned", "delivered");
    assert!(!forged.verifies());
    p.server.shutdown().await;
}

#[tokio::test]
async fn cancels_exceptions_returns_and_driver_moves_are_announced() {
    let mut receiver = Receiver::start(&[]).await;
    let p = Peer::start(
        Some(WebhookConfig {
            url: receiver.url.clone(),
            secret: secret(),
        }),
        None,
    )
    .await;

    // DELETE while created → delivery.canceled.
    let a = p.create_delivery().await;
    let a_id = a["id"].as_str().unwrap();
    p.ok(
        reqwest::Method::DELETE,
        &format!("/v1/deliveries/{a_id}"),
        None,
    )
    .await;
    let hit = receiver.next().await;
    assert!(hit.verifies());
    assert_eq!(hit.event(), "delivery.canceled");
    assert_eq!(hit.json()["delivery"]["driver"], Value::Null);

    // Exception while delivering → returning, then returned.
    let b = p.create_delivery().await;
    let b_id = b["id"].as_str().unwrap();
    for _ in 0..4 {
        p.ok(
            reqwest::Method::POST,
            &format!("/sandbox/deliveries/{b_id}/advance"),
            None,
        )
        .await;
    }
    p.ok(
        reqwest::Method::POST,
        &format!("/sandbox/deliveries/{b_id}/exception"),
        Some(json!({"code": 3, "comment": "不在"})),
    )
    .await;
    p.ok(
        reqwest::Method::POST,
        &format!("/sandbox/deliveries/{b_id}/advance"),
        None,
    )
    .await;
    let hits = receiver.until("delivery.returned").await;
    let events: Vec<String> = hits.iter().map(Hit::event).collect();
    assert_eq!(
        events,
        [
            "delivery.assigned",
            "delivery.collecting",
            "delivery.arrived_origin",
            "delivery.delivering",
            "delivery.returning",
            "delivery.returned"
        ]
    );
    assert_eq!(hits[4].json()["delivery"]["exception"]["code"], 3);
    let driver_id = hits[0].json()["delivery"]["driver"]["id"].as_u64().unwrap();

    // A driver moved by hand: driver.location with the document's Driver object.
    let (status, _) = p
        .call(
            reqwest::Method::PUT,
            "/sandbox/drivers/99/location",
            Some(json!({"latitude": 35.6, "longitude": 139.7})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = p
        .call(
            reqwest::Method::PUT,
            &format!("/sandbox/drivers/{driver_id}/location"),
            Some(json!({"latitude": 95.0, "longitude": 139.7})),
        )
        .await;
    assert_eq!(status, 400);
    p.ok(
        reqwest::Method::PUT,
        &format!("/sandbox/drivers/{driver_id}/location"),
        Some(json!({"latitude": 35.6581, "longitude": 139.7414})),
    )
    .await;
    let hit = receiver.next().await;
    assert!(hit.verifies());
    let body = hit.json();
    assert_eq!(body["event"], "driver.location");
    assert_eq!(body["driver"]["id"], driver_id);
    assert_eq!(body["driver"]["location"]["latitude"], 35.6581);
    assert_eq!(body["driver"]["location"]["longitude"], 139.7414);
    assert_eq!(
        body["driver"]["location"]["update"],
        "2026-11-23T09:10:00+09:00"
    );
    // Its job is over (returned): no job attached.
    assert!(body.get("delivery").is_none(), "{body}");

    // A fix as of another time (a stale one here), and a time that does not read.
    p.ok(
        reqwest::Method::PUT,
        &format!("/sandbox/drivers/{driver_id}/location"),
        Some(json!({"latitude": 35.6581, "longitude": 139.7414,
                    "update": "2026-11-23T08:10:00+09:00"})),
    )
    .await;
    let body = receiver.next().await.json();
    assert_eq!(
        body["driver"]["location"]["update"],
        "2026-11-23T08:10:00+09:00"
    );
    assert_eq!(body["created_at"], "2026-11-23T09:10:00+09:00");
    let (status, answer) = p
        .call(
            reqwest::Method::PUT,
            &format!("/sandbox/drivers/{driver_id}/location"),
            Some(json!({"latitude": 35.6, "longitude": 139.7, "update": "an hour ago"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "update: must be an RFC 3339 timestamp");

    // Unregistered: nothing more is sent.
    let (status, _) = p
        .call(reqwest::Method::DELETE, "/sandbox/webhook", None)
        .await;
    assert_eq!(status, 204);
    let c = p.create_delivery().await;
    let c_id = c["id"].as_str().unwrap();
    p.ok(
        reqwest::Method::DELETE,
        &format!("/v1/deliveries/{c_id}"),
        None,
    )
    .await;
    receiver.quiet().await;
    p.server.shutdown().await;
}

#[tokio::test]
async fn registration_refuses_plain_http_elsewhere_and_bad_secrets() {
    let p = Peer::start(None, None).await;
    for (body, field) in [
        (
            json!({"url": "http://example.com/hooks", "secret": secret()}),
            "url",
        ),
        (
            json!({"url": "https://example.com/hooks", "secret": "plain"}),
            "secret",
        ),
        (json!({"secret": secret()}), "url"),
    ] {
        let (status, answer) = p
            .call(reqwest::Method::PUT, "/sandbox/webhook", Some(body))
            .await;
        assert_eq!(status, 400);
        assert!(
            answer["error"].as_str().unwrap().starts_with(field),
            "{answer}"
        );
    }
    p.server.shutdown().await;
}

#[tokio::test]
async fn a_failing_receiver_gets_retried_and_every_attempt_is_logged() {
    let mut receiver = Receiver::start(&[500, 500]).await;
    let p = Peer::start(None, None).await;
    p.register(&receiver.url).await;
    let d = p.create_delivery().await;
    let id = d["id"].as_str().unwrap();
    p.ok(
        reqwest::Method::DELETE,
        &format!("/v1/deliveries/{id}"),
        None,
    )
    .await;
    let tries = [
        receiver.next().await,
        receiver.next().await,
        receiver.next().await,
    ];
    receiver.quiet().await;
    for t in &tries {
        assert!(t.verifies());
        assert_eq!(t.id, tries[0].id, "one message id across retries");
        assert_eq!(t.body, tries[0].body);
    }
    // The third answer (200) is logged once the receiver has replied.
    let mut log = Value::Null;
    for _ in 0..100 {
        log = p
            .ok(
                reqwest::Method::GET,
                &format!("/sandbox/webhook/attempts?message_id={}", tries[0].id),
                None,
            )
            .await;
        if log.as_array().unwrap().len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3, "{log:?}");
    let statuses: Vec<i64> = log.iter().map(|a| a["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 200]);
    let attempts: Vec<i64> = log.iter().map(|a| a["attempt"].as_i64().unwrap()).collect();
    assert_eq!(attempts, [1, 2, 3]);
    for a in log {
        assert_eq!(a["event"], "delivery.canceled");
        assert_eq!(a["url"], receiver.url.as_str());
        assert!(a["attempted_at"].is_string());
    }
    p.server.shutdown().await;
}

#[tokio::test]
async fn simulated_drivers_deliver_and_report_where_they_are() {
    let mut receiver = Receiver::start(&[]).await;
    let p = Peer::start(
        Some(WebhookConfig {
            url: receiver.url.clone(),
            secret: secret(),
        }),
        Some(500.0),
    )
    .await;
    let d = p.create_delivery().await;
    let id = d["id"].as_str().unwrap();
    let tracking = d["tracking_code"].as_str().unwrap();
    p.to_window_of(&d);
    let hits = receiver.until("delivery.delivered").await;
    assert!(hits.iter().all(Hit::verifies));

    let statuses: Vec<String> = hits
        .iter()
        .filter(|h| h.event().starts_with("delivery."))
        .map(|h| h.json()["delivery"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, HAPPY_PATH);

    // Locations while riding: to the store (collecting) and to the customer (delivering).
    let mut during = std::collections::HashMap::<String, usize>::new();
    let mut status = String::new();
    let mut driver_id = None;
    for hit in &hits {
        let body = hit.json();
        if hit.event() == "driver.location" {
            assert_eq!(body["delivery"]["id"], id);
            assert_eq!(body["delivery"]["tracking_code"], tracking);
            assert_eq!(body["delivery"]["status"], status.as_str());
            assert_eq!(body["driver"]["id"].as_u64(), driver_id);
            assert!(body["driver"]["phone"].is_string());
            let lat = body["driver"]["location"]["latitude"].as_f64().unwrap();
            let lng = body["driver"]["location"]["longitude"].as_f64().unwrap();
            assert!((35.5..35.8).contains(&lat) && (139.5..139.95).contains(&lng));
            *during.entry(status.clone()).or_default() += 1;
        } else {
            status = body["delivery"]["status"].as_str().unwrap().to_owned();
            driver_id = body["delivery"]["driver"]["id"].as_u64();
        }
    }
    assert!(
        during.get("collecting").is_some_and(|n| *n > 0),
        "{during:?}"
    );
    assert!(
        during.get("delivering").is_some_and(|n| *n > 0),
        "{during:?}"
    );
    assert_eq!(during.keys().len(), 2, "{during:?}");

    // The driver ends at the customer, where hakobu-geo places the address.
    let last = hits.last().unwrap().json();
    let at = &last["delivery"]["driver"]["location"];
    let customer = geo().geocode("東京都港区東麻布1-5-2").unwrap().point;
    assert!((at["latitude"].as_f64().unwrap() - customer.lat).abs() < 1e-9);
    assert!((at["longitude"].as_f64().unwrap() - customer.lng).abs() < 1e-9);

    let shown = p
        .ok(reqwest::Method::GET, &format!("/v1/deliveries/{id}"), None)
        .await;
    assert_eq!(shown["status"], "delivered");
    assert!(shown["driver"]["vehicle_type"].is_string());
    // The stored object keeps the API's form: no id or location.
    assert!(shown["driver"].get("location").is_none());

    // Stopping the server stops the drivers.
    tokio::time::timeout(PATIENCE, p.server.shutdown())
        .await
        .expect("shutdown in time");
}

/// Where the simulation places a delivery's store: hakobu-geo's point for its address.
fn store_point(delivery: &Value) -> hakobu_geo::Point {
    let s = &delivery["store"];
    let address = format!(
        "{}{}",
        s["store_address_prefecture"].as_str().unwrap(),
        s["store_address_line_1"].as_str().unwrap()
    );
    geo().geocode(&address).unwrap().point
}

/// Where the hit's driver is: a `driver.location`'s driver, or a status event's delivery's.
fn located(hit: &Hit) -> hakobu_geo::Point {
    let body = hit.json();
    let driver = match body.get("driver") {
        Some(d) => d,
        None => &body["delivery"]["driver"],
    };
    let at = &driver["location"];
    hakobu_geo::Point {
        lat: at["latitude"].as_f64().unwrap(),
        lng: at["longitude"].as_f64().unwrap(),
    }
}

fn delivery_statuses(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .filter(|h| h.event().starts_with("delivery."))
        .map(|h| h.json()["delivery"]["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn simulated_drivers_wait_for_the_window_and_ride_back_to_the_store() {
    use hakobu_geo::travel::great_circle_m;

    let mut receiver = Receiver::start(&[]).await;
    let p = Peer::start(
        Some(WebhookConfig {
            url: receiver.url.clone(),
            secret: secret(),
        }),
        Some(200.0),
    )
    .await;
    let d = p.create_delivery().await;
    let id = d["id"].as_str().unwrap();
    // The clock stays at 09:10 and the window opens later: out of reach, so nobody takes
    // the job (the old simulation took it within 30 simulated seconds, 3 steps here).
    receiver.quiet().await;
    receiver.quiet().await;
    let shown = p
        .ok(reqwest::Method::GET, &format!("/v1/deliveries/{id}"), None)
        .await;
    assert_eq!(shown["status"], "created");

    p.to_window_of(&d);
    let hits = receiver.until("delivery.delivered").await;
    assert_eq!(delivery_statuses(&hits), HAPPY_PATH);
    let delivered = hits.last().unwrap().json();
    let driver = delivered["delivery"]["driver"]["id"].as_u64().unwrap();
    let customer = located(hits.last().unwrap());

    // Then back to the store, along the great circle, reporting on the way, free (no job).
    let store = store_point(&d);
    let whole = great_circle_m(customer, store);
    assert!(whole > 500.0, "the customer is not at the store: {whole} m");
    let mut last = whole;
    let mut reports = 0;
    loop {
        let hit = receiver.next().await;
        assert_eq!(hit.event(), "driver.location", "{}", hit.body);
        let body = hit.json();
        assert_eq!(body["driver"]["id"].as_u64(), Some(driver));
        assert!(
            body.get("delivery").is_none(),
            "free on the way back: {body}"
        );
        let at = located(&hit);
        let (done, to_go) = (great_circle_m(customer, at), great_circle_m(at, store));
        assert!(
            (done + to_go - whole).abs() < 1.0,
            "off the great circle: {at:?}"
        );
        assert!(to_go <= last, "closer each time");
        last = to_go;
        reports += 1;
        if to_go < 1e-6 {
            break;
        }
    }
    // One report per 10 simulated seconds of the vehicle's ride (the last at the store).
    let vehicle = delivered["delivery"]["driver"]["vehicle_type"]
        .as_str()
        .and_then(hakobu_geo::travel::VehicleType::from_name)
        .unwrap();
    let ride = hakobu_geo::travel::leg(customer, store, vehicle).seconds;
    let expected = f64::from(ride.max(60)) / hakobu_sandbox::LOCATION_EVERY_S;
    assert!(
        (f64::from(reports) - expected).abs() <= 2.0,
        "{reports} reports for a {ride} s ride"
    );
    receiver.quiet().await;
    p.server.shutdown().await;
}

#[tokio::test]
async fn a_job_moved_by_hand_is_carried_on_and_leaves_the_store_in_time_for_its_window() {
    let mut receiver = Receiver::start(&[]).await;
    let p = Peer::start(
        Some(WebhookConfig {
            url: receiver.url.clone(),
            secret: secret(),
        }),
        Some(200.0),
    )
    .await;
    let d = p.create_delivery().await;
    let id = d["id"].as_str().unwrap();
    let advance = format!("/sandbox/deliveries/{id}/advance");
    p.ok(reqwest::Method::POST, &advance, None).await;
    p.ok(reqwest::Method::POST, &advance, None).await;
    // The simulation carries it on from `collecting`: to the store, the pickup …
    let hits = receiver.until("delivery.arrived_origin").await;
    assert_eq!(
        delivery_statuses(&hits),
        ["assigned", "collecting", "arrived_origin"]
    );
    let at_store = located(hits.last().unwrap());
    assert!(hakobu_geo::travel::great_circle_m(at_store, store_point(&d)) < 1e-6);
    // … and waits there: leaving now would reach the customer before the window opens.
    receiver.quiet().await;
    receiver.quiet().await;

    p.to_window_of(&d);
    let hits = receiver.until("delivery.delivered").await;
    assert_eq!(
        delivery_statuses(&hits),
        ["delivering", "arrived_goal", "delivered"]
    );
    p.server.shutdown().await;
}

#[tokio::test]
async fn benchmark_drivers_move_every_second_signed_and_stop_in_time() {
    let mut receiver = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        webhook: Some(WebhookConfig {
            url: receiver.url.clone(),
            secret: secret(),
        }),
        clock: Some(Arc::new(ManualClock::new(
            hakobu_diaq::time::parse(NOW).unwrap(),
        ))),
        bench_drivers: 3,
        bench_for: Some(Duration::from_millis(2_500)),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    // Moves at 0, 1 and 2 s, then nothing: the run is over.
    let mut seen = std::collections::BTreeMap::<u64, Vec<Value>>::new();
    for _ in 0..9 {
        let hit = receiver.next().await;
        assert!(hit.verifies(), "signed");
        let body = hit.json();
        assert_eq!(body["event"], "driver.location");
        assert!(body.get("delivery").is_none(), "free drivers");
        let id = body["driver"]["id"].as_u64().unwrap();
        seen.entry(id)
            .or_default()
            .push(body["driver"]["location"].clone());
    }
    receiver.quiet().await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    receiver.quiet().await;
    let first = hakobu_sandbox::BENCH_FIRST_ID;
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        [first, first + 1, first + 2]
    );
    for (id, fixes) in &seen {
        assert_eq!(fixes.len(), 3, "driver {id}: once a second");
        let at = |f: &Value| hakobu_geo::Point {
            lat: f["latitude"].as_f64().unwrap(),
            lng: f["longitude"].as_f64().unwrap(),
        };
        for pair in fixes.windows(2) {
            assert!(
                hakobu_geo::travel::great_circle_m(at(&pair[0]), at(&pair[1])) > 10.0,
                "driver {id} moves"
            );
        }
        for f in fixes {
            let p = at(f);
            assert!((35.5..35.9).contains(&p.lat) && (139.5..140.0).contains(&p.lng));
            // The sandbox clock's time (frozen here), to the millisecond.
            assert_eq!(f["update"], "2026-11-23T09:10:00.000+09:00");
        }
    }
    tokio::time::timeout(PATIENCE, server.shutdown())
        .await
        .expect("shutdown in time");
}

#[tokio::test]
async fn benchmark_drivers_stop_with_the_sandbox_and_are_bounded_in_number() {
    let mut receiver = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = |drivers| SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        webhook: Some(WebhookConfig {
            url: receiver.url.clone(),
            secret: secret(),
        }),
        bench_drivers: drivers,
        ..SandboxConfig::default()
    };
    let too_many = hakobu_sandbox::BENCH_DRIVERS_MAX + 1;
    match hakobu_sandbox::start(&config(too_many), "127.0.0.1:0".parse().unwrap()).await {
        Err(hakobu_sandbox::AppError::BadRequest(m)) => {
            assert!(m.starts_with("bench_drivers: at most 10000"), "{m}")
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("{too_many} benchmark drivers started"),
    }
    // The default run is long; shutting the sandbox down ends it at once.
    let server = hakobu_sandbox::start(&config(2), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    receiver.next().await;
    receiver.next().await;
    tokio::time::timeout(Duration::from_secs(3), server.shutdown())
        .await
        .expect("stopped with the sandbox");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    while let Ok(Some(_)) =
        tokio::time::timeout(Duration::from_millis(10), receiver.hits.recv()).await
    {}
    receiver.quiet().await;
}
