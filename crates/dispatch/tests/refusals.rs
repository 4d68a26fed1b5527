//! The 計画 view's refusals as facts (`CommandError.detail`), from the real checks against the
//! real sandbox (port 0, real SQLite files) and a real cache file: each fleet field's rule, a
//! removal of nobody, each refusal of a plan's start, sending without a RouteMate, and a route
//! for a driver RouteMate does not know. The English message stays beside the facts.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{
    BatchStop, CommandError, Dispatch, DriverInput, ErrorCode, Mode, OrderKind, OrderRef, Place,
    PlanEvent, PlanRequest, RouteMateLink, StopWindow, SystemClock, demo_driver,
};
use hakobu_geo::Gazetteer;
use hakobu_geo::travel::VehicleType;
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const KEY: &str = "k_dispatch_refusals";

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

async fn sandbox(dir: &Path) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: dir.join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::TokyoDay),
        geo: Some(geo()).into(),
        ..SandboxConfig::default()
    };
    hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// A dispatch with the sandbox's stores cached and its RouteMate drivers as the fleet;
/// `link`: sending to the sandbox's RouteMate, else to none.
async fn ready(server: &RunningSandbox, cache_file: &Path, link: bool) -> Dispatch {
    let mut d = Dispatch::new(
        DiaqClient::new(&server.base_url(), KEY).unwrap(),
        Arc::new(Cache::open(cache_file).unwrap()),
        Mode::Sandbox,
        Arc::new(SystemClock),
        Some(geo()),
    )
    .unwrap();
    if link {
        let link = RouteMateLink::embedded_sandbox(&server.base_url(), KEY)
            .await
            .unwrap();
        d = d.with_routemate(link);
    }
    d.sync_stores().await.unwrap();
    let demo: Vec<DriverInput> = hakobu_sandbox::demo_drivers()
        .iter()
        .map(|r| demo_driver(&r.email, &r.name, r.vehicle, r.start))
        .collect();
    d.seed_fleet(&demo).unwrap();
    d
}

fn a_store(d: &Dispatch) -> (String, f64, f64) {
    let s = d
        .list_stores(None)
        .unwrap()
        .into_iter()
        .find(|s| s.location.is_some())
        .expect("a seeded store with a position");
    let l = s.location.unwrap();
    (s.store.id, l.lat, l.lng)
}

/// The refusal's code, field and facts (as the view gets them), and its English message.
fn facts(e: &CommandError) -> (ErrorCode, Option<&str>, Value) {
    (
        e.code,
        e.field.as_deref(),
        serde_json::to_value(e.detail.as_deref().expect("a refusal with facts")).unwrap(),
    )
}

fn stop(lat: f64, lng: f64, window: Option<(&str, &str)>) -> BatchStop {
    BatchStop {
        external_stop_id: "R1".into(),
        line: 2,
        lat,
        lng,
        parcel_count: 1,
        time_window: window.map(|(start, end)| StopWindow {
            start: start.into(),
            end: end.into(),
        }),
        address: Some("東京都港区六本木6-10-1".into()),
        ..BatchStop::default()
    }
}

