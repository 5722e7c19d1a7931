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

/// Parses one item (reading the file an `@` names), or says how to write it.
pub fn parse(raw: &str) -> Result<Item, String> {
    let (key, sep, value) = split(raw)?;
    let path = parse_path(raw, &key)?;
    let value = match sep {
        Sep::Text => Value::String(value),
        Sep::Json => json(raw, &value)?,
        Sep::TextFile => Value::String(read(raw, &value)?),
        Sep::JsonFile => json(raw, &read(raw, &value)?)?,
        Sep::Query => {
            return Err(format!(
                "`{raw}` is a query parameter in HTTPie's syntax; tracking calls take none. \
                 For a body field holding \"={value}\", write {key}\\==..."
            ));
        }
        Sep::Header => {
            return Err(format!(
                "`{raw}` is a header in HTTPie's syntax; tracking calls set their own headers. \
                 For a number, boolean or object write {key}:=json"
            ));
        }
        Sep::Upload => {
            return Err(format!(
                "`{raw}` is a file upload in HTTPie's syntax; tracking calls are JSON only. \
                 Write {key}=@{value} for the file's text or {key}:=@{value} for its JSON"
            ));
        }
    };
    Ok(Item { path, value })
}

/// The key (escapes kept, for the path parser), the first separator and the value (unescaped).
fn split(raw: &str) -> Result<(String, Sep, String), String> {
    let mut key = String::new();
    let mut rest = raw;
    loop {
        let Some(c) = rest.chars().next() else {
            return Err(format!(
                "`{raw}` is not an item: write field=value for a string or field:=json for a \
                 number, boolean, null or object (e.g. userId:=42 attributes[plan]=pro)"
            ));
        };
        if c == '\\' {
            let mut chars = rest.chars();
            chars.next();
            let Some(escaped) = chars.next() else {
                return Err(format!("`{raw}` ends with a lone backslash"));
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

fn parse_path(raw: &str, key: &str) -> Result<Vec<Segment>, String> {
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
                        return Err(format!(
                            "`{raw}` starts with `[`: the body of a tracking call is a JSON \
                             object, so the first name is a field (e.g. attributes[plan]=pro)"
                        ));
                    }
                    path.push(key_segment(raw, std::mem::take(&mut name))?);
                }
                path.push(bracket(raw, &mut chars)?);
                after_bracket = true;
            }
            ']' => return Err(format!("`{raw}` has a `]` without its `[`")),
            c if after_bracket => {
                return Err(format!(
                    "`{raw}`: after `]` comes `[`, `.` or the value, not `{c}`"
                ));
            }
            c => name.push(c),
        }
    }
    if !after_bracket {
        path.push(key_segment(raw, name)?);
    }
    Ok(path)
}

fn key_segment(raw: &str, name: String) -> Result<Segment, String> {
    if name.is_empty() {
        return Err(format!("`{raw}` has an empty field name"));
    }
    Ok(Segment::Key(name))
}

fn bracket(raw: &str, chars: &mut std::str::Chars<'_>) -> Result<Segment, String> {
    let mut inside = String::new();
    let mut escaped = false;
    loop {
        match chars.next() {
            None => return Err(format!("`{raw}` has a `[` without its `]`")),
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
            _ => Err(format!(
                "`{raw}`: index {inside} is past {MAX_INDEX}; write [\\{inside}] for a key"
            )),
        };
    }
    Ok(Segment::Key(inside))
}

fn json(raw: &str, text: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("in `{raw}`, the value after `:=` is not JSON: {e}"))?;
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

fn read(raw: &str, path: &str) -> Result<String, String> {
    if path.is_empty() {
        return Err(format!("`{raw}` names no file after `@`"));
    }
    std::fs::read_to_string(path).map_err(|e| format!("`{raw}`: cannot read {path}: {e}"))
}

/// Sets every item into `body` in order; later items win. Setting inside a value of another
/// shape (a key into an array, an index into a string) is refused, naming both.
pub fn apply(body: &mut Map<String, Value>, items: &[Item]) -> Result<(), String> {
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

fn refusal(path: &[Segment], depth: usize, root: &Value) -> String {
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
    format!(
        "cannot set `{}`: `{}` is already {}, not {wants}",
        render(path),
        render(&path[..depth]),
        bucket_console::api::describe_value(at)
    )
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
