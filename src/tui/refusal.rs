//! A Runtime API 403 in words: which key the server refused (masked, with its kind) and which of
//! the key rules it broke, read from the 403's `error.code` (the server's JSON names the rule).

use crate::api::runtime::key::Rule;
use crate::client::Exchange;
use crate::sanitize::sanitize;

/// What the console says of an exchange whose key was refused, or `None` for any other answer.
pub fn key_refusal(e: &Exchange) -> Option<String> {
    if e.status() != Some(403) {
        return None;
    }
    let code = e.error_code?;
    let rule = Rule::from_code(code)?;
    let code = serde_json::to_value(code)
        .ok()
        .and_then(|c| c.as_str().map(str::to_owned))
        .unwrap_or_default();
    let kind = e
        .runtime_kind()
        .map_or(String::new(), |k| format!(" ({} key)", k.as_str()));
    let key = if e.key_masked.is_empty() {
        "no key".to_owned()
    } else {
        format!("the key {}{kind}", sanitize(&e.key_masked))
    };
    let why = e
        .error_message
        .as_deref()
        .map_or(String::new(), |m| format!(": {}", sanitize(m)));
    Some(format!(
        "refused {key} by the rule \"{}\" [{code}]{why}",
        rule.words()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorCode;

    #[test]
    fn a_403_names_the_key_masked_and_the_rule() {
        let mut e = crate::fixtures::exchange("event", 403, "{}", vec![]);
        e.url = "http://127.0.0.1:8787/event".into();
        e.api = Some(crate::api::Api::Runtime);
        e.key_masked = "sec_…sole".into();
        e.error_code = Some(ErrorCode::KeyMalformed);
        e.error_message = Some("the key is malformed: the key has nothing after its prefix".into());
        let said = key_refusal(&e).unwrap();
        assert!(said.contains("sec_…sole (secret key)"), "{said}");
        assert!(
            said.contains("KEY_MALFORMED") && said.contains("`pub_` or `sec_`"),
            "{said}"
        );
        e.error_code = Some(ErrorCode::ForbiddenHost);
        assert_eq!(key_refusal(&e), None, "a 403 that is not about the key");
    }
}