fn request(store_id: &str, stops: Vec<BatchStop>) -> PlanRequest {
    PlanRequest {
        plan_id: None,
        date: "2026-12-08".into(),
        store_id: Some(store_id.into()),
        stops,
        orders: Vec::new(),
        drivers: None,
        time_limit_s: Some(1),
        threads: Some(1),
        seed: Some(7),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_refusals_carry_their_rule_and_facts() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let d = ready(&server, &dir.path().join("cache.db"), false).await;
    let (store_id, _, _) = a_store(&d);
    let here = Place::Point {
        lat: 35.6545,
        lng: 139.7367,
        label: None,
    };
    let good = DriverInput {
        email: "sato.yui@routemate.example".into(),
        name: "佐藤 結衣".into(),
        vehicle_type: VehicleType::Bicycle,
        shift_start: "10:00".into(),
        shift_end: "16:30".into(),
        start: here.clone(),
        end: here,
        capacity: None,
    };
    let refused = |input: DriverInput| {
        let e = d.save_driver(&input).unwrap_err();
        let (code, field, detail) = facts(&e);
        assert_eq!(code, ErrorCode::BadRequest, "{e:?}");
        (field.unwrap_or_default().to_owned(), detail, e.message)
    };
    let cases: Vec<(DriverInput, &str, Value, &str)> = vec![
        (
            DriverInput {
                email: "sato.yui".into(),
                ..good.clone()
            },
            "email",
            json!({"rule": "not_a_login", "got": "sato.yui"}),
            "email: \"sato.yui\" is not a RouteMate login (an email like name@example.com)",
        ),
        (
            DriverInput {
                name: " ".into(),
                ..good.clone()
            },
            "name",
            json!({"rule": "name_length", "max": 100}),
            "name: must be 1 to 100 characters",
        ),
        (
            DriverInput {
                shift_start: "nine".into(),
                ..good.clone()
            },
            "shift_start",
            json!({"rule": "shift_form", "got": "nine", "example": "09:00"}),
            "shift_start: must be HH:MM, like 09:00",
        ),
        (
            DriverInput {
                shift_end: "6pm".into(),
                ..good.clone()
            },
            "shift_end",
            json!({"rule": "shift_form", "got": "6pm", "example": "18:00"}),
            "shift_end: must be HH:MM, like 18:00",
        ),
        (
            DriverInput {
                shift_end: "08:00".into(),
                ..good.clone()
            },
            "shift_end",
            json!({"rule": "shift_order", "start": "10:00", "end": "08:00"}),
            "shift_end: 08:00 is not after the shift's start 10:00",
        ),
        (
            DriverInput {
                capacity: Some(0),
                ..good.clone()
            },
            "capacity",
            json!({"rule": "no_capacity"}),
            "capacity: a driver must carry at least one parcel",
        ),
        (
            DriverInput {
                start: Place::Store {
                    store_id: "no-such-store".into(),
                },
                ..good.clone()
            },
            "start",
            json!({"rule": "no_store", "store_id": "no-such-store"}),
            "start: no store \"no-such-store\"",
        ),
        (
            DriverInput {
                end: Place::Point {
                    lat: 139.7,
                    lng: 35.6,
                    label: None,
                },
                ..good.clone()
            },
            "end",
            json!({"rule": "not_in_japan", "lat": 139.7, "lng": 35.6}),
            "end: 139.7, 35.6 is not a point in Japan",
        ),
        (
            DriverInput {
                start: Place::Address {
                    address: "どこでもない場所".into(),
                },
                ..good.clone()
            },
            "start",
            json!({"rule": "address_unplaced", "address": "どこでもない場所",
                   "reason": {"rule": "not_recognised", "address": "どこでもない場所"}}),
            "start: \"どこでもない場所\" could not be placed: no prefecture or municipality recognised in \"どこでもない場所\"",
        ),
    ];
    for (input, field, detail, english) in cases {
        assert_eq!(
            refused(input),
            (field.to_owned(), detail, english.to_owned())
        );
    }
    // A store is fine; nothing refused was kept.
    d.save_driver(&DriverInput {
        start: Place::Store { store_id },
        ..good.clone()
    })
    .unwrap();
    d.delete_driver(&good.email).unwrap();
    let e = d.delete_driver(&good.email).unwrap_err();
    assert_eq!(
        (facts(&e), e.message.as_str()),
        (
            (
                ErrorCode::NotFound,
                Some("email"),
                json!({"rule": "no_fleet_driver", "email": "sato.yui@routemate.example"})
            ),
            "email: no driver \"sato.yui@routemate.example\" in the fleet"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plans_start_refusals_carry_their_rule_and_facts() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let d = ready(&server, &dir.path().join("cache.db"), false).await;
    let (store_id, lat, lng) = a_store(&d);
    let good = request(
        &store_id,
        vec![stop(lat + 0.004, lng, Some(("10:00", "17:00")))],
    );
    let refused = |request: PlanRequest| {
        let d = &d;
        async move {
            let e = d
                .plan_batch(request, Arc::new(|_| {}))
                .await
                .expect_err("refused");
            let (code, field, detail) = facts(&e);
            assert_eq!(code, ErrorCode::BadRequest, "{e:?}");
            (field.unwrap_or_default().to_owned(), detail, e.message)
        }
    };
    let cases: Vec<(PlanRequest, &str, Value, &str)> = vec![
        (
            PlanRequest {
                time_limit_s: Some(0),
                ..good.clone()
            },
            "time_limit_s",
            json!({"rule": "time_limit", "max": 600}),
            "time_limit_s: must be 1 to 600 seconds",
        ),
        (
            PlanRequest {
                date: "12/8".into(),
                ..good.clone()
            },
            "date",
            json!({"rule": "date_form", "got": "12/8"}),
            "date: must be YYYY-MM-DD",
        ),
        (
            PlanRequest {
                drivers: Some(vec!["nobody@routemate.example".into()]),
                ..good.clone()
            },
            "drivers",
            json!({"rule": "not_in_fleet", "email": "nobody@routemate.example"}),
            "drivers: \"nobody@routemate.example\" is not in the fleet",
        ),
        (
            PlanRequest {
                drivers: Some(Vec::new()),
                ..good.clone()
            },
            "drivers",
            json!({"rule": "no_drivers"}),
            "drivers: there is no driver to plan for (add one to the fleet)",
        ),
        (
            PlanRequest {
                stops: Vec::new(),
                ..good.clone()
            },
            "stops",
            json!({"rule": "nothing_to_plan"}),
            "stops: nothing to plan",
        ),
        (
            request(&store_id, vec![stop(lat, lng, Some(("12:00", "10:00")))]),
            "stops",
            json!({"rule": "stop_window", "line": 2, "start": "12:00", "end": "10:00"}),
            "stops: line 2: window 12:00-10:00 is not a window",
        ),
        (
            request(&store_id, vec![stop(f64::NAN, lng, None)]),
            "stops",
            json!({"rule": "stop_unplaced", "line": 2}),
            "stops: line 2 has no position",
        ),
        (
            request("no-such-store", good.stops.clone()),
            "store_id",
            json!({"rule": "no_store", "store_id": "no-such-store"}),
            "store_id: no store \"no-such-store\"",
        ),
        (
            PlanRequest {
                stops: Vec::new(),
                orders: vec![OrderRef {
                    kind: OrderKind::Delivery,
                    id: "no-such-order".into(),
                }],
                ..good.clone()
            },
            "orders",
            json!({"rule": "order_not_cached", "order_kind": "delivery", "id": "no-such-order"}),
            "orders: no cached delivery \"no-such-order\"",
        ),
    ];
    for (request, field, detail, english) in cases {
        assert_eq!(
            refused(request).await,
            (field.to_owned(), detail, english.to_owned())
        );
    }
    // Without a RouteMate, a plan's send is refused as a whole, with the rule.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let started = d
        .plan_batch(
            good,
            Arc::new(move |e| {
                let _ = tx.send(e);
            }),
        )
        .await
        .unwrap();
    wait_for_end(&mut rx).await;
    let e = d.send_plan(&started.plan_id).await.unwrap_err();
    assert_eq!(
        (facts(&e), e.message.as_str()),
        (
            (
                ErrorCode::Config,
                Some("routemate"),
                json!({"rule": "routemate_not_configured"})
            ),
            "routemate: not configured (set routemate.base_url, client_id and client_secret in the settings)"
        )
    );
}

async fn wait_for_end(rx: &mut mpsc::UnboundedReceiver<PlanEvent>) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("the plan ends")
            .expect("the solver thread sends its end");
        if let PlanEvent::Finished(f) = event {
            assert_eq!(f.error, None);
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_for_a_login_routemate_does_not_know_says_so_as_a_fact() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let d = ready(&server, &dir.path().join("cache.db"), true).await;
    let (store_id, lat, lng) = a_store(&d);
    let stranger = "nobody@routemate.example";
    d.save_driver(&DriverInput {
        email: stranger.into(),
        name: "未登録 太郎".into(),
        vehicle_type: VehicleType::KeiVan,
        shift_start: "09:00".into(),
        shift_end: "18:00".into(),
        start: Place::Store {
            store_id: store_id.clone(),
        },
        end: Place::Store {
            store_id: store_id.clone(),
        },
        capacity: None,
    })
    .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let started = d
        .plan_batch(
            PlanRequest {
                drivers: Some(vec![stranger.into()]),
                ..request(
                    &store_id,
                    vec![stop(lat + 0.004, lng, Some(("10:00", "17:00")))],
                )
            },
            Arc::new(move |e| {
                let _ = tx.send(e);
            }),
        )
        .await
        .unwrap();
    wait_for_end(&mut rx).await;
    let sent = d.send_plan(&started.plan_id).await.unwrap();
    assert_eq!((sent.sent, sent.failed), (0, 1), "{sent:?}");
    let e = sent.routes[0].error.as_ref().expect("refused");
    let (code, field, detail) = facts(e);
    assert_eq!((code, field), (ErrorCode::BadRequest, Some("driver_email")));
    assert_eq!(detail["rule"], "unknown_to_routemate");
    assert_eq!(detail["driver_email"], stranger);
    // RouteMate's own words stay the message, and are the facts' `said`.
    assert_eq!(detail["said"], e.message.as_str());
    assert!(e.message.starts_with("driver_email: "), "{e:?}");

    // The hand-over to DIAq refuses a call that names no stop, or one this plan does not hold
    // (a view out of date), as facts, before anything is handed over.
    let none = d
        .outsource_stops(&started.plan_id, &[], &|_| {})
        .await
        .unwrap_err();
    let (code, field, detail) = facts(&none);
    assert_eq!((code, field), (ErrorCode::BadRequest, Some("stop_ids")));
    assert_eq!(detail, json!({"rule": "no_stops_picked"}));
    let unknown = d
        .outsource_stops(&started.plan_id, &["file:999".to_owned()], &|_| {})
        .await
        .unwrap_err();
    let (code, field, detail) = facts(&unknown);
    assert_eq!((code, field), (ErrorCode::BadRequest, Some("stop_ids")));
    assert_eq!(
        detail,
        json!({"rule": "stop_not_in_plan", "stop_id": "file:999"})
    );
    assert_eq!(
        unknown.message,
        "stop_ids: no stop \"file:999\" in this plan"
    );
}
