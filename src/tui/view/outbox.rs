//! The Outbox view: waiting calls with their attempts and last error, then the refused ones with
//! the server's errors; a confirmation before dropping one.

use super::Theme;
use crate::outbox::State as ItemState;
use crate::sanitize::sanitize;
use crate::tui::layout::Areas;
use crate::tui::outbox::OutboxView;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

pub fn status_line(view: &OutboxView, theme: Theme) -> Option<Line<'static>> {
    // A read that failed is said in the list's place, by the drawer every view's reads share.
    view.selected_item().and_then(|i| {
        i.validation_errors.first().map(|e| {
            Line::from(Span::styled(
                format!(" refused: {} {}", sanitize(&e.path), sanitize(&e.message)),
                theme.warning(),
            ))
        })
    })
}

pub fn draw(frame: &mut Frame<'_>, areas: &Areas, state: &State, theme: Theme) {
    let view = &state.outbox;
    let items = view.list();
    let waiting = items
        .iter()
        .filter(|i| i.state == ItemState::Queued)
        .count();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Outbox ", theme.active_tab()),
            Span::styled(
                format!("  {waiting} waiting · {} refused", items.len() - waiting),
                theme.dim(),
            ),
        ])),
        areas.tabs_line,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" calls not delivered ", theme.title()));
    let inner = block.inner(areas.body);
    frame.render_widget(block, areas.body);
    let words = crate::term::Unready {
        loading: "loading…",
        failed: "the outbox cannot be read",
        after: "",
    };
    if let Some(lines) = crate::term::unready(&view.items, words, inner.width, theme) {
        frame.render_widget(Paragraph::new(lines), inner);
    } else if items.is_empty() {
        let text = {
            let dropped = match view.dropped {
                0 => String::new(),
                1 => " (1 dropped by you)".to_owned(),
                n => format!(" ({n} dropped by you)"),
            };
            format!(
                "The outbox is empty: nothing waits to be delivered and no refused call is \
                 kept{dropped}. A call that cannot be delivered (no network, a timeout, a 5xx \
                 after retries) waits here and is sent when the server answers."
            )
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: true }),
            inner,
        );
    } else {
        let rows: Vec<Row> = items
            .iter()
            .map(|i| {
                let (state, style) = match i.state {
                    ItemState::Queued => (format!("waiting ×{}", i.attempts), theme.warning()),
                    ItemState::Rejected => (
                        format!("refused {}", i.status.unwrap_or(400)),
                        theme.error(),
                    ),
                };
                Row::new(vec![
                    Cell::from(format!("#{}", i.id)),
                    Cell::from(Span::styled(
                        crate::inspect::table::short_time(&i.queued_at),
                        theme.dim(),
                    )),
                    Cell::from(sanitize(&i.profile)),
                    Cell::from(sanitize(&i.method)),
                    Cell::from(Span::styled(state, style)),
                    Cell::from(sanitize(i.last_error.as_deref().unwrap_or(""))),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(5),
                Constraint::Length(19),
                Constraint::Length(10),
                Constraint::Length(8),
                Constraint::Length(11),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new(["id", "queued", "profile", "method", "state", "last error"])
                .style(theme.dim()),
        )
        .column_spacing(1)
        .row_highlight_style(theme.selected());
        let mut selection = TableState::default().with_selected(Some(view.selected));
        frame.render_stateful_widget(table, inner, &mut selection);
    }
}
