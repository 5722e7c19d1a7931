//! Flag definitions in the shape of `GET /features`'s answer, read with a JSON Pointer for every
//! refusal, so a hand-written or pulled file is checked before anything evaluates it.

use serde_json::{Map, Value};

use super::errors::DefinitionError;
use super::rollout::BUCKETS;
use crate::api::pointer::escape;
use crate::api::suggest::nearest;

/// Every operator of `@reflag/flag-evaluation` 1.0.1.
pub const OPERATORS: &[&str] = &[
    "IS",
    "IS_NOT",
    "ANY_OF",
    "NOT_ANY_OF",
    "CONTAINS",
    "NOT_CONTAINS",
    "GT",
    "LT",
    "AFTER",
    "BEFORE",
    "DATE_AFTER",
    "DATE_BEFORE",
    "SET",
    "NOT_SET",
    "IS_TRUE",
    "IS_FALSE",
];

const FILTER_TYPES: &[&str] = &[
    "group",
    "negation",
    "constant",
    "context",
    "rolloutPercentage",
];

/// Names every JavaScript object inherits: the library's `field in context` finds them in any
/// context, so a filter on one would read a function instead of a missing field.
const INHERITED: &[&str] = &[
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Is,
    IsNot,
    AnyOf,
    NotAnyOf,
    Contains,
    NotContains,
    Gt,
    Lt,
    After,
    Before,
    DateAfter,
    DateBefore,
    Set,
    NotSet,
    IsTrue,
    IsFalse,
}

impl Operator {
    const ALL: [Operator; 16] = [
        Self::Is,
        Self::IsNot,
        Self::AnyOf,
        Self::NotAnyOf,
        Self::Contains,
        Self::NotContains,
        Self::Gt,
        Self::Lt,
        Self::After,
        Self::Before,
        Self::DateAfter,
        Self::DateBefore,
        Self::Set,
        Self::NotSet,
        Self::IsTrue,
        Self::IsFalse,
    ];

    pub fn name(self) -> &'static str {
        OPERATORS[Self::ALL.iter().position(|o| *o == self).unwrap_or(0)]
    }

    fn parse(name: &str) -> Option<Self> {
        OPERATORS
            .iter()
            .position(|o| *o == name)
            .map(|i| Self::ALL[i])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOperator {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Group {
        operator: GroupOperator,
        filters: Vec<Filter>,
    },
    Negation(Box<Filter>),
    Constant(bool),
    Context {
        field: String,
        operator: Operator,
        values: Vec<String>,
    },
    /// `key` is optional because the library accepts a filter without one (and hashes
    /// `undefined.VALUE`); a check may warn about it.
    Rollout {
        key: Option<String>,
        attribute: String,
        threshold: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub filter: Filter,
    pub key: String,
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub version: i64,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlagDefinition {
    pub key: String,
    pub description: Option<String>,
    pub targeting_version: i64,
    pub rules: Vec<Filter>,
    pub config: Option<Config>,
}

/// Reads `{"features": [...]}` or the bare array.
pub fn parse_definitions(doc: &Value) -> Result<Vec<FlagDefinition>, DefinitionError> {
    let (list, base) = match doc {
        Value::Array(list) => (list, String::new()),
        Value::Object(map) => {
            known(map, "", &["features", "success", "flagStateVersion"])?;
            match map.get("features") {
                Some(Value::Array(list)) => (list, "/features".to_owned()),
                _ => {
                    return Err(DefinitionError::new(
                        "/features",
                        "expected an array of flags",
                    ));
                }
            }
        }
        _ => {
            return Err(DefinitionError::new(
                "",
                "expected {\"features\": [...]} or an array of flags",
            ));
        }
    };
    let mut flags: Vec<FlagDefinition> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let at = format!("{base}/{i}");
        let flag = flag(item, &at)?;
        if flags.iter().any(|f| f.key == flag.key) {
            return Err(DefinitionError::new(
                &format!("{at}/key"),
                format!("flag \"{}\" is defined twice", flag.key),
            ));
        }
        flags.push(flag);
    }
    Ok(flags)
}

pub(super) fn flag(v: &Value, at: &str) -> Result<FlagDefinition, DefinitionError> {
    let map = object(v, at)?;
    known(map, at, &["key", "description", "targeting", "config"])?;
    let key = string(map, at, "key")?;
    if key.is_empty() {
        return Err(DefinitionError::new(
            &format!("{at}/key"),
            "a flag key may not be empty",
        ));
    }
    let description = match map.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(DefinitionError::new(
                &format!("{at}/description"),
                "expected a string",
            ));
        }
    };
    let t_at = format!("{at}/targeting");
    let targeting = object(required(map, at, "targeting")?, &t_at)?;
    known(targeting, &t_at, &["version", "rules"])?;
    let targeting_version = integer(targeting, &t_at, "version")?;
    let rules = array(targeting, &t_at, "rules")?
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let r_at = format!("{t_at}/rules/{i}");
            let rule = object(rule, &r_at)?;
            known(rule, &r_at, &["filter"])?;
            filter(required(rule, &r_at, "filter")?, &format!("{r_at}/filter"))
        })
        .collect::<Result<_, _>>()?;
    let config = match map.get("config") {
        None | Some(Value::Null) => None,
        Some(c) => Some(config(c, &format!("{at}/config"))?),
    };
    Ok(FlagDefinition {
        key,
        description,
        targeting_version,
        rules,
        config,
    })
}

