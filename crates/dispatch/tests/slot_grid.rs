//! The 枠カレンダー against the real sandbox (port 0) with one job per hourly slot, so slots
//! sell out: estimates and reservations through the outbox show as held and sold out, a
//! delivery created on a hold shows as booked, and holds lapse with the injected clock.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hakobu_cache::{Cache, SlotGrid};
use hakobu_diaq::time::parse;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Dispatch, Mode, OrderKind, Target, WindowChoice, Write, Written};
use hakobu_sandbox::{CapacityConfig, Clock as _, ManualClock, SandboxConfig, Seed};
use serde_json::{Value, json};

const KEY: &str = "k";
/// A seeded Tokyo demo store.
const SHIBUYA: &str = "5eed0000-0000-4000-8000-000000000003";
/// The document's 15時〜16時 zone.
const ZONE_15: &str = "96823b8f-0df6-4c24-9b50-8eeadd6e21e6";
/// "Today" for both the sandbox and the app: a Monday morning, Japan time.
const NOW: &str = "2030-01-14T09:00:00+09:00";

/// The sandbox's clock, read by the app too: both agree on "now".
struct Shared(Arc<ManualClock>);

impl hakobu_dispatch::Clock for Shared {
    fn now(&self) -> DateTime<Utc> {
        self.0.now().with_timezone(&Utc)
    }
}

fn at(day: u32, hour: u32) -> String {
    format!("2030-01-{day:02}T{hour:02}:00:00+09:00")
}

