//! Evaluation exactly as `@reflag/flag-evaluation` 1.0.1 does it, with an explanation of every
//! filter for the flag debugger. The clock is an argument: nothing here reads time.

use std::collections::BTreeMap;

use serde_json::Value;

use super::definitions::{Filter, FlagDefinition, GroupOperator, Operator};
use super::js;
use super::rollout::bucket;

/// A context flattened as the library's `flattenJSON` does: dotted paths to strings.
pub type FlatContext = BTreeMap<String, String>;

/// `flattenJSON`: nested keys joined with `.`, arrays by index, `null` and empty objects or arrays
/// as `""`, numbers as JavaScript prints them.
pub fn flatten(context: &Value) -> FlatContext {
    let mut out = FlatContext::new();
    if let Value::Object(map) = context
        && !map.is_empty()
    {
        walk(context, "", &mut out);
    }
    out
}

fn walk(value: &Value, prop: &str, out: &mut FlatContext) {
    let join = |p: &str| {
        if prop.is_empty() {
            p.to_owned()
        } else {
            format!("{prop}.{p}")
        }
    };
    match value {
        Value::Null => {
            out.insert(prop.to_owned(), String::new());
        }
        Value::Bool(b) => {
            out.insert(prop.to_owned(), b.to_string());
        }
        Value::Number(n) => {
            out.insert(
                prop.to_owned(),
                js::number_to_string(n.as_f64().unwrap_or(f64::NAN)),
            );
        }
        Value::String(s) => {
            out.insert(prop.to_owned(), s.clone());
        }
        Value::Array(items) => {
            if items.is_empty() {
                out.insert(prop.to_owned(), String::new());
            }
            for (i, item) in items.iter().enumerate() {
                walk(item, &join(&i.to_string()), out);
            }
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.insert(prop.to_owned(), String::new());
            }
            for (k, v) in map {
                walk(v, &join(k), out);
            }
        }
    }
}

/// What one filter did: its result, and what it read. The debugger draws this as a tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Explanation {
    Constant(bool),
    /// `read` is the context value (None when the field is absent); `missing` is true when the
    /// absence decided the result (every operator but SET/NOT_SET).
    Context {
        field: String,
        operator: Operator,
        values: Vec<String>,
        read: Option<String>,
        missing: bool,
        result: bool,
    },
    Rollout {
        key: Option<String>,
        attribute: String,
        read: Option<String>,
        bucket: Option<u32>,
        threshold: f64,
        result: bool,
    },
    /// `skipped` counts the trailing filters the library never evaluated once the result was
    /// decided (their fields are not reported missing).
    Group {
        operator: GroupOperator,
        children: Vec<Explanation>,
        skipped: usize,
        result: bool,
    },
    Negation(Box<Explanation>),
}

impl Explanation {
    pub fn result(&self) -> bool {
        match self {
            Self::Constant(b) => *b,
            Self::Context { result, .. }
            | Self::Rollout { result, .. }
            | Self::Group { result, .. } => *result,
            Self::Negation(inner) => !inner.result(),
        }
    }
}

/// The outcome of a list of rules (`evaluateFlagRules`).
#[derive(Debug, Clone, PartialEq)]
pub struct RulesOutcome {
    pub results: Vec<bool>,
    /// In the order the library first met them.
    pub missing_context_fields: Vec<String>,
    pub explanations: Vec<Explanation>,
}

impl RulesOutcome {
    pub fn first_match(&self) -> Option<usize> {
        self.results.iter().position(|r| *r)
    }
}

pub fn evaluate_rules<'a>(
    rules: impl IntoIterator<Item = &'a Filter>,
    context: &FlatContext,
    now_ms: f64,
) -> RulesOutcome {
    let mut eval = Evaluator {
        context,
        now_ms,
        missing: Vec::new(),
    };
    let explanations: Vec<Explanation> = rules.into_iter().map(|f| eval.filter(f)).collect();
    RulesOutcome {
        results: explanations.iter().map(Explanation::result).collect(),
        missing_context_fields: eval.missing,
        explanations,
    }
}

struct Evaluator<'c> {
    context: &'c FlatContext,
    now_ms: f64,
    missing: Vec<String>,
}

