//! A JSON text as highlighted lines (pretty-printed when it parses), sanitized for the terminal.

use super::Theme;
use crate::sanitize::sanitize;
use ratatui::text::{Line, Span};

/// JSON text as highlighted lines (sanitized first).
pub fn json_lines(raw: &str, theme: Theme) -> Vec<Line<'static>> {
    let text = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| raw.to_owned());
    let text = sanitize(&text);
    text.lines()
        .map(|line| {
            Line::from(
                crate::highlight::tokens(line)
                    .into_iter()
                    .map(|(kind, piece)| Span::styled(piece.to_owned(), theme.json(kind)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}
