//! The Flags view (F7): the context editor, every flag on or off, and the selected flag's rules
//! as trees whose filters show ✓, ✗ or "missing" with what they read. Only draws.

use super::Theme;
use crate::api::flags::explain::{FlagReport, Mark, TreeLine};
use crate::inspect::table::short_time;
use crate::sanitize::sanitize;
use crate::tui::flags::{FIELDS, FlagsView, Loaded};
use crate::tui::keys::{Command, Context, Keymap};
use crate::tui::layout::Areas;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};
use serde_json::Value;

/// The width of the list of flags.
const LIST_WIDTH: u16 = 30;

/// A flag's checks shown, newest first.
const RECENT_SHOWN: usize = 5;

pub fn draw(frame: &mut Frame<'_>, areas: &Areas, state: &State, theme: Theme) {
    let view = &state.flags;
    let source = match &view.loaded {
        Some(Ok(_)) if view.shows_trees() => "definitions (secret key), evaluated here",
        Some(Ok(_)) => "outcomes from the server (publishable key)",
        _ => "the profile's environment",
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Flags ", theme.active_tab()),
            Span::styled(format!("  {source}"), theme.dim()),
        ])),
        areas.tabs_line,
    );
    let [editor, rest] =
        Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(areas.body);
    context_editor(frame, editor, view, theme);
    let body = match &view.loaded {
        None => Some(("reading the flags…".to_owned(), theme.dim())),
        Some(Err(why)) => Some((sanitize(&why.to_string()), theme.error())),
        Some(Ok(_)) if view.reports.is_empty() => {
            Some(("this environment has no flags".to_owned(), theme.dim()))
        }
        Some(Ok(_)) => None,
    };
    if let Some((text, style)) = body {
        frame.render_widget(
            Paragraph::new(Span::styled(text, style))
                .wrap(Wrap { trim: true })
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .padding(Padding::horizontal(1)),
                ),
            rest,
        );
        return;
    }
    let [list, tree] =
        Layout::horizontal([Constraint::Length(LIST_WIDTH), Constraint::Fill(1)]).areas(rest);
    flag_list(frame, list, view, theme);
    if let Some(report) = view.reports.get(view.selected) {
        let company = view.editor.company().unwrap_or("");
        let mut lines = explanation(report, view.shows_trees(), company, theme);
        recent_checks(&mut lines, view, &report.key, theme);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((view.scroll, 0))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.border(true))
                        .padding(Padding::horizontal(1))
                        .title(Span::styled(
                            format!(" {} ", sanitize(&report.headline())),
                            theme.title(),
                        )),
                ),
            tree,
        );
    }
}

fn context_editor(
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    view: &FlagsView,
    theme: Theme,
) {
    let editing = view.editing.as_ref().map(|(field, _)| *field);
    let lines: Vec<Line<'_>> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let input = &view.editor.fields[i];
            let mut text = sanitize(input.text());
            let focused = editing == Some(i);
            if focused {
                let at = text
                    .char_indices()
                    .nth(input.cursor())
                    .map_or(text.len(), |(b, _)| b);
                text.insert(at, '▏');
            }
            let label = if focused {
                theme.focused_label()
            } else {
                theme.label()
            };
            let mut spans = vec![
                Span::styled(format!("{name:<12}"), label),
                Span::styled(text, theme.input()),
            ];
            if i == 2 {
                match view.editor.attributes() {
                    Err(why) => spans.push(Span::styled(
                        format!("  ✗ {}", sanitize(&why.to_string())),
                        theme.error(),
                    )),
                    Ok(a) if a.is_empty() && !focused => spans.push(Span::styled(
                        "company.plan=enterprise, user.role=admin",
                        theme.dim(),
                    )),
                    Ok(_) => {}
                }
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(editing.is_some()))
                .padding(Padding::horizontal(1))
                .title(Span::styled(" context ", theme.title())),
        ),
        area,
    );
}

fn flag_list(frame: &mut Frame<'_>, area: ratatui::layout::Rect, view: &FlagsView, theme: Theme) {
    let inner = usize::from(area.height.saturating_sub(2)).max(1);
    let first = view.selected.saturating_sub(inner - 1);
    let width = usize::from(LIST_WIDTH.saturating_sub(9));
    let lines: Vec<Line<'_>> = view
        .reports
        .iter()
        .enumerate()
        .skip(first)
        .take(inner)
        .map(|(i, r)| {
            let key: String = sanitize(&r.key).chars().take(width).collect();
            let (state, style) = if r.enabled {
                ("on ", theme.success())
            } else {
                ("off", theme.dim())
            };
            let line = Line::from(vec![
                Span::styled(format!(" {state} "), style),
                Span::raw(format!("{key:<width$}")),
                Span::raw(if r.missing.is_empty() { " " } else { "!" }),
            ]);
            if i == view.selected {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(
            format!(
                " {} ",
                crate::term::plural(view.reports.len() as u64, "flag")
            ),
            theme.title(),
        ))),
        area,
    );
}

