//! The typed requests of `hakobu_diaq::request` against the document and the sandbox:
//!
//! - every request example of the document (`shared/seeds/diaq-api.txt`) for estimates,
//!   deliveries, fetches, their updates and `reserve_windows` reads into its typed struct and
//!   writes back as the same JSON (property names and values; `54` and `54.0` are the same
//!   number);
//! - a fully filled struct has exactly the properties of the document's request table;
//! - the sandbox accepts the typed bodies through the client: estimate → create → update →
//!   cancel for deliveries and fetches, and `reserve_windows`, keyed and not.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use hakobu_diaq::{
    CustomerAddress, CustomerInput, DeliveryEstimateRequest, DeliveryUpdate, FetchEstimateCustomer,
    FetchEstimateRequest, FetchUpdate, NewDelivery, NewFetch, PackageInput, ReserveWindowRequest,
    Status, Window, time, time_zones,
};
use hakobu_diaq_client::{ClientError, DiaqClient};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{ManualClock, RunningSandbox, SandboxConfig, Seed};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const DOC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/diaq-api.txt"
);
const HOST: &str = "https://api.dia-9.com";

fn load_document() -> String {
    std::fs::read_to_string(DOC).unwrap_or_else(|e| {
        panic!("the DIAq document belongs at {DOC} (shared/seeds/ beside the checkout): {e}")
    })
}

// ---------------------------------------------------------------------------------------------
// The document's examples and tables

/// The request body of the one example `METHOD https://api.dia-9.com<path>…` (method and URL
/// are separated by a no-break space in the document).
fn example_body(doc: &str, method: &str, path: &str) -> Value {
    let lines: Vec<&str> = doc.lines().collect();
    let opens: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            lines[i]
                .split_once(['\u{a0}', ' '])
                .is_some_and(|(m, url)| {
                    m == method && url.trim().starts_with(&format!("{HOST}{path}"))
                })
        })
        .collect();
    assert_eq!(opens.len(), 1, "one example of {method} {path}");
    let body = (opens[0]..lines.len())
        .find(|&i| lines[i].trim() == "Body")
        .unwrap_or_else(|| panic!("{method} {path}: no Body"));
    let text: String = lines[body + 1..].join("\n");
    let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
    stream.next().unwrap().unwrap()
}

/// The property names of the request table under the heading `heading` (`POST/v1/deliveries/`):
/// top-level rows, and `[nested]` rows under the object or array row before them.
struct Table {
    top: BTreeSet<String>,
    nested: HashMap<String, BTreeSet<String>>,
}

fn request_table(doc: &str, heading: &str) -> Table {
    let lines: Vec<&str> = doc.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == heading)
        .unwrap_or_else(|| panic!("no heading {heading}"));
    let header = (at..lines.len())
        .find(|&i| lines[i].starts_with("プロパティ名 内容 必須"))
        .unwrap_or_else(|| panic!("{heading}: no request table"));
    let mut table = Table {
        top: BTreeSet::new(),
        nested: HashMap::new(),
    };
    let mut parent = String::new();
    for line in lines[header + 1..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
    {
        let name = line.split(' ').next().unwrap_or_default();
        let is_name = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            assert!(is_name(inner), "{heading}: row {line}");
            table
                .nested
                .entry(parent.clone())
                .or_default()
                .insert(inner.to_owned());
        } else if is_name(name) {
            parent = name.to_owned();
            table.top.insert(name.to_owned());
        }
        // Anything else continues the row above (`【正規表現】`, the pattern).
    }
    table
}

/// The properties of `PUT/v1/deliveries/{id}`'s 変更可能タイミング・項目 table that may change
/// while `created` (rows with one ×, for "not once under way"; the fixed ones have two).
fn changeable(doc: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = doc.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == "PUT/v1/deliveries/{id}")
        .unwrap();
    let header = (at..lines.len())
        .find(|&i| lines[i].starts_with("項目 オブジェクト"))
        .unwrap();
    lines[header + 1..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.matches('×').count() == 1)
        .map(|l| l.split(' ').nth(1).unwrap().to_owned())
        .collect()
}

/// The property names of a serialised body: top level, and each object or array-of-objects
/// property's (first element's) names.
fn shape(v: &Value) -> Table {
    let map = v.as_object().unwrap();
    let mut nested = HashMap::new();
    for (k, x) in map {
        let inner = match x {
            Value::Array(a) => a.first(),
            other => Some(other),
        };
        if let Some(Value::Object(o)) = inner {
            nested.insert(k.clone(), o.keys().cloned().collect());
        }
    }
    Table {
        top: map.keys().cloned().collect(),
        nested,
    }
}

