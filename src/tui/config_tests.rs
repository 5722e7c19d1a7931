use super::*;

fn problems(text: &str) -> Vec<String> {
    match parse(Path::new("config.toml"), text) {
        Ok(_) => vec![],
        Err(e) => e.to_string().lines().map(str::to_owned).collect(),
    }
}

fn keys_of(config: &Config, context: Context, command: Command) -> Vec<String> {
    config
        .bindings
        .iter()
        .find(|b| b.context == context && b.command == command)
        .map(|b| b.keys.iter().map(Key::config_name).collect())
        .unwrap_or_default()
}

#[test]
fn the_issues_example_applies() {
    let text = "[keys]                   # commands available everywhere\nsend = \"alt+enter\"\nquit = [\"ctrl+c\", \"ctrl+q\"]\n\n[keys.log]\nresend = \"R\"\n\n[theme]\nname = \"light\"\naccent = \"#d75f00\"\n";
    let config = parse(Path::new("config.toml"), text).unwrap();
    assert_eq!(
        keys_of(&config, Context::Anywhere, Command::Send),
        ["alt+enter"]
    );
    assert_eq!(
        keys_of(&config, Context::Anywhere, Command::Quit),
        ["ctrl+c", "ctrl+q"]
    );
    assert_eq!(keys_of(&config, Context::Log, Command::Resend), ["R"]);
    assert_eq!(config.theme.name, ThemeName::Light);
    assert_eq!(
        config.theme.palette().accent,
        ratatui::style::Color::Rgb(0xd7, 0x5f, 0)
    );
    assert!(config.mouse);
    assert!(!parse(Path::new("c"), "mouse = false\n").unwrap().mouse);
}

/// Each row: a file, and exactly what it is refused with.
#[test]
fn every_problem_is_named_with_its_line_and_a_suggestion() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[keys]\nsned = \"ctrl+s\"\n",
            &["config.toml:2: unknown command \"sned\"; did you mean \"send\"?"],
        ),
        (
            "[keys]\nsend = \"ctrl+\"\n",
            &[
                "config.toml:2: send: \"ctrl+\" is not a key (write ctrl+s, alt+enter, f5, shift+tab, esc, pgdn, R…)",
            ],
        ),
        (
            "[keys]\nsend = \"s\"\n",
            &[
                "config.toml:2: send = \"s\": text fields need that key; a command of every screen takes Ctrl, Alt or an F-key",
            ],
        ),
        (
            "[keys]\nsend = \"ctrl+w\"\n",
            &[
                "config.toml:2: send = \"ctrl+w\": text fields need that key; a command of every screen takes Ctrl, Alt or an F-key",
            ],
        ),
        (
            "[keys]\nsend = \"ctrl+l\"\n",
            &[
                "config.toml:2: ctrl+l for send is already toggle-log (move between form and log) in Forms and log; pick another key",
            ],
        ),
        (
            "[keys.log]\nresend = \"e\"\n",
            &[
                "config.toml:2: e for resend is already edit (load it into the form to edit) in Log; pick another key",
            ],
        ),
        (
            "[keys.log]\nsort = \"s\"\n",
            &["config.toml:2: unknown command \"sort\" (it is not a command of [keys.log])"],
        ),
        (
            "[keys.logg]\nresend = \"R\"\n",
            &[
                "config.toml:1: unknown view \"logg\"; did you mean \"log\"? (views: list, form, score, comment, attributes, choice, timestamp, log, detail, detail-search, profiles, profile-editor, picker, save, scenario, copy-as, data, data-detail, data-search, traffic, traffic-detail, outbox, results, features, features-detail, flags, flags-edit, confirm, palette-box, help-box, help-filter)",
            ],
        ),
        (
            "[theme]\nname = \"ligth\"\n",
            &[
                "config.toml:2: unknown theme \"ligth\"; did you mean \"light\"? (dark, light or high-contrast)",
            ],
        ),
        (
            "[theme]\naccent = \"orange\"\n",
            &[
                "config.toml:2: accent = \"orange\": a colour is written #rrggbb or named (red, light-cyan…)",
            ],
        ),
        (
            "[theme]\naccnet = \"#ffffff\"\n",
            &["config.toml:2: unknown theme setting \"accnet\"; did you mean \"accent\"?"],
        ),
        (
            "mouse = \"no\"\n",
            &["config.toml:1: mouse is true or false"],
        ),
        (
            "mose = false\n",
            &["config.toml:1: unknown setting \"mose\"; did you mean \"mouse\"?"],
        ),
        ("[keys\n", &["config.toml:1: unclosed table, expected `]`"]),
        (
            "[keys]\nsend = [\"ctrl+i\", \"ctrl+j\"]\n\n[keys.log]\nresend = \"alt+ctrl+m\"\n",
            &[
                "config.toml:2: send = \"ctrl+i\": terminals send that key as Tab, so it never reaches a program as ctrl+i; pick another key",
                "config.toml:5: resend = \"alt+ctrl+m\": terminals send that key as Enter, so it never reaches a program as alt+ctrl+m; pick another key",
            ],
        ),
        (
            "[keys.log]\nresend = [\"ctrl+[\", \"ctrl+]\", \"ctrl+shift+I\"]\n",
            &[
                "config.toml:2: resend = \"ctrl+[\": terminals send that key as Esc, so it never reaches a program as ctrl+[; pick another key",
                "config.toml:2: resend = \"ctrl+]\": terminals send that key as ctrl+5, so it never reaches a program as ctrl+]; pick another key",
                "config.toml:2: resend = \"ctrl+shift+I\": terminals send that key as Tab, so it never reaches a program as ctrl+shift+I; pick another key",
            ],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(&problems(text), expected, "{text}");
    }
}

