//! The Ctrl+O overlay: the collection's requests and scenarios, filtered as you type, and the
//! file's state (none here, or an edit that does not load, by file:line).

use super::Theme;
use super::overlay::with_hint;
use crate::sanitize::sanitize;
use crate::tui::collection::{EntryKind, Picker};
use crate::tui::keys::{Command, Context, Keymap};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Entries shown at most; the filter narrows a longer list.
const SHOWN: usize = 14;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, picker: &Picker, theme: Theme) {
    let entries = state.collection.entries(picker.filter.text());
    let mut lines = vec![Line::from(vec![
        Span::styled("filter: ", theme.label()),
        Span::raw(sanitize(picker.filter.text())),
        Span::styled("▏", theme.dim()),
    ])];
    let first = picker.selected.saturating_sub(SHOWN - 1);
    for (i, entry) in entries.iter().enumerate().skip(first).take(SHOWN) {
        let what = match &entry.kind {
            EntryKind::Request { method, templated } => format!(
                "request   {:<9}{}",
                method.as_str(),
                if *templated { " {{…}}" } else { "" }
            ),
            EntryKind::Scenario { steps } => format!(
                "scenario  {steps} step{}",
                if *steps == 1 { "" } else { "s" }
            ),
        };
        let text = format!(" {:<28} {what}", sanitize(&entry.name));
        let style = if i == picker.selected {
            theme.selected()
        } else {
            theme.label()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let note = match (&state.collection.loaded, &state.collection.problem) {
        (None, None) => Some((
            "no bucket-console.toml here or in a parent directory (`bucket-console man run` shows the format)"
                .to_owned(),
            theme.dim(),
        )),
        // One problem a line, each wrapped on its own: run together they could not be told apart.
        (_, Some(problem)) => Some((
            format!("✗ the file does not load; showing what last did:\n{problem}"),
            theme.error(),
        )),
        (Some(_), None) if entries.is_empty() => {
            Some(("nothing matches the filter".to_owned(), theme.dim()))
        }
        _ => None,
    };
    if let Some((text, style)) = note {
        for line in text.lines().flat_map(|l| crate::term::wrap(l, 72)) {
            lines.push(Line::from(Span::styled(line, style)));
        }
    }
    with_hint(
        frame,
        area,
        "saved requests",
        lines,
        &picker_hint(&state.keymap),
        theme,
    );
}

/// The saved requests' keys as bound; typing filters (a fixed key, not a binding).
fn picker_hint(keymap: &Keymap) -> String {
    let key = |command| keymap.label(Context::Picker, command);
    format!(
        "type to filter · {} choose · {} load into the form · {} close",
        keymap.up_down(Context::Picker),
        key(Command::Open),
        key(Command::Back),
    )
}

/// A scenario's run: each call's step, status and verdict as they arrive.
pub fn scenario(
    frame: &mut Frame<'_>,
    area: Rect,
    run: &crate::tui::collection::ScenarioRun,
    keymap: &Keymap,
    theme: Theme,
) {
    use crate::collection::run::Verdict;
    let passed = run
        .calls
        .iter()
        .filter(|c| c.verdict == Verdict::Passed)
        .count();
    let state = if run.done {
        format!("done: {passed} of {} passed", run.calls.len())
    } else {
        "running…".to_owned()
    };
    let mut lines = vec![Line::from(Span::styled(state, theme.label()))];
    let first = run.selected.saturating_sub(SHOWN - 1);
    for (i, call) in run.calls.iter().enumerate().skip(first).take(SHOWN) {
        let (mark, why, style) = match &call.verdict {
            Verdict::Passed => ("✓", String::new(), theme.success()),
            Verdict::Failed(w) | Verdict::Refused(w) | Verdict::Undelivered(w) => {
                ("✗", format!(": {}", sanitize(w)), theme.error())
            }
        };
        let status = call
            .status
            .map_or_else(|| "---".to_owned(), |s| s.to_string());
        let text = super::fit(
            &format!(
                "{mark} step {:<3} {:<9}{status}{why}",
                call.step,
                call.method.as_str()
            ),
            72,
        );
        let style = if i == run.selected {
            theme.selected()
        } else {
            style
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    with_hint(
        frame,
        area,
        &format!("scenario {}", sanitize(&run.name)),
        lines,
        &scenario_hint(keymap),
        theme,
    );
}

/// A scenario run's keys as bound.
fn scenario_hint(keymap: &Keymap) -> String {
    let key = |command| keymap.label(Context::Scenario, command);
    format!(
        "{} choose a call · {} open its exchange · {} close",
        keymap.up_down(Context::Scenario),
        key(Command::Open),
        key(Command::Back),
    )
}

/// `x`: the forms an exchange can be copied as.
pub fn copy_as(frame: &mut Frame<'_>, area: Rect, selected: usize, keymap: &Keymap, theme: Theme) {
    use crate::client::code::Format;
    let lines = Format::ALL
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let what = match f {
                Format::Curl => "curl, key as $BUCKET_TRACKING_KEY",
                Format::Httpie => "HTTPie (http --raw)",
                Format::Fetch => "JavaScript fetch",
                Format::Python => "Python requests",
                Format::Sdk => "@bucketco/tracking-sdk's call",
            };
            let style = if i == selected {
                theme.selected()
            } else {
                theme.label()
            };
            Line::from(Span::styled(format!(" {:<8} {what}", f.name()), style))
        })
        .collect();
    with_hint(frame, area, "copy as", lines, &copy_as_hint(keymap), theme);
}

/// The copy-as box's keys as bound.
fn copy_as_hint(keymap: &Keymap) -> String {
    let key = |command| keymap.label(Context::CopyAs, command);
    format!(
        "{} choose · {} copy to the clipboard (OSC 52) · {} close",
        keymap.up_down(Context::CopyAs),
        key(Command::Open),
        key(Command::Back),
    )
}

/// The name to save the current form under.
pub fn save_as(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &State,
    name: &crate::term::LineInput,
    theme: Theme,
) {
    let key = |command| state.keymap.label(Context::SaveName, command);
    let lines = vec![Line::from(vec![
        Span::styled("name: ", theme.label()),
        Span::raw(sanitize(name.text())),
        Span::styled("▏", theme.dim()),
    ])];
    with_hint(
        frame,
        area,
        "save the form as a request",
        lines,
        &format!(
            "{} save into the collection (comments kept) · {} cancel",
            key(Command::Accept),
            key(Command::Cancel)
        ),
        theme,
    );
}

/// Alt+X: every command that applies here, by name, with its key.
pub fn palette(
    frame: &mut Frame<'_>,
    area: Rect,
    palette: &crate::tui::palette::Palette,
    keymap: &Keymap,
    theme: Theme,
) {
    let entries = palette.entries(keymap);
    let key = |command| keymap.label(Context::Palette, command);
    let mut lines = vec![Line::from(vec![
        Span::styled("command: ", theme.label()),
        Span::raw(sanitize(palette.filter.text())),
        Span::styled("▏", theme.dim()),
    ])];
    let first = palette.selected.saturating_sub(SHOWN - 1);
    for (i, (command, keys, help)) in entries.iter().enumerate().skip(first).take(SHOWN) {
        // Every key that runs it: a command bound twice (quit = ["ctrl+c", "ctrl+q"]) shows both.
        let keys: Vec<String> = keys.iter().map(crate::tui::keys::Key::label).collect();
        let text = super::fit(
            &format!(" {:<18} {:<10} {help}", command.name(), keys.join(", ")),
            74,
        );
        let style = if i == palette.selected {
            theme.selected()
        } else {
            theme.label()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    if entries.is_empty() {
        lines.push(Line::from(Span::styled("no command matches", theme.dim())));
    }
    with_hint(
        frame,
        area,
        "commands",
        lines,
        &format!(
            "type to filter · {} choose · {} run · {} close",
            keymap.up_down(Context::Palette),
            key(Command::Open),
            key(Command::Back)
        ),
        theme,
    );
}
