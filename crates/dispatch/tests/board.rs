//! The board's reads against the real sandbox (port 0) and a real cache file: the demo day
//! synced, then the board, the list and the late counts checked against each other and against
//! the late-risk rule at fixed times; sorts and the hour filter; a create written offline on
//! the board; the status history as drivers move; the refusals that name their field.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hakobu_cache::{Cache, LateFilter, OrderSort, OrderSortKey};
use hakobu_diaq::{LateLevel, Status, late_risk};
use hakobu_diaq_client::{DiaqClient, RetryPolicy};
use hakobu_dispatch::{
    BoardQuery, Clock, Dispatch, ErrorCode, Mode, OrderKind, OrderQuery, OrderRow, SystemClock,
    Target, WindowChoice, Write, Written,
};
use hakobu_sandbox::{ManualClock, RunningSandbox, SandboxConfig, Seed};
use serde_json::json;

const KEY: &str = "k_board";
const SHIBUYA: &str = "5eed0000-0000-4000-8000-000000000003";

/// A clock the test moves.
struct SetClock(Mutex<DateTime<Utc>>);

impl SetClock {
    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Clock for SetClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn jst(s: &str) -> DateTime<Utc> {
    hakobu_diaq::time::parse(s).unwrap().with_timezone(&Utc)
}

/// 09:00 on a fixed day: the demo day's windows run from late morning to midnight.
const DAY: &str = "2026-11-24";

fn quick_client(url: &str) -> DiaqClient {
    DiaqClient::new(url, KEY).unwrap().with_retry(RetryPolicy {
        max_attempts: 1,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    })
}

/// The demo day on a sandbox whose clock stands at 09:00, synced into a fresh cache whose
/// clock the test sets.
async fn demo_day(dir: &tempfile::TempDir) -> (RunningSandbox, Dispatch, Arc<SetClock>) {
    let nine = hakobu_diaq::time::parse(&format!("{DAY}T09:00:00+09:00")).unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::TokyoDay),
        clock: Some(Arc::new(ManualClock::new(nine))),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let clock = Arc::new(SetClock(Mutex::new(nine.with_timezone(&Utc))));
    let dispatch = Dispatch::new(
        quick_client(&server.base_url()),
        Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap()),
        Mode::Sandbox,
        clock.clone(),
        None,
    )
    .unwrap();
    dispatch.sync_stores().await.unwrap();
    dispatch.sync_orders(true).await.unwrap();
    (server, dispatch, clock)
}

fn everything() -> OrderQuery {
    OrderQuery {
        limit: 1000,
        ..OrderQuery::default()
    }
}