#[test]
fn keys_are_read_as_people_write_them() {
    for (text, label) in [
        ("ctrl+s", "Ctrl+S"),
        ("Ctrl+S", "Ctrl+S"),
        ("alt+enter", "Alt+Enter"),
        ("f5", "F5"),
        ("shift+tab", "Shift+Tab"),
        ("R", "R"),
        ("shift+r", "R"),
        ("space", "Space"),
        ("pgdn", "PgDn"),
        ("esc", "Esc"),
    ] {
        assert_eq!(parse_key(text).unwrap().label(), label, "{text}");
    }
    for bad in ["", "ctrl+", "hyper+s", "f13", "enterr"] {
        assert!(parse_key(bad).is_err(), "{bad}");
    }
}

/// `config default` is a file that loads, and uncommented it changes nothing.
#[test]
fn the_default_file_loads_and_lists_every_command() {
    let text = default_file();
    assert!(parse(Path::new("c"), &text).is_ok());
    let uncommented: String = text
        .lines()
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|r| r.contains(" = "))
                .unwrap_or(l)
        })
        .fold(String::new(), |mut out, l| {
            out.push_str(l);
            out.push('\n');
            out
        });
    let config =
        parse(Path::new("c"), &uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    for b in keys::BINDINGS {
        let now = config
            .bindings
            .iter()
            .find(|c| c.context == b.context && c.command == b.command)
            .unwrap();
        assert_eq!(now.keys, b.keys, "{:?} {:?}", b.context, b.command);
    }
    for command in keys::all_commands() {
        if keys::BINDINGS.iter().any(|b| {
            b.command == command
                && (GLOBAL.contains(&b.context) || views().any(|(_, cs)| cs.contains(&b.context)))
        }) {
            assert!(
                text.contains(&format!("# {} = ", command.name())),
                "{}",
                command.name()
            );
        }
    }
}

#[test]
fn the_list_moves_are_rebound_once_for_every_view() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let config = parse(Path::new("config.toml"), "[keys.list]\ndown = \"ctrl+n\"\n").unwrap();
    let keymap = keys::Keymap::new(config.bindings);
    let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
    let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    for view in [
        Context::Log,
        Context::Data,
        Context::Traffic,
        Context::FeaturesDetail,
    ] {
        assert_eq!(
            keymap.command(view, &ctrl_n),
            Some(Command::Down),
            "{view:?}"
        );
        assert_eq!(keymap.command(view, &j), None, "{view:?}");
    }
}

/// `config default` reads as a table: every setting's comment starts in the same column (they
/// drifted by the length of each name and key).
#[test]
fn the_default_files_comments_line_up() {
    let text = default_file();
    let columns: Vec<(usize, &str)> = text
        .lines()
        .filter(|l| l.starts_with("# ") && l.contains(" = "))
        .filter_map(|l| {
            l[1..]
                .find(" # ")
                .map(|at| (l[..at + 2].chars().count(), l))
        })
        .collect();
    assert!(columns.len() > 40, "{text}");
    let first = columns[0].0;
    for (column, line) in &columns {
        assert_eq!(*column, first, "{line}\n{text}");
    }
}

/// The kiosk takes only the theme: a `[keys]` typo it does not use is a warning, not a stop;
/// a `[theme]` typo still stops it.
#[test]
fn the_kiosk_reads_the_theme_past_a_keys_typo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[keys]\nsned = \"ctrl+s\"\n\n[theme]\nname = \"light\"\n",
    )
    .unwrap();
    assert!(load(&path).is_err(), "the console refuses it");
    let (theme, warning) = load_theme(&path).expect("the kiosk opens");
    assert_eq!(theme.name, ThemeName::Light);
    let warning = warning.expect("the typo is said").to_string();
    assert!(
        warning.contains(":2: unknown command \"sned\""),
        "{warning}"
    );
    std::fs::write(&path, "[theme]\nname = \"lihgt\"\n").unwrap();
    assert!(load_theme(&path).is_err());
    std::fs::write(&path, "[theme]\nname = \"light\"\n").unwrap();
    assert!(matches!(load_theme(&path), Ok((_, None))));
}

/// An overlay takes every key but quit: its own keys may be those of every screen (the profile
/// editor saves with Ctrl+S), and a shared key may be one of an overlay's.
#[test]
fn an_overlays_keys_meet_the_shared_ones_only_at_quit() {
    let path = Path::new("config.toml");
    assert!(parse(path, "[keys.profile-editor]\nsave = \"f2\"\n").is_ok());
    let moved = "[keys]\nsend = \"ctrl+g\"\ntoggle-log = \"ctrl+s\"\n";
    assert!(
        parse(path, moved).is_ok(),
        "Ctrl+S saves a profile, toggles the log elsewhere"
    );
    let error = parse(path, "[keys.profile-editor]\nsave = \"ctrl+c\"\n")
        .expect_err("quit reaches every overlay");
    assert!(error.to_string().contains("already quit"), "{error}");
}
