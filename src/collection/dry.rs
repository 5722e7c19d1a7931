//! `run --dry-run`: every call of one round of each item, resolved as it would go and judged by
//! its step's expectation without sending: a step meant to be refused passes when the contract
//! refuses its body. A value a step would save from the answer is not known, so later steps show
//! it as "from step N's answer".

use super::run::Options;
use super::template::{Scope, TemplateError};
use super::{Call, Collection, Expect, Side};
use crate::api::{self, Method};
use serde_json::Value;
use std::collections::BTreeMap;

/// One call as it would go.
#[derive(Debug, Clone)]
pub struct DryCall {
    pub item: String,
    pub step: Option<usize>,
    pub method: Method,
    /// The resolved body, or why it cannot be resolved.
    pub body: Result<Value, TemplateError>,
    /// Passed, or why not.
    pub verdict: Result<(), WouldFail>,
}

/// Why a call would not pass.
#[derive(Debug, Clone, PartialEq)]
pub enum WouldFail {
    /// Its body cannot be filled in.
    Template(TemplateError),
    /// The step expects a refusal the contract would not give.
    MeantToBeRefused,
    /// The contract refuses the body, and the step expects it to pass.
    Invalid(Vec<api::ValidationError>),
    /// The resolved body holds the key in use, so it would never be sent.
    HoldsKey,
}

impl std::fmt::Display for WouldFail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Template(e) => e.fmt(f),
            Self::MeantToBeRefused => {
                f.write_str("meant to be refused, but the contract accepts it")
            }
            Self::Invalid(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    let at = if e.path.is_empty() { "body" } else { &e.path };
                    let sep = if i > 0 { "; " } else { "" };
                    write!(f, "{sep}{at}: {}", e.message)?;
                }
                Ok(())
            }
            Self::HoldsKey => {
                f.write_str("the resolved body holds the tracking key in use: it would not be sent")
            }
        }
    }
}

/// The calls one round of `items` would make, in order.
pub fn calls(collection: &Collection, items: &[String], options: &Options) -> Vec<DryCall> {
    let mut names = collection.vars.clone();
    names.extend(options.vars.clone());
    let mut out = Vec::new();
    let mut seq = 0;
    for item in items {
        if let Some(r) = collection.requests.get(item) {
            seq += 1;
            let body = resolve(&r.body, &names, options, seq);
            let verdict = judge(r.method, &Expect::default(), &body);
            out.push(DryCall {
                item: item.clone(),
                step: None,
                method: r.method,
                body,
                verdict,
            });
            continue;
        }
        let mut own = names.clone();
        for (n, step) in collection
            .scenarios
            .get(item)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let (method, shape) = match &step.call {
                Call::Request(name) => match collection.requests.get(name) {
                    Some(r) => (r.method, &r.body),
                    None => continue,
                },
                Call::Inline { method, body } => (*method, body),
            };
            for _ in 0..step.repeat {
                seq += 1;
                let body = resolve(shape, &own, options, seq);
                let verdict = judge(method, &step.expect, &body);
                for s in &step.save {
                    let value = match (s.from, &body) {
                        (Side::Request, Ok(b)) => b.pointer(&s.pointer).cloned(),
                        _ => None,
                    };
                    let value = value
                        .unwrap_or_else(|| Value::String(format!("from step {}'s answer", n + 1)));
                    own.insert(s.name.clone(), value);
                }
                out.push(DryCall {
                    item: item.clone(),
                    step: Some(n + 1),
                    method,
                    body,
                    verdict,
                });
            }
        }
    }
    out
}

fn resolve(
    shape: &super::template::Shape,
    names: &BTreeMap<String, Value>,
    options: &Options,
    seq: u64,
) -> Result<Value, TemplateError> {
    let mut rng = super::run::call_rng(options.seed, seq);
    let ids = &options.profile_ids;
    let profile = |field: &str| ids.get(field).cloned();
    let env = |name: &str| options.env.value(name);
    Scope {
        names,
        profile: &profile,
        env: &env,
        rng: &mut rng,
        seed: options.seed,
        seq,
        now_ms: api::timestamp::now_ms(),
    }
    .resolve(shape)
}

/// Valid passes, unless the step expects a refusal: then invalid passes.
fn judge(
    method: Method,
    expect: &Expect,
    body: &Result<Value, TemplateError>,
) -> Result<(), WouldFail> {
    let body = body.as_ref().map_err(|e| WouldFail::Template(e.clone()))?;
    let checked = api::validate(method, body, api::timestamp::now_ms());
    match (checked, expect.wants_refusal()) {
        (Ok(_), false) | (Err(_), true) => Ok(()),
        (Ok(_), true) => Err(WouldFail::MeantToBeRefused),
        (Err(errors), false) => Err(WouldFail::Invalid(errors)),
    }
}
