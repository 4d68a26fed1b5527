//! A slow API never freezes the app's other writers: a webhook confirmation waiting on its GET
//! holds no lock, so a sync meanwhile reads and writes the cache. The real sandbox on port 0
//! behind a TCP proxy that holds one request until the test lets it through, the real client,
//! a real cache file.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use hakobu_cache::Cache;
use hakobu_diaq_client::{DiaqClient, RetryPolicy};
use hakobu_dispatch::{Dispatch, Mode, SystemClock, WebhookSecret};
use hakobu_sandbox::{SandboxConfig, Seed};
use rand::SeedableRng;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};

const KEY: &str = "k_slow_api";
const STORE: &str = "5eed0000-0000-4000-8000-000000000003"; // 渋谷道玄坂
const PATIENCE: Duration = Duration::from_secs(20);

/// Forwards TCP to `upstream`; the first request whose bytes contain `held` waits until
/// `release` is notified, and `arrived` fires when it gets there.
struct Gate {
    addr: std::net::SocketAddr,
    release: Arc<Notify>,
    arrived: Option<oneshot::Receiver<()>>,
}

async fn gate(upstream: std::net::SocketAddr, held: String) -> Gate {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let release = Arc::new(Notify::new());
    let (tx, rx) = oneshot::channel();
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    let held = Arc::new(held);
    let release_for_proxy = release.clone();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let (tx, held, release) = (tx.clone(), held.clone(), release_for_proxy.clone());
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_r, mut client_w) = client.into_split();
                let (mut server_r, mut server_w) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_r, &mut client_w).await;
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match client_r.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    let text = String::from_utf8_lossy(&buf[..n]);
                    if text.contains(held.as_str()) {
                        let first = tx.lock().unwrap().take();
                        if let Some(first) = first {
                            let _ = first.send(());
                            release.notified().await;
                        }
                    }
                    if server_w.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Gate {
        addr,
        release,
        arrived: Some(rx),
    }
}

fn tomorrow_10() -> String {
    let t = hakobu_diaq::time::from_utc(Utc::now()) + chrono::Duration::days(1);
    format!("{}T10:00:00+09:00", t.format("%Y-%m-%d"))
}

#[tokio::test]
async fn a_sync_is_not_kept_waiting_by_a_confirmation_whose_get_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: dir.path().join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        ..SandboxConfig::default()
    };
    let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let direct = DiaqClient::new(&server.base_url(), KEY).unwrap();
    let mut body = json!({
        "store_id": STORE,
        "ready_by": tomorrow_10(),
        "customer": {"address_zipcode": "150-0001", "address_prefecture": "東京都",
                     "address_line_1": "渋谷区神宮前1-19-11", "last_name": "吉沢",
                     "phone": "090-1234-5678"},
        "packages": [{"service_brand": "60サイズ", "order_reference": "W1", "name": "靴",
                      "boxes": 1, "number": 1}]
    });
    let estimate = direct.create_delivery_estimate(&body).await.unwrap();
    body["delivery_window_id"] = json!(estimate.delivery_windows[0].id);
    let delivery: Value =
        serde_json::to_value(direct.create_delivery(&body).await.unwrap()).unwrap();
    let id = delivery["id"].as_str().unwrap().to_owned();

    // The app talks to the sandbox through the gate, which holds the confirmation's GET.
    let mut gate = gate(server.addr(), format!("GET /v1/deliveries/{id}")).await;
    let base = format!("http://{}", gate.addr);
    let client = DiaqClient::new(&base, KEY)
        .unwrap()
        .with_retry(RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        });
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    let dispatch = Arc::new(
        Dispatch::new(
            client,
            cache.clone(),
            Mode::Sandbox,
            Arc::new(SystemClock),
            None,
        )
        .unwrap(),
    );
    let key = WebhookSecret::generate(&mut rand::rngs::StdRng::from_os_rng());
    let receiver = dispatch.serve_webhooks(key.clone()).await.unwrap();

    // The API moves the delivery on; its webhook arrives and the app confirms it by GET.
    direct.sandbox_advance("deliveries", &id).await.unwrap();
    let event = json!({"event": "delivery.assigned", "delivery": {"id": id, "status": "assigned"}})
        .to_string();
    let timestamp = Utc::now().timestamp();
    let signature = key.sign("msg_slow", timestamp, event.as_bytes());
    let url = receiver.url().to_string();
    let posted = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", "msg_slow")
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(event)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::timeout(PATIENCE, gate.arrived.take().unwrap())
        .await
        .expect("the confirmation's GET reaches the gate")
        .unwrap();

    // While that GET hangs, a full sync lists, compares and writes.
    let report = tokio::time::timeout(Duration::from_secs(10), dispatch.sync_orders(true))
        .await
        .expect("the sync is not kept waiting by the hanging confirmation")
        .unwrap();
    assert!(report.deliveries >= 1, "{report:?}");
    assert_eq!(cache.order(&id).unwrap().unwrap().status, "assigned");

    // Let the GET through: the confirmation finds the cache already holds what it read.
    gate.release.notify_one();
    let status = tokio::time::timeout(PATIENCE, posted)
        .await
        .expect("the webhook is answered")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(cache.order(&id).unwrap().unwrap().status, "assigned");
    receiver.shutdown().await;
}
