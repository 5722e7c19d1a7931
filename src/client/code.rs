//! An exchange's request as code to paste elsewhere: curl, HTTPie, JavaScript's `fetch`, Python's
//! `requests`, or the official tracking SDK's call. The key is read from `BUCKET_TRACKING_KEY`
//! in each, never written, unless the caller passes it (`--reveal`).

use super::Exchange;
use serde_json::Value;

/// The forms `log export --as` and the console's "copy as" offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Curl,
    Httpie,
    Fetch,
    Python,
    Sdk,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Curl,
        Format::Httpie,
        Format::Fetch,
        Format::Python,
        Format::Sdk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Curl => "curl",
            Format::Httpie => "httpie",
            Format::Fetch => "fetch",
            Format::Python => "python",
            Format::Sdk => "sdk",
        }
    }
}

/// Single quotes for a POSIX shell.
fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The request as `format`, to the server that answered it; `key` replaces the variable.
pub fn render(ex: &Exchange, format: Format, key: Option<&crate::api::TrackingKey>) -> String {
    let body = serde_json::from_str::<Value>(&ex.request_body).ok();
    let pretty = body
        .as_ref()
        .and_then(|b| serde_json::to_string_pretty(b).ok())
        .unwrap_or_else(|| ex.request_body.clone());
    let compact = body
        .as_ref()
        .map_or_else(|| ex.request_body.clone(), Value::to_string);
    let base = &ex.base_url;
    let method = &ex.method;
    match format {
        Format::Curl => ex.curl(key, false),
        Format::Httpie => {
            let key = key.map_or_else(
                || "$BUCKET_TRACKING_KEY".to_owned(),
                |k| k.expose().to_owned(),
            );
            format!(
                "http --raw {} POST \"{base}/{key}/{method}\" Content-Type:application/json",
                shell(&compact)
            )
        }
        Format::Fetch => {
            let key = key.map_or_else(
                || "${process.env.BUCKET_TRACKING_KEY}".to_owned(),
                |k| k.expose().to_owned(),
            );
            format!(
                "await fetch(`{base}/{key}/{method}`, {{\n  method: \"POST\",\n  headers: {{ \"Content-Type\": \"application/json\" }},\n  body: JSON.stringify({pretty}),\n}});",
                pretty = indent(&pretty, "  ")
            )
        }
        Format::Python => {
            let key = key.map_or_else(
                || "{os.environ['BUCKET_TRACKING_KEY']}".to_owned(),
                |k| k.expose().to_owned(),
            );
            format!(
                "import json, os\nimport requests\n\nbody = json.loads(r'''{pretty}''')\nrequests.post(f\"{base}/{key}/{method}\", json=body).raise_for_status()"
            )
        }
        Format::Sdk => sdk(body.as_ref(), method, key),
    }
}

fn indent(text: &str, by: &str) -> String {
    text.replace('\n', &format!("\n{by}"))
}

/// `@bucketco/tracking-sdk`'s call for the method: `user(id, attributes)`,
/// `company(id, attributes, userId)`, `track(event, attributes, userId, companyId)`,
/// `feedback({…})`.
fn sdk(body: Option<&Value>, method: &str, key: Option<&crate::api::TrackingKey>) -> String {
    let key = key.map_or_else(
        || "process.env.BUCKET_TRACKING_KEY".to_owned(),
        |k| format!("\"{}\"", k.expose()),
    );
    let field = |name: &str| {
        body.and_then(|b| b.get(name))
            .map_or_else(|| "undefined".to_owned(), Value::to_string)
    };
    let attributes = || {
        body.and_then(|b| b.get("attributes"))
            .and_then(|a| serde_json::to_string_pretty(a).ok())
            .unwrap_or_else(|| "{}".to_owned())
    };
    let call = match method {
        "user" => format!("bucket.user({}, {});", field("userId"), attributes()),
        "company" => format!(
            "bucket.company({}, {}, {});",
            field("companyId"),
            attributes(),
            field("userId")
        ),
        "event" => format!(
            "bucket.track({}, {}, {}, {});",
            field("event"),
            attributes(),
            field("userId"),
            field("companyId")
        ),
        _ => format!(
            "bucket.feedback({});",
            body.and_then(|b| serde_json::to_string_pretty(b).ok())
                .unwrap_or_else(|| "{}".to_owned())
        ),
    };
    format!(
        "// @bucketco/tracking-sdk 2.x\nimport bucket from \"@bucketco/tracking-sdk\";\n\nbucket.init({key});\n{call}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exchange(method: &str, _status: u16, body: &str, _errors: Vec<()>) -> Exchange {
        serde_json::from_value(json!({
            "startedAt": "2024-05-01T12:00:00.000Z", "profile": "local",
            "baseUrl": "http://127.0.0.1:8787", "url": "http://127.0.0.1:8787/…/x",
            "keyMasked": "…", "keyFingerprint": "#000000", "method": method,
            "requestBody": body, "attempts": [], "response": null, "outcome": "delivered",
            "possiblyDuplicated": false, "latencyMs": 1.0
        }))
        .unwrap()
    }

    #[test]
    fn every_form_names_the_server_the_method_and_the_body_and_never_the_key() {
        let ex = exchange(
            "event",
            200,
            r#"{"event":"Sent message","userId":"u1","companyId":"acme","attributes":{"n":1}}"#,
            vec![],
        );
        for format in Format::ALL {
            let code = render(&ex, format, None);
            assert!(code.contains("BUCKET_TRACKING_KEY"), "{format:?}: {code}");
            assert!(code.contains("Sent message"), "{format:?}: {code}");
            if format != Format::Sdk {
                assert!(
                    code.contains("http://127.0.0.1:8787/"),
                    "{format:?}: {code}"
                );
                assert!(code.contains("/event"), "{format:?}: {code}");
            }
        }
        assert_eq!(
            render(&ex, Format::Httpie, None),
            "http --raw '{\"attributes\":{\"n\":1},\"companyId\":\"acme\",\"event\":\"Sent message\",\"userId\":\"u1\"}' POST \"http://127.0.0.1:8787/$BUCKET_TRACKING_KEY/event\" Content-Type:application/json"
        );
        assert!(
            render(&ex, Format::Sdk, None)
                .ends_with("bucket.track(\"Sent message\", {\n  \"n\": 1\n}, \"u1\", \"acme\");")
        );
        let feedback = exchange(
            "feedback",
            200,
            r#"{"featureId":"f","userId":"u","score":4}"#,
            vec![],
        );
        assert!(render(&feedback, Format::Sdk, None).contains("bucket.feedback({"));
        let quote = exchange("user", 200, r#"{"userId":"it's"}"#, vec![]);
        assert!(render(&quote, Format::Httpie, None).contains(r#"'{"userId":"it'\''s"}'"#));
    }
}
