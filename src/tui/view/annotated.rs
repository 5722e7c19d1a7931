//! A JSON body pretty-printed with each problem beside the line of its field: the offending line
//! marked, the error or warning after it, and problems with fields the body lacks listed below.

use super::Theme;
use crate::api::pointer;
use crate::sanitize::sanitize;
use ratatui::text::{Line, Span};
use serde_json::Value;

/// A problem to show at a JSON Pointer path.
pub struct Note {
    pub path: String,
    pub text: String,
    pub error: bool,
}

/// `body` as highlighted lines with `notes` beside their fields. A body that is not JSON is shown
/// as text, with every note listed after it.
pub fn lines(body: &str, notes: &[Note], theme: Theme) -> Vec<Line<'static>> {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        let mut out: Vec<Line<'static>> = sanitize(body)
            .lines()
            .map(|l| Line::from(format!("  {l}")))
            .collect();
        out.extend(notes.iter().map(|n| loose(n, theme)));
        return out;
    };
    let mut printed: Vec<(String, String)> = Vec::new();
    pretty(&value, "", 1, None, &mut printed, false);
    let mut used = vec![false; notes.len()];
    let mut out = Vec::new();
    for (text, path) in printed {
        let here: Vec<usize> = (0..notes.len())
            .filter(|i| !notes[*i].path.is_empty() && notes[*i].path == path)
            .collect();
        let mut spans: Vec<Span<'static>> = crate::highlight::tokens(&sanitize(&text))
            .into_iter()
            .map(|(kind, piece)| Span::styled(piece.to_owned(), theme.json(kind)))
            .collect();
        if let Some(first) = here.first() {
            let style = if notes[*first].error {
                theme.error()
            } else {
                theme.warning()
            };
            spans.insert(0, Span::styled("▶", style));
            for i in &here {
                used[*i] = true;
                let n = &notes[*i];
                spans.push(Span::styled(
                    format!("   ← {} {}", mark(n), sanitize(&n.text)),
                    if n.error {
                        theme.error()
                    } else {
                        theme.warning()
                    },
                ));
            }
        } else {
            spans.insert(0, Span::raw(" "));
        }
        out.push(Line::from(spans));
    }
    for (i, n) in notes.iter().enumerate() {
        if !used[i] {
            out.push(loose(n, theme));
        }
    }
    out
}

fn mark(n: &Note) -> &'static str {
    if n.error { "✗" } else { "⚠" }
}

/// A note whose field is not in the body (a missing required field, or the whole request).
fn loose(n: &Note, theme: Theme) -> Line<'static> {
    let place = if n.path.is_empty() {
        "the request".to_owned()
    } else {
        format!("{} (not in the body)", sanitize(&n.path))
    };
    Line::from(Span::styled(
        format!(" {} {place}: {}", mark(n), sanitize(&n.text)),
        if n.error {
            theme.error()
        } else {
            theme.warning()
        },
    ))
}

/// The path of a closing bracket: notes go on the opening line only.
const CLOSING: &str = "\u{0}";

/// Appends `value` as indented lines, each with the pointer of the member or element it opens.
fn pretty(
    value: &Value,
    path: &str,
    depth: usize,
    key: Option<&str>,
    out: &mut Vec<(String, String)>,
    comma: bool,
) {
    let indent = "  ".repeat(depth);
    let label = key
        .map(|k| format!("{}: ", Value::String(k.to_owned())))
        .unwrap_or_default();
    let tail = if comma { "," } else { "" };
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push((format!("{indent}{label}{{"), path.to_owned()));
            let last = map.len() - 1;
            for (i, (k, v)) in map.iter().enumerate() {
                let child = format!("{path}/{}", pointer::escape(k));
                pretty(v, &child, depth + 1, Some(k), out, i < last);
            }
            out.push((format!("{indent}}}{tail}"), CLOSING.to_owned()));
        }
        Value::Array(items) if !items.is_empty() => {
            out.push((format!("{indent}{label}["), path.to_owned()));
            let last = items.len() - 1;
            for (i, v) in items.iter().enumerate() {
                pretty(v, &format!("{path}/{i}"), depth + 1, None, out, i < last);
            }
            out.push((format!("{indent}]{tail}"), CLOSING.to_owned()));
        }
        scalar => out.push((format!("{indent}{label}{scalar}{tail}"), path.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn notes_sit_beside_their_fields_and_missing_ones_below() {
        let notes = [
            Note {
                path: "/userID".into(),
                text: "unknown field".into(),
                error: true,
            },
            Note {
                path: "/attributes/a~1b".into(),
                text: "nested".into(),
                error: true,
            },
            Note {
                path: "/userId".into(),
                text: "is required".into(),
                error: true,
            },
        ];
        let body = r#"{"userID":1,"attributes":{"a/b":{"x":1}}}"#;
        let got = text(&lines(body, &notes, Theme::new(false)));
        assert_eq!(
            got,
            [
                "   {",
                "     \"attributes\": {",
                "▶      \"a/b\": {   ← ✗ nested",
                "         \"x\": 1",
                "       }",
                "     },",
                "▶    \"userID\": 1   ← ✗ unknown field",
                "   }",
                " ✗ /userId (not in the body): is required",
            ]
        );
    }
}
