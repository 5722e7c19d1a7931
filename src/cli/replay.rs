//! `bucket-console replay FILE.jsonl`: send many calls, each line `{"method": "...", "body": {...}}`.

use super::context::{self, CliError, exit};
use super::render;
use super::replay_log;
use bucket_console::api::{self, Api, Method, Rejection, timestamp};
use bucket_console::client::{Client, ClientConfig, Outcome};
use bucket_console::profiles::Selected;
use bucket_console::sanitize::sanitize;
use bytes::Bytes;
use clap::Args;
use serde_json::{Value, json};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Replay calls from a JSON Lines file: each line {"method": "event", "body": {...}}. Lines that
/// break the rules are reported with their line number and skipped (or, with --strict, stop the
/// run before anything is sent).
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 every call accepted; 1 a line skipped or a call refused (4xx);
2 usage error; 3 a call could not be delivered after retries.

Examples:
  bucket-console replay calls.jsonl --profile staging
  bucket-console replay events.jsonl --concurrency 64 --strict
  bucket-console replay events.jsonl --profile local-runtime --bulk 100   # 100 to a /bulk
  jq -c '{method: \"event\", body: .}' events.json | bucket-console replay -"
)]
pub struct ReplayArgs {
    /// The JSON Lines file, or `-` for standard input.
    file: PathBuf,
    /// The profile to use.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Send nothing if any line is invalid.
    #[arg(long)]
    strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Runtime profiles only: send the lines as items of `POST /bulk`, N to a request (1–100,
    /// and at most 1 MiB a request). Each line is still counted by its own item's verdict.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=100))]
    bulk: Option<u16>,
}

pub(super) struct Call {
    pub(super) line: usize,
    pub(super) method: Method,
    pub(super) body: Bytes,
}

#[derive(Default)]
struct Tally {
    accepted: AtomicU64,
    rejected: AtomicU64,
    failed: AtomicU64,
}

pub fn run(args: &ReplayArgs) -> Result<u8, CliError> {
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let api = selected.profile.api();
    if args.bulk.is_some() && api != Api::Runtime {
        return Err(CliError::usage(format!(
            "`replay --bulk` sends batches to the Runtime API's /bulk, and profile `{}` speaks \
             the tracking API, which has none: drop --bulk, or use a runtime profile \
             (`--profile local-runtime`, or one added with `profiles add NAME --runtime`)",
            selected.profile.name
        )));
    }
    let text = read_input(args)?;
    let (calls, invalid) = parse_lines(&text, api);
    for (line, problem) in &invalid {
        eprintln!("line {line}: {}", sanitize(&problem.to_string()));
    }
    if args.strict && !invalid.is_empty() {
        return Err(CliError::rejected(format!(
            "{} invalid line(s); nothing was sent (--strict)",
            invalid.len()
        )));
    }
    let total = calls.len();
    let (calls, batches) = match args.bulk {
        Some(per) => (Vec::new(), Some(super::replay_bulk::batches(calls, per)?)),
        None => (calls, None),
    };
    let requests = batches.as_ref().map_or(total, Vec::len);
    let logger = replay_log::Writer::start(requests);
    let progress = progress_bar(total as u64);
    let started = Instant::now();
    let report = context::runtime(1)?.block_on(async {
        match batches {
            None => {
                send_all(
                    &selected,
                    calls,
                    args.concurrency,
                    logger.book.clone(),
                    progress.clone(),
                )
                .await
            }
            Some(batches) => {
                let resolved = bucket_console::target::resolve(&selected)
                    .await
                    .map_err(|e| CliError::failed(e.to_string()))?;
                let report = super::replay_bulk::send_all(
                    &resolved.target,
                    batches,
                    args.concurrency,
                    logger.book.clone(),
                    progress.clone(),
                )
                .await;
                drop(resolved.embedded);
                report
            }
        }
    })?;
    let elapsed = started.elapsed();
    progress.finish_and_clear();
    logger.finish();
    for example in &report.examples {
        eprintln!("{example}");
    }
    let (accepted, rejected, failed) = (report.accepted, report.rejected, report.failed);
    let rate = total as f64 / elapsed.as_secs_f64().max(1e-9);
    if args.json {
        println!(
            "{}",
            render::json_safe(
                &json!({"sent": total, "accepted": accepted, "rejected": rejected, "failed": failed,
                "skipped": invalid.len(), "seconds": elapsed.as_secs_f64(), "perSecond": rate.round(),
                "requests": requests})
            )
        );
    } else {
        let batches = if args.bulk.is_some() {
            format!(" in {requests} /bulk request(s)")
        } else {
            String::new()
        };
        println!(
            "sent {total}{batches} in {:.2} s ({rate:.0}/s): {accepted} accepted, {rejected} rejected, {failed} failed; {} line(s) skipped as invalid",
            elapsed.as_secs_f64(),
            invalid.len()
        );
    }
    Ok(if failed > 0 {
        exit::FAILED
    } else if rejected > 0 || !invalid.is_empty() {
        exit::REJECTED
    } else {
        exit::OK
    })
}

/// What the sending part of a replay found, counted by line.
pub(super) struct Report {
    pub(super) accepted: u64,
    pub(super) rejected: u64,
    pub(super) failed: u64,
    /// The first refusals and failures, with their line numbers.
    pub(super) examples: Vec<String>,
}

/// Sends every call with `concurrency` workers; each exchange goes to the log.
async fn send_all(
    selected: &Selected,
    calls: Vec<Call>,
    concurrency: u16,
    log: Arc<replay_log::LogBook>,
    progress: indicatif::ProgressBar,
) -> Result<Report, CliError> {
    let resolved = bucket_console::target::resolve(selected)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    let client =
        Client::new(ClientConfig::default()).map_err(|e| CliError::failed(e.to_string()))?;
    let tally = Arc::new(Tally::default());
    let examples = Arc::new(Mutex::new(Vec::<String>::new()));
    let workers = usize::from(concurrency).min(calls.len().max(1));
    let calls = Arc::new(calls);
    let next = Arc::new(AtomicUsize::new(0));
    let target = Arc::new(resolved.target);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (calls, next, target, client) =
            (calls.clone(), next.clone(), target.clone(), client.clone());
        let (tally, log, progress, examples) = (
            tally.clone(),
            log.clone(),
            progress.clone(),
            examples.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut worker = client.worker(&target);
            while let Some(call) = calls.get(next.fetch_add(1, Ordering::Relaxed)) {
                let exchange = worker
                    .send(&target, call.method.as_str(), call.body.clone())
                    .await;
                let counter = match exchange.outcome {
                    Outcome::Delivered => &tally.accepted,
                    Outcome::Rejected => &tally.rejected,
                    Outcome::Failed => &tally.failed,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                if exchange.outcome != Outcome::Delivered
                    && let Ok(mut list) = examples.lock()
                    && list.len() < 10
                {
                    let status = exchange
                        .status()
                        .map_or_else(|| "-".to_owned(), |s| s.to_string());
                    let why = sanitize(&exchange.problem().unwrap_or_default());
                    list.push(format!("line {}: {status} {why}", call.line));
                }
                log.offer(exchange);
                progress.inc(1);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    drop(resolved.embedded);
    let examples = examples.lock().map(|l| l.clone()).unwrap_or_default();
    Ok(Report {
        accepted: tally.accepted.load(Ordering::Relaxed),
        rejected: tally.rejected.load(Ordering::Relaxed),
        failed: tally.failed.load(Ordering::Relaxed),
        examples,
    })
}

fn read_input(args: &ReplayArgs) -> Result<String, CliError> {
    if args.file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
        Ok(text)
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", args.file.display())))
    }
}

/// Valid calls, and `(line, problem)` for each line that is not one, by the rules of `api`.
fn parse_lines(text: &str, api: Api) -> (Vec<Call>, Vec<(usize, LineError)>) {
    let now = timestamp::now_ms();
    let mut calls = Vec::new();
    let mut invalid = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line, now, api) {
            Ok((method, body)) => calls.push(Call {
                line: line_no,
                method,
                body,
            }),
            Err(problem) => invalid.push((line_no, problem)),
        }
    }
    (calls, invalid)
}

/// Why a line of the file is not a call.
#[derive(Debug)]
enum LineError {
    NotJson(serde_json::Error),
    NoMethod,
    UnknownMethod(String),
    NoBody,
    /// The body breaks the contract; each problem at its path.
    Invalid(Vec<api::ValidationError>),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "not JSON: {e}"),
            Self::NoMethod => f.write_str("needs a \"method\": user, company, event or feedback"),
            Self::UnknownMethod(m) => write!(
                f,
                "unknown method `{m}`: the methods are {}",
                Method::list()
            ),
            Self::NoBody => f.write_str("needs a \"body\" object"),
            Self::Invalid(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    let at = if e.path.is_empty() { "(body)" } else { &e.path };
                    let sep = if i > 0 { "; " } else { "" };
                    write!(f, "{sep}{at} {}", e.message)?;
                }
                Ok(())
            }
        }
    }
}

