//! Sending planned routes to RouteMate, against the real sandbox (port 0, real SQLite files)
//! and real cache files: a send stores the job; the same plan again — from the same cache or
//! a new one — is the same job; refreshing after the driver moves changes the cached counts;
//! refusals, lost connections and vanished jobs leave the cache saying so.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;
use hakobu_cache::{Cache, ROUTEMATE_NOT_FOUND};
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{
    Dispatch, ErrorCode, Mode, PlannedRoute, PlannedStop, RouteMateLink, RouteMateSettings,
    SANDBOX_SOURCE, SystemClock,
};
use hakobu_geo::Gazetteer;
use hakobu_routemate_client::{RetryPolicy, RouteMateClient};
use hakobu_sandbox::{RouteMateConfig, RouteMateDriver, RunningSandbox, SandboxConfig, Seed};
use serde_json::json;

const KEY: &str = "k_dispatch_rm";
/// A Tokyo seed driver.
const DRIVER: &str = "tanaka.kenta@routemate.example";

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

async fn sandbox_with(db: &Path, drivers: Vec<RouteMateDriver>) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: db.to_owned(),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        geo: Some(geo()).into(),
        routemate: RouteMateConfig {
            clients: vec![],
            drivers,
        },
        ..SandboxConfig::default()
    };
    hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn sandbox(dir: &Path) -> RunningSandbox {
    sandbox_with(&dir.join("sandbox.db"), vec![]).await
}

fn dispatch(server: &RunningSandbox, cache_file: &Path) -> Dispatch {
    Dispatch::new(
        DiaqClient::new(&server.base_url(), KEY).unwrap(),
        Arc::new(Cache::open(cache_file).unwrap()),
        Mode::Sandbox,
        Arc::new(SystemClock),
        None,
    )
    .unwrap()
}

/// The app's way: credentials made on the embedded sandbox.
async fn linked(server: &RunningSandbox, cache_file: &Path) -> Dispatch {
    let link = RouteMateLink::embedded_sandbox(&server.base_url(), KEY)
        .await
        .unwrap();
    dispatch(server, cache_file).with_routemate(link)
}

fn plan(driver: &str) -> PlannedRoute {
    let stop = |address: &str, name: &str, parcels| PlannedStop {
        address: address.into(),
        name: name.into(),
        phone: Some("090-1234-5678".into()),
        parcel_count: parcels,
        notes: None,
    };
    PlannedRoute {
        driver_email: driver.into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        title: "11/24 午前便".into(),
        stops: vec![
            stop("東京都港区六本木6-10-1", "佐藤 一郎", 2),
            stop("東京都中央区銀座4-6-16", "鈴木 花子", 1),
            stop("東京都渋谷区神南1-19-11", "高橋 健", 3),
        ],
    }
}

async fn sandbox_jobs(server: &RunningSandbox) -> u64 {
    let made = hakobu_routemate_client::create_sandbox_credentials(&server.base_url(), KEY)
        .await
        .unwrap();
    RouteMateClient::new(&server.base_url(), &made.client_id, &made.client_secret)
        .unwrap()
        .jobs(1)
        .await
        .unwrap()
        .total_count
}

async fn move_stop(server: &RunningSandbox, job_id: &str, action: &str) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/routemate/jobs/{job_id}/{action}",
            server.base_url()
        ))
        .header("Api-Key", KEY)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{action}: {}", r.status());
}

