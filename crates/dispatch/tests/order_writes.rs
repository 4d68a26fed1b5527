//! The order writes of the app against the real sandbox (port 0, or the same port again
//! after a stop) and real cache files: bulk cancel, update, estimate, create, reserve, and
//! the address look-ups from the real gazetteer. The sandbox and the app share one manual
//! clock, so the windows an estimate holds are the same on every run.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use hakobu_cache::{Cache, CachedOrder};
use hakobu_diaq::Status;
use hakobu_diaq::time::parse;
use hakobu_diaq_client::{DiaqClient, RetryPolicy};
use hakobu_dispatch::{
    AddressLevel, CancelResult, Dispatch, ErrorCode, Mode, OrderKind, OrderRef, WindowChoice,
    Written,
};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{
    CapacityConfig, Clock as _, ManualClock, RunningSandbox, SandboxConfig, Seed,
};
use serde_json::{Value, json};

const KEY: &str = "k";
/// Seeded Tokyo demo store (渋谷道玄坂).
const SHIBUYA: &str = "5eed0000-0000-4000-8000-000000000003";
/// "Today" for the sandbox and the app: a Monday morning, Japan time.
const NOW: &str = "2030-01-14T09:00:00+09:00";
/// The document's 12時〜13時 zone.
const ZONE_12: &str = "f30316b2-8e9e-40cf-827c-09a3e88c3ea3";
/// Nothing listens here: every request is a transport error.
const DEAD: &str = "http://127.0.0.1:9";

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

/// The sandbox's clock, read by the app too: both agree on "now".
struct Shared(Arc<ManualClock>);

impl hakobu_dispatch::Clock for Shared {
    fn now(&self) -> DateTime<Utc> {
        self.0.now().with_timezone(&Utc)
    }
}

struct World {
    sandbox: RunningSandbox,
    clock: Arc<ManualClock>,
    client: DiaqClient,
    d: Dispatch,
    cache: Arc<Cache>,
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(parse(NOW).unwrap()))
}

async fn sandbox(
    dir: &Path,
    addr: &str,
    clock: &Arc<ManualClock>,
    per_hour: u32,
) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: dir.join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        capacity: CapacityConfig {
            per_hour,
            ..CapacityConfig::default()
        },
        clock: Some(clock.clone()),
        geo: Some(geo()).into(),
        ..SandboxConfig::default()
    };
    hakobu_sandbox::start(&config, addr.parse().unwrap())
        .await
        .unwrap()
}

fn quick_client(url: &str) -> DiaqClient {
    DiaqClient::new(url, KEY).unwrap().with_retry(RetryPolicy {
        max_attempts: 2,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    })
}

fn dispatch(url: &str, cache: &Arc<Cache>, clock: &Arc<ManualClock>) -> Dispatch {
    Dispatch::new(
        quick_client(url),
        cache.clone(),
        Mode::Sandbox,
        Arc::new(Shared(clock.clone())),
        Some(geo()),
    )
    .unwrap()
}

async fn world(dir: &Path, per_hour: u32) -> World {
    let clock = clock();
    let sandbox = sandbox(dir, "127.0.0.1:0", &clock, per_hour).await;
    let cache = Arc::new(Cache::open(&dir.join("cache.db")).unwrap());
    let d = dispatch(&sandbox.base_url(), &cache, &clock);
    d.sync_stores().await.unwrap();
    World {
        client: DiaqClient::new(&sandbox.base_url(), KEY).unwrap(),
        sandbox,
        clock,
        d,
        cache,
    }
}

