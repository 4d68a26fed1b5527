//! `cargo bench -p hakobu-dispatch --bench dispatch` (release). Writes
//! crates/dispatch/BENCHMARKS.md.
//!
//! Targets (issue 6): a full sync of 10,000 deliveries from the sandbox into a fresh cache file
//! ≤ 3 s; board and search queries over 50,000 cached deliveries p95 ≤ 20 ms.
//!
//! The sync runs the real client against the real sandbox over loopback (in this process, on
//! its own runtime), geocoding every customer into a real cache file, exactly as the app does.
//! The query part fills a cache file with 50,000 orders shaped like the sandbox's (12 stores,
//! 14 window dates, the lifecycle's statuses, Japanese names and addresses) and times the
//! queries the board, its counters and its search box make.
//!
//! Target (issue 23 §2): `list_orders` p99 ≤ 50 ms while a full sync of 10,000 deliveries runs
//! and 200 signed webhooks arrive a second (`load/`).

mod load;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hakobu_cache::{
    Cache, CachedOrder, LateFilter, OrderFilter, OrderSelection, OrderSort, OrderSortKey,
};
use hakobu_diaq::Status;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Dispatch, Mode, SystemClock};
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{CapacityConfig, SandboxConfig, Seed};
use serde_json::{Value, json};

const SYNC_DELIVERIES: usize = 10_000;
const SYNC_RUNS: usize = 3;
const CACHED_ORDERS: usize = 50_000;
const QUERY_RUNS: usize = 200;
const CONCURRENCY: usize = 16;

/// Real Tokyo addresses (town + block), so geocoding costs what it costs in the app.
const ADDRESSES: &[(&str, &str)] = &[
    ("106-0044", "港区東麻布1-5-2"),
    ("150-0001", "渋谷区神宮前1-19-11"),
    ("160-0023", "新宿区西新宿2-8-1"),
    ("104-0061", "中央区銀座4-6-16"),
    ("113-0033", "文京区本郷7-3-1"),
    ("130-0022", "墨田区江東橋3-14-5"),
    ("135-0064", "江東区青海1-1-10"),
    ("141-0021", "品川区上大崎2-16-9"),
    ("153-0064", "目黒区下目黒1-8-1"),
    ("154-0004", "世田谷区太子堂4-1-1"),
    ("164-0001", "中野区中野4-1-1"),
    ("166-0003", "杉並区高円寺南4-27-13"),
    ("170-0013", "豊島区東池袋1-1-25"),
    ("114-0002", "北区王子1-4-1"),
    ("120-0034", "足立区千住2-58"),
    ("124-0012", "葛飾区立石7-1-1"),
    ("132-0035", "江戸川区平井3-25-20"),
    ("144-0052", "大田区蒲田5-13-14"),
    ("173-0004", "板橋区板橋2-66-1"),
    ("176-0001", "練馬区練馬1-17-1"),
];
const LAST_NAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
];
const FIRST_NAMES: &[&str] = &["太郎", "花子", "健", "美咲", "翔太", "陽菜", "大輔", "結衣"];
const STATUSES: &[&str] = &[
    "created",
    "assigned",
    "collecting",
    "arrived_origin",
    "delivering",
    "arrived_goal",
    "delivered",
    "canceled",
    "returning",
    "returned",
];

fn store_id(i: usize) -> String {
    format!("5eed0000-0000-4000-8000-{:012}", i % 12 + 1)
}

fn order_body(i: usize, today: chrono::NaiveDate) -> Value {
    let (zip, line_1) = ADDRESSES[i % ADDRESSES.len()];
    let date = today + chrono::Duration::days(1 + (i % 13) as i64);
    json!({
        "store_id": store_id(i),
        "ready_by": format!("{}T{:02}:00:00+09:00", date.format("%Y-%m-%d"), 9 + i % 8),
        "customer": {"address_zipcode": zip, "address_prefecture": "東京都",
                     "address_line_1": line_1, "address_line_2": format!("{}号室", 100 + i % 900),
                     "last_name": LAST_NAMES[i % LAST_NAMES.len()],
                     "first_name": FIRST_NAMES[i % FIRST_NAMES.len()],
                     "phone": format!("090-{:04}-{:04}", i / 10_000, i % 10_000)},
        "packages": [{"service_brand": "80サイズ", "order_reference": format!("BENCH-{i:06}"),
                      "name": "衣料", "boxes": 1 + i % 3, "number": 1}]
    })
}

