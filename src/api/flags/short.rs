//! `[flags.KEY]` tables of a collection file: either the `GET /features` shape (`targeting`,
//! `config`) or a short form for writing by hand, where each entry is its own rule and any one
//! turns the flag on.

use serde_json::{Map, Value, json};

use super::definitions::{FlagDefinition, flag};
use super::errors::DefinitionError;
use crate::api::pointer::escape;
use crate::api::suggest::nearest;

const SHORT: &[&str] = &["description", "enabled", "companies", "users", "rollout"];

/// Reads the `flags` table of a collection file (the pointers start at `/flags/KEY`).
pub fn from_toml(flags: &toml::Table) -> Result<Vec<FlagDefinition>, DefinitionError> {
    let json = serde_json::to_value(flags)
        .map_err(|e| DefinitionError::new("/flags", format!("cannot read: {e}")))?;
    match json {
        Value::Object(map) => from_json(&map),
        _ => Err(DefinitionError::new("/flags", "expected a table ([flags])")),
    }
}

/// [`from_toml`] on the table already read as JSON (a collection's loader has it so, with the
/// line of every value).
pub fn from_json(flags: &Map<String, Value>) -> Result<Vec<FlagDefinition>, DefinitionError> {
    flags
        .iter()
        .map(|(key, entry)| {
            let at = format!("/flags/{}", escape(key));
            let table = entry
                .as_object()
                .ok_or_else(|| DefinitionError::new(&at, "expected a table ([flags.KEY])"))?;
            let doc = if table.contains_key("targeting") {
                if table.contains_key("key") {
                    return Err(DefinitionError::new(
                        &format!("{at}/key"),
                        "the table's name is the flag key; remove \"key\"",
                    ));
                }
                let mut doc = entry.clone();
                doc["key"] = json!(key);
                doc
            } else {
                short_form(key, table, &at)?
            };
            flag(&doc, &at)
        })
        .collect()
}

fn short_form(key: &str, table: &Map<String, Value>, at: &str) -> Result<Value, DefinitionError> {
    let mut rules = Vec::new();
    for (name, value) in table {
        let here = format!("{at}/{}", escape(name));
        match name.as_str() {
            "description" => {}
            "enabled" => match value.as_bool() {
                Some(true) => rules.push(json!({"type": "constant", "value": true})),
                Some(false) => {}
                None => return Err(DefinitionError::new(&here, "expected true or false")),
            },
            "companies" | "users" => {
                let ids = value
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|v| v.as_str().map(str::to_owned))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| {
                        DefinitionError::new(&here, "expected an array of ids (strings)")
                    })?;
                let field = if name == "companies" {
                    "company.id"
                } else {
                    "user.id"
                };
                rules.push(
                    json!({"type": "context", "field": field, "operator": "ANY_OF", "values": ids}),
                );
            }
            "rollout" => {
                let percent = value
                    .as_f64()
                    .filter(|p| (0.0..=100.0).contains(p))
                    .ok_or_else(|| {
                        DefinitionError::new(&here, "expected a percentage from 0 to 100")
                    })?;
                rules.push(json!({
                    "type": "rolloutPercentage",
                    "key": key,
                    "partialRolloutAttribute": "company.id",
                    "partialRolloutThreshold": (percent * 1000.0).round(),
                }));
            }
            other => {
                let hint = nearest(other, SHORT).map_or_else(
                    || format!("expected one of {}, or targeting", SHORT.join(", ")),
                    |s| format!("did you mean \"{s}\"?"),
                );
                return Err(DefinitionError::new(
                    &here,
                    format!("unknown field \"{other}\"; {hint}"),
                ));
            }
        }
    }
    let mut doc = json!({
        "key": key,
        "targeting": {"version": 1, "rules": rules.into_iter().map(|f| json!({"filter": f})).collect::<Vec<_>>()},
    });
    if let Some(d) = table.get("description") {
        doc["description"] = d.clone();
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::from_toml;
    use crate::api::flags::{Filter, Operator};

    fn read(
        text: &str,
    ) -> Result<Vec<crate::api::flags::FlagDefinition>, crate::api::flags::DefinitionError> {
        let doc: toml::Table = toml::from_str(text).unwrap();
        from_toml(doc["flags"].as_table().unwrap())
    }

    #[test]
    fn short_form_makes_one_rule_per_entry() {
        let flags = read(
            "[flags.huddle]\nenabled = true\ncompanies = [\"acme\"]\nusers = [\"u1\"]\nrollout = 25\n",
        )
        .unwrap();
        let rules = &flags[0].rules;
        assert_eq!(flags[0].key, "huddle");
        assert!(rules.contains(&Filter::Constant(true)));
        assert!(rules.contains(&Filter::Context {
            field: "company.id".into(),
            operator: Operator::AnyOf,
            values: vec!["acme".into()]
        }));
        assert!(rules.contains(&Filter::Context {
            field: "user.id".into(),
            operator: Operator::AnyOf,
            values: vec!["u1".into()]
        }));
        assert!(rules.contains(&Filter::Rollout {
            key: Some("huddle".into()),
            attribute: "company.id".into(),
            threshold: 25_000.0
        }));
    }

    #[test]
    fn full_shape_and_mistakes() {
        let full = read(
            "[flags.x]\ntargeting = { version = 3, rules = [{ filter = { type = \"constant\", value = true } }] }\n",
        )
        .unwrap();
        assert_eq!(full[0].targeting_version, 3);
        let e = read("[flags.x]\nrolout = 5\n").unwrap_err();
        assert_eq!(e.pointer, "/flags/x/rolout");
        assert!(e.message.contains("did you mean \"rollout\""), "{e}");
        let e = read("[flags.x]\nrollout = 101\n").unwrap_err();
        assert_eq!(e.pointer, "/flags/x/rollout");
    }
}
