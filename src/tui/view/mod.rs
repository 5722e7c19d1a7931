//! Drawing: a pure function of the state. Nothing here reads files, the clock or the network.

mod annotated;
mod batch;
mod detail;
mod flags;
#[cfg(test)]
mod flags_tests;
mod form;
mod inspect;
#[cfg(test)]
mod inspect_flag_checks_tests;
mod inspect_hints;
mod log;
mod outbox;
mod overlay;
mod picker;
mod results;
mod stars;

mod traffic;

pub use crate::term::{Theme, json_lines};

use super::keys::{self, Command, Context};
use super::layout::{self, Areas};
use super::state::{Focus, Level, Overlay, RequestState, Screen, ServerStatus, State};
use crate::api::Method;
use crate::sanitize::sanitize;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn draw(frame: &mut Frame<'_>, state: &State) {
    let area = frame.area();
    let areas = layout::areas_for(state, (area.width, area.height));
    let theme = Theme {
        color: state.color,
        palette: state.palette,
    };
    header(frame, areas.header, state, theme);
    if state.screen == Screen::Data {
        inspect::tabs(frame, areas.tabs_line, &state.inspect, theme);
        inspect::draw(frame, areas.body, state, theme);
    } else if state.screen == Screen::Traffic {
        traffic::bar(frame, areas.tabs_line, &state.traffic, theme);
        traffic::draw(frame, areas.body, state, theme);
    } else if state.screen == Screen::Outbox {
        outbox::draw(frame, &areas, state, theme);
    } else if state.screen == Screen::Results {
        results::draw(frame, &areas, state, theme);
    } else if state.screen == Screen::Features {
        stars::draw(frame, &areas, state, theme);
    } else if state.screen == Screen::Flags {
        flags::draw(frame, &areas, state, theme);
    } else {
        tabs(frame, &areas, state, theme);
        if state.focus == Focus::Detail {
            detail::draw(frame, areas.body, state, theme);
        } else {
            form::draw(frame, areas.form, state, theme);
            log::draw(frame, areas.log, state, theme);
        }
    }
    status(frame, areas.status, state, theme);
    let hints = state
        .keymap
        .hints_with(state.context(), &likely_next(state), areas.hints.width);
    let hints = hints.as_str();
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!(" {hints}"), theme.dim()))),
        areas.hints,
    );
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help(view) => overlay::help(frame, area, state, view, theme),
        Overlay::Confirm(confirm) => {
            overlay::confirm(
                frame,
                area,
                &confirm.prompt(state.form(), batching(state).as_deref()),
                theme,
            );
        }
        Overlay::Profiles { selected } => overlay::profiles(frame, area, state, *selected, theme),
        Overlay::ProfileEditor(editor) => {
            overlay::profile_editor(frame, area, state, editor, theme);
        }
        Overlay::Picker(picker) => picker::draw(frame, area, state, picker, theme),
        Overlay::Scenario(run) => picker::scenario(frame, area, run, &state.keymap, theme),
        Overlay::CopyAs { selected, .. } => {
            picker::copy_as(frame, area, *selected, &state.keymap, theme);
        }
        Overlay::SaveRequest { name } => picker::save_as(frame, area, state, name, theme),
        Overlay::Palette(palette) => picker::palette(frame, area, palette, &state.keymap, theme),
    }
}

/// The Traffic view's status line, its keys as bound.
fn traffic_status(state: &State) -> String {
    let key = |c, command| state.keymap.label(c, command);
    if state.traffic.opened.is_some() {
        format!(
            " {} opens it in its form to fix and resend · {} back to the list",
            key(Context::TrafficDetail, Command::OpenInForm),
            key(Context::TrafficDetail, Command::Back)
        )
    } else {
        format!(
            " {} opens a request · {} opens it in its form · {} pauses",
            key(Context::Traffic, Command::Open),
            key(Context::Traffic, Command::OpenInForm),
            key(Context::Traffic, Command::Pause)
        )
    }
}

/// The Data view's status line, its keys as bound.
fn data_status(state: &State) -> String {
    let key = |c, command| state.keymap.label(c, command);
    if state.inspect.opened.is_some() {
        format!(
            " {} fills a form from this · {} back to the list",
            key(Context::DataDetail, Command::UseInForm),
            key(Context::DataDetail, Command::Back)
        )
    } else {
        format!(
            " {} opens a row · {} fills a form from it · {} sends the form",
            key(Context::Data, Command::Open),
            key(Context::Data, Command::UseInForm),
            key(Context::Data, Command::Send)
        )
    }
}

