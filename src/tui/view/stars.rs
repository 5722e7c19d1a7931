//! The Features view (F6): each feature's STARS funnel as bars; a feature opened shows its
//! companies step by step, each with what keeps it from the next step.

use super::{Theme, retries_hint};
use crate::api::stars::{Funnel, Step};
use crate::sanitize::sanitize;
use crate::term::stars::{bar, fraction, step_figures, usage_text as usage, window_text as window};
use crate::term::{Unready, unready};
use crate::tui::keys::Context;
use crate::tui::layout::Areas;
use crate::tui::stars::Drill;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph};

pub fn draw(frame: &mut Frame<'_>, areas: &Areas, state: &State, theme: Theme) {
    let view = &state.stars;
    let source = view.source.as_deref().map_or_else(
        || "every event and featureId seen".to_owned(),
        |file| format!("features from {}", sanitize(file)),
    );
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Features ", theme.active_tab()),
            Span::styled(
                format!("  STARS funnel per company · {source}"),
                theme.dim(),
            ),
        ])),
        areas.tabs_line,
    );
    let inner_height = usize::from(areas.body.height.saturating_sub(2));
    let width = areas.body.width.saturating_sub(4);
    let (lines, focus_line) = match &view.opened {
        Some(drill) => drill_lines(drill, &state.keymap, width, theme),
        None => list_lines(state, width, theme),
    };
    // Keep the selected line in sight with the few lines under it (its bars), never scrolling
    // past the end.
    let scroll = (focus_line + 7)
        .saturating_sub(inner_height)
        .min(lines.len().saturating_sub(inner_height));
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .padding(Padding::horizontal(1)),
            )
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        areas.body,
    );
}

/// A message as lines that fit: the view does not wrap, so that its line numbers are its rows.
fn message(text: &str, width: u16, style: ratatui::style::Style) -> Vec<Line<'static>> {
    crate::term::wrap(text, usize::from(width.max(10)))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

fn funnel_rows(f: &Funnel, width: u16, theme: Theme, lines: &mut Vec<Line<'static>>) {
    let bar_width = usize::from(width.saturating_sub(44)).clamp(8, 40);
    for row in f.rows() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<10}", row.step.title()), theme.label()),
            Span::styled(
                format!("{:<bar_width$}", bar(fraction(f, &row), bar_width)),
                theme.success(),
            ),
            Span::raw(step_figures(&row)),
        ]));
    }
    // Wrapped under its sign: the note ends with the users to send a company call for.
    if let Some(note) = f.excluded_note() {
        let text = format!("⚠ {}", sanitize(&note));
        let wrapped = crate::term::wrap(&text, usize::from(width.saturating_sub(4).max(10)));
        for (i, l) in wrapped.into_iter().enumerate() {
            let indent = if i == 0 { "  " } else { "    " };
            lines.push(Line::from(Span::styled(
                format!("{indent}{l}"),
                theme.warning(),
            )));
        }
    }
}

/// The list, and the line of the selected feature.
fn list_lines(state: &State, width: u16, theme: Theme) -> (Vec<Line<'static>>, usize) {
    let view = &state.stars;
    let mut lines = Vec::new();
    let retries = retries_hint(&state.keymap, Context::Features);
    let words = Unready {
        loading: "computing the funnels…",
        failed: "the funnels could not be computed",
        after: &retries,
    };
    if let Some(unready) = unready(&view.loaded, words, width, theme) {
        lines.extend(unready);
        if view.loaded.failure().is_some() {
            lines.extend(message(
                "The Features view needs the local server's store: the built-in `local` \
                 profile, or a profile pointing at `bucket-console serve`.",
                width,
                theme.dim(),
            ));
        }
        return (lines, 0);
    }
    let Some(all) = view.loaded.ready() else {
        return (lines, 0);
    };
    if all.is_empty() {
        lines.extend(message(
            "No features yet: nothing stored for this key. Send an event (Alt+3), define \
             [features.NAME] in bucket-console.toml, or fill a demo with \
             `bucket-console run stars-demo --collection assets/stars-demo.toml`.",
            width,
            theme.dim(),
        ));
        return (lines, 0);
    }
    let mut focus = 0;
    for (i, f) in all.iter().enumerate() {
        let selected = i == view.selected;
        if selected {
            focus = lines.len();
        }
        let marker = if selected { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{marker}{}", sanitize(&f.feature)),
                if selected {
                    theme.selected()
                } else {
                    theme.title()
                },
            ),
            Span::styled(format!("  {}", usage(f)), theme.dim()),
        ]));
        lines.push(Line::from(Span::styled(
            format!("  {}", window(f)),
            theme.dim(),
        )));
        funnel_rows(f, width, theme, &mut lines);
        lines.push(Line::from(""));
    }
    (lines, focus)
}

