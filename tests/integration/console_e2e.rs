//! The console as a user drives it, in a pseudo-terminal (tmux on a private socket): fill and send
//! a feedback and find it stored; send an invalid event and see its errors on the fields; switch
//! profiles; and after Ctrl+C, a terminal back in its normal state.

use crate::support::{Cli, KEY, TestServer};
use crate::tmux::Tmux;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_feedback_is_filled_sent_and_stored() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "--method feedback", 100, 30);
    tmux.wait_for("feedback · * required");
    tmux.wait_for("● answers");
    tmux.text("export");
    tmux.keys(&["Tab"]);
    tmux.text("42");
    tmux.keys(&["Tab", "Tab", "4", "Tab"]);
    tmux.text("Nice, but slow");
    tmux.wait_for("✓ this body passes");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("feedback 200");
    assert!(screen.contains("log · 1"), "{screen}");
    let db = cli.data_dir().join("bucket-console/local-tracking.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let row: (String, String, i64, String) = conn
        .query_row(
            "SELECT feature_id, user_id, score, comment FROM feedback",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        ("export".into(), "42".into(), 4, "Nice, but slow".into())
    );
    tmux.quit_and_check_restored();
}

#[test]
fn an_invalid_event_is_sent_anyway_and_its_400_lands_on_the_fields() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "--method event", 80, 24);
    tmux.wait_for("event · * required");
    tmux.text("Sent message");
    tmux.keys(&["C-s"]);
    tmux.wait_for("send anyway?");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("event 400");
    let lines: Vec<&str> = screen.lines().collect();
    let user_row = lines
        .iter()
        .position(|l| l.contains("userId*"))
        .expect("the userId field");
    assert!(
        lines[user_row + 1].contains("✗ is required: the id of the user who did it"),
        "{screen}"
    );
    tmux.keys(&["C-l", "Enter"]);
    tmux.wait_for("validation errors (Enter: fix in the form)");
    tmux.keys(&["Enter"]);
    tmux.wait_for("loaded into the event form");
    tmux.quit_and_check_restored();
}

#[test]
fn profiles_are_switched_in_the_console() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Arc::new(Cli::new());
    cli.add_profile("other", &server.base, KEY);
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["C-p"]);
    tmux.wait_for("a add · e edit");
    // Past `local-runtime`, the second built-in profile.
    tmux.keys(&["Down", "Down", "Enter"]);
    let screen = tmux.wait_for("│ other │");
    assert!(
        screen.contains("…LjWy") && !screen.contains(KEY),
        "the key is masked:\n{screen}"
    );
    tmux.text("e2e");
    tmux.keys(&["C-s"]);
    tmux.wait_for("user 200");
    let stored = rt.block_on(server.inspect("users/e2e"));
    assert_eq!(stored["userId"], json!("e2e"));
    tmux.quit_and_check_restored();
}

#[test]
fn a_profile_is_added_in_the_console_and_used() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["C-p"]);
    tmux.wait_for("a add · e edit");
    tmux.keys(&["a"]);
    tmux.wait_for("add profile");
    tmux.text("added");
    tmux.keys(&["Enter", "C-u"]);
    tmux.text(&server.base);
    tmux.keys(&["Enter"]);
    tmux.text(KEY);
    let screen = tmux.wait_for("••••••••••••••••••••••••");
    assert!(
        !screen.contains(KEY),
        "the key is typed into a masked field:\n{screen}"
    );
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved profile added (key …LjWy)");
    let file = cli.config_dir().join("bucket-console/profiles.toml");
    for _ in 0..100 {
        if file.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(std::fs::read_to_string(&file).unwrap().contains(KEY));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    tmux.keys(&["Down", "Enter"]);
    tmux.wait_for("│ added │");
    tmux.text("from-console");
    tmux.keys(&["C-s"]);
    tmux.wait_for("user 200");
    assert_eq!(
        rt.block_on(server.inspect("users/from-console"))["userId"],
        json!("from-console")
    );
    tmux.quit_and_check_restored();
}

