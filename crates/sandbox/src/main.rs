//! `hakobu-sandbox --addr 127.0.0.1:0 --db FILE --api-key KEY [--seed tokyo]
//!  [--webhook-url URL --webhook-secret whsec_…] [--simulate SPEED]
//!  [--routemate-client rm_ci_…:rm_cs_…]… [--driver EMAIL[=LAT,LNG]]…
//!  [--bench-drivers N [--bench-seconds S]]`
//! Prints `listening on http://HOST:PORT` as its first line, then serves until Ctrl-C/SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use std::sync::Arc;

use hakobu_geo::Gazetteer;
use hakobu_sandbox::{
    CapacityConfig, RouteMateClient, RouteMateConfig, RouteMateDriver, SandboxConfig, Seed,
    WebhookConfig,
};

#[derive(Debug, Parser)]
#[command(about = "DIAq sandbox server over SQLite")]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// SQLite file (created when missing, kept across restarts).
    #[arg(long)]
    db: PathBuf,
    /// The Api-Key header value clients must send.
    #[arg(long, env = "HAKOBU_SANDBOX_API_KEY")]
    api_key: String,
    /// Demo data loaded into an empty database.
    #[arg(long, value_enum)]
    seed: Option<Seed>,
    /// Deliveries/fetches per hourly window and store.
    #[arg(long, default_value_t = CapacityConfig::default().per_hour)]
    capacity_per_hour: u32,
    /// Deliveries/fetches per day in the anytime window, per store.
    #[arg(long, default_value_t = CapacityConfig::default().anytime_per_day)]
    capacity_anytime: u32,
    /// How long an estimate's or reservation's hold lasts.
    #[arg(long, default_value_t = CapacityConfig::default().hold_minutes)]
    hold_minutes: i64,
    /// The gazetteer for distances (default: the built data/geo/gazetteer.tsv).
    #[arg(long)]
    geo_data: Option<PathBuf>,
    /// POST status changes and driver locations to this URL (https://, or http:// to
    /// 127.0.0.1/localhost); also settable at run time with `PUT /sandbox/webhook`.
    #[arg(long, requires = "webhook_secret")]
    webhook_url: Option<String>,
    /// Standard Webhooks signing secret, `whsec_` + base64.
    #[arg(long, env = "HAKOBU_SANDBOX_WEBHOOK_SECRET", requires = "webhook_url")]
    webhook_secret: Option<String>,
    /// Simulated drivers carry created jobs through to delivered, SPEED times faster than
    /// real time (e.g. 60: a minute per second).
    #[arg(long, value_name = "SPEED")]
    simulate: Option<f64>,
    /// A RouteMate client credential pair accepted by POST /v1/integration-token (repeatable).
    /// More are made with POST /sandbox/routemate/clients.
    #[arg(long, value_name = "rm_ci_…:rm_cs_…")]
    routemate_client: Vec<RouteMateClient>,
    /// A RouteMate driver jobs can be imported for, starting at LAT,LNG (default: by Tokyo
    /// Station) in a 軽四輪 (repeatable).
    #[arg(long, value_name = "EMAIL[=LAT,LNG]")]
    driver: Vec<RouteMateDriver>,
    /// Benchmark load for the live map: N more drivers (ids from 1001), each moving once a
    /// second and posted as a signed driver.location to the webhook URL (at most 10000).
    #[arg(long, value_name = "N", default_value_t = 0)]
    bench_drivers: usize,
    /// How long the benchmark drivers run, in seconds (default 1800).
    #[arg(long, value_name = "S")]
    bench_seconds: Option<u64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let geo_path = args.geo_data.unwrap_or_else(Gazetteer::default_path);
    let geo = match Gazetteer::load(&geo_path) {
        Ok(g) => Some(Arc::new(g)),
        Err(e) => {
            tracing::warn!("distances will be 0: {e}");
            None
        }
    };
    let config = SandboxConfig {
        db_path: args.db,
        api_key: args.api_key,
        seed: args.seed,
        capacity: CapacityConfig {
            per_hour: args.capacity_per_hour,
            anytime_per_day: args.capacity_anytime,
            hold_minutes: args.hold_minutes,
            ..CapacityConfig::default()
        },
        clock: None,
        geo: geo.into(),
        webhook: args
            .webhook_url
            .zip(args.webhook_secret)
            .map(|(url, secret)| WebhookConfig { url, secret }),
        simulate: args.simulate,
        routemate: RouteMateConfig {
            clients: args.routemate_client,
            drivers: args.driver,
        },
        bench_drivers: args.bench_drivers,
        bench_for: args.bench_seconds.map(std::time::Duration::from_secs),
    };
    let running = hakobu_sandbox::start(&config, args.addr)
        .await
        .context("starting the sandbox")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", running.base_url())?;
    out.flush()?;
    drop(out);
    shutdown_signal().await;
    running.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