/// An estimate body: two package lines, ready (or due) at `hour` tomorrow (the 15th).
fn estimate_body(kind: OrderKind, hour: u32) -> Value {
    let base = match kind {
        OrderKind::Delivery => "ready_by",
        OrderKind::Fetch => "deliver_by",
    };
    json!({
        "store_id": SHIBUYA,
        base: format!("2030-01-15T{hour:02}:00:00+09:00"),
        "customer": {"address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "address_line_2": "原宿ビル5F"},
        "packages": [
            {"service_brand": "60サイズ", "order_reference": "", "name": "靴", "boxes": 2,
             "number": 1},
            {"service_brand": "80サイズ", "order_reference": "", "name": "花瓶", "boxes": 2,
             "number": 2, "attention": "割れ物"}
        ]
    })
}

/// The order body of `estimate_body`, with a person to ask for and call.
fn order_body(kind: OrderKind, hour: u32, reference: &str) -> Value {
    let mut body = estimate_body(kind, hour);
    body["customer"]["last_name"] = json!("吉沢");
    body["customer"]["first_name"] = json!("健二");
    body["customer"]["phone"] = json!("090-1234-5678");
    body["packages"][0]["order_reference"] = json!(reference);
    body
}

fn applied<T: std::fmt::Debug>(w: Written<T>) -> T {
    match w {
        Written::Applied { value, .. } => value,
        queued => panic!("not applied: {queued:?}"),
    }
}

/// A delivery created through the app in the earliest window an estimate holds.
async fn delivery(w: &World, reference: &str) -> CachedOrder {
    let estimate =
        w.d.estimate_order(OrderKind::Delivery, &estimate_body(OrderKind::Delivery, 10))
            .await
            .unwrap();
    let mut body = order_body(OrderKind::Delivery, 10, reference);
    body["delivery_window_id"] = json!(estimate.time_window.unwrap().id);
    applied(
        w.d.create_order(OrderKind::Delivery, body, WindowChoice::Given)
            .await
            .unwrap(),
    )
}

/// Moves a delivery on `steps` statuses through the sandbox's driver route.
async fn advance(w: &World, id: &str, steps: usize) {
    for _ in 0..steps {
        w.client.sandbox_advance("deliveries", id).await.unwrap();
    }
}

fn outbox_len(d: &Dispatch) -> usize {
    d.outbox_rows(&[]).unwrap().len()
}

#[tokio::test]
async fn a_bulk_cancel_answers_each_order_in_order_and_the_cache_follows() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path(), 1000).await;
    let created = delivery(&w, "BULK-1").await;
    let delivering = delivery(&w, "BULK-2").await;
    let delivered = delivery(&w, "BULK-3").await;
    advance(&w, &delivering.id, 4).await;
    advance(&w, &delivered.id, 6).await;
    w.d.sync_orders(true).await.unwrap();
    assert_eq!(
        w.cache.order(&delivering.id).unwrap().unwrap().status,
        "delivering"
    );
    assert_eq!(
        w.cache.order(&delivered.id).unwrap().unwrap().status,
        "delivered"
    );
    let rows_before = outbox_len(&w.d);

    let ask = |o: &CachedOrder| OrderRef {
        kind: OrderKind::Delivery,
        id: o.id.clone(),
    };
    let batch =
        w.d.cancel_orders(&[
            ask(&created),
            ask(&delivering),
            ask(&delivered),
            OrderRef {
                kind: OrderKind::Delivery,
                id: "00000000-0000-4000-8000-00000000dead".into(),
            },
            OrderRef {
                kind: OrderKind::Fetch,
                id: created.id.clone(),
            },
        ])
        .await;
    assert_eq!(batch.unanswered, None);
    let o = &batch.outcomes;
    assert_eq!(o.len(), 5);
    assert_eq!(
        o.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [
            created.id.as_str(),
            delivering.id.as_str(),
            delivered.id.as_str(),
            "00000000-0000-4000-8000-00000000dead",
            created.id.as_str()
        ],
        "one outcome per order, in the order asked"
    );
    assert_eq!(
        (o[0].result, o[0].status, o[0].message.as_deref()),
        (CancelResult::Sent, Some(Status::Canceled), None)
    );
    assert_eq!(
        o[0].tracking_code.as_deref(),
        Some(created.tracking_code.as_str())
    );
    assert_eq!(
        (o[1].result, o[1].status),
        (CancelResult::Sent, Some(Status::Returning))
    );
    assert_eq!((o[2].result, o[2].status), (CancelResult::Refused, None));
    assert_eq!(
        o[2].message.as_deref(),
        Some("status delivered: the document's cancel table allows no cancel")
    );
    assert_eq!(
        (
            o[3].result,
            o[3].tracking_code.as_deref(),
            o[3].message.as_deref()
        ),
        (CancelResult::Refused, None, Some("id: not in the cache"))
    );
    assert_eq!(o[4].result, CancelResult::Refused);
    assert!(
        o[4].message.as_deref().unwrap().starts_with("kind: "),
        "{:?}",
        o[4].message
    );
    assert_eq!(
        serde_json::to_value(&o[1]).unwrap(),
        json!({"kind": "delivery", "id": delivering.id, "tracking_code": delivering.tracking_code,
               "result": "sent", "status": "returning", "message": null})
    );

    // The cache holds the answers; nothing was sent for the refused ones.
    let status = |id: &str| w.cache.order(id).unwrap().unwrap().status;
    assert_eq!(status(&created.id), "canceled");
    assert_eq!(status(&delivering.id), "returning");
    assert_eq!(status(&delivered.id), "delivered");
    assert_eq!(outbox_len(&w.d), rows_before + 2);
    assert_eq!(
        w.client.get_delivery(&delivered.id).await.unwrap().status,
        Status::Delivered
    );
    w.sandbox.shutdown().await;
}