#[test]
fn the_data_view_shows_what_a_send_changed_and_fills_the_form() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    rt.block_on(server.ok("user", json!({"userId": "lonely"})));
    rt.block_on(server.ok(
        "company",
        json!({"companyId": "acme", "userId": "member", "attributes": {"plan": "pro"}}),
    ));
    let cli = Arc::new(Cli::new());
    cli.add_profile("here", &server.base, KEY);
    let tmux = Tmux::start(&cli, "--profile here", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["F2"]);
    let screen = tmux.wait_for("Users · rows 1–2");
    assert!(screen.contains("⚑ no company"), "{screen}");
    // Open the company, fill the company form from it, send it, and see its last seen move.
    tmux.keys(&["2"]);
    tmux.wait_for("Companies · rows 1–1");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("members     member");
    assert!(screen.contains("\"plan\""), "{screen}");
    tmux.keys(&["u"]);
    tmux.wait_for("company form filled (companyId)");
    tmux.keys(&["C-s"]);
    tmux.wait_for("company 200");
    tmux.keys(&["F2"]);
    tmux.wait_for("↑ changed by your last send");
    tmux.quit_and_check_restored();
}

#[test]
fn the_traffic_view_shows_an_apps_call_live_and_opens_it_in_the_form() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Arc::new(Cli::new());
    cli.add_profile("here", &server.base, KEY);
    let tmux = Tmux::start(&cli, "--profile here", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["F3"]);
    tmux.wait_for("● live");
    tmux.wait_for("No requests yet for this tracking key.");
    // The app: a browser SDK sending a call with a typo.
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/{KEY}/event", server.base))
            .header("bucket-sdk-version", "browser-sdk/3.1.0")
            .json(&json!({"event": "Sent message", "userID": 42}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 400);
    let screen = tmux.wait_for("browser-sdk/3.1.0");
    assert!(
        screen.contains("400") && screen.contains("POST event"),
        "{screen}"
    );
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("← ✗ unknown field `userID`; did you mean `userId`?");
    assert!(
        screen.contains("/userId (not in the body): is required"),
        "{screen}"
    );
    tmux.keys(&["o"]);
    tmux.wait_for("loaded into the event form");
    tmux.quit_and_check_restored();
}

#[test]
fn a_profile_added_by_the_cli_while_the_console_runs_is_listed_and_kept() {
    let cli = Cli::new();
    cli.add_profile("demo", "https://tracking.example", KEY);
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    // Added elsewhere while the console runs.
    cli.add_profile("app", "https://app.example", "app_key_0123456789abcd");
    tmux.keys(&["C-p"]);
    tmux.wait_for("https://app.example");
    // local, local-runtime, app, demo: edit demo.
    tmux.keys(&["Down", "Down", "Down", "e"]);
    tmux.wait_for("edit profile");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.text("42");
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved profile demo");
    let file = cli.config_dir().join("bucket-console/profiles.toml");
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&file).unwrap();
        if text.contains("user_id") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(text.contains("[profiles.app]"), "app survives:\n{text}");
    assert!(text.contains("app_key_0123456789abcd"), "with its key");
    assert!(text.contains("user_id = \"42\""), "{text}");
    assert!(text.contains(KEY), "demo keeps its key");
    tmux.quit_and_check_restored();
}

#[test]
fn sigterm_and_sighup_leave_the_terminal_as_it_was() {
    for signal in ["TERM", "HUP"] {
        let cli = Cli::new();
        let tmux = Tmux::start(&cli, "", 100, 30);
        tmux.wait_for("user · * required");
        tmux.signal_and_check_restored(signal);
    }
}

/// Alt+E hands the comment to $VISUAL with the terminal restored for it, and takes the saved
/// text back; the console's screen and keys work again after.
#[test]
fn the_comment_is_edited_in_the_users_editor() {
    let cli = Cli::new().env("VISUAL", "sed -i s/Nice/Great/");
    let tmux = Tmux::start(&cli, "--method feedback", 100, 30);
    tmux.wait_for("feedback · * required");
    tmux.text("export");
    tmux.keys(&["Tab"]);
    tmux.text("42");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.text("Nice, but slow");
    tmux.keys(&["M-e"]);
    tmux.wait_for("Great, but slow");
    tmux.wait_for("edited in your editor");
    tmux.keys(&["C-s"]);
    tmux.wait_for("feedback 200");
    tmux.quit_and_check_restored();
}

/// An editor that fails changes nothing and says so.
#[test]
fn a_failing_editor_changes_nothing() {
    let cli = Cli::new().env("VISUAL", "false");
    let tmux = Tmux::start(&cli, "--method event", 100, 30);
    tmux.wait_for("event · * required");
    tmux.text("Sent message");
    tmux.keys(&["M-e"]);
    tmux.wait_for("`false` ended with exit status: 1; nothing was changed");
    tmux.wait_for("Sent message");
    tmux.quit_and_check_restored();
}

