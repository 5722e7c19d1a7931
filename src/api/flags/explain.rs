//! The flag debugger's words for an evaluation: one model that the console's F7 tree, `flags
//! eval` and `flags eval --json` all render, so the three never explain a flag differently.
//! Pure: the evaluation is computed by the caller (with its clock) and passed in.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::definitions::{Filter, FlagDefinition, GroupOperator};
use super::evaluate::{Explanation, FlagEvaluation, FlatContext};
use super::rollout::BUCKETS;

/// How one filter came out. `Missing` is a false that the absence of its field decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Fail,
    Missing,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Pass => "✓",
            Mark::Fail => "✗",
            Mark::Missing => "missing",
        }
    }

    fn of(e: &Explanation) -> Mark {
        match e {
            Explanation::Context { missing: true, .. }
            | Explanation::Rollout { bucket: None, .. } => Mark::Missing,
            _ if e.result() => Mark::Pass,
            _ => Mark::Fail,
        }
    }
}

/// One line of a filter tree: its depth (0 for a rule's own filter), its mark and its words.
/// A line without a mark is a note (filters the library never evaluated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLine {
    pub depth: usize,
    pub mark: Option<Mark>,
    pub text: String,
}

/// `37412` → `37 412`: buckets and thresholds read as the issue and Reflag's UI write them.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn quoted(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// The lines of one filter's explanation, depth-first.
pub fn tree(e: &Explanation) -> Vec<TreeLine> {
    let mut out = Vec::new();
    walk(e, 0, &mut out);
    out
}

