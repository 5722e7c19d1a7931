//! An exchange's request as code to paste elsewhere: curl, HTTPie, JavaScript's `fetch`, Python's
//! `requests`, or the official tracking SDK's call. The key is read from `BUCKET_TRACKING_KEY`
//! in each (a Runtime API call's from `REFLAG_SECRET_KEY` or `REFLAG_PUBLISHABLE_KEY`, sent as
//! `Authorization: Bearer`), never written, unless the caller passes it (`--reveal`).

use super::{Exchange, literal};
use crate::api::AnyKey;
use crate::api::runtime::key::KeyKind;
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

impl Format {
    /// How a line of commentary starts in the form's language.
    pub fn comment(self) -> &'static str {
        match self {
            Format::Curl | Format::Httpie | Format::Python => "#",
            Format::Fetch | Format::Sdk => "//",
        }
    }
}

/// The request as `format`, to the server that answered it; `key` replaces the variable. Bodies
/// and URLs are data of the language (quoted by its rules), never code.
pub fn render(ex: &Exchange, format: Format, key: Option<&AnyKey>) -> String {
    render_named(ex, format, key, None)
}

/// [`render`], the key read from `var` (a profile's `key_env`) rather than the usual variable.
pub fn render_named(
    ex: &Exchange,
    format: Format,
    key: Option<&AnyKey>,
    var: Option<&str>,
) -> String {
    if let Some(kind) = ex.runtime_kind() {
        return runtime(ex, format, kind, key, var);
    }
    let tracking = var.unwrap_or(TRACKING_VAR);
    let method = &ex.method;
    match format {
        Format::Curl => curl_named(ex, key, var),
        Format::Httpie => {
            let url = shell_url(&ex.base_url, method, key, tracking);
            if ex.request_body.chars().any(literal::unprintable) {
                format!(
                    "{} | http POST {url} Content-Type:application/json",
                    literal::shell_printf(&ex.request_body)
                )
            } else {
                format!(
                    "http --raw {} POST {url} Content-Type:application/json",
                    literal::shell(&ex.request_body)
                )
            }
        }
        Format::Fetch => {
            let key = key.map_or_else(
                || format!("${{process.env.{tracking}}}"),
                |k| literal::template_part(k.expose()),
            );
            let (base, method) = (
                literal::template_part(&literal::url_part(&ex.base_url)),
                literal::template_part(&literal::url_part(method)),
            );
            let body = shown_body(&ex.request_body);
            format!(
                "const body = {};\n\nawait fetch(`{base}/{key}/{method}`, {{\n  method: \"POST\",\n  headers: {{ \"Content-Type\": \"application/json\" }},\n  body,\n}});",
                literal::javascript(&body, true)
            )
        }
        Format::Python => {
            let key = key.map_or_else(
                || format!("os.environ['{tracking}']"),
                |k| literal::python(k.expose(), false),
            );
            let base = literal::python(&format!("{}/", literal::url_part(&ex.base_url)), false);
            let method = literal::python(&format!("/{}", literal::url_part(method)), false);
            let body = shown_body(&ex.request_body);
            format!(
                "import os\nimport requests\n\nbody = {}\nrequests.post(\n    {base} + {key} + {method},\n    data=body.encode(),\n    headers={{'Content-Type': 'application/json'}},\n).raise_for_status()",
                literal::python(&body, true)
            )
        }
        Format::Sdk => {
            let body = serde_json::from_str::<Value>(&ex.request_body).ok();
            sdk(body.as_ref(), method, key, tracking)
        }
    }
}

/// The request as a curl command line (also `log curl` and the console's `c`).
pub fn curl(ex: &Exchange, key: Option<&AnyKey>) -> String {
    curl_named(ex, key, None)
}

/// [`curl`], the key read from `var` (a profile's `key_env`) rather than the usual variable.
pub fn curl_named(ex: &Exchange, key: Option<&AnyKey>, var: Option<&str>) -> String {
    if let Some(kind) = ex.runtime_kind() {
        return runtime(ex, Format::Curl, kind, key, var);
    }
    let url = shell_url(&ex.base_url, &ex.method, key, var.unwrap_or(TRACKING_VAR));
    if ex.request_body.chars().any(literal::unprintable) {
        // No shell word carries NUL, and controls must not be printed raw: printf writes them.
        format!(
            "{} | curl -sS -X POST {url} -H 'Content-Type: application/json' --data-binary @-",
            literal::shell_printf(&ex.request_body)
        )
    } else {
        format!(
            "curl -sS -X POST {url} -H 'Content-Type: application/json' --data-raw {}",
            literal::shell(&ex.request_body)
        )
    }
}

/// The variable a tracking export reads its key from, unless the profile names its own.
const TRACKING_VAR: &str = "BUCKET_TRACKING_KEY";

/// The call's URL as one shell word, the key as `$var` unless given. Double quotes only around
/// characters no shell reads specially; anything else is single-quoted.
fn shell_url(base: &str, method: &str, key: Option<&AnyKey>, var: &str) -> String {
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/:.-_~%+,=@[]".contains(c))
    };
    let (base, method) = (literal::url_part(base), literal::url_part(method));
    match key {
        None if plain(&base) && plain(&method) => {
            format!("\"{base}/${var}/{method}\"")
        }
        None => format!(
            "{}\"${var}\"{}",
            literal::shell(&format!("{base}/")),
            literal::shell(&format!("/{method}"))
        ),
        Some(k) => {
            let url = format!("{base}/{}/{method}", literal::url_part(k.expose()));
            if plain(&url) {
                format!("\"{url}\"")
            } else {
                literal::shell(&url)
            }
        }
    }
}

