//! Runtime API profiles from the command line: the key goes only in `Authorization: Bearer`,
//! calls land in the key's environment, and the key is in no file but `profiles.toml`.

use crate::support::{Cli, TestServer};
use bucket_console::api::{AnyKey, Api};
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;

/// A secret key no `--env` names: `serve` keeps its rows under `key-` and its fingerprint.
const SECRET: &str = "sec_runtimeClientTest_0123456789abcdef";
const PUBLISHABLE: &str = "pub_runtimeClientTest_0123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_profile_sends_with_a_bearer_key_into_its_environment_and_writes_it_nowhere() {
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    let added = cli.run_with(
        &[
            "profiles",
            "add",
            "rt",
            "--runtime",
            "--base",
            &s.base,
            "--key-stdin",
        ],
        SECRET,
    );
    assert_eq!(added.code, 0, "{added:?}");
    let mut printed = format!("{added:?}");
    let user = cli
        .run_async(&[
            "send",
            "user",
            "--json",
            r#"{"userId": "u1", "attributes": {"name": "Ada"}}"#,
            "--profile",
            "rt",
        ])
        .await;
    assert_eq!(user.code, 0, "{user:?}");
    assert_eq!(user.json()["status"], 200, "{user:?}");
    // The Runtime API's feedback names its flag by `key`; no featureId is needed.
    let feedback = cli
        .run_async(&[
            "send",
            "feedback",
            "key=huddle",
            "userId=u1",
            "score:=4",
            "--profile",
            "rt",
        ])
        .await;
    assert_eq!(feedback.code, 0, "{feedback:?}");
    let _ = write!(printed, "{user:?}{feedback:?}");
    let env = AnyKey::parse(Api::Runtime, SECRET).unwrap().data_key();
    let (status, users) = s.get(&format!("/_local/{}/users", env.expose())).await;
    assert_eq!(status, 200);
    assert!(users.to_string().contains("Ada"), "{users}");
    let (_, feedback_rows) = s.get(&format!("/_local/{}/feedback", env.expose())).await;
    assert!(
        feedback_rows.to_string().contains("huddle"),
        "{feedback_rows}"
    );
    // The log shows the key-free route.
    let log = cli.run(&["log", "--json"]);
    assert!(log.stdout.contains(&format!("{}/user", s.base)), "{log:?}");
    let id = user.json()["id"].to_string();
    let export = cli.run(&["log", "export", &id, "--as", "curl"]);
    assert!(
        export.stdout.contains("Bearer $REFLAG_SECRET_KEY")
            && export.stdout.contains(&format!("'{}/user'", s.base)),
        "{export:?}"
    );
    let revealed = cli.run(&["log", "export", &id, "--as", "curl", "--reveal"]);
    assert!(
        revealed.stdout.contains(&format!("Bearer {SECRET}")),
        "{revealed:?}"
    );
    let _ = write!(printed, "{export:?}");
    for args in [
        vec!["profiles", "list"],
        vec!["profiles", "show", "rt"],
        vec!["profiles", "list", "--json"],
    ] {
        let out = cli.run(&args);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains("runtime · secret"), "{args:?}: {out:?}");
        let _ = write!(printed, "{out:?}");
    }
    let _ = write!(printed, "{log:?}");
    assert!(!printed.contains(SECRET), "printed the key: {printed}");
    for file in crate::support::files_under(cli.home.path()) {
        let bytes = std::fs::read(&file).unwrap();
        let holds = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        let is_profiles = file.file_name().is_some_and(|n| n == "profiles.toml");
        assert_eq!(holds, is_profiles, "{}", file.display());
    }
}

#[test]
fn runtime_profiles_take_only_runtime_keys_and_name_reflag_hosts() {
    let cli = Cli::new();
    let refused = cli.run_with(
        &[
            "profiles",
            "add",
            "rt",
            "--runtime",
            "--base",
            "reflag",
            "--key-stdin",
        ],
        "trCqx4DGo1lk3Lcct5NHLjWy",
    );
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("`pub_`"), "{refused:?}");
    for (name, base, url) in [
        ("eu", "reflag-eu", "https://front-eu.reflag.com"),
        ("us", "reflag", "https://front.reflag.com"),
    ] {
        let out = cli.run_with(
            &[
                "profiles",
                "add",
                name,
                "--runtime",
                "--base",
                base,
                "--key-stdin",
            ],
            PUBLISHABLE,
        );
        assert_eq!(out.code, 0, "{out:?}");
        let shown = cli.run(&["profiles", "show", name]);
        assert!(shown.stdout.contains(url), "{shown:?}");
        assert!(shown.stdout.contains("runtime · publishable"), "{shown:?}");
    }
    // The file says which API; a tracking profile's entry is as it always was.
    cli.add_profile("old", "http://127.0.0.1:9", "trCqx4DGo1lk3Lcct5NHLjWy");
    let text =
        std::fs::read_to_string(cli.config_dir().join("bucket-console/profiles.toml")).unwrap();
    assert_eq!(text.matches("api = \"runtime\"").count(), 2, "{text}");
    // BUCKET_TRACKING_KEY overrides a runtime profile's key with a runtime key only.
    let wrong = Cli::new().env("BUCKET_TRACKING_KEY", "trCqx4DGo1lk3Lcct5NHLjWy");
    let out = wrong.run(&["profiles", "show", "local-runtime"]);
    assert_eq!(out.code, 2, "{out:?}");
    let right = Cli::new().env("BUCKET_TRACKING_KEY", PUBLISHABLE);
    let out = right.run(&["profiles", "show", "local-runtime"]);
    assert!(out.stdout.contains("runtime · publishable"), "{out:?}");
}

