//! `bucket-console run NAME…`: saved requests and scenarios from the collection file, with
//! expectations, for people and for CI (`--output json|junit`).

use super::context::{self, CliError, exit};
use super::render::{self, Painter};
use super::replay_log;
use super::send::exchange_json;
use bucket_console::collection::run::{self, CallReport, Options, Verdict};
use bucket_console::collection::template::Env;
use bucket_console::collection::{self, Collection};
use bucket_console::sanitize::sanitize;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Run saved requests and scenarios from the collection file (bucket-console.toml in this
/// directory or the nearest parent). Each call's templates are resolved afresh, checked against
/// the contract (unless its step expects a 4xx), sent, and judged by its step's expectation.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 every call passed; 1 an expectation failed or a call was
refused (a 4xx an expectation asked for is not a refusal); 2 an invalid collection or usage;
3 a call could not be delivered. `run` never queues in the outbox: a verdict is now.

Examples:
  bucket-console run --list
  bucket-console run signup rate-export --profile staging
  bucket-console run onboarding --seed 7 --output junit > report.xml
  bucket-console run rate-export --repeat 1000 --concurrency 32 --var plan=team
  bucket-console run signup --allow-env STAGING_USER     # lets {{env STAGING_USER}} read it
  bucket-console run --check --collection ci/bucket-console.toml
  bucket-console run --check --var profile.userId=u1   # stands in for the profile's id
  bucket-console run --tags smoke --exclude-tags slow --output tap   # every item tagged smoke
  bucket-console run onboarding --dry-run      # each call as it would go, nothing sent
  bucket-console run signup --repeat 500 --bulk 100 --profile local-runtime   # 5 /bulk requests
  bucket-console run --tags smoke --output junit --report-html report.html   # for CI

A collection file (bucket-console.toml):
  [vars]
  plan = \"pro\"
  [requests.signup]
  method = \"user\"
  body = { userId = \"{{uuid}}\", attributes = { plan = \"{{plan}}\" } }
  [[scenarios.onboarding]]
  request = \"signup\"
  save = { user = \"request:/userId\" }"
)]
pub struct RunArgs {
    /// Requests and scenarios to run, in this order.
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// The collection file [default: bucket-console.toml here or in a parent].
    #[arg(long, env = "BUCKET_COLLECTION", value_name = "PATH")]
    collection: Option<PathBuf>,
    /// The profile to send with.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Run each named item this many times.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Items in flight at once (a scenario's steps stay in order).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// A value for {{NAME}}, over the file's [vars] (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// An environment variable {{env NAME}} may read (repeatable); no other is read.
    #[arg(long = "allow-env", value_name = "NAME")]
    allow_env: Vec<String>,
    /// Makes the generators reproducible (uuid, int, pick, ago).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Run only the named items (or, with none named, every item) that have one of these tags
    /// (repeatable, or comma-separated).
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    tags: Vec<String>,
    /// Leave out the items that have one of these tags (repeatable, or comma-separated).
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    exclude_tags: Vec<String>,
    /// pretty (the default), json (one object per call, then a summary), junit (XML) or tap
    /// (TAP version 14, streamed).
    #[arg(long, value_enum, default_value_t = RunOutput::Pretty)]
    output: RunOutput,
    /// Also write one self-contained HTML page of the run: each call's request, answer and
    /// verdict, filterable by verdict (no key, no script, nothing loaded).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["dry_run", "check", "list"])]
    report_html: Option<PathBuf>,
    /// Print one round of each item's calls as they would go, each judged by its step's
    /// expectation; send, log and queue nothing.
    #[arg(long)]
    dry_run: bool,
    /// Runtime profiles only: send calls N to a `POST /bulk` request (1–100): a step's
    /// repeats, and the rounds of lone requests. Each call is still judged on its own; a step
    /// that expects a refusal, a code or a warning, or saves from the answer, goes alone.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=100))]
    bulk: Option<u16>,
    /// Check the file and send nothing.
    #[arg(long)]
    check: bool,
    /// List the requests and scenarios.
    #[arg(long)]
    list: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunOutput {
    Pretty,
    Json,
    Junit,
    Tap,
}

pub fn run(args: &RunArgs) -> Result<u8, CliError> {
    let (vars, id_vars) = parse_vars(&args.vars)?;
    let names: Vec<String> = vars.keys().cloned().collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = collection::locate(args.collection.as_deref(), &cwd).ok_or_else(|| {
        CliError::usage(format!(
            "no {} in {} or a parent directory: write one (`bucket-console man run` shows the format) or \
             give --collection PATH",
            collection::FILE_NAME,
            cwd.display()
        ))
    })?;
    let loaded =
        collection::load(&path, &names).map_err(|e| CliError::usage(sanitize(&e.to_string())))?;
    for warning in collection::persona::shadowed(loaded.vars.keys()) {
        eprintln!("warning: {}", sanitize(&warning));
    }
    if args.list || args.check {
        // What `run` would stop at on the profile it would use: a template that profile cannot fill.
        let (selected, _) = context::selected_profile(args.profile.as_deref())?;
        let mut ids = selected.profile.ids();
        ids.extend(id_vars);
        let unfillable = loaded.unfillable(&ids);
        let profile = &selected.profile.name;
        if args.list {
            print!("{}", sanitize(&listing(&loaded, &unfillable, profile)));
            return Ok(exit::OK);
        }
        if unfillable.is_empty() {
            println!("{}", sanitize(&checked(&loaded)));
            return Ok(exit::OK);
        }
        for (name, field) in &unfillable {
            println!(
                "{}",
                sanitize(&format!(
                    "{}: {name}: {{{{profile.{field}}}}} cannot be filled: profile `{profile}` has \
                     no {field}; set it with `bucket-console profiles edit {profile} --{} ID` or \
                     give --var profile.{field}=ID",
                    loaded.path.display(),
                    id_flag(field)
                ))
            );
        }
        return Ok(exit::FAILURE);
    }
    let selecting = !args.tags.is_empty() || !args.exclude_tags.is_empty();
    if args.names.is_empty() && !selecting {
        return Err(CliError::usage(
            "name the requests or scenarios to run, or select them with --tags \
             (`bucket-console run --list` lists them)",
        ));
    }
    let items = run::plan(&loaded, &args.names).map_err(|e| CliError::usage(e.to_string()))?;
    let items = super::tags::select(&loaded, items, &args.tags, &args.exclude_tags)?;
    let env = Env::read(&args.allow_env);
    let refused: Vec<String> = run::env_read(&loaded, &items)
        .into_iter()
        .filter(|name| !env.allows(name))
        .collect();
    if !refused.is_empty() {
        let flags: Vec<String> = refused.iter().map(|n| format!("--allow-env {n}")).collect();
        return Err(CliError::usage(sanitize(&format!(
            "{}: {{{{env …}}}} reads ${}, not allowed: templates read only the variables you \
             name; add {} (nothing was sent)",
            loaded.path.display(),
            refused.join(", $"),
            flags.join(" ")
        ))));
    }
    if !args.dry_run {
        batches_need_runtime(args, &loaded, &items)?;
    }
    if args.dry_run {
        let (selected, _) = context::selected_profile(args.profile.as_deref())?;
        let options = Options {
            repeat: 1,
            concurrency: 1,
            seed: args.seed.unwrap_or_else(|| fastrand::u64(..)),
            vars,
            profile_ids: {
                let mut ids = selected.profile.ids();
                ids.extend(id_vars);
                ids
            },
            env,
            keep_bodies: true,
            bulk: args.bulk,
        };
        return Ok(super::dry_run::run(
            &loaded,
            &items,
            &options,
            &selected.profile,
        ));
    }
    send(args, loaded, items, (vars, id_vars), env)
}

/// `--bulk` and a step's `bulk = N` post to the Runtime API's `/bulk`: refused, before anything
/// is sent, on a tracking profile, which has none.
fn batches_need_runtime(
    args: &RunArgs,
    loaded: &Collection,
    items: &[String],
) -> Result<(), CliError> {
    if args.bulk.is_none() && !run::uses_bulk(loaded, items) {
        return Ok(());
    }
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    if selected.profile.api() == bucket_console::api::Api::Runtime {
        return Ok(());
    }
    let why = if args.bulk.is_some() {
        "`run --bulk` sends".to_owned()
    } else {
        format!("a step of {} with `bulk = N` sends", loaded.path.display())
    };
    Err(CliError::usage(sanitize(&format!(
        "{why} batches to the Runtime API's /bulk, and profile `{}` speaks the tracking API, \
         which has none: use a runtime profile (`--profile local-runtime`, or one added with \
         `profiles add NAME --runtime`)",
        selected.profile.name
    ))))
}

/// The flag of `profiles edit` that sets a profile's id field.
fn id_flag(field: &str) -> &'static str {
    match field {
        "companyId" => "company-id",
        "featureId" => "feature-id",
        _ => "user-id",
    }
}

/// `--var NAME=VALUE`s: the collection's variables, and apart from them the profile's ids they
/// stand in for (`--var profile.userId=u1`, for this run only).
type Vars = (BTreeMap<String, Value>, BTreeMap<String, String>);

fn parse_vars(raw: &[String]) -> Result<Vars, CliError> {
    let mut vars = BTreeMap::new();
    let mut ids = BTreeMap::new();
    for v in raw {
        let (name, value) = v.split_once('=').ok_or_else(|| {
            CliError::usage(format!("--var {v}: write NAME=VALUE (--var plan=team)"))
        })?;
        if let Some(field) = name.strip_prefix("profile.") {
            if !matches!(field, "userId" | "companyId" | "featureId") {
                return Err(CliError::usage(format!(
                    "--var {v}: a profile gives profile.userId, profile.companyId or \
                     profile.featureId"
                )));
            }
            ids.insert(field.to_owned(), value.to_owned());
            continue;
        }
        if !collection::template::is_name(name) {
            return Err(CliError::usage(format!(
                "--var {v}: `{name}` is not a name (letters, digits, _ and -, or \
                 profile.userId and its kin)"
            )));
        }
        vars.insert(name.to_owned(), Value::String(value.to_owned()));
    }
    Ok((vars, ids))
}

fn listing(c: &Collection, unfillable: &[(String, &str)], profile: &str) -> String {
    let mut out = String::new();
    for (name, r) in &c.requests {
        let lacking = unfillable
            .iter()
            .find(|(n, _)| n.strip_prefix("requests.") == Some(name.as_str()));
        let lacking = lacking
            .map(|(_, field)| format!("  (cannot be filled: profile `{profile}` has no {field})"));
        let note = if r.meant_to_fail {
            "  (meant to be refused)"
        } else {
            lacking.as_deref().unwrap_or("")
        };
        let _ = writeln!(
            out,
            "request   {name:<24} {}{note}{}",
            r.method,
            super::tags::shown(&r.tags)
        );
    }
    for (name, steps) in &c.scenarios {
        let calls: u32 = steps.iter().map(|s| s.repeat).sum();
        let _ = writeln!(
            out,
            "scenario  {name:<24} {} step{}, {calls} call{}{}",
            steps.len(),
            if steps.len() == 1 { "" } else { "s" },
            if calls == 1 { "" } else { "s" },
            super::tags::shown(c.tags(name))
        );
    }
    out
}

fn checked(c: &Collection) -> String {
    let refused: Vec<&str> = c
        .requests
        .iter()
        .filter(|(_, r)| r.meant_to_fail)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut text = format!(
        "{}: {} request(s), {} scenario(s); every body passes the contract",
        c.path.display(),
        c.requests.len(),
        c.scenarios.len()
    );
    if !refused.is_empty() {
        let _ = write!(
            text,
            " (meant to be refused, not checked: {})",
            refused.join(", ")
        );
    }
    text
}

/// Calls one run of `item` makes when every step passes.
fn calls_in(c: &Collection, item: &str) -> usize {
    match c.scenarios.get(item) {
        Some(steps) => steps.iter().map(|s| s.repeat as usize).sum(),
        None => 1,
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    refused: usize,
    undelivered: usize,
    junit: super::junit::Junit,
    tap: super::tap::Tap,
    html: Option<super::report_html::Report>,
}

impl Tally {
    fn new(html: bool) -> Tally {
        Tally {
            html: html.then(super::report_html::Report::default),
            ..Tally::default()
        }
    }

    fn add_html(&mut self, report: &CallReport) {
        if let Some(html) = &mut self.html {
            html.add(report);
        }
    }

    fn write_html(&mut self, path: Option<&std::path::Path>, seconds: f64) -> Result<(), CliError> {
        match (path, &mut self.html) {
            (Some(path), Some(html)) => html
                .write(path, seconds)
                .map_err(|e| CliError::failed(sanitize(&e.to_string()))),
            _ => Ok(()),
        }
    }
}

fn send(
    args: &RunArgs,
    loaded: Collection,
    items: Vec<String>,
    (vars, id_vars): Vars,
    env: Env,
) -> Result<u8, CliError> {
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let mut profile_ids = selected.profile.ids();
    profile_ids.extend(id_vars);
    let expected: usize =
        items.iter().map(|i| calls_in(&loaded, i)).sum::<usize>() * args.repeat as usize;
    let options = Options {
        repeat: args.repeat,
        concurrency: usize::from(args.concurrency),
        seed: args.seed.unwrap_or_else(|| fastrand::u64(..)),
        vars,
        profile_ids,
        env,
        keep_bodies: args.output == RunOutput::Json || args.report_html.is_some(),
        bulk: args.bulk,
    };
    let output = args.output;
    let painter = Painter::for_stdout();
    let progress = if output == RunOutput::Pretty && expected > 20 {
        super::replay::progress_bar(expected as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if output == RunOutput::Tap {
        print!("{}", super::tap::HEADER);
    }
    let logger = replay_log::Writer::start(expected);
    let tally = Arc::new(Mutex::new(Tally::new(args.report_html.is_some())));
    let started = Instant::now();
    let runtime = context::runtime(1)?;
    runtime.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let client =
            bucket_console::client::Client::new(bucket_console::client::ClientConfig::default())
                .map_err(|e| CliError::failed(e.to_string()))?;
        let (book, tally, progress) = (logger.book.clone(), tally.clone(), progress.clone());
        run::run(
            loaded,
            items,
            options,
            &client,
            resolved.target.clone(),
            move |mut report| {
                progress.inc(1);
                if let Ok(mut t) = tally.lock() {
                    match &report.verdict {
                        Verdict::Passed => t.passed += 1,
                        Verdict::Failed(_) => t.failed += 1,
                        Verdict::Refused(_) => t.refused += 1,
                        Verdict::Undelivered(_) => t.undelivered += 1,
                    }
                    match output {
                        RunOutput::Json => println!("{}", render::json_safe(&call_json(&report))),
                        RunOutput::Pretty
                            if expected <= 20 || report.verdict != Verdict::Passed =>
                        {
                            progress.suspend(|| println!("{}", call_line(painter, &report)));
                        }
                        _ => {}
                    }
                    t.add_html(&report);
                    match output {
                        RunOutput::Junit => t.junit.add(&report),
                        RunOutput::Tap => print!("{}", t.tap.point(&report)),
                        _ => {}
                    }
                    drop(t);
                    // A batch's items share its exchange: the log has it once.
                    if report.batch.is_none_or(|b| b.index == 0)
                        && let Some(exchange) = report.exchange.take()
                    {
                        book.offer(exchange);
                    }
                }
            },
        )
        .await;
        drop(resolved.embedded);
        Ok::<(), CliError>(())
    })?;
    // The calls' time, as replay counts it: the log's last write comes after.
    let seconds = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    logger.finish();
    let mut tally = std::mem::take(
        &mut *tally
            .lock()
            .map_err(|_| CliError::failed("a worker crashed"))?,
    );
    print_summary(output, &mut tally, seconds);
    let _ = std::io::stdout().flush();
    tally.write_html(args.report_html.as_deref(), seconds)?;
    Ok(if tally.undelivered > 0 {
        exit::FAILED
    } else if tally.failed + tally.refused > 0 {
        exit::REJECTED
    } else {
        exit::OK
    })
}

fn print_summary(output: RunOutput, t: &mut Tally, seconds: f64) {
    let total = t.passed + t.failed + t.refused + t.undelivered;
    let rate = total as f64 / seconds.max(1e-9);
    match output {
        RunOutput::Json => println!(
            "{}",
            json!({"summary": {"calls": total, "passed": t.passed, "failed": t.failed,
                "refused": t.refused, "undelivered": t.undelivered,
                "seconds": seconds, "perSecond": rate.round()}})
        ),
        RunOutput::Pretty => println!(
            "{total} call(s) in {seconds:.2} s ({rate:.0}/s): {} passed, {} failed, {} refused, {} undelivered",
            t.passed, t.failed, t.refused, t.undelivered
        ),
        RunOutput::Junit => print!("{}", t.junit.render(seconds)),
        RunOutput::Tap => print!("{}", t.tap.plan()),
    }
}

/// `onboarding step 3 #2`: which call of the run.
pub(super) fn call_name(r: &CallReport) -> String {
    let step = r.step.map(|s| format!(" step {s}")).unwrap_or_default();
    format!("{}{step} #{}", r.item, r.round)
}

pub(super) fn verdict_text(v: &Verdict) -> (&'static str, Option<&str>) {
    match v {
        Verdict::Passed => ("passed", None),
        Verdict::Failed(why) => ("failed", Some(why)),
        Verdict::Refused(why) => ("refused", Some(why)),
        Verdict::Undelivered(why) => ("undelivered", Some(why)),
    }
}

fn call_line(p: Painter, r: &CallReport) -> String {
    let status = r
        .exchange
        .as_ref()
        .and_then(bucket_console::client::Exchange::status)
        .map_or_else(|| "---".to_owned(), |s| s.to_string());
    let ms = r.exchange.as_ref().map_or(0.0, |e| e.latency_ms);
    let (word, why) = verdict_text(&r.verdict);
    let mark = match r.verdict {
        Verdict::Passed => p.paint(anstyle::AnsiColor::Green.on_default(), "✓"),
        _ => p.paint(anstyle::AnsiColor::Red.on_default().bold(), "✗"),
    };
    let why = why
        .map(|w| format!(": {}", sanitize(w)))
        .unwrap_or_default();
    format!(
        "{mark} {:<28} {:<8} {status:<3} {ms:>6.1} ms  {word}{why}",
        sanitize(&call_name(r)),
        r.method.as_str()
    )
}

fn call_json(r: &CallReport) -> Value {
    let (word, why) = verdict_text(&r.verdict);
    json!({
        "item": r.item,
        "step": r.step,
        "round": r.round,
        "seq": r.seq,
        "method": r.method.as_str(),
        "request": serde_json::from_str::<Value>(&r.body).unwrap_or(Value::String(r.body.clone())),
        "verdict": word,
        "reason": why,
        "exchange": r.exchange.as_ref().map(exchange_json),
    })
}
