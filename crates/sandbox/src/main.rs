//! `hakobu-sandbox --addr 127.0.0.1:0 --db FILE --api-key KEY [--seed tokyo]`
//! Prints `listening on http://HOST:PORT` as its first line, then serves until Ctrl-C/SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use hakobu_sandbox::{SandboxConfig, Seed};

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = SandboxConfig {
        db_path: args.db,
        api_key: args.api_key,
        seed: args.seed,
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
