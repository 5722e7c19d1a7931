//! What is drawn over the screen: help, every confirmation (one drawer), the profile switcher.

use super::Theme;
use crate::api::Api;
use crate::sanitize::sanitize;
use crate::tui::confirm::{Prompt, Tone};
use crate::tui::help::{HelpView, KEYS_WIDTH, Row, box_width};
use crate::tui::keys::{Command, Context, Keymap};
use crate::tui::layout::centered;
use crate::tui::profile_editor::{BASE_FIELD, KEY_FIELD, LABELS, ProfileEditor};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

fn boxed(frame: &mut Frame<'_>, area: Rect, title: &str, lines: Vec<Line<'static>>, theme: Theme) {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A 76-column box of `lines`, a blank line and a dim hint, sized to fit.
pub fn with_hint(
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
    mut lines: Vec<Line<'static>>,
    hint: &str,
    theme: Theme,
) {
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(hint.to_owned(), theme.dim())));
    let height = lines.len() as u16 + 2;
    boxed(frame, centered(area, 76, height), title, lines, theme);
}

/// Every binding of the current context, then the console's (on the console) and the shared ones,
/// scrolled and filtered as `view` says; a footer says how to move and where the view is.
pub fn help(frame: &mut Frame<'_>, area: Rect, state: &State, view: &HelpView, theme: Theme) {
    let (rows, shown) = crate::tui::help::layout(
        &state.keymap,
        state.context(),
        view,
        (area.width, area.height),
    );
    let scroll = view
        .scroll
        .min(crate::tui::help::max_scroll(rows.len(), shown));
    let mut lines: Vec<Line<'static>> = rows
        .iter()
        .skip(scroll)
        .take(shown)
        .map(|row| match row {
            Row::Title(title) => Line::from(Span::styled(*title, theme.title())),
            Row::Entry { keys, what } => Line::from(vec![
                Span::styled(format!("{keys:<KEYS_WIDTH$}"), theme.focused_label()),
                Span::raw(what.clone()),
            ]),
            Row::Blank => Line::from(""),
            Row::Note(text) => Line::from(Span::styled(text.clone(), theme.dim())),
        })
        .collect();
    let place = if shown < rows.len() {
        format!(
            "  {}–{} of {}",
            scroll + 1,
            (scroll + shown).min(rows.len()),
            rows.len()
        )
    } else {
        String::new()
    };
    // The keys in force, as rebound: F1's own come from the keymap like every other.
    let key = |context, command| state.keymap.label(context, command);
    let footer = if view.typing || !view.filter.is_empty() {
        format!(
            "/{}{} · {} done · {} clears{place}",
            sanitize(&view.filter),
            if view.typing { "▏" } else { "" },
            key(Context::HelpFilter, Command::Accept),
            key(Context::HelpFilter, Command::Cancel),
        )
    } else {
        let help = |command| key(Context::Help, command);
        format!(
            "{} {}/{} {}/{} scroll · {} filter · {} close{place}",
            state.keymap.up_down(Context::Help),
            help(Command::PageUp),
            help(Command::PageDown),
            help(Command::First),
            help(Command::Last),
            help(Command::Search),
            help(Command::Back),
        )
    };
    lines.push(Line::from(Span::styled(footer, theme.dim())));
    let height = lines.len() as u16 + 2;
    boxed(
        frame,
        centered(area, box_width(area.width), height),
        "keys",
        lines,
        theme,
    );
}

pub fn profiles(frame: &mut Frame<'_>, area: Rect, state: &State, selected: usize, theme: Theme) {
    let default = state.profiles.default_name().to_owned();
    let lines: Vec<Line<'static>> = state
        .profiles
        .list()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = format!(
                "{} {:<12} {:<13} {}{}",
                if p.name == state.profile.name {
                    "●"
                } else {
                    " "
                },
                p.name,
                match p.api() {
                    _ if !p.key_from.is_file() =>
                        format!("key {}", crate::sanitize::sanitize(&p.key_from.describe())),
                    crate::api::Api::Tracking => p.key.labelled(),
                    crate::api::Api::Runtime =>
                        format!("{} {}", p.key.labelled(), p.key.describe()),
                },
                // Where the local server really listens, when this console knows.
                match (&state.local, p.is_local()) {
                    (Some(local), true) => local.url.as_str(),
                    _ => p.base_url.as_str(),
                },
                if p.name == default { "  (default)" } else { "" }
            );
            Line::from(Span::styled(
                text,
                if i == selected {
                    theme.selected()
                } else {
                    theme.label()
                },
            ))
        })
        .collect();
    with_hint(
        frame,
        area,
        "profiles",
        lines,
        &profiles_hint(&state.keymap),
        theme,
    );
}

/// The profile list's keys as bound: it falls back to the list's moves, as its keys do.
fn profiles_hint(keymap: &Keymap) -> String {
    let key = |command| keymap.label(Context::Profiles, command);
    format!(
        "{} choose · {} use · {} add · {} edit · {} delete · {} default · {} close",
        keymap.up_down(Context::Profiles),
        key(Command::Open),
        key(Command::AddProfile),
        key(Command::EditProfile),
        key(Command::DeleteProfile),
        key(Command::MakeDefault),
        key(Command::Back),
    )
}

