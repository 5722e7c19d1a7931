//! The kiosk as a booth runs it, in a pseudo-terminal: three people in a row (a score only; a
//! score then a comment; a comment only) leave three feedback rows with the right fields; an idle
//! form resets after its countdown; Ctrl+C shows the results and a key leaves.

use crate::support::{Cli, KEY, TestServer};
use crate::tmux::Tmux;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn feedback(rt: &tokio::runtime::Runtime, server: &TestServer, rows: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = rt.block_on(server.inspect("feedback?featureId=export&order=oldest"));
        let mut list = list.as_array().unwrap().clone();
        // The kiosk's respondents only (an earlier visitor's answer is stored too).
        list.retain(|r| {
            r["userId"]
                .as_str()
                .is_some_and(|u| u.starts_with("kiosk-"))
        });
        if list.len() >= rows || Instant::now() > deadline {
            return list;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn three_respondents_leave_three_feedback_rows() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Arc::new(Cli::new());
    cli.add_profile("booth", &server.base, KEY);
    // Someone else's answer for the same feature: Ctrl+C shows this session's, not it.
    let earlier = cli.run(&[
        "send",
        "feedback",
        "featureId=export",
        "userId=earlier-visitor",
        "score:=1",
        "comment=not this session",
        "--profile",
        "booth",
    ]);
    assert_eq!(earlier.code, 0, "{earlier:?}");
    // A [keys] typo the kiosk does not use is a warning: the booth still opens.
    let config = cli.config_dir().join("bucket-console");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[keys]\nsned = \"ctrl+s\"\n").unwrap();
    let tmux = Tmux::start(
        &cli,
        "kiosk --feature export --profile booth --company-id acme",
        100,
        30,
    );
    tmux.wait_for("How satisfied are you with this feature?");

    // 1: a score, no comment.
    tmux.keys(&["5"]);
    tmux.wait_for("Thanks for the 5! Anything to add?");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Feedback received, thank you!");
    tmux.wait_for("How satisfied are you with this feature?");
    // 2: a score, then a comment on two lines.
    tmux.keys(&["Left", "Enter"]);
    tmux.wait_for("Thanks for the 2! Anything to add?");
    tmux.text("Too slow");
    tmux.keys(&["M-Enter"]);
    tmux.text("on big files");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Feedback received, thank you!");
    tmux.wait_for("How satisfied are you with this feature?");
    // 3: a comment without a score.
    tmux.keys(&["c"]);
    tmux.wait_for("What would you like to tell us?");
    tmux.text("Love it");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("3 responses · average 3.5");
    assert!(screen.contains("● online"), "{screen}");

    let rows = feedback(&rt, &server, 3);
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let fields: Vec<(Value, Value)> = rows
        .iter()
        .map(|r| (r["score"].clone(), r["comment"].clone()))
        .collect();
    assert_eq!(
        fields,
        [
            (json!(5), Value::Null),
            (json!(2), json!("Too slow\non big files")),
            (Value::Null, json!("Love it")),
        ]
    );
    let users: Vec<&str> = rows.iter().map(|r| r["userId"].as_str().unwrap()).collect();
    assert!(
        users[0] != users[1] && users[1] != users[2],
        "one user per respondent: {users:?}"
    );
    assert!(
        rows.iter().all(|r| r["companyId"] == json!("acme")),
        "--company-id on every row: {rows:#?}"
    );
    assert!(
        rows.iter()
            .all(|r| r["question"] == json!("How satisfied are you with this feature?"))
    );

    tmux.keys(&["C-c"]);
    tmux.wait_for("Results for export");
    let screen = tmux.wait_for("3 responses · average 3.50");
    assert!(screen.contains("Love it"), "{screen}");
    assert!(!screen.contains("not this session"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");

    // Visitors' words stay out of the developer's log; the kiosk keeps its own record.
    let log = cli.run(&["log", "--json"]);
    assert_eq!(log.code, 0, "{log:?}");
    assert!(
        !log.stdout.contains("Love it") && !log.stdout.contains("Too slow"),
        "{}",
        log.stdout
    );
    let sent = cli.kiosk_sent();
    assert!(
        sent.iter().any(|e| e.request_body.contains("Love it")),
        "the kiosk's record holds what it sent"
    );
}

#[test]
fn an_idle_form_counts_down_and_resets() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Arc::new(Cli::new());
    cli.add_profile("booth", &server.base, KEY);
    let tmux = Tmux::start(
        &cli,
        "kiosk --feature export --profile booth --idle-seconds 3",
        100,
        30,
    );
    tmux.wait_for("How satisfied are you with this feature?");
    tmux.keys(&["c"]);
    tmux.text("half a thought");
    tmux.wait_for("This form resets in");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = tmux.screen();
        if screen.contains("How satisfied are you with this feature?") {
            assert!(!screen.contains("half a thought"), "{screen}");
            break;
        }
        assert!(Instant::now() < deadline, "never reset:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(tmux.screen().contains("0 responses"));
    assert!(feedback(&rt, &server, 0).is_empty(), "nothing was sent");
    tmux.keys(&["C-c"]);
    tmux.wait_for("Results for export");
    tmux.keys(&["Enter"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn the_kiosk_restores_the_terminal_on_sigterm() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "kiosk --feature export", 100, 30);
    tmux.wait_for("export");
    tmux.signal_and_check_restored("TERM");
}

/// A booth whose key comes from a command (a vault, a password manager): the command runs once,
/// before the kiosk takes the terminal; the answers are stored under that key, and the key is in
/// no file the kiosk leaves behind.
#[test]
fn a_booth_reads_its_key_from_a_command_once() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let outside = tempfile::tempdir().unwrap();
    let (helper, runs) = crate::support::counting_key_command(outside.path());
    let cli = Arc::new(Cli::new());
    let add = cli.run(&[
        "profiles",
        "add",
        "booth",
        "--base",
        &server.base,
        "--key-command",
        helper.to_str().unwrap(),
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let tmux = Tmux::start(&cli, "kiosk --feature export --profile booth", 100, 30);
    tmux.wait_for("How satisfied are you with this feature?");
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "run\n");
    tmux.keys(&["4"]);
    tmux.wait_for("Thanks for the 4! Anything to add?");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Feedback received, thank you!");
    let rows = feedback(&rt, &server, 1);
    assert_eq!(rows.len(), 1, "stored under the command's key: {rows:#?}");
    assert_eq!(rows[0]["score"], json!(4));
    tmux.keys(&["C-c"]);
    tmux.wait_for("Results for export");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
    assert_eq!(
        std::fs::read_to_string(&runs).unwrap(),
        "run\n",
        "once per process"
    );
    for entry in crate::support::files_under(cli.home.path()) {
        let text = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&text).contains(KEY),
            "the key is in {}",
            entry.display()
        );
    }
}
