//! An exchange's detail as state: which exchange, the selected validation error, the scroll, the
//! search, and its lines, built once when it opens (and when the selected error moves) so that
//! drawing and searching read the same lines.

use crate::client::Exchange;
use crate::sanitize::sanitize;
use crate::term::{Theme, json_lines};
use ratatui::text::{Line, Span};

/// The exchange shown whole, and which of its validation errors is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// What the view draws and the search reads, built by [`Detail::open`].
    pub lines: Vec<Line<'static>>,
    pub index: usize,
    pub selected_error: usize,
    pub scroll: u16,
    /// `/` search within the bodies.
    pub search: Option<Search>,
}

/// A search in the detail view: the query, whether it is being typed, and the line matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: crate::term::LineInput,
    pub typing: bool,
    pub line: Option<usize>,
}

impl Detail {
    /// The detail of `exchange`, the `index`-th of the log.
    pub fn open(index: usize, exchange: &Exchange, color: bool) -> Self {
        Self {
            lines: lines(exchange, 0, Theme::new(color)),
            index,
            selected_error: 0,
            scroll: 0,
            search: None,
        }
    }

    /// Selects another validation error (its line is marked, so the lines are built again).
    pub fn select_error(&mut self, selected: usize, exchange: &Exchange, color: bool) {
        if selected != self.selected_error {
            self.selected_error = selected;
            self.lines = lines(exchange, selected, Theme::new(color));
        }
    }

    /// The lines' text, for searching.
    pub fn text(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }
}

/// Everything the detail shows, as lines (the search reads the same lines).
fn lines(e: &Exchange, selected_error: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = summary(e, theme);
    // A batch opens into its items, each problem under the item it names.
    if crate::tui::batch::is_batch(e) {
        lines.extend(crate::tui::batch::item_lines(e, selected_error, theme));
    } else {
        lines.extend(problems(e, selected_error, theme));
    }
    lines.extend(warnings(e, theme));
    lines.push(Line::from(Span::styled("request body", theme.title())));
    lines.extend(json_lines(&e.request_body, theme));
    lines.extend(answer(e, theme));
    lines
}

fn summary(e: &Exchange, theme: Theme) -> Vec<Line<'static>> {
    let status = e
        .status()
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let mut lines = vec![
        Line::from(vec![
            Span::styled(status, theme.status(e.status())),
            Span::raw(format!(
                "  {:.1} ms · {} attempt(s) · {}",
                e.latency_ms,
                e.attempts.len(),
                e.started_at
            )),
            Span::styled(
                if e.possibly_duplicated {
                    "  possibly duplicated"
                } else {
                    ""
                },
                theme.warning(),
            ),
        ]),
        Line::from(Span::styled(
            format!("POST {}", sanitize(&e.url)),
            theme.dim(),
        )),
        // What the client sends with every call (the body follows below).
        Line::from(Span::styled(
            format!(
                "  content-type: application/json · user-agent: bucket-console/{}",
                env!("CARGO_PKG_VERSION")
            ),
            theme.dim(),
        )),
    ];
    if let Some(refused) = crate::tui::refusal::key_refusal(e) {
        lines.push(Line::from(Span::styled(refused, theme.error())));
    } else if let Some(problem) = e.problem() {
        lines.push(Line::from(Span::styled(sanitize(&problem), theme.error())));
    }
    lines
}

/// The validation errors (one selected, to jump from).
fn problems(e: &Exchange, selected: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if !e.validation_errors.is_empty() {
        lines.push(Line::from(Span::styled(
            "validation errors (Enter: fix in the form)",
            theme.title(),
        )));
        for (i, v) in e.validation_errors.iter().enumerate() {
            let code = serde_json::to_value(v.code)
                .ok()
                .and_then(|c| c.as_str().map(str::to_owned))
                .unwrap_or_default();
            let path = sanitize(if v.path.is_empty() { "(body)" } else { &v.path });
            let text = format!(
                "{} {path:<18} {code:<24} {}",
                if i == selected { "▸" } else { " " },
                sanitize(&v.message)
            );
            lines.push(Line::from(Span::styled(
                text,
                if i == selected {
                    theme.selected()
                } else {
                    theme.error()
                },
            )));
        }
    }
    lines
}

fn warnings(e: &Exchange, theme: Theme) -> Vec<Line<'static>> {
    e.warnings
        .iter()
        .map(|w| {
            Line::from(Span::styled(
                format!("⚠ {} {}", sanitize(&w.path), sanitize(&w.message)),
                theme.warning(),
            ))
        })
        .collect()
}

/// Each attempt, then the response's headers and body.
fn answer(e: &Exchange, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled("attempts", theme.title()))];
    for (n, a) in e.attempts.iter().enumerate() {
        let what = a.status.map_or_else(
            || sanitize(a.error.as_deref().unwrap_or("failed")),
            |s| s.to_string(),
        );
        lines.push(Line::from(format!(
            "  {}. {} {what} {:.1} ms",
            n + 1,
            a.started_at,
            a.latency_ms
        )));
    }
    if let Some(r) = &e.response {
        lines.push(Line::from(Span::styled(
            format!("response {}", r.status),
            theme.title(),
        )));
        for (k, v) in &r.headers {
            lines.push(Line::from(Span::styled(
                format!("  {}: {}", sanitize(k), sanitize(v)),
                theme.dim(),
            )));
        }
        lines.extend(json_lines(&r.body, theme));
    }
    lines
}
