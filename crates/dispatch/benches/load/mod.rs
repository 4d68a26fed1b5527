//! The list's reads while the app is at its busiest (issue 23 §2): `list_orders` timed on the
//! calling thread, as the window's command runs it, while full syncs of the sandbox's
//! deliveries rewrite the cache and signed `driver.location` webhooks arrive at a set rate,
//! each a write of its own. Beside it, the same reads with nothing else running.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hakobu_cache::{Cache, OrderFilter};
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Dispatch, Mode, SystemClock, WebhookSecret, tokyo_rfc3339};
use hakobu_geo::Gazetteer;
use rand::SeedableRng;
use serde_json::json;

/// Signed webhooks a second during the loaded reads.
pub const WEBHOOKS_PER_SECOND: u64 = 200;
/// Full syncs run back to back while the reads are timed.
pub const LOADED_SYNCS: usize = 3;
/// Reads timed with nothing else running.
const IDLE_READS: usize = 300;
/// The loaded reads' cadence: 200 reads a second at most.
pub const READ_EVERY: Duration = Duration::from_millis(5);
/// Simulated drivers the location events move.
const DRIVERS: u64 = 50;

pub struct LoadTiming {
    pub idle: Vec<Duration>,
    pub loaded: Vec<Duration>,
    /// Webhooks posted and answered 200 while the reads were timed, and how long that took.
    pub webhooks_ok: usize,
    /// Of those posted while the reads were timed, answered 200 in the end (the poster waits
    /// for every answer): more than `webhooks_ok` means the intake fell behind the rate.
    pub webhooks_ok_in_the_end: usize,
    pub webhooks_sent: usize,
    pub loaded_for: Duration,
    pub orders: usize,
}

pub fn pct(samples: &[Duration], p: f64) -> f64 {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    if ms.is_empty() {
        return f64::NAN;
    }
    ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1]
}

/// What the window's list asks for most: the first page of one kind, in window order.
fn first_page() -> OrderFilter {
    OrderFilter {
        kind: Some("delivery".into()),
        limit: Some(200),
        ..OrderFilter::default()
    }
}

pub fn reads_under_load(
    rt: &tokio::runtime::Runtime,
    base: &str,
    key: &str,
    dir: &Path,
    geo: Arc<Gazetteer>,
) -> LoadTiming {
    let cache = Arc::new(Cache::open(&dir.join("load.db")).unwrap());
    let dispatch = Arc::new(
        Dispatch::new(
            DiaqClient::new(base, key).unwrap(),
            cache,
            Mode::Sandbox,
            Arc::new(SystemClock),
            Some(geo),
        )
        .unwrap(),
    );
    let orders = rt.block_on(dispatch.sync_orders(true)).unwrap().deliveries;

    dispatch.list_orders(&first_page()).unwrap();
    let idle = (0..IDLE_READS)
        .map(|_| {
            let t = Instant::now();
            let rows = dispatch.list_orders(&first_page()).unwrap();
            assert_eq!(rows.len(), 200);
            t.elapsed()
        })
        .collect();

    let secret = WebhookSecret::generate(&mut rand::rngs::StdRng::from_os_rng());
    let receiver = rt
        .block_on(dispatch.serve_webhooks(secret.clone()))
        .unwrap();
    let url = receiver.url().to_owned();
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, ok) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // The poster has a thread and a runtime of its own: on the shared runtime the syncs' work
    // starved its ticks (141/s of the 200 asked for, 2026-12-07).
    let poster = {
        let (stop, sent, ok) = (stop.clone(), sent.clone(), ok.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(post_locations(url, secret, stop, sent, ok));
        })
    };
    let syncing = {
        let (dispatch, stop) = (dispatch.clone(), stop.clone());
        rt.spawn(async move {
            for _ in 0..LOADED_SYNCS {
                dispatch.sync_orders(true).await.unwrap();
            }
            stop.store(true, Ordering::Relaxed);
        })
    };
    let started = Instant::now();
    let (sent_before, ok_before) = (sent.load(Ordering::Relaxed), ok.load(Ordering::Relaxed));
    let mut loaded = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        let rows = dispatch.list_orders(&first_page()).unwrap();
        let took = t.elapsed();
        loaded.push(took);
        assert_eq!(rows.len(), 200);
        // A read at most every READ_EVERY, as a window re-reading on every change at most
        // would: reads back to back kept a whole core, and the webhooks could not arrive at
        // their rate beside the syncs on two cores.
        std::thread::sleep(READ_EVERY.saturating_sub(took));
    }
    let loaded_for = started.elapsed();
    let (webhooks_sent, webhooks_ok) = (
        sent.load(Ordering::Relaxed) - sent_before,
        ok.load(Ordering::Relaxed) - ok_before,
    );
    poster.join().unwrap();
    let webhooks_ok_in_the_end = ok.load(Ordering::Relaxed) - ok_before;
    rt.block_on(async {
        syncing.await.unwrap();
        receiver.shutdown().await;
    });
    LoadTiming {
        idle,
        loaded,
        webhooks_ok,
        webhooks_ok_in_the_end,
        webhooks_sent,
        loaded_for,
        orders,
    }
}

/// Posts signed `driver.location` events at [`WEBHOOKS_PER_SECOND`] until `stop`, each on a
/// task of its own so that a slow answer does not lower the rate; `sent` counts each as it
/// goes out, `ok` each answered 200.
async fn post_locations(
    url: String,
    secret: WebhookSecret,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    ok: Arc<AtomicUsize>,
) {
    let http = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / WEBHOOKS_PER_SECOND));
    let mut posts = tokio::task::JoinSet::new();
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        n += 1;
        let now = tokyo_rfc3339(chrono::Utc::now());
        let step = (n / DRIVERS) as f64 * 1e-5;
        let body = json!({"event": "driver.location", "created_at": now,
            "driver": {"id": n % DRIVERS + 1, "name": "ベンチ 運転手",
                "location": {"latitude": 35.66 + step, "longitude": 139.70 + step,
                             "update": now}}})
        .to_string();
        let id = format!("msg_load_{n}");
        let ts = chrono::Utc::now().timestamp();
        let signature = secret.sign(&id, ts, body.as_bytes());
        let (http, url, ok) = (http.clone(), url.clone(), ok.clone());
        sent.fetch_add(1, Ordering::Relaxed);
        posts.spawn(async move {
            let answered = http
                .post(url)
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", ts.to_string())
                .header("webhook-signature", signature)
                .body(body)
                .send()
                .await;
            if answered.is_ok_and(|r| r.status().as_u16() == 200) {
                ok.fetch_add(1, Ordering::Relaxed);
            }
        });
        while posts.try_join_next().is_some() {}
    }
    while posts.join_next().await.is_some() {}
}