/// Fills the sandbox with `n` deliveries through its API (estimate, then create on the hold).
async fn fill_sandbox(base: &str, key: &str, n: usize) {
    let http = reqwest::Client::new();
    let today = hakobu_diaq::time::from_utc(chrono::Utc::now()).date_naive();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (http, next) = (http.clone(), next.clone());
            let (base, key) = (base.to_owned(), key.to_owned());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let mut body = order_body(i, today);
                    let estimate: Value = http
                        .post(format!("{base}/v1/delivery_estimates/"))
                        .header("Api-Key", &key)
                        .json(&body)
                        .send()
                        .await
                        .expect("estimate")
                        .json()
                        .await
                        .expect("estimate body");
                    body["delivery_window_id"] = estimate["delivery_windows"][0]["id"].clone();
                    let r = http
                        .post(format!("{base}/v1/deliveries/"))
                        .header("Api-Key", &key)
                        .json(&body)
                        .send()
                        .await
                        .expect("create");
                    assert!(r.status().is_success(), "create {i}: {}", r.status());
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
}

struct Timing {
    name: String,
    samples: Vec<Duration>,
    rows: usize,
}

impl Timing {
    fn pct(&self, p: f64) -> f64 {
        let mut s = self.samples.clone();
        s.sort();
        let i = ((s.len() as f64 - 1.0) * p).round() as usize;
        s[i].as_secs_f64() * 1000.0
    }
}

fn time_query(name: &str, runs: usize, mut f: impl FnMut(usize) -> usize) -> Timing {
    let mut samples = Vec::with_capacity(runs);
    let mut rows = 0;
    f(0); // warm the page cache and the statement
    for i in 0..runs {
        let t = Instant::now();
        rows = f(i);
        samples.push(t.elapsed());
    }
    Timing {
        name: name.to_owned(),
        samples,
        rows,
    }
}

fn synthetic_order(i: usize, today: chrono::NaiveDate) -> CachedOrder {
    let (zip, line_1) = ADDRESSES[i % ADDRESSES.len()];
    let date = today + chrono::Duration::days((i % 14) as i64);
    let hour = 9 + (i / 14) % 12;
    let starts = format!("{}T{hour:02}:00:00+09:00", date.format("%Y-%m-%d"));
    let ends = format!("{}T{:02}:00:00+09:00", date.format("%Y-%m-%d"), hour + 1);
    let name = format!(
        "{} {}",
        LAST_NAMES[i % LAST_NAMES.len()],
        FIRST_NAMES[(i / 7) % FIRST_NAMES.len()]
    );
    let phone = format!("090-{:04}-{:04}", (i * 7919) % 10_000, i % 10_000);
    let tracking = format!(
        "{:012}",
        100_000_000_000u64 + (i as u64 * 7_654_321) % 899_999_999_999
    );
    let reference = format!("ORD-{i:07}");
    let address = format!("東京都{line_1} {}号室", 100 + i % 900);
    let body = json!({
        "id": format!("bench-{i:08}"), "tracking_code": tracking, "status": STATUSES[i % 10],
        "store": {"store_id": store_id(i / 3),
                  "store_name": format!("ハコブ商店 {}号店", (i / 3) % 12 + 1)},
        "customer": {"address_zipcode": zip, "phone": phone},
        "packages": [{"order_reference": reference}]
    });
    CachedOrder {
        id: format!("bench-{i:08}"),
        kind: "delivery".into(),
        store_id: store_id(i / 3),
        status: STATUSES[(i * 31) % 10].into(),
        tracking_code: tracking,
        window_starts_at: Some(starts),
        window_ends_at: ends,
        window_date: date.format("%Y-%m-%d").to_string(),
        customer_name: name,
        customer_phone: phone,
        customer_address: address,
        order_refs: vec![reference],
        customer_lat: Some(35.6 + (i % 100) as f64 * 0.001),
        customer_lng: Some(139.7 + (i % 97) as f64 * 0.001),
        api_update: "2026-11-23T09:00:00+09:00".into(),
        body,
        fetched_at: "2026-11-23T09:00:00+09:00".into(),
    }
}

