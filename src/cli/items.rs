//! HTTPie 3's request items, with HTTPie's meaning: `field=value` is a string, `field:=json` raw
//! JSON, `field=@path` a file's text and `field:=@path` a file's JSON. Brackets nest
//! (`attributes[plan]=pro`, `tags[]=a` appends, `list[2]=c` sets an index). A backslash makes the
//! next character literal (`a\[b\]=c` sets the key `a[b]`).
//!
//! One extension, kept from before this crate followed HTTPie to the letter: a dot outside
//! brackets nests too (`attributes.plan=pro`); write `a\.b` for a key with a dot.
//!
//! What this API cannot carry is refused, not guessed at: query parameters (`x==y`), headers
//! (`Name:value`) and file uploads (`field@path`).

use serde_json::{Map, Value};

/// One step into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
    Append,
}

/// One parsed item: where it goes and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub path: Vec<Segment>,
    pub value: Value,
}

/// Beyond this index an item is a typo, not an array: filling it with nulls would only eat memory.
const MAX_INDEX: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Query,
    JsonFile,
    Json,
    TextFile,
    Text,
    Header,
    Upload,
}

// Longest first, so that at one position `:=@` wins over `:=` and `:`.
const SEPARATORS: [(&str, Sep); 7] = [
    (":=@", Sep::JsonFile),
    ("==", Sep::Query),
    (":=", Sep::Json),
    ("=@", Sep::TextFile),
    ("=", Sep::Text),
    (":", Sep::Header),
    ("@", Sep::Upload),
];

/// Why an item cannot be read, or cannot be set into the body; `item` is the item as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemError {
    Query {
        item: String,
        key: String,
        value: String,
    },
    Header {
        item: String,
        key: String,
    },
    Upload {
        item: String,
        key: String,
        value: String,
    },
    NotAnItem {
        item: String,
    },
    LoneBackslash {
        item: String,
    },
    StartsWithBracket {
        item: String,
    },
    StrayClose {
        item: String,
    },
    AfterBracket {
        item: String,
        found: char,
    },
    EmptyName {
        item: String,
    },
    Unclosed {
        item: String,
    },
    IndexTooLarge {
        item: String,
        index: String,
    },
    NotJson {
        item: String,
        error: String,
    },
    NoFile {
        item: String,
    },
    CannotRead {
        item: String,
        path: String,
        error: String,
    },
    /// Setting `path` inside `at`, which holds a value of another shape.
    Clash {
        path: String,
        at: String,
        found: String,
        wants: &'static str,
    },
}

impl std::fmt::Display for ItemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Query { item, key, value } => write!(
                f,
                "`{item}` is a query parameter in HTTPie's syntax; tracking calls take none. \
                 For a body field holding \"={value}\", write {key}\\==..."
            ),
            Self::Header { item, key } => write!(
                f,
                "`{item}` is a header in HTTPie's syntax; tracking calls set their own headers. \
                 For a number, boolean or object write {key}:=json"
            ),
            Self::Upload { item, key, value } => write!(
                f,
                "`{item}` is a file upload in HTTPie's syntax; tracking calls are JSON only. \
                 Write {key}=@{value} for the file's text or {key}:=@{value} for its JSON"
            ),
            Self::NotAnItem { item } => write!(
                f,
                "`{item}` is not an item: write field=value for a string or field:=json for a \
                 number, boolean, null or object (e.g. userId:=42 attributes[plan]=pro)"
            ),
            Self::LoneBackslash { item } => write!(f, "`{item}` ends with a lone backslash"),
            Self::StartsWithBracket { item } => write!(
                f,
                "`{item}` starts with `[`: the body of a tracking call is a JSON object, so the \
                 first name is a field (e.g. attributes[plan]=pro)"
            ),
            Self::StrayClose { item } => write!(f, "`{item}` has a `]` without its `[`"),
            Self::AfterBracket { item, found } => write!(
                f,
                "`{item}`: after `]` comes `[`, `.` or the value, not `{found}`"
            ),
            Self::EmptyName { item } => write!(f, "`{item}` has an empty field name"),
            Self::Unclosed { item } => write!(f, "`{item}` has a `[` without its `]`"),
            Self::IndexTooLarge { item, index } => write!(
                f,
                "`{item}`: index {index} is past {MAX_INDEX}; write [\\{index}] for a key"
            ),
            Self::NotJson { item, error } => {
                write!(f, "in `{item}`, the value after `:=` is not JSON: {error}")
            }
            Self::NoFile { item } => write!(f, "`{item}` names no file after `@`"),
            Self::CannotRead { item, path, error } => {
                write!(f, "`{item}`: cannot read {path}: {error}")
            }
            Self::Clash {
                path,
                at,
                found,
                wants,
            } => write!(
                f,
                "cannot set `{path}`: `{at}` is already {found}, not {wants}"
            ),
        }
    }
}

