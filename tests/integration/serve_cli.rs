//! `bucket-console serve` as a user runs it: first line, default database location and mode,
//! clean shutdown on SIGTERM, an access log without keys, and clear refusals of bad options.

use crate::support::{KEY, binary};
use serde_json::json;
use std::process::{Command, Stdio};

#[test]
fn help_shows_examples() {
    let out = Command::new(binary())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--listen",
        "--db",
        "--memory",
        "--fail-rate",
        "--latency-ms",
        "Examples:",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn bad_options_are_refused_with_a_reason() {
    for (args, needle) in [
        (vec!["serve", "--fail-rate", "2"], "between 0 and 1"),
        (
            vec!["serve", "--listen", "nowhere"],
            "invalid socket address",
        ),
        (
            vec!["serve", "--memory", "--db", "x.db"],
            "cannot be used with",
        ),
    ] {
        let out = Command::new(binary()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn an_address_in_use_is_a_clear_failure() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(binary())
        .args(["serve", "--memory", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_from_the_data_dir_logs_without_keys_and_stops_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut child = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("XDG_DATA_HOME", &data)
        .env("HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = crate::support::listening_on(&mut child);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{base}/{KEY}/user"))
        .json(&json!({"userId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .post(format!("{base}/{KEY}/user"))
        .json(&json!({"userID": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    let db = data.join("bucket-console").join("local-tracking.sqlite3");
    assert!(db.exists(), "default database at {}", db.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the database holds keys");
    }

    crate::support::sigterm(&child);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "clean shutdown on SIGTERM: {exit:?}");
    let log = crate::support::stderr_of(&mut child);
    assert!(log.contains("POST /{key}/{method} key#"), "{log}");
    assert!(log.contains(" 400 "), "{log}");
    assert!(
        !log.contains(KEY),
        "the access log must not contain the key:\n{log}"
    );
}

#[test]
fn the_console_without_a_terminal_points_to_the_cli() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("the console needs a terminal") && err.contains("bucket-console send"),
        "{err}"
    );
}

#[test]
fn completions_for_every_shell_call_back_into_the_binary() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::new(binary())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("bucket-console") && text.contains("COMPLETE"),
            "{shell}: {text}"
        );
    }
    let bad = Command::new(binary())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Every page the top page refers to can be printed on its own and is written by `--dir`.
#[test]
fn man_pages_the_top_page_names_exist() {
    let man = Command::new(binary()).arg("man").output().unwrap();
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout).replace("\\-", "-");
    assert!(page.contains(".TH bucket-console 1"), "{page}");
    let named: Vec<String> = page
        .split("bucket-console-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name.to_owned()))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .collect();
    assert!(named.len() >= 15, "{named:?}");
    let dir = tempfile::tempdir().unwrap();
    let written = Command::new(binary())
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(written.status.success(), "{written:?}");
    for name in &named {
        let file = dir.path().join(format!("bucket-console-{name}.1"));
        assert!(file.is_file(), "{} missing", file.display());
        let words: Vec<&str> = name.split('-').collect();
        let one = Command::new(binary())
            .arg("man")
            .args(&words)
            .output()
            .unwrap();
        assert!(one.status.success(), "man {name}: {one:?}");
        let text = String::from_utf8_lossy(&one.stdout);
        assert!(
            text.contains(&format!(".TH bucket-console-{name} 1")),
            "{text}"
        );
    }
    let nested = Command::new(binary())
        .args(["man", "profiles", "add"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&nested.stdout).contains(".TH bucket-console-profiles-add 1"));
    let unknown = Command::new(binary())
        .args(["man", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no subcommand `nope`"));
}
