//! `send --dry-run` and `send --print WHAT`: the request as it would go (or went), by HTTPie's
//! letters, with the key masked wherever it would appear. A dry run sends, logs and queues
//! nothing, like HTTPie's `--offline`; its exit status is the validator's verdict.

use super::context::{CliError, exit};
use super::render::{self, Painter};
use bucket_console::api::{Method, Rejection};
use bucket_console::client::Exchange;
use bucket_console::profiles::Profile;
use bucket_console::sanitize::sanitize;
use std::fmt::Write as _;

/// Which parts to print: HTTPie's `H` request headers, `B` request body, `h` answer headers,
/// `b` answer body.
// Four independent letters, any combination: flags are what they are.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub request_headers: bool,
    pub request_body: bool,
    pub answer_headers: bool,
    pub answer_body: bool,
}

impl Parts {
    pub fn parse(letters: &str) -> Result<Parts, CliError> {
        if let Some(bad) = letters.chars().find(|c| !"HBhb".contains(*c)) {
            return Err(CliError::usage(sanitize(&format!(
                "--print {letters}: `{bad}` is not a part: H request headers, B request body, \
                 h answer headers, b answer body (as HTTPie's --print)"
            ))));
        }
        if letters.is_empty() {
            return Err(CliError::usage(
                "--print needs at least one of H, B, h and b",
            ));
        }
        Ok(Parts {
            request_headers: letters.contains('H'),
            request_body: letters.contains('B'),
            answer_headers: letters.contains('h'),
            answer_body: letters.contains('b'),
        })
    }
}

/// The request line and headers as they would go, the key masked in the URL, and any
/// `Authorization` value masked whatever the scheme.
fn request_head(p: Painter, profile: &Profile, method: Method, body_len: usize) -> String {
    // The same URL and headers the client builds: a tracking key in the path, a Runtime API
    // key only in `Authorization`.
    let target = bucket_console::client::Target {
        profile: profile.name.clone(),
        base_url: profile.base_url.trim_end_matches('/').to_owned(),
        key: profile.key.clone(),
    };
    let (_, url) = target.url_of(method.as_str());
    let mut out = format!(
        "{} {}\n",
        p.paint(anstyle::Style::new().bold(), "POST"),
        sanitize(&url)
    );
    let mut headers = vec![
        ("Content-Type", "application/json".to_owned()),
        (
            "User-Agent",
            concat!("bucket-console/", env!("CARGO_PKG_VERSION")).to_owned(),
        ),
        ("Content-Length", body_len.to_string()),
    ];
    if let Some(key) = target.bearer() {
        headers.push(("Authorization", format!("Bearer {key}")));
    }
    for (name, value) in headers {
        let _ = writeln!(out, "{name}: {}", shown_header(name, &value));
    }
    out
}

/// A header's value as printed: an `Authorization` value never whole.
pub fn shown_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("authorization") {
        let (scheme, secret) = value.split_once(' ').unwrap_or(("", value));
        let masked = bucket_console::api::key::mask(secret);
        let masked = if masked.is_empty() {
            "…".to_owned()
        } else {
            masked
        };
        return sanitize(format!("{scheme} {masked}").trim_start());
    }
    sanitize(value)
}

