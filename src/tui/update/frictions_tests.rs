//! Small frictions of daily use (issue 25): the profile list's Home/End, clearing the log's
//! filters at once, the palette's words for each view, and one source for "the server answers".

use super::update;
use crate::api::Method;
use crate::inspect::InspectError;
use crate::term::Failure;
use crate::tui::action::{Action, Effect, StarsPurpose};
use crate::tui::fixtures::{exchange, press, state};
use crate::tui::keys::Command;
use crate::tui::state::{Focus, Overlay, ServerStatus, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn profiles_selected(s: &State) -> usize {
    match &s.overlay {
        Overlay::Profiles { selected } => *selected,
        other => panic!("the profile list is not open: {other:?}"),
    }
}

#[test]
fn the_profile_list_takes_home_end_and_pages() {
    let mut s = state(Method::Event);
    ctrl(&mut s, 'p');
    let last = s.profiles.list().len() - 1;
    assert!(last >= 1, "the fixture has two profiles at least");
    press(&mut s, KeyCode::End);
    assert_eq!(profiles_selected(&s), last);
    press(&mut s, KeyCode::Home);
    assert_eq!(profiles_selected(&s), 0);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(profiles_selected(&s), last);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(profiles_selected(&s), 0);
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(profiles_selected(&s), 1, "j moves as in every list");
}

/// Three filter keys, and `0` clears them all at once; the selection stays on a row shown.
#[test]
fn zero_clears_every_log_filter_and_the_selection_stays_visible() {
    let mut s = state(Method::Event);
    s.log.loading = false;
    let mut ok = exchange("event", 200, "{}", vec![]);
    ok.id = Some(1);
    let mut bad = exchange("user", 400, "{}", vec![]);
    bad.id = Some(2);
    s.log.set_entries([bad, ok]);
    s.focus = Focus::Log;
    press(&mut s, KeyCode::Char('f')); // 2xx
    press(&mut s, KeyCode::Char('m')); // user: nothing left
    press(&mut s, KeyCode::Char('p'));
    assert!(!s.log.filter().is_empty());
    press(&mut s, KeyCode::Char('0'));
    assert!(s.log.filter().is_empty(), "{:?}", s.log.filter());
    assert!(s.selected_position().is_some());
    // Filtering to 2xx moves the selection off the 400 onto the row still shown.
    s.log.selected = 0;
    press(&mut s, KeyCode::Char('f'));
    assert_eq!(s.selected_exchange().map(|e| e.id), Some(Some(1)));
}

/// Alt+X gave the five views one shared, cut description; each says what it opens.
#[test]
fn the_palette_gives_each_view_its_own_words() {
    let mut s = state(Method::Event);
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT)),
    );
    let Overlay::Palette(palette) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let entries = palette.entries(&s.keymap);
    let views = [
        Command::OpenData,
        Command::OpenTraffic,
        Command::OpenOutbox,
        Command::OpenResults,
        Command::OpenFeatures,
    ];
    let mut helps: Vec<&str> = views
        .iter()
        .map(|v| {
            entries
                .iter()
                .find(|(c, _, _)| c == v)
                .map(|(_, _, h)| *h)
                .expect("offered")
        })
        .collect();
    // The palette's row leaves 43 columns for the words.
    assert!(helps.iter().all(|h| h.chars().count() <= 43), "{helps:?}");
    helps.dedup();
    assert_eq!(helps.len(), views.len(), "{helps:?}");
    let screen = crate::tui::fixtures::render(&s, 80, 24);
    let text: String = screen
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    assert!(text.contains("the Data view: what the local server stored"));
}

/// The header said `● answers` while F2 or F6 said the server was not answering: any view's
/// read that finds it silent marks the header down and starts the probe.
#[test]
fn a_silent_server_in_any_view_marks_the_header_down() {
    let silent = || Failure::from(InspectError::NotAnswering("connection refused".into()));
    let data = |s: &State| Action::InspectLoaded {
        generation: s.inspect.generation,
        result: Err(silent()),
    };
    let stars = |s: &State| Action::StarsLoaded {
        purpose: StarsPurpose::List(s.stars.generation),
        result: Err(silent()),
    };
    let reads: [&dyn Fn(&State) -> Action; 2] = [&data, &stars];
    for read in reads {
        let mut s = state(Method::Event);
        s.server = ServerStatus::Answers;
        let action = read(&s);
        let effects = update(&mut s, action);
        assert!(matches!(s.server, ServerStatus::Down(_)), "{:?}", s.server);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::ProbeHealth { .. })),
            "{effects:?}"
        );
    }
    // A refusal is not silence: the header keeps what it knew.
    let mut s = state(Method::Event);
    s.server = ServerStatus::Answers;
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Err(Failure::from(InspectError::NotLocal)),
        },
    );
    assert_eq!(s.server, ServerStatus::Answers);
}
