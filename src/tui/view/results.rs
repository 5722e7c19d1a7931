//! The Results view (F5): per feature, the responses, the distribution of scores as bars, the
//! average and the comments newest first; the same figures the kiosk shows at the end.

use super::{Theme, retries_hint};
use crate::sanitize::sanitize;
use crate::term::{Unready, result_lines, unready};
use crate::tui::keys::Context;
use crate::tui::layout::Areas;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, areas: &Areas, state: &State, theme: Theme) {
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Results ", theme.active_tab()),
            Span::styled("  feedback per feature", theme.dim()),
        ])),
        areas.tabs_line,
    );
    let mut lines: Vec<Line<'static>> = Vec::new();
    let retries = retries_hint(&state.keymap, Context::Results);
    let words = Unready {
        loading: "loading…",
        failed: "the results could not be read",
        after: &retries,
    };
    let width = areas.body.width.saturating_sub(4);
    match state.results.loaded.ready() {
        None => {
            lines.extend(unready(&state.results.loaded, words, width, theme).unwrap_or_default());
        }
        Some(all) if all.is_empty() => lines.push(Line::from(Span::styled(
            "No feedback yet for this tracking key. Send one from the feedback form, or run \
             `bucket-console kiosk --feature FEATURE_ID` at your booth.",
            theme.dim(),
        ))),
        Some(all) => {
            for r in all {
                lines.push(Line::from(Span::styled(
                    format!("▍{}", sanitize(&r.feature)),
                    theme.title(),
                )));
                lines.extend(result_lines(r, areas.body.width.saturating_sub(4), theme));
                lines.push(Line::from(""));
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .padding(Padding::horizontal(1)),
            )
            .wrap(Wrap { trim: false })
            .scroll((state.results.scroll, 0)),
        areas.body,
    );
}
