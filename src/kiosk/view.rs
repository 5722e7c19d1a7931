//! Drawing the kiosk: a pure function of its state. Big question, five faces, a comment box, a
//! thank-you, a discreet status line; and the results at the end.

use super::state::{Ending, KioskState, Link, Step};
use crate::api::Score;
use crate::sanitize::sanitize;
use crate::term::{Theme, plural, result_lines};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::TextArea;

const FACES: [&str; 5] = ["😞", "🙁", "😐", "🙂", "😄"];
/// Columns per face option.
const OPTION_WIDTH: u16 = 15;

/// The row the faces are drawn on, and the first column of the first face.
fn faces_origin(size: (u16, u16)) -> (u16, u16) {
    let (w, h) = size;
    let row = (h / 2).saturating_sub(1);
    let left = w.saturating_sub(OPTION_WIDTH * 5) / 2;
    (left, row)
}

/// The score whose face (or label) is at a click.
pub fn face_at(size: (u16, u16), x: u16, y: u16) -> Option<u8> {
    let (left, row) = faces_origin(size);
    if !(row..=row + 2).contains(&y) {
        return None;
    }
    let i = x.checked_sub(left)? / OPTION_WIDTH;
    (i < 5).then(|| i as u8 + 1)
}

pub fn draw(frame: &mut Frame<'_>, state: &KioskState) {
    let theme = Theme {
        color: state.color,
        palette: state.palette,
    };
    let area = frame.area();
    if state.ending != Ending::Running {
        results(frame, area, state, theme);
        return;
    }
    let row = faces_origin((area.width, area.height)).1;
    let bold = Style::new().add_modifier(Modifier::BOLD);
    match &state.step {
        Step::Name(input) => {
            centered(
                frame,
                row.saturating_sub(3),
                Span::styled("Welcome! What is your name or email?", bold),
            );
            centered(
                frame,
                row.saturating_sub(1),
                Span::styled(format!("{}▏", sanitize(input.text())), theme.input()),
            );
            centered(
                frame,
                row + 1,
                Span::styled(
                    "Enter to continue · leave it empty to stay anonymous",
                    theme.dim(),
                ),
            );
        }
        Step::Score { cursor } => {
            centered(
                frame,
                row.saturating_sub(4),
                Span::styled(sanitize(&state.question), bold),
            );
            centered(
                frame,
                row.saturating_sub(3),
                Span::styled(sanitize(&state.feature), theme.dim()),
            );
            faces(frame, *cursor, theme);
            centered(
                frame,
                row + 4,
                Span::styled(
                    "Press 1–5, or ←/→ and Enter, or click a face · C to comment without a score",
                    theme.dim(),
                ),
            );
        }
        Step::Comment(area_box) => comment(frame, state, area_box, theme),
        Step::Thanks { .. } => {
            centered(
                frame,
                row,
                Span::styled(
                    "Feedback received, thank you!",
                    theme.success().add_modifier(Modifier::BOLD),
                ),
            );
        }
    }
    if let Some(left) = state.countdown() {
        centered(
            frame,
            area.height.saturating_sub(3),
            Span::styled(
                format!("No one there? This form resets in {left} s · any key keeps it"),
                theme.warning(),
            ),
        );
    }
    status(frame, area, state, theme);
}

/// One line centred across the screen at row `y`.
fn centered(frame: &mut Frame<'_>, y: u16, span: Span<'static>) {
    let area = frame.area();
    if y < area.height {
        frame.render_widget(
            Paragraph::new(Line::from(span)).alignment(Alignment::Center),
            Rect {
                x: 0,
                y,
                width: area.width,
                height: 1,
            },
        );
    }
}

/// The five faces with their numbers, and their labels under them (two lines, so "Very
/// dissatisfied" fits a narrow option).
fn faces(frame: &mut Frame<'_>, cursor: u8, theme: Theme) {
    let area = frame.area();
    let (left, row) = faces_origin((area.width, area.height));
    for score in 1..=5u8 {
        let x = left + OPTION_WIDTH * u16::from(score - 1);
        let width = OPTION_WIDTH.min(area.width.saturating_sub(x));
        let style = if cursor == score {
            theme.score(score).add_modifier(Modifier::REVERSED)
        } else {
            theme.score(score)
        };
        let face = format!("{}  {score}", FACES[usize::from(score - 1)]);
        frame.render_widget(
            Paragraph::new(Span::styled(face, style)).alignment(Alignment::Center),
            Rect {
                x,
                y: row,
                width,
                height: 1,
            },
        );
        let label = Score::new(score).map_or("", Score::label);
        frame.render_widget(
            Paragraph::new(Span::styled(label, theme.score(score)))
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            Rect {
                x,
                y: row + 1,
                width,
                height: 2.min(area.height.saturating_sub(row + 1)),
            },
        );
    }
}

fn comment(frame: &mut Frame<'_>, state: &KioskState, area_box: &TextArea<'static>, theme: Theme) {
    let area = frame.area();
    let row = faces_origin((area.width, area.height)).1;
    let title = match state.respondent.score {
        Some(s) => format!("Thanks for the {s}! Anything to add?"),
        None => "What would you like to tell us?".to_owned(),
    };
    centered(
        frame,
        row.saturating_sub(4),
        Span::styled(title, Style::new().add_modifier(Modifier::BOLD)),
    );
    let width = area.width.saturating_sub(8).min(70);
    let rect = Rect {
        x: (area.width - width) / 2,
        y: row.saturating_sub(2),
        width,
        height: 6.min(area.height.saturating_sub(row)),
    };
    let mut boxed = area_box.clone();
    boxed.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(true)),
    );
    frame.render_widget(&boxed, rect);
    centered(
        frame,
        rect.y + rect.height + 1,
        Span::styled("Enter sends · Alt+Enter new line · Esc skips", theme.dim()),
    );
}

fn status(frame: &mut Frame<'_>, area: Rect, state: &KioskState, theme: Theme) {
    let (dot, style) = match state.link {
        Link::Unknown => ("○ not used yet", theme.dim()),
        Link::Online => ("● online", theme.success()),
        Link::Offline => (
            "● offline: answers are kept and sent later",
            theme.warning(),
        ),
    };
    let average = state
        .average()
        .map_or_else(|| "–".to_owned(), |a| format!("{a:.1}"));
    let line = Line::from(vec![
        Span::styled(
            format!(
                " {} · average {average} · {} waiting in the outbox · ",
                plural(u64::from(state.responses), "response"),
                state.outbox_waiting
            ),
            theme.dim(),
        ),
        Span::styled(dot, style),
    ]);
    frame.render_widget(
        Paragraph::new(line),
        Rect {
            x: 0,
            y: area.height.saturating_sub(1),
            width: area.width,
            height: 1,
        },
    );
}

fn results(frame: &mut Frame<'_>, area: Rect, state: &KioskState, theme: Theme) {
    let mut lines = vec![Line::from(Span::styled(
        format!("Results for {}", sanitize(&state.feature)),
        theme.title(),
    ))];
    let words = crate::term::Unready {
        loading: "loading…",
        failed: "the results could not be read",
        after: "",
    };
    match state.results.ready() {
        Some(r) => lines.extend(result_lines(r, area.width, theme)),
        None => lines.extend(
            crate::term::unready(&state.results, words, area.width.saturating_sub(2), theme)
                .unwrap_or_default(),
        ),
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Any key leaves the kiosk.",
        theme.dim(),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .title(" kiosk session over "),
            )
            .wrap(Wrap { trim: false }),
        area,
    );
}