/// The variable an export of `ex` reads its key from: `var` (a profile's `key_env`) when given,
/// else the usual one for its API and key kind.
pub fn key_variable<'a>(ex: &Exchange, var: Option<&'a str>) -> &'a str {
    match (var, ex.runtime_kind()) {
        (Some(var), _) => var,
        (None, Some(kind)) => runtime_key_variable(kind),
        (None, None) => TRACKING_VAR,
    }
}

/// The variable a Runtime API export reads its key from.
pub fn runtime_key_variable(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Publishable => "REFLAG_PUBLISHABLE_KEY",
        KeyKind::Secret => "REFLAG_SECRET_KEY",
    }
}

/// A Runtime API call: `POST {base}/{route}` with the key only in `Authorization: Bearer`.
fn runtime(
    ex: &Exchange,
    format: Format,
    kind: KeyKind,
    key: Option<&AnyKey>,
    var: Option<&str>,
) -> String {
    let var = var.unwrap_or(runtime_key_variable(kind));
    let url = format!(
        "{}/{}",
        literal::url_part(&ex.base_url),
        literal::url_part(&ex.method)
    );
    let body = &ex.request_body;
    match format {
        Format::Curl | Format::Httpie => {
            let auth = key.map_or_else(
                || format!("\"Authorization: Bearer ${var}\""),
                |k| literal::shell(&format!("Authorization: Bearer {}", k.expose())),
            );
            let printf = body.chars().any(literal::unprintable);
            match (format, printf) {
                (Format::Curl, true) => format!(
                    "{} | curl -sS -X POST {} -H {auth} -H 'Content-Type: application/json' \
                     --data-binary @-",
                    literal::shell_printf(body),
                    literal::shell(&url)
                ),
                (Format::Curl, false) => format!(
                    "curl -sS -X POST {} -H {auth} -H 'Content-Type: application/json' \
                     --data-raw {}",
                    literal::shell(&url),
                    literal::shell(body)
                ),
                // HTTPie takes a header as `Name:value`.
                (_, true) => format!(
                    "{} | http POST {} Content-Type:application/json {}",
                    literal::shell_printf(body),
                    literal::shell(&url),
                    auth.replacen("Authorization: ", "Authorization:", 1)
                ),
                (_, false) => format!(
                    "http --raw {} POST {} Content-Type:application/json {}",
                    literal::shell(body),
                    literal::shell(&url),
                    auth.replacen("Authorization: ", "Authorization:", 1)
                ),
            }
        }
        Format::Sdk
            if let Some(code) = serde_json::from_str::<Value>(body).ok().and_then(|b| {
                let base = literal::javascript(&literal::url_part(&ex.base_url), false);
                let key = key.map_or_else(
                    || format!("process.env.{var}"),
                    |k| literal::javascript(k.expose(), false),
                );
                super::sdk_runtime::render(kind, &ex.method, &b, &base, &key)
            }) =>
        {
            code
        }
        Format::Fetch | Format::Sdk => {
            let key = key.map_or_else(
                || format!("${{process.env.{var}}}"),
                |k| literal::template_part(k.expose()),
            );
            let note = if format == Format::Sdk {
                match kind {
                    KeyKind::Secret => {
                        "// @reflag/node-sdk has no call for this route: the call \
                                        as it was sent, with fetch.\n"
                    }
                    KeyKind::Publishable => {
                        "// @reflag/browser-sdk has no call for this route: \
                                             the call as it was sent, with fetch.\n"
                    }
                }
            } else {
                ""
            };
            format!(
                "{note}const body = {};\n\nawait fetch(`{}`, {{\n  method: \"POST\",\n  headers: {{\n    \"Content-Type\": \"application/json\",\n    Authorization: `Bearer {key}`,\n  }},\n  body,\n}});",
                literal::javascript(&shown_body(body), true),
                literal::template_part(&url)
            )
        }
        Format::Python => {
            let key = key.map_or_else(
                || format!("os.environ['{var}']"),
                |k| literal::python(k.expose(), false),
            );
            format!(
                "import os\nimport requests\n\nbody = {}\nrequests.post(\n    {},\n    data=body.encode(),\n    headers={{'Content-Type': 'application/json', 'Authorization': 'Bearer ' + {key}}},\n).raise_for_status()",
                literal::python(&shown_body(body), true),
                literal::python(&url, false)
            )
        }
    }
}

/// The body as the code sends it: laid out on lines when it is JSON and that still fits the body
/// limit (only whitespace between tokens changes), else exactly as it was sent.
fn shown_body(body: &str) -> String {
    literal::pretty_json(body)
        .filter(|pretty| pretty.len() <= crate::api::MAX_BODY_BYTES)
        .unwrap_or_else(|| body.to_owned())
}

/// `@bucketco/tracking-sdk`'s call for the method: `user(id, attributes)`,
/// `company(id, attributes, userId)`, `track(event, attributes, userId, companyId)`,
/// `feedback({…})`.
fn sdk(body: Option<&Value>, method: &str, key: Option<&AnyKey>, var: &str) -> String {
    let key = key.map_or_else(
        || format!("process.env.{var}"),
        |k| literal::javascript(k.expose(), false),
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
    let call = literal::json_for_javascript(&call);
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
            "http --raw '{\"event\":\"Sent message\",\"userId\":\"u1\",\"companyId\":\"acme\",\"attributes\":{\"n\":1}}' POST \"http://127.0.0.1:8787/$BUCKET_TRACKING_KEY/event\" Content-Type:application/json"
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
