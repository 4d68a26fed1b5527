//! Cached deliveries and fetches on a real SQLite file: full and incremental sync, board
//! filters, counts, and trigram search kept in step with every write.

use hakobu_cache::{
    Cache, CachedOrder, CachedStore, OrderFilter, OrderSelection, OrderSort, OrderSortKey,
    StatusOrigin,
};
use hakobu_diaq::{PickupProof, Store, StoreType};
use serde_json::json;

fn order(id: &str, kind: &str, status: &str, date: &str, name: &str, refs: &[&str]) -> CachedOrder {
    CachedOrder {
        id: id.into(),
        kind: kind.into(),
        store_id: "s1".into(),
        status: status.into(),
        tracking_code: format!("0000000000{}", &id[id.len() - 2..]),
        window_starts_at: Some(format!("{date}T10:00:00+09:00")),
        window_ends_at: format!("{date}T11:00:00+09:00"),
        window_date: date.into(),
        customer_name: name.into(),
        customer_phone: "03-1234-5678".into(),
        customer_address: "東京都港区東麻布1-5-2".into(),
        order_refs: refs.iter().map(|s| s.to_string()).collect(),
        customer_lat: Some(35.65),
        customer_lng: Some(139.74),
        api_update: "2026-11-23T09:00:00.000+09:00".into(),
        body: json!({"id": id, "status": status}),
        fetched_at: "2026-11-23T09:00:00+09:00".into(),
    }
}

fn ids(v: Vec<CachedOrder>) -> Vec<String> {
    v.into_iter().map(|o| o.id).collect()
}

#[test]
fn full_sync_replaces_one_kind_only_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    {
        let c = Cache::open(&path).unwrap();
        c.replace_orders(
            "delivery",
            &[order(
                "d01",
                "delivery",
                "created",
                "2026-11-24",
                "吉沢 健二",
                &["x1234"],
            )],
        )
        .unwrap();
        c.replace_orders(
            "fetch",
            &[order(
                "f01",
                "fetch",
                "created",
                "2026-11-24",
                "山田 花子",
                &[],
            )],
        )
        .unwrap();
        c.replace_orders(
            "delivery",
            &[order(
                "d02",
                "delivery",
                "assigned",
                "2026-11-24",
                "佐藤 一郎",
                &[],
            )],
        )
        .unwrap();
    }
    let c = Cache::open(&path).unwrap();
    assert_eq!(
        ids(c.orders(&OrderFilter::default()).unwrap()),
        ["f01", "d02"],
        "the same window: by tracking code"
    );
    let d = c.order("d02").unwrap().unwrap();
    assert_eq!(d.body["status"], "assigned");
    assert!(c.order("d01").unwrap().is_none());
}

#[test]
fn board_filters_and_counts() {
    let c = Cache::in_memory().unwrap();
    c.upsert_orders(
        &[
            order("d01", "delivery", "created", "2026-11-24", "a", &[]),
            order("d02", "delivery", "delivering", "2026-11-24", "b", &[]),
            order("d03", "delivery", "created", "2026-11-25", "c", &[]),
            order("f04", "fetch", "created", "2026-11-24", "d", &[]),
        ],
        StatusOrigin::SYNC,
    )
    .unwrap();
    let f = OrderFilter {
        kind: Some("delivery".into()),
        window_date: Some("2026-11-24".into()),
        ..OrderFilter::default()
    };
    assert_eq!(ids(c.orders(&f).unwrap()), ["d01", "d02"]);
    let f = OrderFilter {
        statuses: Some(vec!["created".into()]),
        ..OrderFilter::default()
    };
    assert_eq!(
        ids(c.orders(&f).unwrap()),
        ["d01", "f04", "d03"],
        "by window date first"
    );
    let counts = c.order_counts("delivery", None).unwrap();
    assert_eq!(
        counts,
        vec![("created".into(), 2), ("delivering".into(), 1)]
    );
    assert_eq!(
        c.order_counts("delivery", Some("2026-11-25")).unwrap(),
        vec![("created".into(), 1)]
    );
    let page = OrderFilter {
        limit: Some(2),
        offset: Some(2),
        ..OrderFilter::default()
    };
    assert_eq!(c.orders(&page).unwrap().len(), 2);
}

