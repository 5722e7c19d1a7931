//! `{{…}}` templates in a collection's strings, compiled once when the file loads and resolved
//! afresh for every call: a string that is exactly one template takes the template's type
//! (`{{int 1..5}}` is the number 3), inside a longer string it is text (`"run {{seq}}"`).

use super::persona::{self, Fact};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use super::template_error::TemplateError;

/// What one `{{…}}` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Gen {
    /// A var, a `--var`, or a value a scenario step saved.
    Name(String),
    Uuid,
    /// Now, moved by this many milliseconds (`{{now -3d}}`), as ISO 8601.
    Now(i64),
    NowMs,
    /// A random time between `max` and `min` milliseconds ago.
    Ago {
        min: i64,
        max: i64,
    },
    Seq,
    Int(i64, i64),
    Pick(Vec<String>),
    Env(String),
    /// `userId`, `companyId` or `featureId` of the profile in use.
    Profile(&'static str),
    Null,
    /// Demo data (`{{email}}`), or a person's (`{{email of user}}`: the id is that name's value).
    Fact {
        fact: Fact,
        of: Option<String>,
    },
    /// `{{weighted pro:5|team:3}}`: a choice drawn in proportion to its weight.
    Weighted(Vec<(String, u64)>),
}

/// A compiled string.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Plain(String),
    /// Exactly one template: resolved with its own type.
    Single(Gen),
    /// Text and templates mixed: always a string.
    Parts(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Gen(Gen),
}

/// A body with its strings compiled.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Value(Value),
    Text(Text),
    Array(Vec<Shape>),
    Object(Vec<(String, Shape)>),
}

/// The names generators take; a var may not have one of them.
pub const GENERATORS: &[&str] = &[
    "uuid", "now", "now_ms", "ago", "seq", "int", "pick", "env", "null", "profile",
];

/// Compiles a string; the error says what in it is wrong.
pub fn compile(text: &str) -> Result<Text, TemplateError> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            return Err(TemplateError::Unclosed {
                text: text.to_owned(),
            });
        };
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_owned()));
        }
        let inner = &rest[open + 2..open + 2 + close];
        parts.push(Part::Gen(parse_gen(inner)?));
        rest = &rest[open + 2 + close + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(match parts.as_slice() {
        [] => Text::Plain(String::new()),
        [Part::Text(t)] => Text::Plain(t.clone()),
        [Part::Gen(g)] => Text::Single(g.clone()),
        _ => Text::Parts(parts),
    })
}

fn parse_gen(inner: &str) -> Result<Gen, TemplateError> {
    let inner = inner.trim();
    let (word, arg) = match inner.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (inner, ""),
    };
    let no_arg = |g: Gen| {
        if arg.is_empty() {
            Ok(g)
        } else {
            Err(TemplateError::TakesNothing {
                word: word.to_owned(),
            })
        }
    };
    match word {
        "" => Err(TemplateError::Empty),
        "uuid" => no_arg(Gen::Uuid),
        "now_ms" => no_arg(Gen::NowMs),
        "seq" => no_arg(Gen::Seq),
        "null" => no_arg(Gen::Null),
        "now" if arg.is_empty() => Ok(Gen::Now(0)),
        "now" => Ok(Gen::Now(offset(arg)?)),
        "ago" => {
            let (a, b) = range(arg, "{{ago 1d..28d}}")?;
            let (min, max) = (duration(a)?, duration(b)?);
            if min > max {
                return Err(TemplateError::FarBoundFirst {
                    arg: arg.to_owned(),
                });
            }
            Ok(Gen::Ago { min, max })
        }
        "int" => {
            let (a, b) = range(arg, "{{int 1..5}}")?;
            let parse = |s: &str| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| TemplateError::NotWhole {
                        part: s.to_owned(),
                        arg: arg.to_owned(),
                    })
            };
            let (a, b) = (parse(a)?, parse(b)?);
            if a > b {
                return Err(TemplateError::EmptyRange {
                    arg: arg.to_owned(),
                });
            }
            Ok(Gen::Int(a, b))
        }
        "pick" => {
            let choices: Vec<String> = arg.split('|').map(|c| c.trim().to_owned()).collect();
            if arg.is_empty() || choices.iter().any(String::is_empty) {
                return Err(TemplateError::NoChoices);
            }
            Ok(Gen::Pick(choices))
        }
        "env" if !arg.is_empty() && !arg.contains(char::is_whitespace) => {
            Ok(Gen::Env(arg.to_owned()))
        }
        "env" => Err(TemplateError::NoVariable),
        "profile.userId" => no_arg(Gen::Profile("userId")),
        "profile.companyId" => no_arg(Gen::Profile("companyId")),
        "profile.featureId" => no_arg(Gen::Profile("featureId")),
        w if w.starts_with("profile.") => {
            Err(TemplateError::NotAProfileField { word: w.to_owned() })
        }
        // A bare `{{weighted}}` stays a var's name, as it was before the generator.
        "weighted" if !arg.is_empty() => persona::weighted(arg)
            .map(Gen::Weighted)
            .map_err(TemplateError::Weighted),
        w if Fact::parse(w).is_some() => {
            let fact = Fact::parse(w).unwrap_or_else(|| unreachable!("matched above"));
            let of = match arg.strip_prefix("of") {
                _ if arg.is_empty() => None,
                Some(id) if id.starts_with(char::is_whitespace) && is_name(id.trim()) => {
                    Some(id.trim().to_owned())
                }
                _ => return Err(TemplateError::Fact(persona::FactError(w.to_owned()))),
            };
            Ok(Gen::Fact { fact, of })
        }
        w if arg.is_empty() && is_name(w) => Ok(Gen::Name(w.to_owned())),
        w => {
            let known: Vec<&str> = GENERATORS
                .iter()
                .copied()
                .chain(Fact::ALL.iter().map(|f| f.word()))
                .chain(["weighted"])
                .collect();
            Err(TemplateError::Unknown {
                inner: inner.to_owned(),
                hint: crate::api::suggest::nearest(w, &known).map(str::to_owned),
            })
        }
    }
}

