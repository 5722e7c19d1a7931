//! The log pane: one row per exchange, newest first. Only the visible rows are built, so a log of
//! any length draws in the same time.

use super::{Theme, fit};
use crate::client::Exchange;
use crate::sanitize::sanitize;
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Focus, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::Log;
    let filtered = !state.log.filter().is_empty();
    let window = state.log_window(usize::from(area.height.saturating_sub(2)));
    let count = if state.log.loading {
        "loading…".to_owned()
    } else if filtered {
        format!(
            "{} of {} · {}",
            window.count,
            state.log.entries().len(),
            sanitize(&crate::tui::log_view::describe(state.log.filter()))
        )
    } else {
        state.log.entries().len().to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" log · {count} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if state.log.entries().is_empty() || window.count == 0 {
        let label = |c| state.keymap.label(Context::Log, c);
        let text = if state.log.loading {
            "loading the log…".to_owned()
        } else if filtered {
            format!(
                "nothing matches the filter ({} status · {} method · {} profile · {} clears them)",
                label(Command::StatusFilter),
                label(Command::RouteFilter),
                label(Command::ProfileFilter),
                label(Command::ClearFilters)
            )
        } else {
            format!(
                "no exchanges yet: fill the form and press {}",
                label(Command::Send)
            )
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), inner);
        return;
    }
    let lines: Vec<Line<'_>> = window
        .rows
        .into_iter()
        .map(|(i, e)| {
            row(
                e,
                usize::from(inner.width),
                i == state.log.selected,
                focused,
                theme,
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn row(e: &Exchange, width: usize, selected: bool, focused: bool, theme: Theme) -> Line<'static> {
    let time = e.started_at.get(11..19).unwrap_or("--:--:--");
    let status = match e.status() {
        Some(s) => s.to_string(),
        None if e.is_queued() => "queued".to_owned(),
        None => "---".to_owned(),
    };
    // A wider status takes its room from the latency's padding, so columns stay aligned.
    let latency_width = 9usize.saturating_sub(status.chars().count().max(3));
    let mut marks = String::new();
    if !e.warnings.is_empty() {
        marks.push_str(" ⚠");
    }
    if e.possibly_duplicated {
        marks.push_str(" ⧉dup");
    }
    // The profile last, where a narrow pane cuts it first.
    let rest = format!(
        " {:>latency_width$.0}ms ×{}{marks} {}",
        e.latency_ms,
        e.attempts.len(),
        sanitize(&e.profile)
    );
    let mut line = Line::from(vec![
        Span::styled(
            format!("{}{time} ", if selected { "▸" } else { " " }),
            theme.dim(),
        ),
        Span::raw(format!(
            "{:<8} ",
            fit(&sanitize(&crate::tui::batch::method_label(e)), 8)
        )),
        Span::styled(status, theme.status(e.status())),
        Span::raw(fit(&rest, width.saturating_sub(22))),
    ]);
    if selected && focused {
        line = line.style(theme.selected());
    }
    line
}