impl std::error::Error for ItemError {}

/// Parses one item (reading the file an `@` names), or says how to write it.
pub fn parse(raw: &str) -> Result<Item, ItemError> {
    let (key, sep, value) = split(raw)?;
    let path = parse_path(raw, &key)?;
    let value = match sep {
        Sep::Text => Value::String(value),
        Sep::Json => json(raw, &value)?,
        Sep::TextFile => Value::String(read(raw, &value)?),
        Sep::JsonFile => json(raw, &read(raw, &value)?)?,
        Sep::Query => {
            return Err(ItemError::Query {
                item: raw.to_owned(),
                key,
                value,
            });
        }
        Sep::Header => {
            return Err(ItemError::Header {
                item: raw.to_owned(),
                key,
            });
        }
        Sep::Upload => {
            return Err(ItemError::Upload {
                item: raw.to_owned(),
                key,
                value,
            });
        }
    };
    Ok(Item { path, value })
}

/// The key (escapes kept, for the path parser), the first separator and the value (unescaped).
fn split(raw: &str) -> Result<(String, Sep, String), ItemError> {
    let mut key = String::new();
    let mut rest = raw;
    loop {
        let Some(c) = rest.chars().next() else {
            return Err(ItemError::NotAnItem {
                item: raw.to_owned(),
            });
        };
        if c == '\\' {
            let mut chars = rest.chars();
            chars.next();
            let Some(escaped) = chars.next() else {
                return Err(ItemError::LoneBackslash {
                    item: raw.to_owned(),
                });
            };
            key.push('\\');
            key.push(escaped);
            rest = chars.as_str();
            continue;
        }
        if let Some((text, sep)) = SEPARATORS.iter().find(|(s, _)| rest.starts_with(s)) {
            return Ok((key, *sep, unescape_value(&rest[text.len()..])));
        }
        key.push(c);
        rest = &rest[c.len_utf8()..];
    }
}

/// In a value only an escaped separator character loses its backslash (`\@` at the start keeps
/// an `@` from naming a file); everything else, JSON's own escapes included, is left as typed.
fn unescape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next)) if matches!(next, '=' | ':' | '@') => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

fn parse_path(raw: &str, key: &str) -> Result<Vec<Segment>, ItemError> {
    let mut path = Vec::new();
    let mut name = String::new();
    let mut chars = key.chars();
    // After `]` only `[`, `.` or the end may follow; `name` is then empty by construction.
    let mut after_bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                name.push(chars.next().unwrap_or('\\'));
                after_bracket = false;
            }
            '.' => {
                if !after_bracket {
                    path.push(key_segment(raw, std::mem::take(&mut name))?);
                }
                after_bracket = false;
            }
            '[' => {
                if !after_bracket {
                    if path.is_empty() && name.is_empty() {
                        return Err(ItemError::StartsWithBracket {
                            item: raw.to_owned(),
                        });
                    }
                    path.push(key_segment(raw, std::mem::take(&mut name))?);
                }
                path.push(bracket(raw, &mut chars)?);
                after_bracket = true;
            }
            ']' => {
                return Err(ItemError::StrayClose {
                    item: raw.to_owned(),
                });
            }
            c if after_bracket => {
                return Err(ItemError::AfterBracket {
                    item: raw.to_owned(),
                    found: c,
                });
            }
            c => name.push(c),
        }
    }
    if !after_bracket {
        path.push(key_segment(raw, name)?);
    }
    Ok(path)
}

fn key_segment(raw: &str, name: String) -> Result<Segment, ItemError> {
    if name.is_empty() {
        return Err(ItemError::EmptyName {
            item: raw.to_owned(),
        });
    }
    Ok(Segment::Key(name))
}

