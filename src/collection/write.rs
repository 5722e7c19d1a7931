//! Writing requests into a collection the way people write them by hand: one
//! `[requests.NAME]` table with the body inline, appended so that the file's comments and layout
//! stay as they were.

use crate::api::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `[requests.NAME]` with its method and body. JSON's `null`, which TOML lacks, is `{{null}}`.
pub fn entry(name: &str, method: Method, body: &Value) -> String {
    format!(
        "[requests.{}]\nmethod = \"{method}\"\nbody = {}\n",
        key(name),
        inline(body)
    )
}

fn key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_owned()
    } else {
        string(name)
    }
}

fn string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn inline(value: &Value) -> String {
    match value {
        Value::Null => string("{{null}}"),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Appends `text` (one entry named `name`) to the collection at `path`, creating the file if
/// there is none. Refuses a name already taken, and writes nothing unless the file still loads.
pub fn append(path: &Path, name: &str, text: &str) -> Result<(), WriteError> {
    let before = match super::read_text(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(WriteError::read(path, &e)),
    };
    if !before.is_empty() {
        let existing = super::parse(path, &before, &[]).map_err(|e| WriteError::Broken {
            error: e,
            outcome: "fix the collection first: nothing was added",
        })?;
        if existing.names().contains(&name) {
            return Err(WriteError::Taken {
                path: path.to_path_buf(),
                name: name.to_owned(),
            });
        }
    }
    let separator = match before.as_str() {
        "" => "",
        t if t.ends_with("\n\n") => "",
        t if t.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    let after = format!("{before}{separator}{text}");
    super::parse(path, &after, &[]).map_err(|e| WriteError::Broken {
        error: e,
        outcome: "nothing was added",
    })?;
    replace(path, after.as_bytes()).map_err(|e| WriteError::write(path, &e))
}

/// Replaces the method and body of the entry `name` where it stands: its comments, its place
/// and the rest of the file stay as they were.
pub fn replace_entry(
    path: &Path,
    name: &str,
    method: Method,
    body: &Value,
) -> Result<(), WriteError> {
    let before = super::read_text(path).map_err(|e| WriteError::read(path, &e))?;
    let mut doc: toml_edit::DocumentMut =
        before
            .parse()
            .map_err(|e: toml_edit::TomlError| WriteError::NotToml {
                path: path.to_path_buf(),
                error: e.to_string(),
            })?;
    let entry = doc
        .get_mut("requests")
        .and_then(|r| r.get_mut(name))
        .and_then(toml_edit::Item::as_table_like_mut)
        .ok_or_else(|| WriteError::NoSuchRequest {
            path: path.to_path_buf(),
            name: name.to_owned(),
        })?;
    entry.insert("method", toml_edit::value(method.as_str()));
    let body: toml_edit::Value =
        inline(body)
            .parse()
            .map_err(|e: toml_edit::TomlError| WriteError::BodyNotToml {
                error: e.to_string(),
            })?;
    entry.insert("body", toml_edit::Item::Value(body));
    let after = doc.to_string();
    super::parse(path, &after, &[]).map_err(|e| WriteError::Broken {
        error: e,
        outcome: "nothing was changed",
    })?;
    replace(path, after.as_bytes()).map_err(|e| WriteError::write(path, &e))
}

/// Why an entry was not written; the file is then as it was.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteError {
    /// The file could not be read (the OS's reason as text: the error travels to the console).
    Read {
        path: PathBuf,
        error: String,
    },
    Write {
        path: PathBuf,
        error: String,
    },
    /// The file does not load, before or after the change; `outcome` says what was left undone.
    Broken {
        error: super::CollectionError,
        outcome: &'static str,
    },
    Taken {
        path: PathBuf,
        name: String,
    },
    NotToml {
        path: PathBuf,
        error: String,
    },
    NoSuchRequest {
        path: PathBuf,
        name: String,
    },
    BodyNotToml {
        error: String,
    },
}

impl WriteError {
    fn read(path: &Path, e: &std::io::Error) -> Self {
        Self::Read {
            path: path.to_path_buf(),
            error: e.to_string(),
        }
    }

    fn write(path: &Path, e: &std::io::Error) -> Self {
        Self::Write {
            path: path.to_path_buf(),
            error: e.to_string(),
        }
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            Self::Write { path, error } => write!(f, "cannot write {}: {error}", path.display()),
            Self::Broken { error, outcome } => write!(f, "{error}\n({outcome})"),
            Self::Taken { path, name } => write!(
                f,
                "{}: `{name}` exists already; choose another name with --name",
                path.display()
            ),
            Self::NotToml { path, error } => write!(f, "{}: {error}", path.display()),
            Self::NoSuchRequest { path, name } => {
                write!(
                    f,
                    "{}: no request named `{name}` to replace",
                    path.display()
                )
            }
            Self::BodyNotToml { error } => {
                write!(f, "the body cannot be written as TOML: {error}")
            }
        }
    }
}

impl std::error::Error for WriteError {}

/// A team's file, not a secret: its permissions kept, never left half-written, and a link
/// written through (see [`crate::files::write_atomic`]).
fn replace(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    crate::files::write_atomic(path, contents, crate::files::Access::Keep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_entry_loads_back_as_the_same_body() {
        let body = json!({"event": "Sent \"it\"", "userId": 42, "attributes": {"a b": null, "ok": true, "n": 1.5}});
        let text = entry("from curl", Method::Event, &body);
        assert_eq!(
            text,
            "[requests.\"from curl\"]\nmethod = \"event\"\nbody = { attributes = { \"a b\" = \"{{null}}\", n = 1.5, ok = true }, event = 'Sent \"it\"', userId = 42 }\n"
        );
        let loaded = super::super::parse(Path::new("c.toml"), &text, &[]).unwrap();
        let request = &loaded.requests["from curl"];
        let mut rng = fastrand::Rng::with_seed(1);
        let none = |_: &str| None;
        let no_env = |name: &str| {
            Err(crate::collection::template::TemplateError::EnvNotSet {
                name: name.to_owned(),
            })
        };
        let mut scope = super::super::template::Scope {
            names: &std::collections::BTreeMap::new(),
            profile: &none,
            env: &no_env,
            rng: &mut rng,
            seed: 0,
            seq: 1,
            now_ms: 0,
        };
        assert_eq!(scope.resolve(&request.body).unwrap(), body);
    }

    #[test]
    fn appending_keeps_the_file_and_refuses_a_taken_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bucket-console.toml");
        let original = "# our team's calls\n[requests.a]   # the first\nmethod = \"user\"\nbody = { userId = \"u\" }\n";
        std::fs::write(&path, original).unwrap();
        let text = entry("b", Method::User, &json!({"userId": "v"}));
        append(&path, "b", &text).unwrap();
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(
            now.starts_with(original),
            "comments and layout kept:\n{now}"
        );
        assert!(
            append(&path, "a", &text)
                .unwrap_err()
                .to_string()
                .contains("exists already")
        );
        replace_entry(&path, "a", Method::User, &json!({"userId": "w"})).unwrap();
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(
            now.starts_with("# our team's calls\n[requests.a]   # the first\n"),
            "comments and place stay:\n{now}"
        );
        let loaded = super::super::parse(&path, &now, &[]).unwrap();
        assert_eq!(loaded.requests["a"].written, json!({"userId": "w"}));
        assert!(loaded.requests.contains_key("b"));
        let missing = replace_entry(&path, "zz", Method::User, &json!({}))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("no request named"), "{missing}");
        let fresh = dir.path().join("new.toml");
        append(&fresh, "b", &text).unwrap();
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), text);
    }
}