/// A call the CLI makes while the console runs appears in the console's log by itself: the
/// history file's change wakes the console, no key is pressed.
#[test]
fn a_call_made_by_the_cli_appears_in_the_running_consoles_log() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Cli::new();
    cli.add_profile("app", &server.base, KEY);
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    tmux.wait_for("log · 0");
    let out = cli.run(&[
        "send",
        "event",
        "event=From the CLI",
        "userId=u1",
        "--profile",
        "app",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let screen = tmux.wait_for("log · 1");
    assert!(screen.contains("event    200"), "{screen}");
    assert!(screen.contains(" app"), "{screen}");
    tmux.quit_and_check_restored();
}

/// The collection in the console: Ctrl+O runs a scenario against the local server, its verdicts
/// arrive, and a templated request loads, previews and sends.
#[test]
fn saved_requests_and_a_scenario_run_from_the_console() {
    let cli = Cli::new();
    let file = cli.home.path().join("bucket-console.toml");
    std::fs::write(
        &file,
        "[requests.hello]\nmethod = \"event\"\nbody = { event = \"Hello {{seq}}\", userId = \"u-{{int 1..9}}\" }\n\n[[scenarios.pair]]\nmethod = \"user\"\nbody = { userId = \"u1\" }\n\n[[scenarios.pair]]\nmethod = \"company\"\nbody = { companyId = \"acme\", userId = \"u1\" }\n",
    )
    .unwrap();
    let cli = cli.env("BUCKET_COLLECTION", file.to_str().unwrap());
    let tmux = Tmux::start(&cli, "", 120, 40);
    tmux.wait_for("user · * required");
    tmux.keys(&["C-o"]);
    tmux.wait_for("saved requests");
    tmux.text("pair");
    tmux.keys(&["Enter"]);
    tmux.wait_for("done: 2 of 2 passed");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("done: 2 of 2 passed");
    tmux.keys(&["C-o"]);
    tmux.text("hello");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("next send:");
    assert!(screen.contains("Hello 1"), "{screen}");
    tmux.keys(&["C-s"]);
    tmux.wait_for("event 200");
    // The form as it is, saved under a name: appended, the file's text before it untouched.
    let before = std::fs::read_to_string(&file).unwrap();
    tmux.keys(&["C-o", "M-s"]);
    tmux.wait_for("save the form as a request");
    tmux.text("mine");
    tmux.keys(&["Enter"]);
    tmux.wait_for("saved as requests.mine");
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.starts_with(&before), "{after}");
    assert!(
        after.contains("[requests.mine]\nmethod = \"event\""),
        "{after}"
    );
    tmux.quit_and_check_restored();
}

/// The collection file is watched: an entry added in an editor appears in Ctrl+O, and an edit
/// that does not load is named (file:line) while what loaded stays.
#[test]
fn an_edit_of_the_collection_file_is_picked_up_and_a_bad_one_is_named() {
    let cli = Cli::new();
    let file = cli.home.path().join("bucket-console.toml");
    let first = "[requests.first]\nmethod = \"user\"\nbody = { userId = \"u1\" }\n";
    std::fs::write(&file, first).unwrap();
    let cli = cli.env("BUCKET_COLLECTION", file.to_str().unwrap());
    let tmux = Tmux::start(&cli, "", 120, 40);
    tmux.wait_for("user · * required");
    // The picker stays open while the file changes: only the watcher can bring the news.
    tmux.keys(&["C-o"]);
    tmux.wait_for("first");
    std::fs::write(
        &file,
        format!("{first}\n[requests.second]\nmethod = \"event\"\nbody = {{ event = \"e\", userId = \"u1\" }}\n"),
    )
    .unwrap();
    tmux.wait_for("second");
    // Saved whole, as editors save (a temporary renamed over it): a plain write is seen empty
    // first, and an empty file is a valid collection that would replace what loaded.
    let saved = cli.home.path().join(".bucket-console.toml.new");
    std::fs::write(&saved, "[requests.first]\nmetod = \"user\"\n").unwrap();
    std::fs::rename(&saved, &file).unwrap();
    tmux.wait_for("does not load");
    // Waited for, not read once: the picker and the status line may land in different frames.
    let screen = tmux.wait_for("bucket-console.toml:2");
    assert!(screen.contains("second"), "what loaded stays:\n{screen}");
    tmux.keys(&["Escape"]);
    tmux.quit_and_check_restored();
}

