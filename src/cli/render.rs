//! Printing exchanges for people: colour only on a terminal without NO_COLOR, every server string
//! sanitized first, JSON bodies pretty-printed and highlighted. And JSON for scripts, with the
//! characters a terminal could misread escaped.

use anstyle::{AnsiColor, Style};
use bucket_console::api::ValidationError;
use bucket_console::api::Warning;
use bucket_console::client::{Exchange, Outcome};
use bucket_console::highlight::{self, Kind};
use bucket_console::sanitize::sanitize;
use std::fmt::Write as _;
use std::io::IsTerminal;

#[derive(Debug, Clone, Copy)]
pub struct Painter {
    color: bool,
}

const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn fg(c: AnsiColor) -> Style {
    Style::new().fg_color(Some(c.into()))
}

impl Painter {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    pub fn for_stdout() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: std::io::stdout().is_terminal() && !no_color,
        }
    }

    #[cfg(test)]
    pub fn plain() -> Self {
        Self { color: false }
    }

    pub fn paint(self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    /// A body as text: pretty JSON (highlighted) when it parses, sanitized either way.
    pub fn body(self, raw: &str) -> String {
        let text = serde_json::from_str::<serde_json::Value>(raw)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| raw.to_owned());
        let text = sanitize(&text);
        highlight::tokens(&text)
            .into_iter()
            .map(|(kind, piece)| match kind {
                Kind::Key => self.paint(fg(AnsiColor::Cyan), piece),
                Kind::String => self.paint(fg(AnsiColor::Green), piece),
                Kind::Number => self.paint(fg(AnsiColor::Yellow), piece),
                Kind::Literal => self.paint(fg(AnsiColor::Magenta), piece),
                Kind::Punctuation | Kind::Space | Kind::Other => piece.to_owned(),
            })
            .collect()
    }

    pub fn status(self, status: Option<u16>) -> String {
        match status {
            None => self.paint(fg(AnsiColor::Red).bold(), "no answer"),
            Some(s) => {
                let reason = reqwest::StatusCode::from_u16(s)
                    .ok()
                    .and_then(|c| c.canonical_reason())
                    .unwrap_or("");
                let style = match s {
                    200..=299 => fg(AnsiColor::Green),
                    400..=499 => fg(AnsiColor::Yellow),
                    _ => fg(AnsiColor::Red),
                };
                self.paint(style.bold(), format!("{s} {reason}").trim_end())
            }
        }
    }
}

