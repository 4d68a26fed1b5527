//! Fills an app cache file with synthetic orders for the UI benchmark (tests/e2e/bench/):
//! `bench-cache DB_FILE SOURCE_URL TOTAL DAY DAY_ORDERS`.
//!
//! DAY_ORDERS orders fall on DAY (the board's busy day), the rest of TOTAL over the 13 days
//! after it; statuses, kinds, stores, drivers and late windows are spread as a real day's are.
//! The file is marked as filled from SOURCE_URL, so an app pointed at that URL (with nothing
//! listening there) opens it as its own cache, offline, and never replaces it by a sync.

use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate};
use hakobu_cache::{Cache, CachedOrder};
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Dispatch, Mode, SystemClock};
use serde_json::json;

const LAST_NAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
];
const FIRST_NAMES: &[&str] = &["太郎", "花子", "健", "美咲", "翔太", "陽菜", "大輔", "結衣"];
const TOWNS: &[&str] = &[
    "港区東麻布1-5-2",
    "渋谷区神宮前1-19-11",
    "新宿区西新宿2-8-1",
    "中央区銀座4-6-16",
    "文京区本郷7-3-1",
    "江東区青海1-1-10",
    "品川区上大崎2-16-9",
    "目黒区下目黒1-8-1",
    "世田谷区太子堂4-1-1",
    "豊島区東池袋1-1-25",
];
/// A day's mix: most orders waiting or under way, some done, a few canceled or returned.
const STATUSES: &[&str] = &[
    "created",
    "created",
    "assigned",
    "collecting",
    "arrived_origin",
    "delivering",
    "delivering",
    "arrived_goal",
    "delivered",
    "delivered",
    "delivered",
    "canceled",
    "returning",
    "returned",
];

fn order(i: usize, date: NaiveDate) -> CachedOrder {
    let hour = 8 + (i / 3) % 14;
    let day = date.format("%Y-%m-%d").to_string();
    let status = STATUSES[(i * 7) % STATUSES.len()];
    let kind = if i.is_multiple_of(9) {
        "fetch"
    } else {
        "delivery"
    };
    let name = format!(
        "{} {}",
        LAST_NAMES[i % LAST_NAMES.len()],
        FIRST_NAMES[(i / 5) % FIRST_NAMES.len()]
    );
    let phone = format!("090-{:04}-{:04}", (i * 7919) % 10_000, i % 10_000);
    let tracking = format!("{:012}", 200_000_000_000u64 + i as u64 * 13);
    let reference = format!("UIB-{i:07}");
    let id = format!("uibench-{i:08}");
    let driver = (status != "created" && status != "canceled")
        .then(|| json!({"id": 1000 + i % 60, "name": format!("ドライバー{:02}", i % 60)}));
    let body = json!({
        "id": id, "tracking_code": tracking, "status": status, "driver": driver,
        "customer": {"address_prefecture": "東京都", "address_line_1": TOWNS[i % TOWNS.len()],
                     "phone": phone, "last_name": LAST_NAMES[i % LAST_NAMES.len()]},
        "packages": [{"order_reference": reference, "name": "衣料", "boxes": 1, "number": 1, "price": "880"}]
    });
    CachedOrder {
        id,
        kind: kind.into(),
        store_id: format!("5eed0000-0000-4000-8000-{:012}", i % 12 + 1),
        status: status.into(),
        tracking_code: tracking,
        window_starts_at: Some(format!("{day}T{hour:02}:00:00+09:00")),
        window_ends_at: format!("{day}T{:02}:00:00+09:00", hour + 1),
        window_date: day,
        customer_name: name,
        customer_phone: phone,
        customer_address: format!("東京都{} {}号室", TOWNS[i % TOWNS.len()], 100 + i % 900),
        order_refs: vec![reference],
        customer_lat: Some(35.6 + (i % 100) as f64 * 0.001),
        customer_lng: Some(139.7 + (i % 97) as f64 * 0.001),
        api_update: "2026-12-07T09:00:00+09:00".into(),
        body,
        fetched_at: "2026-12-07T09:00:00+09:00".into(),
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, source, total, day, day_orders] = args.as_slice() else {
        bail!("usage: bench-cache DB_FILE SOURCE_URL TOTAL DAY DAY_ORDERS");
    };
    let total: usize = total.parse().context("TOTAL")?;
    let day_orders: usize = day_orders.parse().context("DAY_ORDERS")?;
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").context("DAY")?;
    if let Some(dir) = std::path::Path::new(db).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let cache = Arc::new(Cache::open(db.as_ref())?);
    // Opening a Dispatch for the URL marks the file as that source's (and empties it).
    let client = DiaqClient::new(source, "bench")?;
    Dispatch::new(
        client,
        cache.clone(),
        Mode::Remote,
        Arc::new(SystemClock),
        None,
    )?;
    let orders: Vec<CachedOrder> = (0..total)
        .map(|i| {
            let date = if i < day_orders {
                day
            } else {
                day + Duration::days(1 + (i % 13) as i64)
            };
            order(i, date)
        })
        .collect();
    let (deliveries, fetches): (Vec<_>, Vec<_>) =
        orders.into_iter().partition(|o| o.kind == "delivery");
    cache.replace_orders("delivery", &deliveries)?;
    cache.replace_orders("fetch", &fetches)?;
    println!(
        "{} deliveries and {} fetches in {db} ({day_orders} on {day})",
        deliveries.len(),
        fetches.len()
    );
    Ok(())
}