fn body(reference: &str) -> Value {
    json!({
        "store_id": SHIBUYA,
        "ready_by": at(15, 10),
        "customer": {"last_name": "吉沢", "first_name": "太郎", "phone": "090-1234-5678",
                     "address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "address_line_2": "原宿ビル5F"},
        "packages": [{"service_brand": "60サイズ", "order_reference": reference, "name": "靴",
                      "boxes": 1, "number": 1}]
    })
}

fn applied(w: Written<hakobu_cache::OutboxRow>) -> Value {
    match w {
        Written::Applied { value, .. } => value.response.expect("an acked row keeps its answer"),
        queued => panic!("not applied: {queued:?}"),
    }
}

/// The cell of `2030-01-{day}` at `hour` (grids here start on the 14th).
fn cell(g: &SlotGrid, day: u32, hour: u32) -> &hakobu_cache::SlotCell {
    let d = &g.days[usize::try_from(day - 14).unwrap()];
    d.cells
        .iter()
        .find(|c| c.starts_at == at(day, hour))
        .expect("every hour 6–23 has a cell")
}

#[tokio::test]
async fn estimates_and_reservations_show_as_held_sold_out_then_booked_and_lapse() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(parse(NOW).unwrap()));
    let sandbox = hakobu_sandbox::start(
        &SandboxConfig {
            db_path: dir.path().join("sandbox.db"),
            api_key: KEY.into(),
            seed: Some(Seed::Tokyo),
            capacity: CapacityConfig {
                per_hour: 1,
                ..CapacityConfig::default()
            },
            clock: Some(clock.clone()),
            ..SandboxConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let url = format!("http://{}", sandbox.addr());
    let d = Dispatch::new(
        DiaqClient::new(&url, KEY).unwrap(),
        Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap()),
        Mode::Sandbox,
        Arc::new(Shared(clock.clone())),
        None,
    )
    .unwrap();
    d.sync_stores().await.unwrap();
    let start = NaiveDate::from_ymd_opt(2030, 1, 14).unwrap();

    // Someone else (another app, straight to the API) holds 11時 and 12時 tomorrow.
    let other = DiaqClient::new(&url, KEY).unwrap();
    for _ in 0..2 {
        other
            .create_delivery_estimate(&body("other"))
            .await
            .unwrap();
    }

    // Our estimate through the outbox holds 13時 and the anytime window of tomorrow.
    let estimate = applied(
        d.enqueue_write(Write::Estimate {
            kind: OrderKind::Delivery,
            body: body("ours"),
        })
        .await
        .unwrap(),
    );
    let windows = estimate["delivery_windows"].as_array().unwrap();
    assert_eq!(windows[0]["starts_at"], json!(at(15, 13)));
    let time_hold = windows[0]["id"].as_str().unwrap().to_owned();
    let anytime_hold = windows[1]["id"].as_str().unwrap().to_owned();

    let g = d.slot_grid(SHIBUYA, start).unwrap();
    assert_eq!((g.days.len(), g.columns.len()), (14, 18));
    for hour in [11, 12] {
        let c = cell(&g, 15, hour);
        assert!(c.sold_out && c.held == 0, "{hour}時: {c:?}");
        assert_eq!(c.known_as_of.as_deref(), Some(NOW));
    }
    let ours = cell(&g, 15, 13);
    assert!(ours.sold_out, "one job per hour: our hold fills it");
    assert_eq!(ours.hold_ids, std::slice::from_ref(&time_hold));
    assert_eq!(
        ours.held_expires_at.as_deref(),
        Some("2030-01-14T09:30:00+09:00")
    );
    let free = cell(&g, 15, 14);
    assert!(!free.sold_out && free.held == 0 && !free.stale);
    assert_eq!(
        free.known_as_of.as_deref(),
        Some(NOW),
        "in the answer's range and not listed: known to have room"
    );
    assert_eq!(
        cell(&g, 15, 10).known_as_of,
        None,
        "before the earliest candidate"
    );
    assert!(cell(&g, 14, 9).past && !cell(&g, 14, 10).past);
    assert!(cell(&g, 15, 6).extra_charge && !cell(&g, 15, 13).extra_charge);
    assert_eq!(g.days[1].anytime.hold_ids, [anytime_hold]);

    // A reservation through the outbox: 15時 the day after tomorrow.
    let reserved = applied(
        d.enqueue_write(Write::ReserveWindow {
            store_id: Target::Id(SHIBUYA.into()),
            reserve_date: "2030-01-16".into(),
            time_zone_id: ZONE_15.into(),
        })
        .await
        .unwrap(),
    );
    let g = d.slot_grid(SHIBUYA, start).unwrap();
    assert_eq!(
        cell(&g, 16, 15).hold_ids,
        [reserved["id"].as_str().unwrap().to_owned()]
    );
    assert!(
        !cell(&g, 16, 15).sold_out,
        "a reservation says nothing of what is sold out"
    );

    // A delivery created on our 13時 hold: booked, no longer held.
    let mut create = body("ours");
    create["delivery_window_id"] = json!(time_hold);
    let created = applied(
        d.enqueue_write(Write::CreateDelivery {
            body: create,
            window: WindowChoice::Given,
        })
        .await
        .unwrap(),
    );
    assert_eq!(created["delivery_window"]["id"], json!(time_hold));
    let g = d.slot_grid(SHIBUYA, start).unwrap();
    let booked = cell(&g, 15, 13);
    assert_eq!((booked.booked, booked.held), (1, 0), "{booked:?}");
    assert!(booked.hold_ids.is_empty());

    // Half an hour on, the holds have lapsed and what the estimate said is stale.
    clock.advance(Duration::minutes(30));
    let g = d.slot_grid(SHIBUYA, start).unwrap();
    assert_eq!(g.days[1].anytime.held, 0, "expired at now");
    assert_eq!(cell(&g, 16, 15).held, 0);
    assert_eq!(cell(&g, 15, 13).booked, 1, "a booking does not lapse");
    assert!(cell(&g, 15, 11).sold_out && cell(&g, 15, 11).stale);
    clock.advance(Duration::minutes(1));

    // A new estimate replaces what the first said from its earliest slot on: the others'
    // holds have lapsed, so 11時 is free again and becomes our hold.
    let again = applied(
        d.enqueue_write(Write::Estimate {
            kind: OrderKind::Delivery,
            body: body("ours-2"),
        })
        .await
        .unwrap(),
    );
    assert_eq!(again["delivery_windows"][0]["starts_at"], json!(at(15, 11)));
    let g = d.slot_grid(SHIBUYA, start).unwrap();
    let eleven = cell(&g, 15, 11);
    assert_eq!(eleven.held, 1);
    assert!(!eleven.stale);
    assert!(!cell(&g, 15, 12).sold_out, "the other hold lapsed");
    assert!(cell(&g, 15, 13).sold_out, "our delivery fills 13時");

    // A create written offline estimates when it is sent: that estimate is recorded too, its
    // TimeWindow used by the delivery, its AnytimeWindow held.
    let created = applied(
        d.enqueue_write(Write::CreateDelivery {
            body: body("ours-3"),
            window: WindowChoice::Earliest,
        })
        .await
        .unwrap(),
    );
    assert_eq!(created["delivery_window"]["starts_at"], json!(at(15, 12)));
    let g = d.slot_grid(SHIBUYA, start).unwrap();
    let twelve = cell(&g, 15, 12);
    assert!(
        twelve.sold_out && twelve.booked == 1 && twelve.held == 0,
        "{twelve:?}"
    );
    assert_eq!(
        g.days[1].anytime.held, 2,
        "the two live estimates' AnytimeWindows"
    );
    sandbox.shutdown().await;
}