fn parse_line(line: &str, now: i64, on: Api) -> Result<(Method, Bytes), LineError> {
    let value: Value = serde_json::from_str(line).map_err(LineError::NotJson)?;
    let method = value["method"].as_str().ok_or(LineError::NoMethod)?;
    let method =
        Method::parse(method).ok_or_else(|| LineError::UnknownMethod(method.to_owned()))?;
    let body = value.get("body").ok_or(LineError::NoBody)?;
    let validate = match on {
        Api::Tracking => api::validate,
        Api::Runtime => api::validate_runtime,
    };
    validate(method, body, now)
        .map_err(|errors| LineError::Invalid(Rejection::from_errors(errors).validation_errors))?;
    Ok((method, Bytes::from(body.to_string())))
}

pub(super) fn progress_bar(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40.cyan/blue} {pos}/{len} calls  {per_sec}  eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_checked_with_their_numbers() {
        let text = "{\"method\":\"event\",\"body\":{\"event\":\"e\",\"userId\":1}}\n\n{\"method\":\"events\",\"body\":{}}\nnope\n{\"method\":\"user\",\"body\":{\"userID\":1}}\n";
        let (calls, invalid) = parse_lines(text, Api::Tracking);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].line, 1);
        let lines: Vec<usize> = invalid.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        let third = invalid[2].1.to_string();
        assert!(third.contains("did you mean `userId`"), "{third}");
    }
}
