//! `profiles` and `log` as a user drives them, the environment overrides, and the file modes.

use crate::support::{Cli, KEY, OTHER_KEY, TestServer};
use serde_json::json;
use std::sync::Arc;

#[test]
fn profiles_are_added_listed_shown_defaulted_and_removed() {
    let cli = Cli::new();
    cli.add_profile("staging", "https://tracking.bucket.co/", KEY);
    let file = cli.config_dir().join("bucket-console/profiles.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let list = cli.run(&["profiles", "list"]);
    assert_eq!(list.code, 0);
    assert!(
        list.stdout.contains("* local")
            && list.stdout.contains("staging")
            && list.stdout.contains("…LjWy"),
        "{}",
        list.stdout
    );
    let shown = cli.run(&["profiles", "show", "staging"]);
    assert!(
        shown.stdout.contains("https://tracking.bucket.co\n") && shown.stdout.contains("…LjWy"),
        "{}",
        shown.stdout
    );
    assert!(
        cli.run(&["profiles", "show", "staging", "--reveal"])
            .stdout
            .contains(KEY)
    );

    assert_eq!(cli.run(&["profiles", "default", "staging"]).code, 0);
    let json = cli.run(&["profiles", "list", "--json"]).json();
    // After the two built-in profiles.
    assert_eq!(json[2]["default"], json!(true));
    assert_eq!(json[2]["key"], json!("…LjWy"));
    assert!(
        cli.run(&["profiles", "show"])
            .stdout
            .contains("selected:    the default")
    );

    let again = cli.run_with(
        &[
            "profiles",
            "add",
            "staging",
            "--base",
            "https://x",
            "--key-stdin",
        ],
        KEY,
    );
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
    assert_eq!(
        cli.run_with(
            &[
                "profiles",
                "add",
                "staging",
                "--base",
                "https://x",
                "--key-stdin",
                "--force"
            ],
            KEY
        )
        .code,
        0
    );

    assert_eq!(cli.run(&["profiles", "remove", "staging"]).code, 0);
    assert!(
        cli.run(&["profiles", "show"])
            .stdout
            .contains("name:        local"),
        "removing the default falls back to local"
    );
    let gone = cli.run(&["profiles", "remove", "staging"]);
    assert_eq!(gone.code, 2);
    assert!(gone.stderr.contains("no profile named `staging`"));
}

#[test]
fn bad_profiles_are_refused_without_echoing_the_key() {
    let cli = Cli::new();
    for (args, stdin, needle) in [
        (
            vec![
                "profiles",
                "add",
                "x",
                "--base",
                "tracking.bucket.co",
                "--key-stdin",
            ],
            KEY,
            "not a base URL",
        ),
        (
            vec!["profiles", "add", "x", "--base", "https://x", "--key-stdin"],
            "trCqx4DGo1lk3Lcct5NH.jWy",
            "may only contain",
        ),
        (
            vec![
                "profiles",
                "add",
                "local",
                "--base",
                "https://x",
                "--key-stdin",
            ],
            KEY,
            "built-in",
        ),
        (
            vec![
                "profiles",
                "add",
                "bad name",
                "--base",
                "https://x",
                "--key-stdin",
            ],
            KEY,
            "profile names",
        ),
        (
            vec!["profiles", "add", "x", "--base", "https://x"],
            "",
            "--key",
        ),
        (vec!["profiles", "default", "ghost"], "", "no profile named"),
    ] {
        let out = cli.run_with(&args, stdin);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains("trCqx4DGo1lk3Lcct5NH"),
            "{}",
            out.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_profiles_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let cli = Cli::new();
    cli.add_profile("staging", "https://x", KEY);
    let file = cli.config_dir().join("bucket-console/profiles.toml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = cli.run(&["profiles", "list"]);
    assert!(
        out.stderr.contains("readable by others") && out.stderr.contains("chmod 600"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_variables_choose_and_override() {
    let s = TestServer::start().await;
    let cli = Arc::new(
        Cli::new()
            .env("BUCKET_BASE_URL", &s.base)
            .env("BUCKET_TRACKING_KEY", OTHER_KEY),
    );
    let out = cli.run_async(&["send", "user", "userId=env"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let (_, stored) = s.get(&format!("/_local/{OTHER_KEY}/users/env")).await;
    assert_eq!(
        stored["userId"],
        json!("env"),
        "sent with the overriding key to the overriding base"
    );

    let cli = Arc::new(Cli::new().env("BUCKET_PROFILE", "p"));
    cli.add_profile("p", &s.base, KEY);
    let out = cli.run_async(&["send", "user", "userId=chosen"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(s.inspect("users/chosen").await["userId"], json!("chosen"));
    assert!(
        cli.run(&["profiles", "show"])
            .stdout
            .contains("from BUCKET_PROFILE")
    );
    let bad = Cli::new().env("BUCKET_PROFILE", "ghost");
    assert_eq!(bad.run(&["send", "user", "userId=x"]).code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_lists_shows_and_rebuilds_curl() {
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("p", &s.base, KEY);
    assert_eq!(
        cli.run_async(&["send", "user", "userId:=1", "--profile", "p"])
            .await
            .code,
        0
    );
    assert_eq!(
        cli.run_async(&[
            "send",
            "event",
            "--profile",
            "p",
            "--no-validate",
            "event=e",
            "userID:=1"
        ])
        .await
        .code,
        1
    );
    let list = cli.run(&["log", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        (list[0]["method"].clone(), list[1]["method"].clone()),
        (json!("event"), json!("user")),
        "newest first"
    );
    let id = list[0]["id"].as_i64().unwrap();
    let text = cli.run(&["log"]).stdout;
    assert!(
        text.contains("400 Bad Request") && text.contains("200 OK"),
        "{text}"
    );

    let shown = cli.run(&["log", "show", &id.to_string()]);
    assert!(
        shown.stdout.contains("UNKNOWN_FIELD")
            && shown.stdout.contains("attempts:")
            && shown.stdout.contains("content-type"),
        "{}",
        shown.stdout
    );
    let curl = cli.run(&["log", "curl", &id.to_string()]).stdout;
    assert!(
        curl.contains(&format!("{}/$BUCKET_TRACKING_KEY/event", s.base)) && !curl.contains(KEY),
        "{curl}"
    );
    assert!(
        curl.contains("--data-raw '{\"event\":\"e\",\"userID\":1}'"),
        "{curl}"
    );
    assert!(
        cli.run(&["log", "curl", &id.to_string(), "--reveal"])
            .stdout
            .contains(KEY)
    );

    // The curl command really reproduces the request.
    let replayed = std::process::Command::new("sh")
        .arg("-c")
        .arg(curl.trim())
        .env("BUCKET_TRACKING_KEY", KEY)
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&replayed.stdout).unwrap();
    assert_eq!(
        body["error"]["validationErrors"][0]["path"],
        json!("/userID")
    );

    let missing = cli.run(&["log", "show", "999"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no exchange #999"));
}

#[test]
fn an_empty_log_says_so() {
    let out = Cli::new().run(&["log"]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("the log is empty"));
}

#[test]
fn twenty_profiles_added_at_once_are_twenty_profiles() {
    use std::io::Write;
    let cli = Cli::new();
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut child = cli
                .command()
                .args([
                    "profiles",
                    "add",
                    &format!("p{i:02}"),
                    "--base",
                    "https://x.example",
                    "--key-stdin",
                ])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("key_{i:020}").as_bytes())
                .unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let listed = cli.run(&["profiles", "list", "--json"]).json();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(22),
        "20 and the two built-in: {listed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_filtered_by_status_method_and_profile() {
    let server = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("a", &server.base, KEY);
    cli.add_profile("b", &server.base, OTHER_KEY);
    for args in [
        vec!["send", "user", "userId=u1", "--profile", "a"],
        vec!["send", "event", "event=e", "userId=u1", "--profile", "a"],
        vec![
            "send",
            "event",
            "userId=u1",
            "--profile",
            "a",
            "--no-validate",
        ],
        vec!["send", "event", "event=e", "userId=u2", "--profile", "b"],
    ] {
        cli.run_async(&args).await;
    }
    let methods = |args: &[&str]| {
        let mut all = vec!["log", "--json"];
        all.extend_from_slice(args);
        let out = cli.run(&all);
        assert_eq!(out.code, 0, "{out:?}");
        out.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}/{}",
                    e["profile"].as_str().unwrap(),
                    e["method"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(methods(&["--status", "4xx"]), ["a/event"]);
    assert_eq!(
        methods(&["--method", "event", "--status", "2xx"]),
        ["b/event", "a/event"]
    );
    assert_eq!(
        methods(&["--from-profile", "a", "--limit", "2"]),
        ["a/event", "a/event"]
    );
    let bad = cli.run(&["log", "--status", "6xx"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("failed or queued"), "{bad:?}");
    // A call that got no answer, then waiting in the outbox as item 99: `queued`, not `failed`.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    cli.add_profile("c", &dead_url, KEY);
    let out = cli
        .run_async(&["send", "event", "event=e", "userId=u3", "--profile", "c"])
        .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(methods(&["--status", "failed"]), ["c/event"]);
    let mut history = bucket_console::history::History::open(
        &cli.data_dir().join("bucket-console/history.sqlite3"),
        100,
    )
    .unwrap();
    let entry = history.recent(1, 0).unwrap()[0].id.unwrap();
    history.link(entry, 99).unwrap();
    assert_eq!(methods(&["--status", "queued"]), ["c/event"]);
    assert!(methods(&["--status", "failed"]).is_empty());
    let table = cli.run(&["log", "--status", "queued"]);
    assert!(table.stdout.contains("queued (outbox)"), "{table:?}");
    let none = cli.run(&["log", "--method", "company"]);
    assert!(
        none.stderr.contains("nothing in the log matches"),
        "{none:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchange_is_exported_as_code_without_its_key() {
    let server = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("a", &server.base, KEY);
    let sent = cli
        .run_async(&[
            "send",
            "event",
            "event=Exported report",
            "userId=u1",
            "--profile",
            "a",
        ])
        .await;
    assert_eq!(sent.code, 0, "{sent:?}");
    let id = cli.run(&["log", "--json"]).json()[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    for (format, needle) in [
        ("curl", "curl -sS -X POST"),
        ("httpie", "http --raw"),
        ("fetch", "await fetch("),
        ("python", "requests.post("),
        ("sdk", "bucket.track(\"Exported report\""),
    ] {
        let out = cli.run(&["log", "export", &id, "--as", format]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains(needle), "{format}: {}", out.stdout);
        assert!(!out.stdout.contains(KEY), "{format}: the key stays out");
    }
    let revealed = cli.run(&["log", "export", &id, "--as", "python", "--reveal"]);
    assert!(revealed.stdout.contains(KEY), "{revealed:?}");
}

/// `bucket-console … | head -1`: when the reader goes away the command ends quietly with 141,
/// as Unix tools do, not with a panic.
#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let cli = Cli::new();
    // The reader is gone before the command starts: closing it after the spawn raced the
    // command, which could write its whole output into the pipe's buffer first and exit 0.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = cli
        .command()
        .args(["config", "default"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The example collection's requests that read `{{profile.userId}}` can be sent on `local` once
/// `profiles edit` gives it one; its base URL and key stay fixed; other profiles are edited too.
#[test]
fn profiles_edit_gives_the_built_in_profile_ids_and_changes_others() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let collection = dir.path().join("bucket-console.toml");
    std::fs::copy("assets/bucket-console.toml", &collection).unwrap();
    let collection = collection.to_str().unwrap();
    let before = cli.run(&["run", "sent-message", "--collection", collection]);
    assert_ne!(before.code, 0, "{before:?}");
    assert!(
        before.stdout.contains("profiles edit NAME --user-id"),
        "{before:?}"
    );

    let edited = cli.run(&[
        "profiles",
        "edit",
        "local",
        "--user-id",
        "u-demo",
        "--company-id",
        "acme",
    ]);
    assert_eq!(edited.code, 0, "{edited:?}");
    let shown = cli.run(&["profiles", "show", "local"]);
    assert!(
        shown.stdout.contains("u-demo") && shown.stdout.contains("acme"),
        "{shown:?}"
    );
    for name in ["sent-message", "join-company", "rate-export"] {
        let sent = cli.run(&["run", name, "--collection", collection]);
        assert_eq!(sent.code, 0, "{name}: {sent:?}");
    }

    let fixed = cli.run(&["profiles", "edit", "local", "--base", "http://127.0.0.1:9"]);
    assert_eq!(fixed.code, 2, "{fixed:?}");
    assert!(fixed.stderr.contains("fixed"), "{fixed:?}");
    let cleared = cli.run(&["profiles", "edit", "local", "--user-id", ""]);
    assert_eq!(cleared.code, 0, "{cleared:?}");
    let json = cli.run(&["profiles", "list", "--json"]).json();
    assert_eq!(json[0]["userId"], json!(null));
    assert_eq!(json[0]["companyId"], json!("acme"));

    cli.add_profile("staging", "https://tracking.bucket.co/", KEY);
    let moved = cli.run_with(
        &[
            "profiles",
            "edit",
            "staging",
            "--base",
            "http://127.0.0.1:9",
            "--key-stdin",
        ],
        &format!("{OTHER_KEY}\n"),
    );
    assert_eq!(moved.code, 0, "{moved:?}");
    let shown = cli.run(&["profiles", "show", "staging", "--reveal"]);
    assert!(
        shown.stdout.contains("http://127.0.0.1:9") && shown.stdout.contains(OTHER_KEY),
        "{shown:?}"
    );
    let missing = cli.run(&["profiles", "edit", "nope", "--user-id", "u"]);
    assert_eq!(missing.code, 2, "{missing:?}");
}