#[tokio::test]
async fn a_sent_route_is_cached_and_sending_it_again_makes_no_second_job() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let d = linked(&server, &dir.path().join("cache.db")).await;

    let sent = d.send_route_to_routemate(&plan(DRIVER)).await.unwrap();
    let job_id = sent.job_id.clone().expect("imported");
    assert_eq!(sent.source, SANDBOX_SOURCE);
    assert_eq!(sent.plan_date, "2026-11-24");
    assert_eq!(sent.driver_email, DRIVER);
    assert_eq!(sent.status.as_deref(), Some("assigned"));
    assert_eq!(sent.stop_count, Some(3));
    assert_eq!(sent.status_counts, Some(json!({"pending": 3})));
    assert_eq!(sent.last_error, None);
    let answer = sent.import_response.as_ref().unwrap();
    assert_eq!(answer["stops"].as_array().unwrap().len(), 3);
    assert!(
        answer["optimization"]["total_distance_km"]
            .as_f64()
            .unwrap()
            > 1.0
    );
    // The plan is kept whole, phone included, though RouteMate only got a label.
    assert_eq!(sent.plan["stops"][0]["phone"], "090-1234-5678");
    assert_eq!(
        answer["stops"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["external_stop_id"] == "stop-1")
            .unwrap()["label"],
        "佐藤 一郎 / 090-1234-5678"
    );

    let again = d.send_route_to_routemate(&plan(DRIVER)).await.unwrap();
    assert_eq!(again.job_id.as_deref(), Some(job_id.as_str()));
    assert_eq!(d.routemate_jobs().unwrap().len(), 1);

    // Another install (new cache, new credentials) sending the same plan: still one job.
    let other = linked(&server, &dir.path().join("other.db")).await;
    let elsewhere = other.send_route_to_routemate(&plan(DRIVER)).await.unwrap();
    assert_eq!(elsewhere.job_id.as_deref(), Some(job_id.as_str()));
    assert_eq!(sandbox_jobs(&server).await, 1);

    // A changed plan is a new job.
    let mut changed = plan(DRIVER);
    changed.stops.pop();
    let second = d.send_route_to_routemate(&changed).await.unwrap();
    assert_ne!(second.job_id.as_deref(), Some(job_id.as_str()));
    assert_eq!(d.routemate_jobs().unwrap().len(), 2);
    assert_eq!(sandbox_jobs(&server).await, 2);
}

#[tokio::test]
async fn refreshing_follows_the_driver_until_the_job_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let cache_file = dir.path().join("cache.db");
    let d = linked(&server, &cache_file).await;
    let sent = d.send_route_to_routemate(&plan(DRIVER)).await.unwrap();
    let job_id = sent.job_id.unwrap();
    let ext = sent.external_job_id;

    let report = d.refresh_routemate_jobs().await.unwrap();
    assert_eq!((report.checked, report.changed.len()), (1, 0), "{report:?}");

    move_stop(&server, &job_id, "advance").await;
    let report = d.refresh_routemate_jobs().await.unwrap();
    assert_eq!(report.changed, std::slice::from_ref(&ext));
    let row = &d.routemate_jobs().unwrap()[0];
    assert_eq!(
        row.status_counts,
        Some(json!({"pending": 2, "en_route": 1}))
    );

    move_stop(&server, &job_id, "advance").await;
    move_stop(&server, &job_id, "fail").await;
    move_stop(&server, &job_id, "advance").await;
    move_stop(&server, &job_id, "advance").await;
    d.refresh_routemate_jobs().await.unwrap();
    // Read back from the file, as the app would after a restart.
    let cache = Cache::open(&cache_file).unwrap();
    let row = cache.routemate_job(SANDBOX_SOURCE, &ext).unwrap().unwrap();
    assert_eq!(row.status.as_deref(), Some("completed"));
    assert_eq!(
        row.status_counts,
        Some(json!({"completed": 2, "failed": 1}))
    );
    let stops = row.job.as_ref().unwrap()["stops"]
        .as_array()
        .unwrap()
        .clone();
    assert!(stops.iter().any(|s| s["failure_reason"] == "不在"));
    // Completed: not asked about again.
    let report = d.refresh_routemate_jobs().await.unwrap();
    assert_eq!(report.checked, 0);
}

#[tokio::test]
async fn an_address_routemate_cannot_place_is_a_warning_kept_with_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let d = linked(&server, &dir.path().join("cache.db")).await;
    let mut p = plan(DRIVER);
    p.stops[1].address = "火星県オリンポス市1-2-3".into();
    let sent = d.send_route_to_routemate(&p).await.unwrap();
    let answer = sent.import_response.unwrap();
    assert_eq!(answer["warnings"][0]["external_stop_id"], "stop-2");
    assert_eq!(answer["stops"].as_array().unwrap().len(), 2);
    assert_eq!(sent.stop_count, Some(2));
}

#[tokio::test]
async fn a_refused_send_is_sent_again_under_a_new_key_once_the_cause_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let cache_file = dir.path().join("cache.db");
    let newcomer = "new.driver@routemate.example";
    let server = sandbox_with(&db, vec![]).await;
    let d = linked(&server, &cache_file).await;
    let e = d
        .send_route_to_routemate(&plan(newcomer))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::BadRequest, Some("driver_email"))
    );
    let row = &d.routemate_jobs().unwrap()[0];
    assert_eq!((row.revision, row.job_id.as_deref()), (1, None));
    assert!(row.last_error.as_deref().unwrap().contains("driver_email"));
    drop(d);
    server.shutdown().await;

    // The driver is registered on RouteMate; the same plan now goes through, though the
    // server still holds the refusal under the first key.
    let driver: RouteMateDriver = newcomer.parse().unwrap();
    let server = sandbox_with(&db, vec![driver]).await;
    let d = linked(&server, &cache_file).await;
    let sent = d.send_route_to_routemate(&plan(newcomer)).await.unwrap();
    assert!(sent.job_id.is_some());
    assert_eq!((sent.revision, sent.last_error), (1, None));
}

