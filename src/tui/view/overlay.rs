//! What is drawn over the screen: help, the send-anyway question, the profile switcher.

use super::Theme;
use crate::api::Api;
use crate::sanitize::sanitize;
use crate::tui::help::{HelpView, KEYS_WIDTH, Row, box_width};
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
    hint: &'static str,
    theme: Theme,
) {
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(hint, theme.dim())));
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
    let footer = if view.typing || !view.filter.is_empty() {
        format!(
            "/{}{} · Enter done · Esc clears{place}",
            sanitize(&view.filter),
            if view.typing { "▏" } else { "" }
        )
    } else {
        format!("↑↓ PgUp/PgDn Home/End scroll · / filter · Esc close{place}")
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

/// Send anyway? naming the problems (the first four; the form shows them all).
pub fn confirm(frame: &mut Frame<'_>, area: Rect, state: &State, problems: usize, theme: Theme) {
    const SHOWN: usize = 4;
    let mut lines = vec![Line::from(format!(
        "This body has {problems} problem(s) by the server's rules:"
    ))];
    let named = state.form().problems();
    for p in named.iter().take(SHOWN) {
        let p: String = sanitize(p).chars().take(70).collect();
        lines.push(Line::from(Span::styled(format!("  ✗ {p}"), theme.error())));
    }
    if named.len() > SHOWN {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more on the form", named.len() - SHOWN),
            theme.dim(),
        )));
    }
    let question = if state.batch.is_some() {
        "Add it to the batch anyway, to see what the server answers?"
    } else {
        "Send it anyway, to see what the server answers?"
    };
    lines.extend([
        Line::from(question),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter/y", theme.focused_label()),
            Span::raw(" send anyway   "),
            Span::styled("Esc/n", theme.focused_label()),
            Span::raw(" keep editing"),
        ]),
    ]);
    let height = lines.len() as u16 + 2;
    boxed(
        frame,
        centered(area, 76, height),
        "send anyway?",
        lines,
        theme,
    );
}

/// Nothing can be sent while the console has problems of its own: they are named apart from the
/// server's, with what to do, and there is no "anyway".
pub fn cannot_send(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    const SHOWN: usize = 3;
    let console = state.form().console_problems();
    let server: Vec<String> = state
        .form()
        .problems()
        .into_iter()
        .filter(|p| !console.contains(p))
        .collect();
    let mut lines = Vec::new();
    for (title, named) in [
        (
            "The console cannot send this body as the form shows it:",
            &console,
        ),
        ("The server's rules would refuse it too:", &server),
    ] {
        if named.is_empty() {
            continue;
        }
        lines.push(Line::from(title));
        for p in named.iter().take(SHOWN) {
            for (i, part) in crate::term::wrap(&sanitize(p), 70).into_iter().enumerate() {
                let mark = if i == 0 { "✗" } else { " " };
                lines.push(Line::from(Span::styled(
                    format!("  {mark} {part}"),
                    theme.error(),
                )));
            }
        }
        if named.len() > SHOWN {
            lines.push(Line::from(Span::styled(
                format!("  … and {} more on the form", named.len() - SHOWN),
                theme.dim(),
            )));
        }
    }
    lines.extend([
        Line::from("Nothing was sent. Fix the console's problems first (a value can be"),
        Line::from("made a string); what only the server refuses can then be sent anyway."),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter/Esc", theme.focused_label()),
            Span::raw(" back to the form"),
        ]),
    ]);
    let height = lines.len() as u16 + 2;
    boxed(
        frame,
        centered(area, 76, height),
        "cannot send",
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
        "↑↓ choose · Enter use · a add · e edit · d delete · * default · Esc close",
        theme,
    );
}

/// The add/edit form; the key field shows bullets, never the key.
pub fn profile_editor(frame: &mut Frame<'_>, area: Rect, editor: &ProfileEditor, theme: Theme) {
    let mut lines = Vec::new();
    for (i, label) in LABELS.iter().enumerate() {
        let input = &editor.inputs[i];
        let label = if i == KEY_FIELD {
            editor.key_label()
        } else {
            label
        };
        if i == BASE_FIELD {
            lines.push(api_row(editor, theme));
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
        "Tab/↑↓ field · Enter next/save · Ctrl+S save · Ctrl+T API · Esc cancel",
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
fn api_row(editor: &ProfileEditor, theme: Theme) -> Line<'static> {
    let shown = match (editor.api, editor.original.is_some()) {
        (Api::Tracking, false) => "tracking  (Ctrl+T: runtime, Reflag's Runtime API)",
        (Api::Runtime, false) => "runtime, key as a Bearer header  (Ctrl+T: tracking)",
        (Api::Tracking, true) => "tracking",
        (Api::Runtime, true) => "runtime, key as a Bearer header",
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

pub fn confirm_import(frame: &mut Frame<'_>, area: Rect, method: crate::api::Method, theme: Theme) {
    let lines = vec![
        Line::from(format!(
            "That is a curl command for `{method}`. Import it into the form?"
        )),
        Line::from(Span::styled(
            "Its key and base URL are dropped: profiles hold them.",
            theme.dim(),
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter/y", theme.focused_label()),
            Span::raw(" import   "),
            Span::styled("Esc/n", theme.focused_label()),
            Span::raw(" paste it as text"),
        ]),
    ];
    boxed(frame, centered(area, 66, 6), "import curl?", lines, theme);
}

pub fn confirm_delete(frame: &mut Frame<'_>, area: Rect, name: &str, theme: Theme) {
    let lines = vec![
        Line::from(format!("Delete the profile `{name}` and its stored key?")),
        Line::from(""),
        Line::from(vec![
            Span::styled("Enter/y", theme.focused_label()),
            Span::raw(" delete   "),
            Span::styled("Esc/n", theme.focused_label()),
            Span::raw(" keep it"),
        ]),
    ];
    boxed(
        frame,
        centered(area, 60, 5),
        "delete profile?",
        lines,
        theme,
    );
}
