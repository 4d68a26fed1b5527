//! Cached deliveries and fetches on a real SQLite file: full and incremental sync, board
//! filters, counts, and trigram search kept in step with every write.

use hakobu_cache::{Cache, CachedOrder, OrderFilter};
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
    c.upsert_orders(&[
        order("d01", "delivery", "created", "2026-11-24", "a", &[]),
        order("d02", "delivery", "delivering", "2026-11-24", "b", &[]),
        order("d03", "delivery", "created", "2026-11-25", "c", &[]),
        order("f04", "fetch", "created", "2026-11-24", "d", &[]),
    ])
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
    c.upsert_orders(&[
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
    ])
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
    c.upsert_orders(&[order(
        "d01",
        "delivery",
        "assigned",
        "2026-11-24",
        "山本 太郎",
        &[],
    )])
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
