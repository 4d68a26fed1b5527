//! A deterministic driver for instruction counts of `POST /v1/delivery_estimates/`, the number
//! that does not move when other builds share the machine (wall-clock throughput does):
//!
//! ```sh
//! cargo bench -p hakobu-sandbox --bench estimate_profile --no-run   # prints the executable
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*estimate_profile*measured*' \
//!     <executable> 2000
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! ```
//!
//! Instructions per estimate = the collected total ÷ the count given (default 2,000). It runs the
//! real HTTP path (hyper, the `Api-Key` and idempotency layers, the handler, SQLite) on one
//! current-thread runtime, with the http bench's setup (the Tokyo seed, the gazetteer, capacity
//! that never fills) and one keep-alive connection whose client is a few lines of raw HTTP/1.1,
//! so nearly every instruction counted is the server's. Without valgrind it just reports the
//! time per estimate, as a smoke check that the driver works.

use std::sync::Arc;
use std::time::Instant;

use hakobu_geo::Gazetteer;
use hakobu_sandbox::{CapacityConfig, SandboxConfig, Seed};
use serde_json::json;
use tokio::net::TcpStream;

const WARM_UP: usize = 200;

/// The http bench's request mix: twelve stores, four customer addresses.
fn estimate_request(i: usize) -> Vec<u8> {
    let towns = [
        "港区東麻布1-5-2",
        "渋谷区神宮前1-19-11",
        "新宿区西新宿2-8-1",
        "中央区銀座4-6-16",
    ];
    let ready = hakobu_diaq::time::format(
        hakobu_diaq::time::from_utc(chrono::Utc::now()) + chrono::Duration::hours(2),
    );
    let body = json!({
        "store_id": format!("5eed0000-0000-4000-8000-{:012}", i % 12 + 1),
        "ready_by": ready,
        "customer": {"address_zipcode": "106-0044", "address_prefecture": "東京都",
                     "address_line_1": towns[i % towns.len()], "address_line_2": ""},
        "packages": [{"service_brand": "80サイズ", "name": "衣料", "boxes": 1, "number": 1}]
    })
    .to_string();
    let mut request = format!(
        "POST /v1/delivery_estimates/ HTTP/1.1\r\nHost: bench\r\nApi-Key: bench\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    request
}

/// Sends one request and reads its whole answer; panics unless it is a 200.
async fn exchange(conn: &mut TcpStream, buf: &mut Vec<u8>, chunk: &mut [u8], request: &[u8]) {
    // readiness + try_* rather than AsyncWriteExt/AsyncReadExt: those need tokio's `io-util`.
    let mut sent = 0;
    while sent < request.len() {
        conn.writable().await.unwrap();
        match conn.try_write(&request[sent..]) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("write: {e}"),
        }
    }
    buf.clear();
    loop {
        conn.readable().await.unwrap();
        let n = match conn.try_read(chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => panic!("read: {e}"),
        };
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
        let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buf[..head_end]).unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .expect("content-length");
        if buf.len() >= head_end + 4 + length {
            return;
        }
    }
}

/// The measured part: the only function callgrind collects in (`--toggle-collect`).
#[inline(never)]
fn measured(rt: &tokio::runtime::Runtime, conn: &mut TcpStream, requests: &[Vec<u8>]) {
    rt.block_on(async {
        // Reused, so the client's own work stays small next to the server's.
        let (mut buf, mut chunk) = (Vec::with_capacity(16 * 1024), vec![0u8; 16 * 1024]);
        for r in requests {
            exchange(conn, &mut buf, &mut chunk, r).await;
        }
    });
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let geo = Gazetteer::load(&Gazetteer::default_path())
        .expect("the gazetteer: instruction counts without it would not compare")
        .into();
    let config = SandboxConfig {
        db_path: dir.path().join("profile.db"),
        api_key: "bench".into(),
        seed: Some(Seed::Tokyo),
        capacity: CapacityConfig {
            per_hour: 1_000_000,
            anytime_per_day: 1_000_000,
            ..CapacityConfig::default()
        },
        geo: Some(Arc::clone(&geo)).into(),
        ..SandboxConfig::default()
    };
    let server = rt
        .block_on(hakobu_sandbox::start(
            &config,
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let mut conn = rt.block_on(TcpStream::connect(server.addr())).unwrap();
    conn.set_nodelay(true).unwrap();
    // Built before measuring, so the client's JSON is not counted.
    let warm: Vec<_> = (0..WARM_UP).map(estimate_request).collect();
    let requests: Vec<_> = (WARM_UP..WARM_UP + count).map(estimate_request).collect();
    warm_up(&rt, &mut conn, &warm);
    let started = Instant::now();
    measured(&rt, &mut conn, &requests);
    let took = started.elapsed();
    println!(
        "{count} estimates in {:.2} s: {:.1} µs each (single connection, one thread)",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / count as f64
    );
    drop(conn);
    rt.block_on(server.shutdown());
}

/// Connections, SQLite pages and statement caches, outside the collected function.
#[inline(never)]
fn warm_up(rt: &tokio::runtime::Runtime, conn: &mut TcpStream, requests: &[Vec<u8>]) {
    rt.block_on(async {
        let (mut buf, mut chunk) = (Vec::new(), vec![0u8; 16 * 1024]);
        for r in requests {
            exchange(conn, &mut buf, &mut chunk, r).await;
        }
    });
}
