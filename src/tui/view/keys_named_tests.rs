//! Every message that names a key names it as bound: with commands rebound (as `config.toml`
//! may), no screen names a rebound command by its default key.

use crate::api::Method;
use crate::inspect::{Entity, EntityRef, Rows};
use crate::tui::action::{Action, StarsPurpose};
use crate::tui::fixtures::{exchange, funnels, render, requests, state, stored};
use crate::tui::keys::{Key, Keymap};
use crate::tui::state::{ServerStatus, State};
use crate::tui::traffic::Link;
use crate::tui::update::update;
use crossterm::event::{KeyEvent, KeyModifiers};

const REBOUND: &str = r#"
[keys]
send = "ctrl+g"
toggle-raw = "alt+r"
toggle-log = "ctrl+s"
open-features = "f9"
[keys.log]
status-filter = "v"
route-filter = "w"
profile-filter = "t"
[keys.traffic]
open-in-form = "i"
pause = "z"
[keys.traffic-detail]
open-in-form = "i"
[keys.data]
use-in-form = "b"
[keys.data-detail]
use-in-form = "b"
[keys.features]
reload = "g"
[keys.features-detail]
use-in-form = "b"
"#;

/// The default keys of the rebound commands of every screen, as messages and hints write them.
/// `Ctrl+S` now toggles the log, so it may be named only as that.
const GONE: &[&str] = &[
    "Ctrl+S send",
    "^S send",
    "Ctrl+S sends",
    "Ctrl+S resends",
    "press Ctrl+S",
    "Ctrl+S asks",
    "Ctrl+S adopts",
    "and Ctrl+S",
    "Ctrl+R",
    "^R",
    "F6",
    "Space",
];

fn rebound() -> State {
    let config = crate::tui::config::parse(std::path::Path::new("config.toml"), REBOUND)
        .expect("the rebinding keeps config's rules");
    let mut s = state(Method::Event);
    s.keymap = Keymap::new(config.bindings);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    s
}

pub(super) fn hit(s: &mut State, key: &str) {
    let k: Key = crate::tui::keys::parse_key(key).expect("a key");
    let mut modifiers = KeyModifiers::NONE;
    if k.ctrl {
        modifiers |= KeyModifiers::CONTROL;
    }
    if k.alt {
        modifiers |= KeyModifiers::ALT;
    }
    update(s, Action::Key(KeyEvent::new(k.code, modifiers)));
}

pub(super) fn text(s: &State, width: u16, height: u16) -> String {
    let terminal = render(s, width, height);
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Checks one screen at 120×40 and 80×24: no default key of a rebound command, and no lone
/// letter from `letters` (the rebound view keys of this screen) used as a key.
fn check(name: &str, s: &State, letters: &[&str]) -> String {
    let mut all = String::new();
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = text(s, w, h);
        for gone in GONE {
            assert!(
                !screen.contains(gone),
                "{name} {w}×{h} names {gone:?}:\n{screen}"
            );
        }
        for word in screen.split(|c: char| c.is_whitespace() || "·│(),:".contains(c)) {
            assert!(
                !letters.contains(&word),
                "{name} {w}×{h} names key {word:?}:\n{screen}"
            );
        }
        all.push_str(&screen);
    }
    all
}

#[test]
fn the_forms_and_the_log_name_rebound_keys_as_bound() {
    let mut s = rebound();
    let form = check("form", &s, &[]);
    assert!(
        form.contains("Ctrl+G"),
        "the status line names send as bound:\n{form}"
    );
    assert!(
        form.contains("Alt+R"),
        "the tabs line names toggle-raw as bound:\n{form}"
    );
    hit(&mut s, "alt+r");
    check("raw JSON", &s, &[]);
    hit(&mut s, "alt+r");

    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![exchange(
            "user",
            200,
            "{\"userId\":\"42\"}",
            vec![],
        )])),
    );
    hit(&mut s, "ctrl+s");
    check("log", &s, &["f", "m", "p"]);
    hit(&mut s, "v");
    hit(&mut s, "v");
    check("log filtered to nothing", &s, &["f", "m", "p"]);
    hit(&mut s, "esc");
}

#[test]
fn the_traffic_view_names_rebound_keys_as_bound() {
    let mut t = rebound();
    hit(&mut t, "f3");
    let generation = t.traffic.generation;
    update(
        &mut t,
        Action::TrafficLink {
            generation,
            link: Link::Live,
        },
    );
    for record in requests::three() {
        update(
            &mut t,
            Action::TrafficRecord {
                generation,
                record: Box::new(record),
            },
        );
    }
    let traffic = check("traffic", &t, &["o"]);
    assert!(traffic.contains("i opens it in its form"), "{traffic}");
    hit(&mut t, "down");
    hit(&mut t, "enter");
    check("traffic detail", &t, &["o"]);
    hit(&mut t, "i");
    check("a request loaded from traffic", &t, &[]);
}