#[tokio::test]
async fn a_send_without_an_answer_is_kept_and_sent_again_under_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let cache_file = dir.path().join("cache.db");
    let quick = RetryPolicy {
        max_attempts: 2,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(20),
    };
    // Nothing listens on port 9.
    let dead = RouteMateClient::new("http://127.0.0.1:9", "rm_ci_x", "rm_cs_x")
        .unwrap()
        .with_retry(quick);
    let offline =
        dispatch(&server, &cache_file).with_routemate(RouteMateLink::new(dead, SANDBOX_SOURCE));
    let e = offline
        .send_route_to_routemate(&plan(DRIVER))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport, "{e:?}");
    let row = &offline.routemate_jobs().unwrap()[0];
    assert_eq!((row.revision, row.job_id.as_deref()), (0, None));
    assert!(row.last_error.is_some());
    let e = offline.refresh_routemate_jobs().await.unwrap();
    assert_eq!(e.checked, 0, "nothing imported yet, nothing to read");

    let d = linked(&server, &cache_file).await;
    let sent = d.send_route_to_routemate(&plan(DRIVER)).await.unwrap();
    assert_eq!((sent.revision, sent.last_error.as_deref()), (0, None));

    // Unreachable while refreshing: the error surfaces and the row says why.
    let e = offline.refresh_routemate_jobs().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    let row = &offline.routemate_jobs().unwrap()[0];
    assert!(
        row.last_error.as_deref().unwrap().contains("reach"),
        "{row:?}"
    );
    assert_eq!(
        row.status.as_deref(),
        Some("assigned"),
        "the last read stays"
    );
}

#[tokio::test]
async fn a_job_routemate_no_longer_knows_is_marked_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let cache_file = dir.path().join("cache.db");
    let first = sandbox_with(&dir.path().join("first.db"), vec![]).await;
    let d = linked(&first, &cache_file).await;
    let ext = d
        .send_route_to_routemate(&plan(DRIVER))
        .await
        .unwrap()
        .external_job_id;
    drop(d);
    // The sandbox's database was deleted: a new one knows no jobs.
    let fresh = sandbox_with(&dir.path().join("fresh.db"), vec![]).await;
    let d = linked(&fresh, &cache_file).await;
    let report = d.refresh_routemate_jobs().await.unwrap();
    assert_eq!(report.gone, [ext]);
    let row = &d.routemate_jobs().unwrap()[0];
    assert_eq!(row.status.as_deref(), Some(ROUTEMATE_NOT_FOUND));
    assert!(row.last_error.as_deref().unwrap().contains("job not found"));
    assert_eq!(d.refresh_routemate_jobs().await.unwrap().checked, 0);
}

#[tokio::test]
async fn without_routemate_the_commands_say_it_is_not_configured() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let d = dispatch(&server, &dir.path().join("cache.db"));
    let e = d.send_route_to_routemate(&plan(DRIVER)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("routemate"), "{e:?}");
    assert_eq!(
        d.refresh_routemate_jobs().await.unwrap_err().code,
        ErrorCode::Config
    );
    assert_eq!(d.routemate_jobs().unwrap_err().code, ErrorCode::Config);

    // Which RouteMate the app picks.
    assert!(RouteMateLink::resolve(None, None).await.unwrap().is_none());
    let settings = RouteMateSettings {
        base_url: "https://api.routemate.example".into(),
        client_id: "rm_ci_a".into(),
        client_secret: "rm_cs_b".into(),
    };
    let url = server.base_url();
    let link = RouteMateLink::resolve(Some(&settings), Some((&url, KEY)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        link.source(),
        "https://api.routemate.example",
        "settings win"
    );
    assert!(!format!("{link:?}").contains("rm_cs_b"));
    let link = RouteMateLink::resolve(None, Some((&url, KEY)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link.source(), SANDBOX_SOURCE);
    let e = RouteMateLink::resolve(None, Some((&url, "wrong key")))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
}
