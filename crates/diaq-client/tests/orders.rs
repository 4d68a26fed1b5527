//! Estimates, holds, deliveries and fetches: the real client against the real sandbox on port
//! 0 with a fixed clock, a real SQLite file and the built gazetteer (`make data`).

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, FixedOffset};
use hakobu_diaq::{Status, time};
use hakobu_diaq_client::{ClientError, DiaqClient, OrderQuery};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{CapacityConfig, ManualClock, RunningSandbox, SandboxConfig, Seed};
use serde_json::{Value, json};

const KEY: &str = "k_orders";
const STORE: &str = "5eed0000-0000-4000-8000-000000000001"; // 麻布十番
const NOW: &str = "2026-11-23T09:10:00+09:00";

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

struct Peer {
    _dir: tempfile::TempDir,
    server: RunningSandbox,
    clock: Arc<ManualClock>,
    client: DiaqClient,
}

async fn peer(capacity: CapacityConfig) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t(NOW)));
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        capacity,
        clock: Some(clock.clone()),
        geo: Some(geo()).into(),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    Peer {
        _dir: dir,
        server,
        clock,
        client,
    }
}

fn t(s: &str) -> DateTime<FixedOffset> {
    time::parse(s).unwrap()
}

fn estimate_body(ready_by: &str) -> Value {
    json!({
        "store_id": STORE,
        "ready_by": ready_by,
        "customer": {
            "address_zipcode": "106-0044",
            "address_prefecture": "東京都",
            "address_line_1": "港区東麻布1-5-2",
            "address_line_2": "東麻布ビル9階"
        },
        "packages": [
            {"service_brand": "80サイズ", "order_reference": "", "name": "衣料", "boxes": 2, "number": 1,
             "height": 0, "width": 0, "depth": 0, "weight": 0, "attention": ""},
            {"service_brand": "60サイズ", "order_reference": "x1234", "name": "花瓶", "boxes": 2, "number": 2,
             "height": 60.5, "width": 54, "depth": 40, "weight": 5, "attention": "割れ物"}
        ]
    })
}

fn order_body(ready_by: &str, window_id: &str) -> Value {
    let mut b = estimate_body(ready_by);
    b["delivery_window_id"] = json!(window_id);
    let c = &mut b["customer"];
    c["last_name"] = json!("吉沢");
    c["first_name"] = json!("健二");
    c["phone"] = json!("03-1234-5678");
    c["email"] = json!("efg@example.co.jp");
    b["pickup_comments"] = json!("集荷時は田中に声を掛けてください。");
    b
}

