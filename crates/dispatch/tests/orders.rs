//! Deliveries and fetches synced from the real sandbox into a real cache file.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use hakobu_cache::{Cache, OrderFilter};
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Clock, Dispatch, ErrorCode, Mode, SystemClock};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{SandboxConfig, Seed};
use serde_json::{Value, json};

const KEY: &str = "k";
const STORE: &str = "5eed0000-0000-4000-8000-000000000003"; // 渋谷道玄坂

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

fn tomorrow_10() -> String {
    let t = hakobu_diaq::time::from_utc(Utc::now()) + chrono::Duration::days(1);
    format!("{}T10:00:00+09:00", t.format("%Y-%m-%d"))
}

async fn create(client: &DiaqClient, kind: &str, name: &str, reference: &str) -> Value {
    let base = if kind == "delivery" {
        "ready_by"
    } else {
        "deliver_by"
    };
    let mut body = json!({
        "store_id": STORE,
        base: tomorrow_10(),
        "customer": {"address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "address_line_2": "原宿ビル5F"},
        "packages": [{"service_brand": "60サイズ", "order_reference": reference, "name": "靴",
                      "boxes": 1, "number": 1}]
    });
    let window = if kind == "delivery" {
        client
            .create_delivery_estimate(&body)
            .await
            .unwrap()
            .delivery_windows[0]
            .id
            .clone()
    } else {
        client
            .create_fetch_estimate(&body)
            .await
            .unwrap()
            .fetch_windows[0]
            .id
            .clone()
    };
    body[if kind == "delivery" {
        "delivery_window_id"
    } else {
        "fetch_window_id"
    }] = json!(window);
    body["customer"]["last_name"] = json!(name);
    body["customer"]["first_name"] = json!("太郎");
    body["customer"]["phone"] = json!("090-1234-5678");
    if kind == "delivery" {
        serde_json::to_value(client.create_delivery(&body).await.unwrap()).unwrap()
    } else {
        serde_json::to_value(client.create_fetch(&body).await.unwrap()).unwrap()
    }
}

struct Later(DateTime<Utc>);
impl Clock for Later {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[tokio::test]
async fn orders_sync_into_the_cache_with_their_board_columns_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        geo: Some(geo()).into(),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let d1 = create(&client, "delivery", "吉沢", "AB12345678").await;
    let d2 = create(&client, "delivery", "佐藤", "").await;
    let f1 = create(&client, "fetch", "山田", "RET-001").await;

    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let dispatch = Dispatch::new(
        client.clone(),
        cache.clone(),
        Mode::Sandbox,
        Arc::new(SystemClock),
        Some(geo()),
    )
    .unwrap();
    let report = dispatch.sync_orders(true).await.unwrap();
    assert_eq!(
        (report.deliveries, report.fetches, report.scope),
        (2, 1, "full")
    );

    let all = dispatch.list_orders(&OrderFilter::default()).unwrap();
    assert_eq!(all.len(), 3);
    let row = all.iter().find(|o| o.id == d1["id"]).unwrap();
    assert_eq!(row.kind, "delivery");
    assert_eq!(row.status, "created");
    assert_eq!(row.customer_name, "吉沢 太郎");
    assert_eq!(row.customer_address, "東京都渋谷区神宮前1-19-11 原宿ビル5F");
    assert_eq!(row.window_date, &tomorrow_10()[..10]);
    assert_eq!(row.order_refs, vec!["AB12345678"]);
    assert!(
        (row.customer_lat.unwrap() - 35.67).abs() < 0.01,
        "神宮前一丁目"
    );
    assert_eq!(row.body["tracking_code"], d1["tracking_code"]);

    let search = |q: &str| {
        dispatch
            .list_orders(&OrderFilter {
                search: Some(q.into()),
                ..OrderFilter::default()
            })
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(search("吉沢 太"), vec![d1["id"].as_str().unwrap()]);
    assert_eq!(search("RET-001"), vec![f1["id"].as_str().unwrap()]);
    assert_eq!(
        search(d2["tracking_code"].as_str().unwrap()),
        vec![d2["id"].as_str().unwrap()]
    );

    // A driver takes one: the recent-window sync picks up the change.
    client
        .sandbox_advance("deliveries", d2["id"].as_str().unwrap())
        .await
        .unwrap();
    let report = dispatch.sync_orders(false).await.unwrap();
    assert_eq!(report.scope, "recent");
    let counts = dispatch.order_counts("delivery", None).unwrap();
    assert_eq!(counts, vec![("assigned".into(), 1), ("created".into(), 1)]);

    // Two weeks on, a recent sync no longer reads these windows but keeps them cached.
    let later = Dispatch::new(
        client,
        cache,
        Mode::Sandbox,
        Arc::new(Later(Utc::now() + chrono::Duration::days(14))),
        Some(geo()),
    )
    .unwrap();
    let report = later.sync_orders(false).await.unwrap();
    assert_eq!((report.deliveries, report.fetches), (0, 0));
    assert_eq!(later.list_orders(&OrderFilter::default()).unwrap().len(), 3);

    server.shutdown().await;
    let e = later.sync_orders(true).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    assert_eq!(
        later.list_orders(&OrderFilter::default()).unwrap().len(),
        3,
        "offline reads"
    );
}
