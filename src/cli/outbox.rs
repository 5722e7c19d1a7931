//! `bucket-console outbox`: the calls the console and the kiosk could not deliver.

use super::context::{self, CliError, exit};
use super::render;
use bucket_console::client::{Client, ClientConfig};
use bucket_console::outbox::{Outbox, State, deliver_due};
use bucket_console::paths;
use bucket_console::profiles::{self, Env};
use bucket_console::sanitize::sanitize;
use clap::{Args, Subcommand};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// Calls that could not be delivered (queued by the console and the kiosk), and the ones the
/// server refused.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 done; 1 an item was refused by the server; 2 usage error;
3 items are still waiting (the server did not answer); 4 another process (another flush, the
console or a kiosk) is delivering them, so this flush sent nothing.

Examples:
  bucket-console outbox                 # what waits, and what was refused
  bucket-console outbox flush           # deliver now, oldest first
  bucket-console outbox drop 7"
)]
pub struct OutboxArgs {
    #[command(subcommand)]
    command: Option<OutboxCommand>,
    /// One JSON array of items.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// List the items (the default).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Deliver the waiting items now, oldest first, each profile with its own key.
    Flush {
        /// Only this profile's items.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
    /// Remove an item, waiting or refused.
    Drop { id: i64 },
}

fn open() -> Result<Outbox, CliError> {
    let path = paths::outbox_database().map_err(|e| CliError::usage(e.to_string()))?;
    Outbox::open(&path).map_err(|e| CliError::failed(e.to_string()))
}

pub fn run(args: &OutboxArgs) -> Result<u8, CliError> {
    match &args.command {
        None => list(args.json),
        Some(OutboxCommand::List { json }) => list(*json || args.json),
        Some(OutboxCommand::Drop { id }) => {
            open()?
                .drop_item(*id)
                .map_err(|e| CliError::usage(e.to_string()))?;
            // The log's entry for the call stops saying it waits.
            bucket_console::delivery::Journal::developer().unlink(*id);
            bucket_console::delivery::Journal::kiosk().unlink(*id);
            eprintln!("dropped #{id}");
            Ok(exit::OK)
        }
        Some(OutboxCommand::Flush { profile }) => flush(profile.as_deref()),
    }
}

fn list(json: bool) -> Result<u8, CliError> {
    let items = open()?
        .list()
        .map_err(|e| CliError::failed(e.to_string()))?;
    if json {
        let value = serde_json::to_value(&items).unwrap_or_default();
        println!("{}", render::json_safe(&value));
        return Ok(exit::OK);
    }
    if items.is_empty() {
        eprintln!("the outbox is empty");
    }
    for item in &items {
        let state = match item.state {
            State::Queued => format!("waiting, {} attempt(s)", item.attempts),
            State::Rejected => format!("refused {}", item.status.unwrap_or(400)),
        };
        // A runtime item shows its route as sent (`/bulk`), a tracking one its method.
        let route = match item.api {
            bucket_console::api::Api::Runtime => format!("/{}", item.method),
            bucket_console::api::Api::Tracking => item.method.clone(),
        };
        println!(
            "{:>5}  {}  {:<10} {:<8} {state}{}",
            item.id,
            item.queued_at,
            sanitize(&item.profile),
            sanitize(&route),
            item.last_error
                .as_deref()
                .map(|e| format!(": {}", sanitize(e)))
                .unwrap_or_default()
        );
    }
    Ok(exit::OK)
}

fn flush(only: Option<&str>) -> Result<u8, CliError> {
    let outbox = open()?;
    outbox
        .retry_now()
        .map_err(|e| CliError::failed(e.to_string()))?;
    let names: BTreeSet<String> = outbox
        .list()
        .map_err(|e| CliError::failed(e.to_string()))?
        .into_iter()
        .filter(|i| i.state == State::Queued && only.is_none_or(|p| p == i.profile))
        .map(|i| i.profile)
        .collect();
    let outbox = Mutex::new(outbox);
    let (saved, _) = context::load_profiles()?;
    let client =
        Client::new(ClientConfig::default()).map_err(|e| CliError::failed(e.to_string()))?;
    let (mut rejected, mut waiting, mut busy) = (0, 0, false);
    let runtime = context::runtime(1)?;
    for name in names {
        let selected = match profiles::select(&saved, Some(&name), &Env::default()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "{}: {}; its items wait",
                    sanitize(&name),
                    sanitize(&e.to_string())
                );
                continue;
            }
        };
        let report = runtime.block_on(async {
            let resolved = bucket_console::target::resolve(&selected)
                .await
                .map_err(|e| CliError::failed(e.to_string()))?;
            let report = deliver_due(&outbox, &client, &resolved.target)
                .await
                .map_err(|e| CliError::failed(e.to_string()));
            drop(resolved.embedded);
            report
        })?;
        if let Some(mut history) = context::open_history() {
            let mut sent = report.sent;
            let _ = history.settle(&mut sent);
        }
        // Visitors' answers go to the kiosk's own record, never the developer's log.
        bucket_console::delivery::Journal::kiosk().settle(&mut { report.kiosk });
        if report.busy {
            eprintln!(
                "{name}: another process (another `outbox flush`, the console or a kiosk) is \
                 delivering the outbox now; its {} waiting item(s) are in its hands, and this \
                 flush sent none",
                report.waiting
            );
            busy = true;
            continue;
        }
        eprintln!(
            "{}: {} delivered, {} refused, {} still waiting",
            sanitize(&name),
            report.delivered,
            report.rejected,
            report.waiting
        );
        rejected += report.rejected;
        waiting += report.waiting;
    }
    Ok(if waiting > 0 {
        exit::FAILED
    } else if rejected > 0 {
        exit::REJECTED
    } else if busy {
        exit::BUSY
    } else {
        exit::OK
    })
}