fn bad(result: Result<impl std::fmt::Debug, ClientError>, field: &str) -> String {
    match result {
        Err(e @ ClientError::BadRequest { .. }) => {
            assert_eq!(e.field(), Some(field), "{e}");
            e.to_string()
        }
        other => panic!("expected a 400 on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn same_day_holds_the_first_slot_after_now_plus_5h_and_prices_the_packages() {
    let p = peer(CapacityConfig::default()).await;
    let e = p
        .client
        .create_delivery_estimate(&estimate_body("2026-11-23T10:00:00+09:00"))
        .await
        .unwrap();
    assert_eq!(e.object, "delivery_estimate");
    assert_eq!(e.delivery_windows.len(), 2);
    // now 09:10 + 5 h = 14:10 → the first slot starting at or after it is 15:00.
    let w = &e.delivery_windows[0];
    assert_eq!(w.starts_at.as_deref(), Some("2026-11-23T15:00:00+09:00"));
    assert_eq!(w.ends_at, "2026-11-23T16:00:00+09:00");
    assert_eq!(w.expires_at, "2026-11-23T09:40:00+09:00", "30-minute hold");
    // Anytime: the date of ready_by + 30 min, ending at the following midnight.
    let any = &e.delivery_windows[1];
    assert_eq!(
        (any.starts_at.as_deref(), any.ends_at.as_str()),
        (None, "2026-11-24T00:00:00+09:00")
    );
    assert_eq!(e.packages[0].price.as_deref(), Some("880"));
    assert_eq!(e.packages[1].price.as_deref(), Some("660"));
    assert!(
        e.distance > 300 && e.distance < 3000,
        "麻布十番 → 東麻布: {} m",
        e.distance
    );
    assert_eq!(e.store.store_name, "ハコブ商店 麻布十番店");
    let again = p
        .client
        .get_delivery_estimate(e.id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(again, e);
}

#[tokio::test]
async fn next_day_is_ready_by_plus_1h_and_early_slots_carry_the_extra_charge() {
    let p = peer(CapacityConfig::default()).await;
    let e = p
        .client
        .create_delivery_estimate(&estimate_body("2026-11-24T04:45:00+09:00"))
        .await
        .unwrap();
    assert_eq!(
        e.delivery_windows[0].starts_at.as_deref(),
        Some("2026-11-24T06:00:00+09:00")
    );
    assert_eq!(
        e.packages[0].price.as_deref(),
        Some("1210"),
        "880 + 330 for 6時〜7時"
    );
}

#[tokio::test]
async fn full_slots_push_to_the_next_and_are_listed_unavailable_until_holds_expire() {
    let cap = CapacityConfig {
        per_hour: 2,
        ..CapacityConfig::default()
    };
    let p = peer(cap).await;
    let body = estimate_body("2026-11-24T10:00:00+09:00");
    let starts =
        |e: &hakobu_diaq::DeliveryEstimate| e.delivery_windows[0].starts_at.clone().unwrap();
    let a = p.client.create_delivery_estimate(&body).await.unwrap();
    let b = p.client.create_delivery_estimate(&body).await.unwrap();
    let c = p.client.create_delivery_estimate(&body).await.unwrap();
    assert_eq!(starts(&a), "2026-11-24T11:00:00+09:00");
    assert_eq!(starts(&b), "2026-11-24T11:00:00+09:00");
    assert_eq!(starts(&c), "2026-11-24T12:00:00+09:00", "11時 is full");
    assert!(
        c.unavailable_windows
            .iter()
            .any(|u| u.starts_at == "2026-11-24T11:00:00+09:00")
    );
    // Holds expire after 30 minutes and the slot frees.
    p.clock.advance(Duration::minutes(31));
    let d = p.client.create_delivery_estimate(&body).await.unwrap();
    assert_eq!(starts(&d), "2026-11-24T11:00:00+09:00");
}

#[tokio::test]
async fn ready_by_must_be_iso_8601_and_within_14_days() {
    let p = peer(CapacityConfig::default()).await;
    p.client
        .create_delivery_estimate(&estimate_body("2026-12-07T10:00:00+09:00"))
        .await
        .expect("14 days ahead is allowed");
    let m = bad(
        p.client
            .create_delivery_estimate(&estimate_body("2026-12-08T10:00:00+09:00"))
            .await,
        "ready_by",
    );
    assert!(m.contains("14 days"), "{m}");
    for bad_time in ["2026-11-24 10:00", "tomorrow", "2026-11-24T10:00:00"] {
        bad(
            p.client
                .create_delivery_estimate(&estimate_body(bad_time))
                .await,
            "ready_by",
        );
    }
}

#[tokio::test]
async fn every_request_rule_names_its_field() {
    let p = peer(CapacityConfig::default()).await;
    let base = estimate_body("2026-11-24T10:00:00+09:00");
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        ("store_id", Box::new(|b| b["store_id"] = json!("S0001"))),
        (
            "store_id",
            Box::new(|b| b["store_id"] = json!("00000000-0000-4000-8000-000000000000")),
        ),
        (
            "customer",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("customer");
            }),
        ),
        (
            "customer.address_zipcode",
            Box::new(|b| b["customer"]["address_zipcode"] = json!("1060044")),
        ),
        (
            "customer.address_prefecture",
            Box::new(|b| b["customer"]["address_prefecture"] = json!("")),
        ),
        (
            "customer.address_line_1",
            Box::new(|b| b["customer"]["address_line_1"] = json!("区".repeat(101))),
        ),
        (
            "customer.address_line_2",
            Box::new(|b| b["customer"]["address_line_2"] = json!("階".repeat(101))),
        ),
        (
            "customer.address_line_1",
            Box::new(|b| b["customer"]["address_line_1"] = json!("どこでもない町1-1")),
        ),
        ("packages", Box::new(|b| b["packages"] = json!([]))),
        (
            "packages[0].service_brand",
            Box::new(|b| b["packages"][0]["service_brand"] = json!("200サイズ")),
        ),
        (
            "packages[0].name",
            Box::new(|b| b["packages"][0]["name"] = json!("品".repeat(101))),
        ),
        (
            "packages[1].boxes",
            Box::new(|b| b["packages"][1]["boxes"] = json!(11)),
        ),
        (
            "packages[0].boxes",
            Box::new(|b| b["packages"][0]["boxes"] = json!(0)),
        ),
        (
            "packages[0].number",
            Box::new(|b| b["packages"][0]["number"] = json!(1.5)),
        ),
        (
            "packages[0].attention",
            Box::new(|b| b["packages"][0]["attention"] = json!("注".repeat(201))),
        ),
        (
            "packages[0].weight",
            Box::new(|b| b["packages"][0]["weight"] = json!("5kg")),
        ),
    ];
    for (field, change) in cases {
        let mut body = base.clone();
        change(&mut body);
        bad(p.client.create_delivery_estimate(&body).await, field);
    }
}

