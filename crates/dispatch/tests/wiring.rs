//! A saved configuration takes effect in the running app (issue 23 §1): the wiring switches
//! from the embedded sandbox to a remote DIAq (a second real sandbox) and back, on a real
//! cache file, with the real loops. Every API sits behind a counting proxy, so "the old loops
//! stopped" is what the old API saw: nothing after the switch. A switch that fails keeps the
//! app on the previous configuration, working.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hakobu_cache::{Cache, OrderFilter};
use hakobu_diaq::{StoreInput, StoreQuery};
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::wiring::{
    Configuration, EmbeddedApi, Live, Notice, Shared, StartEmbedded, WiringPart,
};
use hakobu_dispatch::{ApiConfig, ErrorCode, Mode, SystemClock, Write, Written, demo_driver};
use hakobu_geo::SharedGazetteer;
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EMBEDDED_KEY: &str = "embedded_key";
const REMOTE_KEY: &str = "remote_key";
const REMOTE_STORE: &str = "リモート商店";
const OLD_STORE: &str = "旧アカウント商店";
/// Drivers the embedded sandbox moves (each posts a fix about once a second).
const MOVING_DRIVERS: usize = 30;

/// A TCP proxy in front of an API that counts what reaches it: connections and HTTP request
/// lines. `down` refuses every request (the API unreachable).
struct Proxy {
    addr: SocketAddr,
    contacts: AtomicU64,
    down: AtomicBool,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Arc<Proxy> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Arc::new(Proxy {
            addr: listener.local_addr().unwrap(),
            contacts: AtomicU64::new(0),
            down: AtomicBool::new(false),
        });
        let counting = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                counting.contacts.fetch_add(1, Ordering::SeqCst);
                if counting.down.load(Ordering::SeqCst) {
                    continue;
                }
                let counting = counting.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut from_client, mut to_client) = client.into_split();
                    let (mut from_server, mut to_server) = server.into_split();
                    let back = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                    });
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = from_client.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let lines = buf[..n]
                            .windows(10)
                            .filter(|w| *w == b"HTTP/1.1\r\n")
                            .count();
                        counting.contacts.fetch_add(lines as u64, Ordering::SeqCst);
                        // Down cuts kept-alive connections too.
                        if counting.down.load(Ordering::SeqCst) {
                            break;
                        }
                        if to_server.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    back.abort();
                });
            }
        });
        proxy
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn contacts(&self) -> u64 {
        self.contacts.load(Ordering::SeqCst)
    }
}

/// An API that takes requests and never answers (a stuck server, a link that drops every
/// answer): what reached it is kept, and each connection stays open until the client ends it.
struct Silent {
    addr: SocketAddr,
    heard: Mutex<String>,
}