fn config(v: &Value, at: &str) -> Result<Config, DefinitionError> {
    let map = object(v, at)?;
    known(map, at, &["version", "variants"])?;
    let version = integer(map, at, "version")?;
    let variants = array(map, at, "variants")?
        .iter()
        .enumerate()
        .map(|(i, variant)| {
            let v_at = format!("{at}/variants/{i}");
            let m = object(variant, &v_at)?;
            known(m, &v_at, &["filter", "key", "payload"])?;
            Ok(Variant {
                filter: filter(required(m, &v_at, "filter")?, &format!("{v_at}/filter"))?,
                key: string(m, &v_at, "key")?,
                payload: m.get("payload").cloned().unwrap_or(Value::Null),
            })
        })
        .collect::<Result<_, DefinitionError>>()?;
    Ok(Config { version, variants })
}

/// One filter tree. Recursion is bounded by the JSON nesting limit the document was read under.
pub fn filter(v: &Value, at: &str) -> Result<Filter, DefinitionError> {
    let map = object(v, at)?;
    let kind = string(map, at, "type")?;
    match kind.as_str() {
        "group" => {
            known(map, at, &["type", "operator", "filters"])?;
            let operator = match string(map, at, "operator")?.as_str() {
                "and" => GroupOperator::And,
                "or" => GroupOperator::Or,
                other => {
                    return Err(DefinitionError::new(
                        &format!("{at}/operator"),
                        format!("unknown group operator \"{other}\"; expected \"and\" or \"or\""),
                    ));
                }
            };
            let filters = array(map, at, "filters")?
                .iter()
                .enumerate()
                .map(|(i, f)| filter(f, &format!("{at}/filters/{i}")))
                .collect::<Result<_, _>>()?;
            Ok(Filter::Group { operator, filters })
        }
        "negation" => {
            known(map, at, &["type", "filter"])?;
            let inner = filter(required(map, at, "filter")?, &format!("{at}/filter"))?;
            Ok(Filter::Negation(Box::new(inner)))
        }
        "constant" => {
            known(map, at, &["type", "value"])?;
            match required(map, at, "value")? {
                Value::Bool(b) => Ok(Filter::Constant(*b)),
                _ => Err(DefinitionError::new(
                    &format!("{at}/value"),
                    "expected true or false",
                )),
            }
        }
        "context" => context(map, at),
        "rolloutPercentage" => rollout(map, at),
        other => Err(DefinitionError::new(
            &format!("{at}/type"),
            unknown("filter type", other, FILTER_TYPES),
        )),
    }
}

