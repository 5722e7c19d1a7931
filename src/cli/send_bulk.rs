//! `bucket-console send bulk ITEMS`: a JSON array or JSON lines of Runtime API items, checked by
//! the server's `/bulk` rules (bounds included) and sent as one `POST /bulk`; each item's verdict
//! is printed. A tracking profile has no `/bulk`, so it is refused before anything is read.

use super::context::{self, CliError, exit};
use super::send::{Output, exchange_json};
use bucket_console::api::runtime::bulk::{self, ItemOutcome, Refused};
use bucket_console::api::runtime::{MAX_BULK_BYTES, MAX_BULK_ITEMS};
use bucket_console::api::{Api, ValidationError, timestamp};
use bucket_console::client::{Client, ClientConfig, Outcome};
use bucket_console::sanitize::sanitize;
use bytes::Bytes;
use serde_json::{Value, json};
use std::io::Read;

/// Sends the items of `source` (a path, or `-` for standard input) on `profile` as one batch.
pub fn run(
    source: Option<&str>,
    profile: Option<&str>,
    no_validate: bool,
    output: Output,
) -> Result<u8, CliError> {
    let (selected, _) = context::selected_profile(profile)?;
    if selected.profile.api() != Api::Runtime {
        return Err(CliError::usage(format!(
            "`send bulk` posts to the Runtime API's /bulk, and profile `{}` speaks the tracking \
             API, which has none: use a runtime profile (`--profile local-runtime`, or one added \
             with `profiles add NAME --runtime`)",
            selected.profile.name
        )));
    }
    let source =
        source.ok_or_else(|| CliError::usage("send bulk takes ITEMS: a file, or - for stdin"))?;
    let text = read_bounded(source)?;
    let items = parse_items(&text)?;
    bucket_console::client::bulk::check_count(items.len())
        .map_err(|e| CliError::usage(e.to_string()))?;
    let body = Value::Array(items);
    if !no_validate {
        match bulk::validate(&body, timestamp::now_ms()) {
            Ok(_) => {}
            Err(Refused::TooMany(n)) => {
                return Err(CliError::usage(format!(
                    "{n} items: a /bulk batch takes at most {MAX_BULK_ITEMS}"
                )));
            }
            Err(Refused::Invalid(problems)) => {
                print_verdicts(output, false, &body.to_string(), 400, &problems);
                return Ok(exit::REJECTED);
            }
        }
    }
    let items = body.as_array().map(Vec::as_slice).unwrap_or_default();
    let bytes =
        bucket_console::client::bulk::body(items).map_err(|e| CliError::usage(e.to_string()))?;
    let exchange = context::runtime(1)?.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let client =
            Client::new(ClientConfig::default()).map_err(|e| CliError::failed(e.to_string()))?;
        Ok::<_, CliError>(
            client
                .send(
                    &resolved.target,
                    bucket_console::client::bulk::ROUTE,
                    Bytes::from(bytes.clone()),
                )
                .await,
        )
    })?;
    let mut logged = [exchange];
    if let Some(mut history) = context::open_history()
        && let Err(e) = history.append(&mut logged)
    {
        eprintln!(
            "warning: this batch is not logged: {}",
            sanitize(&e.to_string())
        );
    }
    let [exchange] = logged;
    if output == Output::Json {
        let mut answer = exchange_json(&exchange);
        answer["items"] = json!(bulk::item_verdicts(
            &bytes,
            exchange.status().unwrap_or(0),
            &exchange.validation_errors
        ));
        println!("{}", super::render::json_safe(&answer));
    } else {
        print_verdicts(
            output,
            true,
            &bytes,
            exchange.status().unwrap_or(0),
            &exchange.validation_errors,
        );
        if let Some(problem) = exchange.problem() {
            println!("{}", sanitize(&problem));
        }
    }
    Ok(match exchange.outcome {
        Outcome::Delivered => exit::OK,
        Outcome::Rejected => exit::REJECTED,
        Outcome::Failed => exit::FAILED,
    })
}

/// The text of `source`, refused past the batch limit (and a little, so the refusal is exact).
fn read_bounded(source: &str) -> Result<String, CliError> {
    let limit = u64::try_from(MAX_BULK_BYTES * 2).unwrap_or(u64::MAX);
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().take(limit).read_to_string(&mut text)
    } else {
        std::fs::File::open(source).and_then(|f| f.take(limit).read_to_string(&mut text))
    };
    read.map_err(|e| CliError::usage(format!("cannot read {}: {e}", sanitize(source))))?;
    if text.len() >= MAX_BULK_BYTES * 2 {
        return Err(CliError::usage(format!(
            "{} is past twice the /bulk limit of 1 MiB ({MAX_BULK_BYTES} bytes): send it in parts",
            sanitize(source)
        )));
    }
    Ok(text)
}

/// A JSON array, or one JSON value a line (blank lines skipped).
fn parse_items(text: &str) -> Result<Vec<Value>, CliError> {
    if text.trim_start().starts_with('[') {
        return match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err(CliError::usage("the items are not a JSON array")),
            Err(e) => Err(CliError::usage(format!(
                "the items are not a JSON array: {e}"
            ))),
        };
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| {
                CliError::usage(format!(
                    "line {}: not JSON ({e}); items are a JSON array or one JSON object a line",
                    n + 1
                ))
            })
        })
        .collect()
}

/// One line an item: its index, type and verdict, and each problem at its pointer.
fn print_verdicts(
    output: Output,
    sent: bool,
    body: &str,
    status: u16,
    problems: &[ValidationError],
) {
    let verdicts = bulk::item_verdicts(body, status, problems);
    if output == Output::Json {
        let answer = json!({
            "sent": sent,
            "status": if sent { Some(status) } else { None },
            "items": verdicts,
        });
        println!("{}", super::render::json_safe(&answer));
        return;
    }
    if !sent {
        println!("not sent: the batch breaks the server's rules (--no-validate sends it anyway)");
    }
    for v in verdicts {
        let word = match v.verdict {
            ItemOutcome::Stored => "stored",
            ItemOutcome::Refused => "refused",
            ItemOutcome::NotStored => "not stored",
        };
        println!(
            "#{:<3} {:<20} {word}",
            v.index,
            sanitize(v.item_type.as_deref().unwrap_or("?"))
        );
        for p in v.problems {
            println!("       {}  {}", sanitize(&p.path), sanitize(&p.message));
        }
    }
}
