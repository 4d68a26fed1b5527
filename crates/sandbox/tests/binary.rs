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
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let key = key.map(|k| format!("Api-Key: {k}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{key}Connection: close\r\nContent-Length: 0\r\n\r\n"
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
