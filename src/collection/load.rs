//! Reading `bucket-console.toml` with every value's position, so each problem names its line:
//! TOML errors, unknown keys (with a suggestion), methods, names and generators, and each body,
//! resolved with sample values, against the contract.

use super::template::{self, Shape};
use super::{Call, Collection, CollectionError, Expect, Request, Save, Side, Step};
use crate::api::{self, Method, pointer};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One problem, on a line of the file when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
}

/// A body as JSON, with the line each of its values starts on (by JSON Pointer).
pub(super) struct Located {
    pub(super) value: Value,
    pub(super) lines: BTreeMap<String, usize>,
}

pub(super) struct Reader {
    lines: super::lines::LineIndex,
    problems: Vec<Problem>,
}

impl Reader {
    pub(super) fn new(text: &str) -> Self {
        Self {
            lines: super::lines::LineIndex::new(text),
            problems: Vec::new(),
        }
    }

    pub(super) fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    pub(super) fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    pub(super) fn problem(&mut self, offset: usize, message: impl Into<String>) {
        let line = Some(self.line(offset));
        self.problems.push(Problem {
            line,
            message: message.into(),
        });
    }

    /// Refuses keys outside `allowed`, suggesting the nearest.
    pub(super) fn known_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], what: &str) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let hint = api::suggest::nearest(name, allowed).map_or_else(
                    || format!(" (it takes {})", allowed.join(", ")),
                    |s| format!("; did you mean `{s}`?"),
                );
                self.problem(
                    key.span().start,
                    format!("{what}: unknown key `{name}`{hint}"),
                );
            }
        }
    }

    pub(super) fn json(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
        lines: &mut BTreeMap<String, usize>,
    ) -> Value {
        lines.insert(at.to_owned(), self.line(value.span().start));
        match value.get_ref() {
            DeValue::String(s) => Value::String(s.to_string()),
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                match i64::from_str_radix(&digits, i.radix()) {
                    Ok(n) => Value::from(n),
                    Err(_) => {
                        self.problem(
                            value.span().start,
                            format!("{at}: {i} does not fit 64 bits"),
                        );
                        Value::Null
                    }
                }
            }
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Value::from(x),
                _ => {
                    self.problem(
                        value.span().start,
                        format!("{at}: {f} is not a number JSON can carry"),
                    );
                    Value::Null
                }
            },
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(d) => Value::String(d.to_string()),
            DeValue::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| self.json(item, &format!("{at}/{n}"), lines))
                    .collect(),
            ),
            DeValue::Table(table) => {
                let mut map = Map::new();
                for (k, v) in table {
                    let key = k.get_ref().to_string();
                    let child = format!("{at}/{}", pointer::escape(&key));
                    let json = self.json(v, &child, lines);
                    map.insert(key, json);
                }
                Value::Object(map)
            }
        }
    }

    pub(super) fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.problem(value.span().start, format!("{what} must be a table"));
                None
            }
        }
    }

    pub(super) fn string(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.problem(value.span().start, format!("{what} must be a string"));
                None
            }
        }
    }

    fn method(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<Method> {
        let text = self.string(value, &format!("{what}: method"))?;
        let method = Method::parse(&text);
        if method.is_none() {
            let names = ["user", "company", "event", "feedback"];
            let hint = api::suggest::nearest(&text, &names)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            self.problem(
                value.span().start,
                format!("{what}: unknown method `{text}`: {hint}user, company, event or feedback"),
            );
        }
        method
    }

    fn body(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<(Shape, Located)> {
        self.table(value, &format!("{what}: body"))?;
        let mut lines = BTreeMap::new();
        let json = self.json(value, "", &mut lines);
        match template::shape(&json) {
            Ok(shape) => Some((shape, Located { value: json, lines })),
            Err(e) => {
                self.problem(value.span().start, format!("{what}: {e}"));
                None
            }
        }
    }
}

/// A body to check once every request and scenario is read.
pub(super) struct Pending {
    pub(super) what: String,
    pub(super) method: Method,
    pub(super) located: Located,
    pub(super) refused: bool,
    /// Names saved by steps that run before this body's call.
    pub(super) saved: BTreeSet<String>,
}

/// Reads and checks collection text (`path` names it in messages).
pub fn parse(path: &Path, text: &str, cli_vars: &[String]) -> Result<Collection, CollectionError> {
    let fail = |problems| CollectionError {
        path: path.to_path_buf(),
        problems,
    };
    let root = super::lines::parse(text)
        .map_err(|(line, message)| fail(vec![Problem { line, message }]))?;
    let mut r = Reader::new(text);
    let root = root.get_ref();
    r.known_keys(
        root,
        &["vars", "requests", "scenarios", "features", "flags"],
        "the file",
    );
    // Served by `serve`; checked here too, so `run` and the console name their mistakes.
    super::flags::read(&mut r, root);
    let vars = read_vars(&mut r, root);
    let features = super::features::read(&mut r, root);
    let mut pending = Vec::new();
    let mut requests = read_requests(&mut r, root, &mut pending);
    let (scenarios, saved_anywhere) = read_scenarios(&mut r, root, &mut requests, &mut pending);
    // Requests may use what any scenario saves; an inline step only what came before it.
    for body in &mut pending {
        if let Some(name) = body.what.strip_prefix("requests.") {
            body.refused = requests.get(name).is_some_and(|q| q.meant_to_fail);
            body.saved.clone_from(&saved_anywhere);
        }
        super::check_body::check_body(&mut r.problems, body, &vars, cli_vars);
    }
    if !r.problems.is_empty() {
        r.problems.sort_by_key(|p| p.line);
        return Err(fail(r.problems));
    }
    Ok(Collection {
        path: path.to_path_buf(),
        vars,
        requests,
        scenarios,
        features,
    })
}

fn read_vars(r: &mut Reader, root: &DeTable<'_>) -> BTreeMap<String, Value> {
    let mut vars = BTreeMap::new();
    let Some(table) = root.get("vars").and_then(|v| r.table(v, "[vars]")) else {
        return vars;
    };
    for (k, value) in table {
        let name = k.get_ref().to_string();
        if !template::is_name(&name) || template::GENERATORS.contains(&name.as_str()) {
            r.problem(
                k.span().start,
                format!("[vars]: `{name}` cannot be a var's name (letters, digits, _ and -, not a generator's name)"),
            );
            continue;
        }
        let json = r.json(value, "", &mut BTreeMap::new());
        vars.insert(name, json);
    }
    vars
}

fn empty_body() -> (Shape, Located) {
    (
        Shape::Object(Vec::new()),
        Located {
            value: Value::Object(Map::new()),
            lines: BTreeMap::new(),
        },
    )
}

fn read_requests(
    r: &mut Reader,
    root: &DeTable<'_>,
    pending: &mut Vec<Pending>,
) -> BTreeMap<String, Request> {
    let mut requests = BTreeMap::new();
    let Some(table) = root.get("requests").and_then(|v| r.table(v, "[requests]")) else {
        return requests;
    };
    for (k, value) in table {
        let name = k.get_ref().to_string();
        let what = format!("requests.{name}");
        let Some(entry) = r.table(value, &what) else {
            continue;
        };
        r.known_keys(entry, &["method", "body", "tags"], &what);
        let tags = super::tags::read(r, entry.get("tags"), &what);
        let method = match entry.get("method") {
            Some(m) => r.method(m, &what),
            None => {
                r.problem(
                    value.span().start,
                    format!("{what}: method is missing (user, company, event or feedback)"),
                );
                None
            }
        };
        let body = match entry.get("body") {
            Some(b) => r.body(b, &what),
            None => Some(empty_body()),
        };
        if let (Some(method), Some((shape, located))) = (method, body) {
            let request = Request {
                method,
                body: shape,
                written: located.value.clone(),
                line: r.line(value.span().start),
                meant_to_fail: false,
                tags,
            };
            requests.insert(name, request);
            pending.push(Pending {
                what,
                method,
                located,
                refused: false,
                saved: BTreeSet::new(),
            });
        }
    }
    requests
}

type Scenarios = BTreeMap<String, Vec<Step>>;

fn read_scenarios(
    r: &mut Reader,
    root: &DeTable<'_>,
    requests: &mut BTreeMap<String, Request>,
    pending: &mut Vec<Pending>,
) -> (Scenarios, BTreeSet<String>) {
    let mut scenarios = BTreeMap::new();
    let mut saved_anywhere = BTreeSet::new();
    let Some(table) = root
        .get("scenarios")
        .and_then(|v| r.table(v, "[scenarios]"))
    else {
        return (scenarios, saved_anywhere);
    };
    for (k, value) in table {
        let name = k.get_ref().to_string();
        let what = format!("scenarios.{name}");
        let DeValue::Array(items) = value.get_ref() else {
            r.problem(
                value.span().start,
                format!("{what}: a scenario is a list of steps, each written [[{what}]]"),
            );
            continue;
        };
        let mut steps = Vec::new();
        let mut saved_before = BTreeSet::new();
        for (n, item) in items.iter().enumerate() {
            let what = format!("{what} step {}", n + 1);
            // What a step saves is known even when the step is broken or `save` misspelled, so
            // one typo is one error, not one more for every later use of the name.
            for name in save_names(item) {
                saved_before.insert(name.clone());
                saved_anywhere.insert(name);
            }
            let Some((step, located)) = step(r, item, &what, requests) else {
                continue;
            };
            super::tags::first_step_only(r, n, &step.tags, item.span().start, &what);
            if let (Call::Inline { method, .. }, Some(located)) = (&step.call, located) {
                pending.push(Pending {
                    what: what.clone(),
                    method: *method,
                    located,
                    refused: step.expect.wants_refusal(),
                    saved: saved_before.clone(),
                });
            }
            if let Call::Request(req) = &step.call
                && step.expect.wants_refusal()
                && let Some(request) = requests.get_mut(req)
            {
                request.meant_to_fail = true;
            }
            for s in &step.save {
                saved_before.insert(s.name.clone());
                saved_anywhere.insert(s.name.clone());
            }
            steps.push(step);
        }
        if items.is_empty() {
            r.problem(value.span().start, format!("{what} has no steps"));
        }
        scenarios.insert(name, steps);
    }
    (scenarios, saved_anywhere)
}

fn step(
    r: &mut Reader,
    item: &Spanned<DeValue<'_>>,
    what: &str,
    requests: &BTreeMap<String, Request>,
) -> Option<(Step, Option<Located>)> {
    let table = r.table(item, what)?;
    r.known_keys(
        table,
        &[
            "request", "method", "body", "save", "repeat", "expect", "tags", "bulk",
        ],
        what,
    );
    let at = item.span().start;
    let (call, located) = match (table.get("request"), table.get("method")) {
        (Some(req), None) => {
            let name = r.string(req, &format!("{what}: request"))?;
            if !requests.contains_key(&name) {
                let names: Vec<&str> = requests.keys().map(String::as_str).collect();
                let hint = api::suggest::nearest(&name, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                r.problem(
                    req.span().start,
                    format!("{what}: no request named `{name}`{hint}"),
                );
                return None;
            }
            if table.contains_key("body") {
                r.problem(
                    at,
                    format!("{what}: a step names a request or gives method and body, not both"),
                );
            }
            (Call::Request(name), None)
        }
        (None, Some(m)) => {
            let method = r.method(m, what)?;
            let (body, located) = match table.get("body") {
                Some(b) => r.body(b, what)?,
                None => (
                    Shape::Object(Vec::new()),
                    Located {
                        value: Value::Object(Map::new()),
                        lines: BTreeMap::new(),
                    },
                ),
            };
            (Call::Inline { method, body }, Some(located))
        }
        (Some(_), Some(_)) => {
            r.problem(
                at,
                format!("{what}: a step names a request or gives method and body, not both"),
            );
            return None;
        }
        (None, None) => {
            r.problem(
                at,
                format!("{what}: give `request = \"NAME\"`, or `method` and `body`"),
            );
            return None;
        }
    };
    let save = table
        .get("save")
        .map(|v| saves(r, v, what))
        .unwrap_or_default();
    let repeat = table.get("repeat").map_or(1, |v| repeat(r, v, what));
    let bulk = table.get("bulk").map(|v| bulk(r, v, what));
    let expect = match table.get("expect") {
        Some(e) => expect(r, e, what),
        None => Expect::default(),
    };
    let line = r.line(at);
    let tags = super::tags::read(r, table.get("tags"), what);
    Some((
        Step {
            call,
            save,
            repeat,
            expect,
            bulk,
            line,
            tags,
        },
        located,
    ))
}

/// The names under a step's `save` (or a key one typo from it), read without judging them.
fn save_names(item: &Spanned<DeValue<'_>>) -> Vec<String> {
    let DeValue::Table(table) = item.get_ref() else {
        return Vec::new();
    };
    table
        .iter()
        .filter(|(k, _)| api::suggest::nearest(k.get_ref(), &["save"]).is_some())
        .filter_map(|(_, v)| match v.get_ref() {
            DeValue::Table(saved) => Some(saved.keys().map(|k| k.get_ref().to_string())),
            _ => None,
        })
        .flatten()
        .collect()
}

fn saves(r: &mut Reader, value: &Spanned<DeValue<'_>>, what: &str) -> Vec<Save> {
    let mut save = Vec::new();
    let Some(entries) = r.table(value, &format!("{what}: save")) else {
        return save;
    };
    for (k, v) in entries {
        let name = k.get_ref().to_string();
        let Some(text) = r.string(v, &format!("{what}: save.{name}")) else {
            continue;
        };
        let parsed = match text.split_once(':') {
            Some(("request", p)) if p.is_empty() || p.starts_with('/') => Some((Side::Request, p)),
            Some(("response", p)) if p.is_empty() || p.starts_with('/') => {
                Some((Side::Response, p))
            }
            _ => None,
        };
        match parsed {
            Some(_) if !template::is_name(&name) || template::GENERATORS.contains(&name.as_str()) => {
                r.problem(k.span().start, format!("{what}: `{name}` cannot be a saved value's name"));
            }
            Some((from, p)) => save.push(Save {
                name,
                from,
                pointer: p.to_owned(),
            }),
            None => r.problem(
                v.span().start,
                format!("{what}: save.{name} = \"{text}\": write \"request:/pointer\" or \"response:/pointer\""),
            ),
        }
    }
    save
}

fn repeat(r: &mut Reader, value: &Spanned<DeValue<'_>>, what: &str) -> u32 {
    if let DeValue::Integer(i) = value.get_ref()
        && let Ok(n) = i.as_str().parse::<u32>()
        && n >= 1
    {
        return n;
    }
    r.problem(
        value.span().start,
        format!("{what}: repeat is a whole number from 1"),
    );
    1
}

/// `bulk = N`: items a Runtime API `/bulk` request carries, as the server bounds them.
fn bulk(r: &mut Reader, value: &Spanned<DeValue<'_>>, what: &str) -> u16 {
    if let DeValue::Integer(i) = value.get_ref()
        && let Ok(n) = i.as_str().parse::<u16>()
        && (1..=100).contains(&n)
    {
        return n;
    }
    r.problem(
        value.span().start,
        format!("{what}: bulk is a whole number from 1 to 100 (items a /bulk request carries)"),
    );
    1
}

fn expect(r: &mut Reader, value: &Spanned<DeValue<'_>>, what: &str) -> Expect {
    let mut out = Expect::default();
    let Some(table) = r.table(value, &format!("{what}: expect")) else {
        return out;
    };
    r.known_keys(
        table,
        &["status", "code", "error_path", "warning"],
        &format!("{what}: expect"),
    );
    if let Some(s) = table.get("status") {
        match s.get_ref() {
            DeValue::Integer(i) => match i.as_str().parse::<u16>() {
                Ok(n) if (100..600).contains(&n) => out.status = Some(n),
                _ => r.problem(
                    s.span().start,
                    format!("{what}: expect.status is an HTTP status, 100 to 599"),
                ),
            },
            _ => r.problem(
                s.span().start,
                format!("{what}: expect.status is an HTTP status, 100 to 599"),
            ),
        }
    }
    for (key, slot) in [
        ("code", &mut out.code),
        ("error_path", &mut out.error_path),
        ("warning", &mut out.warning),
    ] {
        if let Some(v) = table.get(key) {
            *slot = r.string(v, &format!("{what}: expect.{key}"));
        }
    }
    out
}

/// Names a body's templates use must exist; the body, resolved with sample values, must pass
/// the contract unless it is meant to be refused.
#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
