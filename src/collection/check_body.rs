//! A saved body checked as `run` would send it: every `{{name}}` it uses must be known, and a
//! sample filled in (generators seeded, the profile's ids and `{{env}}` stood in for) must pass the
//! server's rules, each problem on the line of the value at fault.

use super::load::{Pending, Problem};
use super::template::{self, Gen};
use crate::api;
use serde_json::Value;
use std::collections::BTreeMap;

/// Checks one body once every request and scenario is read.
pub(super) fn check_body(
    problems: &mut Vec<Problem>,
    body: &Pending,
    vars: &BTreeMap<String, Value>,
    cli_vars: &[String],
) {
    let Pending {
        what,
        method,
        located,
        refused,
        saved,
    } = body;
    let (method, refused) = (*method, *refused);
    let Ok(shape) = template::shape(&located.value) else {
        return;
    };
    let mut gens = Vec::new();
    template::gens(&shape, &mut gens);
    let line = located.lines.get("").copied();
    let mut names: BTreeMap<String, Value> = vars.clone();
    for name in cli_vars {
        names
            .entry(name.clone())
            .or_insert_with(|| Value::String("sample".into()));
    }
    for name in saved {
        names
            .entry(name.clone())
            .or_insert_with(|| Value::String(format!("sample-{name}")));
    }
    let mut unknown = false;
    for g in &gens {
        if let Gen::Name(n) = g
            && !names.contains_key(n)
        {
            let known: Vec<&str> = names
                .keys()
                .map(String::as_str)
                .chain(template::GENERATORS.iter().copied())
                .collect();
            let hint = api::suggest::nearest(n, &known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            problems.push(Problem {
                line,
                message: format!("{what}: `{{{{{n}}}}}` is not a var, a --var, or a value an earlier step saves{hint}"),
            });
            unknown = true;
        }
    }
    if unknown || refused {
        return;
    }
    let mut rng = fastrand::Rng::with_seed(0);
    let profile = |field: &str| Some(format!("sample-{field}"));
    let env = |_: &str| Ok("sample".to_owned());
    let now = api::timestamp::now_ms();
    let mut scope = template::Scope {
        names: &names,
        profile: &profile,
        env: &env,
        rng: &mut rng,
        seed: 0,
        seq: 1,
        now_ms: now,
    };
    let Ok(sample) = scope.resolve(&shape) else {
        return;
    };
    if let Err(errors) = api::validate(method, &sample, now) {
        for e in errors {
            problems.push(Problem {
                line: line_of(&located.lines, &e.path).or(line),
                message: format!(
                    "{what}: {}: {}",
                    if e.path.is_empty() { "body" } else { &e.path },
                    e.message
                ),
            });
        }
    }
}

/// The line of the deepest part of `path` the body has.
fn line_of(lines: &BTreeMap<String, usize>, path: &str) -> Option<usize> {
    let mut at = path.to_owned();
    loop {
        if let Some(line) = lines.get(&at) {
            return Some(*line);
        }
        let cut = at.rfind('/')?;
        at.truncate(cut);
    }
}