fn ids(rows: &[OrderRow]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

#[tokio::test]
async fn board_list_and_late_counts_agree_with_each_other_and_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (server, d, clock) = demo_day(&dir).await;
    let all = d.order_page(&everything()).unwrap();
    assert!(all.total >= 40, "the demo day: {}", all.total);
    assert_eq!(all.rows.len() as u64, all.total);
    let statuses: BTreeSet<u8> = all.rows.iter().map(|r| r.status.code()).collect();
    assert!(statuses.len() >= 4, "the demo day's variety: {statuses:?}");

    // Through the day: before the windows, inside them, after most, after midnight.
    let mut seen = Vec::new();
    for now in ["09:00:00", "12:30:00", "15:00:00", "18:59:59", "23:30:00"]
        .map(|t| jst(&format!("{DAY}T{t}+09:00")))
        .into_iter()
        .chain([jst("2026-11-25T00:00:01+09:00")])
    {
        clock.set(now);
        let all = d.order_page(&everything()).unwrap();
        // Each row's late risk is the rule's for its status and window end.
        for row in &all.rows {
            let ends = hakobu_diaq::time::parse(&row.window_ends_at).unwrap();
            assert_eq!(
                row.late,
                late_risk(row.status, ends, now),
                "{row:?} at {now}"
            );
            assert_eq!(row.cancel_to, row.status.canceled());
        }
        let keeping = |levels: &[LateLevel]| -> Vec<String> {
            all.rows
                .iter()
                .filter(|r| levels.contains(&r.late.level))
                .map(|r| r.id.clone())
                .collect()
        };
        let filtered = |late| {
            let page = d
                .order_page(&OrderQuery {
                    late,
                    ..everything()
                })
                .unwrap();
            assert_eq!(page.rows.len() as u64, page.total);
            ids(&page.rows)
        };
        let at_risk_or_late = keeping(&[LateLevel::AtRisk, LateLevel::Late]);
        let late = keeping(&[LateLevel::Late]);
        assert_eq!(filtered(LateFilter::AtRiskOrLate), at_risk_or_late, "{now}");
        assert_eq!(filtered(LateFilter::Late), late, "{now}");
        let summary = d.late_summary().unwrap();
        seen.push(summary);
        assert_eq!(
            (summary.at_risk, summary.late),
            (
                (at_risk_or_late.len() - late.len()) as u64,
                late.len() as u64
            ),
            "{now}"
        );

        // The board: every status, in lifecycle order, counts equal to the list's totals.
        let board = d.board(&BoardQuery::default()).unwrap();
        assert_eq!(
            board.columns.iter().map(|c| c.status).collect::<Vec<_>>(),
            Status::ALL
        );
        for column in &board.columns {
            let list = d
                .order_page(&OrderQuery {
                    statuses: vec![column.status],
                    ..everything()
                })
                .unwrap();
            assert_eq!(column.count, list.total, "{:?}", column.status);
            assert_eq!(ids(&column.cards), ids(&list.rows), "window order");
        }
        assert_eq!(board.total, all.total);
        assert_eq!(board.late, summary);
        // The list's chips: the same counts, no cards.
        let counts = d.board_counts(&BoardQuery::default()).unwrap();
        assert!(counts.columns.iter().all(|c| c.cards.is_empty()));
        assert_eq!(
            counts
                .columns
                .iter()
                .map(|c| (c.status, c.count))
                .collect::<Vec<_>>(),
            board
                .columns
                .iter()
                .map(|c| (c.status, c.count))
                .collect::<Vec<_>>()
        );
        assert_eq!((counts.total, counts.late), (board.total, board.late));
        let late_board = d
            .board(&BoardQuery {
                late: LateFilter::Late,
                ..BoardQuery::default()
            })
            .unwrap();
        assert_eq!(late_board.total, late.len() as u64);
        assert_eq!(
            late_board.late, summary,
            "the header counts ignore the filter"
        );
    }
    assert!(seen.iter().any(|s| s.at_risk > 0), "{seen:?}");
    assert!(seen.iter().any(|s| s.late > 0 && s.at_risk > 0), "{seen:?}");
    assert_eq!(seen[0].late, 0, "nothing is late at 09:00");
    // Past midnight every job of the day not yet handed over is late.
    let open = d
        .order_page(&OrderQuery {
            statuses: vec![Status::Created, Status::Assigned, Status::Delivering],
            window_date: Some(DAY.into()),
            ..everything()
        })
        .unwrap();
    assert!(open.total > 0);
    assert!(open.rows.iter().all(|r| r.late.level == LateLevel::Late));
    server.shutdown().await;
}