impl Evaluator<'_> {
    fn miss(&mut self, field: &str) {
        if !self.missing.iter().any(|m| m == field) {
            self.missing.push(field.to_owned());
        }
    }

    fn filter(&mut self, filter: &Filter) -> Explanation {
        match filter {
            Filter::Constant(b) => Explanation::Constant(*b),
            Filter::Negation(inner) => Explanation::Negation(Box::new(self.filter(inner))),
            Filter::Group { operator, filters } => {
                let and = *operator == GroupOperator::And;
                let mut result = and;
                let mut children = Vec::with_capacity(filters.len());
                for f in filters {
                    // JavaScript's `acc && next` / `acc || next` short-circuit: once decided, the
                    // remaining filters are not evaluated at all.
                    if result != and {
                        break;
                    }
                    let child = self.filter(f);
                    result = child.result();
                    children.push(child);
                }
                Explanation::Group {
                    operator: *operator,
                    skipped: filters.len() - children.len(),
                    children,
                    result,
                }
            }
            Filter::Context {
                field,
                operator,
                values,
            } => {
                let read = self.context.get(field).cloned();
                let missing =
                    read.is_none() && !matches!(operator, Operator::Set | Operator::NotSet);
                let result = if missing {
                    self.miss(field);
                    false
                } else {
                    compare(
                        read.as_deref().unwrap_or(""),
                        *operator,
                        values,
                        self.now_ms,
                    )
                };
                Explanation::Context {
                    field: field.clone(),
                    operator: *operator,
                    values: values.clone(),
                    read,
                    missing,
                    result,
                }
            }
            Filter::Rollout {
                key,
                attribute,
                threshold,
            } => {
                let read = self.context.get(attribute).cloned();
                let bucket = read
                    .as_deref()
                    .map(|v| bucket(key.as_deref().unwrap_or("undefined"), v));
                if read.is_none() {
                    self.miss(attribute);
                }
                Explanation::Rollout {
                    key: key.clone(),
                    attribute: attribute.clone(),
                    read,
                    result: bucket.is_some_and(|b| f64::from(b) < *threshold),
                    bucket,
                    threshold: *threshold,
                }
            }
        }
    }
}

/// The library's `evaluate(fieldValue, operator, values)`.
pub fn compare(field: &str, operator: Operator, values: &[String], now_ms: f64) -> bool {
    let value = values.first().map(String::as_str);
    match operator {
        Operator::Contains | Operator::NotContains => {
            let found = value.is_some_and(|v| field.to_lowercase().contains(&v.to_lowercase()));
            found == (operator == Operator::Contains)
        }
        Operator::Gt | Operator::Lt => {
            let (a, b) = (js::to_number(field), value.map_or(f64::NAN, js::to_number));
            if operator == Operator::Gt {
                a > b
            } else {
                a < b
            }
        }
        Operator::After | Operator::Before => {
            let since = js::days_ago(now_ms, value.map_or(f64::NAN, js::to_number));
            let at = js::parse_date(field);
            if operator == Operator::After {
                at > since
            } else {
                at < since
            }
        }
        Operator::DateAfter | Operator::DateBefore => {
            let (a, b) = (
                js::parse_date(field),
                value.map_or(f64::NAN, js::parse_date),
            );
            if operator == Operator::DateAfter {
                a >= b
            } else {
                a <= b
            }
        }
        Operator::Set => !field.is_empty(),
        Operator::NotSet => field.is_empty(),
        Operator::Is => value == Some(field),
        Operator::IsNot => value != Some(field),
        Operator::AnyOf => values.iter().any(|v| v == field),
        Operator::NotAnyOf => !values.iter().any(|v| v == field),
        Operator::IsTrue => field == "true",
        Operator::IsFalse => field == "false",
    }
}

/// A flag as the SDKs compute it: on when any targeting rule matches; the config is the first
/// variant whose filter matches.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagEvaluation {
    pub key: String,
    pub is_enabled: bool,
    pub targeting_version: i64,
    pub targeting: RulesOutcome,
    pub config: Option<ConfigEvaluation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigEvaluation {
    pub version: i64,
    /// The matched variant's key and payload.
    pub variant: Option<(String, Value)>,
    pub variants: RulesOutcome,
}

pub fn evaluate_flag(flag: &FlagDefinition, context: &FlatContext, now_ms: f64) -> FlagEvaluation {
    let targeting = evaluate_rules(&flag.rules, context, now_ms);
    let config = flag.config.as_ref().map(|config| {
        let variants = evaluate_rules(config.variants.iter().map(|v| &v.filter), context, now_ms);
        let variant = variants.first_match().map(|i| {
            (
                config.variants[i].key.clone(),
                config.variants[i].payload.clone(),
            )
        });
        ConfigEvaluation {
            version: config.version,
            variant,
            variants,
        }
    });
    FlagEvaluation {
        key: flag.key.clone(),
        is_enabled: targeting.first_match().is_some(),
        targeting_version: flag.targeting_version,
        targeting,
        config,
    }
}