/// A var's or a saved value's name.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn range<'a>(arg: &'a str, example: &'static str) -> Result<(&'a str, &'a str), TemplateError> {
    arg.split_once("..")
        .ok_or_else(|| TemplateError::NotARange {
            arg: arg.to_owned(),
            example,
        })
}

/// `-3d`, `+90m`, `2h`: milliseconds, signed.
fn offset(arg: &str) -> Result<i64, TemplateError> {
    let (sign, rest) = match arg.as_bytes().first() {
        Some(b'-') => (-1, &arg[1..]),
        Some(b'+') => (1, &arg[1..]),
        _ => (1, arg),
    };
    Ok(sign * duration(rest.trim())?)
}

/// `90m`, `3d`, `45s`, `2h`, `500ms`, `1w`: milliseconds.
fn duration(text: &str) -> Result<i64, TemplateError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: i64 = digits.parse().map_err(|_| TemplateError::NotADuration {
        text: text.to_owned(),
    })?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => {
            return Err(TemplateError::BadUnit {
                text: text.to_owned(),
            });
        }
    };
    n.checked_mul(unit_ms)
        .ok_or_else(|| TemplateError::TooLong {
            text: text.to_owned(),
        })
}

/// Compiles every string of a JSON value.
pub fn shape(value: &Value) -> Result<Shape, TemplateError> {
    Ok(match value {
        Value::String(s) => match compile(s)? {
            Text::Plain(p) => Shape::Value(Value::String(p)),
            t => Shape::Text(t),
        },
        Value::Array(items) => Shape::Array(items.iter().map(shape).collect::<Result<_, _>>()?),
        Value::Object(map) => Shape::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), shape(v)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => Shape::Value(other.clone()),
    })
}

/// Every generator a shape uses, for the checks at load time.
pub fn gens(shape: &Shape, out: &mut Vec<Gen>) {
    match shape {
        Shape::Value(_) | Shape::Text(Text::Plain(_)) => {}
        Shape::Text(Text::Single(g)) => used(g, out),
        Shape::Text(Text::Parts(parts)) => parts.iter().for_each(|p| match p {
            Part::Gen(g) => used(g, out),
            Part::Text(_) => {}
        }),
        Shape::Array(items) => items.iter().for_each(|i| gens(i, out)),
        Shape::Object(fields) => fields.iter().for_each(|(_, v)| gens(v, out)),
    }
}

/// A generator, and the name `{{email of user}}` reads its id from (checked as `{{user}}` is).
fn used(g: &Gen, out: &mut Vec<Gen>) {
    out.push(g.clone());
    if let Gen::Fact { of: Some(name), .. } = g {
        out.push(Gen::Name(name.clone()));
    }
}

/// The environment variables `{{env NAME}}` may read: only those the user named
/// (`--allow-env NAME`), read once when the command starts. A collection comes from a
/// repository, and without this it could send any variable (a token, a password) to its
/// server and into the history.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// Each allowed name, with its value when it is set.
    allowed: BTreeMap<String, Option<String>>,
}

