//! `bucket-console watch`: the requests a local server receives, one line each, as they arrive.

use super::context::{self, CliError, exit};
use super::render::{self, Painter};
use anstyle::{AnsiColor, Style};
use bucket_console::api::TrackingKey;
use bucket_console::api::inspect::RequestRecord;
use bucket_console::inspect::{InspectError, Inspector, table};
use bucket_console::profiles::LOCAL_URL;
use bucket_console::sanitize::sanitize;
use clap::Args;
use futures_util::StreamExt;
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

/// Print every request a local server receives for a tracking key, as it arrives: your app's calls,
/// with the server's verdict and the first problem. Point the app (for example the browser SDK with
/// `host: "http://127.0.0.1:8787"`) at `bucket-console serve` first.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 stopped with Ctrl-C; 2 usage error; 3 no server to watch.

Examples:
  bucket-console serve &                       # the local server on 127.0.0.1:8787
  bucket-console watch --key YOUR_TRACKING_KEY # the key your app sends with
  bucket-console watch --json | jq 'select(.local.status >= 400)'
  bucket-console watch --profile staging-local --last 50"
)]
pub struct WatchArgs {
    /// The tracking key whose requests to show [default: the profile's].
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// The profile naming the server (its base URL and key).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Requests already recorded to show first.
    #[arg(long, default_value_t = 10, value_name = "N")]
    last: u32,
    /// One JSON object per request (the record the server keeps), for jq.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &WatchArgs) -> Result<u8, CliError> {
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let key = match &args.key {
        Some(k) => TrackingKey::parse(k).map_err(|e| CliError::usage(format!("--key: {e}")))?,
        None => selected.profile.key.data_key(),
    };
    let base = selected.profile.base_url.clone();
    context::runtime(1)?.block_on(async move {
        if selected.profile.is_local() && !selected.base_overridden && !bucket_console::target::local_server_answers().await {
            return Err(CliError::failed(format!(
                "no local server answers on {LOCAL_URL}: start `bucket-console serve` and point your app at it"
            )));
        }
        let inspector = Inspector::new(&base, key.clone()).map_err(|e| CliError::failed(e.to_string()))?;
        eprintln!(
            "watching requests for key {} at {} (Ctrl-C stops)",
            key.masked(),
            sanitize(&base)
        );
        tokio::select! {
            result = follow(&inspector, args) => result,
            _ = tokio::signal::ctrl_c() => Ok(exit::OK),
        }
    })
}

/// The last few, then the stream; reconnects from the last id seen when the stream drops.
async fn follow(inspector: &Inspector, args: &WatchArgs) -> Result<u8, CliError> {
    let p = Painter::for_stdout();
    let fatal = |e: InspectError| CliError::failed(e.to_string());
    let mut last = None;
    if args.last > 0 {
        for r in inspector.requests(None, args.last).await.map_err(fatal)? {
            last = r.id.parse().ok();
            print(p, &r, args.json);
        }
    } else if let Some(r) = inspector.requests(None, 1).await.map_err(fatal)?.pop() {
        last = r.id.parse().ok();
    }
    let mut dropped = false;
    loop {
        match inspector.request_stream(last).await {
            Ok(stream) => {
                if dropped {
                    eprintln!("reconnected");
                    dropped = false;
                }
                let mut stream = std::pin::pin!(stream);
                while let Some(item) = stream.next().await {
                    match item {
                        Ok(r) => {
                            last = r.id.parse().ok().or(last);
                            print(p, &r, args.json);
                        }
                        Err(_) => break,
                    }
                }
            }
            Err(e @ InspectError::NotLocal) => return Err(fatal(e)),
            Err(_) => {}
        }
        if !dropped {
            eprintln!("the server stopped answering; retrying every second (Ctrl-C stops)");
            dropped = true;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn print(p: Painter, r: &RequestRecord, json: bool) {
    let line = if json {
        render::json_safe(&serde_json::to_value(r).unwrap_or_default())
    } else {
        let row = table::request_row(r);
        let colour = match row.answered {
            Some(200..=299) => AnsiColor::Green,
            Some(400..=499) => AnsiColor::Yellow,
            _ => AnsiColor::Red,
        };
        let mut line = format!(
            "{}  {}  {:<28}",
            p.paint(Style::new().dimmed(), &row.time),
            p.paint(
                Style::new().fg_color(Some(colour.into())).bold(),
                &format!("{:<9}", row.status)
            ),
            row.route
        );
        if !row.source.is_empty() {
            let _ = write!(line, "  {}", p.paint(Style::new().dimmed(), &row.source));
        }
        if !row.problem.is_empty() {
            let _ = write!(line, "  {}", row.problem);
        }
        line
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
