//! Definitions and evaluations back as JSON, in the shapes the SDKs read: `GET /features`'s
//! flags and `GET /features/evaluated`'s entries. One writer for the server and every tool.

use serde_json::{Map, Value, json};

use super::definitions::{Filter, FlagDefinition, GroupOperator};
use super::evaluate::FlagEvaluation;

/// A flag as `GET /features` lists it.
pub fn definition(flag: &FlagDefinition) -> Value {
    let mut out = Map::new();
    out.insert("key".into(), json!(flag.key));
    if let Some(d) = &flag.description {
        out.insert("description".into(), json!(d));
    }
    let rules: Vec<Value> = flag
        .rules
        .iter()
        .map(|f| json!({"filter": filter(f)}))
        .collect();
    out.insert(
        "targeting".into(),
        json!({"version": flag.targeting_version, "rules": rules}),
    );
    if let Some(config) = &flag.config {
        let variants: Vec<Value> = config
            .variants
            .iter()
            .map(|v| json!({"filter": filter(&v.filter), "key": v.key, "payload": v.payload}))
            .collect();
        out.insert(
            "config".into(),
            json!({"version": config.version, "variants": variants}),
        );
    }
    Value::Object(out)
}

pub fn filter(f: &Filter) -> Value {
    match f {
        Filter::Group { operator, filters } => json!({
            "type": "group",
            "operator": if *operator == GroupOperator::And { "and" } else { "or" },
            "filters": filters.iter().map(filter).collect::<Vec<_>>(),
        }),
        Filter::Negation(inner) => json!({"type": "negation", "filter": filter(inner)}),
        Filter::Constant(b) => json!({"type": "constant", "value": b}),
        Filter::Context {
            field,
            operator,
            values,
        } => json!({
            "type": "context",
            "field": field,
            "operator": operator.name(),
            "values": values,
        }),
        Filter::Rollout {
            key,
            attribute,
            threshold,
        } => {
            let mut out = json!({
                "type": "rolloutPercentage",
                "partialRolloutAttribute": attribute,
                "partialRolloutThreshold": number(*threshold),
            });
            // Absent stays absent: the library hashes `undefined` for it, and so must a reader.
            if let Some(key) = key {
                out["key"] = json!(key);
            }
            out
        }
    }
}

/// A whole threshold as an integer (25000, not 25000.0), as the service writes it.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// An entry of `GET /features/evaluated`: `config` only when a variant matched.
pub fn evaluation(e: &FlagEvaluation) -> Value {
    let mut out = json!({
        "key": e.key,
        "isEnabled": e.is_enabled,
        "targetingVersion": e.targeting_version,
        "ruleEvaluationResults": e.targeting.results,
        "missingContextFields": e.targeting.missing_context_fields,
    });
    if let Some(config) = &e.config
        && let Some((key, payload)) = &config.variant
    {
        out["config"] = json!({"key": key, "payload": payload, "version": config.version});
    }
    out
}

/// Where a definition holds a rollout filter without `key` (pointers below the flag), which the
/// library evaluates by hashing the text `undefined`: legal, and almost surely a mistake.
pub fn keyless_rollouts(flag: &FlagDefinition) -> Vec<String> {
    fn walk(f: &Filter, at: &str, out: &mut Vec<String>) {
        match f {
            Filter::Group { filters, .. } => {
                for (i, child) in filters.iter().enumerate() {
                    walk(child, &format!("{at}/filters/{i}"), out);
                }
            }
            Filter::Negation(inner) => walk(inner, &format!("{at}/filter"), out),
            Filter::Rollout { key: None, .. } => out.push(at.to_owned()),
            Filter::Rollout { .. } | Filter::Constant(_) | Filter::Context { .. } => {}
        }
    }
    let mut out = Vec::new();
    for (i, rule) in flag.rules.iter().enumerate() {
        walk(rule, &format!("/targeting/rules/{i}/filter"), &mut out);
    }
    if let Some(config) = &flag.config {
        for (i, v) in config.variants.iter().enumerate() {
            walk(&v.filter, &format!("/config/variants/{i}/filter"), &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::flags::{FlatContext, evaluate_flag, parse_definitions};

    const DOC: &str = r#"[{"key": "huddle", "description": "calls",
        "targeting": {"version": 2, "rules": [
            {"filter": {"type": "group", "operator": "or", "filters": [
                {"type": "context", "field": "company.id", "operator": "IS", "values": ["acme"]},
                {"type": "negation", "filter": {"type": "constant", "value": false}}]}},
            {"filter": {"type": "rolloutPercentage", "partialRolloutAttribute": "company.id",
                        "partialRolloutThreshold": 25000}}]},
        "config": {"version": 4, "variants": [
            {"filter": {"type": "context", "field": "user.id", "operator": "IS", "values": ["u1"]},
             "key": "big", "payload": {"size": 3}}]}}]"#;

    /// What is written reads back as the same definition: the server answers what it read.
    #[test]
    fn definitions_round_trip() {
        let doc: Value = serde_json::from_str(DOC).unwrap();
        let flags = parse_definitions(&doc).unwrap();
        let written = Value::Array(flags.iter().map(definition).collect());
        assert_eq!(parse_definitions(&written).unwrap(), flags);
        assert_eq!(written, doc, "the service's own shape, member for member");
        assert_eq!(keyless_rollouts(&flags[0]), ["/targeting/rules/1/filter"]);
    }

    #[test]
    fn an_evaluation_has_config_only_for_a_matched_variant() {
        let doc: Value = serde_json::from_str(DOC).unwrap();
        let flag = &parse_definitions(&doc).unwrap()[0];
        let mut context = FlatContext::new();
        context.insert("company.id".into(), "acme".into());
        let e = evaluation(&evaluate_flag(flag, &context, 0.0));
        assert_eq!(e["isEnabled"], json!(true));
        assert_eq!(e["targetingVersion"], json!(2));
        assert_eq!(e["ruleEvaluationResults"][0], json!(true));
        assert_eq!(e["ruleEvaluationResults"].as_array().map(Vec::len), Some(2));
        assert_eq!(e["missingContextFields"], json!([]));
        assert!(e.get("config").is_none(), "{e}");
        context.insert("user.id".into(), "u1".into());
        let e = evaluation(&evaluate_flag(flag, &context, 0.0));
        assert_eq!(
            e["config"],
            json!({"key": "big", "payload": {"size": 3}, "version": 4})
        );
    }
}