#[test]
fn search_finds_substrings_in_japanese_and_follows_updates_and_deletes() {
    let c = Cache::in_memory().unwrap();
    c.upsert_orders(
        &[
            order(
                "d01",
                "delivery",
                "created",
                "2026-11-24",
                "吉沢 健二",
                &["AB12345678"],
            ),
            order(
                "d02",
                "delivery",
                "created",
                "2026-11-24",
                "佐藤 一郎",
                &["x1234"],
            ),
        ],
        StatusOrigin::SYNC,
    )
    .unwrap();
    let find = |q: &str| {
        ids(c
            .orders(&OrderFilter {
                search: Some(q.into()),
                ..OrderFilter::default()
            })
            .unwrap())
    };
    assert_eq!(find("沢 健"), ["d01"], "three characters: trigram index");
    assert_eq!(find("B123456"), ["d01"], "inside an order reference");
    assert_eq!(
        find("佐藤"),
        ["d02"],
        "two characters: the two-character index"
    );
    assert_eq!(find("吉"), ["d01"], "one character: the prefix of a piece");
    assert_eq!(find("二"), ["d01"], "one character: the last of a word");
    assert_eq!(find("-"), ["d01", "d02"], "a hyphen: a scan");
    assert_eq!(find("x1"), ["d02"], "two ASCII characters, any case");
    assert_eq!(find("X1"), ["d02"]);
    assert_eq!(find("佐藤一郎"), ["d02"], "a name typed without the space");
    assert_eq!(find("0312345678").len(), 2, "a phone typed without hyphens");
    assert_eq!(find("000000000002"), ["d02"], "tracking code");
    assert_eq!(find("港区東麻布").len(), 2, "address");
    assert_eq!(
        find("\"quoted\""),
        Vec::<String>::new(),
        "quotes are literal"
    );
    // The index follows an update and a delete.
    c.upsert_orders(
        &[order(
            "d01",
            "delivery",
            "assigned",
            "2026-11-24",
            "山本 太郎",
            &[],
        )],
        StatusOrigin::SYNC,
    )
    .unwrap();
    assert!(find("吉沢").is_empty() && find("沢 健").is_empty());
    assert_eq!(find("山本 太"), ["d01"]);
    assert_eq!(
        find("本太"),
        ["d01"],
        "the short-search index follows updates too"
    );
    c.replace_orders("delivery", &[]).unwrap();
    assert!(find("山本 太").is_empty());
    assert!(
        find("山本").is_empty(),
        "the two-character index follows deletes"
    );
}

fn store(id: &str, name: &str) -> CachedStore {
    CachedStore {
        store: Store {
            id: id.into(),
            id_alias: String::new(),
            store_name: name.into(),
            store_address_zipcode: "106-0045".into(),
            store_address_prefecture: "東京都".into(),
            store_address_line_1: "港区麻布十番1-1".into(),
            store_address_line_2: String::new(),
            store_phone: "03-1111-2222".into(),
            store_type: StoreType::StandaloneStore,
            offers_delivery: true,
            offers_fetches: true,
            pickup_proof: PickupProof::Signature,
            delivery_proof: "signature".into(),
            opening_time: None,
            closing_time: None,
        },
        location: None,
        fetched_at: "2026-11-22T10:00:00+09:00".into(),
    }
}

/// Five orders of one day with what each sort key tells apart.
fn sortable() -> Cache {
    let c = Cache::in_memory().unwrap();
    c.replace_stores(&[store("s-a", "青山店"), store("s-b", "上野店")])
        .unwrap();
    let mut rows = Vec::new();
    for (id, status, store, starts, name) in [
        (
            "d05",
            "assigned",
            "s-b",
            Some("2026-11-24T01:00:00Z"),
            "山田 花子",
        ),
        (
            "d03",
            "delivered",
            "s-a",
            Some("2026-11-24T09:00:00+09:00"),
            "佐藤 一郎",
        ),
        ("d04", "created", "s-b", None, "阿部 健"),
        (
            "d01",
            "delivering",
            "s-a",
            Some("2026-11-24T14:30:00+09:00"),
            "吉沢 健二",
        ),
        (
            "d02",
            "created",
            "s-a",
            Some("2026-11-24T09:00:00.000+09:00"),
            "伊藤 直子",
        ),
    ] {
        let mut o = order(id, "delivery", status, "2026-11-24", name, &[]);
        o.store_id = store.into();
        // The object's store summary, as the API sends it: the store sort reads its name.
        let store_name = if store == "s-a" {
            "青山店"
        } else {
            "上野店"
        };
        o.body["store"] = json!({"store_id": store, "store_name": store_name});
        o.window_starts_at = starts.map(str::to_owned);
        rows.push(o);
    }
    c.upsert_orders(&rows, StatusOrigin::SYNC).unwrap();
    c
}

