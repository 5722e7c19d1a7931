//! `bucket-console send METHOD [ITEM…]`: build a body, check it with the server's own rules, send
//! it with retries, log it, print the answer.

use super::context::{self, CliError, exit};
use super::items;
use super::render::{self, Painter};
use bucket_console::api::{self, Method, Rejection, timestamp};
use bucket_console::client::{Client, ClientConfig, Exchange, Outcome};
use bucket_console::profiles::Profile;
use bytes::Bytes;
use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    User,
    Company,
    Event,
    Feedback,
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Method {
        match m {
            MethodArg::User => Method::User,
            MethodArg::Company => Method::Company,
            MethodArg::Event => Method::Event,
            MethodArg::Feedback => Method::Feedback,
        }
    }
}

/// What `send` sends: one call, or a Runtime API batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SendMethod {
    User,
    Company,
    Event,
    Feedback,
    /// Runtime profiles only: ITEMS is a file (or -) of a JSON array or JSON lines, sent as one
    /// POST /bulk (at most 100 items and 1 MiB).
    Bulk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Pretty,
    Json,
}

/// Send one call. The body comes from items (HTTPie syntax), --json or --file, and is checked
/// with the same rules as the server before it is sent.
#[derive(Debug, Args)]
#[command(after_help = "Items (HTTPie 3's syntax and meaning):
  field=value        a string            event=\"Sent message\"
  field:=json        raw JSON            userId:=42  score:=4  context:='{\"active\":false}'
  a[b]=value         a nested field      attributes[plan]=pro  attributes[seats]:=3
  a[]=value          append to a list    context[tags][]=beta
  field=@path        a file's text       comment=@notes.txt
  field:=@path       a file's JSON       attributes:=@attrs.json
  a\\[b\\]=value       a literal bracket (also \\= \\: \\@ \\.)
  a.b=value          nested too (an extension to HTTPie)
Query parameters (x==y), headers (Name:value) and uploads (field@path) are refused: tracking
calls carry none.

Required ids missing from the body are taken from the profile's defaults (user_id, company_id,
feature_id). Items are set on top of a --json or --file body.

Exit status: 0 accepted (2xx); 1 refused by validation (local or the server's 4xx); 2 usage error;
3 delivery failed after retries (network, timeout, 5xx).

Examples:
  bucket-console send user userId:=42 attributes.name=\"Ada Lovelace\"
  bucket-console send company companyId=acme userId:=42 attributes[plan]=pro
  bucket-console send event event=\"Sent message\" userId:=42 companyId=acme
  bucket-console send feedback featureId=export userId:=42 score:=4 comment=\"Nice, but slow\"
  bucket-console send event --file body.json --profile staging --output json | jq .status
  echo '{\"userId\": 1,}' | bucket-console send user --file - --no-validate   # a bad body on purpose
  bucket-console send event event=Signed userId:=42 --dry-run   # prints it, sends nothing
  bucket-console send user userId:=42 --print Hb                # request headers, answer body")]
pub struct SendArgs {
    /// The method to call.
    #[arg(value_enum)]
    method: SendMethod,
    /// Fields of the body: field=value, field:=json, a[b]=value, field=@path, field:=@path.
    #[arg(value_name = "ITEM")]
    items: Vec<String>,
    /// The body as JSON text.
    #[arg(long, value_name = "TEXT", conflicts_with = "file")]
    json: Option<String>,
    /// Read the body from a file, or from standard input with `-`.
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// The profile to use [default: BUCKET_PROFILE, else the default profile, else local].
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Send even if the body breaks the rules (to see what the server answers).
    #[arg(long)]
    no_validate: bool,
    /// pretty (the default on a terminal) or json (one object, for scripts).
    #[arg(long, value_enum, value_name = "FORMAT")]
    output: Option<Output>,
    /// Print the request as it would go and the validator's verdict; send, log and queue
    /// nothing. Exits 0 when the body is valid, 1 when not.
    #[arg(long)]
    dry_run: bool,
    /// What to print, by HTTPie's letters: H request headers, B request body, h answer
    /// headers, b answer body [default under --dry-run: HB]. The key is always masked.
    #[arg(long, value_name = "WHAT", conflicts_with = "output")]
    print: Option<String>,
}

pub fn run(args: &SendArgs) -> Result<u8, CliError> {
    let output = args.output.unwrap_or(if std::io::stdout().is_terminal() {
        Output::Pretty
    } else {
        Output::Json
    });
    let method = match args.method {
        SendMethod::User => Method::User,
        SendMethod::Company => Method::Company,
        SendMethod::Event => Method::Event,
        SendMethod::Feedback => Method::Feedback,
        SendMethod::Bulk => {
            return super::send_bulk::run(
                args.items.first().map(String::as_str),
                args.profile.as_deref(),
                args.no_validate,
                output,
            );
        }
    };
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let body = build_body(args, method, &selected.profile)?;
    let parts = args
        .print
        .as_deref()
        .map(super::dry_run::Parts::parse)
        .transpose()?;
    if args.dry_run {
        let parts = parts.map_or_else(|| super::dry_run::Parts::parse("HB"), Ok)?;
        let verdict = check(method, &body, selected.profile.api());
        return Ok(super::dry_run::send(
            method,
            &selected.profile,
            &body,
            verdict,
            parts,
        ));
    }
    if !args.no_validate
        && let Err(rejection) = check(method, &body, selected.profile.api())
    {
        print_local_rejection(output, &rejection);
        return Ok(exit::REJECTED);
    }
    let rt = context::runtime(1)?;
    let sent = body.clone();
    let exchange = rt.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let client =
            Client::new(ClientConfig::default()).map_err(|e| CliError::failed(e.to_string()))?;
        let exchange = client.send(&resolved.target, method.as_str(), body).await;
        Ok::<_, CliError>(exchange)
    })?;
    let mut logged = [exchange];
    if let Some(mut history) = context::open_history()
        && let Err(e) = history.append(&mut logged)
    {
        eprintln!(
            "warning: this exchange is not logged: {}",
            bucket_console::sanitize::sanitize(&e.to_string())
        );
    }
    let [exchange] = logged;
    match parts {
        Some(parts) => super::dry_run::sent(parts, &selected.profile, method, &sent, &exchange),
        None => print_exchange(output, &exchange),
    }
    Ok(match exchange.outcome {
        Outcome::Delivered => exit::OK,
        Outcome::Rejected => exit::REJECTED,
        Outcome::Failed => exit::FAILED,
    })
}

