//! A demo day for the embedded default (`Seed::TokyoDay`): deliveries and fetches from the
//! twelve demo stores to real Tokyo addresses, made through the same estimate → hold → order
//! path as any client's, some already under way. Loaded once, into a sandbox without orders.

use hakobu_diaq::Purpose;
use serde_json::json;

use crate::error::AppError;
use crate::{Sandbox, estimates, orders, reserve, simulate};

/// Four customer addresses near each demo store, in the stores' order (S0001 … S0012).
const ADDRESSES: [[&str; 4]; 12] = [
    [
        "港区六本木6-10-1",
        "港区南麻布4-5-48",
        "港区元麻布3-1-35",
        "港区東麻布1-5-2",
    ],
    [
        "新宿区西新宿6-5-1",
        "新宿区北新宿2-21-1",
        "新宿区新宿3-38-1",
        "新宿区百人町1-10-15",
    ],
    [
        "渋谷区神南1-19-11",
        "渋谷区宇田川町21-1",
        "渋谷区松濤1-29-1",
        "渋谷区桜丘町26-1",
    ],
    [
        "豊島区南池袋1-28-1",
        "豊島区西池袋3-26-1",
        "豊島区目白3-4-11",
        "豊島区巣鴨2-11-4",
    ],
    [
        "中央区銀座8-9-11",
        "中央区築地4-16-2",
        "中央区日本橋2-4-1",
        "中央区月島3-8-10",
    ],
    [
        "台東区上野公園7-20",
        "台東区浅草2-3-1",
        "台東区谷中7-18-16",
        "台東区元浅草2-6-6",
    ],
    [
        "武蔵野市吉祥寺南町1-1-24",
        "武蔵野市御殿山1-7-6",
        "武蔵野市中町1-11-5",
        "三鷹市下連雀3-46-1",
    ],
    [
        "世田谷区玉川3-17-1",
        "世田谷区瀬田1-14-1",
        "世田谷区上野毛3-1-1",
        "世田谷区奥沢5-27-5",
    ],
    [
        "江東区豊洲6-5-1",
        "江東区有明3-11-1",
        "江東区東雲1-9-10",
        "江東区枝川2-1-1",
    ],
    [
        "足立区千住旭町40-1",
        "足立区柳原1-1-1",
        "荒川区南千住4-7-1",
        "足立区梅田7-33-1",
    ],
    [
        "目黒区中目黒3-1-5",
        "目黒区青葉台1-24-3",
        "目黒区祐天寺2-8-3",
        "目黒区目黒1-4-16",
    ],
    [
        "千代田区神田須田町1-17",
        "千代田区外神田3-16-17",
        "文京区湯島3-21-4",
        "千代田区岩本町3-11-8",
    ],
];
const ZIPCODES: [&str; 12] = [
    "106-0032", "160-0023", "150-0041", "171-0022", "104-0061", "110-0007", "180-0003", "158-0094",
    "135-0061", "120-0026", "153-0051", "101-0041",
];
const SURNAMES: [&str; 12] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
];
const GIVEN: [&str; 8] = ["陽菜", "蓮", "結衣", "大翔", "美咲", "悠真", "さくら", "湊"];
const ITEMS: [&str; 5] = ["衣料", "雑貨", "書籍", "食器", "靴"];
const SIZES: [&str; 5] = [
    "60サイズ",
    "80サイズ",
    "ポスト投函サイズ",
    "100サイズ",
    "80サイズ",
];
/// How far each order has already gone (steps along the lifecycle), to give the board variety.
const PROGRESS: [usize; 8] = [0, 0, 1, 0, 2, 4, 0, 6];

/// Loads the demo day unless the sandbox already has orders.
pub(crate) fn seed_day(sb: &Sandbox) -> Result<(), AppError> {
    let existing: i64 =
        sb.with_db(|db| db.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0)))?;
    if existing > 0 {
        return Ok(());
    }
    let ready_by = hakobu_diaq::time::format(sb.now() + chrono::Duration::minutes(30));
    for (s, addresses) in ADDRESSES.iter().enumerate() {
        let store_id = format!("5eed0000-0000-4000-8000-{:012}", s + 1);
        for (a, line_1) in addresses.iter().enumerate() {
            let i = s * 4 + a;
            let purpose = if i % 6 == 5 {
                Purpose::Fetch
            } else {
                Purpose::Delivery
            };
            let (base, window_key, windows_key) = match purpose {
                Purpose::Delivery => ("ready_by", "delivery_window_id", "delivery_windows"),
                Purpose::Fetch => ("deliver_by", "fetch_window_id", "fetch_windows"),
            };
            let mut body = json!({
                "store_id": store_id,
                base: ready_by,
                "customer": {
                    "address_zipcode": ZIPCODES[s],
                    "address_prefecture": "東京都",
                    "address_line_1": line_1,
                    "address_line_2": if a % 2 == 0 { format!("{}0{}号室", a + 2, a + 1) } else { String::new() },
                },
                "packages": [{
                    "service_brand": SIZES[i % SIZES.len()],
                    "order_reference": format!("EC{:08}", 20_261_100 + i * 37),
                    "name": ITEMS[i % ITEMS.len()],
                    "boxes": 1 + i % 2,
                    "number": 1
                }]
            });
            let estimate = match estimates::create(sb, purpose, body.to_string().as_bytes()) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!("demo order {i} skipped: {e}");
                    continue;
                }
            };
            // Every fourth customer chose 時間指定なし; the others a window spread over the
            // afternoon and evening after the earliest one (as customers pick), where there is room.
            let window = if i % 4 == 3 {
                estimate[windows_key][1]["id"].clone()
            } else {
                later_window(sb, &store_id, &estimate[windows_key][0], i % 5)
                    .unwrap_or_else(|| estimate[windows_key][0]["id"].clone())
            };
            body[window_key] = window;
            let c = &mut body["customer"];
            c["last_name"] = json!(SURNAMES[s]);
            c["first_name"] = json!(GIVEN[i % GIVEN.len()]);
            c["phone"] = json!(format!(
                "090-{:04}-{:04}",
                1000 + i * 73 % 9000,
                2000 + i * 311 % 8000
            ));
            let order = orders::create(sb, purpose, body.to_string().as_bytes())?;
            let id = order["id"].as_str().unwrap_or_default().to_owned();
            for _ in 0..PROGRESS[i % PROGRESS.len()] {
                simulate::advance_job(sb, purpose, &id, None, None)?;
            }
        }
    }
    Ok(())
}

/// A hold `hours_later` hours after `earliest` (a TimeWindow object) on the same day, if that
/// slot exists and has room.
fn later_window(
    sb: &Sandbox,
    store_id: &str,
    earliest: &serde_json::Value,
    hours_later: usize,
) -> Option<serde_json::Value> {
    let start = hakobu_diaq::time::parse(earliest["starts_at"].as_str()?)?;
    let at = start + chrono::Duration::hours(i64::try_from(hours_later).ok()?);
    if at.date_naive() != start.date_naive() {
        return None;
    }
    let slot = hakobu_diaq::Slot::time(at.date_naive(), chrono::Timelike::hour(&at));
    let body = json!({
        "store_id": store_id,
        "reserve_date": at.format("%Y-%m-%d").to_string(),
        "time_zone_id": slot.time_zone_id(),
    });
    reserve::hold(sb, body.to_string().as_bytes())
        .ok()
        .map(|w| json!(w.id))
}