#[tokio::test]
async fn lists_sort_by_each_key_filter_by_hour_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let (server, d, _clock) = demo_day(&dir).await;
    let all = d.order_page(&everything()).unwrap().rows;
    let sorted = |key, descending| {
        d.order_page(&OrderQuery {
            sort: OrderSort { key, descending },
            ..everything()
        })
        .unwrap()
        .rows
    };
    // Each key orders what it says, ties by window then tracking code.
    let window_key = |r: &OrderRow| {
        (
            r.window_date.clone(),
            r.window_starts_at.is_none(),
            r.window_starts_at.clone(),
            r.tracking_code.clone(),
        )
    };
    let check = |key, f: &dyn Fn(&OrderRow, &OrderRow) -> std::cmp::Ordering| {
        let rows = sorted(key, false);
        assert_eq!(rows.len(), all.len());
        for pair in rows.windows(2) {
            assert_ne!(
                f(&pair[0], &pair[1]),
                std::cmp::Ordering::Greater,
                "{key:?}: {} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        let mut reversed = sorted(key, true);
        reversed.reverse();
        assert_eq!(ids(&reversed), ids(&rows), "{key:?} descending");
    };
    check(OrderSortKey::Window, &|a, b| {
        window_key(a).cmp(&window_key(b))
    });
    check(OrderSortKey::TrackingCode, &|a, b| {
        a.tracking_code.cmp(&b.tracking_code)
    });
    check(OrderSortKey::Customer, &|a, b| {
        (&a.customer_name, window_key(a)).cmp(&(&b.customer_name, window_key(b)))
    });
    check(OrderSortKey::Store, &|a, b| {
        (&a.store_name, window_key(a)).cmp(&(&b.store_name, window_key(b)))
    });
    check(OrderSortKey::Status, &|a, b| {
        (a.status.code(), window_key(a)).cmp(&(b.status.code(), window_key(b)))
    });
    assert!(all.iter().all(|r| !r.store_name.is_empty()), "store names");

    // Pages are slices of the whole.
    let page = d
        .order_page(&OrderQuery {
            offset: 10,
            limit: 7,
            sort: OrderSort {
                key: OrderSortKey::TrackingCode,
                descending: false,
            },
            ..everything()
        })
        .unwrap();
    let whole = sorted(OrderSortKey::TrackingCode, false);
    assert_eq!(ids(&page.rows), ids(&whole[10..17]));
    assert_eq!((page.total, page.offset), (whole.len() as u64, 10));

    // Hours: windows starting in that hour (Japan time); anytime windows in none.
    let mut seen = 0;
    for hour in 0..24u8 {
        let rows = d
            .order_page(&OrderQuery {
                window_hour: Some(hour),
                ..everything()
            })
            .unwrap()
            .rows;
        let want: Vec<&OrderRow> = all
            .iter()
            .filter(|r| {
                r.window_starts_at
                    .as_deref()
                    .is_some_and(|s| s[11..13] == format!("{hour:02}"))
            })
            .collect();
        assert_eq!(rows.len(), want.len(), "{hour}時");
        assert!(rows.iter().all(|r| r.window_starts_at.is_some()));
        seen += rows.len();
    }
    let anytime = all.iter().filter(|r| r.window_starts_at.is_none()).count();
    assert!(anytime > 0, "the demo day has anytime windows");
    assert_eq!(seen + anytime, all.len());

    // Keys: every match, in the asked order.
    let keys = d
        .order_keys(&OrderQuery {
            kind: Some(OrderKind::Fetch),
            sort: OrderSort {
                key: OrderSortKey::TrackingCode,
                descending: true,
            },
            ..OrderQuery::default()
        })
        .unwrap();
    let fetches: Vec<&OrderRow> = whole
        .iter()
        .rev()
        .filter(|r| r.kind == OrderKind::Fetch)
        .collect();
    assert!(!fetches.is_empty());
    assert_eq!(
        keys.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
        fetches.iter().map(|r| r.id.clone()).collect::<Vec<_>>()
    );
    assert!(keys.iter().all(|k| k.kind == OrderKind::Fetch));
    server.shutdown().await;
}

#[tokio::test]
async fn refusals_name_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let (server, d, _clock) = demo_day(&dir).await;
    let e = d
        .order_page(&OrderQuery {
            limit: 1001,
            ..OrderQuery::default()
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("limit"))
    );
    let e = d
        .board(&BoardQuery {
            window_hour: Some(24),
            ..BoardQuery::default()
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("window_hour"))
    );
    let e = d
        .order_keys(&OrderQuery {
            window_date: Some("24/11/2026".into()),
            ..OrderQuery::default()
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("window_date"));
    for id in ["no-such-order", "outbox:no-such-write"] {
        let e = d.order_detail(OrderKind::Delivery, id).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::NotFound, Some("id")),
            "{id}"
        );
    }
    // An order asked for as the other kind is not that kind's.
    let fetch = d
        .order_page(&OrderQuery {
            kind: Some(OrderKind::Fetch),
            ..everything()
        })
        .unwrap()
        .rows
        .remove(0);
    assert!(d.order_detail(OrderKind::Fetch, &fetch.id).is_ok());
    let e = d.order_detail(OrderKind::Delivery, &fetch.id).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    server.shutdown().await;
}

