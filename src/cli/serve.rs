//! `bucket-console serve`: the local tracking server as a foreground process.

use super::context::exit;
use bucket_console::paths;
use bucket_console::server::{self, ServerConfig, Storage};
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Run the local tracking server: the Bucket Tracking API with a SQLite store, plus inspection
/// routes under /_local.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  bucket-console serve                          # http://127.0.0.1:8787, database in the data dir
  bucket-console serve --listen 127.0.0.1:0     # any free port; the first line says which
  bucket-console serve --memory --fail-rate 0.1 --latency-ms 200   # a flaky, slow server for testing clients
  bucket-console serve --forward https://tracking.bucket.co         # check, record, pass on to the real service
  curl -s localhost:8787/_local/local/stats
  bucket-console watch --key YOUR_KEY           # the requests your app sends, live")]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. Non-loopback addresses expose the server
    /// to your network.
    #[arg(long, default_value = ServerConfig::DEFAULT_LISTEN, value_name = "ADDR")]
    listen: SocketAddr,
    /// Database file [default: local-tracking.sqlite3 in the data dir]
    #[arg(long, value_name = "PATH", conflicts_with = "memory")]
    db: Option<PathBuf>,
    /// Keep everything in memory; nothing survives the process.
    #[arg(long)]
    memory: bool,
    /// Answer this share of tracking calls (0 to 1) with a 500 without storing them.
    #[arg(long, default_value_t = 0.0, value_name = "R", value_parser = parse_rate)]
    fail_rate: f64,
    /// Delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "N")]
    latency_ms: u64,
    /// Do not print a line per request on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// After checking and recording each tracking call, pass it on unchanged to this base URL (the
    /// real service) and answer the app with its answer; both verdicts are recorded.
    #[arg(long, value_name = "URL")]
    forward: Option<String>,
    /// Requests recorded per tracking key for the Traffic view and `watch` (in memory); 0 records
    /// none.
    #[arg(long, default_value_t = server::traffic::DEFAULT_KEEP, value_name = "N")]
    record: usize,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "`{s}` is not a rate between 0 and 1 (0.1 fails one call in ten)"
        )),
    }
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let storage = if args.memory {
        Storage::Memory
    } else {
        match args.db.clone().map_or_else(paths::default_database, Ok) {
            Ok(path) => Storage::File(path),
            Err(e) => {
                eprintln!("bucket-console serve: {e}");
                return ExitCode::from(exit::FAILURE);
            }
        }
    };
    let config = ServerConfig {
        listen: args.listen,
        storage,
        fail_rate: args.fail_rate,
        latency: Duration::from_millis(args.latency_ms),
        access_log: !args.quiet,
        record: args.record,
        forward: args.forward.clone(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bucket-console serve: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    runtime.block_on(serve(config))
}

async fn serve(config: ServerConfig) -> ExitCode {
    let where_ = match &config.storage {
        Storage::File(p) => p.display().to_string(),
        Storage::Memory => "memory (nothing is kept)".to_owned(),
    };
    let server = match server::start_until(config, shutdown_signal()).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("bucket-console serve: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", server.base_url());
    let _ = out.flush();
    drop(out);
    eprintln!("storing in {where_}; Ctrl-C stops");
    if let Some(upstream) = server.forwarding() {
        eprintln!(
            "forwarding tracking calls to {upstream}; the app gets its answers, both verdicts are recorded"
        );
    }
    match server.wait().await {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("bucket-console serve: {e}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
