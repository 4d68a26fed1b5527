//! The OpenAPI description: it lists every route the router serves (and only those), parses as
//! OpenAPI 3 with every `$ref` resolvable, and is served at `/openapi.json` behind the key.
//! Also the regressions schemathesis found: answers that were not in the description.

use std::collections::BTreeSet;

use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use serde_json::{Value, json};

const KEY: &str = "k_openapi";

/// Every (method, path) of the router. The router and the description come from one list
/// (`openapi::routes`), so this is the check that nothing was dropped or added unnoticed.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/openapi.json"),
    ("GET", "/v1/time_zones"),
    ("GET", "/v1/stores"),
    ("POST", "/v1/stores"),
    ("GET", "/v1/stores/counts"),
    ("GET", "/v1/stores/{id}"),
    ("PUT", "/v1/stores/{id}"),
    ("DELETE", "/v1/stores/{id}"),
    ("POST", "/v1/delivery_estimates"),
    ("POST", "/v1/delivery_estimates/"),
    ("GET", "/v1/delivery_estimates/{id}"),
    ("POST", "/v1/fetch_estimates"),
    ("POST", "/v1/fetch_estimates/"),
    ("GET", "/v1/fetch_estimates/{id}"),
    ("GET", "/v1/deliveries"),
    ("POST", "/v1/deliveries"),
    ("GET", "/v1/deliveries/"),
    ("POST", "/v1/deliveries/"),
    ("GET", "/v1/deliveries/{id}"),
    ("PUT", "/v1/deliveries/{id}"),
    ("DELETE", "/v1/deliveries/{id}"),
    ("GET", "/v1/fetches"),
    ("POST", "/v1/fetches"),
    ("GET", "/v1/fetches/"),
    ("POST", "/v1/fetches/"),
    ("GET", "/v1/fetches/{id}"),
    ("PUT", "/v1/fetches/{id}"),
    ("DELETE", "/v1/fetches/{id}"),
    ("POST", "/v1/reserve_windows"),
    ("POST", "/sandbox/{kind}/{id}/advance"),
    ("POST", "/sandbox/{kind}/{id}/exception"),
    ("PUT", "/sandbox/webhook"),
    ("DELETE", "/sandbox/webhook"),
    ("GET", "/sandbox/webhook/attempts"),
    ("GET", "/sandbox/drivers"),
    ("PUT", "/sandbox/drivers/{id}/location"),
    ("POST", "/v1/integration-token"),
    ("POST", "/v1/integration-import"),
    ("GET", "/v1/integration-jobs"),
    ("POST", "/sandbox/routemate/clients"),
    ("POST", "/sandbox/routemate/jobs/{job_id}/advance"),
    ("POST", "/sandbox/routemate/jobs/{job_id}/fail"),
];

fn spec() -> Value {
    serde_json::to_value(hakobu_sandbox::openapi::spec()).unwrap()
}

fn operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

async fn start() -> (RunningSandbox, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("diaq.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        ..SandboxConfig::default()
    };
    let running = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (running, dir)
}

#[test]
fn the_description_lists_exactly_the_routes() {
    let listed = operations(&spec());
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn it_is_openapi_3_and_every_reference_resolves() {
    let spec = spec();
    let version = spec["openapi"].as_str().unwrap();
    assert!(version.starts_with("3."), "{version}");
    assert!(spec["info"]["title"].is_string());
    // The structure OpenAPI 3 asks for (schemathesis reads the whole document in `make test`).
    for (path, item) in spec["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path}"
            );
            assert!(responses.values().all(|r| r["description"].is_string()));
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                assert!(p["name"].is_string() && p["schema"].is_object(), "{p}");
                assert!(
                    ["query", "header", "path", "cookie"].contains(&p["in"].as_str().unwrap()),
                    "{p}"
                );
            }
            // Every `{name}` of the template is a required path parameter.
            for name in path.split('/').filter_map(|s| s.strip_prefix('{')) {
                let name = name.trim_end_matches('}');
                assert!(
                    params
                        .iter()
                        .any(|p| p["in"] == "path" && p["name"] == name && p["required"] == true),
                    "{method} {path}: {name}"
                );
            }
        }
    }
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&spec, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or(&r);
        assert!(
            spec["components"]["schemas"].get(name).is_some(),
            "unresolved {r}"
        );
    }
    // What every operation shares.
    assert_eq!(
        spec["components"]["securitySchemes"]["api_key"]["name"],
        "Api-Key"
    );
    // RouteMate's own paths: a bearer token instead (none to get one), as the server checks.
    let bearer = &spec["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (&bearer["type"], &bearer["scheme"]),
        (&json!("http"), &json!("bearer"))
    );
    for (path, method, security) in [
        ("/v1/integration-token", "post", json!([{}])),
        ("/v1/integration-import", "post", json!([{"bearer": []}])),
        ("/v1/integration-jobs", "get", json!([{"bearer": []}])),
    ] {
        assert_eq!(spec["paths"][path][method]["security"], security, "{path}");
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"].get("401").is_some(), "{method} {path}");
            let writes = matches!(method.as_str(), "post" | "put" | "delete");
            let idempotency = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            assert_eq!(idempotency, writes, "{method} {path}");
            if writes {
                for status in ["400", "409", "422"] {
                    assert!(op["responses"].get(status).is_some(), "{method} {path}");
                }
            }
        }
    }
}