/// JSON equality where numbers compare by value (`54` and `54.0` are one number on the wire).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Reads `example` as `T` and writes it back.
fn round_trip<T: DeserializeOwned + Serialize>(example: &Value) -> Value {
    let typed: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{}: {e}\n{example:#}", std::any::type_name::<T>()));
    serde_json::to_value(&typed).unwrap()
}

fn assert_round_trip<T: DeserializeOwned + Serialize>(doc: &str, method: &str, path: &str) {
    let example = example_body(doc, method, path);
    let back = round_trip::<T>(&example);
    assert!(
        same_json(&example, &back),
        "{method} {path}: the example\n{example:#}\ncame back as\n{back:#}"
    );
}

#[test]
fn every_request_example_reads_into_its_type_and_writes_back_unchanged() {
    let doc = load_document();
    assert_round_trip::<DeliveryEstimateRequest>(&doc, "POST", "/v1/delivery_estimates/");
    assert_round_trip::<FetchEstimateRequest>(&doc, "POST", "/v1/fetch_estimates/");
    assert_round_trip::<NewDelivery>(&doc, "POST", "/v1/deliveries/");
    assert_round_trip::<DeliveryUpdate>(&doc, "PUT", "/v1/deliveries/");
    assert_round_trip::<FetchUpdate>(&doc, "PUT", "/v1/fetches/");
    assert_round_trip::<ReserveWindowRequest>(&doc, "POST", "/v1/reserve_windows");

    // The fetch example sends `ready_by` where its table says `deliver_by`: it reads, and is
    // written with the table's name (docs/decisions.md), the value unchanged.
    let mut example = example_body(&doc, "POST", "/v1/fetches/");
    let back = round_trip::<NewFetch>(&example);
    let map = example.as_object_mut().unwrap();
    let ready_by = map.remove("ready_by").expect("the example sends ready_by");
    map.insert("deliver_by".into(), ready_by);
    assert!(same_json(&example, &back), "{example:#}\n{back:#}");
}

fn jst(s: &str) -> DateTime<FixedOffset> {
    time::parse(s).unwrap()
}

fn full_package() -> PackageInput {
    PackageInput {
        service_brand: "80サイズ".into(),
        order_reference: Some("x1234".into()),
        name: Some("花瓶".into()),
        boxes: 2,
        number: 2,
        height: Some(60.5),
        width: Some(54.0),
        depth: Some(40.0),
        weight: Some(5.0),
        attention: Some("割れ物".into()),
    }
}

fn full_customer() -> CustomerInput {
    CustomerInput {
        address: CustomerAddress {
            address_zipcode: "106-0044".into(),
            address_prefecture: "東京都".into(),
            address_line_1: "港区東麻布1-5-2".into(),
            address_line_2: Some("東麻布ビル9階".into()),
        },
        last_name: "吉沢".into(),
        first_name: Some("健二".into()),
        business_name: Some("株式会社カンパニー".into()),
        phone: "03-1234-5678".into(),
        email: Some("efg@example.co.jp".into()),
    }
}

fn assert_matches_table(doc: &str, heading: &str, body: &impl Serialize, extra: &[(&str, &str)]) {
    let table = request_table(doc, heading);
    let got = shape(&serde_json::to_value(body).unwrap());
    assert_eq!(got.top, table.top, "{heading}: top-level properties");
    let objects = |t: &Table| t.nested.keys().cloned().collect::<BTreeSet<String>>();
    assert_eq!(objects(&got), objects(&table), "{heading}: nested objects");
    for (parent, names) in &table.nested {
        let mut ours = got.nested.get(parent).cloned().unwrap_or_default();
        for (p, name) in extra {
            if p == parent {
                assert!(
                    ours.remove(*name),
                    "{heading}: {parent}.{name} is not sent any more"
                );
            }
        }
        assert_eq!(&ours, names, "{heading}: properties of {parent}");
    }
}

#[test]
fn filled_in_requests_have_exactly_the_properties_of_the_request_tables() {
    let doc = load_document();
    let ready_by = jst("2026-11-24T10:00:00+09:00");
    let estimate = DeliveryEstimateRequest {
        store_id: STORE.into(),
        ready_by,
        customer: full_customer().address,
        packages: vec![full_package()],
    };
    assert_matches_table(&doc, "POST/v1/delivery_estimates/", &estimate, &[]);
    let fetch_estimate = FetchEstimateRequest {
        store_id: STORE.into(),
        deliver_by: ready_by,
        customer: FetchEstimateCustomer {
            address: full_customer().address,
            last_name: Some("鈴木".into()),
            first_name: Some("慶介".into()),
            phone: Some("03-9876-5432".into()),
            email: Some("abc@example.com".into()),
        },
        packages: vec![full_package()],
    };
    assert_matches_table(&doc, "POST/v1/fetch_estimates/", &fetch_estimate, &[]);
    let window = Window {
        id: "5db8a7e7-2052-45ed-9455-d7256fd5e77c".into(),
        starts_at: None,
        ends_at: "2026-11-25T00:00:00+09:00".into(),
        expires_at: "2026-11-23T09:40:00+09:00".into(),
    };
    let delivery = NewDelivery {
        pickup_comments: Some("集荷時は田中に声を掛けてください。".into()),
        destination_comments: Some(String::new()),
        until: NaiveTime::from_hms_opt(18, 0, 0),
        ..NewDelivery::from_estimate(estimate, &window, full_customer())
    };
    assert_matches_table(&doc, "POST/v1/deliveries/", &delivery, &[]);
    let fetch = NewFetch {
        pickup_comments: Some("インターホンで7603をコールしてください。".into()),
        destination_comments: Some(String::new()),
        after: NaiveTime::from_hms_opt(10, 0, 0),
        ..NewFetch::from_estimate(fetch_estimate, &window, full_customer())
    };
    // The fetch table has no business_name; its example sends one and fetches return it.
    assert_matches_table(
        &doc,
        "POST/v1/fetches/",
        &fetch,
        &[("customer", "business_name")],
    );
    let reserve = ReserveWindowRequest {
        store_id: STORE.into(),
        reserve_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        time_zone_id: zone(12),
    };
    assert_matches_table(&doc, "POST/v1/reserve_windows", &reserve, &[]);

    let update = DeliveryUpdate {
        customer: Some(full_customer()),
        packages: Some(vec![full_package()]),
        pickup_comments: Some(String::new()),
        destination_comments: Some(String::new()),
    };
    let sent: BTreeSet<String> = shape(&serde_json::to_value(&update).unwrap()).top;
    assert_eq!(
        sent,
        changeable(&doc),
        "PUT: the properties that may change while created"
    );
    assert_eq!(
        changeable(&doc).len(),
        4,
        "store_id, ready_by and delivery_window_id are fixed"
    );
}

// ---------------------------------------------------------------------------------------------
// Against the sandbox

const KEY: &str = "k_typed";
const STORE: &str = "5eed0000-0000-4000-8000-000000000001"; // 麻布十番
const NOW: &str = "2026-11-23T09:10:00+09:00";

struct Peer {
    _dir: tempfile::TempDir,
    server: RunningSandbox,
    client: DiaqClient,
}

async fn peer() -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let geo = Gazetteer::load(&Gazetteer::default_path())
        .unwrap_or_else(|e| panic!("{e}: run `make data` first"));
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        clock: Some(Arc::new(ManualClock::new(jst(NOW)))),
        geo: Some(Arc::new(geo)).into(),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    Peer {
        _dir: dir,
        server,
        client,
    }
}

