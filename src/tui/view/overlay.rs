//! What is drawn over the screen: help, the send-anyway question, the profile switcher.

use super::Theme;
use crate::sanitize::sanitize;
use crate::tui::keys::{self, Context};
use crate::tui::layout::centered;
use crate::tui::profile_editor::{BASE_FIELD, DEFAULT_BASE, KEY_FIELD, LABELS, ProfileEditor};
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

/// Every binding of the current context, then the console's (on the console) and the shared ones.
pub fn help(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let here = super::context(state);
    let mut contexts = vec![here];
    if here.on_console() && here != Context::Console {
        contexts.push(Context::Console);
    }
    contexts.push(Context::Anywhere);
    let mut lines = Vec::new();
    for (i, context) in contexts.iter().enumerate() {
        if i > 0 {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(context.title(), theme.title())));
        for (keys, what) in keys::help_lines(*context) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<24}", format!("{keys} ")),
                    theme.focused_label(),
                ),
                Span::raw(what),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Mouse: click tabs, fields and log rows; wheel scrolls the log. Esc closes. The names in [ ] rebind in config.toml.",
        theme.dim(),
    )));
    // As wide as the terminal allows (up to 118), so the commands' names show in full.
    let width = area.width.saturating_sub(2).clamp(76, 118);
    let height = lines.len() as u16 + 2;
    boxed(frame, centered(area, width, height), "keys", lines, theme);
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
    lines.extend([
        Line::from("Send it anyway, to see what the server answers?"),
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
        let hint = (i == BASE_FIELD && input.text().is_empty())
            .then(|| format!("{DEFAULT_BASE} (when left empty)"));
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
        lines.push(Line::from(Span::styled(
            format!("✗ {}", sanitize(error)),
            theme.error(),
        )));
    }
    lines.push(Line::from(Span::styled(
        "Tab/↑↓ field · Enter next (save on the last) · Ctrl+S save · Esc cancel",
        theme.dim(),
    )));
    if editor.builtin {
        lines.insert(
            LABELS.len() + 1,
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