fn mark_style(mark: Option<Mark>, theme: Theme) -> Style {
    match mark {
        Some(Mark::Pass) => theme.success(),
        Some(Mark::Fail) => theme.error(),
        Some(Mark::Missing) => theme.warning(),
        None => theme.dim(),
    }
}

fn tree_lines(out: &mut Vec<Line<'static>>, lines: &[TreeLine], indent: usize, theme: Theme) {
    for l in lines {
        out.push(Line::from(vec![
            Span::raw(" ".repeat(indent + 2 * l.depth)),
            Span::styled(
                l.mark.map_or("·", Mark::symbol).to_owned(),
                mark_style(l.mark, theme),
            ),
            Span::raw(format!(" {}", sanitize(&l.text))),
        ]));
    }
}

fn quoted(s: &str) -> String {
    sanitize(&Value::String(s.to_owned()).to_string())
}

/// The selected flag: each rule (its tree, or only its outcome), the config variants, what the
/// context lacked and what no `company` call has sent.
fn explanation(r: &FlagReport, trees: bool, company: &str, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (i, (result, lines)) in r.rules.iter().enumerate() {
        match lines {
            Some(lines) => {
                out.push(Line::from(Span::styled(
                    format!("rule {}", i + 1),
                    theme.label(),
                )));
                tree_lines(&mut out, lines, 2, theme);
            }
            None => {
                let mark = if *result { Mark::Pass } else { Mark::Fail };
                out.push(Line::from(vec![
                    Span::styled(format!("rule {} ", i + 1), theme.label()),
                    Span::styled(mark.symbol(), mark_style(Some(mark), theme)),
                ]));
            }
        }
    }
    if r.rules.is_empty() {
        out.push(Line::from(Span::styled(
            "no rules: always off",
            theme.dim(),
        )));
    }
    if !r.variants.is_empty() {
        out.push(Line::from(Span::styled("config variants", theme.label())));
        let chosen = r.variant.as_ref().map(|(k, _)| k.as_str());
        let mut first_match = true;
        for (key, matched, lines) in &r.variants {
            let is_chosen = *matched && first_match && chosen == Some(key.as_str());
            first_match &= !*matched;
            out.push(Line::from(vec![
                Span::raw(format!("  {}", quoted(key))),
                Span::styled(if is_chosen { "  ← chosen" } else { "" }, theme.success()),
            ]));
            tree_lines(&mut out, lines, 4, theme);
        }
    }
    if let Some((key, payload)) = &r.variant {
        out.push(Line::from(vec![
            Span::styled("config ", theme.label()),
            Span::raw(format!(
                "{} {}",
                quoted(key),
                sanitize(&payload.to_string())
            )),
        ]));
    }
    if !r.missing.is_empty() {
        out.push(Line::from(vec![
            Span::styled("missing from the context: ", theme.warning()),
            Span::raw(sanitize(&r.missing.join(", "))),
        ]));
    }
    for field in &r.unsent {
        out.push(Line::from(Span::styled(
            format!(
                "⚠ {} is read, but no company call has sent it for {}: Reflag's targeting reads \
                 what /company stored",
                sanitize(field),
                sanitize(company)
            ),
            theme.warning(),
        )));
    }
    if !trees {
        out.push(Line::from(Span::styled(
            "a publishable key sees only each rule's outcome: a secret-key profile shows every \
             filter",
            theme.dim(),
        )));
    }
    out
}

/// The flag's newest checks the store holds, and why there are few.
fn recent_checks(out: &mut Vec<Line<'static>>, view: &FlagsView, flag: &str, theme: Theme) {
    let Some(Ok(Loaded {
        checks: Some(checks),
        ..
    })) = &view.loaded
    else {
        return;
    };
    out.push(Line::from(vec![
        Span::styled("recent checks ", theme.label()),
        Span::styled(
            "(the SDKs send at most one check per flag and context a minute, so the list is sparse)",
            theme.dim(),
        ),
    ]));
    let mine: Vec<_> = checks
        .iter()
        .filter(|c| c.flag_key == flag)
        .take(RECENT_SHOWN)
        .collect();
    if mine.is_empty() {
        out.push(Line::from(Span::styled(
            "  none stored for this flag yet",
            theme.dim(),
        )));
    }
    for check in mine {
        let id = |entity: &str| match &check.context[entity]["id"] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let who: Vec<String> = [("user", id("user")), ("company", id("company"))]
            .into_iter()
            .filter_map(|(what, id)| id.map(|id| format!("{what} {}", sanitize(&id))))
            .collect();
        out.push(Line::from(vec![
            Span::styled(
                format!("  {}  ", short_time(&check.received_at)),
                theme.dim(),
            ),
            Span::raw(sanitize(&check.summary())),
            Span::styled(
                if who.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", who.join(", "))
                },
                theme.dim(),
            ),
        ]));
    }
}

pub fn status_text(keymap: &Keymap) -> String {
    format!(
        " {} edits the context (user id, company id, attributes) · {} reads the flags again",
        keymap.label(Context::Flags, Command::Edit),
        keymap.label(Context::Flags, Command::Reload)
    )
}