fn walk(e: &Explanation, depth: usize, out: &mut Vec<TreeLine>) {
    let line = |text: String| TreeLine {
        depth,
        mark: Some(Mark::of(e)),
        text,
    };
    match e {
        Explanation::Constant(b) => out.push(line(format!("always {b}"))),
        Explanation::Context {
            field,
            operator,
            values,
            read,
            ..
        } => {
            let wanted = match values.len() {
                0 => String::new(),
                1 => format!(" {}", quoted(&values[0])),
                _ => format!(
                    " [{}]",
                    values
                        .iter()
                        .map(|v| quoted(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let got = match read {
                Some(v) => format!("read {}", quoted(v)),
                None => "not in the context".to_owned(),
            };
            out.push(line(format!("{field} {}{wanted} · {got}", operator.name())));
        }
        Explanation::Rollout {
            key,
            attribute,
            read,
            bucket,
            threshold,
            ..
        } => {
            let share = threshold / f64::from(BUCKETS) * 100.0;
            let key = key.as_deref().map_or_else(
                || " (no key: hashes \"undefined\")".to_owned(),
                |k| format!(" (key {})", quoted(k)),
            );
            let got = match (read, bucket) {
                (Some(v), Some(b)) => format!(
                    "{} → bucket {} of {}, needs < {}",
                    quoted(v),
                    grouped(u64::from(*b)),
                    grouped(u64::from(BUCKETS)),
                    grouped(threshold.max(0.0) as u64)
                ),
                _ => "not in the context".to_owned(),
            };
            out.push(line(format!(
                "rollout {share}% by {attribute}{key} · {got}"
            )));
        }
        Explanation::Group {
            operator,
            children,
            skipped,
            ..
        } => {
            out.push(line(match operator {
                GroupOperator::And => "all of".to_owned(),
                GroupOperator::Or => "any of".to_owned(),
            }));
            for child in children {
                walk(child, depth + 1, out);
            }
            if *skipped > 0 {
                out.push(TreeLine {
                    depth: depth + 1,
                    mark: None,
                    text: format!("{skipped} more not evaluated (the result was already decided)"),
                });
            }
        }
        Explanation::Negation(inner) => {
            out.push(line("not".to_owned()));
            walk(inner, depth + 1, out);
        }
    }
}

/// Every context field a definition's filters read (rules and variants), in first-read order.
pub fn fields_read(flag: &FlagDefinition) -> Vec<String> {
    fn collect(f: &Filter, out: &mut Vec<String>) {
        match f {
            Filter::Group { filters, .. } => filters.iter().for_each(|f| collect(f, out)),
            Filter::Negation(inner) => collect(inner, out),
            Filter::Constant(_) => {}
            Filter::Context { field, .. }
            | Filter::Rollout {
                attribute: field, ..
            } => {
                if !out.contains(field) {
                    out.push(field.clone());
                }
            }
        }
    }
    let mut out = Vec::new();
    flag.rules.iter().for_each(|f| collect(f, &mut out));
    if let Some(config) = &flag.config {
        config
            .variants
            .iter()
            .for_each(|v| collect(&v.filter, &mut out));
    }
    out
}

/// The `company.…` attributes a flag reads that no `company` call has sent for the company:
/// Reflag's targeting reads what `/company` stored, so such a rule never matches there, however
/// the context here is filled. `sent` holds the attribute names the store knows for it.
pub fn unsent_company_attributes(flag: &FlagDefinition, sent: &BTreeSet<String>) -> Vec<String> {
    fields_read(flag)
        .into_iter()
        .filter(|f| {
            f.strip_prefix("company.").is_some_and(|attr| {
                attr != "id" && !sent.contains(attr.split('.').next().unwrap_or(attr))
            })
        })
        .collect()
}

/// A context from the debugger's inputs: `user.id`, `company.id`, then `--attr` pairs whose
/// names are dotted paths (`company.plan`), as the SDKs flatten theirs. Later pairs win.
pub fn context_of(
    user: Option<&str>,
    company: Option<&str>,
    attrs: &[(String, String)],
) -> FlatContext {
    let mut context = FlatContext::new();
    if let Some(u) = user {
        context.insert("user.id".to_owned(), u.to_owned());
    }
    if let Some(c) = company {
        context.insert("company.id".to_owned(), c.to_owned());
    }
    for (k, v) in attrs {
        context.insert(k.clone(), v.clone());
    }
    context
}

/// A stored company's attributes as `company.NAME` context entries, flattened as the SDKs do.
pub fn company_attributes(attributes: &Map<String, Value>) -> Vec<(String, String)> {
    let nested = json!({ "company": Value::Object(attributes.clone()) });
    super::evaluate::flatten(&nested)
        .into_iter()
        .filter(|(k, _)| k != "company.id")
        .collect()
}

/// The query of `GET /features/evaluated` for a context: `context.` before each flat field.
pub fn evaluated_query(context: &FlatContext) -> Vec<(String, String)> {
    context
        .iter()
        .map(|(k, v)| (format!("context.{k}"), v.clone()))
        .collect()
}

/// One flag of a `GET /features/evaluated` answer: what a publishable key may see (outcomes,
/// no filters).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluatedFlag {
    pub key: String,
    pub is_enabled: bool,
    #[serde(default)]
    pub targeting_version: Option<i64>,
    #[serde(default)]
    pub config: Option<EvaluatedConfig>,
    #[serde(default)]
    pub rule_evaluation_results: Vec<bool>,
    #[serde(default)]
    pub missing_context_fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EvaluatedConfig {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub payload: Value,
}

/// Reads `{"features": {KEY: {...}}}` (or the bare object), flags sorted by key.
pub fn parse_evaluated(doc: &Value) -> Result<Vec<EvaluatedFlag>, serde_json::Error> {
    let features = doc.get("features").unwrap_or(doc).clone();
    let map: std::collections::BTreeMap<String, EvaluatedFlag> = serde_json::from_value(features)?;
    Ok(map.into_values().collect())
}

/// A flag explained: what it came to, and why. Built from a local evaluation (`tree` filled)
/// or from the service's evaluated answer (only the outcomes).
#[derive(Debug, Clone, PartialEq)]
pub struct FlagReport {
    pub key: String,
    pub enabled: bool,
    /// The targeting rules' results, with each rule's tree when the definitions were read.
    pub rules: Vec<(bool, Option<Vec<TreeLine>>)>,
    /// The config variant chosen: its key and payload.
    pub variant: Option<(String, Value)>,
    /// Each variant's key and whether its filter matched, with its tree (definitions only).
    pub variants: Vec<(String, bool, Vec<TreeLine>)>,
    pub missing: Vec<String>,
    pub unsent: Vec<String>,
}

impl FlagReport {
    pub fn from_evaluation(flag: &FlagDefinition, e: &FlagEvaluation) -> Self {
        let rules = e
            .targeting
            .explanations
            .iter()
            .map(|x| (x.result(), Some(tree(x))))
            .collect();
        let mut missing = e.targeting.missing_context_fields.clone();
        let mut variants = Vec::new();
        if let (Some(config), Some(c)) = (&flag.config, &e.config) {
            for (v, x) in config.variants.iter().zip(&c.variants.explanations) {
                variants.push((v.key.clone(), x.result(), tree(x)));
            }
            for m in &c.variants.missing_context_fields {
                if !missing.contains(m) {
                    missing.push(m.clone());
                }
            }
        }
        Self {
            key: e.key.clone(),
            enabled: e.is_enabled,
            rules,
            variant: e.config.as_ref().and_then(|c| c.variant.clone()),
            variants,
            missing,
            unsent: Vec::new(),
        }
    }

    pub fn from_evaluated(f: &EvaluatedFlag) -> Self {
        Self {
            key: f.key.clone(),
            enabled: f.is_enabled,
            rules: f
                .rule_evaluation_results
                .iter()
                .map(|r| (*r, None))
                .collect(),
            variant: f
                .config
                .as_ref()
                .and_then(|c| c.key.clone().map(|k| (k, c.payload.clone()))),
            variants: Vec::new(),
            missing: f.missing_context_fields.clone(),
            unsent: Vec::new(),
        }
    }

    /// The first matching rule (1-based), as people count rules.
    pub fn matched_rule(&self) -> Option<usize> {
        self.rules.iter().position(|(r, _)| *r).map(|i| i + 1)
    }

    /// One line: `huddle on · rule 2 of 3 · variant "beta"` / `off · no rule matched`.
    pub fn headline(&self) -> String {
        let mut out = format!("{} {}", self.key, if self.enabled { "on" } else { "off" });
        match self.matched_rule() {
            Some(i) => {
                let _ = write!(out, " · rule {i} of {}", self.rules.len());
            }
            None if self.rules.is_empty() => out.push_str(" · no rules"),
            None => out.push_str(" · no rule matched"),
        }
        if let Some((key, _)) = &self.variant {
            let _ = write!(out, " · variant {}", quoted(key));
        }
        out
    }

    /// `flags eval --json`'s object for this flag (keys documented in docs/flags.md).
    pub fn to_json(&self) -> Value {
        let tree_json = |lines: &[TreeLine]| {
            lines
                .iter()
                .map(|l| {
                    json!({
                        "depth": l.depth,
                        "mark": l.mark.map(|m| match m {
                            Mark::Pass => "pass",
                            Mark::Fail => "fail",
                            Mark::Missing => "missing",
                        }),
                        "text": l.text,
                    })
                })
                .collect::<Vec<_>>()
        };
        json!({
            "key": self.key,
            "isEnabled": self.enabled,
            "matchedRule": self.matched_rule(),
            "rules": self.rules.iter().map(|(result, lines)| {
                let mut rule = json!({ "result": result });
                if let Some(lines) = lines {
                    rule["filters"] = Value::Array(tree_json(lines));
                }
                rule
            }).collect::<Vec<_>>(),
            "config": self.variant.as_ref().map(|(key, payload)| json!({"key": key, "payload": payload})),
            "variants": self.variants.iter().map(|(key, result, lines)| json!({
                "key": key, "result": result, "filters": tree_json(lines),
            })).collect::<Vec<_>>(),
            "missingContextFields": self.missing,
            "unsentCompanyAttributes": self.unsent,
        })
    }
}

/// A flag check as Traffic lists it: `huddle checked → false · missing company.plan`. `item`
/// is the check's JSON (a `POST /features/events` body or a `/bulk` item); `None` when it is
/// not one.
pub fn check_summary(item: &Value) -> Option<String> {
    let key = item.get("key")?.as_str()?;
    let action = item
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or("check");
    let verb = match action {
        "check-config" => "config checked",
        "evaluate" => "evaluated",
        _ => "checked",
    };
    let result = match item.get("evalResult") {
        None | Some(Value::Null) => "?".to_owned(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Object(c)) => match c.get("key").and_then(Value::as_str) {
            Some(variant) => format!("variant {}", quoted(variant)),
            None => "no variant".to_owned(),
        },
        Some(other) => other.to_string(),
    };
    let mut out = format!("{key} {verb} → {result}");
    let missing: Vec<&str> = item
        .get("evalMissingFields")
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !missing.is_empty() {
        let _ = write!(out, " · missing {}", missing.join(", "));
    }
    Some(out)
}

/// The flag checks of a Runtime API body: the one of `POST /features/events`, or each
/// `feature-flag-event` item of a `/bulk` array.
pub fn checks_in(path: &str, body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    match (path, &value) {
        ("/bulk", Value::Array(items)) => items
            .iter()
            .filter(|i| i["type"] == "feature-flag-event")
            .filter_map(check_summary)
            .collect(),
        (p, Value::Object(_)) if p.split('?').next() == Some("/features/events") => {
            check_summary(&value).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

/// A context attribute that is not `FIELD=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not FIELD=VALUE (company.plan=enterprise)")]
pub struct AttributeError(pub String);

/// One `FIELD=VALUE` attribute (`company.plan=enterprise`), trimmed; F7's editor and
/// `flags eval --attr` read them alike.
pub fn attribute(piece: &str) -> Result<(String, String), AttributeError> {
    match piece.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(AttributeError(piece.to_owned())),
    }
}

/// `company.plan=enterprise, user.role=admin` → pairs; empty pieces are skipped.
pub fn attributes(text: &str) -> Result<Vec<(String, String)>, AttributeError> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(attribute)
        .collect()
}