/// Every operation the description lists is served: none falls through to the fallback's
/// `path: not found`, none answers 405.
#[tokio::test]
async fn every_described_operation_is_served() {
    let (sb, _dir) = start().await;
    let http = reqwest::Client::new();
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{kind}", "deliveries")
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{job_id}", "00000000-0000-4000-8000-000000000000");
        let url = format!("{}{concrete}", sb.base_url());
        let request = http
            .request(method.parse().unwrap(), &url)
            .header("Api-Key", KEY);
        let request = if matches!(*method, "POST" | "PUT") {
            request.body("{}")
        } else {
            request
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert_ne!(status, 405, "{method} {path}");
        assert!(
            !body.contains("path: not found"),
            "{method} {path}: {status} {body}"
        );
    }
}

#[tokio::test]
async fn the_description_is_served_behind_the_key() {
    let (sb, _dir) = start().await;
    let url = format!("{}/openapi.json", sb.base_url());
    let http = reqwest::Client::new();
    let without = http.get(&url).send().await.unwrap();
    assert_eq!(without.status(), 401);
    let with = http.get(&url).header("Api-Key", KEY).send().await.unwrap();
    assert_eq!(with.status(), 200);
    let served: Value = with.json().await.unwrap();
    assert_eq!(served, spec());
}

async fn get(sb: &RunningSandbox, path_and_query: &str) -> (u16, Option<String>, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", sb.base_url()))
        .header("Api-Key", KEY)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

/// Schemathesis: `?until=null&until=null` was axum's plain-text 400, not `{"error": …}`.
#[tokio::test]
async fn a_query_parameter_given_twice_is_a_json_400() {
    let (sb, _dir) = start().await;
    for (path, field) in [
        ("/v1/deliveries?until=x&until=y", "until"),
        ("/v1/fetches/?status=1&status=2", "status"),
        ("/v1/stores?per_page=1&per_page=2", "per_page"),
        ("/v1/stores/counts?store_name=a&store_name=b", "store_name"),
        ("/sandbox/webhook/attempts?event=a&event=b", "event"),
    ] {
        let (status, content_type, body) = get(&sb, path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(content_type.as_deref(), Some("application/json"), "{path}");
        assert_eq!(
            body["error"],
            format!("{field}: must be given at most once"),
            "{path}"
        );
    }
}

/// The same for a path segment that is not UTF-8 once decoded.
#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_a_json_400() {
    let (sb, _dir) = start().await;
    for path in [
        "/v1/stores/%FF",
        "/v1/deliveries/%C3",
        "/v1/fetch_estimates/%FE%FF",
        "/sandbox/deliveries/%FF/advance",
    ] {
        let (status, content_type, body) = get(&sb, path).await;
        let status = if path.ends_with("advance") {
            // GET is not served there; POST is what matters.
            let response = reqwest::Client::new()
                .post(format!("{}{path}", sb.base_url()))
                .header("Api-Key", KEY)
                .send()
                .await
                .unwrap();
            let s = response.status().as_u16();
            let b: Value = response.json().await.unwrap();
            assert!(b["error"].as_str().unwrap().starts_with("path: "), "{b}");
            s
        } else {
            assert_eq!(content_type.as_deref(), Some("application/json"), "{path}");
            assert!(
                body["error"].as_str().unwrap().starts_with("path: "),
                "{path}: {body}"
            );
            status
        };
        assert_eq!(status, 400, "{path}");
    }
}