/// The drill-down, and the line of the selected row.
fn drill_lines(
    drill: &Drill,
    keymap: &crate::tui::keys::Keymap,
    width: u16,
    theme: Theme,
) -> (Vec<Line<'static>>, usize) {
    let mut lines = Vec::new();
    let feature = sanitize(&drill.feature);
    let loading = format!("computing {feature}…");
    let retries = retries_hint(keymap, Context::FeaturesDetail);
    let words = Unready {
        loading: &loading,
        failed: &feature,
        after: &retries,
    };
    if let Some(unready) = unready(&drill.loaded, words, width, theme) {
        lines.extend(unready);
        return (lines, 0);
    }
    let Some(f) = drill.loaded.ready() else {
        return (lines, 0);
    };
    lines.push(Line::from(vec![
        Span::styled(sanitize(&f.feature), theme.title()),
        Span::styled(format!("  {}", usage(f)), theme.dim()),
    ]));
    lines.push(Line::from(Span::styled(window(f), theme.dim())));
    funnel_rows(f, width, theme, &mut lines);
    let rows = drill.rows();
    let mut focus = 0;
    let mut index = 0;
    for step in Step::ALL.iter().rev().filter(|s| s.applies(f.kind)) {
        let at: Vec<_> = f.at(*step).collect();
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("{} · {}", step_heading(*step), at.len()),
            theme.title(),
        )));
        if at.is_empty() {
            lines.push(Line::from(Span::styled("  none", theme.dim())));
        }
        for s in at {
            let selected = index == drill.selected;
            if selected {
                focus = lines.len();
            }
            index += 1;
            let facts = match (f.kind, &s.last_use) {
                (crate::api::stars::Kind::Attribute, _) => String::new(),
                (_, Some(last)) => format!("{:>2} days · last {last}", s.days),
                (_, None) => format!("{:>2} days", s.days),
            };
            let score = s
                .score
                .map_or_else(String::new, |n| format!(" · score {n}"));
            let why = s
                .why_not_next
                .as_deref()
                .map_or_else(String::new, |w| format!("  → {}", sanitize(w)));
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        "{}{:<16}",
                        if selected { "▶ " } else { "  " },
                        sanitize(&s.company_id)
                    ),
                    if selected {
                        theme.selected()
                    } else {
                        theme.input()
                    },
                ),
                Span::styled(format!(" {facts}{score}"), theme.dim()),
                Span::styled(why, theme.warning()),
            ]));
        }
    }
    let move_on = keymap.label(
        crate::tui::keys::Context::FeaturesDetail,
        crate::tui::keys::Command::UseInForm,
    );
    left_out(
        f,
        (drill, &move_on),
        &mut index,
        &mut focus,
        &mut lines,
        theme,
    );
    debug_assert_eq!(index, rows.len());
    (lines, focus)
}

/// The users left out, selectable after the companies.
fn left_out(
    f: &Funnel,
    (drill, move_on): (&Drill, &str),
    index: &mut usize,
    focus: &mut usize,
    lines: &mut Vec<Line<'static>>,
    theme: Theme,
) {
    if !f.excluded_user_ids.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "Left out: users in no company · {} ({} events)",
                f.excluded_users, f.excluded_events
            ),
            theme.warning(),
        )));
        for user in &f.excluded_user_ids {
            let selected = *index == drill.selected;
            if selected {
                *focus = lines.len();
            }
            *index += 1;
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        "{}{:<16}",
                        if selected { "▶ " } else { "  " },
                        sanitize(user)
                    ),
                    if selected {
                        theme.selected()
                    } else {
                        theme.input()
                    },
                ),
                Span::styled(
                    format!("  → {move_on} gives this user a company"),
                    theme.dim(),
                ),
            ]));
        }
    }
}

fn step_heading(step: Step) -> &'static str {
    match step {
        Step::Satisfied => "Satisfied: retained, latest score high",
        Step::Retained => "Retained: adopted long ago and still using it",
        Step::Adopted => "Adopted: used on enough separate days",
        Step::Tried => "Tried: used in the window",
        Step::Segment => "In the segment, not tried",
    }
}