/// config.toml rebinds send; a config with a mistake stops the console before it touches the
/// terminal, naming the line; `mouse = false` leaves the mouse to the terminal.
#[test]
fn keys_rebound_in_config_toml_are_the_keys_in_force() {
    let cli = Cli::new();
    let dir = cli.config_dir().join("bucket-console");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "mouse = false\n\n[keys]\nsend = \"ctrl+g\"\n\n[theme]\nname = \"light\"\n",
    )
    .unwrap();
    let tmux = Tmux::start(&cli, "--method event", 100, 30);
    tmux.wait_for("event · * required");
    tmux.text("Sent message");
    tmux.keys(&["Tab"]);
    tmux.text("u1");
    let screen = tmux.wait_for("^G send");
    assert!(
        !screen.contains("^S send"),
        "the hint shows the key in force:\n{screen}"
    );
    tmux.keys(&["C-s"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!tmux.screen().contains("event 200"), "Ctrl+S sends no more");
    tmux.keys(&["C-g"]);
    tmux.wait_for("event 200");
    assert_eq!(tmux.mouse_flag(), "0", "mouse = false: no capture");
    tmux.quit_and_check_restored();

    std::fs::write(dir.join("config.toml"), "[keys]\nsned = \"ctrl+s\"\n").unwrap();
    let tmux = Tmux::start(&cli, "", 100, 30);
    let screen = tmux.wait_for("EXIT=2");
    let joined = screen.replace('\n', "");
    assert!(
        joined.contains("config.toml:2: unknown command \"sned\"; did you mean \"send\"?"),
        "{screen}"
    );
    assert!(
        !screen.contains("required"),
        "no frame was drawn:\n{screen}"
    );
}

/// A newcomer's path to the STARS funnel: the shipped demo fills the built-in `local` store, F6
/// shows every feature's funnel, Enter shows a feature's companies and `u` fills the form that
/// moves one on.
#[test]
fn the_demo_fills_a_funnel_that_f6_shows_and_u_moves_on() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/stars-demo.toml");
    let cli = Cli::new().env("BUCKET_COLLECTION", demo);
    let out = cli.run(&["run", "stars-demo", "--seed", "5"]);
    assert_eq!(out.code, 0, "{out:?}");
    let tmux = Tmux::start(&cli, "", 110, 40);
    tmux.wait_for("user · * required");
    // The collection defines features: the hint line offers them.
    tmux.wait_for("F6 features");
    tmux.keys(&["F6"]);
    let screen = tmux.wait_for("features from stars-demo.toml");
    let screen = if screen.contains("Satisfied") {
        screen
    } else {
        tmux.wait_for("Satisfied")
    };
    assert!(screen.contains("export"), "{screen}");
    tmux.wait_for("3 events from 1 user left out");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Left out: users in no company");
    assert!(screen.contains("acme"), "{screen}");
    assert!(
        screen.contains("→ latest score 3, needs 4 or more"),
        "{screen}"
    );
    // umbrella tried it twice: `u` fills an event form for it.
    tmux.keys(&["Down", "Down", "Down", "u"]);
    let screen = tmux.wait_for("one more use by umbrella");
    assert!(screen.contains("Exported report"), "{screen}");
    tmux.keys(&["C-s"]);
    tmux.wait_for("event 200");
    tmux.quit_and_check_restored();
}

/// The console's own server opens its store after the first frame: with the store held by another
/// program, the console is on screen at once and says in its header and status line why nothing
/// answers (before, it waited, then ended without a frame).
#[test]
fn the_first_frame_does_not_wait_for_the_store_and_a_store_held_elsewhere_is_said() {
    let cli = Cli::new();
    let out = cli.run(&["send", "event", "event=First", "userId=u1"]);
    assert_eq!(out.code, 0, "{out:?}");
    let db = cli.data_dir().join("bucket-console/local-tracking.sqlite3");
    // Another program holding the file to itself (an exclusive-mode sqlite3 session mid-write).
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let tmux = Tmux::start(&cli, "", 200, 30);
    tmux.wait_for("user · * required");
    let screen = tmux.wait_for("the local server did not start");
    assert!(screen.contains("database is locked"), "{screen}");
    assert!(!screen.contains("damaged"), "held is not damaged: {screen}");
    assert!(!screen.contains("● answers"), "{screen}");
    drop(holder);
    tmux.quit_and_check_restored();
}
