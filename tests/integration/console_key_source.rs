//! The console with a profile whose key comes from a command: the command runs once, before the
//! console takes the terminal; switching to the profile later needs no second run, the header
//! says where its key comes from, and a call sent with it is stored.

use crate::support::{Cli, KEY, TestServer};
use crate::tmux::Tmux;
use serde_json::json;

#[test]
fn a_key_command_runs_once_before_the_console_and_its_profile_sends() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let outside = tempfile::tempdir().unwrap();
    let (helper, runs) = crate::support::counting_key_command(outside.path());
    let cli = Cli::new();
    let add = cli.run(&[
        "profiles",
        "add",
        "vault",
        "--base",
        &server.base,
        "--key-command",
        helper.to_str().unwrap(),
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    assert!(!runs.exists(), "adding a profile runs nothing");
    let tmux = Tmux::start(&cli, "", 120, 30);
    tmux.wait_for("user · * required");
    assert_eq!(
        std::fs::read_to_string(&runs).unwrap(),
        "run\n",
        "read before the console"
    );
    tmux.keys(&["C-p"]);
    tmux.wait_for("a add · e edit");
    // Past the two built-in profiles.
    tmux.keys(&["Down", "Down", "Enter"]);
    let screen = tmux.wait_for("(from `");
    assert!(
        screen.contains("…LjWy") && !screen.contains(KEY),
        "{screen}"
    );
    tmux.text("from-vault");
    tmux.keys(&["C-s"]);
    tmux.wait_for("user 200");
    let stored = rt.block_on(server.inspect("users/from-vault"));
    assert_eq!(stored["userId"], json!("from-vault"));
    assert_eq!(
        std::fs::read_to_string(&runs).unwrap(),
        "run\n",
        "once per process"
    );
    tmux.quit_and_check_restored();
}