/// `send --dry-run`: prints what would go and the validator's verdict; 0 valid, 1 not.
pub fn send(
    method: Method,
    profile: &Profile,
    body: &[u8],
    verdict: Result<(), Rejection>,
    parts: Parts,
) -> u8 {
    let p = Painter::for_stdout();
    let mut out = String::new();
    if parts.request_headers {
        out.push_str(&request_head(p, profile, method, body.len()));
    }
    if parts.request_body {
        if parts.request_headers {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", p.body(&String::from_utf8_lossy(body)));
    }
    let code = match verdict {
        Ok(()) => {
            let _ = writeln!(out, "\nvalid: the body passes the server's rules");
            exit::OK
        }
        Err(rejection) => {
            let _ = writeln!(out, "\nnot valid: the server would refuse it");
            out.push_str(&render::problems(p, &rejection.validation_errors));
            exit::REJECTED
        }
    };
    out.push_str("dry run: nothing was sent, logged or queued\n");
    print!("{out}");
    code
}

/// `send --print WHAT` after a real send: the parts asked for, in HTTPie's order.
pub fn sent(parts: Parts, profile: &Profile, method: Method, body: &[u8], ex: &Exchange) {
    let p = Painter::for_stdout();
    let mut out = String::new();
    if parts.request_headers {
        out.push_str(&request_head(p, profile, method, body.len()));
        out.push('\n');
    }
    if parts.request_body {
        let _ = writeln!(out, "{}\n", p.body(&String::from_utf8_lossy(body)));
    }
    if parts.answer_headers {
        let _ = writeln!(out, "{}", p.status(ex.status()));
        for (name, value) in ex.response.iter().flat_map(|r| &r.headers) {
            let _ = writeln!(out, "{}: {}", sanitize(name), shown_header(name, value));
        }
        out.push('\n');
    }
    if parts.answer_body {
        match &ex.response {
            Some(r) => {
                let _ = writeln!(out, "{}", p.body(&r.body));
            }
            None => {
                let _ = writeln!(out, "{}", sanitize(&ex.problem().unwrap_or_default()));
            }
        }
    }
    print!("{out}");
}

/// `run --dry-run`: each call of one round as it would go and its verdict; 0 when every call
/// would pass, 1 otherwise.
pub fn run(
    collection: &bucket_console::collection::Collection,
    items: &[String],
    options: &bucket_console::collection::run::Options,
    profile: &Profile,
) -> u8 {
    let p = Painter::for_stdout();
    let calls = bucket_console::collection::dry::calls(collection, items, options);
    let mut failed = 0;
    let mut out = String::new();
    for call in &calls {
        let step = call.step.map(|s| format!(" step {s}")).unwrap_or_default();
        let leaks = call
            .body
            .as_ref()
            .is_ok_and(|b| bucket_console::collection::holds_key(b, &profile.key));
        let verdict = if leaks {
            Err(bucket_console::collection::dry::WouldFail::HoldsKey)
        } else {
            call.verdict.clone()
        };
        let (mark, why) = match &verdict {
            Ok(()) => ("✓ would pass".to_owned(), String::new()),
            Err(why) => {
                failed += 1;
                ("✗ would fail".to_owned(), format!(": {why}"))
            }
        };
        let _ = writeln!(out, "{}{step}", sanitize(&call.item));
        let text = match &call.body {
            Ok(_) if leaks => Err(()),
            Ok(b) => Ok(b.to_string()),
            Err(_) => Err(()),
        };
        let body = text.as_deref().unwrap_or("");
        out.push_str(&request_head(p, profile, call.method, body.len()));
        match &text {
            Ok(text) => {
                let _ = writeln!(out, "\n{}", p.body(text));
            }
            Err(()) => out.push_str("\n(the body is not shown)\n"),
        }
        let _ = writeln!(out, "{mark}{}\n", sanitize(&why));
    }
    let _ = writeln!(
        out,
        "{} call(s): {} would pass, {failed} would fail; dry run: nothing was sent, logged or queued",
        calls.len(),
        calls.len() - failed
    );
    print!("{out}");
    if failed == 0 {
        exit::OK
    } else {
        exit::REJECTED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_value_is_masked_whatever_its_scheme() {
        assert_eq!(
            shown_header("Authorization", "Bearer sk-0123456789abcdefXYZW"),
            "Bearer …XYZW"
        );
        assert_eq!(shown_header("authorization", "short"), "…");
        assert_eq!(
            shown_header("Content-Type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn print_takes_httpie_letters_only() {
        let parts = Parts::parse("Hb").unwrap();
        assert!(parts.request_headers && parts.answer_body);
        assert!(!parts.request_body && !parts.answer_headers);
        assert!(Parts::parse("HX").is_err());
        assert!(Parts::parse("").is_err());
    }
}
