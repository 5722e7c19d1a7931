//! `bucket-console serve`: the local tracking server as a foreground process.

use super::context::exit;
use bucket_console::sanitize::sanitize;
use bucket_console::server::{self, Limits, ServerConfig, Storage};
use bucket_console::{collection, flags, paths};
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
  bucket-console serve --flags flags.json       # answer GET /features from your definitions; edits go live
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
    /// Do not print a line per request, nor the notes at start (where calls are stored, the
    /// environments, the flags served), on stderr; warnings and errors still print.
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
    /// Memory the recorder may hold across every key (oldest records go first): 128MiB, 1GiB…
    #[arg(long, default_value = "128MiB", value_name = "SIZE", value_parser = parse_size)]
    record_memory: usize,
    /// A request's headers must arrive within this, from the connection's opening or the
    /// request's first byte, else the connection closes: 10s, 500ms, 2m.
    #[arg(long, default_value = "10s", value_name = "TIME", value_parser = parse_duration)]
    header_timeout: Duration,
    /// A body may go this long without a byte (and six times this in all) before it is given up
    /// with a 408 and nothing stored.
    #[arg(long, default_value = "10s", value_name = "TIME", value_parser = parse_duration)]
    body_timeout: Duration,
    /// A kept-alive connection waits this long for its next request.
    #[arg(long, default_value = "75s", value_name = "TIME", value_parser = parse_duration)]
    idle_timeout: Duration,
    /// Connections served at once; more wait in the kernel's backlog [default: from the
    /// open-file limit, leaving room for the database]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// With a non-loopback --listen: also answer requests whose Host is this name (IP literals
    /// and localhost always are); repeatable.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// A Runtime API environment: its name and its two keys, which belong together
    /// (NAME=pub_…,sec_…); repeatable. Rows are stored, and read at /_local/NAME/…, under the
    /// name. `local` is built in; a key no --env names is an environment of its own, named
    /// `key-` and its fingerprint.
    #[arg(long = "env", value_name = "NAME=PUB,SEC")]
    environments: Vec<String>,
    /// A STARS computation (`stars`, the Features view) is stopped and answered 503 after this.
    /// Clients wait 15 s for an answer.
    #[arg(long, default_value = "10s", value_name = "TIME", value_parser = parse_duration)]
    stars_timeout: Duration,
    /// Flag definitions for GET /features and /features/evaluated: JSON in the shape of
    /// GET /features's answer, or the bare array (`flags pull` writes one). Watched: a saved
    /// edit is served and pushed at once.
    #[arg(long, value_name = "PATH")]
    flags: Option<PathBuf>,
    /// The collection whose `[flags.KEY]` are served too (watched likewise) [default:
    /// bucket-console.toml here or in a parent, as `run` finds it].
    #[arg(long, env = "BUCKET_COLLECTION", value_name = "PATH")]
    collection: Option<PathBuf>,
}

/// `10s`, `500ms`, `2m`, or plain seconds (`1.5`).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let seconds = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        _ => return Err(format!("`{s}`: the unit is ms, s or m (10s, 500ms, 2m)")),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n > 0.0 && n * seconds <= 86_400.0 => Ok(Duration::from_secs_f64(n * seconds)),
        _ => Err(format!(
            "`{s}` is not a time between 1ms and a day (10s, 500ms, 2m)"
        )),
    }
}

