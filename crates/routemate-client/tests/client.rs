//! The client against the real sandbox on port 0 with real SQLite files: the token kept,
//! renewed before expiry and replaced after a 401; a lost import answer retried under its
//! key into one job; the server's refusals as typed errors; geocoding warnings; and stop
//! progress (sandbox routes and simulated drivers) seen through the job's counts. Tokens are
//! counted in the sandbox's own database; time is moved with one ManualClock per side.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hakobu_geo::Gazetteer;
use hakobu_routemate::{ImportRequest, ImportStop, JobStatus, StopStatus};
use hakobu_routemate_client::{
    ManualClock, RetryPolicy, RouteMateClient, RouteMateError, create_sandbox_credentials,
};
use hakobu_sandbox::{
    ManualClock as SandboxClock, RouteMateClient as SandboxCredentials, RouteMateConfig,
    RunningSandbox, SandboxConfig, Seed,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "k_rm_client";
const CLIENT_ID: &str = "rm_ci_hakobu_test";
const CLIENT_SECRET: &str = "rm_cs_hakobu_test_secret";
/// A Tokyo seed driver.
const DRIVER: &str = "tanaka.kenta@routemate.example";
const NOW: &str = "2026-11-23T09:10:00+09:00";

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

struct Peer {
    server: RunningSandbox,
    clock: Arc<SandboxClock>,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Peer {
    async fn start(simulate: Option<f64>) -> Peer {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(SandboxClock::new(hakobu_diaq::time::parse(NOW).unwrap()));
        let db = dir.path().join("sandbox.db");
        let config = SandboxConfig {
            db_path: db.clone(),
            api_key: KEY.into(),
            seed: Some(Seed::Tokyo),
            clock: Some(clock.clone()),
            geo: Some(geo()).into(),
            simulate,
            routemate: RouteMateConfig {
                clients: vec![SandboxCredentials {
                    client_id: CLIENT_ID.into(),
                    client_secret: CLIENT_SECRET.into(),
                }],
                drivers: vec![],
            },
            ..SandboxConfig::default()
        };
        let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Peer {
            server,
            clock,
            db,
            _dir: dir,
        }
    }

    fn client(&self) -> RouteMateClient {
        client_at(&self.server.base_url())
    }

    /// Tokens the sandbox holds (issued, not yet swept as expired).
    fn tokens(&self) -> i64 {
        sql(&self.db, |c| {
            c.query_row("SELECT COUNT(*) FROM routemate_tokens", [], |r| r.get(0))
        })
    }

    /// A sandbox route standing in for the driver's app.
    async fn move_stop(&self, job_id: &str, action: &str) {
        let r = reqwest::Client::new()
            .post(format!(
                "{}/sandbox/routemate/jobs/{job_id}/{action}",
                self.server.base_url()
            ))
            .header("Api-Key", KEY)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{action}: {}", r.status());
    }
}

fn sql<T>(db: &Path, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> T {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    f(&c).unwrap()
}

fn quick(client: RouteMateClient) -> RouteMateClient {
    client.with_retry(RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    })
}

fn client_at(url: &str) -> RouteMateClient {
    quick(RouteMateClient::new(url, CLIENT_ID, CLIENT_SECRET).unwrap())
}

/// Addresses the gazetteer places.
const TOKYO: [&str; 4] = [
    "東京都港区六本木6-10-1",
    "東京都中央区銀座4-6-16",
    "東京都渋谷区神南1-19-11",
    "東京都千代田区丸の内1-9-1",
];

fn request(external_job_id: &str, addresses: &[&str]) -> ImportRequest {
    ImportRequest {
        external_job_id: external_job_id.into(),
        title: "午前便".into(),
        driver_email: DRIVER.into(),
        stops: addresses
            .iter()
            .enumerate()
            .map(|(i, a)| ImportStop {
                external_stop_id: format!("S-{}", i + 1),
                address: (*a).into(),
                label: Some(format!("お客様 {}", i + 1)),
                parcel_count: u32::try_from(i).unwrap() + 1,
            })
            .collect(),
    }
}

#[tokio::test]
async fn one_token_serves_every_call_until_just_before_it_expires() {
    let peer = Peer::start(None).await;
    let clock = Arc::new(ManualClock::new());
    let client = peer.client().with_clock(clock.clone());
    assert_eq!(peer.tokens(), 0);

    let imported = client
        .import(&request("TOKEN-1", &TOKYO[..2]), "token-1")
        .await
        .unwrap();
    client.job_by_id(&imported.job_id).await.unwrap();
    client.job_by_external_id("TOKEN-1").await.unwrap();
    client.jobs(1).await.unwrap();
    assert_eq!(peer.tokens(), 1, "one token for four calls");

    // 59 minutes on: the token still has a minute to live on the server, but the client
    // replaces it now rather than risk a request arriving after the hour.
    let almost = Duration::from_secs(3545);
    clock.advance(almost);
    peer.clock
        .advance(chrono::Duration::from_std(almost).unwrap());
    client.job_by_id(&imported.job_id).await.unwrap();
    assert_eq!(peer.tokens(), 2, "renewed before expiry, with no 401");
    client.jobs(1).await.unwrap();
    assert_eq!(peer.tokens(), 2, "and the new one is kept");

    // Many requests at once from a client without a token still fetch only one.
    let fresh = peer.client();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = fresh.clone();
            tokio::spawn(async move { c.jobs(1).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(peer.tokens(), 3, "one token for eight concurrent calls");
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_then_the_401_surfaces() {
    let peer = Peer::start(None).await;
    let client = peer.client();
    client.jobs(1).await.unwrap();

    // Revoked: the server no longer knows the token the client holds.
    sql(&peer.db, |c| c.execute("DELETE FROM routemate_tokens", []));
    let list = client.jobs(1).await.unwrap();
    assert_eq!(list.total_count, 0);
    assert_eq!(peer.tokens(), 1, "one new token");

    // Expired by the server's clock while the client still trusts it.
    peer.clock.advance(chrono::Duration::seconds(3601));
    client.jobs(1).await.unwrap();

    // Every token refused: after one fresh try, the server's message surfaces.
    sql(&peer.db, |c| {
        c.execute_batch(
            "CREATE TRIGGER forget AFTER INSERT ON routemate_tokens
             BEGIN DELETE FROM routemate_tokens; END;",
        )
    });
    sql(&peer.db, |c| c.execute("DELETE FROM routemate_tokens", []));
    let e = client.jobs(1).await.unwrap_err();
    assert_eq!(
        e,
        RouteMateError::Unauthorized {
            message: "Authorization: unknown token".into()
        }
    );

    // Wrong credentials: the token request's own 401, not retried.
    let wrong =
        quick(RouteMateClient::new(&peer.server.base_url(), CLIENT_ID, "rm_cs_wrong").unwrap());
    let e = wrong.jobs(1).await.unwrap_err();
    assert!(
        matches!(&e, RouteMateError::Unauthorized { message } if message.contains("client_id")),
        "{e:?}"
    );
}

/// Forwards everything to `upstream`, except that the answer to the first import is cut off
/// as it starts coming back: the server imported, the client never hears so. Counts imports
/// (requests on a kept-alive connection included: each chunk the client sends is scanned).
async fn answer_losing_proxy(upstream: SocketAddr, imports: Arc<AtomicUsize>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let imports = imports.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut from_client, mut to_client) = client.into_split();
                let (mut from_server, mut to_server) = server.into_split();
                let lose_next = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let lose = lose_next.clone();
                let forward = tokio::spawn(async move {
                    let mut buf = vec![0u8; 16384];
                    while let Ok(n @ 1..) = from_client.read(&mut buf).await {
                        let chunk = &buf[..n];
                        if chunk.starts_with(b"POST /v1/integration-import ")
                            && imports.fetch_add(1, Ordering::SeqCst) == 0
                        {
                            lose.store(true, Ordering::SeqCst);
                        }
                        if to_server.write_all(chunk).await.is_err() {
                            return;
                        }
                    }
                });
                let mut buf = vec![0u8; 16384];
                while let Ok(n @ 1..) = from_server.read(&mut buf).await {
                    if lose_next.load(Ordering::SeqCst) {
                        // Dropping both halves closes the client's connection unanswered.
                        break;
                    }
                    if to_client.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                forward.abort();
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_lost_import_answer_is_retried_under_its_key_into_one_job() {
    let peer = Peer::start(None).await;
    let imports = Arc::new(AtomicUsize::new(0));
    let proxy = answer_losing_proxy(peer.server.addr(), imports.clone()).await;
    let lossy = client_at(&format!("http://{proxy}"));

    let answer = lossy
        .import(&request("LOST-1", &TOKYO), "lost-1")
        .await
        .unwrap();
    assert_eq!(imports.load(Ordering::SeqCst), 2, "sent, lost, sent again");
    let direct = peer.client();
    let list = direct.jobs(1).await.unwrap();
    assert_eq!(list.total_count, 1, "one job");
    assert_eq!(list.jobs[0].job_id, answer.job_id);
    assert_eq!(answer.stops.len(), 4);

    // The same key with another body is refused, and so is the id with another body.
    let e = direct
        .import(&request("LOST-1", &TOKYO[..3]), "lost-1")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, RouteMateError::Unprocessable { message }
        if message.contains("Idempotency-Key")),
        "{e:?}"
    );
    let e = direct
        .import(&request("LOST-1", &TOKYO[..3]), "lost-2")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, RouteMateError::Conflict { message }
        if message.contains(&answer.job_id)),
        "{e:?}"
    );
    // The same id and body under a new key is still the same job (RouteMate's own rule).
    let again = direct
        .import(&request("LOST-1", &TOKYO), "lost-3")
        .await
        .unwrap();
    assert_eq!(again.job_id, answer.job_id);
    assert_eq!(direct.jobs(1).await.unwrap().total_count, 1);
}

#[tokio::test]
async fn an_unknown_address_is_a_warning_and_the_rest_is_optimised() {
    let peer = Peer::start(None).await;
    let client = peer.client();
    let mut addresses = TOKYO.to_vec();
    addresses.insert(1, "火星県オリンポス市1-2-3");
    let answer = client
        .import(&request("WARN-1", &addresses), "warn-1")
        .await
        .unwrap();
    assert_eq!(answer.warnings.len(), 1, "{:?}", answer.warnings);
    assert_eq!(answer.warnings[0].external_stop_id, "S-2");
    assert!(
        answer.warnings[0].reason.starts_with("address"),
        "{:?}",
        answer.warnings
    );
    assert_eq!(answer.stops.len(), 4);
    let mut sequence: Vec<u32> = answer.stops.iter().map(|s| s.sequence.unwrap()).collect();
    sequence.sort_unstable();
    assert_eq!(sequence, [1, 2, 3, 4]);
    assert!(answer.stops.iter().all(|s| s.external_stop_id != "S-2"));
    assert!(answer.optimization.total_distance_km > 1.0);
    assert!(answer.optimization.total_duration_minutes > 0.0);
    let job = client.job_by_id(&answer.job_id).await.unwrap();
    assert_eq!(job.stop_count, 4);
    assert_eq!(job.count(&StopStatus::Pending), 4);
}

#[tokio::test]
async fn refusals_and_failures_are_typed_with_the_servers_message() {
    let peer = Peer::start(None).await;
    let client = peer.client();
    let mut bad = request("BAD-1", &TOKYO[..1]);
    bad.driver_email = "nobody@routemate.example".into();
    let e = client.import(&bad, "bad-1").await.unwrap_err();
    assert_eq!(e.field(), Some("driver_email"), "{e:?}");
    assert!(e.to_string().contains("no driver with this email"), "{e}");

    let e = client.job_by_id("no-such-job").await.unwrap_err();
    assert_eq!(
        e,
        RouteMateError::NotFound {
            message: "job_id: job not found".into()
        }
    );
    let e = client.job_by_external_id("NONE").await.unwrap_err();
    assert!(matches!(e, RouteMateError::NotFound { .. }), "{e:?}");

    // Nothing listens on port 9.
    let dead = client_at("http://127.0.0.1:9");
    let e = dead.jobs(1).await.unwrap_err();
    assert!(matches!(e, RouteMateError::Transport(_)), "{e:?}");
    assert!(!format!("{dead:?}").contains(CLIENT_SECRET));
    assert!(!e.to_string().contains(CLIENT_SECRET));
}

/// A server that issues tokens and answers every other request with `status` and `body`,
/// counting those requests.
async fn scripted_server(status: u16, body: &'static str, hits: Arc<AtomicUsize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let hits = hits.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let Ok(n) = socket.read(&mut buf).await else {
                    return;
                };
                let (status, body) = if buf[..n].starts_with(b"POST /v1/integration-token ") {
                    (
                        200,
                        r#"{"access_token":"rm_at_x","token_type":"Bearer","expires_in":3600}"#,
                    )
                } else {
                    hits.fetch_add(1, Ordering::SeqCst);
                    (status, body)
                };
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn server_errors_and_pages_without_json_are_retried_then_surface_and_wrong_json_is_a_decode_error()
 {
    let hits = Arc::new(AtomicUsize::new(0));
    let url = scripted_server(503, r#"{"error":"down for maintenance"}"#, hits.clone()).await;
    let e = client_at(&url).jobs(1).await.unwrap_err();
    assert_eq!(
        e,
        RouteMateError::Server {
            status: 503,
            message: "down for maintenance".into()
        }
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "every attempt of the policy"
    );
    // An import is retried too: its key makes that safe.
    let e = client_at(&url)
        .import(&request("X", &TOKYO[..1]), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(e, RouteMateError::Server { status: 503, .. }),
        "{e:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 6);

    // A 200 that is not JSON at all (a proxy's page) is no answer: retried, then said so.
    let hits = Arc::new(AtomicUsize::new(0));
    let url = scripted_server(200, "<html>hello</html>", hits.clone()).await;
    let e = client_at(&url).job_by_id("j").await.unwrap_err();
    assert_eq!(
        e,
        RouteMateError::Transport(
            "answered 200 OK without JSON (18 bytes): counted as no answer".into()
        )
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "every attempt of the policy"
    );
    // JSON of the wrong shape is an answer the client cannot read: not retried.
    let hits = Arc::new(AtomicUsize::new(0));
    let url = scripted_server(200, r#"{"hello":"world"}"#, hits.clone()).await;
    let e = client_at(&url).job_by_id("j").await.unwrap_err();
    assert!(matches!(e, RouteMateError::Decode(_)), "{e:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a 200 of JSON is not retried"
    );

    let hits = Arc::new(AtomicUsize::new(0));
    let url = scripted_server(
        409,
        r#"{"error":"Idempotency-Key: still running"}"#,
        hits.clone(),
    )
    .await;
    let e = client_at(&url)
        .import(&request("X", &TOKYO[..1]), "x")
        .await
        .unwrap_err();
    assert!(matches!(e, RouteMateError::Conflict { .. }), "{e:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a refusal is not retried");
}

#[tokio::test]
async fn sandbox_credentials_are_made_on_the_sandbox_and_work() {
    let peer = Peer::start(None).await;
    let url = peer.server.base_url();
    let made = create_sandbox_credentials(&url, KEY).await.unwrap();
    assert!(made.client_id.starts_with("rm_ci_"), "{made:?}");
    assert!(!format!("{made:?}").contains(&made.client_secret));
    let client = RouteMateClient::new(&url, &made.client_id, &made.client_secret).unwrap();
    assert_eq!(client.jobs(1).await.unwrap().total_count, 0);
    let e = create_sandbox_credentials(&url, "wrong key")
        .await
        .unwrap_err();
    assert!(matches!(e, RouteMateError::Unauthorized { .. }), "{e:?}");
}

#[tokio::test]
async fn counts_follow_the_stops_as_the_driver_goes() {
    let peer = Peer::start(None).await;
    let client = peer.client();
    let job_id = client
        .import(&request("MOVE-1", &TOKYO[..3]), "move-1")
        .await
        .unwrap()
        .job_id;
    let counts = |job: &hakobu_routemate::Job| {
        [
            StopStatus::Pending,
            StopStatus::EnRoute,
            StopStatus::Completed,
            StopStatus::Failed,
        ]
        .map(|s| job.count(&s))
    };
    let job = client.job_by_id(&job_id).await.unwrap();
    assert_eq!(
        (job.status.clone(), counts(&job)),
        (JobStatus::Assigned, [3, 0, 0, 0])
    );
    peer.move_stop(&job_id, "advance").await;
    assert_eq!(
        counts(&client.job_by_id(&job_id).await.unwrap()),
        [2, 1, 0, 0]
    );
    peer.move_stop(&job_id, "advance").await;
    assert_eq!(
        counts(&client.job_by_id(&job_id).await.unwrap()),
        [2, 0, 1, 0]
    );
    peer.move_stop(&job_id, "fail").await;
    peer.move_stop(&job_id, "advance").await;
    peer.move_stop(&job_id, "advance").await;
    let job = client.job_by_external_id("MOVE-1").await.unwrap();
    assert_eq!(
        (job.status.clone(), counts(&job)),
        (JobStatus::Completed, [0, 0, 2, 1])
    );
    let failed = job
        .stops
        .iter()
        .find(|s| s.status == Some(StopStatus::Failed))
        .unwrap();
    assert_eq!(failed.failure_reason.as_deref(), Some("不在"));
}

#[tokio::test]
async fn simulated_drivers_finish_the_job_and_the_counts_only_move_forward() {
    // 3000× real time.
    let peer = Peer::start(Some(3000.0)).await;
    let client = peer.client();
    let job_id = client
        .import(&request("SIM-1", &TOKYO), "sim-1")
        .await
        .unwrap()
        .job_id;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut done_seen = 0;
    loop {
        let job = client.job_by_id(&job_id).await.unwrap();
        let done = job.count(&StopStatus::Completed) + job.count(&StopStatus::Failed);
        assert!(done >= done_seen, "went back from {done_seen} to {done}");
        done_seen = done;
        if job.status.is_final() {
            assert_eq!(done, 4);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "stuck at {job:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_import_breaking_the_rules_is_refused_before_anything_is_sent() {
    // A port nothing listens on: had the client sent anything (even the token request), the
    // answer would be a transport error, not the rule.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = RouteMateClient::new(&url, CLIENT_ID, CLIENT_SECRET)
        .unwrap()
        .with_retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        });
    let request = ImportRequest {
        external_job_id: "J-RULES".into(),
        title: "rules".into(),
        driver_email: DRIVER.into(),
        stops: vec![ImportStop {
            external_stop_id: "S-1".into(),
            address: "東京都港区六本木6-10-1".into(),
            label: None,
            parcel_count: 1000,
        }],
    };
    let e = client.import(&request, "key-rules").await.unwrap_err();
    assert_eq!(
        e,
        RouteMateError::BadRequest {
            message: "stops[0].parcel_count: must be an integer from 1 to 999".into()
        }
    );
    assert_eq!(e.field(), Some("stops[0].parcel_count"));
    let mut fixed = request;
    fixed.stops[0].parcel_count = 999;
    assert!(matches!(
        client.import(&fixed, "key-rules").await,
        Err(RouteMateError::Transport(_))
    ));
}
