//! A Runtime API call as the maintained SDK of its key's kind writes it: `@reflag/node-sdk` for a
//! secret key, `@reflag/browser-sdk` for a publishable one. What the SDK cannot say (node has no
//! feedback call, the browser's `track` takes no timestamp or `context.active`) is written as a
//! comment or as the call itself with `fetch`, never dropped. Values are JSON, made safe for
//! JavaScript by [`literal`]; comments hold only JSON strings, so no data ends a comment.

use super::literal;
use crate::api::runtime::key::KeyKind;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// The SDK's code for `method` with `body`, or `None` when only `fetch` can send it.
pub fn render(kind: KeyKind, method: &str, body: &Value, base: &str, key: &str) -> Option<String> {
    let body = body.as_object()?;
    let mut notes = Vec::new();
    let (header, call) = match kind {
        KeyKind::Secret => node(method, body, base, key)?,
        KeyKind::Publishable => browser(method, body, base, key, &mut notes)?,
    };
    if let Some(t) = body.get("timestamp") {
        notes.push(format!(
            "the SDK stamps its own time; this call had timestamp {}",
            js(&Value::String(t.to_string()))
        ));
    }
    let notes = notes.iter().fold(String::new(), |mut out, n| {
        let _ = writeln!(out, "// {n}");
        out
    });
    Some(format!("{header}\n{notes}{call}"))
}

/// JSON text that is also safe JavaScript.
fn js(v: &Value) -> String {
    literal::json_for_javascript(&v.to_string())
}

fn get(body: &Map<String, Value>, name: &str) -> Value {
    body.get(name).cloned().unwrap_or(Value::Null)
}

/// `@reflag/node-sdk`: `updateUser(id, {attributes, meta})`, `updateCompany(id, {…, userId})`,
/// `track(userId, event, {…, companyId})`; it has no feedback call.
fn node(
    method: &str,
    body: &Map<String, Value>,
    base: &str,
    key: &str,
) -> Option<(String, String)> {
    let options = |extra: &[&str]| {
        let mut o = Map::new();
        for (from, to) in [("attributes", "attributes"), ("context", "meta")]
            .into_iter()
            .chain(extra.iter().map(|f| (*f, *f)))
        {
            if let Some(v) = body.get(from) {
                o.insert(to.to_owned(), v.clone());
            }
        }
        js(&Value::Object(o))
    };
    let call = match method {
        "user" => format!(
            "await client.updateUser({}, {});",
            js(&get(body, "userId")),
            options(&[])
        ),
        "company" => format!(
            "await client.updateCompany({}, {});",
            js(&get(body, "companyId")),
            options(&["userId"])
        ),
        "event" => format!(
            "await client.track({}, {}, {});",
            js(&get(body, "userId")),
            js(&get(body, "event")),
            options(&["companyId"])
        ),
        _ => return None,
    };
    Some((
        format!(
            "// @reflag/node-sdk 1.x\nimport {{ ReflagClient }} from \"@reflag/node-sdk\";\n\n\
             const client = new ReflagClient({{ secretKey: {key}, apiBaseUrl: {base} }});"
        ),
        format!("{call}\nawait client.flush();"),
    ))
}

/// `@reflag/browser-sdk`: one user and company per client, `updateUser(attrs)`,
/// `updateCompany(attrs)`, `track(event, attrs)`, `feedback({flagKey, …})`.
fn browser(
    method: &str,
    body: &Map<String, Value>,
    base: &str,
    key: &str,
    notes: &mut Vec<String>,
) -> Option<(String, String)> {
    let attributes = body.get("attributes").cloned().unwrap_or(json!({}));
    if let Some(Value::Object(map)) = body.get("attributes")
        && map.values().any(|v| v.is_object() || v.is_array())
    {
        notes.push(
            "the browser SDK takes flat attribute values; nested ones are sent as given".to_owned(),
        );
    }
    if let Some(context) = body.get("context") {
        notes.push(format!(
            "the browser SDK sends no context; this call had {}",
            js(&Value::String(context.to_string()))
        ));
    }
    let call = match method {
        "user" => format!("await client.updateUser({});", js(&attributes)),
        "company" => format!("await client.updateCompany({});", js(&attributes)),
        "event" => format!(
            "await client.track({}, {});",
            js(&get(body, "event")),
            js(&attributes)
        ),
        "feedback" => {
            let mut payload = body.clone();
            let flag = payload
                .remove("key")
                .or_else(|| payload.get("featureId").cloned())
                .unwrap_or(Value::Null);
            payload.remove("featureId");
            payload.insert("flagKey".into(), flag);
            format!("await client.feedback({});", js(&Value::Object(payload)))
        }
        _ => return None,
    };
    let mut init = Map::new();
    for (field, name) in [("userId", "user"), ("companyId", "company")] {
        if let Some(id) = body.get(field) {
            init.insert(name.to_owned(), json!({ "id": id }));
        }
    }
    let init = js(&Value::Object(init));
    Some((
        format!(
            "// @reflag/browser-sdk 1.x\nimport {{ ReflagClient }} from \"@reflag/browser-sdk\";\n\n\
             const client = new ReflagClient({{ publishableKey: {key}, apiBaseUrl: {base}, ...{init} }});\n\
             await client.initialize();"
        ),
        call,
    ))
}
