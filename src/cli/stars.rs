//! `bucket-console stars`: each feature's STARS funnel as the local server computes it from what
//! it stored (assets/contract.md §9), for people and scripts (`--json`).

use super::context::{self, CliError, exit};
use super::render::{self, Painter};
use anstyle::{AnsiColor, Style};
use bucket_console::api::stars::{Feature, Funnel, StarsRequest};
use bucket_console::api::{suggest, timestamp};
use bucket_console::collection;
use bucket_console::inspect::{InspectError, Inspector};
use bucket_console::sanitize::sanitize;
use bucket_console::term::stars::{bar, fraction, step_figures, usage_text, window_text};
use clap::Args;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Each feature's STARS funnel (Segment, Tried, Adopted, Retained, Satisfied) over the local
/// server's store: which companies your calls put on which step.
#[derive(Debug, Args)]
#[command(
    after_help = "Features come from [features.NAME] in the collection file \
(bucket-console.toml here or in a parent). Without one, every event name and every feedback \
featureId stored is a feature, and FEATURE names an event.

The window is 28 UTC days ending at --as-of (default now). A company is on a step when:
  Segment    the feature is for it (segment.attribute equals segment.equals, or every company)
  Tried      it used the feature in the window
  Adopted    uses on at least adopted_days (5) separate days; an attribute-based feature: the
             company attribute is truthy (its only step)
  Retained   Adopted, first use at least retained_after_days (14) before the window's end, and a
             use in its last recent_days (7)
  Satisfied  Retained, and its latest score for the feature is satisfied_score (4) or more
An event without companyId counts for every company its user belongs to; one from a user in no
company is left out and reported.

Exit status: 0 shown; 2 usage error, an invalid collection, or a profile that is not a local \
server; 3 the local server did not answer.

Examples:
  bucket-console stars
  bucket-console stars export sso --as-of 2026-11-01
  bucket-console stars --json | jq '.[] | {feature, adopted}'"
)]
pub struct StarsArgs {
    /// The features to show [default: all].
    #[arg(value_name = "FEATURE")]
    features: Vec<String>,
    /// The end of the window: RFC 3339, epoch milliseconds, or a UTC date (its end).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// The profile whose local server to read.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// The collection file [default: bucket-console.toml here or in a parent].
    #[arg(long, env = "BUCKET_COLLECTION", value_name = "PATH")]
    collection: Option<PathBuf>,
    /// One JSON array, an object per feature.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &StarsArgs) -> Result<u8, CliError> {
    let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;
    let features = features(args)?;
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let profile = &selected.profile;
    if !profile.has_local_store() {
        return Err(CliError::usage(format!(
            "profile `{}` sends to {}, not a local server: the STARS funnel needs the local \
             server's store (the built-in `local` profile, or a profile pointing at \
             `bucket-console serve`)",
            profile.name,
            sanitize(&profile.base_url)
        )));
    }
    let request = StarsRequest {
        features,
        as_of: as_of.map(Value::from),
        company_id: None,
        standings: false,
        // The ids are printed by `--json` alone: the bars need the counts.
        companies: args.json,
    };
    let funnels = context::runtime(1)?.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let inspector = Inspector::new(&resolved.target.base_url, resolved.target.key.data_key())
            .map_err(|e| failed(&e))?;
        let funnels = inspector.stars(&request).await.map_err(|e| failed(&e));
        drop(resolved.embedded);
        funnels
    })?;
    if args.json {
        let plain: Vec<Value> = funnels.iter().map(json).collect();
        println!("{}", render::json_safe(&Value::Array(plain)));
    } else if funnels.is_empty() {
        eprintln!(
            "no features: nothing stored for profile {} yet (send an event, or define \
             [features.NAME] in {})",
            profile.name,
            collection::FILE_NAME
        );
    } else {
        let p = Painter::for_stdout();
        for (i, f) in funnels.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print!("{}", text(p, f));
        }
    }
    Ok(exit::OK)
}

fn failed(e: &InspectError) -> CliError {
    match e {
        InspectError::NotAnswering(_) => CliError::failed(e.to_string()),
        // The server's own words say what to change (at most 100 features, its time budget).
        InspectError::Refused { .. } => CliError::usage(e.to_string()),
        _ => CliError::usage(format!(
            "{e}; the STARS funnel needs the local server's store"
        )),
    }
}

/// `--as-of`: RFC 3339, epoch milliseconds, or `YYYY-MM-DD` (the last millisecond of that day).
fn parse_as_of(raw: &str) -> Result<i64, CliError> {
    let value = raw
        .parse::<i64>()
        .map_or_else(|_| Value::from(raw), Value::from);
    if let Ok(ms) = timestamp::parse(&value) {
        return Ok(ms);
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let end = day.and_hms_milli_opt(23, 59, 59, 999).unwrap_or_default();
        return Ok(end.and_utc().timestamp_millis());
    }
    Err(CliError::usage(format!(
        "--as-of `{}`: write an RFC 3339 time (2026-11-30T12:00:00Z), epoch milliseconds, \
         or a UTC date (2026-11-30)",
        sanitize(raw)
    )))
}

/// The features asked for: the collection's, or named events without one.
fn features(args: &StarsArgs) -> Result<Vec<Feature>, CliError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let defined = match collection::locate(args.collection.as_deref(), &cwd) {
        Some(path) => {
            collection::load(&path, &[])
                .map_err(|e| CliError::usage(sanitize(&e.to_string())))?
                .features
        }
        None => Vec::new(),
    };
    if defined.is_empty() {
        return Ok(args
            .features
            .iter()
            .map(|n| Feature::from_event(n))
            .collect());
    }
    let names: Vec<&str> = defined.iter().map(|f| f.name.as_str()).collect();
    args.features
        .iter()
        .map(|name| {
            defined
                .iter()
                .find(|f| &f.name == name)
                .cloned()
                .ok_or_else(|| {
                    let hint = suggest::nearest(name, &names).map_or_else(
                        || format!("the file defines {}", names.join(", ")),
                        |s| format!("did you mean `{s}`?"),
                    );
                    CliError::usage(format!(
                        "no feature `{}` in the collection file; {hint}",
                        sanitize(name)
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|asked| if asked.is_empty() { defined } else { asked })
}

/// The funnel as `--json` promises it: the counts and lists, without the console's drill-down.
fn json(f: &Funnel) -> Value {
    let mut value = serde_json::to_value(f).unwrap_or_default();
    if let Value::Object(map) = &mut value {
        map.remove("standings");
        map.remove("definition");
    }
    value
}

fn text(p: Painter, f: &Funnel) -> String {
    let mut out = String::new();
    let what = usage_text(f);
    let _ = writeln!(
        out,
        "{}  {}",
        p.paint(Style::new().bold(), &sanitize(&f.feature)),
        p.paint(Style::new().dimmed(), &what)
    );
    let _ = writeln!(
        out,
        "{}",
        p.paint(Style::new().dimmed(), &format!("  {}", window_text(f)))
    );
    for row in f.rows() {
        let _ = writeln!(
            out,
            "  {:<9} {:<24} {}",
            row.step.title(),
            p.paint(
                Style::new().fg_color(Some(AnsiColor::Cyan.into())),
                &bar(fraction(f, &row), 24)
            ),
            step_figures(&row)
        );
    }
    if let Some(note) = f.excluded_note() {
        // The note names the users (the first three) itself.
        let _ = writeln!(
            out,
            "  {}",
            p.paint(
                Style::new().fg_color(Some(AnsiColor::Yellow.into())),
                &sanitize(&note)
            ),
        );
    }
    out
}
