//! The solver's bench generator's Tokyo deliveries as a dispatch batch, and the 20-driver fleet
//! that plans them: one home for the set-up the planning test, the plan-quality benchmark
//! and plan-options (examples/), the window benchmark's file maker (examples/tokyo-batch.rs) share.
// Each of the three targets that include this file uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{
    BatchStop, Dispatch, DriverInput, Mode, Place, StopWindow, SystemClock, demo_driver,
};
use hakobu_geo::Gazetteer;
use hakobu_geo::travel::VehicleType;
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use hakobu_solver::Task;
use hakobu_solver::tokyo::{self, Config};

/// The generator's deliveries of one store, at their real town points (with the town's
/// address), and where the generator put that store.
pub struct TokyoBatch {
    pub store: (f64, f64),
    pub stops: Vec<BatchStop>,
}

/// `tokyo::generate` (as `tokyo-instance` runs it) for one store: `deliveries` deliveries at
/// real 23-ward town points within `reach_m` of it, in one-hour DIAq slots 9–20時, 1–3 boxes
/// each. A batch has one pickup store (`PlanRequest::store_id`) and its stops are deliveries,
/// so the generator makes one store and no fetches.
pub fn generate(deliveries: usize, reach_m: f64, seed: u64) -> TokyoBatch {
    let text = std::fs::read_to_string(Gazetteer::default_path())
        .unwrap_or_else(|e| panic!("{e}: run `make data` first"));
    let towns = tokyo::tokyo_towns(&text).unwrap();
    let instance = tokyo::generate(
        &towns,
        &Config {
            stores: 1,
            deliveries,
            fetches: 0,
            reach_m,
            ..Config::tokyo_300(seed)
        },
    )
    .unwrap();
    let store = instance.points[0];
    let hh = |s: f64| {
        format!(
            "{:02}:{:02}",
            (s / 3600.0) as u32,
            ((s % 3600.0) / 60.0) as u32
        )
    };
    let town_at = |lat: f64, lng: f64| {
        towns
            .iter()
            .find(|t| t.point.lat == lat && t.point.lng == lng)
            .map(|t| format!("東京都{}{}", t.ward, t.name))
    };
    let stops = instance
        .problem
        .jobs
        .iter()
        .enumerate()
        .map(|(k, job)| {
            let Task::Pair {
                pickup,
                delivery,
                amount,
            } = &job.task
            else {
                panic!("{}: a generated delivery is a store → door pair", job.id)
            };
            assert_eq!(pickup.location, 0, "picked up at the one store");
            let door = instance.points[delivery.location];
            let window = &delivery.windows[0];
            BatchStop {
                external_stop_id: job.id.clone(),
                line: k + 2,
                lat: door.lat,
                lng: door.lng,
                parcel_count: amount[0] as u32,
                time_window: Some(StopWindow {
                    start: hh(window.start),
                    end: hh(window.end),
                }),
                service_s: Some(delivery.service as u32),
                address: town_at(door.lat, door.lng),
                ..BatchStop::default()
            }
        })
        .collect();
    TokyoBatch {
        store: (store.lat, store.lng),
        stops,
    }
}

impl TokyoBatch {
    /// The stops around another store (the sandbox's): moved by the difference between the
    /// two stores, distances and directions from the store kept. Their addresses no longer
    /// name where they are, so they are dropped.
    pub fn moved_to(self, store_lat: f64, store_lng: f64) -> Vec<BatchStop> {
        let (lat, lng) = self.store;
        self.stops
            .into_iter()
            .map(|s| BatchStop {
                lat: store_lat + (s.lat - lat),
                lng: store_lng + (s.lng - lng),
                address: None,
                ..s
            })
            .collect()
    }
}

/// The planning benchmark's 300 stops: 5 km of reach, as 600 town points are not within the
/// bench generator's 3 km of any one point.
pub fn bench_generator_stops(store_lat: f64, store_lng: f64) -> Vec<BatchStop> {
    generate(300, 5000.0, 1).moved_to(store_lat, store_lng)
}

/// With the demo fleet's two, the 20 drivers of the bench generator's instance: every vehicle
/// type in turn, early and late shifts, from and back to the store.
pub fn eighteen_more_drivers(d: &Dispatch, store_id: &str) {
    for k in 0..18 {
        let vehicle_type = VehicleType::ALL[k % VehicleType::ALL.len()];
        d.save_driver(&DriverInput {
            email: format!("driver{k}@routemate.example"),
            name: format!("ドライバー{k}"),
            vehicle_type,
            shift_start: if k % 2 == 0 { "09:00" } else { "11:00" }.into(),
            shift_end: if k % 2 == 0 { "18:00" } else { "20:00" }.into(),
            start: Place::Store {
                store_id: store_id.into(),
            },
            end: Place::Store {
                store_id: store_id.into(),
            },
            capacity: None,
        })
        .unwrap();
    }
}

/// The plan benchmarks' 300-stop batch, ready to plan: a seeded sandbox (kept running while
/// this lives), a dispatch with its stores cached and the 20-driver fleet, and the stops on its
/// first store with a map position.
pub struct ReadyBatch {
    pub server: RunningSandbox,
    pub dispatch: Dispatch,
    pub store_id: String,
    pub stops: Vec<BatchStop>,
}

/// Readies [`ReadyBatch`] with its files in `dir`, as plan-quality and plan-options both do.
pub async fn ready_300(dir: &Path, key: &str, geo: Arc<Gazetteer>) -> ReadyBatch {
    let config = SandboxConfig {
        db_path: dir.join("sandbox.db"),
        api_key: key.into(),
        seed: Some(Seed::TokyoDay),
        geo: Some(geo.clone()).into(),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let d = Dispatch::new(
        DiaqClient::new(&server.base_url(), key).unwrap(),
        Arc::new(Cache::open(&dir.join("cache.db")).unwrap()),
        Mode::Sandbox,
        Arc::new(SystemClock),
        Some(geo),
    )
    .unwrap();
    d.sync_stores().await.unwrap();
    let demo: Vec<DriverInput> = hakobu_sandbox::demo_drivers()
        .iter()
        .map(|r| demo_driver(&r.email, &r.name, r.vehicle, r.start))
        .collect();
    d.seed_fleet(&demo).unwrap();
    let store = d
        .list_stores(None)
        .unwrap()
        .into_iter()
        .find(|s| s.location.is_some())
        .expect("a seeded store with a position");
    let at = store.location.unwrap();
    eighteen_more_drivers(&d, &store.store.id);
    ReadyBatch {
        server,
        dispatch: d,
        store_id: store.store.id,
        stops: bench_generator_stops(at.lat, at.lng),
    }
}
