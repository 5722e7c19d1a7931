//! The collection file, `bucket-console.toml`: saved requests and scenarios a team commits, with
//! variables and generated values. It never holds a key or a base URL (profiles do). Loading
//! checks everything and says where (`bucket-console.toml:12: …`); running resolves templates
//! afresh for every call (`run`).

mod check_body;
pub mod curl;
pub mod dry;
mod features;
pub mod flags;
pub mod lines;
mod load;
pub mod persona;
pub mod run;
mod run_bulk;
mod run_error;
mod tags;
pub mod template;
mod template_error;
pub mod write;

pub use load::{Problem, parse};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use template::Shape;

/// The file's name, looked for in the current directory and its parents.
pub const FILE_NAME: &str = "bucket-console.toml";

/// A loaded, checked collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub path: PathBuf,
    pub vars: BTreeMap<String, Value>,
    pub requests: BTreeMap<String, Request>,
    pub scenarios: BTreeMap<String, Vec<Step>>,
    /// `[features.NAME]`: what the STARS funnel evaluates, in the file's order of names.
    pub features: Vec<crate::api::stars::Feature>,
}

/// A saved request: a method and its body, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: crate::api::Method,
    pub body: Shape,
    /// The body as written, templates unresolved (for the console's raw editor).
    pub written: Value,
    pub line: usize,
    /// Used by a step that expects a 4xx: meant to be refused, so not checked at load.
    pub meant_to_fail: bool,
    /// `tags = [...]`, for `run --tags`.
    pub tags: Vec<String>,
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub call: Call,
    pub save: Vec<Save>,
    pub repeat: u32,
    pub expect: Expect,
    /// `bulk = N`: the step's calls go N to a Runtime API `/bulk` request.
    pub bulk: Option<u16>,
    pub line: usize,
    /// `tags = [...]`: only a scenario's first step takes them, for the whole scenario.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Request(String),
    Inline {
        method: crate::api::Method,
        body: Shape,
    },
}

/// `save = { user = "request:/userId" }`: a value a later step uses as `{{user}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Save {
    pub name: String,
    pub from: Side,
    pub pointer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Request,
    Response,
}

/// What a call must get. With nothing said, a 2xx.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub error_path: Option<String>,
    pub warning: Option<String>,
}

impl Expect {
    /// A 4xx asked for: the call tests the server's refusal, so it is sent unchecked.
    pub fn wants_refusal(&self) -> bool {
        self.status.is_some_and(|s| (400..500).contains(&s))
    }
}

/// Why a collection could not be used: every problem, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for CollectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.path.display();
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.line {
                Some(line) => write!(f, "{name}:{line}: {}", p.message)?,
                None => write!(f, "{name}: {}", p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for CollectionError {}

/// The largest collection file read. A hand-written one is kilobytes; loading costs about 55
/// times the file's size in memory, so a file from elsewhere must not be able to ask for more.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The file's text, refused past [`MAX_FILE_BYTES`] without reading further.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB, the bound on a collection file (split it into several \
             files)",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(text)
}

/// Reads and checks the file; `cli_vars` are the names `--var` gives.
pub fn load(path: &Path, cli_vars: &[String]) -> Result<Collection, CollectionError> {
    let text = read_text(path).map_err(|e| CollectionError {
        path: path.to_path_buf(),
        problems: vec![Problem {
            line: None,
            message: format!("cannot read it: {e}"),
        }],
    })?;
    parse(path, &text, cli_vars)
}

/// Where the collection is: `explicit` (`--collection` or `BUCKET_COLLECTION`), else
/// `bucket-console.toml` in `start` or the nearest parent that has one.
pub fn locate(explicit: Option<&Path>, start: &Path) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Whether a resolved body holds the key: whole in its text, or split across its
/// values (`{"a": "trCq", "b": "x4DG…"}`) or its names and values, in the order they are sent.
/// `local`, the local server's key, is no secret and a common word.
pub fn holds_key(body: &Value, key: &crate::api::AnyKey) -> bool {
    /// Appends the body's values to `values`, its names and values to `names`.
    fn gather(value: &Value, values: &mut String, names: &mut String) {
        match value {
            Value::String(s) => {
                values.push_str(s);
                names.push_str(s);
            }
            Value::Number(n) => {
                values.push_str(&n.to_string());
                names.push_str(&n.to_string());
            }
            Value::Array(items) => items.iter().for_each(|i| gather(i, values, names)),
            Value::Object(map) => {
                for (k, v) in map {
                    names.push_str(k);
                    gather(v, values, names);
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
    let key = key.expose();
    if key == crate::profiles::LOCAL {
        return false;
    }
    let (mut values, mut names) = (String::new(), String::new());
    gather(body, &mut values, &mut names);
    values.contains(key) || names.contains(key) || body.to_string().contains(key)
}

impl Collection {
    /// Every name `run` takes: requests, then scenarios.
    pub fn names(&self) -> Vec<&str> {
        self.requests
            .keys()
            .chain(self.scenarios.keys())
            .map(String::as_str)
            .collect()
    }

    /// Each saved request (and inline scenario step, as `scenario NAME step N`) whose body asks
    /// for a `{{profile.…}}` id that `ids` lacks, with that id's field: `run` would stop there.
    pub fn unfillable(&self, ids: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
        let missing = |body: &Shape| {
            let mut used = Vec::new();
            template::gens(body, &mut used);
            used.into_iter().find_map(|g| match g {
                template::Gen::Profile(field) if !ids.contains_key(field) => Some(field),
                _ => None,
            })
        };
        let requests = self
            .requests
            .iter()
            .filter_map(|(name, r)| Some((format!("requests.{name}"), missing(&r.body)?)));
        let steps = self.scenarios.iter().flat_map(|(name, steps)| {
            steps
                .iter()
                .enumerate()
                .filter_map(move |(i, step)| match &step.call {
                    Call::Inline { body, .. } => {
                        Some((format!("scenario {name} step {}", i + 1), missing(body)?))
                    }
                    Call::Request(_) => None,
                })
        });
        requests.chain(steps).collect()
    }

    /// The tags of a request or scenario (a scenario's are on its first step).
    pub fn tags(&self, item: &str) -> &[String] {
        match self.requests.get(item) {
            Some(r) => &r.tags,
            None => self
                .scenarios
                .get(item)
                .and_then(|steps| steps.first())
                .map_or(&[], |s| &s.tags),
        }
    }
}
