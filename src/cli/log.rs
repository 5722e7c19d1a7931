//! `bucket-console log`: the persistent log of exchanges.

use super::context::{self, CliError, exit};
use super::render::{self, Painter};
use super::send::exchange_json;
use bucket_console::api::{AnyKey, Api};
use bucket_console::client::{Exchange, code};
use bucket_console::history::{Filter, StatusClass};
use bucket_console::profiles::Env;
use bucket_console::sanitize::sanitize;
use clap::{Args, Subcommand};

/// Recent exchanges, newest first, from every CLI and console run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  bucket-console log                  # the last 20
  bucket-console log --limit 100 --json | jq '.[] | select(.status >= 400)'
  bucket-console log --status 4xx --method event --from-profile staging
  bucket-console log show 42          # request, attempts, response, warnings, errors
  bucket-console log curl 42          # the same request as curl, key as $BUCKET_TRACKING_KEY
  bucket-console log curl 42 --reveal # with the key itself")]
pub struct LogArgs {
    #[command(subcommand)]
    command: Option<LogCommand>,
    /// How many to list.
    #[arg(long, default_value_t = 20)]
    limit: u64,
    /// One JSON array of whole exchanges (keys masked).
    #[arg(long)]
    json: bool,
    /// Only these outcomes: 2xx, 3xx, 4xx, 5xx, failed (no answer, nothing waits) or queued
    /// (no answer yet: waiting in the outbox).
    #[arg(long, value_name = "CLASS", value_parser = StatusClass::parse)]
    status: Option<StatusClass>,
    /// Only calls of this method (user, company, event, feedback).
    #[arg(long, value_name = "METHOD")]
    method: Option<String>,
    /// Only calls made with this profile (a filter: nothing is sent).
    #[arg(long, value_name = "NAME")]
    from_profile: Option<String>,
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Show one exchange whole.
    Show {
        /// The exchange's id: the first column of `bucket-console log`.
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Print the request as code: curl, httpie, fetch (JavaScript), python (requests) or sdk
    /// (@bucketco/tracking-sdk's call). The key is read from $BUCKET_TRACKING_KEY in it.
    #[command(after_help = "Examples:
  bucket-console log --limit 5                 # the ids are the first column
  bucket-console log export 42                 # curl
  bucket-console log export 42 --as python > replay.py")]
    Export {
        /// The exchange's id: the first column of `bucket-console log`.
        id: i64,
        #[arg(long = "as", value_enum, default_value_t = ExportAs::Curl, value_name = "FORMAT")]
        format: ExportAs,
        /// Put the tracking key itself in the code instead of $BUCKET_TRACKING_KEY.
        #[arg(long)]
        reveal: bool,
    },
    /// Print an equivalent curl command.
    Curl {
        /// The exchange's id: the first column of `bucket-console log`.
        id: i64,
        /// Put the tracking key itself in the command instead of $BUCKET_TRACKING_KEY.
        #[arg(long)]
        reveal: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportAs {
    Curl,
    Httpie,
    Fetch,
    Python,
    Sdk,
}

impl ExportAs {
    fn format(self) -> code::Format {
        match self {
            ExportAs::Curl => code::Format::Curl,
            ExportAs::Httpie => code::Format::Httpie,
            ExportAs::Fetch => code::Format::Fetch,
            ExportAs::Python => code::Format::Python,
            ExportAs::Sdk => code::Format::Sdk,
        }
    }
}

pub fn run(args: &LogArgs) -> Result<u8, CliError> {
    let history = context::read_history()?;
    let fetch = |id: i64| -> Result<Exchange, CliError> {
        history
            .get(id)
            .map_err(|e| CliError::rejected(e.to_string()))?
            .ok_or_else(|| {
                CliError::usage(format!(
                    "no exchange #{id} in the log (`bucket-console log` lists them)"
                ))
            })
    };
    match &args.command {
        None => {
            let filter = Filter {
                status: args.status,
                method: args.method.clone(),
                profile: args.from_profile.clone(),
            };
            // A filter reads the whole (bounded) log and keeps the newest that match.
            let read = if filter.is_empty() {
                args.limit
            } else {
                u64::MAX >> 1
            };
            let list: Vec<Exchange> = history
                .recent(read, 0)
                .map_err(|e| CliError::rejected(e.to_string()))?
                .into_iter()
                .filter(|e| filter.matches(e))
                .take(usize::try_from(args.limit).unwrap_or(usize::MAX))
                .collect();
            if args.json {
                let values: Vec<_> = list
                    .iter()
                    .map(|e| serde_json::to_value(e).unwrap_or_default())
                    .collect();
                println!("{}", render::json_safe(&serde_json::Value::Array(values)));
            } else if list.is_empty() && !filter.is_empty() {
                eprintln!("nothing in the log matches");
            } else if list.is_empty() {
                eprintln!("the log is empty: `bucket-console send` and the console add to it");
            } else {
                let p = Painter::for_stdout();
                for e in &list {
                    println!("{}", row(p, e));
                }
            }
        }
        Some(LogCommand::Show { id, json }) => {
            let exchange = fetch(*id)?;
            if *json {
                println!("{}", render::json_safe(&exchange_json(&exchange)));
            } else {
                print!("{}", render::full(Painter::for_stdout(), &exchange));
            }
        }
        Some(LogCommand::Export { id, format, reveal }) => {
            let exchange = fetch(*id)?;
            let key = if *reveal {
                Some(find_key(&exchange)?)
            } else {
                None
            };
            let format = format.format();
            let var = key_env_of(&exchange);
            let mut text = code::render_named(&exchange, format, key.as_ref(), var.as_deref());
            if answered_by_a_gone_local(&exchange) {
                text = format!(
                    "{} the local server that answered this ran inside bucket-console and is gone: \
                     start one with `bucket-console serve` (on 127.0.0.1:8787)\n{text}",
                    format.comment()
                );
            }
            println!("{text}");
        }
        Some(LogCommand::Curl { id, reveal }) => {
            let exchange = fetch(*id)?;
            let key = if *reveal {
                Some(find_key(&exchange)?)
            } else {
                None
            };
            println!(
                "{}",
                exchange.curl(
                    key.as_ref(),
                    key_env_of(&exchange).as_deref(),
                    answered_by_a_gone_local(&exchange)
                )
            );
        }
    }
    Ok(exit::OK)
}

/// One line per exchange: id, time, profile, method, status, latency, attempts, markers.
fn row(p: Painter, e: &Exchange) -> String {
    let mut marks = String::new();
    if !e.warnings.is_empty() {
        marks.push_str(" ⚠ warnings");
    }
    if e.possibly_duplicated {
        marks.push_str(" possibly duplicated");
    }
    format!(
        "{:>6}  {}  {:<10} {:<8} {:<18} {:>8.1} ms  {} att{}",
        e.id.unwrap_or(0),
        e.started_at,
        sanitize(&e.profile),
        sanitize(&e.method),
        if e.is_queued() {
            p.paint(anstyle::AnsiColor::Yellow.on_default(), "queued (outbox)")
        } else {
            p.status(e.status())
        },
        e.latency_ms,
        e.attempts.len(),
        marks
    )
}

/// The key that made an exchange: the profile's or the environment's, if its fingerprint matches.
/// The variable the exchange's profile reads its key from (`key_env`), for an export to name.
fn key_env_of(e: &Exchange) -> Option<String> {
    let (profiles, _) = context::load_profiles().ok()?;
    let profile = profiles.get(&e.profile)?;
    profile.key_from.variable().map(str::to_owned)
}

fn find_key(e: &Exchange) -> Result<AnyKey, CliError> {
    let (profiles, _) = context::load_profiles()?;
    let api = if e.is_runtime() {
        Api::Runtime
    } else {
        Api::Tracking
    };
    let from_env = Env::from_process()
        .tracking_key
        .and_then(|k| AnyKey::parse(api, &k).ok());
    profiles
        .get(&e.profile)
        .map(|mut p| {
            // Asked to reveal it: a key read from a variable or a command is read for that.
            if !p.key_from.is_file() {
                let _ = bucket_console::profiles::read_key(&mut p);
            }
            p.key
        })
        .into_iter()
        .chain(from_env)
        .find(|k| k.fingerprint() == e.key_fingerprint)
        .ok_or_else(|| {
            CliError::rejected(format!(
                "the key of exchange #{} ({}) is in no profile and not in BUCKET_TRACKING_KEY",
                e.id.unwrap_or(0),
                e.key_masked
            ))
        })
}

/// A `local` exchange whose server no longer listens (it ran inside a finished `send`, say).
fn answered_by_a_gone_local(exchange: &bucket_console::client::Exchange) -> bool {
    if exchange.profile != bucket_console::profiles::LOCAL {
        return false;
    }
    let address = exchange.base_url.trim_start_matches("http://");
    let Ok(mut addresses) = std::net::ToSocketAddrs::to_socket_addrs(address) else {
        return true;
    };
    !addresses.any(|a| {
        std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_millis(300)).is_ok()
    })
}
