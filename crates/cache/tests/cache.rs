//! The cache on a real SQLite file: migrations, store replace/upsert/delete, search, reopen.

use hakobu_cache::{Cache, CachedStore, StoreLocation};
use hakobu_diaq::{PickupProof, Store, StoreType};

fn store(id: &str, alias: &str, name: &str, line_1: &str) -> CachedStore {
    CachedStore {
        store: Store {
            id: id.into(),
            id_alias: alias.into(),
            store_name: name.into(),
            store_address_zipcode: "106-0045".into(),
            store_address_prefecture: "東京都".into(),
            store_address_line_1: line_1.into(),
            store_address_line_2: String::new(),
            store_phone: "03-1111-2222".into(),
            store_type: StoreType::InMallStore,
            offers_delivery: true,
            offers_fetches: false,
            pickup_proof: PickupProof::Selfcheck,
            delivery_proof: "signature".into(),
            opening_time: Some("10:00".into()),
            closing_time: None,
        },
        location: Some(StoreLocation {
            lat: 35.6553,
            lng: 139.7364,
            level: "town".into(),
        }),
        fetched_at: "2026-11-22T10:00:00+09:00".into(),
    }
}

#[test]
fn stores_round_trip_and_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/cache.db");
    let a = store("a", "S2", "麻布十番店", "港区麻布十番2-3-5");
    let mut b = store("b", "S1", "Shibuya Store", "渋谷区道玄坂2-6-17");
    b.location = None;
    {
        let cache = Cache::open(&path).unwrap();
        assert!(cache.schema_version().unwrap() >= 1);
        cache.replace_stores(&[a.clone(), b.clone()]).unwrap();
        cache.set_meta("last_sync", "x").unwrap();
    }
    let cache = Cache::open(&path).unwrap();
    assert_eq!(
        cache.stores(None).unwrap(),
        vec![b.clone(), a.clone()],
        "ordered by alias"
    );
    assert_eq!(cache.store("a").unwrap(), Some(a.clone()));
    assert_eq!(cache.meta("last_sync").unwrap().as_deref(), Some("x"));
    let journal: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn replace_removes_what_the_api_no_longer_has_and_upsert_patches() {
    let cache = Cache::in_memory().unwrap();
    cache
        .replace_stores(&[store("a", "S1", "A", "港区"), store("b", "S2", "B", "港区")])
        .unwrap();
    cache
        .replace_stores(&[store("b", "S2", "B2", "港区")])
        .unwrap();
    let all = cache.stores(None).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].store.store_name, "B2");
    let mut changed = all[0].clone();
    changed.store.store_phone = "0312345678".into();
    cache.upsert_store(&changed).unwrap();
    assert_eq!(cache.store("b").unwrap(), Some(changed));
    assert!(cache.delete_store("b").unwrap());
    assert!(!cache.delete_store("b").unwrap());
    assert!(cache.stores(None).unwrap().is_empty());
}

#[test]
fn search_matches_every_word_in_any_column() {
    let cache = Cache::in_memory().unwrap();
    cache
        .replace_stores(&[
            store("a", "S1", "麻布十番店", "港区麻布十番2-3-5"),
            store("b", "S2", "Shibuya Store", "渋谷区道玄坂2-6-17"),
            store("c", "X9", "銀座店", "中央区銀座4-6-16"),
        ])
        .unwrap();
    let names = |q: &str| -> Vec<String> {
        cache
            .stores(Some(q))
            .unwrap()
            .into_iter()
            .map(|s| s.store.store_name)
            .collect()
    };
    assert_eq!(names("麻布"), ["麻布十番店"]);
    assert_eq!(
        names("shibuya"),
        ["Shibuya Store"],
        "Latin is case-insensitive"
    );
    assert_eq!(names("x9"), ["銀座店"], "alias");
    assert_eq!(names("渋谷区 2-6"), ["Shibuya Store"], "every word");
    assert_eq!(names("03-1111").len(), 3, "phone");
    assert!(names("渋谷区 銀座").is_empty());
    assert_eq!(names("  ").len(), 3);
    assert!(names("%").is_empty(), "no wildcards");
}