fn page(c: &Cache, key: OrderSortKey, descending: bool) -> Vec<String> {
    ids(c
        .order_page(
            &OrderSelection::default(),
            OrderSort { key, descending },
            0,
            100,
        )
        .unwrap())
}

#[test]
fn pages_sort_by_each_key_and_descending_is_the_exact_reverse() {
    let c = sortable();
    // Window: 09:00 (d02, d03 by tracking code), 10:00 (d05, written in UTC), 14:30, anytime.
    assert_eq!(
        page(&c, OrderSortKey::Window, false),
        ["d02", "d03", "d05", "d01", "d04"]
    );
    assert_eq!(
        page(&c, OrderSortKey::TrackingCode, false),
        ["d01", "d02", "d03", "d04", "d05"]
    );
    // Names as stored, in code-point order.
    let mut by_name = [
        ("山田 花子", "d05"),
        ("佐藤 一郎", "d03"),
        ("阿部 健", "d04"),
        ("吉沢 健二", "d01"),
        ("伊藤 直子", "d02"),
    ];
    by_name.sort();
    assert_eq!(
        page(&c, OrderSortKey::Customer, false),
        by_name.iter().map(|(_, id)| *id).collect::<Vec<_>>()
    );
    // Store names: 上野店 (U+4E0A) before 青山店 (U+9752); then by window.
    assert_eq!(
        page(&c, OrderSortKey::Store, false),
        ["d05", "d04", "d02", "d03", "d01"]
    );
    // Lifecycle: created (d02, d04 by window), assigned, delivering, delivered.
    assert_eq!(
        page(&c, OrderSortKey::Status, false),
        ["d02", "d04", "d05", "d01", "d03"]
    );
    for key in [
        OrderSortKey::Window,
        OrderSortKey::TrackingCode,
        OrderSortKey::Customer,
        OrderSortKey::Store,
        OrderSortKey::Status,
    ] {
        let mut reversed = page(&c, key, true);
        reversed.reverse();
        assert_eq!(reversed, page(&c, key, false), "{key:?}");
    }
    // Pages are slices of the same order.
    let second = c
        .order_page(
            &OrderSelection::default(),
            OrderSort {
                key: OrderSortKey::Status,
                descending: false,
            },
            2,
            2,
        )
        .unwrap();
    assert_eq!(ids(second), ["d05", "d01"]);
}

#[test]
fn the_hour_filter_reads_the_start_in_japan_time_and_never_matches_anytime() {
    let c = sortable();
    let hour = |h: u8| {
        let mut found = ids(c
            .order_page(
                &OrderSelection {
                    window_hour: Some(h),
                    ..OrderSelection::default()
                },
                OrderSort::default(),
                0,
                100,
            )
            .unwrap());
        found.sort();
        found
    };
    assert_eq!(hour(9), ["d02", "d03"], "with and without milliseconds");
    assert_eq!(hour(10), ["d05"], "01:00Z is 10:00 in Japan");
    assert_eq!(hour(1), Vec::<String>::new());
    assert_eq!(hour(14), ["d01"]);
    assert_eq!(
        hour(0),
        Vec::<String>::new(),
        "the anytime window has no hour"
    );
    let selection = OrderSelection {
        window_hour: Some(9),
        statuses: vec!["created".into()],
        ..OrderSelection::default()
    };
    assert_eq!(c.order_count(&selection).unwrap(), 1);
    assert_eq!(
        c.status_counts(&OrderSelection::default()).unwrap().len(),
        4,
        "created, assigned, delivering, delivered"
    );
    assert_eq!(
        c.order_keys(&selection, OrderSort::default(), 10).unwrap(),
        [("delivery".to_owned(), "d02".to_owned())]
    );
}