/// The id of the hourly time zone starting at `hour`.
fn zone(hour: u32) -> String {
    time_zones()
        .into_iter()
        .find(|z| z.starts == hour && z.ends == hour + 1)
        .unwrap()
        .id
}

fn address() -> CustomerAddress {
    CustomerAddress {
        address_zipcode: "106-0044".into(),
        address_prefecture: "東京都".into(),
        address_line_1: "港区東麻布1-5-2".into(),
        address_line_2: Some("東麻布ビル9階".into()),
    }
}

fn customer() -> CustomerInput {
    CustomerInput {
        address: address(),
        last_name: "吉沢".into(),
        first_name: Some("健二".into()),
        phone: "03-1234-5678".into(),
        ..CustomerInput::default()
    }
}

fn packages() -> Vec<PackageInput> {
    vec![
        PackageInput {
            service_brand: "80サイズ".into(),
            name: Some("衣料".into()),
            boxes: 2,
            number: 1,
            ..PackageInput::default()
        },
        PackageInput {
            service_brand: "60サイズ".into(),
            order_reference: Some("x1234".into()),
            boxes: 2,
            number: 2,
            height: Some(60.5),
            attention: Some("割れ物".into()),
            ..PackageInput::default()
        },
    ]
}

fn anytime(windows: &[Window]) -> &Window {
    windows.iter().find(|w| w.starts_at.is_none()).unwrap()
}

