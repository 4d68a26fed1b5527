//! RouteMate on the sandbox, over real HTTP on port 0 with a real SQLite file: the document's
//! examples, bearer tokens (expiry by a ManualClock), import validation, safe retries,
//! geocoding warnings, the optimised order (checked against every permutation, with distances
//! recomputed here from the coordinates), and stop progress by sandbox route and simulation.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::Duration as Span;
use hakobu_geo::Gazetteer;
use hakobu_sandbox::{
    ManualClock, RouteMateClient, RouteMateConfig, RouteMateDriver, RunningSandbox, SandboxConfig,
};
use serde_json::{Value, json};

const KEY: &str = "k_routemate";
/// The document's own placeholders, so its examples run as written.
const CLIENT_ID: &str = "rm_ci_your_client_id";
const CLIENT_SECRET: &str = "rm_cs_your_client_secret";
const DRIVER: &str = "driver@example.com";
/// 丸の内, by Tokyo Station.
const START: (f64, f64) = (35.681_236, 139.767_125);
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
    clock: Arc<ManualClock>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Peer {
    async fn start(simulate: Option<f64>) -> Peer {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(hakobu_diaq::time::parse(NOW).unwrap()));
        let mut driver: RouteMateDriver = DRIVER.parse().unwrap();
        driver.start = hakobu_geo::Point {
            lat: START.0,
            lng: START.1,
        };
        let config = SandboxConfig {
            db_path: dir.path().join("sandbox.db"),
            api_key: KEY.into(),
            clock: Some(clock.clone()),
            geo: Some(geo()).into(),
            simulate,
            routemate: RouteMateConfig {
                clients: vec![RouteMateClient {
                    client_id: CLIENT_ID.into(),
                    client_secret: CLIENT_SECRET.into(),
                }],
                drivers: vec![driver],
            },
            ..SandboxConfig::default()
        };
        let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Peer {
            server,
            clock,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    async fn answer(request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    /// A RouteMate request: bearer token if given, never the Api-Key.
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut r = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(k) = idempotency_key {
            r = r.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            r = r
                .header("Content-Type", "application/json")
                .body(b.to_owned());
        }
        Peer::answer(r).await
    }

    async fn token(&self) -> String {
        let a = self
            .call(
                "POST",
                "/v1/integration-token",
                None,
                Some(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).to_string()),
                None,
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["access_token"].as_str().unwrap().to_owned()
    }

    async fn import(&self, token: &str, body: &Value) -> Answer {
        self.call(
            "POST",
            "/v1/integration-import",
            Some(token),
            Some(&body.to_string()),
            None,
        )
        .await
    }

    async fn job(&self, token: &str, query: &str) -> Answer {
        self.call(
            "GET",
            &format!("/v1/integration-jobs{query}"),
            Some(token),
            None,
            None,
        )
        .await
    }

    /// A sandbox route, with the Api-Key.
    async fn sandbox(&self, path: &str, body: Option<&str>) -> Answer {
        let mut r = self.http.post(self.url(path)).header("Api-Key", KEY);
        if let Some(b) = body {
            r = r.body(b.to_owned());
        }
        Peer::answer(r).await
    }
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

/// Tokyo addresses the gazetteer knows, around 六本木 and 麻布.
const TOKYO: [(&str, &str); 5] = [
    ("S-1", "東京都港区六本木6-10-1"),
    ("S-2", "東京都港区南麻布4-5-48"),
    ("S-3", "東京都中央区銀座4-6-16"),
    ("S-4", "東京都渋谷区神南1-19-11"),
    ("S-5", "東京都千代田区丸の内1-9-1"),
];

fn job_body(external_job_id: &str, stops: &[(&str, &str)]) -> Value {
    json!({
        "external_job_id": external_job_id,
        "title": "午前便",
        "driver_email": DRIVER,
        "stops": stops.iter().enumerate().map(|(i, (id, address))| json!({
            "external_stop_id": id,
            "address": address,
            "label": format!("お客様 {i}"),
            "parcel_count": i + 1,
        })).collect::<Vec<_>>(),
    })
}

// --- The document's examples ---

/// The curl, node and python examples all send this body to the token endpoint.
const DOC_TOKEN_BODY: &str =
    r#"{"client_id":"rm_ci_your_client_id","client_secret":"rm_cs_your_client_secret"}"#;

/// The import request, verbatim (a Brisbane address: not in a Japanese gazetteer).
const DOC_IMPORT_BODY: &str = r#"{
  "external_job_id": "BATCH-001",
  "title": "Morning Deliveries",
  "driver_email": "driver@example.com",
  "stops": [
    {
      "external_stop_id": "STOP-1",
      "address": "1 George St, Brisbane QLD 4000",
      "label": "Customer A",
      "parcel_count": 2
    }
  ]
}"#;

#[tokio::test]
async fn the_documents_examples_answer_as_the_document_shows() {
    let peer = Peer::start(None).await;
    // The token: the document's exact body and response shape.
    let a = peer
        .call(
            "POST",
            "/v1/integration-token",
            None,
            Some(DOC_TOKEN_BODY),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(keys(&a.body), ["access_token", "expires_in", "token_type"]);
    let token = a.body["access_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("rm_at_") && token.len() > 20, "{token}");
    assert_eq!(a.body["token_type"], "Bearer");
    assert_eq!(a.body["expires_in"], json!(3600));
    assert!(a.body["expires_in"].is_i64());

    // The import, verbatim: the job is made, its one stop left out with a warning.
    let a = peer
        .call(
            "POST",
            "/v1/integration-import",
            Some(&token),
            Some(DOC_IMPORT_BODY),
            None,
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(
        keys(&a.body),
        ["job_id", "optimization", "stops", "warnings"]
    );
    assert!(a.body["job_id"].is_string());
    assert_eq!(
        keys(&a.body["optimization"]),
        ["total_distance_km", "total_duration_minutes"]
    );
    assert!(a.body["optimization"]["total_distance_km"].is_f64());
    assert!(a.body["optimization"]["total_duration_minutes"].is_i64());
    assert_eq!(a.body["stops"], json!([]));
    assert_eq!(a.body["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(a.body["warnings"][0]["external_stop_id"], "STOP-1");
    assert!(
        a.body["warnings"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("address: "),
        "{}",
        a.body
    );

    // The same body with a Tokyo address, and the job status the document shows.
    let tokyo = DOC_IMPORT_BODY
        .replace("BATCH-001", "BATCH-002")
        .replace("1 George St, Brisbane QLD 4000", "東京都港区六本木6-10-1");
    let a = peer
        .call(
            "POST",
            "/v1/integration-import",
            Some(&token),
            Some(&tokyo),
            None,
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["warnings"], json!([]));
    let stop = &a.body["stops"][0];
    assert_eq!(stop["external_stop_id"], "STOP-1");
    assert_eq!(stop["label"], "Customer A");
    assert_eq!(stop["parcel_count"], json!(2));
    assert_eq!(stop["status"], "pending");
    assert!(stop["latitude"].is_f64() && stop["longitude"].is_f64());
    assert!(
        a.body["optimization"]["total_distance_km"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(
        a.body["optimization"]["total_duration_minutes"]
            .as_i64()
            .unwrap()
            > 0
    );
    let job_id = a.body["job_id"].as_str().unwrap().to_owned();

    let a = peer.job(&token, &format!("?job_id={job_id}")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    for k in ["job_id", "status", "stop_count", "status_counts", "stops"] {
        assert!(a.body.get(k).is_some(), "{k} in {}", a.body);
    }
    assert_eq!(a.body["job_id"], job_id);
    assert_eq!(a.body["status"], "assigned");
    assert_eq!(a.body["stop_count"], json!(1));
    assert_eq!(a.body["status_counts"], json!({"pending": 1}));
    assert_eq!(a.body["stops"][0]["external_stop_id"], "STOP-1");
}

// --- Tokens ---

#[tokio::test]
async fn tokens_expire_after_an_hour_and_only_known_bearers_pass() {
    let peer = Peer::start(None).await;
    let token_with =
        |id: &str, secret: &str| json!({"client_id": id, "client_secret": secret}).to_string();
    for (body, status, error) in [
        (
            token_with(CLIENT_ID, "rm_cs_wrong"),
            401,
            "client_id: unknown client or wrong client_secret",
        ),
        (
            token_with("rm_ci_nobody", CLIENT_SECRET),
            401,
            "client_id: unknown client or wrong client_secret",
        ),
        (
            json!({"client_id": CLIENT_ID}).to_string(),
            400,
            "client_secret: is required",
        ),
        (
            json!({"client_id": 5, "client_secret": "x"}).to_string(),
            400,
            "client_id: must be a string",
        ),
        (
            token_with(&format!("rm_ci_{}", "x".repeat(250)), CLIENT_SECRET),
            400,
            "client_id: must be at most 255 characters",
        ),
        ("[]".to_owned(), 400, "body: must be a JSON object"),
        ("not json".to_owned(), 400, "body: must be a JSON object"),
    ] {
        let a = peer
            .call("POST", "/v1/integration-token", None, Some(&body), None)
            .await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (status, Some(error)),
            "{body}"
        );
        if status == 401 {
            assert_eq!(a.headers["www-authenticate"], "Bearer");
        }
    }

    let token = peer.token().await;
    assert_eq!(peer.job(&token, "").await.status, 200);
    peer.clock.advance(Span::seconds(3599));
    assert_eq!(peer.job(&token, "").await.status, 200);
    peer.clock.advance(Span::seconds(2));
    let a = peer.job(&token, "").await;
    assert_eq!(a.status, 401);
    assert_eq!(
        a.body["error"],
        "Authorization: the token has expired; get a new one"
    );
    assert_eq!(a.headers["www-authenticate"], "Bearer");
    let fresh = peer.token().await;
    assert_ne!(fresh, token);
    assert_eq!(peer.job(&fresh, "").await.status, 200);

    // Unknown, missing, another scheme, the DIAq key: 401 on every bearer path.
    for path in ["/v1/integration-jobs", "/v1/integration-import"] {
        let method = if path.ends_with("import") {
            "POST"
        } else {
            "GET"
        };
        let body = path.ends_with("import").then_some("{}");
        let unknown = peer
            .call(method, path, Some("rm_at_unknown"), body, None)
            .await;
        assert_eq!(
            (unknown.status, unknown.body["error"].as_str()),
            (401, Some("Authorization: unknown token"))
        );
        let missing = peer.call(method, path, None, body, None).await;
        assert_eq!(missing.status, 401, "{path}");
        assert!(
            missing.body["error"]
                .as_str()
                .unwrap()
                .contains("bearer token"),
            "{}",
            missing.body
        );
        let basic = Peer::answer(
            peer.http
                .request(method.parse().unwrap(), peer.url(path))
                .header("Authorization", format!("Basic {fresh}"))
                .header("Api-Key", KEY),
        )
        .await;
        assert_eq!(basic.status, 401, "{path}");
    }
    // The scheme's case does not matter (RFC 7235).
    let lower = Peer::answer(
        peer.http
            .get(peer.url("/v1/integration-jobs"))
            .header("Authorization", format!("bearer {fresh}")),
    )
    .await;
    assert_eq!(lower.status, 200);
}

#[tokio::test]
async fn a_created_client_gets_tokens_and_its_secret_is_stored_hashed() {
    let peer = Peer::start(None).await;
    let without_key = Peer::answer(peer.http.post(peer.url("/sandbox/routemate/clients"))).await;
    assert_eq!(without_key.status, 401);
    let a = peer.sandbox("/sandbox/routemate/clients", None).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["client_id"].as_str().unwrap().to_owned();
    let secret = a.body["client_secret"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("rm_ci_") && secret.starts_with("rm_cs_"),
        "{}",
        a.body
    );
    let a = peer
        .call(
            "POST",
            "/v1/integration-token",
            None,
            Some(&json!({"client_id": id, "client_secret": secret}).to_string()),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    // The database holds neither the secret nor the token, only their hashes.
    drop(peer.server);
    let raw = std::fs::read(peer._dir.path().join("sandbox.db")).unwrap();
    let wal = std::fs::read(peer._dir.path().join("sandbox.db-wal")).unwrap_or_default();
    let token = a.body["access_token"].as_str().unwrap();
    for hay in [&raw, &wal] {
        let text = String::from_utf8_lossy(hay);
        assert!(!text.contains(&secret), "secret stored in clear");
        assert!(!text.contains(token), "token stored in clear");
        assert!(
            !text.contains(CLIENT_SECRET),
            "configured secret stored in clear"
        );
    }
}

// --- Import validation ---

#[tokio::test]
async fn every_import_rule_names_its_field() {
    let peer = Peer::start(None).await;
    let token = peer.token().await;
    let valid = || job_body("V-1", &TOKYO[..3]);
    type Change = fn(&mut Value);
    let cases: Vec<(Change, &str)> = vec![
        (
            |b| b.as_object_mut().unwrap().clear(),
            "external_job_id: is required",
        ),
        (
            |b| b["external_job_id"] = json!("  "),
            "external_job_id: is required",
        ),
        (
            |b| b["external_job_id"] = json!(12),
            "external_job_id: must be a string",
        ),
        (
            |b| b["external_job_id"] = json!("x".repeat(101)),
            "external_job_id: must be at most 100 characters",
        ),
        (|b| b["title"] = Value::Null, "title: is required"),
        (
            |b| b["title"] = json!("題".repeat(201)),
            "title: must be at most 200 characters",
        ),
        (
            |b| b["driver_email"] = json!(""),
            "driver_email: is required",
        ),
        (
            |b| b["driver_email"] = json!("driver.example.com"),
            "driver_email: must be an email address (local@domain)",
        ),
        (
            |b| b["driver_email"] = json!("nobody@example.com"),
            "driver_email: no driver with this email",
        ),
        (
            |b| {
                b.as_object_mut().unwrap().remove("stops");
            },
            "stops: is required",
        ),
        (|b| b["stops"] = json!([]), "stops: must not be empty"),
        (|b| b["stops"] = json!("S-1"), "stops: must be an array"),
        (
            |b| b["stops"] = json!(vec![json!({}); 501]),
            "stops: must have at most 500 stops",
        ),
        (
            |b| b["stops"][1] = json!(7),
            "stops[1]: must be a JSON object",
        ),
        (
            |b| {
                b["stops"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("external_stop_id");
            },
            "stops[1].external_stop_id: is required",
        ),
        (
            |b| b["stops"][2]["external_stop_id"] = json!("S-1"),
            "stops[2].external_stop_id: must be unique (stops[0] has it too)",
        ),
        (
            |b| b["stops"][1]["external_stop_id"] = json!("x".repeat(101)),
            "stops[1].external_stop_id: must be at most 100 characters",
        ),
        (
            |b| b["stops"][2]["address"] = json!(""),
            "stops[2].address: is required",
        ),
        (
            |b| b["stops"][2]["address"] = json!("港".repeat(201)),
            "stops[2].address: must be at most 200 characters",
        ),
        (
            |b| b["stops"][0]["label"] = json!("x".repeat(201)),
            "stops[0].label: must be at most 200 characters",
        ),
        (
            |b| b["stops"][2]["address"] = json!(["港区"]),
            "stops[2].address: must be a string",
        ),
        (
            |b| b["stops"][0]["label"] = json!(1),
            "stops[0].label: must be a string",
        ),
        (
            |b| {
                b["stops"][1]
                    .as_object_mut()
                    .unwrap()
                    .remove("parcel_count");
            },
            "stops[1].parcel_count: is required",
        ),
        (
            |b| b["stops"][1]["parcel_count"] = json!(0),
            "stops[1].parcel_count: must be an integer from 1 to 999",
        ),
        (
            |b| b["stops"][1]["parcel_count"] = json!(1000),
            "stops[1].parcel_count: must be an integer from 1 to 999",
        ),
        (
            |b| b["stops"][1]["parcel_count"] = json!(2.5),
            "stops[1].parcel_count: must be an integer from 1 to 999",
        ),
    ];
    for (change, expected) in cases {
        let mut body = valid();
        change(&mut body);
        let a = peer.import(&token, &body).await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (400, Some(expected)),
            "{body}"
        );
    }
    for raw in ["not json", "[1]", "null"] {
        let a = peer
            .call(
                "POST",
                "/v1/integration-import",
                Some(&token),
                Some(raw),
                None,
            )
            .await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (400, Some("body: must be a JSON object")),
            "{raw}"
        );
    }
    // Nothing was stored; the driver's email is matched whatever its case.
    let list = peer.job(&token, "").await;
    assert_eq!(list.body["total_count"], json!(0));
    let mut body = valid();
    body["driver_email"] = json!("Driver@Example.COM");
    assert_eq!(peer.import(&token, &body).await.status, 201);
}

// --- Safe retries ---

#[tokio::test]
async fn retries_make_one_job() {
    let peer = Peer::start(None).await;
    let token = peer.token().await;
    let body = job_body("R-1", &TOKYO[..2]).to_string();
    let send = |key: Option<&'static str>, body: String| {
        let peer = &peer;
        let token = token.clone();
        async move {
            peer.call(
                "POST",
                "/v1/integration-import",
                Some(&token),
                Some(&body),
                key,
            )
            .await
        }
    };
    // The first answer is "dropped"; the client sends the same request again.
    let first = send(Some("import-R-1"), body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = send(Some("import-R-1"), body.clone()).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, first.body);
    let list = peer.job(&token, "").await;
    assert_eq!(list.body["total_count"], json!(1), "{}", list.body);
    assert_eq!(list.body["jobs"].as_array().unwrap().len(), 1);

    // The same key with another body.
    let other = job_body("R-2", &TOKYO[..2]).to_string();
    let a = send(Some("import-R-1"), other).await;
    assert_eq!(a.status, 422, "{}", a.body);

    // external_job_id: the same body (keys reordered, spaced out) is the same job, with 200.
    let reordered: Value = serde_json::from_str(&body).unwrap();
    let mut spaced = serde_json::Map::new();
    for k in ["stops", "driver_email", "title", "external_job_id"] {
        spaced.insert(k.into(), reordered[k].clone());
    }
    let a = send(None, serde_json::to_string_pretty(&spaced).unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["job_id"], first.body["job_id"]);
    assert_eq!(a.body, first.body);

    // ... and another body is a 409 that names the job.
    let mut changed: Value = serde_json::from_str(&body).unwrap();
    changed["stops"][0]["parcel_count"] = json!(9);
    let a = send(None, changed.to_string()).await;
    assert_eq!(a.status, 409, "{}", a.body);
    let job_id = first.body["job_id"].as_str().unwrap();
    assert_eq!(
        a.body["error"],
        format!("external_job_id: already imported as job {job_id} with a different body")
    );
    let list = peer.job(&token, "").await;
    assert_eq!(list.body["total_count"], json!(1));

    // A 401 is not remembered under the key: the retry with a fresh token runs.
    let body = job_body("R-3", &TOKYO[..1]).to_string();
    let a = peer
        .call(
            "POST",
            "/v1/integration-import",
            Some("rm_at_stale"),
            Some(&body),
            Some("import-R-3"),
        )
        .await;
    assert_eq!(a.status, 401);
    let a = send(Some("import-R-3"), body).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.headers.get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn concurrent_imports_of_one_external_job_id_make_one_job() {
    let peer = Peer::start(None).await;
    let token = peer.token().await;
    let body = job_body("C-1", &TOKYO).to_string();
    let answers = futures_join(
        (0..6)
            .map(|_| {
                peer.call(
                    "POST",
                    "/v1/integration-import",
                    Some(&token),
                    Some(&body),
                    None,
                )
            })
            .collect(),
    )
    .await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|a| {
            assert!(a.status == 200 || a.status == 201, "{}", a.body);
            a.body["job_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(answers.iter().filter(|a| a.status == 201).count(), 1);
    assert_eq!(peer.job(&token, "").await.body["total_count"], json!(1));
}

/// Runs the futures concurrently on this task (no extra crate needed).
async fn futures_join<F: std::future::Future<Output = Answer>>(futures: Vec<F>) -> Vec<Answer> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<Answer>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none()
                && let std::task::Poll::Ready(a) = f.as_mut().poll(cx)
            {
                done[i] = Some(a);
            }
        }
        if done.iter().all(Option::is_some) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    done.into_iter().map(Option::unwrap).collect()
}

// --- Geocoding and optimisation ---

/// hakobu-geo's road distance for a 軽四輪, recomputed here: haversine × 1.4.
fn road_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8_f64;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin() * 1.4 / 1000.0
}

fn route_km(points: &[(f64, f64)]) -> f64 {
    std::iter::once(START)
        .chain(points.iter().copied())
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| road_km(w[0], w[1]))
        .sum()
}

fn permutations(items: Vec<usize>) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.clone();
        let first = rest.remove(i);
        for mut p in permutations(rest) {
            p.insert(0, first);
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn an_unknown_address_is_a_warning_and_the_rest_is_optimised() {
    let peer = Peer::start(None).await;
    let token = peer.token().await;
    let mut stops: Vec<(&str, &str)> = TOKYO.to_vec();
    stops.insert(2, ("MARS", "火星市1-2-3"));
    stops.push(("PREF", "東京都"));
    let a = peer.import(&token, &job_body("G-1", &stops)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let warnings = a.body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{}", a.body);
    assert_eq!(warnings[0]["external_stop_id"], "MARS");
    assert!(
        warnings[0]["reason"].as_str().unwrap().contains("火星市"),
        "{}",
        warnings[0]
    );
    // A prefecture alone is too coarse to drive to.
    assert_eq!(warnings[1]["external_stop_id"], "PREF");
    assert_eq!(
        warnings[1]["reason"],
        "address: only the prefecture (東京都) was recognised"
    );

    let planned = a.body["stops"].as_array().unwrap();
    let mut ids: Vec<&str> = planned
        .iter()
        .map(|s| s["external_stop_id"].as_str().unwrap())
        .collect();
    let sequences: Vec<i64> = planned
        .iter()
        .map(|s| s["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5]);
    let points: Vec<(f64, f64)> = planned
        .iter()
        .map(|s| {
            (
                s["latitude"].as_f64().unwrap(),
                s["longitude"].as_f64().unwrap(),
            )
        })
        .collect();
    let order_ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["S-1", "S-2", "S-3", "S-4", "S-5"],
        "a permutation of the placed stops"
    );

    // The total is the sum of the legs, and both match the distance recomputed here.
    let total = a.body["optimization"]["total_distance_km"]
        .as_f64()
        .unwrap();
    let legs: f64 = planned
        .iter()
        .map(|s| s["leg_distance_km"].as_f64().unwrap())
        .sum();
    let ours = route_km(&points);
    assert!(total > 0.0);
    assert!((total - legs).abs() <= 0.06, "{total} vs legs {legs}");
    assert!((total - ours).abs() <= 0.06, "{total} vs recomputed {ours}");
    // No order of these five stops is shorter.
    let best = permutations((0..points.len()).collect())
        .into_iter()
        .map(|p| route_km(&p.iter().map(|&i| points[i]).collect::<Vec<_>>()))
        .fold(f64::INFINITY, f64::min);
    assert!(ours <= best + 1e-6, "{ours} > best {best}");

    // Arrivals grow along the route; the duration covers the last stop's service (軽四輪: 4 min).
    let arrivals: Vec<i64> = planned
        .iter()
        .map(|s| s["arrival_minutes"].as_i64().unwrap())
        .collect();
    assert!(arrivals.windows(2).all(|w| w[0] < w[1]), "{arrivals:?}");
    let duration = a.body["optimization"]["total_duration_minutes"]
        .as_i64()
        .unwrap();
    assert!(
        (duration - (arrivals[4] + 4)).abs() <= 1,
        "{duration} vs {arrivals:?}"
    );

    // The same stops again (another job): the same order, the solver is seeded.
    let b = peer.import(&token, &job_body("G-2", &stops)).await;
    let again: Vec<String> = b.body["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["external_stop_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(again, order_ids);
    assert_eq!(b.body["optimization"], a.body["optimization"]);
}

// --- Progress ---

async fn counts(peer: &Peer, token: &str, job_id: &str) -> (String, Value) {
    let a = peer.job(token, &format!("?job_id={job_id}")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    (
        a.body["status"].as_str().unwrap().to_owned(),
        a.body["status_counts"].clone(),
    )
}

#[tokio::test]
async fn sandbox_routes_move_stops_and_the_counts_follow() {
    let peer = Peer::start(None).await;
    let token = peer.token().await;
    let a = peer.import(&token, &job_body("P-1", &TOKYO[..3])).await;
    let job_id = a.body["job_id"].as_str().unwrap().to_owned();
    let first = a.body["stops"][0]["external_stop_id"].clone();
    let advance = format!("/sandbox/routemate/jobs/{job_id}/advance");
    let fail = format!("/sandbox/routemate/jobs/{job_id}/fail");

    assert_eq!(
        counts(&peer, &token, &job_id).await,
        ("assigned".into(), json!({"pending": 3}))
    );
    let a = peer.sandbox(&advance, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["stops"][0]["status"], "en_route");
    assert_eq!(a.body["stops"][0]["external_stop_id"], first);
    assert_eq!(
        a.body["status_counts"],
        json!({"pending": 2, "en_route": 1})
    );
    peer.sandbox(&advance, None).await;
    assert_eq!(
        counts(&peer, &token, &job_id).await,
        ("assigned".into(), json!({"pending": 2, "completed": 1}))
    );
    // The next stop fails before it is set off for, with the default reason.
    let a = peer.sandbox(&fail, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["stops"][1]["status"], "failed");
    assert_eq!(a.body["stops"][1]["failure_reason"], "不在");
    // The last one goes en route, then fails there with a reason.
    peer.sandbox(&advance, None).await;
    let a = peer.sandbox(&fail, Some(r#"{"reason": "住所不明"}"#)).await;
    assert_eq!(a.body["stops"][2]["failure_reason"], "住所不明");
    assert_eq!(
        counts(&peer, &token, &job_id).await,
        ("completed".into(), json!({"completed": 1, "failed": 2}))
    );

    // Nothing left to move; errors name the field.
    for path in [&advance, &fail] {
        let a = peer.sandbox(path, None).await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (
                400,
                Some("job_id: every stop is already completed or failed")
            )
        );
    }
    for (body, error) in [
        (r#"{"reason": 3}"#, "reason: must be a string"),
        ("[1]", "body: must be a JSON object"),
        ("nope", "body: must be a JSON object"),
    ] {
        let a = peer.sandbox(&fail, Some(body)).await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (400, Some(error)),
            "{body}"
        );
    }
    let a = peer
        .sandbox(&fail, Some(&json!({"reason": "x".repeat(201)}).to_string()))
        .await;
    assert_eq!(a.body["error"], "reason: must be at most 200 characters");
    for path in [
        "/sandbox/routemate/jobs/nope/advance",
        "/sandbox/routemate/jobs/nope/fail",
    ] {
        let a = peer.sandbox(path, None).await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (404, Some("job_id: job not found"))
        );
    }
}

#[tokio::test]
async fn jobs_are_found_by_either_id_and_listed_by_page() {
    let peer = Peer::start(None).await;
    let token = peer.token().await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let a = peer
            .import(&token, &job_body(&format!("L-{n}"), &TOKYO[..n]))
            .await;
        ids.push(a.body["job_id"].as_str().unwrap().to_owned());
    }
    let a = peer.job(&token, "?external_job_id=L-2").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["job_id"], ids[1]);
    assert_eq!(a.body["stop_count"], json!(2));
    assert_eq!(a.body["title"], "午前便");
    assert_eq!(a.body["driver_email"], DRIVER);
    assert_eq!(a.body["created_at"], NOW);

    let a = peer.job(&token, "?per_page=2&page=2").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        (&a.body["page"], &a.body["per_page"], &a.body["total_count"]),
        (&json!(2), &json!(2), &json!(3))
    );
    assert_eq!(a.body["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(a.body["jobs"][0]["job_id"], ids[2]);
    let a = peer.job(&token, "").await;
    assert_eq!(
        (&a.body["page"], &a.body["per_page"]),
        (&json!(1), &json!(25))
    );
    let listed: Vec<&str> = a.body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["job_id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ids, "oldest first");

    for (query, status, error) in [
        ("?job_id=nope", 404, "job_id: job not found"),
        (
            "?external_job_id=nope",
            404,
            "external_job_id: job not found",
        ),
        (
            "?job_id=a&external_job_id=b",
            400,
            "external_job_id: give job_id or external_job_id, not both",
        ),
        (
            "?per_page=0",
            400,
            "per_page: must be an integer from 1 to 100",
        ),
        (
            "?per_page=101",
            400,
            "per_page: must be an integer from 1 to 100",
        ),
        ("?page=x", 400, "page: must be a positive integer"),
        ("?page=1&page=2", 400, "page: must be given at most once"),
    ] {
        let a = peer.job(&token, query).await;
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (status, Some(error)),
            "{query}"
        );
    }
}

#[tokio::test]
async fn simulated_drivers_carry_every_stop_to_completed_or_failed() {
    // 3000× real time: a simulated step of 150 s every 50 ms.
    let peer = Peer::start(Some(3000.0)).await;
    let token = peer.token().await;
    let a = peer.import(&token, &job_body("SIM-1", &TOKYO)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let job_id = a.body["job_id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let last = loop {
        let (status, counts) = counts(&peer, &token, &job_id).await;
        if seen.last() != Some(&counts) {
            seen.push(counts.clone());
        }
        if status == "completed" {
            break counts;
        }
        assert!(tokio::time::Instant::now() < deadline, "stuck: {seen:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // The driver was seen on the way, and the counts only ever moved forward.
    assert!(seen.iter().any(|c| c.get("en_route").is_some()), "{seen:?}");
    let done = |c: &Value| {
        c.get("completed").and_then(Value::as_i64).unwrap_or(0)
            + c.get("failed").and_then(Value::as_i64).unwrap_or(0)
    };
    assert!(
        seen.windows(2).all(|w| done(&w[0]) <= done(&w[1])),
        "{seen:?}"
    );
    assert_eq!(done(&last), 5, "{last}");
    let a = peer.job(&token, &format!("?job_id={job_id}")).await;
    for stop in a.body["stops"].as_array().unwrap() {
        match stop["status"].as_str().unwrap() {
            "completed" => assert!(stop["failure_reason"].is_null()),
            "failed" => assert_eq!(stop["failure_reason"], "不在"),
            other => panic!("{other}"),
        }
    }
}