/// `128MiB`, `1GiB`, `512KiB` (or M, G, K), or plain bytes.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let scale: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return Err(format!("`{s}`: the unit is KiB, MiB or GiB (128MiB)")),
    };
    match number.trim().parse::<u64>() {
        Ok(n) if n.checked_mul(scale).is_some_and(|b| b >= 1 << 20) => {
            usize::try_from(n * scale).map_err(|_| format!("`{s}` is too large"))
        }
        _ => Err(format!(
            "`{s}` is not a size of at least 1MiB (128MiB, 1GiB)"
        )),
    }
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
    let cwd = std::env::current_dir().unwrap_or_default();
    let sources = flags::Sources {
        file: args.flags.clone(),
        collection: collection::locate(args.collection.as_deref(), &cwd),
    };
    let loaded = match flags::load(&sources) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("{}", sanitize(&e.to_string()));
            eprintln!("bucket-console serve: the flag definitions above cannot be served");
            return ExitCode::from(exit::USAGE);
        }
    };
    for warning in &loaded.warnings {
        eprintln!("warning: {}", sanitize(warning));
    }
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
    let mut environments = server::Environments::default();
    for spec in &args.environments {
        if let Err(e) = environments.add(spec) {
            eprintln!("bucket-console serve: {e}");
            return ExitCode::from(exit::USAGE);
        }
    }
    for name in environments.short_secrets() {
        eprintln!(
            "warning: environment `{name}`'s secret key has 22 characters or fewer; \
             @reflag/node-sdk refuses such keys"
        );
    }
    let config = ServerConfig {
        listen: args.listen,
        storage,
        fail_rate: args.fail_rate,
        latency: Duration::from_millis(args.latency_ms),
        access_log: !args.quiet,
        record: args.record,
        forward: args.forward.clone(),
        limits: Limits {
            header_timeout: args.header_timeout,
            body_idle_timeout: args.body_timeout,
            body_total_timeout: args.body_timeout * 6,
            idle_timeout: args.idle_timeout,
            max_connections: args
                .max_connections
                .map_or_else(server::limits::default_max_connections, |n| n as usize),
            record_memory: args.record_memory,
            allowed_hosts: args.allow_host.clone(),
            stars_timeout: args.stars_timeout,
            ..Limits::default()
        },
        environments,
        flags: loaded.flags.clone(),
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
    let quiet = args.quiet;
    runtime.block_on(serve(config, sources, &loaded, quiet))
}

async fn serve(
    config: ServerConfig,
    sources: flags::Sources,
    loaded: &flags::Loaded,
    quiet: bool,
) -> ExitCode {
    let where_ = match &config.storage {
        Storage::File(p) => p.display().to_string(),
        Storage::Memory => "memory (nothing is kept)".to_owned(),
    };
    let listen = config.listen;
    let server = match server::start_until(config, shutdown_signal()).await {
        Ok(server) => server,
        Err(server::ServerError::Bind(addr, e))
            if e.kind() == std::io::ErrorKind::AddrInUse
                && bucket_console::target::local_server_answers_on(listen).await =>
        {
            eprintln!(
                "bucket-console serve: {addr} is held by a bucket-console already (a console's \
                 local server, or another serve): use it, quit that console, or pick another \
                 address with --listen 127.0.0.1:0"
            );
            return ExitCode::from(exit::FAILURE);
        }
        Err(e) => {
            eprintln!("bucket-console serve: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", server.base_url());
    let _ = out.flush();
    drop(out);
    // Notes, not warnings: `--quiet` leaves them out (scripts and benches start serve often).
    let note = |line: String| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    note(format!("storing in {where_}; Ctrl-C stops"));
    if !server.addr().ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, reachable from your network: anyone who reaches this port \
             can send calls and read everything stored through /_local. Requests must address \
             the server by IP, localhost, or a name given with --allow-host.",
            server.addr()
        );
    }
    note(format!(
        "Runtime API environments: {} (a key no --env names is its own environment)",
        server.environments().join(", ")
    ));
    let _following = follow_flags(&server, sources, loaded, &note);
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

/// Says what flags are served, and serves each good edit of their files from now on.
fn follow_flags(
    server: &server::RunningServer,
    sources: flags::Sources,
    loaded: &flags::Loaded,
    note: &dyn Fn(String),
) -> Option<flags::watch::Following> {
    let version = server.flags().version();
    let mut from = Vec::new();
    if let Some(file) = &sources.file {
        from.push(format!("{} from {}", loaded.from_file, file.display()));
    }
    if let Some(file) = &sources.collection {
        from.push(format!(
            "{} from {}",
            loaded.from_collection,
            file.display()
        ));
    }
    if from.is_empty() {
        note("flags: none (give --flags FILE, or [flags.KEY] in the collection)".to_owned());
        return None;
    }
    note(format!(
        "flags: {}; flagStateVersion {version}; edits are served as they are saved",
        from.join(", ")
    ));
    let say = |line: String| eprintln!("{}", sanitize(&line));
    match flags::watch::serve_edits(
        server.flags(),
        sources,
        tokio::runtime::Handle::current(),
        say,
    ) {
        Ok(following) => Some(following),
        Err(e) => {
            eprintln!("warning: flag files are not watched ({e}): restart serve after an edit");
            None
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

#[cfg(test)]
mod limits_tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        for bad in ["0s", "-1", "ten", "5h", ""] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_size("128MiB"), Ok(128 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("2048KiB"), Ok(2 << 20));
        for bad in ["12", "1KiB", "lots", "5TiB", "-3M"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