#[test]
fn the_data_view_names_rebound_keys_as_bound() {
    let mut d = rebound();
    hit(&mut d, "f2");
    let generation = d.inspect.generation;
    update(
        &mut d,
        Action::InspectLoaded {
            generation,
            result: Ok(Rows::Users(stored::users()).into()),
        },
    );
    check("data", &d, &["u"]);
    hit(&mut d, "b");
    check("filled from data", &d, &[]);
    hit(&mut d, "f2");
    let which = d.inspect.open(EntityRef::Company("umbrella".into()));
    d.inspect.company_steps = Some(("umbrella".into(), None));
    let company = crate::api::inspect::CompanyRecord {
        company_id: "umbrella".into(),
        attributes: serde_json::Map::new(),
        first_seen: "2026-11-01T10:00:00.000Z".into(),
        last_seen: None,
        users: vec!["umbrella-admin".into()],
    };
    let entity = Entity::Company {
        company,
        events: vec![],
    };
    update(
        &mut d,
        Action::EntityLoaded {
            which,
            result: Ok(Some(entity)),
        },
    );
    let steps = Action::StarsLoaded {
        purpose: StarsPurpose::Company("umbrella".into()),
        result: Ok(funnels()),
    };
    update(&mut d, steps);
    let detail = check("a company in the data view", &d, &["u"]);
    assert!(detail.contains("F9 for the funnels"), "{detail}");
}

#[test]
fn the_features_view_and_help_name_rebound_keys_as_bound() {
    let mut f = rebound();
    hit(&mut f, "f9");
    let list = Action::StarsLoaded {
        purpose: StarsPurpose::List(1),
        result: Ok(funnels()),
    };
    update(&mut f, list);
    let features = check("features", &f, &["r"]);
    assert!(features.contains("g recomputes"), "{features}");
    hit(&mut f, "enter");
    let drill = Action::StarsLoaded {
        purpose: StarsPurpose::Drill("export".into()),
        result: Ok(vec![funnels().remove(0)]),
    };
    update(&mut f, drill);
    hit(&mut f, "down");
    check("a feature's companies", &f, &["u"]);
    hit(&mut f, "b");
    check("a form that moves a company on", &f, &[]);
    hit(&mut f, "f1");
    check("help", &f, &[]);
}

/// F1's footer names its own keys as bound, browsing and filtering.
#[test]
fn f1s_footer_names_its_keys_as_bound() {
    let config = "[keys.help-box]\nup = \"alt+k\"\nsearch = \"?\"\nback = \"x\"\n\n\
                  [keys.help-filter]\naccept = \"tab\"\ncancel = \"f10\"\n";
    let config = crate::tui::config::parse(std::path::Path::new("config.toml"), config)
        .expect("a valid config");
    let mut s = state(Method::Event);
    s.keymap = Keymap::new(config.bindings);
    hit(&mut s, "f1");
    let browsing = text(&s, 80, 24);
    assert!(browsing.contains("Alt+K↓ PgUp"), "{browsing}");
    assert!(browsing.contains("? filter · x close"), "{browsing}");
    assert!(!browsing.contains("/ filter"), "{browsing}");
    hit(&mut s, "?");
    let filtering = text(&s, 80, 24);
    assert!(filtering.contains("Tab done · F10 clears"), "{filtering}");
    assert!(!filtering.contains("Esc clears"), "{filtering}");
}

/// The boxes whose keys became bindings name them as bound: the profile editor, the save
/// prompt, the palette and the exchange's search.
#[test]
fn the_boxes_name_their_rebound_keys_as_bound() {
    let config = "[keys.profile-editor]\ntoggle-api = \"alt+t\"\ncancel = \"f10\"\n\n\
                  [keys.save]\naccept = \"f9\"\n\n[keys.palette-box]\nback = \"f10\"\n\n\
                  [keys.detail-search]\naccept = \"tab\"\n\n[keys.detail]\nnext-match = \"alt+n\"\n";
    let config = crate::tui::config::parse(std::path::Path::new("config.toml"), config)
        .expect("a valid config");
    let mut s = state(Method::Event);
    s.keymap = Keymap::new(config.bindings);
    s.log.loading = false;
    hit(&mut s, "ctrl+p");
    hit(&mut s, "a");
    let editor = text(&s, 80, 30);
    assert!(editor.contains("Alt+T: runtime"), "{editor}");
    assert!(editor.contains("Alt+T API · F10 cancel"), "{editor}");
    assert!(
        !editor.contains("Ctrl+T") && !editor.contains("Esc"),
        "{editor}"
    );
    s.overlay = crate::tui::state::Overlay::SaveRequest {
        name: crate::term::LineInput::new("mine"),
    };
    let save = text(&s, 80, 24);
    assert!(save.contains("F9 save into the collection"), "{save}");
    s.overlay = crate::tui::state::Overlay::None;
    hit(&mut s, "alt+x");
    let palette = text(&s, 80, 24);
    assert!(palette.contains("run · F10 close"), "{palette}");
    hit(&mut s, "f10");
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![exchange(
            "event",
            200,
            "{\"event\":\"e\"}",
            vec![],
        )])),
    );
    hit(&mut s, "ctrl+l");
    hit(&mut s, "enter");
    hit(&mut s, "/");
    let typing = text(&s, 80, 24);
    assert!(typing.contains("Tab find · Esc cancel"), "{typing}");
    hit(&mut s, "e");
    hit(&mut s, "tab");
    let found = text(&s, 80, 24);
    assert!(found.contains("Alt+N next · N previous"), "{found}");
}