#[tokio::test]
async fn cancels_while_offline_wait_in_the_outbox_and_go_when_the_api_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path(), 1000).await;
    let first = delivery(&w, "OFF-1").await;
    let second = delivery(&w, "OFF-2").await;
    let addr: SocketAddr = w.sandbox.addr();
    w.sandbox.shutdown().await;

    let batch =
        w.d.cancel_orders(&[
            OrderRef {
                kind: OrderKind::Delivery,
                id: first.id.clone(),
            },
            OrderRef {
                kind: OrderKind::Delivery,
                id: second.id.clone(),
            },
        ])
        .await;
    for o in &batch.outcomes {
        assert_eq!((o.result, o.status), (CancelResult::Queued, None), "{o:?}");
        assert!(o.message.as_deref().unwrap().contains("reach"), "{o:?}");
    }
    assert_eq!(batch.unanswered.unwrap().code, ErrorCode::Transport);
    assert_eq!(w.d.outbox_counts().unwrap().pending, 2);
    assert_eq!(w.cache.order(&first.id).unwrap().unwrap().status, "created");

    // The API is back: the same port, the same database.
    let server = sandbox(dir.path(), &addr.to_string(), &w.clock, 1000).await;
    let report = w.d.replay_outbox().await.unwrap();
    assert_eq!((report.acked, report.failed, report.stopped), (2, 0, None));
    for o in [&first, &second] {
        assert_eq!(w.cache.order(&o.id).unwrap().unwrap().status, "canceled");
        assert_eq!(
            w.client.get_delivery(&o.id).await.unwrap().status,
            Status::Canceled
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn an_update_applies_while_created_and_is_refused_here_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path(), 1000).await;
    let order = delivery(&w, "UPD-1").await;
    let taken = delivery(&w, "UPD-2").await;

    let updated = applied(
        w.d.update_order(
            OrderKind::Delivery,
            &order.id,
            json!({"destination_comments": "ゲートでは暗証番号1234を入力してください。"}),
        )
        .await
        .unwrap(),
    );
    assert_eq!(updated.id, order.id);
    assert_eq!(
        updated.body["destination_comments"],
        "ゲートでは暗証番号1234を入力してください。"
    );
    assert_eq!(
        w.cache.order(&order.id).unwrap().unwrap().body["destination_comments"],
        "ゲートでは暗証番号1234を入力してください。"
    );
    let rows = outbox_len(&w.d);

    // Assigned: the document takes no change; refused here, nothing queued or sent.
    advance(&w, &taken.id, 1).await;
    w.d.sync_orders(true).await.unwrap();
    let e =
        w.d.update_order(
            OrderKind::Delivery,
            &taken.id,
            json!({"pickup_comments": "裏口へ"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref(), e.message.as_str()),
        (
            ErrorCode::BadRequest,
            Some("status"),
            "status assigned: the document allows changes only while created"
        )
    );

    // A broken rule names its nested field, as the API would.
    let mut packages = order.body["packages"].clone();
    packages[1]["boxes"] = json!(11);
    for (body, field) in [
        (json!({"packages": packages}), "packages[1].boxes"),
        (
            json!({"customer": {"address_zipcode": "1500001", "address_prefecture": "東京都",
                               "address_line_1": "渋谷区神宮前1-19-11", "last_name": "吉沢",
                               "phone": "090-1234-5678"}}),
            "customer.address_zipcode",
        ),
        (json!({"store_id": SHIBUYA}), "store_id"),
        (json!({"destination_comments": 5}), "destination_comments"),
        (json!([]), "body"),
    ] {
        let e =
            w.d.update_order(OrderKind::Delivery, &order.id, body)
                .await
                .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::BadRequest, Some(field))
        );
        assert!(
            e.message.starts_with(&format!("{field}: ")),
            "{}",
            e.message
        );
    }
    let e =
        w.d.update_order(OrderKind::Delivery, "nope", json!({}))
            .await
            .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref(), e.message.as_str()),
        (ErrorCode::NotFound, Some("id"), "id: not in the cache")
    );
    let e =
        w.d.update_order(OrderKind::Fetch, &order.id, json!({}))
            .await
            .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("kind"))
    );
    assert_eq!(outbox_len(&w.d), rows, "nothing queued on a local refusal");

    // Cached as created but taken meanwhile: the API's 404 comes back, nothing stays queued.
    advance(&w, &order.id, 1).await;
    let e =
        w.d.update_order(
            OrderKind::Delivery,
            &order.id,
            json!({"pickup_comments": "x"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "{e:?}");
    assert!(
        e.message.contains("can no longer be changed"),
        "{}",
        e.message
    );
    assert_eq!(outbox_len(&w.d), rows);
    w.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_estimate_holds_both_windows_prices_them_and_a_create_uses_the_hold() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path(), 1000).await;
    let tomorrow = NaiveDate::from_ymd_opt(2030, 1, 15).unwrap();

    // Ready at 5時 tomorrow: the earliest TimeWindow is 6時〜7時, an extra-charge zone.
    let early =
        w.d.estimate_order(OrderKind::Delivery, &estimate_body(OrderKind::Delivery, 5))
            .await
            .unwrap();
    let time = early.time_window.clone().unwrap();
    let anytime = early.anytime_window.clone().unwrap();
    assert_eq!(time.starts_at.as_deref(), Some("2030-01-15T06:00:00+09:00"));
    assert_eq!(time.ends_at, "2030-01-15T07:00:00+09:00");
    assert_eq!(time.expires_at, "2030-01-14T09:30:00+09:00");
    assert_eq!(anytime.starts_at, None);
    assert_eq!(anytime.ends_at, "2030-01-16T00:00:00+09:00");
    assert!(early.extra_charge);
    assert_eq!(
        early
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.boxes, p.number, p.price))
            .collect::<Vec<_>>(),
        [("靴", 2, 1, 660 + 330), ("花瓶", 2, 2, 880 + 330)]
    );
    assert_eq!(early.total_price, 990 + 1210);
    assert_eq!(
        (early.kind, early.ready_by.as_str()),
        (OrderKind::Delivery, "2030-01-15T05:00:00+09:00")
    );
    assert_eq!(
        (early.store.id.as_str(), early.store.name.is_empty()),
        (SHIBUYA, false)
    );
    assert!(early.distance > 0, "placed by the gazetteer");
    assert!(early.id.is_some());
    assert!(early.unavailable_windows.is_empty());

    // Ready at 10時: 11時〜12時, no extra charge.
    let usual =
        w.d.estimate_order(OrderKind::Delivery, &estimate_body(OrderKind::Delivery, 10))
            .await
            .unwrap();
    assert_eq!(
        usual.time_window.as_ref().unwrap().starts_at.as_deref(),
        Some("2030-01-15T11:00:00+09:00")
    );
    assert!(!usual.extra_charge);
    assert_eq!(usual.total_price, 660 + 880);

    // The holds are in the window calendar.
    let grid = w.d.slot_grid(SHIBUYA, tomorrow).unwrap();
    let six = &grid.days[0].cells[0];
    assert_eq!(
        (six.starts_at.as_str(), six.held),
        ("2030-01-15T06:00:00+09:00", 1)
    );
    assert_eq!(grid.days[0].anytime.held, 2);

    // A create with the held TimeWindow: applied, cached as created, the hold booked.
    let mut body = order_body(OrderKind::Delivery, 5, "EST-1");
    body["delivery_window_id"] = json!(time.id);
    let created = applied(
        w.d.create_order(OrderKind::Delivery, body, WindowChoice::Given)
            .await
            .unwrap(),
    );
    assert_eq!(created.status, "created");
    assert_eq!(
        created.window_starts_at.as_deref(),
        Some("2030-01-15T06:00:00+09:00")
    );
    assert_eq!(w.cache.order(&created.id).unwrap().unwrap(), created);
    let grid = w.d.slot_grid(SHIBUYA, tomorrow).unwrap();
    assert_eq!(
        (grid.days[0].cells[0].held, grid.days[0].cells[0].booked),
        (0, 1)
    );

    // A fetch estimate, and a fetch in its AnytimeWindow with `after`.
    let fetch =
        w.d.estimate_order(OrderKind::Fetch, &estimate_body(OrderKind::Fetch, 10))
            .await
            .unwrap();
    assert_eq!(fetch.kind, OrderKind::Fetch);
    assert_eq!(fetch.ready_by, "2030-01-15T10:00:00+09:00");
    let mut body = order_body(OrderKind::Fetch, 10, "EST-F1");
    body["fetch_window_id"] = json!(fetch.anytime_window.unwrap().id);
    body["after"] = json!("13:00");
    let fetched = applied(
        w.d.create_order(OrderKind::Fetch, body, WindowChoice::Given)
            .await
            .unwrap(),
    );
    assert_eq!(
        (fetched.kind.as_str(), fetched.window_starts_at),
        ("fetch", None)
    );
    assert_eq!(fetched.body["after"], "13:00");

    // The window chosen when sent: a delivery in the earliest TimeWindow, one in the anytime.
    for (window, anytime) in [
        (WindowChoice::Earliest, false),
        (WindowChoice::Anytime, true),
    ] {
        let o = applied(
            w.d.create_order(
                OrderKind::Delivery,
                order_body(OrderKind::Delivery, 10, "EST-2"),
                window,
            )
            .await
            .unwrap(),
        );
        assert_eq!(o.window_starts_at.is_none(), anytime, "{window:?}");
    }
    w.sandbox.shutdown().await;
}

