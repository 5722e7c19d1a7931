//! The collection file in the console: what was loaded (kept when a later edit of the file is
//! invalid, with that edit's problem shown), the Ctrl+O picker over its requests and scenarios,
//! and templates resolved for the raw editor's preview and for each send.

use crate::api::Method;
use crate::collection::template::{self, Scope, TemplateError};
use crate::collection::{Collection, Request};
use crate::term::LineInput;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct CollectionView {
    /// The last collection that loaded.
    pub loaded: Option<Collection>,
    /// Why the file as it is now does not load (file:line), or that there is none.
    pub problem: Option<String>,
    /// `{{seq}}` of the console's sends.
    pub seq: u64,
    /// Mixed into each send's generators, so two consoles draw different values.
    pub salt: u64,
    /// The variables `{{env NAME}}` may read, read when the console started (`update` reads
    /// no environment).
    pub env: template::Env,
    /// Where Alt+S creates the collection when none loaded, known at start (`update` reads no
    /// environment or working directory).
    pub new_file: std::path::PathBuf,
}

/// One line of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Request { method: Method, templated: bool },
    Scenario { steps: usize },
}

/// The Ctrl+O overlay: a filter typed, an entry selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub filter: LineInput,
    pub selected: usize,
}

impl CollectionView {
    /// Requests then scenarios whose name holds the filter (case aside).
    pub fn entries(&self, filter: &str) -> Vec<Entry> {
        let Some(c) = &self.loaded else {
            return Vec::new();
        };
        let wanted = filter.to_lowercase();
        let keep = |name: &str| name.to_lowercase().contains(&wanted);
        let requests = c
            .requests
            .iter()
            .filter(|(n, _)| keep(n))
            .map(|(name, r)| Entry {
                name: name.clone(),
                kind: EntryKind::Request {
                    method: r.method,
                    templated: is_templated(r),
                },
            });
        let scenarios = c
            .scenarios
            .iter()
            .filter(|(n, _)| keep(n))
            .map(|(name, steps)| Entry {
                name: name.clone(),
                kind: EntryKind::Scenario { steps: steps.len() },
            });
        requests.chain(scenarios).collect()
    }
}

/// A scenario run from the picker: its calls as their verdicts arrive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioRun {
    pub name: String,
    pub calls: Vec<ScenarioCall>,
    pub done: bool,
    pub selected: usize,
}

/// One call of a scenario run, and where its exchange is in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioCall {
    pub step: usize,
    pub method: Method,
    pub status: Option<u16>,
    pub verdict: crate::collection::run::Verdict,
    pub log_id: Option<i64>,
}

/// Why the console's form cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    Template(TemplateError),
    /// The resolved body holds the key in use: the key must stay out of bodies, stores and logs.
    HoldsKey,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Template(e) => e.fmt(f),
            Self::HoldsKey => {
                f.write_str("the resolved body holds the tracking key in use (from {{env …}}?)")
            }
        }
    }
}

/// A body with `{{…}}` in it: the typed fields cannot hold it.
pub fn is_templated(request: &Request) -> bool {
    let mut gens = Vec::new();
    template::gens(&request.body, &mut gens);
    !gens.is_empty()
}

/// Raw JSON text with templates, resolved: the body to send (or preview) now. `None` when the
/// text holds no template or is not JSON yet (then it is what it is).
pub fn resolve_text(
    text: &str,
    vars: &BTreeMap<String, Value>,
    profile_ids: &BTreeMap<String, String>,
    env: &template::Env,
    seq: u64,
    now_ms: i64,
    salt: u64,
) -> Option<Result<String, TemplateError>> {
    if !text.contains("{{") {
        return None;
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let shape = match template::shape(&value) {
        Ok(s) => s,
        Err(e) => return Some(Err(e)),
    };
    // The values depend on the send's number only: the preview shows the next send's.
    let mut rng = fastrand::Rng::with_seed(seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt);
    let profile = |field: &str| profile_ids.get(field).cloned();
    let env = |name: &str| env.value(name);
    let mut scope = Scope {
        names: vars,
        profile: &profile,
        env: &env,
        rng: &mut rng,
        seed: salt,
        seq,
        now_ms,
    };
    Some(scope.resolve(&shape).map(|v| v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_resolve_and_plain_text_is_left_alone() {
        let vars = BTreeMap::from([("plan".to_owned(), json!("pro"))]);
        let ids = BTreeMap::from([("userId".to_owned(), "u-7".to_owned())]);
        let none = template::Env::default();
        assert_eq!(
            resolve_text("{\"a\": 1}", &vars, &ids, &none, 1, 0, 0),
            None
        );
        assert_eq!(
            resolve_text("{\"a\": \"{{seq}}\",", &vars, &ids, &none, 1, 0, 0),
            None,
            "not JSON yet"
        );
        let got = resolve_text(
            "{\"userId\": \"{{profile.userId}}\", \"plan\": \"{{plan}}\", \"n\": \"{{seq}}\"}",
            &vars,
            &ids,
            &none,
            4,
            0,
            0,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&got).unwrap(),
            json!({"userId": "u-7", "plan": "pro", "n": 4})
        );
        assert!(
            resolve_text("{\"a\": \"{{nope}}\"}", &vars, &ids, &none, 1, 0, 0)
                .unwrap()
                .is_err()
        );
    }

    /// The console reads only the variables it was started with `--allow-env` for, and read
    /// then: resolving reads no environment.
    #[test]
    fn env_resolves_only_what_was_allowed_at_start() {
        let (vars, ids) = (BTreeMap::new(), BTreeMap::new());
        let text = "{\"a\": \"{{env HOME}}\"}";
        let refused = resolve_text(text, &vars, &ids, &template::Env::default(), 1, 0, 0)
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(refused.contains("--allow-env HOME"), "{refused}");
        let allowed = template::Env::with([("HOME".to_owned(), Some("given".to_owned()))]);
        let got = resolve_text(text, &vars, &ids, &allowed, 1, 0, 0).unwrap();
        assert_eq!(got, Ok("{\"a\":\"given\"}".to_owned()));
    }
}