#[tokio::test]
async fn the_detail_reads_the_object_the_driver_and_what_may_be_edited() {
    let dir = tempfile::tempdir().unwrap();
    let (server, d, _clock) = demo_day(&dir).await;
    let all = d.order_page(&everything()).unwrap().rows;
    let created = all.iter().find(|r| r.status == Status::Created).unwrap();
    let detail = d.order_detail(created.kind, &created.id).unwrap();
    assert_eq!(detail.row, *created);
    assert!(detail.editable && detail.edit_lock.is_none());
    assert!(
        detail
            .editable_fields
            .contains(&"customer.phone".to_owned())
    );
    assert!(detail.editable_fields.contains(&"packages".to_owned()));
    assert_eq!(detail.customer.name, created.customer_name);
    assert!(!detail.customer.zipcode.is_empty());
    assert!(!detail.store.phone.is_empty() && !detail.store.name.is_empty());
    assert_eq!(detail.packages.len(), 1);
    assert!(detail.packages[0].order_reference.starts_with("EC"));
    assert_eq!(
        detail.history.iter().map(|h| h.status).collect::<Vec<_>>(),
        [Status::Created]
    );
    match created.kind {
        OrderKind::Delivery => assert!(detail.ready_by.is_some() && detail.deliver_by.is_none()),
        OrderKind::Fetch => assert!(detail.deliver_by.is_some() && detail.ready_by.is_none()),
    }
    assert!(detail.driver.is_none());

    let moving = all.iter().find(|r| r.status == Status::Delivering).unwrap();
    let detail = d.order_detail(moving.kind, &moving.id).unwrap();
    assert!(!detail.editable);
    assert_eq!(
        detail.edit_lock.as_deref(),
        Some("status delivering: the API accepts PUT only while created")
    );
    let driver = detail.driver.unwrap();
    assert!(!driver.name.is_empty());
    assert!(
        driver.phone.is_some(),
        "from collecting on, the object has it"
    );
    assert_eq!(moving.driver_name.as_deref(), Some(driver.name.as_str()));
    server.shutdown().await;
}

