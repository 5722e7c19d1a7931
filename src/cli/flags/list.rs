//! `bucket-console flags list`: the environment's flags.

use super::super::context::{CliError, exit};
use super::super::render;
use super::shared::{self, PUBLISHABLE_NOTE};
use bucket_console::api::flags::FlatContext;
use bucket_console::sanitize::sanitize;
use clap::Args;
use serde_json::json;
use std::fmt::Write as _;

/// The flags of the profile's environment.
#[derive(Debug, Args)]
#[command(
    after_help = "With a secret-key profile, the definitions (GET /features): each flag's \
rules and config variants. With a publishable key, only the flags' keys and their outcome for an \
empty context (GET /features/evaluated).

Exit status: 0 listed; 1 the server refused the key; 2 usage error (a tracking profile);
3 the server did not answer.

Examples:
  bucket-console flags list --profile local-runtime
  bucket-console flags list --profile prod --json | jq '.[].key'"
)]
pub struct ListArgs {
    /// A Runtime API profile.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// One JSON array: key, description, rules, variants, targetingVersion (null with a
    /// publishable key).
    #[arg(long)]
    json: bool,
}

pub fn run(args: &ListArgs) -> Result<u8, CliError> {
    let rows = shared::with_client(args.profile.as_deref(), |selected, client| async move {
        if client.reads_definitions() {
            let defs = client
                .definitions(&selected.profile.name)
                .await
                .map_err(|e| shared::error(&e))?;
            Ok(defs
                .flags
                .iter()
                .map(|f| {
                    json!({
                        "key": f.key,
                        "description": f.description,
                        "rules": f.rules.len(),
                        "variants": f.config.as_ref().map_or(0, |c| c.variants.len()),
                        "targetingVersion": f.targeting_version,
                    })
                })
                .collect::<Vec<_>>())
        } else {
            eprintln!("note: {PUBLISHABLE_NOTE}");
            let flags = client
                .evaluated(&FlatContext::new())
                .await
                .map_err(|e| shared::error(&e))?;
            Ok(flags
                .iter()
                .map(|f| {
                    json!({
                        "key": f.key,
                        "description": null,
                        "rules": f.rule_evaluation_results.len(),
                        "variants": null,
                        "targetingVersion": f.targeting_version,
                    })
                })
                .collect())
        }
    })?;
    if args.json {
        println!("{}", render::json_safe(&serde_json::Value::Array(rows)));
        return Ok(exit::OK);
    }
    if rows.is_empty() {
        eprintln!("this environment has no flags");
    }
    let width = rows
        .iter()
        .map(|r| r["key"].as_str().unwrap_or("").chars().count())
        .max()
        .unwrap_or(0);
    for r in &rows {
        let key = sanitize(r["key"].as_str().unwrap_or(""));
        let rules = r["rules"].as_u64().unwrap_or(0);
        let mut line = format!(
            "{key:<width$}  {rules} rule{}",
            if rules == 1 { "" } else { "s" }
        );
        if let Some(v) = r["variants"].as_u64().filter(|v| *v > 0) {
            let _ = write!(
                line,
                " · {v} config variant{}",
                if v == 1 { "" } else { "s" }
            );
        }
        if let Some(d) = r["description"].as_str().filter(|d| !d.is_empty()) {
            let _ = write!(line, " · {}", sanitize(d));
        }
        println!("{line}");
    }
    Ok(exit::OK)
}
