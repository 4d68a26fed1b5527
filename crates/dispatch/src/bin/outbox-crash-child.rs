//! The process the outbox crash test kills: it opens the cache, queues a store and some
//! deliveries, then replays and syncs in a loop — so a SIGKILL can land anywhere in a send,
//! an acknowledgement, a sync or a SQLite write.
//!
//! `outbox-crash-child CACHE_FILE BASE_URL API_KEY RUN WRITES`

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use hakobu_cache::Cache;
use hakobu_diaq::StoreInput;
use hakobu_diaq_client::{DiaqClient, RetryPolicy};
use hakobu_dispatch::{Dispatch, Mode, SystemClock, WindowChoice, Write};
use serde_json::json;

/// A seeded store of the Tokyo demo (渋谷道玄坂).
const STORE: &str = "5eed0000-0000-4000-8000-000000000003";

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cache_file, base_url, api_key, run, writes] = args.as_slice() else {
        bail!("usage: outbox-crash-child CACHE_FILE BASE_URL API_KEY RUN WRITES");
    };
    let writes: usize = writes.parse().context("WRITES")?;
    let cache = Arc::new(Cache::open(cache_file.as_ref())?);
    let client = DiaqClient::new(base_url, api_key)?.with_retry(RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
    });
    let dispatch = Dispatch::new(client, cache, Mode::Sandbox, Arc::new(SystemClock), None)?;

    dispatch
        .enqueue_write(Write::CreateStore { input: store(run) })
        .await?;
    let ready_by = tomorrow_10();
    for i in 0..writes {
        let body = json!({
            "store_id": STORE,
            "ready_by": ready_by,
            "customer": {"last_name": "試験", "first_name": "太郎", "phone": "090-1234-5678",
                         "address_zipcode": "150-0001", "address_prefecture": "東京都",
                         "address_line_1": "渋谷区神宮前1-19-11"},
            "packages": [{"service_brand": "60サイズ", "order_reference": format!("CRASH-{run}-{i}"),
                          "name": "靴", "boxes": 1, "number": 1}]
        });
        dispatch
            .enqueue_write(Write::CreateDelivery {
                body,
                window: WindowChoice::Earliest,
            })
            .await?;
    }
    for _ in 0..3 {
        dispatch.replay_outbox().await?;
        dispatch.sync_orders(false).await?;
        dispatch.sync_stores().await?;
    }
    Ok(())
}

fn store(run: &str) -> StoreInput {
    StoreInput {
        store_name: Some(format!("クラッシュ店{run}")),
        store_address_zipcode: Some("106-0032".into()),
        store_address_prefecture: Some("東京都".into()),
        store_address_line_1: Some("港区六本木6-10-1".into()),
        store_phone: Some("03-6406-6000".into()),
        ..StoreInput::default()
    }
}

/// Tomorrow 10:00 in Japan: a ready_by every estimate can serve.
fn tomorrow_10() -> String {
    let t = hakobu_diaq::time::from_utc(chrono::Utc::now()) + chrono::Duration::days(1);
    format!("{}T10:00:00+09:00", t.format("%Y-%m-%d"))
}
