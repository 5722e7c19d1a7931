//! The console's batch on `local-runtime`, as a user drives it in tmux: Alt+B collects sends as
//! pending items; a batch with a bad item comes back 400 and stores nothing, its log row opens
//! into its items and the bad one into its form; fixed, a batch of it is stored. A feedback by
//! flag key goes to the runtime route alone.

use crate::support::Cli;
use crate::tmux::Tmux;
use std::time::{Duration, Instant};

/// Waits for `needle` longer than [`Tmux::wait_for`]: a console starting its own server on a
/// loaded machine can take a while.
fn wait_long(tmux: &Tmux, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let screen = tmux.screen();
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "`{needle}` never appeared; the screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn count(cli: &Cli, sql: &str) -> i64 {
    let db = cli.data_dir().join("bucket-console/local-tracking.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_batch_on_local_runtime_is_refused_whole_opened_fixed_and_stored() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "--profile local-runtime --method event", 160, 34);
    wait_long(&tmux, "event · * required");
    wait_long(&tmux, "● answers");
    tmux.keys(&["M-b"]);
    wait_long(&tmux, "batch started");
    tmux.text("Batched");
    tmux.keys(&["Tab"]);
    tmux.text("u-batch");
    wait_long(&tmux, "u-batch");
    tmux.keys(&["C-s"]);
    wait_long(&tmux, "added to the batch as item #0");
    // The user form takes the id along; cleared, the item breaks a rule: added anyway.
    tmux.keys(&["M-1", "C-u", "C-s"]);
    wait_long(&tmux, "send anyway?");
    tmux.keys(&["Enter"]);
    wait_long(&tmux, "batch: 2 items pending");
    wait_long(&tmux, "Alt+B send batch (2)");
    tmux.keys(&["M-b"]);
    wait_long(&tmux, "batch refused (400)");
    // One log row for the batch.
    wait_long(&tmux, "bulk·2");
    assert_eq!(
        count(&cli, "SELECT count(*) FROM events WHERE event = 'Batched'"),
        0,
        "nothing of a refused batch is stored"
    );
    tmux.keys(&["Enter"]);
    wait_long(&tmux, "not stored (the batch was refused)");
    wait_long(&tmux, "#1   user                 refused");
    wait_long(&tmux, "      /1/userId");
    tmux.keys(&["Down", "Enter"]);
    wait_long(
        &tmux,
        "item #1 of the batch loaded into the user form: 1 problem marked",
    );
    tmux.text("u-fixed");
    tmux.keys(&["M-b"]);
    wait_long(&tmux, "batch started");
    tmux.keys(&["C-s"]);
    wait_long(&tmux, "added to the batch as item #0");
    tmux.keys(&["M-b"]);
    wait_long(&tmux, "batch of 1 item stored");
    assert_eq!(
        count(&cli, "SELECT count(*) FROM users WHERE user_id = 'u-fixed'"),
        1
    );
    // A single send goes to the runtime route too: a feedback by flag key.
    tmux.keys(&["M-4"]);
    wait_long(&tmux, "key*");
    tmux.text("huddle");
    tmux.keys(&["Tab", "Tab", "Tab", "Tab", "4", "C-s"]);
    wait_long(&tmux, "feedback 200");
    assert_eq!(
        count(
            &cli,
            "SELECT count(*) FROM feedback WHERE feature_id = 'huddle' AND user_id = 'u-fixed'"
        ),
        1
    );
    tmux.quit_and_check_restored();
}

#[test]
fn on_the_tracking_profile_alt_b_says_there_is_no_bulk() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "--method event", 110, 32);
    wait_long(&tmux, "event · * required");
    tmux.keys(&["M-b"]);
    wait_long(&tmux, "which has no /bulk");
    tmux.quit_and_check_restored();
}
