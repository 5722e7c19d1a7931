//! Every screen at README's 120×40 and at 80×24, with realistic data (UUID ids, long feature
//! names, a user in no company): per screen, the strings that must appear whole, not cut by an
//! ellipsis or the edge.

use crate::api::Method;
use crate::inspect::Rows;
use crate::tui::action::{Action, StarsPurpose};
use crate::tui::fixtures::{exchange, funnels, press, render, requests, state, stored};
use crate::tui::state::{Focus, ServerStatus, State};
use crate::tui::traffic::Link;
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Each row of the screen as text.
fn rows(s: &State, width: u16, height: u16) -> Vec<String> {
    let terminal = render(s, width, height);
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn ready(method: Method) -> State {
    let mut s = state(method);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    s
}

const UUID_A: &str = "3f2b8c1e-9a4d-4e6f-8b7a-2c5d9e1f0a3b";
const UUID_B: &str = "b71e0d52-6c3a-4f89-9e21-7d4a8b0c5f16";
/// Wanted whole at 120 columns only (`WIDE` and the text): 80 has no room for a UUID beside
/// the other columns.
const WIDE: &str = "wide:";
const WIDE_UUID_A: &str = "wide:3f2b8c1e-9a4d-4e6f-8b7a-2c5d9e1f0a3b";
const WIDE_UUID_B: &str = "wide:b71e0d52-6c3a-4f89-9e21-7d4a8b0c5f16";

fn data_users() -> State {
    let mut s = ready(Method::User);
    press(&mut s, KeyCode::F(2));
    let mut users = stored::users();
    users[0].user_id = UUID_A.into();
    users[1].user_id = UUID_B.into();
    assert_eq!(WIDE_UUID_A, format!("{WIDE}{UUID_A}"));
    assert_eq!(WIDE_UUID_B, format!("{WIDE}{UUID_B}"));
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Ok(Rows::Users(users).into()),
        },
    );
    // The user in no company, whose warning the status line carries.
    press(&mut s, KeyCode::Down);
    s
}

fn on_attributes(method: Method) -> State {
    let mut s = ready(method);
    let at = s
        .form()
        .fields
        .iter()
        .position(|f| f.name == "attributes")
        .expect("an attributes field");
    s.form_mut().focus = at;
    s
}

fn traffic() -> State {
    let mut s = ready(Method::User);
    press(&mut s, KeyCode::F(3));
    let generation = s.traffic.generation;
    update(
        &mut s,
        Action::TrafficLink {
            generation,
            link: Link::Live,
        },
    );
    for record in requests::three() {
        update(
            &mut s,
            Action::TrafficRecord {
                generation,
                record: Box::new(record),
            },
        );
    }
    s
}

fn features() -> State {
    let mut s = ready(Method::Event);
    press(&mut s, KeyCode::F(6));
    let generation = s.stars.generation;
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(generation),
            result: Ok(funnels()),
        },
    );
    s
}

fn with_log() -> State {
    let mut s = ready(Method::Event);
    for (i, status) in [200, 400, 202].into_iter().enumerate() {
        let mut e = exchange("event", status, "{\"event\":\"Sent message\"}", vec![]);
        e.id = Some(i as i64 + 1);
        s.log.push_front(e);
    }
    s.focus = Focus::Log;
    s
}

/// Every screen, named, with what must be whole on it.
fn screens() -> Vec<(&'static str, State, Vec<&'static str>)> {
    let mut out = vec![
        (
            "user form on attributes",
            on_attributes(Method::User),
            vec!["Ctrl+T type", "^S send"],
        ),
        (
            "company form on attributes",
            on_attributes(Method::Company),
            vec!["Ctrl+T type"],
        ),
        (
            "event form on attributes",
            on_attributes(Method::Event),
            vec!["Ctrl+T type"],
        ),
        ("feedback form", ready(Method::Feedback), vec!["featureId"]),
        ("log", with_log(), vec!["event", "F1 help"]),
        (
            "Data users",
            data_users(),
            vec![
                WIDE_UUID_A,
                WIDE_UUID_B,
                "b71e0d52-6c3a-4f89-9e21-7d4a8b0c5f16`",
                "send a `company` call",
            ],
        ),
        ("Traffic", traffic(), vec!["F1 help"]),
        (
            "Features",
            features(),
            vec!["export", "slack", "`visitor-7`", "recomputes"],
        ),
    ];
    let mut outbox = ready(Method::Feedback);
    press(&mut outbox, KeyCode::F(4));
    update(
        &mut outbox,
        Action::OutboxLoaded(Ok(crate::tui::fixtures::outbox_items())),
    );
    out.push(("Outbox", outbox, vec!["F1 help"]));
    let mut results = ready(Method::Feedback);
    press(&mut results, KeyCode::F(5));
    let feedback = stored::feedback();
    update(
        &mut results,
        Action::ResultsLoaded(Ok(vec![crate::results::Results::from_stored(
            "export", &feedback,
        )])),
    );
    out.push(("Results", results, vec!["export"]));
    let mut profiles = ready(Method::Event);
    update(
        &mut profiles,
        Action::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)),
    );
    out.push(("profiles", profiles, vec!["staging"]));
    let mut help = ready(Method::Event);
    press(&mut help, KeyCode::F(1));
    out.push((
        "help",
        help,
        vec!["[next-field, prev-field]", "[integer-id]"],
    ));
    let mut palette = ready(Method::Event);
    update(
        &mut palette,
        Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT)),
    );
    out.push((
        "palette",
        palette,
        vec!["the Data view: what the local server stored"],
    ));
    out
}

/// Text an ellipsis may end: a masked key (`… #25bf8e`, `sec_…only`), and what is on its way.
const MAY_END_IN_ELLIPSIS: &[&str] = &["key …", "… #", "_…", "loading…", "checking…", "computing"];

#[test]
fn every_screen_shows_its_words_whole_at_120x40_and_80x24() {
    for (name, s, wanted) in screens() {
        for (w, h) in SIZES {
            let rows = rows(&s, w, h);
            let screen = rows.join("\n");
            for text in &wanted {
                let text = match text.strip_prefix(WIDE) {
                    Some(_) if w < 120 => continue,
                    Some(text) => text,
                    None => text,
                };
                assert!(
                    rows.iter().any(|r| r.contains(text)),
                    "{name} at {w}×{h}: `{text}` is not whole\n{screen}"
                );
            }
            for row in &rows {
                let mut rest = row.clone();
                for allowed in MAY_END_IN_ELLIPSIS {
                    rest = rest.replace(allowed, "");
                }
                assert!(
                    !rest.contains('…'),
                    "{name} at {w}×{h}: something is cut\n{row}\n{screen}"
                );
            }
        }
    }
}