#[tokio::test]
async fn a_create_written_offline_is_a_queued_card_and_a_queued_cancel_shows_on_its_card() {
    let dir = tempfile::tempdir().unwrap();
    let (server, d, _clock) = demo_day(&dir).await;
    let before = d.board(&BoardQuery::default()).unwrap();
    let target = d
        .order_page(&OrderQuery {
            statuses: vec![Status::Assigned],
            kind: Some(OrderKind::Delivery),
            ..everything()
        })
        .unwrap()
        .rows
        .remove(0);
    server.shutdown().await;

    // Offline: a create (its window chosen when it is sent) and a cancel wait in the outbox.
    let body = json!({
        "store_id": SHIBUYA,
        "ready_by": format!("{DAY}T10:00:00+09:00"),
        "customer": {"last_name": "吉沢", "first_name": "太郎", "phone": "090-1234-5678",
                     "address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "address_line_2": "原宿ビル5F"},
        "packages": [{"service_brand": "60サイズ", "order_reference": "OFF-1", "name": "靴",
                      "boxes": 1, "number": 1}]
    });
    let Written::Queued {
        client_id: create, ..
    } = d
        .enqueue_write(Write::CreateDelivery {
            body,
            window: WindowChoice::Earliest,
        })
        .await
        .unwrap()
    else {
        panic!("offline, yet applied")
    };
    let Written::Queued {
        client_id: cancel, ..
    } = d
        .enqueue_write(Write::CancelDelivery {
            id: Target::Id(target.id.clone()),
        })
        .await
        .unwrap()
    else {
        panic!("offline, yet applied")
    };

    let board = d.board(&BoardQuery::default()).unwrap();
    let created = &board.columns[0];
    assert_eq!(created.status, Status::Created);
    assert_eq!(created.count, before.columns[0].count + 1);
    assert_eq!(board.total, before.total + 1);
    let card = &created.cards[0];
    assert_eq!(card.id, format!("outbox:{create}"));
    assert_eq!(
        (card.kind, card.tracking_code.as_str()),
        (OrderKind::Delivery, "")
    );
    assert_eq!(card.customer_name, "吉沢 太郎");
    assert_eq!(card.store_name, "ハコブ商店 渋谷道玄坂店", "{card:?}");
    assert_eq!(card.window_date, DAY);
    let queued = card.queued.as_ref().unwrap();
    assert_eq!(
        (queued.client_id.as_str(), queued.write_kind.as_str()),
        (create.as_str(), "create_delivery")
    );
    assert_eq!(queued.state, hakobu_cache::OutboxState::Pending);

    // The cancel is on the card of the order it targets.
    let assigned = board
        .columns
        .iter()
        .find(|c| c.status == Status::Assigned)
        .unwrap();
    let card = assigned.cards.iter().find(|c| c.id == target.id).unwrap();
    let queued = card.queued.as_ref().unwrap();
    assert_eq!(
        (queued.client_id.as_str(), queued.write_kind.as_str()),
        (cancel.as_str(), "cancel_delivery")
    );

    // The list: the queued create first, in the total, found by what it was written with.
    let page = d.order_page(&everything()).unwrap();
    assert_eq!(page.rows[0].id, format!("outbox:{create}"));
    assert_eq!(page.total, before.total + 1);
    let search = |q: &str| {
        d.order_page(&OrderQuery {
            search: Some(q.into()),
            ..everything()
        })
        .unwrap()
    };
    assert_eq!(ids(&search("OFF-1").rows), [format!("outbox:{create}")]);
    assert_eq!(search("吉沢太郎").total, 1);
    let second = d
        .order_page(&OrderQuery {
            offset: 1,
            limit: 5,
            ..everything()
        })
        .unwrap();
    assert_eq!(ids(&second.rows), ids(&page.rows[1..6]));
    let keys = d.order_keys(&everything()).unwrap();
    assert_eq!(keys.len() as u64, page.total);
    assert_eq!(keys[0].id, format!("outbox:{create}"));
    // Its detail: what was written, not editable until the API has it.
    let detail = d
        .order_detail(OrderKind::Delivery, &format!("outbox:{create}"))
        .unwrap();
    assert!(!detail.editable && detail.edit_lock.is_some());
    assert_eq!(detail.customer.line_2, "原宿ビル5F");
    assert!(detail.history.is_empty());
    // Fetches do not show it.
    let fetches = d
        .order_page(&OrderQuery {
            kind: Some(OrderKind::Fetch),
            ..everything()
        })
        .unwrap();
    assert!(fetches.rows.iter().all(|r| !r.id.starts_with("outbox:")));
}

#[tokio::test]
async fn the_history_records_each_status_as_the_sandbox_moves_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = quick_client(&server.base_url());
    let d = Arc::new(
        Dispatch::new(
            client.clone(),
            Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap()),
            Mode::Sandbox,
            Arc::new(SystemClock),
            None,
        )
        .unwrap(),
    );
    let tomorrow = hakobu_diaq::time::from_utc(Utc::now()) + chrono::Duration::days(1);
    let mut body = json!({
        "store_id": SHIBUYA,
        "ready_by": format!("{}T10:00:00+09:00", tomorrow.format("%Y-%m-%d")),
        "customer": {"address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "last_name": "吉沢",
                     "phone": "090-1234-5678"},
        "packages": [{"service_brand": "60サイズ", "boxes": 1, "number": 1}]
    });
    let estimate = client.create_delivery_estimate(&body).await.unwrap();
    body["delivery_window_id"] = json!(estimate.delivery_windows[0].id);
    let id = client.create_delivery(&body).await.unwrap().id;
    d.sync_orders(true).await.unwrap();
    let receiver = d.start_webhook_receiver().await.unwrap();

    let path = [
        Status::Assigned,
        Status::Collecting,
        Status::ArrivedOrigin,
        Status::Delivering,
    ];
    for status in path {
        client.sandbox_advance("deliveries", &id).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while d.order_detail(OrderKind::Delivery, &id).unwrap().row.status != status {
            assert!(Instant::now() < deadline, "{status:?} never arrived");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let detail = d.order_detail(OrderKind::Delivery, &id).unwrap();
    let history: Vec<(Status, hakobu_cache::HistorySource)> = detail
        .history
        .iter()
        .map(|h| (h.status, h.source))
        .collect();
    use hakobu_cache::HistorySource::{Sync, Webhook};
    assert_eq!(
        history,
        [
            (Status::Created, Sync),
            (Status::Assigned, Webhook),
            (Status::Collecting, Webhook),
            (Status::ArrivedOrigin, Webhook),
            (Status::Delivering, Webhook),
        ]
    );
    // Oldest first, to the second (events are stamped in whole seconds, updates in ms).
    let times: Vec<i64> = detail
        .history
        .iter()
        .map(|h| hakobu_diaq::time::parse(&h.at).unwrap().timestamp())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "{:?}",
        detail.history
    );
    // A sync that finds the same statuses adds nothing.
    d.sync_orders(true).await.unwrap();
    assert_eq!(
        d.order_detail(OrderKind::Delivery, &id).unwrap().history,
        detail.history
    );
    receiver.shutdown().await;
    server.shutdown().await;
}