fn timed(windows: &[Window]) -> &Window {
    windows.iter().find(|w| w.starts_at.is_some()).unwrap()
}

fn field_of<T: std::fmt::Debug>(result: Result<T, ClientError>) -> String {
    match result {
        Err(e @ ClientError::BadRequest { .. }) => e.field().unwrap_or_default().to_owned(),
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn a_typed_delivery_is_estimated_created_updated_and_canceled() {
    let p = peer().await;
    let now = jst(NOW);
    let request = DeliveryEstimateRequest {
        store_id: STORE.into(),
        ready_by: jst("2026-11-24T10:00:00+09:00"),
        customer: address(),
        packages: packages(),
    };
    assert_eq!(request.validate(now), Ok(()));
    let estimate = p.client.create_delivery_estimate(&request).await.unwrap();
    assert_eq!(estimate.ready_by, "2026-11-24T10:00:00+09:00");
    assert_eq!(estimate.customer.address_line_2, "東麻布ビル9階");
    assert_eq!(estimate.packages.len(), 2);

    // `until` with a TimeWindow: the type cannot know the window's kind, the server refuses it.
    let on_time = NewDelivery {
        until: NaiveTime::from_hms_opt(18, 0, 0),
        ..NewDelivery::from_estimate(
            request.clone(),
            timed(&estimate.delivery_windows),
            customer(),
        )
    };
    assert_eq!(
        on_time.validate(now),
        Ok(()),
        "a rule only the server can check"
    );
    assert_eq!(field_of(p.client.create_delivery(&on_time).await), "until");

    // validate() and the server name the same field.
    let window = anytime(&estimate.delivery_windows);
    let mut wrong = NewDelivery::from_estimate(request.clone(), window, customer());
    wrong.customer.phone = "0123-4567-8901".into();
    assert_eq!(wrong.validate(now).unwrap_err()[0].field, "customer.phone");
    assert_eq!(
        field_of(p.client.create_delivery(&wrong).await),
        "customer.phone"
    );

    let order = NewDelivery {
        pickup_comments: Some("集荷時は田中に声を掛けてください。".into()),
        until: NaiveTime::from_hms_opt(18, 0, 0),
        ..NewDelivery::from_estimate(request, window, customer())
    };
    assert_eq!(order.validate(now), Ok(()));
    let d = p.client.create_delivery(&order).await.unwrap();
    assert_eq!((d.object.as_str(), d.status), ("delivery", Status::Created));
    assert_eq!(&d.delivery_window, window);
    assert_eq!(d.until.as_deref(), Some("18:00"));
    assert_eq!(d.ready_by, "2026-11-24T10:00:00+09:00");
    assert_eq!(d.customer.last_name.as_deref(), Some("吉沢"));
    assert_eq!(d.customer.email, None, "not sent, not invented");
    assert_eq!(d.pickup_comments, "集荷時は田中に声を掛けてください。");
    assert_eq!(
        d.destination_comments, "",
        "not sent: the document's default"
    );
    assert_eq!(d.packages[1].height, 60.5);

    // Update: only what is sent changes; packages are replaced as a list.
    let update = DeliveryUpdate {
        destination_comments: Some("ゲートでは暗証番号1234を入力してください。".into()),
        packages: Some(d.packages.iter().take(1).map(PackageInput::from).collect()),
        ..DeliveryUpdate::default()
    };
    assert_eq!(update.validate(), Ok(()));
    let changed = p.client.update_delivery(&d.id, &update).await.unwrap();
    assert_eq!(
        changed.destination_comments,
        "ゲートでは暗証番号1234を入力してください。"
    );
    assert_eq!(changed.pickup_comments, d.pickup_comments);
    assert_eq!(changed.packages.len(), 1);
    assert_eq!(changed.customer, d.customer);

    let keyed = DeliveryUpdate {
        customer: Some(CustomerInput {
            email: Some("efg@example.co.jp".into()),
            ..customer()
        }),
        ..DeliveryUpdate::default()
    };
    let again = p
        .client
        .update_delivery_keyed(&d.id, &keyed, "typed-upd-1")
        .await
        .unwrap();
    assert_eq!(again.customer.email.as_deref(), Some("efg@example.co.jp"));

    p.client.cancel_delivery(&d.id).await.unwrap();
    let gone = p.client.get_delivery(&d.id).await.unwrap();
    assert_eq!(gone.status, Status::Canceled);
    p.server.shutdown().await;
}

#[tokio::test]
async fn a_typed_fetch_is_estimated_created_updated_and_canceled() {
    let p = peer().await;
    let now = jst(NOW);
    let request = FetchEstimateRequest {
        store_id: STORE.into(),
        deliver_by: jst("2026-11-24T18:00:00+09:00"),
        customer: address().into(),
        packages: packages(),
    };
    assert_eq!(request.validate(now), Ok(()));
    let estimate = p
        .client
        .create_fetch_estimate_keyed(&request, "typed-est-1")
        .await
        .unwrap();
    assert_eq!(estimate.deliver_by, "2026-11-24T18:00:00+09:00");

    let window = anytime(&estimate.fetch_windows);
    let order = NewFetch {
        pickup_comments: Some("インターホンで7603をコールしてください。".into()),
        after: NaiveTime::from_hms_opt(10, 0, 0),
        ..NewFetch::from_estimate(request, window, customer())
    };
    assert_eq!(order.validate(now), Ok(()));
    let f = p
        .client
        .create_fetch_keyed(&order, "typed-fetch-1")
        .await
        .unwrap();
    assert_eq!((f.object.as_str(), f.status), ("fetch", Status::Created));
    assert_eq!(&f.fetch_window, window);
    assert_eq!(f.after.as_deref(), Some("10:00"));
    assert_eq!(f.deliver_by, "2026-11-24T18:00:00+09:00");
    let replay = p
        .client
        .create_fetch_keyed(&order, "typed-fetch-1")
        .await
        .unwrap();
    assert_eq!(
        replay.id, f.id,
        "the same key answers the first fetch again"
    );

    let update = FetchUpdate {
        customer: Some(CustomerInput {
            business_name: Some("株式会社カンパニー".into()),
            ..customer()
        }),
        pickup_comments: Some(String::new()),
        ..FetchUpdate::default()
    };
    let changed = p.client.update_fetch(&f.id, &update).await.unwrap();
    assert_eq!(
        changed.customer.business_name.as_deref(),
        Some("株式会社カンパニー")
    );
    assert_eq!(changed.pickup_comments, "", "an empty string clears it");
    assert_eq!(changed.packages, f.packages);

    p.client.cancel_fetch(&f.id).await.unwrap();
    assert_eq!(
        p.client.get_fetch(&f.id).await.unwrap().status,
        Status::Canceled
    );
    p.server.shutdown().await;
}

#[tokio::test]
async fn a_typed_reserve_holds_the_chosen_slot_for_a_typed_delivery() {
    let p = peer().await;
    let reserve = ReserveWindowRequest {
        store_id: STORE.into(),
        reserve_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        time_zone_id: zone(12),
    };
    assert_eq!(reserve.validate(), Ok(()));
    let w = p.client.reserve_window_with(&reserve).await.unwrap();
    assert_eq!(w.starts_at.as_deref(), Some("2026-11-25T12:00:00+09:00"));
    assert_eq!(w.ends_at, "2026-11-25T13:00:00+09:00");

    let keyed = p
        .client
        .reserve_window_with_keyed(&reserve, "typed-res-1")
        .await
        .unwrap();
    let replay = p
        .client
        .reserve_window_with_keyed(&reserve, "typed-res-1")
        .await
        .unwrap();
    assert_eq!(keyed, replay, "one hold per key");
    assert_ne!(keyed.id, w.id);

    // The string form sends the same body.
    let by_strings = p
        .client
        .reserve_window(STORE, "2026-11-25", &zone(13))
        .await
        .unwrap();
    assert_eq!(
        by_strings.starts_at.as_deref(),
        Some("2026-11-25T13:00:00+09:00")
    );

    let estimate = DeliveryEstimateRequest {
        store_id: STORE.into(),
        ready_by: jst("2026-11-25T09:00:00+09:00"),
        customer: address(),
        packages: packages(),
    };
    let d = p
        .client
        .create_delivery_keyed(
            &NewDelivery::from_estimate(estimate, &w, customer()),
            "typed-new-1",
        )
        .await
        .unwrap();
    assert_eq!(d.delivery_window, w);

    // A value body still works, as the outbox sends it.
    let unknown_zone = json!({
        "store_id": STORE, "reserve_date": "2026-11-25", "time_zone_id": STORE,
    });
    assert_eq!(
        field_of(p.client.reserve_window_with(&unknown_zone).await),
        "time_zone_id"
    );
    p.server.shutdown().await;
}