impl Silent {
    async fn start() -> Arc<Silent> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent = Arc::new(Silent {
            addr: listener.local_addr().unwrap(),
            heard: Mutex::new(String::new()),
        });
        let hearing = silent.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let hearing = hearing.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = client.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                        hearing.heard.lock().unwrap().push_str(&text);
                    }
                });
            }
        });
        silent
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn heard(&self) -> String {
        self.heard.lock().unwrap().clone()
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The embedded sandbox as the app starts it (the Tokyo day's demo), behind a proxy. The
/// calls numbered in `failing` fail for real: their database lies under a regular file.
struct Embedded {
    speeds: Mutex<Vec<Option<f64>>>,
    proxies: Mutex<Vec<Arc<Proxy>>>,
}

impl Embedded {
    fn starter(dir: &Path, failing: &'static [usize]) -> (Arc<Embedded>, StartEmbedded) {
        let seen = Arc::new(Embedded {
            speeds: Mutex::new(Vec::new()),
            proxies: Mutex::new(Vec::new()),
        });
        let good = dir.join("embedded.db");
        let blocker = dir.join("not-a-directory");
        std::fs::write(&blocker, "a file").unwrap();
        let bad = blocker.join("diaq.db");
        let record = seen.clone();
        let start: StartEmbedded = Arc::new(move |speed| {
            let record = record.clone();
            let call = {
                let mut speeds = record.speeds.lock().unwrap();
                speeds.push(speed);
                speeds.len()
            };
            let db: PathBuf = if failing.contains(&call) {
                bad.clone()
            } else {
                good.clone()
            };
            Box::pin(async move {
                let config = SandboxConfig {
                    db_path: db.clone(),
                    api_key: EMBEDDED_KEY.into(),
                    seed: Some(Seed::TokyoDay),
                    // Drivers moving, posted to the wiring's receiver as the app's sandbox
                    // posts its simulated ones: fixes keep arriving through a switch.
                    bench_drivers: MOVING_DRIVERS,
                    ..SandboxConfig::default()
                };
                let running = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
                    .await
                    .map_err(|e| format!("{}: {e}", db.display()))?;
                let proxy = Proxy::start(running.addr()).await;
                record.proxies.lock().unwrap().push(proxy.clone());
                Ok(EmbeddedApi {
                    api: ApiConfig {
                        base_url: proxy.url(),
                        api_key: EMBEDDED_KEY.into(),
                    },
                    // As the app gives it: the sandbox's RouteMate drivers.
                    demo_fleet: hakobu_sandbox::demo_drivers()
                        .iter()
                        .map(|d| demo_driver(&d.email, &d.name, d.vehicle, d.start))
                        .collect(),
                    stop: Box::new(move || Box::pin(running.shutdown())),
                })
            })
        });
        (seen, start)
    }

    fn proxy(&self, call: usize) -> Arc<Proxy> {
        self.proxies.lock().unwrap()[call].clone()
    }
}

struct Setup {
    live: Live,
    cache: Arc<Cache>,
    config_dir: PathBuf,
    notices: Arc<Mutex<Vec<&'static str>>>,
}

async fn start(dir: &Path, start_embedded: StartEmbedded) -> Setup {
    start_with(dir, start_embedded, SharedGazetteer::ready(None)).await
}

async fn start_with(dir: &Path, start_embedded: StartEmbedded, geo: SharedGazetteer) -> Setup {
    let config_dir = dir.join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let cache = Arc::new(Cache::open(&dir.join("cache.db")).unwrap());
    let notices = Arc::new(Mutex::new(Vec::new()));
    let heard = notices.clone();
    let shared = Shared {
        cache: cache.clone(),
        geo,
        clock: Arc::new(SystemClock),
        start_embedded,
        notify: Arc::new(move |n: Notice<'_>| {
            let heard_as = match n {
                Notice::OnlineChanged(true) => "online-changed: true",
                Notice::OnlineChanged(false) => "online-changed: false",
                other => other.event(),
            };
            heard.lock().unwrap().push(heard_as)
        }),
        sync_every: Duration::from_millis(100),
    };
    let configuration = resolve(&config_dir);
    let live = Live::start(shared, configuration).await.unwrap();
    Setup {
        live,
        cache,
        config_dir,
        notices,
    }
}

/// As the app resolves it: no environment variables here, the settings file only.
fn resolve(config_dir: &Path) -> Configuration {
    Configuration::resolve(|_| None, config_dir).unwrap()
}

fn save_settings(config_dir: &Path, settings: serde_json::Value) {
    std::fs::write(config_dir.join("settings.json"), settings.to_string()).unwrap();
}

/// The "remote" DIAq: a sandbox with one store of its own, behind a proxy.
async fn remote(dir: &Path) -> (RunningSandbox, Arc<Proxy>) {
    let config = SandboxConfig {
        db_path: dir.join("remote.db"),
        api_key: REMOTE_KEY.into(),
        ..SandboxConfig::default()
    };
    let running = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    DiaqClient::new(&running.base_url(), REMOTE_KEY)
        .unwrap()
        .create_store(&store_input(REMOTE_STORE))
        .await
        .unwrap();
    let proxy = Proxy::start(running.addr()).await;
    (running, proxy)
}

fn store_input(name: &str) -> StoreInput {
    StoreInput {
        store_name: Some(name.into()),
        store_address_zipcode: Some("106-0032".into()),
        store_address_prefecture: Some("東京都".into()),
        store_address_line_1: Some("港区六本木6-10-1".into()),
        store_phone: Some("03-6406-6000".into()),
        ..StoreInput::default()
    }
}

fn cached_orders(cache: &Cache) -> usize {
    cache.orders(&OrderFilter::default()).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_to_remote_switches_live_and_the_old_loops_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (embedded, starter) = Embedded::starter(dir.path(), &[]);
    let setup = start(dir.path(), starter).await;
    let live = &setup.live;
    assert_eq!(live.dispatch().status().unwrap().mode, Mode::Sandbox);
    assert!(
        live.dispatch().routemate_jobs().is_ok(),
        "the embedded sandbox's RouteMate is linked (before the switch's stopped window)"
    );
    // The embedded wiring's loop fills the cache with the demo day; its receiver takes the
    // moving drivers' fixes.
    until(
        "the embedded sandbox's orders and drivers are cached",
        || cached_orders(&setup.cache) > 0 && !live.dispatch().list_drivers().unwrap().is_empty(),
    )
    .await;
    let old = embedded.proxy(0);

    // The embedded API goes away with a write queued: that row is the old account's.
    old.down.store(true, Ordering::SeqCst);
    let queued = live
        .dispatch()
        .enqueue_write(Write::CreateStore {
            input: store_input(OLD_STORE),
        })
        .await
        .unwrap();
    assert!(matches!(queued, Written::Queued { .. }), "{queued:?}");
    // Its loop keeps trying (so the count below can move, and must not after the switch).
    let tried = old.contacts();
    until("the old loop tries the old API again", || {
        old.contacts() > tried
    })
    .await;

    let (_remote_api, remote) = remote(dir.path()).await;
    save_settings(
        &setup.config_dir,
        serde_json::json!({"diaq": {"base_url": remote.url(), "api_key": REMOTE_KEY}}),
    );
    let heard_before = setup.notices.lock().unwrap().len();
    // Held, as a command holds what it took: the switch must stop its loops (dropping the
    // last handle to a wiring would abort them anyway).
    let old_wiring = live.current();
    let rewired = live.rewire(resolve(&setup.config_dir)).await.unwrap();
    assert_eq!(rewired.mode, Mode::Remote);
    assert!(rewired.switched);
    let at_switch = old.contacts();

    let status = live.dispatch().status().unwrap();
    assert_eq!(status.mode, Mode::Remote);
    assert_eq!(status.api_base_url, remote.url());
    assert_eq!(
        live.dispatch().routemate_jobs().unwrap_err().code,
        ErrorCode::Config,
        "no RouteMate configured beside a remote DIAq: the sandbox's link is not kept"
    );
    assert_eq!(
        cached_orders(&setup.cache),
        0,
        "the demo day's orders are not shown as the remote account's"
    );
    // The new loops run: many ticks reach the remote API (long enough for a loop of the old
    // wiring, between its client's retries, to have tried the old API again), the first sync
    // is announced.
    until("the new loops have ticked many times", || {
        remote.contacts() >= 30
    })
    .await;
    assert!(
        setup.notices.lock().unwrap()[heard_before..].contains(&"orders-changed"),
        "the new wiring's first sync is announced"
    );
    assert_eq!(
        old.contacts(),
        at_switch,
        "nothing of the old wiring reached the old API after the switch"
    );
    drop(old_wiring);
    assert_eq!(
        cached_orders(&setup.cache),
        0,
        "the remote DIAq has no orders"
    );
    assert!(
        live.dispatch().list_drivers().unwrap().is_empty(),
        "no fix posted to the old receiver shows as the remote account's driver"
    );

    // The remote account's data, and the old account's write held, sent nowhere.
    let synced = live.dispatch().sync_stores().await.unwrap();
    assert_eq!(synced.count, 1);
    let stores = live.dispatch().list_stores(None).unwrap();
    assert_eq!(stores[0].store.store_name, REMOTE_STORE);
    let status = live.dispatch().status().unwrap();
    assert_eq!((status.pending_writes, status.held_writes), (0, 1));
    let on_remote = DiaqClient::new(&remote.url(), REMOTE_KEY)
        .unwrap()
        .all_stores(&StoreQuery::default())
        .await
        .unwrap();
    assert!(
        on_remote.iter().all(|s| s.store_name != OLD_STORE),
        "the old account's queued store never reached the new API"
    );

    // Saving the same configuration again changes nothing.
    let same = live.rewire(resolve(&setup.config_dir)).await.unwrap();
    assert!(!same.switched);
    live.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_switch_keeps_the_previous_configuration_working_and_a_later_save_switches() {
    let dir = tempfile::tempdir().unwrap();
    let (_remote_api, remote) = remote(dir.path()).await;
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    save_settings(
        &config_dir,
        serde_json::json!({"diaq": {"base_url": remote.url(), "api_key": REMOTE_KEY}}),
    );
    // The embedded sandbox cannot open its database (its directory is a file).
    let (embedded, starter) = Embedded::starter(dir.path(), &[1]);
    let setup = start(dir.path(), starter).await;
    let live = &setup.live;
    let before = live.dispatch();
    assert_eq!(before.status().unwrap().mode, Mode::Remote);

    save_settings(&setup.config_dir, serde_json::json!({}));
    let error = live.rewire(resolve(&setup.config_dir)).await.unwrap_err();
    assert_eq!(error.part, WiringPart::EmbeddedSandbox);
    assert!(error.message.contains("not-a-directory"), "{error}");
    assert_eq!(embedded.speeds.lock().unwrap().len(), 1);
    assert!(
        Arc::ptr_eq(&before, &live.dispatch()),
        "the running wiring was not touched"
    );
    // Its loops still run.
    let at_failure = remote.contacts();
    until("the remote API is still synced", || {
        remote.contacts() >= at_failure + 4
    })
    .await;

    // Saved again, now that the sandbox can start: remote → embedded switches.
    let remote_wiring = live.current();
    let rewired = live.rewire(resolve(&setup.config_dir)).await.unwrap();
    assert_eq!((rewired.mode, rewired.switched), (Mode::Sandbox, true));
    assert_eq!(live.dispatch().status().unwrap().mode, Mode::Sandbox);
    let at_switch = remote.contacts();
    let sandbox = embedded.proxy(0);
    until("the embedded sandbox's day is cached", || {
        cached_orders(&setup.cache) > 0 && sandbox.contacts() >= 6
    })
    .await;
    assert_eq!(remote.contacts(), at_switch, "the remote's loops stopped");
    drop(remote_wiring);
    live.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_demo_speed_restarts_the_sandbox_and_a_failed_restart_brings_the_old_one_back() {
    let dir = tempfile::tempdir().unwrap();
    // Call 2 (the first new speed) fails after the running sandbox has stopped (they share a
    // database); call 3 is the previous configuration wired again; call 4 the speed again.
    let (embedded, starter) = Embedded::starter(dir.path(), &[2]);
    let setup = start(dir.path(), starter).await;
    let live = &setup.live;
    until("the demo day is cached", || cached_orders(&setup.cache) > 0).await;

    save_settings(
        &setup.config_dir,
        serde_json::json!({"sandbox": {"demo_speed": 3.0}}),
    );
    // Held, as a command holds what it took: dropping the last handle to a wiring aborts its
    // loops too, and the check below is that the switch itself stopped them.
    let first_wiring = live.current();
    let error = live.rewire(resolve(&setup.config_dir)).await.unwrap_err();
    assert_eq!(error.part, WiringPart::EmbeddedSandbox);
    assert_eq!(
        *embedded.speeds.lock().unwrap(),
        vec![Some(10.0), Some(3.0), Some(10.0)],
        "the previous speed was wired again"
    );
    assert_eq!(live.dispatch().status().unwrap().mode, Mode::Sandbox);
    // The first sandbox has stopped, but its proxy still counts every connection a loop of
    // the first wiring would make to it.
    let first = embedded.proxy(0);
    let at_failure = first.contacts();
    let again = embedded.proxy(1);
    // Many ticks: long enough for a loop of the first wiring, between its client's retries,
    // to have tried its sandbox again.
    until("the sandbox wired again has ticked many times", || {
        again.contacts() >= 30
    })
    .await;
    assert_eq!(
        first.contacts(),
        at_failure,
        "the first sandbox's loops stopped"
    );
    drop(first_wiring);
    assert!(
        cached_orders(&setup.cache) > 0,
        "the same account keeps its cache"
    );

    let second_wiring = live.current();
    let rewired = live.rewire(resolve(&setup.config_dir)).await.unwrap();
    assert!(rewired.switched);
    assert_eq!(rewired.mode, Mode::Sandbox);
    assert_eq!(embedded.speeds.lock().unwrap()[3], Some(3.0));
    assert!(
        live.dispatch().routemate_jobs().is_ok(),
        "the restarted sandbox's RouteMate is linked (after it started, in the switch)"
    );
    let at_switch = again.contacts();
    let newest = embedded.proxy(2);
    until("the restarted sandbox has ticked many times", || {
        newest.contacts() >= 30
    })
    .await;
    assert_eq!(
        again.contacts(),
        at_switch,
        "the second sandbox's loops stopped"
    );
    drop(second_wiring);
    live.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_still_running_on_the_old_account_writes_nothing_after_the_switch() {
    let dir = tempfile::tempdir().unwrap();
    // Account A: a seeded day behind its proxy; account B: one store, no orders.
    let a_dir = dir.path().join("a");
    std::fs::create_dir_all(&a_dir).unwrap();
    let a_api = hakobu_sandbox::start(
        &SandboxConfig {
            db_path: a_dir.join("a.db"),
            api_key: EMBEDDED_KEY.into(),
            seed: Some(Seed::TokyoDay),
            ..SandboxConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let a = Proxy::start(a_api.addr()).await;
    let (_b_api, b) = remote(dir.path()).await;
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    save_settings(
        &config_dir,
        serde_json::json!({"diaq": {"base_url": a.url(), "api_key": EMBEDDED_KEY}}),
    );
    let (_, starter) = Embedded::starter(dir.path(), &[]);
    let setup = start(dir.path(), starter).await;
    let live = &setup.live;
    until("account A's orders are cached", || {
        cached_orders(&setup.cache) > 0
    })
    .await;
    // A command that took A's Dispatch before the switch and runs on after it (and A's
    // wiring held, so that its loops stop by the switch, not by its drop).
    let old = live.dispatch();
    let a_wiring = live.current();

    save_settings(
        &setup.config_dir,
        serde_json::json!({"diaq": {"base_url": b.url(), "api_key": REMOTE_KEY}}),
    );
    live.rewire(resolve(&setup.config_dir)).await.unwrap();
    assert_eq!(cached_orders(&setup.cache), 0);
    let at_switch = a.contacts();
    until("B's loops have ticked", || b.contacts() >= 6).await;
    assert_eq!(a.contacts(), at_switch, "A's loops stopped");
    drop(a_wiring);

    // A still answers, but what the old Dispatch reads is not written into B's cache.
    let late = old.sync_orders(true).await.unwrap_err();
    assert_eq!(late.code, hakobu_dispatch::ErrorCode::Config, "{late}");
    assert!(late.message.contains("switched"), "{late}");
    assert!(a.contacts() > at_switch, "the late sync did reach A");
    assert_eq!(
        cached_orders(&setup.cache),
        0,
        "none of A's orders in B's cache"
    );
    let late = old.sync_stores().await.unwrap_err();
    assert_eq!(late.code, hakobu_dispatch::ErrorCode::Config);
    assert!(setup.cache.stores(None).unwrap().is_empty());
    assert_eq!(
        old.replay_outbox().await.unwrap_err().code,
        hakobu_dispatch::ErrorCode::Config
    );
    live.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waiting_on_a_silent_old_api_does_not_hold_up_the_switch() {
    let dir = tempfile::tempdir().unwrap();
    let silent = Silent::start().await;
    let (_b_api, b) = remote(dir.path()).await;
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    save_settings(
        &config_dir,
        serde_json::json!({"diaq": {"base_url": silent.url(), "api_key": EMBEDDED_KEY}}),
    );
    let (_, starter) = Embedded::starter(dir.path(), &[]);
    let setup = start(dir.path(), starter).await;
    let live = &setup.live;
    // A command on the old account: its store is queued and sent at once, and the old API
    // takes the request and never answers.
    let old = live.dispatch();
    let command = tokio::spawn(async move {
        old.enqueue_write(Write::CreateStore {
            input: store_input(OLD_STORE),
        })
        .await
    });
    until("the old API has the store's request", || {
        silent.heard().contains("POST /v1/stores")
    })
    .await;

    save_settings(
        &setup.config_dir,
        serde_json::json!({"diaq": {"base_url": b.url(), "api_key": REMOTE_KEY}}),
    );
    // Waiting for the answer would take the client's 15 s timeout for this POST (a keyed PUT
    // or DELETE: four attempts, about a minute); the switch gives the send up instead. The
    // limit is no performance bound, only well under what waiting would take.
    let rewired = tokio::time::timeout(
        Duration::from_secs(10),
        live.rewire(resolve(&setup.config_dir)),
    )
    .await
    .expect("the switch does not wait for the old API's answer")
    .unwrap();
    assert_eq!((rewired.mode, rewired.switched), (Mode::Remote, true));
    let answered = command.await.unwrap().unwrap_err();
    assert_eq!(
        answered.code,
        hakobu_dispatch::ErrorCode::Config,
        "{answered}"
    );
    assert!(answered.message.contains("switched"), "{answered}");

    // The row stays the old account's, held; the new API never gets it.
    until("the new loops have ticked", || b.contacts() >= 6).await;
    let status = live.dispatch().status().unwrap();
    assert_eq!((status.pending_writes, status.held_writes), (0, 1));
    let on_b = DiaqClient::new(&b.url(), REMOTE_KEY)
        .unwrap()
        .all_stores(&StoreQuery::default())
        .await
        .unwrap();
    assert!(on_b.iter().all(|s| s.store_name != OLD_STORE));
    live.stop().await;
}

/// The app starts before its gazetteer is parsed (issue 23 §5), and the first sync geocodes
/// each order: the loop waits for the gazetteer off the async runtime's threads. On a runtime
/// of one thread, a wait on it would stop everything else (here: the test's own timer) until
/// the gazetteer settled.
#[tokio::test(flavor = "current_thread")]
async fn the_first_sync_waits_for_a_loading_gazetteer_without_holding_the_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let (_embedded, starter) = Embedded::starter(dir.path(), &[]);
    let (geo, settle) = SharedGazetteer::loading();
    // The file "parses" for as long as a watchdog allows: if the runtime's one thread is held
    // waiting for it, only this settles it.
    let watchdog_fired = Arc::new(AtomicBool::new(false));
    let (parsed, parse) = std::sync::mpsc::channel::<()>();
    let watchdog = {
        let fired = watchdog_fired.clone();
        std::thread::spawn(move || {
            if parse.recv_timeout(Duration::from_secs(10)).is_err() {
                fired.store(true, Ordering::SeqCst);
            }
            settle.done(None);
        })
    };
    let setup = start_with(dir.path(), starter, geo.clone()).await;
    // The loops run (they are spawned on this thread); a timer still fires meanwhile.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !watchdog_fired.load(Ordering::SeqCst),
        "the runtime's thread was held until the gazetteer settled"
    );
    assert!(!geo.is_settled());
    assert_eq!(
        cached_orders(&setup.cache),
        0,
        "synced before the gazetteer settled"
    );
    parsed.send(()).unwrap();
    watchdog.join().unwrap();
    until("the first sync, once the gazetteer settled", || {
        cached_orders(&setup.cache) > 0
    })
    .await;
}

/// Neither the saved configuration nor the previous one starts again (the embedded sandbox
/// cannot open its database twice over): the app stays on the previous configuration without
/// its API — the cache reads, a write queues for the account, the status says offline — not on
/// the instance the switch retired, which would refuse everything; a later save switches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_neither_configuration_starts_the_app_runs_offline_on_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    // Call 2 (the new speed) and call 3 (the previous one wired again) fail; call 4 starts.
    let (embedded, starter) = Embedded::starter(dir.path(), &[2, 3]);
    let setup = start(dir.path(), starter).await;
    let live = &setup.live;
    // Announced once the whole first sync is written (deliveries and fetches are written one
    // kind after the other: a count read between them would be short).
    until("the demo day is cached", || {
        setup.notices.lock().unwrap().contains(&"orders-changed")
    })
    .await;
    let cached = cached_orders(&setup.cache);
    assert!(cached > 0);

    save_settings(
        &setup.config_dir,
        serde_json::json!({"sandbox": {"demo_speed": 3.0}}),
    );
    let error = live.rewire(resolve(&setup.config_dir)).await.unwrap_err();
    assert!(
        error.message.contains("did not start again either"),
        "{error}"
    );
    assert_eq!(embedded.speeds.lock().unwrap().len(), 3);
    let offline = live.dispatch();
    let status = offline.status().unwrap();
    assert_eq!(status.mode, Mode::Sandbox);
    assert!(!status.online, "{status:?}");
    // The cache still reads as the previous account's, and a write queues for it.
    // Not emptied for a new account (nothing refills it offline). A webhook confirmed before
    // the first sync could have announced early, so the day may have grown after `cached`.
    let kept = cached_orders(&setup.cache);
    assert!(
        kept >= cached,
        "the cache was kept: {kept} of {cached} orders"
    );
    let queued = offline
        .enqueue_write(Write::CreateStore {
            input: store_input(OLD_STORE),
        })
        .await
        .unwrap();
    assert!(matches!(queued, Written::Queued { .. }), "{queued:?}");

    // Saved again, and the sandbox can start: it switches, and the queued write is sent.
    save_settings(
        &setup.config_dir,
        serde_json::json!({"sandbox": {"demo_speed": 5.0}}),
    );
    let rewired = live.rewire(resolve(&setup.config_dir)).await.unwrap();
    assert_eq!((rewired.mode, rewired.switched), (Mode::Sandbox, true));
    until("the queued store reaches the sandbox started again", || {
        live.dispatch()
            .list_stores(None)
            .unwrap()
            .iter()
            .any(|s| s.store.store_name == OLD_STORE)
    })
    .await;
    live.stop().await;
}

/// The demo fleet seeded into an empty cache at start is announced as `fleet-changed`, as a
/// saved driver is, so a fleet tab opened before the seeding counts it; a start that finds
/// the fleet already there (the app opened again) seeds and announces nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_the_demo_fleet_is_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let demo = hakobu_sandbox::demo_drivers().len();
    assert!(demo > 0);
    let fleet_notices = |setup: &Setup| -> usize {
        setup
            .notices
            .lock()
            .unwrap()
            .iter()
            .filter(|n| **n == "fleet-changed")
            .count()
    };

    let (_, starter) = Embedded::starter(dir.path(), &[]);
    let first = start(dir.path(), starter).await;
    assert_eq!(first.live.dispatch().list_fleet().unwrap().len(), demo);
    assert_eq!(
        fleet_notices(&first),
        1,
        "{:?}",
        first.notices.lock().unwrap()
    );
    first.live.stop().await;

    let (_, starter) = Embedded::starter(dir.path(), &[]);
    let again = start(dir.path(), starter).await;
    assert_eq!(again.live.dispatch().list_fleet().unwrap().len(), demo);
    assert_eq!(
        fleet_notices(&again),
        0,
        "{:?}",
        again.notices.lock().unwrap()
    );
    again.live.stop().await;
}

/// The window hears the API stop answering and answer again: the status bar and the map said
/// "online" until something else made the window ask. Only flips are told, not every tick.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_hears_when_the_api_stops_answering_and_when_it_answers_again() {
    let dir = tempfile::tempdir().unwrap();
    let (embedded, starter) = Embedded::starter(dir.path(), &[]);
    let setup = start(dir.path(), starter).await;
    let heard = |what: &str| {
        setup
            .notices
            .lock()
            .unwrap()
            .iter()
            .filter(|n| **n == what)
            .count()
    };
    until("the first answer is told", || {
        heard("online-changed: true") == 1
    })
    .await;
    assert!(setup.live.dispatch().status().unwrap().online);

    let api = embedded.proxy(0);
    api.down.store(true, Ordering::SeqCst);
    until("no answer is told", || heard("online-changed: false") == 1).await;
    assert!(!setup.live.dispatch().status().unwrap().online);
    // The loop keeps asking (every 100 ms here) and keeps getting no answer: told once.
    let tried = api.contacts();
    until("the loop asks three more times", || {
        api.contacts() >= tried + 3
    })
    .await;
    assert_eq!(heard("online-changed: false"), 1, "only the flip is told");

    api.down.store(false, Ordering::SeqCst);
    until("the answer again is told", || {
        heard("online-changed: true") == 2
    })
    .await;
    assert!(setup.live.dispatch().status().unwrap().online);
    assert_eq!(heard("online-changed: false"), 1);
}
