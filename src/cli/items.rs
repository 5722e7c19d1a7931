//! HTTPie's request items: `field=value` is a string, `field:=json` is raw JSON, and a dotted name
//! (`attributes.plan=pro`) sets a nested field. A backslash makes the next character literal
//! (`a\.b=c` sets the key `a.b`).

use serde_json::{Map, Value};

/// One parsed item: the path of keys and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub path: Vec<String>,
    pub value: Value,
}

/// Parses one item, or says how to write it.
pub fn parse(raw: &str) -> Result<Item, String> {
    let mut path = vec![String::new()];
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => path.last_mut().unwrap_or(&mut String::new()).push(escaped),
                None => return Err(format!("`{raw}` ends with a lone backslash")),
            },
            '.' => path.push(String::new()),
            ':' if chars.peek().is_some_and(|(_, n)| *n == '=') => {
                let text = &raw[i + 2..];
                let value = serde_json::from_str(text)
                    .map_err(|e| format!("in `{raw}`, the value after `:=` is not JSON: {e}"))?;
                return finish(raw, path, value);
            }
            '=' => return finish(raw, path, Value::String(raw[i + 1..].to_owned())),
            c => {
                if let Some(last) = path.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    Err(format!(
        "`{raw}` is not an item: write field=value for a string or field:=json for a number, boolean, \
         null or object (e.g. userId:=42 attributes.plan=pro)"
    ))
}

fn finish(raw: &str, path: Vec<String>, value: Value) -> Result<Item, String> {
    if path.iter().any(String::is_empty) {
        return Err(format!("`{raw}` has an empty field name"));
    }
    Ok(Item { path, value })
}

/// Sets every item into `body` in order; later items win. Setting inside a value that is not an
/// object is refused.
pub fn apply(body: &mut Map<String, Value>, items: &[Item]) -> Result<(), String> {
    for item in items {
        let (last, parents) = item.path.split_last().ok_or("an item without a name")?;
        let mut target = &mut *body;
        for (depth, key) in parents.iter().enumerate() {
            let slot = target
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            target = match slot {
                Value::Object(map) => map,
                other => {
                    return Err(format!(
                        "cannot set `{}`: `{}` is already {}",
                        item.path.join("."),
                        item.path[..=depth].join("."),
                        bucket_console::api::describe_value(other)
                    ));
                }
            };
        }
        target.insert(last.clone(), item.value.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(items: &[&str]) -> Result<Value, String> {
        let parsed: Vec<Item> = items.iter().map(|i| parse(i)).collect::<Result<_, _>>()?;
        let mut map = Map::new();
        apply(&mut map, &parsed)?;
        Ok(Value::Object(map))
    }

    #[test]
    fn strings_json_and_nesting() {
        assert_eq!(
            body(&[
                "event=Sent message",
                "userId:=42",
                "attributes.plan=pro",
                "attributes.seats:=3",
                "context:={\"active\": false}"
            ])
            .unwrap(),
            json!({"event": "Sent message", "userId": 42, "attributes": {"plan": "pro", "seats": 3}, "context": {"active": false}})
        );
        assert_eq!(
            body(&["comment=a=b:=c"]).unwrap(),
            json!({"comment": "a=b:=c"})
        );
        assert_eq!(
            body(&["a\\.b=1", "c\\=d=2"]).unwrap(),
            json!({"a.b": "1", "c=d": "2"})
        );
        assert_eq!(
            body(&["x=1", "x=2"]).unwrap(),
            json!({"x": "2"}),
            "later items win"
        );
        assert_eq!(body(&["empty="]).unwrap(), json!({"empty": ""}));
    }

    #[test]
    fn refusals_say_how_to_write_it() {
        assert!(body(&["userId"]).unwrap_err().contains("field=value"));
        assert!(body(&["userId:=forty"]).unwrap_err().contains("not JSON"));
        assert!(body(&["=x"]).unwrap_err().contains("empty field name"));
        assert!(body(&["a..b=x"]).unwrap_err().contains("empty field name"));
        assert!(
            body(&["a=1", "a.b=2"])
                .unwrap_err()
                .contains("`a` is already a string")
        );
        assert!(body(&["x\\"]).unwrap_err().contains("backslash"));
    }

    proptest::proptest! {
        #[test]
        fn any_string_value_round_trips(name in "[a-zA-Z][a-zA-Z0-9_]{0,10}", value in "\\PC*") {
            let item = parse(&format!("{name}={value}")).unwrap();
            proptest::prop_assert_eq!(item, Item { path: vec![name], value: Value::String(value) });
        }

        #[test]
        fn any_json_value_round_trips(name in "[a-z]{1,8}", n in proptest::num::i64::ANY, s in "\\PC{0,12}") {
            let value = json!({"n": n, "s": s, "list": [n]});
            let item = parse(&format!("{name}:={value}")).unwrap();
            proptest::prop_assert_eq!(item.value, value);
        }

        #[test]
        fn never_panics(raw in "\\PC{0,40}") {
            let _ = parse(&raw);
        }
    }
}
