//! One exchange whole: request, attempts, response (headers and body, highlighted), warnings and
//! the validation errors as a list to jump from.

use super::{Theme, json_lines};
use crate::client::Exchange;
use crate::sanitize::sanitize;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let Some(detail) = &state.detail else { return };
    let Some(e) = state.log.get(detail.index) else {
        return;
    };
    let title = format!(
        " exchange #{} · {} · {} ",
        e.id.unwrap_or(0),
        sanitize(&e.method),
        sanitize(&e.profile)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.title()));
    let mut lines = lines(e, detail.selected_error, theme);
    let mut body = area;
    if let Some(search) = &detail.search {
        let query = search.query.text().to_lowercase();
        if !query.is_empty() {
            for (i, line) in lines.iter_mut().enumerate() {
                let text: String = line
                    .spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
                    .to_lowercase();
                if Some(i) == search.line {
                    *line = line.clone().style(theme.selected());
                } else if text.contains(&query) {
                    *line = line.clone().style(
                        ratatui::style::Style::new()
                            .add_modifier(ratatui::style::Modifier::UNDERLINED),
                    );
                }
            }
        }
        let found = lines
            .iter()
            .filter(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
                    .to_lowercase()
                    .contains(&query)
            })
            .count();
        let hint = if search.typing {
            "Enter find · Esc cancel".to_owned()
        } else {
            format!("{found} line(s) · n next · N previous · / new · Esc clear")
        };
        let bar = Line::from(vec![
            Span::styled(
                format!("/{}", sanitize(search.query.text())),
                theme.focused_label(),
            ),
            Span::styled(format!("   {hint}"), theme.dim()),
        ]);
        body.height = body.height.saturating_sub(1);
        frame.render_widget(
            Paragraph::new(bar),
            Rect {
                y: area.y + area.height.saturating_sub(1),
                height: 1,
                ..area
            },
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((detail.scroll, 0)),
        body,
    );
}

/// Everything the detail shows, as lines (the search reads the same lines).
pub fn lines(e: &Exchange, selected_error: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = summary(e, theme);
    lines.extend(problems(e, selected_error, theme));
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
    ];
    if let Some(problem) = e.problem() {
        lines.push(Line::from(Span::styled(sanitize(&problem), theme.error())));
    }
    lines
}

/// The validation errors (one selected, to jump from) and the warnings.
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
    for w in &e.warnings {
        lines.push(Line::from(Span::styled(
            format!("⚠ {} {}", sanitize(&w.path), sanitize(&w.message)),
            theme.warning(),
        )));
    }
    lines
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
