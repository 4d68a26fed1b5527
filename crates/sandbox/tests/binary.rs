//! The `hakobu-sandbox` binary as scripts use it: first stdout line, Api-Key, persistence.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &std::path::Path) -> Server {
    start_with(db, &[])
}

fn start_with(db: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hakobu-sandbox"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "k1",
            "--seed",
            "tokyo",
            "--db",
        ])
        .arg(db)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line was {line:?}"))
        .parse()
        .unwrap();
    Server { child, port }
}

/// A plain HTTP/1.1 exchange, so this test depends on nothing but the binary.
fn http(port: u16, method: &str, path: &str, key: Option<&str>) -> (u16, String) {
    let key = key.map(|k| format!("Api-Key: {k}\r\n")).unwrap_or_default();
    exchange(port, method, path, &key, "")
}

/// `headers` are complete lines, each ending in CRLF.
fn exchange(port: u16, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn prints_its_address_first_serves_with_the_key_and_keeps_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sb.db");
    let server = start(&db);
    let (status, body) = http(server.port, "GET", "/v1/stores/counts", Some("k1"));
    assert_eq!((status, body.as_str()), (200, r#"{"counts":12}"#));
    let (status, body) = http(server.port, "GET", "/v1/time_zones", None);
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"error":"401 Unauthorized"}"#)
    );
    let (status, _) = http(
        server.port,
        "DELETE",
        "/v1/stores/5eed0000-0000-4000-8000-000000000003",
        Some("k1"),
    );
    assert_eq!(status, 204);
    drop(server);

    let server = start(&db);
    let (_, body) = http(server.port, "GET", "/v1/stores/counts", Some("k1"));
    assert_eq!(body, r#"{"counts":11}"#);
}

/// `--routemate-client` and `--driver` (repeatable): the pair gets a token, the drivers take
/// imports, and the Tokyo seed's demo drivers are there too.
#[test]
fn routemate_credentials_and_drivers_come_from_flags() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(
        &dir.path().join("sb.db"),
        &[
            "--routemate-client",
            "rm_ci_script:rm_cs_script_secret",
            "--driver",
            "one@example.com",
            "--driver",
            "two@example.com=35.6581,139.7017",
        ],
    );
    let json = "Content-Type: application/json\r\n";
    let (status, body) = exchange(
        server.port,
        "POST",
        "/v1/integration-token",
        json,
        r#"{"client_id":"rm_ci_script","client_secret":"rm_cs_script_secret"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let token = body
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let auth = format!("{json}Authorization: Bearer {token}\r\n");
    for (n, driver) in [
        "one@example.com",
        "two@example.com",
        "tanaka.kenta@routemate.example",
    ]
    .iter()
    .enumerate()
    {
        let import = format!(
            r#"{{"external_job_id":"J{n}","title":"t","driver_email":"{driver}","stops":[{{"external_stop_id":"a","address":"東京都港区六本木6-10-1","parcel_count":1}}]}}"#
        );
        let (status, body) = exchange(
            server.port,
            "POST",
            "/v1/integration-import",
            &auth,
            &import,
        );
        assert_eq!(status, 201, "{driver}: {body}");
    }
}

#[test]
fn malformed_routemate_flags_stop_the_binary() {
    for args in [
        ["--routemate-client", "rm_ci_only"],
        ["--driver", "not-an-email"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_hakobu-sandbox"))
            .args(["--api-key", "k", "--db", "/nonexistent/never-opened.db"])
            .args(args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(args[0]), "{args:?}: {stderr}");
    }
}

#[test]
fn the_benchmark_flags_start_the_load_and_too_many_drivers_stop_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    // Taken: the server comes up (its drivers wait for a webhook URL to post to).
    let server = start_with(
        &dir.path().join("bench.db"),
        &["--bench-drivers", "5", "--bench-seconds", "60"],
    );
    let (status, _) = http(server.port, "GET", "/v1/stores", Some("k1"));
    assert_eq!(status, 200);
    drop(server);

    let output = Command::new(env!("CARGO_BIN_EXE_hakobu-sandbox"))
        .args(["--api-key", "k", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("too-many.db"))
        .args(["--bench-drivers", "10001"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bench_drivers: at most 10000"), "{stderr}");
}
