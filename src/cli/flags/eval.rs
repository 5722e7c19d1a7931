//! `bucket-console flags eval`: each flag's value for a context, and why, in the words of the
//! console's F7 (one explanation model, `api::flags::explain`).

use super::super::context::{CliError, exit};
use super::super::render;
use super::shared::{self, PUBLISHABLE_NOTE};
use bucket_console::api::flags::evaluate_flag;
use bucket_console::api::flags::explain::{
    FlagReport, Mark, TreeLine, company_attributes, context_of, unsent_company_attributes,
};
use bucket_console::api::timestamp;
use bucket_console::inspect::{Entity, EntityRef, Inspector};
use bucket_console::sanitize::sanitize;
use clap::Args;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Each flag's value for a user and company, rule by rule.
#[derive(Debug, Args)]
#[command(
    after_help = "With a secret-key profile the definitions are read (GET /features) and \
evaluated here, exactly as the SDKs do: every filter of every rule shows ✓, ✗ or \"missing\" with \
the value it read, a rollout its bucket. With a publishable key only each rule's outcome and the \
missing fields are known (GET /features/evaluated).

On a local server, a rule that reads a company attribute no `company` call has sent for that \
company is named: Reflag's targeting reads what /company stored.

--json prints one object: `context` (the flat context evaluated), `tree` (whether filters are \
shown) and `flags`, each with key, isEnabled, matchedRule (1-based, null when none matched), rules \
([{result, filters?: [{depth, mark: pass|fail|missing|null, text}]}]), config ({key, payload} or \
null), variants ([{key, result, filters}]), missingContextFields and unsentCompanyAttributes.

Exit status: 0 evaluated; 1 the server refused the key; 2 usage error; 3 the server did not answer.

Examples:
  bucket-console flags eval --profile local-runtime --user u1 --company acme
  bucket-console flags eval --company acme --attr company.plan=enterprise --json --profile prod"
)]
pub struct EvalArgs {
    /// A Runtime API profile.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// `user.id` of the context.
    #[arg(long, value_name = "ID")]
    user: Option<String>,
    /// `company.id` of the context.
    #[arg(long, value_name = "ID")]
    company: Option<String>,
    /// A context field, as a dotted path: company.plan=enterprise, user.role=admin (repeatable).
    #[arg(long = "attr", value_name = "FIELD=VALUE", value_parser = parse_attr)]
    attrs: Vec<(String, String)>,
    /// Only this flag.
    #[arg(long, value_name = "KEY")]
    flag: Option<String>,
    /// One JSON object (keys above).
    #[arg(long)]
    json: bool,
}

fn parse_attr(raw: &str) -> Result<(String, String), String> {
    bucket_console::api::flags::explain::attribute(raw).map_err(|e| e.to_string())
}

pub fn run(args: &EvalArgs) -> Result<u8, CliError> {
    let context = context_of(args.user.as_deref(), args.company.as_deref(), &args.attrs);
    let (tree, reports) = shared::with_client(args.profile.as_deref(), |selected, client| {
        let context = context.clone();
        async move {
            if !client.reads_definitions() {
                let flags = client
                    .evaluated(&context)
                    .await
                    .map_err(|e| shared::error(&e))?;
                return Ok((
                    false,
                    flags.iter().map(FlagReport::from_evaluated).collect(),
                ));
            }
            let defs = client
                .definitions(&selected.profile.name)
                .await
                .map_err(|e| shared::error(&e))?;
            let sent = match (&args.company, selected.profile.has_local_store()) {
                (Some(company), true) => stored_company(&selected, company).await,
                _ => None,
            };
            let now = timestamp::now_ms() as f64;
            let reports: Vec<FlagReport> = defs
                .flags
                .iter()
                .map(|flag| {
                    let mut r =
                        FlagReport::from_evaluation(flag, &evaluate_flag(flag, &context, now));
                    if let Some(sent) = &sent {
                        r.unsent = unsent_company_attributes(flag, sent);
                    }
                    r
                })
                .collect();
            Ok((true, reports))
        }
    })?;
    let reports: Vec<FlagReport> = match &args.flag {
        Some(key) => {
            let one: Vec<FlagReport> = reports.into_iter().filter(|r| &r.key == key).collect();
            if one.is_empty() {
                return Err(CliError::usage(format!(
                    "this environment has no flag \"{key}\""
                )));
            }
            one
        }
        None => reports,
    };
    if args.json {
        let out = json!({
            "context": context,
            "tree": tree,
            "flags": reports.iter().map(FlagReport::to_json).collect::<Vec<_>>(),
        });
        println!("{}", render::json_safe(&out));
        return Ok(exit::OK);
    }
    if !tree {
        eprintln!("note: {PUBLISHABLE_NOTE}");
    }
    if reports.is_empty() {
        eprintln!("this environment has no flags");
    }
    let company = args.company.as_deref().unwrap_or("");
    for r in &reports {
        print!("{}", text(r, company));
    }
    Ok(exit::OK)
}