/// What the hint line offers first: the outbox while calls wait in it, the results once feedback
/// went out (each but on its own screen), the features when the collection defines some.
fn likely_next(state: &State) -> Vec<(keys::Command, String)> {
    let mut next: Vec<(keys::Command, String)> = batch::likely(state).into_iter().collect();
    if state.outbox_waiting > 0 && state.screen != Screen::Outbox {
        next.push((
            keys::Command::OpenOutbox,
            format!("outbox ({})", state.outbox_waiting),
        ));
    }
    if state.results.feedback_delivered && state.screen != Screen::Results {
        next.push((keys::Command::OpenResults, "results".to_owned()));
    }
    // A collection that defines features is there to see their funnels.
    let has_features = state
        .collection
        .loaded
        .as_ref()
        .is_some_and(|c| !c.features.is_empty());
    if has_features && state.screen == Screen::Console {
        next.push((keys::Command::OpenFeatures, "features".to_owned()));
    }
    next
}

fn header(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let parts = header_parts(state, theme);
    // Too narrow for every part: the least needed go first, so the server's answer (last, and
    // the one place that says it) is never cut.
    let mut dropped = 0;
    let line = loop {
        let line = Line::from(
            parts
                .iter()
                .filter(|(rank, _)| *rank > dropped)
                .map(|(_, span)| span.clone())
                .collect::<Vec<_>>(),
        );
        if line.width() <= usize::from(area.width) || dropped >= Cut::LAST {
            break line;
        }
        dropped += 1;
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The header's parts, in order, each with the rank at which it is dropped when the line does not
/// fit (1 first); `Cut::NEVER` stays.
struct Cut;
impl Cut {
    const KEY_KIND: u8 = 1;
    const TITLE: u8 = 2;
    const WHERE: u8 = 3;
    const KEY_FROM: u8 = 4;
    const URL: u8 = 5;
    const LAST: u8 = 5;
    const NEVER: u8 = u8::MAX;
}

fn header_parts(state: &State, theme: Theme) -> Vec<(u8, Span<'static>)> {
    let (dot, text, style) = match &state.server {
        ServerStatus::Checking => ("○", "checking…".to_owned(), theme.dim()),
        ServerStatus::Answers => ("●", "answers".to_owned(), theme.success()),
        ServerStatus::Down(why) => (
            "●",
            format!("not answering: {}", sanitize(&why.to_string())),
            theme.error(),
        ),
    };
    let mut parts = vec![(Cut::TITLE, Span::styled(" bucket-console ", theme.title()))];
    let lead = state.outbox_waiting > 0 || state.batch.is_some();
    if state.outbox_waiting > 0 {
        parts.push((
            Cut::NEVER,
            Span::styled(format!("outbox {} ", state.outbox_waiting), theme.warning()),
        ));
    }
    if let Some(span) = batch::header(state, theme) {
        parts.push((Cut::NEVER, span));
    }
    parts.extend([
        // Kept after the outbox or batch note, which would otherwise run into the name.
        (
            if lead { Cut::NEVER } else { Cut::TITLE },
            Span::styled("│ ", theme.dim()),
        ),
        (
            Cut::NEVER,
            Span::styled(
                state.profile.name.clone(),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ),
        (Cut::URL, Span::styled(" │ ", theme.dim())),
        (Cut::URL, Span::raw(sanitize(&state.base_url))),
        // Which local store the calls reach: the console's own server, or a `serve`.
        (
            Cut::WHERE,
            Span::styled(
                match (state.profile.is_local(), &state.local) {
                    (true, Some(l)) if l.in_process => " (in-process)",
                    (true, Some(_)) => " (serve)",
                    _ => "",
                },
                theme.dim(),
            ),
        ),
        (Cut::NEVER, Span::styled(" │ key ", theme.dim())),
        (Cut::NEVER, Span::raw(state.profile.key.masked())),
        // A key read from a variable or a command says so: it is nowhere in a file.
        (
            Cut::KEY_FROM,
            Span::styled(
                if state.profile.key_from.is_file() {
                    String::new()
                } else {
                    format!(" ({})", sanitize(&state.profile.key_from.describe()))
                },
                theme.dim(),
            ),
        ),
        // A tracking profile's header is as it always was; a runtime one says its key's kind.
        (
            Cut::KEY_KIND,
            Span::styled(
                match state.profile.api() {
                    crate::api::Api::Tracking => String::new(),
                    crate::api::Api::Runtime => format!(" · {}", state.profile.key.describe()),
                },
                theme.dim(),
            ),
        ),
        (Cut::NEVER, Span::styled(" │ ", theme.dim())),
        (Cut::NEVER, Span::styled(format!("{dot} {text}"), style)),
    ]);
    parts
}

fn tabs(frame: &mut Frame<'_>, areas: &Areas, state: &State, theme: Theme) {
    for (i, m) in Method::ALL.iter().enumerate() {
        let style = if *m == state.method {
            theme.active_tab()
        } else {
            theme.label()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(layout::tab_label(*m), style)),
            areas.tabs[i],
        );
    }
    let raw = state.keymap.shared(Command::ToggleRaw);
    let right = if state.form().raw.is_some() {
        format!("raw JSON · {raw} fields")
    } else {
        format!("{raw} raw JSON")
    };
    let width = right.chars().count() as u16 + 1;
    if areas.tabs_line.width > width + 40 {
        let r = Rect {
            x: areas.tabs_line.width - width,
            width,
            ..areas.tabs_line
        };
        frame.render_widget(Paragraph::new(Span::styled(right, theme.dim())), r);
    }
}

fn status(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let data_line = match state.screen {
        Screen::Data => inspect::status_line(&state.inspect, &state.keymap, theme),
        Screen::Traffic => traffic::status_line(&state.traffic, theme),
        Screen::Outbox => outbox::status_line(&state.outbox, theme),
        Screen::Results | Screen::Features | Screen::Flags | Screen::Console => None,
    };
    let line = if let RequestState::Sending { method, ticks } = &state.request {
        let spin = SPINNER[*ticks as usize % SPINNER.len()];
        Line::from(Span::styled(
            format!(
                " {spin} sending {method}… {:.1} s",
                f64::from(*ticks) / 10.0
            ),
            theme.warning(),
        ))
    } else if let Some(warning) = (state.screen == Screen::Data)
        .then(|| state.inspect.warning())
        .flatten()
    {
        // Wrapped as the layout counted its rows, so the user's id and the fix are never cut.
        let lines: Vec<Line<'_>> = layout::status_lines(&warning, area.width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.warning())))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    } else if let Some(line) = data_line {
        line
    } else if let Some((level, text)) = &state.message {
        let style = match level {
            Level::Info => theme.label(),
            Level::Success => theme.success(),
            Level::Warning => theme.warning(),
            Level::Error => theme.error(),
        };
        // The layout gave the rows the message needs; on a short terminal the last one says
        // that more was cut.
        let mut lines = layout::status_lines(text, area.width);
        let rows = usize::from(area.height).max(1);
        if lines.len() > rows {
            let rest = lines.split_off(rows - 1).join(" ");
            lines.push(fit(&format!("{rest}…"), usize::from(area.width)));
        }
        let lines: Vec<Line<'_>> = lines
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    } else if state.screen == Screen::Outbox {
        Line::from(Span::styled(
            " waiting items are sent oldest first whenever the server answers",
            theme.dim(),
        ))
    } else if state.screen == Screen::Results {
        Line::from(Span::styled(
            " every feature's feedback for this profile's key · r reads it again",
            theme.dim(),
        ))
    } else if state.screen == Screen::Features {
        // Wrapped as the layout counted its rows: a company's reason is said whole.
        let text = crate::tui::stars::status_text(&state.stars, &state.keymap);
        let lines: Vec<Line<'_>> = layout::status_lines(text.trim_start(), area.width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim())))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    } else if state.screen == Screen::Flags {
        Line::from(Span::styled(
            fit(&flags::status_text(&state.keymap), usize::from(area.width)),
            theme.dim(),
        ))
    } else if state.screen == Screen::Traffic {
        Line::from(Span::styled(traffic_status(state), theme.dim()))
    } else if state.screen == Screen::Data {
        Line::from(Span::styled(data_status(state), theme.dim()))
    } else {
        let problems = state.form().error_count();
        let send = state.keymap.shared(Command::Send);
        let console = state.form().console_problems().len();
        if console > 0 {
            Line::from(Span::styled(
                format!(
                    " ✗ {console} problem(s) the console cannot send, {} by the server's rules",
                    problems - console
                ),
                theme.error(),
            ))
        } else if problems == 0 {
            Line::from(Span::styled(
                format!(" ✓ this body passes the server's rules · {send} sends it"),
                theme.success(),
            ))
        } else {
            Line::from(Span::styled(
                format!(
                    " ✗ {problems} problem(s) by the server's rules · {send} asks before sending"
                ),
                theme.warning(),
            ))
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// What follows a read that failed: the key of `context`'s reload, as bound, retries it.
pub fn retries_hint(keymap: &keys::Keymap, context: Context) -> String {
    format!(" · {} retries", keymap.label(context, Command::Reload))
}

/// Truncates to `width` characters with an ellipsis.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else if width == 0 {
        String::new()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}

#[cfg(test)]
mod confirm_tests;
#[cfg(test)]
mod hint_line_tests;
#[cfg(test)]
mod hints_named_tests;
#[cfg(test)]
mod inspect_tests;
#[cfg(test)]
mod key_source_tests;
#[cfg(test)]
mod keys_named_tests;
#[cfg(test)]
mod outbox_tests;
#[cfg(test)]
mod results_tests;
#[cfg(test)]
mod runtime_tests;
#[cfg(test)]
mod stars_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod traffic_tests;
#[cfg(test)]
mod whole_tests;

/// The key that sends the batch, while one is being collected (a question then says so).
fn batching(state: &State) -> Option<String> {
    state.batch.as_ref().map(|_| {
        state.keymap.label(
            crate::tui::keys::Context::Anywhere,
            crate::tui::keys::Command::Batch,
        )
    })
}