/// The validation errors as a table by field.
pub fn problems(p: Painter, errors: &[ValidationError]) -> String {
    let width = errors
        .iter()
        .map(|e| shown_path(&e.path).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for e in errors {
        let path = sanitize(shown_path(&e.path));
        let code = serde_json::to_value(e.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {}  {}",
            p.paint(BOLD, &format!("{path:<width$}")),
            p.paint(fg(AnsiColor::Yellow), &code),
            sanitize(&e.message)
        );
    }
    out
}

fn shown_path(path: &str) -> &str {
    if path.is_empty() { "(body)" } else { path }
}

pub fn warnings(p: Painter, warnings: &[Warning]) -> String {
    let mut out = String::new();
    for w in warnings {
        let code = serde_json::to_value(w.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let at = if w.path.is_empty() {
            String::new()
        } else {
            format!(" at {}", sanitize(&w.path))
        };
        let _ = writeln!(
            out,
            "{} {code}{at}: {}",
            p.paint(fg(AnsiColor::Yellow).bold(), "warning"),
            sanitize(&w.message)
        );
    }
    out
}

/// What `send` prints: the answer in a few lines.
pub fn summary(p: Painter, ex: &Exchange) -> String {
    let mut out = String::new();
    let attempts = ex.attempts.len();
    let _ = writeln!(
        out,
        "{}  {}  {}{}",
        p.status(ex.status()),
        p.paint(DIM, &format!("{:.1} ms", ex.latency_ms)),
        p.paint(
            DIM,
            &format!("{attempts} attempt{}", if attempts == 1 { "" } else { "s" })
        ),
        if ex.possibly_duplicated {
            p.paint(fg(AnsiColor::Yellow), "  possibly duplicated")
        } else {
            String::new()
        }
    );
    if ex.outcome == Outcome::Failed
        && ex.response.is_none()
        && let Some(problem) = ex.problem()
    {
        let _ = writeln!(out, "{}", sanitize(&problem));
    }
    if let Some(response) = &ex.response {
        let _ = writeln!(out, "{}", p.body(&response.body));
    }
    out.push_str(&warnings(p, &ex.warnings));
    if !ex.validation_errors.is_empty() {
        let _ = writeln!(out, "{}", p.paint(BOLD, "validation errors:"));
        out.push_str(&problems(p, &ex.validation_errors));
    }
    out
}

/// What `log show` prints: the whole exchange.
pub fn full(p: Painter, ex: &Exchange) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} #{}  {}  profile {}",
        p.paint(BOLD, "exchange"),
        ex.id.unwrap_or(0),
        ex.started_at,
        sanitize(&ex.profile)
    );
    let _ = writeln!(out, "{} {}", p.paint(BOLD, "POST"), sanitize(&ex.url));
    let _ = writeln!(
        out,
        "{}\n{}",
        p.paint(BOLD, "request body:"),
        p.body(&ex.request_body)
    );
    let _ = writeln!(out, "{}", p.paint(BOLD, "attempts:"));
    for (n, a) in ex.attempts.iter().enumerate() {
        let what = a.status.map_or_else(
            || sanitize(a.error.as_deref().unwrap_or("failed")),
            |s| p.status(Some(s)),
        );
        let _ = writeln!(
            out,
            "  {}. {}  {what}  {:.1} ms",
            n + 1,
            a.started_at,
            a.latency_ms
        );
    }
    if let Some(r) = &ex.response {
        let _ = writeln!(
            out,
            "{} {}",
            p.paint(BOLD, "response:"),
            p.status(Some(r.status))
        );
        for (k, v) in &r.headers {
            let _ = writeln!(out, "  {}: {}", p.paint(DIM, &sanitize(k)), sanitize(v));
        }
        let _ = writeln!(out, "{}", p.body(&r.body));
    }
    if ex.possibly_duplicated {
        let _ = writeln!(
            out,
            "{}",
            p.paint(
                fg(AnsiColor::Yellow),
                if ex.outcome == Outcome::Delivered {
                    "possibly duplicated: an earlier attempt may have been stored too"
                } else {
                    "possibly stored: an attempt may have reached the server before its \
                     connection failed; sending it again may duplicate it"
                }
            )
        );
    }
    out.push_str(&warnings(p, &ex.warnings));
    if !ex.validation_errors.is_empty() {
        let _ = writeln!(out, "{}", p.paint(BOLD, "validation errors:"));
        out.push_str(&problems(p, &ex.validation_errors));
    }
    out
}

/// JSON for scripts: serde escapes C0 controls; C1 and bidi controls are escaped here too, which
/// keeps the same data (`\u202e` decodes to the same string) while a terminal shows it inert.
pub fn json_safe(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.chars()
        .map(|c| {
            if bucket_console::sanitize::is_shown_escaped(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_output_is_inert_and_lossless() {
        let value = json!({"m": "a\u{202e}b\u{85}c\u{1b}[31m"});
        let text = json_safe(&value);
        assert!(
            text.chars().all(|c| !c.is_control() && c != '\u{202e}'),
            "{text}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }

    #[test]
    fn bodies_are_sanitized_and_pretty() {
        let shown = Painter::plain().body("{\"m\":\"x\\u001b]52;c;AAAA\\u0007y\",\"n\":1}");
        assert_eq!(
            shown,
            "{\n  \"m\": \"x\\u001b]52;c;AAAA\\u0007y\",\n  \"n\": 1\n}"
        );
        let raw = Painter::plain().body("not json \u{1b}[2J\rbad");
        assert_eq!(raw, "not json \\rbad");
    }
}
