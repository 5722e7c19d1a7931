//! One exchange whole: request, attempts, response (headers and body, highlighted), warnings and
//! the validation errors as a list to jump from.

use super::Theme;
use crate::sanitize::sanitize;
use crate::tui::keys::{Command, Context};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let Some(detail) = &state.detail else { return };
    let Some(e) = state.log.entries().get(detail.index) else {
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
    let mut lines = detail.lines.clone();
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
        let key = |context, command| state.keymap.label(context, command);
        let hint = if search.typing {
            format!(
                "{} find · {} cancel",
                key(Context::DetailSearch, Command::Accept),
                key(Context::DetailSearch, Command::Cancel)
            )
        } else {
            format!(
                "{found} line(s) · {} next · {} previous · {} new · {} clear",
                key(Context::Detail, Command::NextMatch),
                key(Context::Detail, Command::PrevMatch),
                key(Context::Detail, Command::Search),
                key(Context::Detail, Command::Back)
            )
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