/// The attribute names a local store holds for the company: `None` when it cannot tell (no
/// inspection routes); an empty set when no `company` call ever named it.
async fn stored_company(
    selected: &bucket_console::profiles::Selected,
    company: &str,
) -> Option<BTreeSet<String>> {
    let resolved = bucket_console::target::resolve(selected).await.ok()?;
    let inspector =
        Inspector::new(&resolved.target.base_url, resolved.target.key.data_key()).ok()?;
    match inspector
        .entity(&EntityRef::Company(company.to_owned()))
        .await
        .ok()?
    {
        Some(Entity::Company { company, .. }) => Some(
            company_attributes(&company.attributes)
                .into_iter()
                .filter_map(|(k, _)| {
                    k.strip_prefix("company.")
                        .map(|a| a.split('.').next().unwrap_or(a).to_owned())
                })
                .collect(),
        ),
        _ => Some(BTreeSet::new()),
    }
}

fn tree_lines(out: &mut String, lines: &[TreeLine], indent: usize) {
    for l in lines {
        out.push_str(&" ".repeat(indent + 2 * l.depth));
        out.push_str(l.mark.map_or("·", Mark::symbol));
        out.push(' ');
        out.push_str(&sanitize(&l.text));
        out.push('\n');
    }
}

/// A flag's explanation as text: the headline, each rule (its tree, or its outcome), each
/// variant, then what was missing or never sent.
fn text(r: &FlagReport, company: &str) -> String {
    let mut out = sanitize(&r.headline());
    out.push('\n');
    for (i, (result, lines)) in r.rules.iter().enumerate() {
        match lines {
            Some(lines) => {
                let _ = writeln!(out, "  rule {}", i + 1);
                tree_lines(&mut out, lines, 4);
            }
            None => {
                let _ = writeln!(out, "  rule {} {}", i + 1, if *result { "✓" } else { "✗" });
            }
        }
    }
    if let Some((key, payload)) = &r.variant
        && r.variants.is_empty()
    {
        let _ = writeln!(
            out,
            "  config {} {}",
            sanitize(&Value::String(key.clone()).to_string()),
            sanitize(&payload.to_string())
        );
    }
    for (key, _, lines) in &r.variants {
        let _ = writeln!(
            out,
            "  variant {}",
            sanitize(&Value::String(key.clone()).to_string())
        );
        tree_lines(&mut out, lines, 4);
    }
    if !r.missing.is_empty() {
        let _ = writeln!(
            out,
            "  missing from the context: {}",
            sanitize(&r.missing.join(", "))
        );
    }
    for field in &r.unsent {
        let _ = writeln!(
            out,
            "  ⚠ {} is read, but no company call has sent it for {}: Reflag's targeting reads \
             what /company stored",
            sanitize(field),
            sanitize(company)
        );
    }
    out
}