impl Env {
    /// Reads the variables `names` from the environment (the only place it is read).
    pub fn read(names: &[String]) -> Self {
        Self::with(names.iter().map(|n| (n.clone(), std::env::var(n).ok())))
    }

    pub fn with(values: impl IntoIterator<Item = (String, Option<String>)>) -> Self {
        Self {
            allowed: values.into_iter().collect(),
        }
    }

    /// `{{env NAME}}`'s value, or why there is none and how to give it.
    pub fn value(&self, name: &str) -> Result<String, TemplateError> {
        match self.allowed.get(name) {
            Some(Some(value)) => Ok(value.clone()),
            Some(None) => Err(TemplateError::EnvNotSet {
                name: name.to_owned(),
            }),
            None => Err(TemplateError::EnvNotAllowed {
                name: name.to_owned(),
            }),
        }
    }

    pub fn allows(&self, name: &str) -> bool {
        self.allowed.contains_key(name)
    }
}

/// Names only: the values may be secrets.
impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.allowed.keys()).finish()
    }
}

/// What templates resolve against.
pub struct Scope<'a> {
    pub names: &'a BTreeMap<String, Value>,
    pub profile: &'a dyn Fn(&str) -> Option<String>,
    /// `{{env NAME}}`: its value, or why there is none.
    pub env: &'a dyn Fn(&str) -> Result<String, TemplateError>,
    pub rng: &'a mut fastrand::Rng,
    /// The run's seed: `{{email of user}}` depends on it, the generator and the id only.
    pub seed: u64,
    pub seq: u64,
    pub now_ms: i64,
}

impl Scope<'_> {
    fn value(&mut self, wanted: &Gen) -> Result<Value, TemplateError> {
        Ok(match wanted {
            Gen::Name(n) => self
                .names
                .get(n)
                .cloned()
                .ok_or_else(|| TemplateError::NoValue { name: n.clone() })?,
            Gen::Uuid => {
                let mut bytes = [0u8; 16];
                self.rng.fill(&mut bytes);
                Value::String(
                    uuid::Builder::from_random_bytes(bytes)
                        .into_uuid()
                        .to_string(),
                )
            }
            Gen::Now(offset) => Value::String(crate::api::timestamp::format(self.now_ms + offset)),
            Gen::NowMs => Value::from(self.now_ms),
            Gen::Ago { min, max } => Value::String(crate::api::timestamp::format(
                self.now_ms - self.rng.i64(*min..=*max),
            )),
            Gen::Seq => Value::from(self.seq),
            Gen::Int(a, b) => Value::from(self.rng.i64(*a..=*b)),
            Gen::Pick(choices) => Value::String(choices[self.rng.usize(..choices.len())].clone()),
            Gen::Env(name) => Value::String((self.env)(name)?),
            Gen::Profile(field) => {
                Value::String(
                    (self.profile)(field).ok_or_else(|| TemplateError::NoProfileId {
                        field: (*field).to_owned(),
                    })?,
                )
            }
            Gen::Null => Value::Null,
            // A var of the generator's name wins, as it did before the generator existed.
            Gen::Fact { fact, of: None } => match self.names.get(fact.word()) {
                Some(value) => value.clone(),
                None => Value::String(fact.of(self.seed, &format!("#{}", self.rng.u64(..)))),
            },
            Gen::Fact {
                fact,
                of: Some(name),
            } => {
                let id = match self.names.get(name) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => {
                        return Err(TemplateError::NoValueOf {
                            word: fact.word().to_owned(),
                            name: name.clone(),
                        });
                    }
                };
                Value::String(fact.of(self.seed, &id))
            }
            Gen::Weighted(choices) => Value::String(persona::pick_weighted(choices, self.rng)),
        })
    }

    /// The JSON a shape stands for now.
    pub fn resolve(&mut self, shape: &Shape) -> Result<Value, TemplateError> {
        Ok(match shape {
            Shape::Value(v) => v.clone(),
            Shape::Text(Text::Plain(p)) => Value::String(p.clone()),
            Shape::Text(Text::Single(g)) => self.value(g)?,
            Shape::Text(Text::Parts(parts)) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => out.push_str(t),
                        Part::Gen(g) => match self.value(g)? {
                            Value::String(s) => out.push_str(&s),
                            Value::Null => out.push_str("null"),
                            other => out.push_str(&other.to_string()),
                        },
                    }
                }
                Value::String(out)
            }
            Shape::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.resolve(i))
                    .collect::<Result<_, _>>()?,
            ),
            Shape::Object(fields) => {
                let mut map = Map::new();
                for (k, v) in fields {
                    map.insert(k.clone(), self.resolve(v)?);
                }
                Value::Object(map)
            }
        })
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
