//! Dispatch against the real sandbox on port 0 and a real cache file.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use hakobu_cache::Cache;
use hakobu_diaq::StoreInput;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Clock, Dispatch, ErrorCode, Mode};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};

struct FixedClock(DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

struct World {
    dir: tempfile::TempDir,
    server: RunningSandbox,
    dispatch: Dispatch,
}

const KEY: &str = "k";

async fn world() -> World {
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
    let dispatch = dispatch_for(&server.base_url(), &dir, Mode::Sandbox);
    World {
        dir,
        server,
        dispatch,
    }
}

/// The built gazetteer (`make data`), loaded once for all tests.
fn gazetteer() -> Arc<Gazetteer> {
    static GEO: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    GEO.get_or_init(|| {
        let path = Gazetteer::default_path();
        Arc::new(Gazetteer::load(&path).unwrap_or_else(|e| panic!("{e}: run `make data` first")))
    })
    .clone()
}

fn dispatch_for(url: &str, dir: &tempfile::TempDir, mode: Mode) -> Dispatch {
    dispatch_with(url, dir, mode, Some(gazetteer()))
}

fn dispatch_with(
    url: &str,
    dir: &tempfile::TempDir,
    mode: Mode,
    geo: Option<Arc<Gazetteer>>,
) -> Dispatch {
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let clock = FixedClock("2026-11-22T01:00:00Z".parse().unwrap());
    Dispatch::new(
        DiaqClient::new(url, KEY).unwrap(),
        cache,
        mode,
        Arc::new(clock),
        geo,
    )
    .unwrap()
}

fn input() -> StoreInput {
    StoreInput {
        id_alias: Some("N001".into()),
        store_name: Some("ハコブ商店 六本木店".into()),
        store_address_zipcode: Some("106-0032".into()),
        store_address_prefecture: Some("東京都".into()),
        store_address_line_1: Some("港区六本木6-10-1".into()),
        store_phone: Some("03-6406-6000".into()),
        ..StoreInput::default()
    }
}

#[tokio::test]
async fn sync_fills_the_cache_with_located_stores_and_records_when() {
    let w = world().await;
    assert!(w.dispatch.list_stores(None).unwrap().is_empty());
    let status = w.dispatch.status().unwrap();
    assert_eq!((status.online, status.last_sync), (false, None));

    let report = w.dispatch.sync_stores().await.unwrap();
    assert_eq!(report.count, 12);
    assert_eq!(report.synced_at, "2026-11-22T10:00:00+09:00");
    let stores = w.dispatch.list_stores(None).unwrap();
    assert_eq!(stores.len(), 12);
    // Every demo store is placed at its chōme, as the gazetteer records it.
    for s in &stores {
        let loc = s
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("{} unplaced", s.store.store_name));
        assert_eq!(loc.level, "chome", "{}", s.store.store_address_line_1);
    }
    let azabu = stores.iter().find(|s| s.store.id_alias == "S0001").unwrap();
    let loc = azabu.location.as_ref().unwrap();
    assert!(
        (loc.lat - 35.6551).abs() < 0.002 && (loc.lng - 139.7356).abs() < 0.002,
        "{loc:?}"
    );
    assert!(stores.iter().all(|s| s.fetched_at == report.synced_at));
    let found = w.dispatch.list_stores(Some("吉祥寺")).unwrap();
    assert_eq!(found.len(), 1);
    let status = w.dispatch.status().unwrap();
    assert!(status.online);
    assert_eq!(status.mode, Mode::Sandbox);
    assert_eq!(
        status.last_sync.as_deref(),
        Some("2026-11-22T10:00:00+09:00")
    );
    assert_eq!(status.api_base_url, w.server.base_url());
}

#[tokio::test]
async fn writes_go_through_the_api_then_into_the_cache() {
    let w = world().await;
    w.dispatch.sync_stores().await.unwrap();
    let created = w.dispatch.create_store(&input()).await.unwrap();
    assert_eq!(
        created.location.as_ref().unwrap().level,
        "chome",
        "港区六本木六丁目"
    );
    assert_eq!(
        w.dispatch.list_stores(Some("六本木")).unwrap(),
        vec![created.clone()]
    );

    let change = StoreInput {
        store_name: Some("ハコブ商店 六本木ヒルズ店".into()),
        ..StoreInput::default()
    };
    let updated = w
        .dispatch
        .update_store(&created.store.id, &change)
        .await
        .unwrap();
    assert_eq!(updated.store.store_name, "ハコブ商店 六本木ヒルズ店");
    assert_eq!(updated.store.store_phone, "03-6406-6000");
    assert_eq!(
        w.dispatch.list_stores(Some("ヒルズ")).unwrap(),
        vec![updated]
    );

    w.dispatch.delete_store(&created.store.id).await.unwrap();
    assert!(w.dispatch.list_stores(Some("六本木")).unwrap().is_empty());
    // And the API agrees, as a fresh sync shows.
    w.dispatch.sync_stores().await.unwrap();
    assert_eq!(w.dispatch.list_stores(None).unwrap().len(), 12);
}