/// The add/edit form; the key field shows bullets, never the key.
pub fn profile_editor(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &State,
    editor: &ProfileEditor,
    theme: Theme,
) {
    let key = |command| state.keymap.label(Context::ProfileEditor, command);
    let mut lines = Vec::new();
    for (i, label) in LABELS.iter().enumerate() {
        let input = &editor.inputs[i];
        let label = if i == KEY_FIELD {
            editor.key_label()
        } else {
            label
        };
        if i == BASE_FIELD {
            lines.push(api_row(editor, &key(Command::ToggleApi), theme));
        }
        let hint = (i == BASE_FIELD && input.text().is_empty()).then(|| editor.base_hint());
        let shown = if let Some(hint) = hint {
            hint
        } else if i == KEY_FIELD {
            if input.text().is_empty() {
                editor.key_hint.as_ref().map_or_else(
                    || "(typed hidden)".to_owned(),
                    |k| format!("unchanged: {k}"),
                )
            } else {
                "•".repeat(input.text().chars().count())
            }
        } else {
            sanitize(input.text())
        };
        let fixed = !editor.editable().contains(&i);
        let shown = if fixed && i == KEY_FIELD {
            editor.key_hint.clone().unwrap_or_default()
        } else {
            shown
        };
        let style = if i == editor.focus {
            theme.selected()
        } else if fixed {
            theme.dim()
        } else {
            theme.input()
        };
        let marker = if i == editor.focus { "▸ " } else { "  " };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{label:<18}"), theme.label()),
            Span::styled(format!(" {shown:<44}"), style),
        ]));
    }
    lines.push(Line::from(""));
    if let Some(error) = &editor.error {
        for line in crate::term::wrap(&format!("✗ {}", sanitize(error)), 74) {
            lines.push(Line::from(Span::styled(line, theme.error())));
        }
    }
    lines.push(Line::from(Span::styled(
        format!(
            "{} field · {} next/save · {} save · {} API · {} cancel",
            key(Command::NextField),
            key(Command::Accept),
            key(Command::Save),
            key(Command::ToggleApi),
            key(Command::Cancel),
        ),
        theme.dim(),
    )));
    if editor.builtin {
        lines.insert(
            LABELS.len() + 2,
            Line::from(Span::styled(
                "built in: its name, base URL and key are fixed; its default ids are yours",
                theme.dim(),
            )),
        );
    }
    let title = if editor.original.is_some() {
        "edit profile"
    } else {
        "add profile"
    };
    let height = lines.len() as u16 + 2;
    boxed(frame, centered(area, 76, height), title, lines, theme);
}

/// The API row: tracking (`{base}/{key}/{method}`) or runtime (Bearer key), Ctrl+T while adding.
fn api_row(editor: &ProfileEditor, toggle: &str, theme: Theme) -> Line<'static> {
    let shown = match (editor.api, editor.original.is_some()) {
        (Api::Tracking, false) => format!("tracking  ({toggle}: runtime, Reflag's Runtime API)"),
        (Api::Runtime, false) => format!("runtime, key as a Bearer header  ({toggle}: tracking)"),
        (Api::Tracking, true) => "tracking".to_owned(),
        (Api::Runtime, true) => "runtime, key as a Bearer header".to_owned(),
    };
    let style = if editor.original.is_some() {
        theme.dim()
    } else {
        theme.input()
    };
    Line::from(vec![
        Span::styled(format!("  {:<18}", "API"), theme.label()),
        Span::styled(format!(" {shown:<44}"), style),
    ])
}

/// Every confirmation, drawn from its prompt: the lines wrapped, the problems marked, a blank
/// line, and the answers.
pub fn confirm(frame: &mut Frame<'_>, area: Rect, prompt: &Prompt, theme: Theme) {
    const WIDTH: u16 = 76;
    let text_width = usize::from(WIDTH - 4);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (tone, text) in &prompt.lines {
        let (style, indent) = match tone {
            Tone::Plain => (ratatui::style::Style::new(), ""),
            Tone::Dim => (theme.dim(), ""),
            Tone::Problem => (theme.error(), "  "),
        };
        for (i, part) in crate::term::wrap(text, text_width - indent.len())
            .into_iter()
            .enumerate()
        {
            // A problem's continuation lines sit under its text, past the mark.
            let lead = if i > 0 && *tone == Tone::Problem {
                "    "
            } else {
                indent
            };
            lines.push(Line::from(Span::styled(format!("{lead}{part}"), style)));
        }
    }
    lines.push(Line::from(""));
    let mut answers = Vec::new();
    for (i, (keys, what)) in prompt.answers.iter().enumerate() {
        if i > 0 {
            answers.push(Span::raw("   "));
        }
        answers.push(Span::styled(*keys, theme.focused_label()));
        answers.push(Span::raw(format!(" {what}")));
    }
    lines.push(Line::from(answers));
    let height = lines.len() as u16 + 2;
    boxed(
        frame,
        centered(area, WIDTH, height),
        prompt.title,
        lines,
        theme,
    );
}