fn context(map: &Map<String, Value>, at: &str) -> Result<Filter, DefinitionError> {
    known(map, at, &["type", "field", "operator", "values"])?;
    let field = field_name(map, at, "field")?;
    let name = string(map, at, "operator")?;
    let operator = Operator::parse(&name).ok_or_else(|| {
        DefinitionError::new(
            &format!("{at}/operator"),
            unknown("operator", &name, OPERATORS),
        )
    })?;
    let values = match map.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(DefinitionError::new(
                    &format!("{at}/values/{i}"),
                    "expected a string",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(DefinitionError::new(
                &format!("{at}/values"),
                "expected an array of strings",
            ));
        }
    };
    if values.is_empty() && matches!(operator, Operator::Contains | Operator::NotContains) {
        // The library throws on `values[0].toLowerCase()`; refuse rather than fail every check.
        return Err(DefinitionError::new(
            &format!("{at}/values"),
            format!("{name} needs a value to look for"),
        ));
    }
    Ok(Filter::Context {
        field,
        operator,
        values,
    })
}

fn rollout(map: &Map<String, Value>, at: &str) -> Result<Filter, DefinitionError> {
    known(
        map,
        at,
        &[
            "type",
            "key",
            "partialRolloutAttribute",
            "partialRolloutThreshold",
        ],
    )?;
    let key = match map.get("key") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(DefinitionError::new(
                &format!("{at}/key"),
                "expected a string",
            ));
        }
    };
    let attribute = field_name(map, at, "partialRolloutAttribute")?;
    let t_at = format!("{at}/partialRolloutThreshold");
    let threshold = required(map, at, "partialRolloutThreshold")?
        .as_f64()
        .filter(|t| (0.0..=f64::from(BUCKETS)).contains(t))
        .ok_or_else(|| {
            DefinitionError::new(
                &t_at,
                "expected a number from 0 to 100000 (thousandths of a percent)",
            )
        })?;
    Ok(Filter::Rollout {
        key,
        attribute,
        threshold,
    })
}

fn field_name(map: &Map<String, Value>, at: &str, name: &str) -> Result<String, DefinitionError> {
    let field = string(map, at, name)?;
    if field.is_empty() || INHERITED.contains(&field.as_str()) {
        return Err(DefinitionError::new(
            &format!("{at}/{name}"),
            format!("\"{field}\" cannot name a context field"),
        ));
    }
    Ok(field)
}

fn unknown(what: &str, name: &str, candidates: &[&str]) -> String {
    match nearest(name, candidates) {
        Some(s) => format!("unknown {what} \"{name}\"; did you mean \"{s}\"?"),
        None => format!(
            "unknown {what} \"{name}\"; expected one of {}",
            candidates.join(", ")
        ),
    }
}

/// Refuses a member whose name looks like a misspelling of an expected one. Other extra members
/// are ignored, so definitions pulled from a newer service still read.
fn known(map: &Map<String, Value>, at: &str, expected: &[&str]) -> Result<(), DefinitionError> {
    for name in map.keys() {
        if expected.contains(&name.as_str()) {
            continue;
        }
        if let Some(s) = nearest(name, expected) {
            return Err(DefinitionError::new(
                &format!("{at}/{}", escape(name)),
                format!("unknown field \"{name}\"; did you mean \"{s}\"?"),
            ));
        }
    }
    Ok(())
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, DefinitionError> {
    v.as_object()
        .ok_or_else(|| DefinitionError::new(at, "expected an object"))
}

fn required<'a>(
    map: &'a Map<String, Value>,
    at: &str,
    name: &str,
) -> Result<&'a Value, DefinitionError> {
    map.get(name).ok_or_else(|| {
        DefinitionError::new(&format!("{at}/{name}"), format!("\"{name}\" is missing"))
    })
}

fn string(map: &Map<String, Value>, at: &str, name: &str) -> Result<String, DefinitionError> {
    match required(map, at, name)? {
        Value::String(s) => Ok(s.clone()),
        _ => Err(DefinitionError::new(
            &format!("{at}/{name}"),
            "expected a string",
        )),
    }
}

fn integer(map: &Map<String, Value>, at: &str, name: &str) -> Result<i64, DefinitionError> {
    required(map, at, name)?
        .as_i64()
        .ok_or_else(|| DefinitionError::new(&format!("{at}/{name}"), "expected an integer"))
}

fn array<'a>(
    map: &'a Map<String, Value>,
    at: &str,
    name: &str,
) -> Result<&'a Vec<Value>, DefinitionError> {
    match required(map, at, name)? {
        Value::Array(a) => Ok(a),
        _ => Err(DefinitionError::new(
            &format!("{at}/{name}"),
            "expected an array",
        )),
    }
}
