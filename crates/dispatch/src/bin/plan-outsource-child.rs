//! The process the planning test kills while it hands stops to DIAq: it opens the cache and
//! hands the given stops of a plan over, printing `item <stop id> <outcome>` as each is
//! settled and `done` at the end — so a SIGKILL can land between any two of them, or inside
//! one's estimate, reservation, create or SQLite write.
//!
//! `plan-outsource-child CACHE_FILE BASE_URL API_KEY PLAN_ID STOP_ID...`

use std::io::Write as _;
use std::sync::Arc;

use anyhow::bail;
use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{Dispatch, Mode, OutsourceItem, SystemClock};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cache_file, base_url, api_key, plan_id, stop_ids @ ..] = args.as_slice() else {
        bail!("usage: plan-outsource-child CACHE_FILE BASE_URL API_KEY PLAN_ID STOP_ID...");
    };
    let cache = Arc::new(Cache::open(cache_file.as_ref())?);
    let client = DiaqClient::new(base_url, api_key)?;
    let dispatch = Dispatch::new(client, cache, Mode::Sandbox, Arc::new(SystemClock), None)?;
    let print = |item: &OutsourceItem| {
        let outcome = serde_json::to_value(item)
            .ok()
            .and_then(|v| v["outcome"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "item {} {outcome}", item.stop_id);
        let _ = out.flush();
    };
    dispatch.outsource_stops(plan_id, stop_ids, &print).await?;
    println!("done");
    Ok(())
}