#[tokio::test]
async fn a_delivery_uses_its_hold_once_and_follows_the_lifecycle() {
    let p = peer(CapacityConfig::default()).await;
    let e = p
        .client
        .create_delivery_estimate(&estimate_body("2026-11-24T10:00:00+09:00"))
        .await
        .unwrap();
    let window = e.delivery_windows[0].clone();
    let body = order_body("2026-11-24T10:00:00+09:00", &window.id);
    let d = p.client.create_delivery(&body).await.unwrap();
    assert_eq!((d.object.as_str(), d.status), ("delivery", Status::Created));
    assert_eq!(d.tracking_code.len(), 12);
    assert!(d.tracking_code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(d.delivery_window, window);
    assert_eq!(d.store_signature, "barcode", "the store's pickup_proof");
    assert_eq!(d.customer_signature, "signature");
    assert!(d.driver.is_none() && d.delivered_at.is_none() && d.exception.is_none());
    assert!(d.update.ends_with(".000+09:00"), "{}", d.update);
    let m = bad(p.client.create_delivery(&body).await, "delivery_window_id");
    assert!(m.contains("already used"), "{m}");

    // Only comments, customer and packages change, only while created.
    let changed = p
        .client
        .update_delivery(
            &d.id,
            &json!({"destination_comments": "ゲートでは暗証番号1234を入力してください。"}),
        )
        .await
        .unwrap();
    assert_eq!(
        changed.destination_comments,
        "ゲートでは暗証番号1234を入力してください。"
    );
    for fixed in ["store_id", "ready_by", "delivery_window_id"] {
        bad(
            p.client
                .update_delivery(&d.id, &json!({ fixed: body[fixed] }))
                .await,
            fixed,
        );
    }
    bad(
        p.client
            .update_delivery(&d.id, &json!({"customer": {"address_zipcode": "x"}}))
            .await,
        "customer.address_zipcode",
    );

    let mut statuses = vec![];
    loop {
        let next = p.client.sandbox_advance("deliveries", &d.id).await;
        let Ok(v) = next else { break };
        statuses.push(v["status"].as_str().unwrap().to_owned());
        if v["status"] == "assigned" {
            assert!(v["driver"]["name"].is_string() && v["driver"]["phone"].is_null());
            assert!(
                matches!(
                    p.client
                        .update_delivery(&d.id, &json!({"pickup_comments": "x"}))
                        .await,
                    Err(ClientError::NotFound { .. })
                ),
                "no update once a driver has it"
            );
        }
        if v["status"] == "collecting" {
            assert!(v["driver"]["phone"].is_string() && v["driver"]["vehicle_type"].is_string());
        }
    }
    assert_eq!(
        statuses,
        [
            "assigned",
            "collecting",
            "arrived_origin",
            "delivering",
            "arrived_goal",
            "delivered"
        ]
    );
    let done = p.client.get_delivery(&d.id).await.unwrap();
    assert_eq!(done.delivered_at.as_deref(), Some(NOW));
    assert!(matches!(
        p.client.cancel_delivery(&d.id).await,
        Err(ClientError::NotFound { .. })
    ));
}

#[tokio::test]
async fn holds_must_be_live_and_of_the_store_and_until_needs_an_anytime_window() {
    let p = peer(CapacityConfig::default()).await;
    let rb = "2026-11-24T10:00:00+09:00";
    let e = p
        .client
        .create_delivery_estimate(&estimate_body(rb))
        .await
        .unwrap();
    let (time_w, any_w) = (
        e.delivery_windows[0].id.clone(),
        e.delivery_windows[1].id.clone(),
    );

    let mut with_until = order_body(rb, &time_w);
    with_until["until"] = json!("18:00");
    let m = bad(p.client.create_delivery(&with_until).await, "until");
    assert!(m.contains("AnytimeWindow"), "{m}");
    let mut bad_until = order_body(rb, &any_w);
    bad_until["until"] = json!("25:00");
    bad(p.client.create_delivery(&bad_until).await, "until");
    let mut good = order_body(rb, &any_w);
    good["until"] = json!("18:00");
    let d = p.client.create_delivery(&good).await.unwrap();
    assert_eq!(d.until.as_deref(), Some("18:00"));
    assert!(d.delivery_window.starts_at.is_none());

    let mut other_store = order_body(rb, &time_w);
    other_store["store_id"] = json!("5eed0000-0000-4000-8000-000000000002");
    bad(
        p.client.create_delivery(&other_store).await,
        "delivery_window_id",
    );
    bad(
        p.client
            .create_delivery(&order_body(rb, "00000000-0000-4000-8000-000000000000"))
            .await,
        "delivery_window_id",
    );
    p.clock.advance(Duration::minutes(30));
    let m = bad(
        p.client.create_delivery(&order_body(rb, &time_w)).await,
        "delivery_window_id",
    );
    assert!(m.contains("expired"), "{m}");

    // Customer rules of the order table.
    let mut o = order_body(rb, &time_w);
    o["customer"]["phone"] = json!("0123-4567-8901");
    bad(p.client.create_delivery(&o).await, "customer.phone");
    let mut o = order_body(rb, &time_w);
    // The document's pattern has an unescaped `.`, so "efg@example" passes; a one-letter TLD does not.
    o["customer"]["email"] = json!("efg@example.c");
    bad(p.client.create_delivery(&o).await, "customer.email");
    let mut o = order_body(rb, &time_w);
    o["customer"]["last_name"] = json!("名".repeat(51));
    bad(p.client.create_delivery(&o).await, "customer.last_name");
    let mut o = order_body(rb, &time_w);
    o["customer"]["business_name"] = json!("社".repeat(101));
    bad(p.client.create_delivery(&o).await, "customer.business_name");
}

#[tokio::test]
async fn cancel_follows_the_table_and_frees_the_slot() {
    let cap = CapacityConfig {
        per_hour: 1,
        ..CapacityConfig::default()
    };
    let p = peer(cap).await;
    let rb = "2026-11-24T10:00:00+09:00";
    let e = p
        .client
        .create_delivery_estimate(&estimate_body(rb))
        .await
        .unwrap();
    let d = p
        .client
        .create_delivery(&order_body(rb, &e.delivery_windows[0].id))
        .await
        .unwrap();
    let next = p
        .client
        .create_delivery_estimate(&estimate_body(rb))
        .await
        .unwrap();
    assert_eq!(
        next.delivery_windows[0].starts_at.as_deref(),
        Some("2026-11-24T12:00:00+09:00")
    );
    p.client.cancel_delivery(&d.id).await.unwrap();
    assert_eq!(
        p.client.get_delivery(&d.id).await.unwrap().status,
        Status::Canceled
    );
    assert!(matches!(
        p.client.cancel_delivery(&d.id).await,
        Err(ClientError::NotFound { .. })
    ));
    p.clock.advance(Duration::minutes(31));
    let freed = p
        .client
        .create_delivery_estimate(&estimate_body(rb))
        .await
        .unwrap();
    assert_eq!(
        freed.delivery_windows[0].starts_at.as_deref(),
        Some("2026-11-24T11:00:00+09:00")
    );

    // Under way, a cancellation becomes a return.
    let e = p
        .client
        .create_delivery_estimate(&estimate_body(rb))
        .await
        .unwrap();
    let d = p
        .client
        .create_delivery(&order_body(rb, &e.delivery_windows[1].id))
        .await
        .unwrap();
    for _ in 0..4 {
        p.client.sandbox_advance("deliveries", &d.id).await.unwrap();
    }
    p.client.cancel_delivery(&d.id).await.unwrap();
    assert_eq!(
        p.client.get_delivery(&d.id).await.unwrap().status,
        Status::Returning
    );
    let back = p.client.sandbox_advance("deliveries", &d.id).await.unwrap();
    assert_eq!(back["status"], "returned");

    // An exception cancels with its code.
    let e = p
        .client
        .create_delivery_estimate(&estimate_body(rb))
        .await
        .unwrap();
    let d = p
        .client
        .create_delivery(&order_body(rb, &e.delivery_windows[1].id))
        .await
        .unwrap();
    let v = p
        .client
        .sandbox_exception("deliveries", &d.id, 3, "")
        .await
        .unwrap();
    assert_eq!(
        (v["status"].as_str(), v["exception"]["description"].as_str()),
        (Some("canceled"), Some("不在"))
    );
    bad(
        p.client.sandbox_exception("deliveries", &d.id, 9, "").await,
        "code",
    );
}

#[tokio::test]
async fn lists_filter_by_status_store_reference_and_window_end() {
    let p = peer(CapacityConfig::default()).await;
    let rb = "2026-11-24T10:00:00+09:00";
    let mut ids = vec![];
    for _ in 0..3 {
        let e = p
            .client
            .create_delivery_estimate(&estimate_body(rb))
            .await
            .unwrap();
        ids.push(
            p.client
                .create_delivery(&order_body(rb, &e.delivery_windows[0].id))
                .await
                .unwrap()
                .id,
        );
    }
    p.client
        .sandbox_advance("deliveries", &ids[0])
        .await
        .unwrap();
    let all = p
        .client
        .list_deliveries(&OrderQuery::default(), 1, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let assigned = OrderQuery {
        status: Some(1),
        ..OrderQuery::default()
    };
    let got = p.client.list_deliveries(&assigned, 1, None).await.unwrap();
    assert_eq!(
        got.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        vec![ids[0].clone()]
    );
    let by_ref = OrderQuery {
        order_reference: Some("x1234".into()),
        ..OrderQuery::default()
    };
    assert_eq!(
        p.client
            .list_deliveries(&by_ref, 1, None)
            .await
            .unwrap()
            .len(),
        3
    );
    let no_ref = OrderQuery {
        order_reference: Some("x123".into()),
        ..OrderQuery::default()
    };
    assert!(
        p.client
            .list_deliveries(&no_ref, 1, None)
            .await
            .unwrap()
            .is_empty(),
        "exact match"
    );
    let other = OrderQuery {
        store_id: Some("5eed0000-0000-4000-8000-000000000002".into()),
        ..OrderQuery::default()
    };
    assert!(
        p.client
            .list_deliveries(&other, 1, None)
            .await
            .unwrap()
            .is_empty()
    );
    let ends = all[0].delivery_window.ends_at.clone();
    let since = OrderQuery {
        since: Some(ends.clone()),
        ..OrderQuery::default()
    };
    assert_eq!(
        p.client
            .list_deliveries(&since, 1, None)
            .await
            .unwrap()
            .len(),
        3
    );
    let before = OrderQuery {
        until: Some("2026-11-24T10:59:00+09:00".into()),
        ..OrderQuery::default()
    };
    assert!(
        p.client
            .list_deliveries(&before, 1, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        p.client
            .list_deliveries(&OrderQuery::default(), 2, Some(2))
            .await
            .unwrap()
            .len(),
        1
    );
    let bad_status = OrderQuery {
        status: Some(10),
        ..OrderQuery::default()
    };
    bad(
        p.client.list_deliveries(&bad_status, 1, None).await,
        "status",
    );
    let bad_since = OrderQuery {
        since: Some("yesterday".into()),
        ..OrderQuery::default()
    };
    bad(p.client.list_deliveries(&bad_since, 1, None).await, "since");
}

#[tokio::test]
async fn reserve_windows_holds_a_chosen_slot_or_answers_404() {
    let cap = CapacityConfig {
        per_hour: 1,
        ..CapacityConfig::default()
    };
    let p = peer(cap).await;
    let noon = "f30316b2-8e9e-40cf-827c-09a3e88c3ea3";
    let w = p
        .client
        .reserve_window(STORE, "2026-11-26", noon)
        .await
        .unwrap();
    assert_eq!(w.starts_at.as_deref(), Some("2026-11-26T12:00:00+09:00"));
    let full = p.client.reserve_window(STORE, "2026-11-26", noon).await;
    assert!(
        matches!(full, Err(ClientError::NotFound { .. })),
        "{full:?}"
    );
    let past = p
        .client
        .reserve_window(STORE, "2026-11-23", "8ef796d1-927d-4ce3-ba15-77d798a5e173")
        .await;
    assert!(
        matches!(past, Err(ClientError::NotFound { .. })),
        "{past:?}"
    );
    let far = p.client.reserve_window(STORE, "2026-12-08", noon).await;
    assert!(matches!(far, Err(ClientError::NotFound { .. })), "{far:?}");
    let any = p
        .client
        .reserve_window(STORE, "2026-11-23", "9fad40c3-1347-4ce8-bd06-61c180391f4b")
        .await
        .unwrap();
    assert!(any.starts_at.is_none());
    bad(
        p.client
            .reserve_window(STORE, "2026-11-26", "00000000-0000-4000-8000-000000000000")
            .await,
        "time_zone_id",
    );
    bad(
        p.client.reserve_window(STORE, "26/11/2026", noon).await,
        "reserve_date",
    );
    bad(
        p.client
            .reserve_window("00000000-0000-4000-8000-000000000000", "2026-11-26", noon)
            .await,
        "store_id",
    );
    // A reserved window makes a delivery like an estimated one.
    let d = p
        .client
        .create_delivery(&order_body("2026-11-26T09:00:00+09:00", &w.id))
        .await
        .unwrap();
    assert_eq!(
        d.delivery_window.starts_at.as_deref(),
        Some("2026-11-26T12:00:00+09:00")
    );
}

#[tokio::test]
async fn fetches_mirror_deliveries_with_deliver_by_and_after() {
    let p = peer(CapacityConfig::default()).await;
    let mut body = estimate_body("x");
    body.as_object_mut().unwrap().remove("ready_by");
    body["deliver_by"] = json!("2026-11-25T18:00:00+09:00");
    let e = p.client.create_fetch_estimate(&body).await.unwrap();
    assert_eq!(e.object, "fetch_estimate");
    assert_eq!(e.deliver_by, "2026-11-25T18:00:00+09:00");
    // Anytime for fetches: the date the TimeWindow rule gives (18:00 + 1 h → the 25th).
    assert_eq!(e.fetch_windows[1].ends_at, "2026-11-26T00:00:00+09:00");
    assert_eq!(
        p.client
            .get_fetch_estimate(e.id.as_deref().unwrap())
            .await
            .unwrap(),
        e
    );
    let mut order = order_body("x", &e.fetch_windows[1].id);
    let o = order.as_object_mut().unwrap();
    o.remove("ready_by");
    o.remove("delivery_window_id");
    // The document's own fetch example sends ready_by: it is accepted as deliver_by.
    o.insert("ready_by".into(), json!("2026-11-25T18:00:00+09:00"));
    o.insert("fetch_window_id".into(), json!(e.fetch_windows[1].id));
    o.insert("after".into(), json!("13:00"));
    let f = p.client.create_fetch(&order).await.unwrap();
    assert_eq!(
        (f.object.as_str(), f.after.as_deref()),
        ("fetch", Some("13:00"))
    );
    assert_eq!(
        p.client
            .list_fetches(&OrderQuery::default(), 1, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        p.client
            .list_deliveries(&OrderQuery::default(), 1, None)
            .await
            .unwrap()
            .is_empty()
    );
    p.client
        .update_fetch(&f.id, &json!({"pickup_comments": "インターホン101"}))
        .await
        .unwrap();
    p.client.cancel_fetch(&f.id).await.unwrap();
    assert_eq!(
        p.client.get_fetch(&f.id).await.unwrap().status,
        Status::Canceled
    );
    assert!(matches!(
        p.client.get_delivery(&f.id).await,
        Err(ClientError::NotFound { .. })
    ));
}

#[tokio::test]
async fn concurrent_estimates_never_overbook_a_slot() {
    for round in 0..5 {
        let cap = CapacityConfig {
            per_hour: 3,
            ..CapacityConfig::default()
        };
        let p = peer(cap).await;
        let body = estimate_body("2026-11-24T10:00:00+09:00");
        let handles: Vec<_> = (0..200)
            .map(|_| {
                let c = p.client.clone();
                let b = body.clone();
                tokio::spawn(async move { c.create_delivery_estimate(&b).await })
            })
            .collect();
        let mut first_slot = 0;
        for h in handles {
            let e = h.await.unwrap().unwrap();
            if e.delivery_windows[0].starts_at.as_deref() == Some("2026-11-24T11:00:00+09:00") {
                first_slot += 1;
            }
        }
        assert_eq!(first_slot, 3, "round {round}: exactly the capacity");
        drop(p.server);
    }
}

#[tokio::test]
async fn the_demo_day_seeds_placed_orders_once_with_some_under_way() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("demo.db"),
        api_key: KEY.into(),
        seed: Some(Seed::TokyoDay),
        geo: Some(geo()).into(),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let deliveries = client.all_deliveries(&OrderQuery::default()).await.unwrap();
    let fetches = client.all_fetches(&OrderQuery::default()).await.unwrap();
    assert_eq!(
        deliveries.len() + fetches.len(),
        48,
        "four customers per store"
    );
    assert!(fetches.len() >= 6, "{}", fetches.len());
    assert!(
        deliveries.iter().all(|d| d.distance > 0),
        "every customer placed"
    );
    let statuses: std::collections::HashSet<Status> = deliveries.iter().map(|d| d.status).collect();
    for s in [Status::Created, Status::Assigned, Status::Delivered] {
        assert!(statuses.contains(&s), "{s:?} in {statuses:?}");
    }
    assert!(
        deliveries
            .iter()
            .any(|d| d.delivery_window.starts_at.is_none()),
        "some anytime"
    );
    server.shutdown().await;
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let again = client.all_deliveries(&OrderQuery::default()).await.unwrap();
    assert_eq!(again.len(), deliveries.len(), "seeded once");
}