#[tokio::test]
async fn estimates_and_creates_refuse_broken_bodies_and_an_estimate_needs_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path(), 1000).await;
    let held =
        w.d.estimate_order(OrderKind::Delivery, &estimate_body(OrderKind::Delivery, 10))
            .await
            .unwrap()
            .time_window
            .unwrap();
    let rows = outbox_len(&w.d);

    let with = |edit: &dyn Fn(&mut Value)| {
        let mut body = order_body(OrderKind::Delivery, 10, "BAD-1");
        body["delivery_window_id"] = json!(held.id);
        edit(&mut body);
        body
    };
    let cases: Vec<(Value, WindowChoice, &str)> = vec![
        (
            with(&|b| b["packages"][1]["boxes"] = json!(11)),
            WindowChoice::Given,
            "packages[1].boxes",
        ),
        (
            with(&|b| b["packages"][0]["number"] = json!(0)),
            WindowChoice::Given,
            "packages[0].number",
        ),
        (
            with(&|b| b["packages"][1]["service_brand"] = json!("200サイズ")),
            WindowChoice::Given,
            "packages[1].service_brand",
        ),
        (
            with(&|b| b["customer"]["phone"] = json!("12345")),
            WindowChoice::Given,
            "customer.phone",
        ),
        (
            with(&|b| {
                b["customer"].as_object_mut().unwrap().remove("last_name");
            }),
            WindowChoice::Given,
            "customer.last_name",
        ),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("delivery_window_id");
            }),
            WindowChoice::Given,
            "delivery_window_id",
        ),
        (
            with(&|b| b["ready_by"] = json!("2030-01-29T10:00:00+09:00")),
            WindowChoice::Given,
            "ready_by",
        ),
        (
            with(&|b| b["until"] = json!("9:00")),
            WindowChoice::Given,
            "until",
        ),
        // `until` with a TimeWindow the cache knows: the API would answer 400.
        (
            with(&|b| b["until"] = json!("18:00")),
            WindowChoice::Given,
            "until",
        ),
        // A window id with a window chosen when sent is a contradiction.
        (with(&|_| {}), WindowChoice::Earliest, "delivery_window_id"),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("delivery_window_id");
                b["until"] = json!("18:00");
            }),
            WindowChoice::Earliest,
            "until",
        ),
    ];
    for (body, window, field) in cases {
        let e =
            w.d.create_order(OrderKind::Delivery, body, window)
                .await
                .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::BadRequest, Some(field)),
            "{e:?}"
        );
        assert!(
            e.message.starts_with(&format!("{field}: ")),
            "{}",
            e.message
        );
    }
    let e =
        w.d.create_order(
            OrderKind::Delivery,
            with(&|b| b["packages"][1]["boxes"] = json!(11)),
            WindowChoice::Given,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "packages[1].boxes: must be an integer from 1 to 10"
    );

    // Estimates: the document's rules, checked before the API is asked.
    let mut body = estimate_body(OrderKind::Delivery, 10);
    body["customer"]["address_zipcode"] = json!("1500001");
    let e =
        w.d.estimate_order(OrderKind::Delivery, &body)
            .await
            .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("customer.address_zipcode"))
    );
    let mut body = estimate_body(OrderKind::Fetch, 10);
    body["packages"][1]["boxes"] = json!("2");
    let e =
        w.d.estimate_order(OrderKind::Fetch, &body)
            .await
            .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("packages[1].boxes"));
    // A rule only the server knows (an address it cannot place) is its 400, as answered.
    let mut body = estimate_body(OrderKind::Delivery, 10);
    body["customer"]["address_line_1"] = json!("どこでもない町");
    body["customer"]["address_prefecture"] = json!("どこか");
    let e =
        w.d.estimate_order(OrderKind::Delivery, &body)
            .await
            .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("customer.address_line_1")),
        "{e:?}"
    );
    assert_eq!(outbox_len(&w.d), rows, "nothing queued");

    // Offline: an estimate is not queued; the message says it needs the API.
    let offline = dispatch(DEAD, &w.cache, &w.clock);
    let e = offline
        .estimate_order(OrderKind::Delivery, &estimate_body(OrderKind::Delivery, 10))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    assert!(
        e.message.contains("an estimate needs the API"),
        "{}",
        e.message
    );
    assert_eq!(outbox_len(&w.d), rows);
    // A create written offline waits with its client id, to estimate when sent.
    let queued = offline
        .create_order(
            OrderKind::Delivery,
            order_body(OrderKind::Delivery, 10, "OFF-C1"),
            WindowChoice::Earliest,
        )
        .await
        .unwrap();
    let Written::Queued { client_id, reason } = queued else {
        panic!("offline, yet applied: {queued:?}")
    };
    assert_eq!(reason.code, ErrorCode::Transport);
    let row = w.cache.outbox_row(&client_id).unwrap().unwrap();
    assert_eq!(row.kind, "create_delivery");
    w.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_reserved_window_is_held_and_a_sold_out_one_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    // One job per hourly slot: the second reservation of a slot finds it sold out.
    let w = world(dir.path(), 1).await;
    let hold = applied(
        w.d.reserve_window(SHIBUYA, "2030-01-15", ZONE_12)
            .await
            .unwrap(),
    );
    assert_eq!(hold.starts_at.as_deref(), Some("2030-01-15T12:00:00+09:00"));
    assert_eq!(hold.ends_at, "2030-01-15T13:00:00+09:00");
    assert_eq!(hold.expires_at, "2030-01-14T09:30:00+09:00");
    let grid =
        w.d.slot_grid(SHIBUYA, NaiveDate::from_ymd_opt(2030, 1, 15).unwrap())
            .unwrap();
    let noon = grid.days[0]
        .cells
        .iter()
        .find(|c| c.time_zone_id == ZONE_12)
        .unwrap();
    assert_eq!(
        (noon.held, noon.hold_ids.clone()),
        (1, vec![hold.id.clone()])
    );
    let rows = outbox_len(&w.d);

    let e =
        w.d.reserve_window(SHIBUYA, "2030-01-15", ZONE_12)
            .await
            .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::NotFound, "time_zone_id: this window is sold out")
    );
    // A window already started is the API's 404 too.
    let e =
        w.d.reserve_window(
            SHIBUYA,
            "2030-01-14",
            "8ef796d1-927d-4ce3-ba15-77d798a5e173",
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(e.message.contains("already started"), "{}", e.message);
    // Malformed arguments are refused before anything is queued.
    for (store, date, zone, field) in [
        (SHIBUYA, "2030/01/15", ZONE_12, "reserve_date"),
        ("shibuya", "2030-01-15", ZONE_12, "store_id"),
        (SHIBUYA, "2030-01-15", "12時", "time_zone_id"),
    ] {
        let e = w.d.reserve_window(store, date, zone).await.unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::BadRequest, Some(field))
        );
    }
    assert_eq!(outbox_len(&w.d), rows, "refusals leave no row");
    w.sandbox.shutdown().await;
}