fn queries(dir: &Path) -> Vec<Timing> {
    let cache = Cache::open(&dir.join("queries.db")).unwrap();
    let today = hakobu_diaq::time::from_utc(chrono::Utc::now()).date_naive();
    let orders: Vec<CachedOrder> = (0..CACHED_ORDERS)
        .map(|i| synthetic_order(i, today))
        .collect();
    cache.replace_orders("delivery", &orders).unwrap();
    let dates: Vec<String> = (0..14)
        .map(|d| {
            (today + chrono::Duration::days(d))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let board = |f: OrderFilter| cache.orders(&f).unwrap().len();
    let page = |selection: &OrderSelection, sort: OrderSort, offset: u32| {
        cache
            .order_page(selection, sort, offset, 200)
            .unwrap()
            .len()
    };
    // Noon on the first day: some windows over, some about to end, most to come.
    let noon = hakobu_diaq::time::at_hour(today, 12).with_timezone(&chrono::Utc);
    vec![
        time_query(
            "board: one date, all stores, first 200 rows",
            QUERY_RUNS,
            |i| {
                board(OrderFilter {
                    kind: Some("delivery".into()),
                    window_date: Some(dates[i % 14].clone()),
                    limit: Some(200),
                    ..OrderFilter::default()
                })
            },
        ),
        time_query("board: one date × store × 3 statuses", QUERY_RUNS, |i| {
            board(OrderFilter {
                kind: Some("delivery".into()),
                window_date: Some(dates[i % 14].clone()),
                store_id: Some(store_id(i)),
                statuses: Some(vec![
                    "created".into(),
                    "assigned".into(),
                    "delivering".into(),
                ]),
                ..OrderFilter::default()
            })
        }),
        time_query("counts per status, one date", QUERY_RUNS, |i| {
            cache
                .order_counts("delivery", Some(&dates[i % 14]))
                .unwrap()
                .len()
        }),
        time_query("counts per status, all dates", QUERY_RUNS, |_| {
            cache.order_counts("delivery", None).unwrap().len()
        }),
        time_query(
            "search: full name typed without the space",
            QUERY_RUNS,
            |i| {
                let n = (i * 7_919) % CACHED_ORDERS;
                board(OrderFilter {
                    search: Some(format!(
                        "{}{}",
                        LAST_NAMES[n % LAST_NAMES.len()],
                        FIRST_NAMES[(n / 7) % FIRST_NAMES.len()]
                    )),
                    limit: Some(200),
                    ..OrderFilter::default()
                })
            },
        ),
        time_query("search: tracking code (6 digits)", QUERY_RUNS, |i| {
            let code = orders[(i * 977) % CACHED_ORDERS].tracking_code.clone();
            board(OrderFilter {
                search: Some(code[3..9].to_owned()),
                limit: Some(200),
                ..OrderFilter::default()
            })
        }),
        time_query("search: order reference (exact)", QUERY_RUNS, |i| {
            board(OrderFilter {
                search: Some(format!("ORD-{:07}", (i * 211) % CACHED_ORDERS)),
                ..OrderFilter::default()
            })
        }),
        time_query("search: phone (last 4 digits)", QUERY_RUNS, |i| {
            board(OrderFilter {
                search: Some(format!("{:04}", (i * 37) % 10_000)),
                limit: Some(200),
                ..OrderFilter::default()
            })
        }),
        time_query("search: address (ward + town)", QUERY_RUNS, |i| {
            let line = ADDRESSES[i % ADDRESSES.len()].1;
            board(OrderFilter {
                search: Some(line.chars().take(5).collect()),
                limit: Some(200),
                ..OrderFilter::default()
            })
        }),
        time_query(
            "search: family name, 2 characters (short-search index)",
            QUERY_RUNS,
            |i| {
                board(OrderFilter {
                    search: Some(LAST_NAMES[i % LAST_NAMES.len()].to_owned()),
                    limit: Some(200),
                    ..OrderFilter::default()
                })
            },
        ),
        time_query(
            "list: all dates by window, first 200, exact total",
            QUERY_RUNS,
            |i| {
                let selection = OrderSelection::default();
                cache.order_count(&selection).unwrap();
                let sort = OrderSort {
                    key: OrderSortKey::Window,
                    descending: i % 2 == 1,
                };
                page(&selection, sort, 0)
            },
        ),
        time_query(
            "list: all dates, at risk or late, first 200, exact total",
            QUERY_RUNS,
            |i| {
                let selection = OrderSelection {
                    late: LateFilter::AtRiskOrLate,
                    now: noon + chrono::Duration::hours((i % 12) as i64),
                    ..OrderSelection::default()
                };
                cache.order_count(&selection).unwrap();
                page(&selection, OrderSort::default(), 0)
            },
        ),
        time_query(
            "list: all dates by customer, a page deep in (offset 20000), exact total",
            QUERY_RUNS,
            |i| {
                let selection = OrderSelection::default();
                cache.order_count(&selection).unwrap();
                let sort = OrderSort {
                    key: OrderSortKey::Customer,
                    descending: i % 2 == 1,
                };
                page(&selection, sort, 20_000)
            },
        ),
        time_query(
            "list: all dates by store name, first 200",
            QUERY_RUNS,
            |_| {
                let sort = OrderSort {
                    key: OrderSortKey::Store,
                    descending: false,
                };
                page(&OrderSelection::default(), sort, 0)
            },
        ),
        time_query(
            "board: one date, counts per status + first 100 cards of each",
            QUERY_RUNS,
            |i| {
                let day = OrderSelection {
                    window_date: Some(dates[i % 14].clone()),
                    ..OrderSelection::default()
                };
                cache.status_counts(&day).unwrap();
                Status::ALL
                    .iter()
                    .map(|s| {
                        let column = OrderSelection {
                            statuses: vec![s.as_str().to_owned()],
                            ..day.clone()
                        };
                        cache
                            .order_page(&column, OrderSort::default(), 0, 100)
                            .unwrap()
                            .len()
                    })
                    .sum()
            },
        ),
        time_query(
            "late counts: at risk and late over every order",
            QUERY_RUNS,
            |i| {
                let count = |late| {
                    cache
                        .order_count(&OrderSelection {
                            late,
                            now: noon + chrono::Duration::minutes((i % 600) as i64),
                            ..OrderSelection::default()
                        })
                        .unwrap()
                };
                usize::try_from(count(LateFilter::AtRiskOrLate) + count(LateFilter::Late))
                    .unwrap_or(0)
            },
        ),
        time_query(
            "keys: every order of one date (select all)",
            QUERY_RUNS,
            |i| {
                cache
                    .order_keys(
                        &OrderSelection {
                            window_date: Some(dates[i % 14].clone()),
                            ..OrderSelection::default()
                        },
                        OrderSort::default(),
                        hakobu_cache::MAX_KEYS,
                    )
                    .unwrap()
                    .len()
            },
        ),
        time_query(
            "search: 1 character (short-search index, prefix)",
            QUERY_RUNS,
            |i| {
                board(OrderFilter {
                    search: Some(
                        FIRST_NAMES[i % FIRST_NAMES.len()]
                            .chars()
                            .next()
                            .unwrap()
                            .to_string(),
                    ),
                    limit: Some(200),
                    ..OrderFilter::default()
                })
            },
        ),
    ]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let geo = Arc::new(
        Gazetteer::load(&Gazetteer::default_path())
            .unwrap_or_else(|e| panic!("{e}: run `make data` first")),
    );
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: "bench".into(),
        seed: Some(Seed::Tokyo),
        capacity: CapacityConfig {
            per_hour: 1_000_000,
            anytime_per_day: 1_000_000,
            ..CapacityConfig::default()
        },
        geo: Some(geo.clone()).into(),
        ..SandboxConfig::default()
    };
    let server = server_rt
        .block_on(hakobu_sandbox::start(
            &config,
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let base = server.base_url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let filled = Instant::now();
    rt.block_on(fill_sandbox(&base, "bench", SYNC_DELIVERIES));
    eprintln!(
        "filled the sandbox with {SYNC_DELIVERIES} deliveries in {:.1} s",
        filled.elapsed().as_secs_f64()
    );

    let mut syncs = Vec::new();
    for run in 0..SYNC_RUNS {
        let cache = Arc::new(Cache::open(&dir.path().join(format!("sync-{run}.db"))).unwrap());
        let client = DiaqClient::new(&base, "bench").unwrap();
        let dispatch = Dispatch::new(
            client,
            cache.clone(),
            Mode::Sandbox,
            Arc::new(SystemClock),
            Some(geo.clone()),
        )
        .unwrap();
        let t = Instant::now();
        let report = rt.block_on(dispatch.sync_orders(true)).unwrap();
        let took = t.elapsed();
        assert_eq!(report.deliveries, SYNC_DELIVERIES);
        let cached = cache
            .orders(&OrderFilter {
                search: Some("BENCH-000042".into()),
                ..OrderFilter::default()
            })
            .unwrap();
        assert_eq!(cached.len(), 1, "the synced rows are searchable");
        eprintln!("full sync {run}: {:.2} s", took.as_secs_f64());
        syncs.push(took);
    }
    syncs.sort();
    let incremental = {
        let cache = Arc::new(Cache::open(&dir.path().join("sync-0.db")).unwrap());
        let client = DiaqClient::new(&base, "bench").unwrap();
        let dispatch = Dispatch::new(
            client,
            cache,
            Mode::Sandbox,
            Arc::new(SystemClock),
            Some(geo.clone()),
        )
        .unwrap();
        let t = Instant::now();
        rt.block_on(dispatch.sync_orders(false)).unwrap();
        t.elapsed()
    };
    let under_load = load::reads_under_load(&rt, &base, "bench", dir.path(), geo.clone());
    eprintln!(
        "list_orders under load: p99 {:.2} ms ({} reads; idle p99 {:.2} ms)",
        load::pct(&under_load.loaded, 0.99),
        under_load.loaded.len(),
        load::pct(&under_load.idle, 0.99),
    );
    rt.block_on(server.shutdown());

    let timings = queries(dir.path());
    for t in &timings {
        eprintln!(
            "{}: p50 {:.2} ms, p95 {:.2} ms",
            t.name,
            t.pct(0.5),
            t.pct(0.95)
        );
    }

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = chrono::Utc::now().format("%Y-%m-%d");
    // Other work on the machine shows in the numbers: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    let secs = |d: Duration| format!("{:.2}", d.as_secs_f64());
    let mut md = format!(
        "# hakobu-dispatch benchmarks\n\n`cargo bench -p hakobu-dispatch --bench dispatch` \
         (written by it).\n\nMachine: {cpu}, {cores} cores. Date: {date}. Load average (1 min) at the end: {load}.\n\n\
         ## Sync of {SYNC_DELIVERIES} deliveries (target ≤ 3 s)\n\n\
         The real client pages through `GET /v1/deliveries` (100 per page) from the sandbox in \
         this process over loopback, geocodes every customer with hakobu-geo and writes a fresh \
         cache file (WAL, one transaction). {SYNC_RUNS} runs, each into a new file.\n\n\
         | sync | best s | median s | worst s |\n|---|---:|---:|---:|\n\
         | full, {SYNC_DELIVERIES} deliveries | {} | {} | {} |\n\
         | recent (windows from yesterday on) over the filled cache | {} | | |\n\n\
         ## Board and search over {CACHED_ORDERS} cached deliveries (target p95 ≤ 20 ms)\n\n\
         {QUERY_RUNS} runs per query after one warm-up, varying the date, store and search text \
         per run; `rows` is what the last run returned (list pages are capped at 200 rows, \
         search results likewise; for the board, the cards of its ten columns; for the late \
         counts, their sum; for keys, how many). `now` for late risk is noon on the first \
         date or later.\n\n\
         | query | rows | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|\n",
        secs(syncs[0]),
        secs(syncs[SYNC_RUNS / 2]),
        secs(syncs[SYNC_RUNS - 1]),
        secs(incremental),
    );
    for t in &timings {
        md.push_str(&format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} |\n",
            t.name,
            t.rows,
            t.pct(0.5),
            t.pct(0.95),
            t.pct(1.0)
        ));
    }
    let l = &under_load;
    md.push_str(&format!(
        "\n## The list's reads under load (target p99 ≤ 50 ms)\n\n\
         `list_orders` (the first 200 deliveries in window order, as the list command asks) on \
         the calling thread over a cache of {} deliveries: idle (back to back), then at most one \
         read every {} ms while {} full syncs of them run back to back ({:.1} s) and signed \
         `driver.location` webhooks are posted from a thread of their own, aiming at {}/s ({} \
         posted, {:.0}/s achieved; {} answered 200 while the reads ran, {} in the end). The views \
         read through a connection of \
         their own (WAL), so a sync's write transaction does not hold them up.\n\n\
         | reads | samples | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n",
        l.orders,
        load::READ_EVERY.as_millis(),
        load::LOADED_SYNCS,
        l.loaded_for.as_secs_f64(),
        load::WEBHOOKS_PER_SECOND,
        l.webhooks_sent,
        l.webhooks_sent as f64 / l.loaded_for.as_secs_f64(),
        l.webhooks_ok,
        l.webhooks_ok_in_the_end,
    ));
    for (name, samples) in [("idle", &l.idle), ("during syncs + webhooks", &l.loaded)] {
        md.push_str(&format!(
            "| {name} | {} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
            samples.len(),
            load::pct(samples, 0.5),
            load::pct(samples, 0.95),
            load::pct(samples, 0.99),
            load::pct(samples, 1.0),
        ));
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    std::fs::write(&out, md).unwrap();
    eprintln!("wrote {}", out.display());
}