#[test]
fn local_runtime_starts_the_local_server_and_lands_in_the_local_environment() {
    let cli = Cli::new();
    let sent = cli.run(&[
        "send",
        "user",
        "userId=sdk-user",
        "--profile",
        "local-runtime",
    ]);
    assert_eq!(sent.code, 0, "{sent:?}");
    // `local` reads the same rows: the built-in environment is stored under `local`.
    let data = cli.run(&["data", "users", "--json", "--profile", "local"]);
    assert_eq!(data.code, 0, "{data:?}");
    let rows: Value = data.json();
    assert!(rows.to_string().contains("sdk-user"), "{rows}");
    // It takes default ids like `local`, kept under its own name.
    let edited = cli.run(&["profiles", "edit", "local-runtime", "--user-id", "u9"]);
    assert_eq!(edited.code, 0, "{edited:?}");
    let shown = cli.run(&["profiles", "show", "local-runtime"]);
    assert!(shown.stdout.contains("u9"), "{shown:?}");
    let text =
        std::fs::read_to_string(cli.config_dir().join("bucket-console/profiles.toml")).unwrap();
    assert!(text.contains("[builtin.local-runtime]"), "{text}");
    assert!(!text.contains("sec_local"), "{text}");
    let list = cli.run(&["profiles", "list"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l.contains("local-runtime") && l.contains("runtime · secret")),
        "{list:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_bulk_sends_one_batch_says_each_items_verdict_and_stores_nothing_of_a_bad_one() {
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    let added = cli.run_with(
        &[
            "profiles",
            "add",
            "rt",
            "--runtime",
            "--base",
            &s.base,
            "--key-stdin",
        ],
        SECRET,
    );
    assert_eq!(added.code, 0, "{added:?}");
    let env = AnyKey::parse(Api::Runtime, SECRET).unwrap().data_key();
    let dir = cli.home.path();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"type":"user","userId":"b0"},{"type":"user"},{"type":"nope","userId":"b2"}]"#,
    )
    .unwrap();
    let bad = bad.to_str().unwrap().to_owned();
    let out = cli
        .run_async(&[
            "send",
            "bulk",
            &bad,
            "--profile",
            "rt",
            "--output",
            "pretty",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("/1/userId") && out.stdout.contains("/2/type"),
        "{out:?}"
    );
    // With --no-validate the server refuses it whole: still nothing stored.
    let out = cli
        .run_async(&["send", "bulk", &bad, "--profile", "rt", "--no-validate"])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let verdicts = &out.json()["items"];
    assert_eq!(verdicts[0]["verdict"], "not-stored", "{out:?}");
    assert_eq!(verdicts[1]["verdict"], "refused", "{out:?}");
    let (_, users) = s.get(&format!("/_local/{}/users", env.expose())).await;
    assert!(!users.to_string().contains("b0"), "{users}");
    // JSON lines from standard input: all stored.
    let good = "{\"type\":\"user\",\"userId\":\"g1\"}\n\n{\"type\":\"event\",\"event\":\"e\",\"userId\":\"g1\"}\n";
    let me = cli.clone();
    let out = tokio::task::spawn_blocking(move || {
        me.run_with(&["send", "bulk", "-", "--profile", "rt"], good)
    })
    .await
    .unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["items"][1]["verdict"], "stored", "{out:?}");
    let (_, users) = s.get(&format!("/_local/{}/users", env.expose())).await;
    assert!(users.to_string().contains("g1"), "{users}");
    // Bounds are the server's, named.
    let mut many = String::new();
    for i in 0..101 {
        let _ = writeln!(many, "{{\"type\":\"user\",\"userId\":\"m{i}\"}}");
    }
    let out = cli.run_with(&["send", "bulk", "-", "--profile", "rt"], &many);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("at most 100"), "{out:?}");
}

#[test]
fn bulk_on_a_tracking_profile_exits_2_and_says_why() {
    let cli = Cli::new();
    let out = cli.run_with(&["send", "bulk", "-"], "[]");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("tracking API") && out.stderr.contains("local-runtime"),
        "{out:?}"
    );
}