#[tokio::test]
async fn postal_codes_and_addresses_are_looked_up_in_the_gazetteer() {
    let cache = Arc::new(Cache::in_memory().unwrap());
    let d = dispatch(DEAD, &cache, &clock());
    let azabu = d.postal_lookup("106-0045").unwrap();
    assert_eq!(
        (
            azabu.code.as_str(),
            azabu.prefecture.as_str(),
            azabu.city.as_str()
        ),
        ("106-0045", "東京都", "港区")
    );
    assert_eq!(azabu.towns, ["麻布十番"]);
    assert_eq!(d.postal_lookup("〒１０６００４５").unwrap(), azabu);
    // A code for the whole municipality (「以下に掲載がない場合」) names no town.
    let shibuya = d.postal_lookup("1500000").unwrap();
    assert_eq!((shibuya.city.as_str(), shibuya.towns.len()), ("渋谷区", 0));
    for (code, message) in [
        (
            "106-004",
            "address_zipcode: must be 7 digits, as 1234567 or 123-4567",
        ),
        (
            "abc",
            "address_zipcode: must be 7 digits, as 1234567 or 123-4567",
        ),
        (
            "999-9999",
            "address_zipcode: 999-9999 is not a Japanese postal code",
        ),
    ] {
        let e = d.postal_lookup(code).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref(), e.message.as_str()),
            (ErrorCode::BadRequest, Some("address_zipcode"), message)
        );
    }

    let a = d
        .normalize_address("東京都", "港区麻布十番１丁目２番３号 麻布ビル5F")
        .unwrap();
    assert_eq!(
        (
            a.prefecture.as_deref(),
            a.line_1.as_str(),
            a.line_2.as_str(),
            a.level
        ),
        (
            Some("東京都"),
            "港区麻布十番一丁目2-3",
            "麻布ビル5F",
            Some(AddressLevel::Chome)
        )
    );
    assert!((a.lat.unwrap() - 35.656).abs() < 0.01, "{a:?}");
    // The prefecture may come with line 1.
    let b = d.normalize_address("", "東京都港区麻布十番1-2-3").unwrap();
    assert_eq!(
        (b.line_1.as_str(), b.line_2.as_str()),
        ("港区麻布十番一丁目2-3", "")
    );
    // Only the municipality known: line 1 as typed, nothing split off.
    let c = d
        .normalize_address("東京都", " 港区どこでもない町1-2 ビル ")
        .unwrap();
    assert_eq!(
        (c.line_1.as_str(), c.line_2.as_str(), c.level),
        ("港区どこでもない町1-2 ビル", "", Some(AddressLevel::City))
    );
    let none = d.normalize_address("", "ほげほげ").unwrap();
    assert_eq!((none.level, none.lat, none.prefecture), (None, None, None));
    let e = d.normalize_address("東京都", "  ").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("address_line_1"))
    );
    let e = d.normalize_address("", "府中市").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("address_prefecture")),
        "{e:?}"
    );
    assert!(
        e.message.starts_with("address_prefecture: "),
        "{}",
        e.message
    );

    // Without a gazetteer: a configuration error, not a wrong code.
    let bare = Dispatch::new(
        quick_client(DEAD),
        cache,
        Mode::Sandbox,
        Arc::new(Shared(clock())),
        None,
    )
    .unwrap();
    assert_eq!(
        bare.postal_lookup("106-0045").unwrap_err().code,
        ErrorCode::Config
    );
    assert_eq!(
        bare.normalize_address("東京都", "港区").unwrap_err().code,
        ErrorCode::Config
    );
}