fn bracket(raw: &str, chars: &mut std::str::Chars<'_>) -> Result<Segment, ItemError> {
    let mut inside = String::new();
    let mut escaped = false;
    loop {
        match chars.next() {
            None => {
                return Err(ItemError::Unclosed {
                    item: raw.to_owned(),
                });
            }
            Some('\\') => {
                inside.push(chars.next().unwrap_or('\\'));
                escaped = true;
            }
            Some(']') => break,
            Some(c) => inside.push(c),
        }
    }
    if inside.is_empty() && !escaped {
        return Ok(Segment::Append);
    }
    if !escaped && inside.bytes().all(|b| b.is_ascii_digit()) {
        return match inside.parse::<usize>() {
            Ok(i) if i <= MAX_INDEX => Ok(Segment::Index(i)),
            _ => Err(ItemError::IndexTooLarge {
                item: raw.to_owned(),
                index: inside,
            }),
        };
    }
    Ok(Segment::Key(inside))
}

fn json(raw: &str, text: &str) -> Result<Value, ItemError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ItemError::NotJson {
        item: raw.to_owned(),
        error: e.to_string(),
    })?;
    Ok(zero_without_sign(value))
}

/// `-0` is the integer 0, as HTTPie (and every JSON parser without arbitrary precision) sends it.
fn zero_without_sign(value: Value) -> Value {
    match value {
        Value::Number(n) if n.to_string() == "-0" => Value::from(0),
        Value::Array(items) => Value::Array(items.into_iter().map(zero_without_sign).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, zero_without_sign(v)))
                .collect(),
        ),
        other => other,
    }
}

fn read(raw: &str, path: &str) -> Result<String, ItemError> {
    if path.is_empty() {
        return Err(ItemError::NoFile {
            item: raw.to_owned(),
        });
    }
    std::fs::read_to_string(path).map_err(|e| ItemError::CannotRead {
        item: raw.to_owned(),
        path: path.to_owned(),
        error: e.to_string(),
    })
}

/// Sets every item into `body` in order; later items win. Setting inside a value of another
/// shape (a key into an array, an index into a string) is refused, naming both.
pub fn apply(body: &mut Map<String, Value>, items: &[Item]) -> Result<(), ItemError> {
    let mut root = Value::Object(std::mem::take(body));
    let result = items.iter().try_for_each(|item| {
        set(&mut root, &item.path, item.value.clone()).map_err(|at| refusal(&item.path, at, &root))
    });
    if let Value::Object(map) = root {
        *body = map;
    }
    result
}

/// On failure, how many segments led to the value that could not take the next one.
fn set(target: &mut Value, path: &[Segment], value: Value) -> Result<(), usize> {
    let Some((first, rest)) = path.split_first() else {
        *target = value;
        return Ok(());
    };
    let inner = |r: Result<(), usize>| r.map_err(|depth| depth + 1);
    match first {
        Segment::Key(key) => {
            if target.is_null() {
                *target = Value::Object(Map::new());
            }
            let Value::Object(map) = target else {
                return Err(0);
            };
            let slot = map.entry(key.clone()).or_insert(Value::Null);
            inner(set(slot, rest, value))
        }
        Segment::Index(i) => {
            if target.is_null() {
                *target = Value::Array(Vec::new());
            }
            let Value::Array(list) = target else {
                return Err(0);
            };
            if list.len() <= *i {
                list.resize(i + 1, Value::Null);
            }
            inner(set(&mut list[*i], rest, value))
        }
        Segment::Append => {
            if target.is_null() {
                *target = Value::Array(Vec::new());
            }
            let Value::Array(list) = target else {
                return Err(0);
            };
            list.push(Value::Null);
            let end = list.len() - 1;
            inner(set(&mut list[end], rest, value))
        }
    }
}

fn refusal(path: &[Segment], depth: usize, root: &Value) -> ItemError {
    let mut at = root;
    for segment in &path[..depth] {
        at = match (segment, at) {
            (Segment::Key(k), Value::Object(map)) => &map[k],
            (Segment::Index(i), Value::Array(list)) => &list[*i],
            (Segment::Append, Value::Array(list)) => list.last().unwrap_or(&Value::Null),
            _ => break,
        };
    }
    let wants = match path[depth] {
        Segment::Key(_) => "an object",
        Segment::Index(_) | Segment::Append => "an array",
    };
    ItemError::Clash {
        path: render(path),
        at: render(&path[..depth]),
        found: bucket_console::api::describe_value(at),
        wants,
    }
}

/// A path as HTTPie writes it: `attributes[tags][]`.
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for (i, segment) in path.iter().enumerate() {
        match segment {
            Segment::Key(k) if i == 0 => out.push_str(k),
            Segment::Key(k) => {
                out.push('[');
                out.push_str(k);
                out.push(']');
            }
            Segment::Index(n) => {
                out.push('[');
                out.push_str(&n.to_string());
                out.push(']');
            }
            Segment::Append => out.push_str("[]"),
        }
    }
    out
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