#[tokio::test]
async fn a_rejected_write_names_the_field_and_changes_nothing() {
    let w = world().await;
    w.dispatch.sync_stores().await.unwrap();
    let before = w.dispatch.list_stores(None).unwrap();
    let bad = StoreInput {
        store_address_zipcode: Some("1060032".into()),
        ..input()
    };
    let e = w.dispatch.create_store(&bad).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::BadRequest);
    assert_eq!(e.field.as_deref(), Some("store_address_zipcode"));
    assert!(
        e.message.starts_with("store_address_zipcode: "),
        "{}",
        e.message
    );

    let id = &before[0].store.id;
    let bad = StoreInput {
        store_phone: Some("phone".into()),
        ..StoreInput::default()
    };
    let e = w.dispatch.update_store(id, &bad).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("store_phone"));
    assert_eq!(w.dispatch.list_stores(None).unwrap(), before);
}

#[tokio::test]
async fn a_store_deleted_elsewhere_is_dropped_from_the_cache_with_a_not_found() {
    let w = world().await;
    w.dispatch.sync_stores().await.unwrap();
    let id = "5eed0000-0000-4000-8000-000000000002";
    let other = DiaqClient::new(&w.server.base_url(), KEY).unwrap();
    other.delete_store(id).await.unwrap();
    let e = w.dispatch.update_store(id, &input()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(
        w.dispatch
            .list_stores(None)
            .unwrap()
            .iter()
            .all(|s| s.store.id != id)
    );
    let e = w.dispatch.delete_store(id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn offline_the_cache_still_answers_and_the_status_says_so() {
    let w = world().await;
    w.dispatch.sync_stores().await.unwrap();
    let World {
        dir,
        server,
        dispatch,
    } = w;
    server.shutdown().await;
    let e = dispatch.sync_stores().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    let e = dispatch.create_store(&input()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    assert_eq!(dispatch.list_stores(None).unwrap().len(), 12);
    let status = dispatch.status().unwrap();
    assert!(!status.online);
    assert!(
        status.last_sync.is_some(),
        "the last good sync is still reported"
    );
    drop(dir);
}

#[tokio::test]
async fn without_a_gazetteer_stores_are_cached_unplaced() {
    let w = world().await;
    let d = dispatch_with(&w.server.base_url(), &w.dir, Mode::Sandbox, None);
    d.sync_stores().await.unwrap();
    let stores = d.list_stores(None).unwrap();
    assert_eq!(stores.len(), 12);
    assert!(stores.iter().all(|s| s.location.is_none()));
}

#[tokio::test]
async fn a_cache_from_another_api_is_emptied_but_the_same_one_is_kept() {
    let w = world().await;
    w.dispatch.sync_stores().await.unwrap();
    drop(w.dispatch);
    // Same source (the sandbox, whatever its port): the cache is kept for offline use.
    let again = dispatch_for("http://127.0.0.1:1", &w.dir, Mode::Sandbox);
    assert_eq!(again.list_stores(None).unwrap().len(), 12);
    drop(again);
    // An order of the sandbox's account, as a sync would have cached it.
    let order = hakobu_cache::CachedOrder {
        id: "d-sandbox".into(),
        kind: "delivery".into(),
        store_id: "5eed0000-0000-4000-8000-000000000001".into(),
        status: "created".into(),
        tracking_code: "123456789012".into(),
        window_starts_at: Some("2026-11-24T10:00:00+09:00".into()),
        window_ends_at: "2026-11-24T11:00:00+09:00".into(),
        window_date: "2026-11-24".into(),
        customer_name: "佐藤 一郎".into(),
        customer_phone: "03-1234-5678".into(),
        customer_address: "東京都港区東麻布1-5-2".into(),
        order_refs: vec!["R1".into()],
        customer_lat: None,
        customer_lng: None,
        api_update: String::new(),
        body: serde_json::json!({"id": "d-sandbox"}),
        fetched_at: String::new(),
    };
    Cache::open(&w.dir.path().join("cache.db"))
        .unwrap()
        .upsert_orders(&[order], hakobu_cache::StatusOrigin::SYNC)
        .unwrap();
    let remote = dispatch_for("https://api.example.test", &w.dir, Mode::Remote);
    assert!(remote.list_stores(None).unwrap().is_empty());
    assert!(
        remote
            .list_orders(&hakobu_cache::OrderFilter::default())
            .unwrap()
            .is_empty(),
        "another account's deliveries are not shown either"
    );
    assert_eq!(remote.status().unwrap().last_sync, None);
}

#[tokio::test]
async fn travel_matrices_use_osrm_only_when_configured() {
    let w = world().await;
    let points = [
        hakobu_geo::Point {
            lat: 35.6553,
            lng: 139.7364,
        },
        hakobu_geo::Point {
            lat: 35.6580,
            lng: 139.6975,
        },
    ];
    let bike = hakobu_geo::travel::VehicleType::Bicycle;
    let m = w.dispatch.travel_matrix(&points, bike).await.unwrap();
    assert_eq!(m.source, "great_circle");
    assert_eq!(m.matrix, hakobu_geo::travel::matrix(&points, bike));
    // With a server configured, the server is asked: here nothing listens, so it says so.
    let osrm = hakobu_osrm::OsrmClient::new("http://127.0.0.1:9", "driving").unwrap();
    let d = dispatch_for(&w.server.base_url(), &w.dir, Mode::Sandbox).with_osrm(osrm);
    let e = d.travel_matrix(&points, bike).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    assert!(e.message.starts_with("OSRM:"), "{}", e.message);
}