/// The bytes to send: --json/--file (or nothing), items set on top, profile defaults filled in.
fn build_body(args: &SendArgs, method: Method, profile: &Profile) -> Result<Bytes, CliError> {
    let base: Option<String> = match (&args.json, &args.file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
            Some(text)
        }
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?,
        ),
        (None, None) => None,
    };
    let parsed: Vec<items::Item> = args
        .items
        .iter()
        .map(|i| items::parse(i))
        .collect::<Result<_, items::ItemError>>()
        .map_err(|e| CliError::usage(e.to_string()))?;
    if let Some(text) = &base
        && parsed.is_empty()
        && args.no_validate
    {
        return Ok(Bytes::from(text.clone()));
    }
    let mut map = match &base {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(other) if parsed.is_empty() => return Ok(Bytes::from(other.to_string())),
            Ok(_) => {
                return Err(CliError::usage(
                    "items can only be added to a body that is a JSON object",
                ));
            }
            Err(e) if parsed.is_empty() => {
                // Let validation report it with the server's words (or --no-validate send it).
                let _ = e;
                return Ok(Bytes::from(text.clone()));
            }
            Err(e) => {
                return Err(CliError::usage(format!(
                    "the body is not JSON ({e}), so items cannot be added to it"
                )));
            }
        },
    };
    items::apply(&mut map, &parsed).map_err(|e| CliError::usage(e.to_string()))?;
    if !args.no_validate {
        // On the Runtime API a feedback's `key` names its flag, so no default featureId is added.
        let runtime_key = profile.api() == api::Api::Runtime && map.contains_key("key");
        for field in method
            .fields()
            .iter()
            .filter(|f| f.required && !(runtime_key && f.name == "featureId"))
        {
            if let (false, Some(default)) = (
                map.contains_key(field.name),
                profile.default_for(field.name),
            ) {
                map.insert(field.name.to_owned(), Value::String(default.to_owned()));
            }
        }
    }
    Ok(Bytes::from(Value::Object(map).to_string()))
}

/// The server's rules (the API's the profile speaks), applied before sending.
fn check(method: Method, body: &[u8], on: api::Api) -> Result<(), Rejection> {
    let value = api::body::parse(body)?;
    let validate = match on {
        api::Api::Tracking => api::validate,
        api::Api::Runtime => api::validate_runtime,
    };
    validate(method, &value, timestamp::now_ms())
        .map(drop)
        .map_err(Rejection::from_errors)
}

fn print_local_rejection(output: Output, rejection: &Rejection) {
    match output {
        Output::Json => println!(
            "{}",
            render::json_safe(&json!({
                "sent": false,
                "status": null,
                "attempts": 0,
                "latencyMs": 0,
                "response": null,
                "warnings": [],
                "validationErrors": rejection.validation_errors,
                "error": {"code": rejection.code, "message": rejection.message},
            }))
        ),
        Output::Pretty => {
            let p = Painter::for_stdout();
            println!(
                "not sent: the body breaks the server's rules (--no-validate sends it anyway)"
            );
            print!("{}", render::problems(p, &rejection.validation_errors));
        }
    }
}

fn print_exchange(output: Output, ex: &Exchange) {
    match output {
        Output::Pretty => print!("{}", render::summary(Painter::for_stdout(), ex)),
        Output::Json => println!("{}", render::json_safe(&exchange_json(ex))),
    }
}

/// The one object `--output json` prints.
pub fn exchange_json(ex: &Exchange) -> Value {
    json!({
        "sent": true,
        "id": ex.id,
        "outcome": ex.outcome,
        "status": ex.status(),
        "attempts": ex.attempts.len(),
        "attemptLog": ex.attempts,
        "latencyMs": (ex.latency_ms * 10.0).round() / 10.0,
        "possiblyDuplicated": ex.possibly_duplicated,
        "response": ex.response.as_ref().map(|r| serde_json::from_str::<Value>(&r.body).unwrap_or_else(|_| Value::String(r.body.clone()))),
        "warnings": ex.warnings,
        "validationErrors": ex.validation_errors,
        "feedbackId": ex.feedback_id,
        "error": ex.problem(),
    })
}
