//! Keys stay secret and servers cannot reach the terminal: a grep of everything the program wrote
//! and printed finds no whole key, and hostile answers are printed inert.

use crate::support::{Cli, KEY, TestServer, scripted_server};
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_output_or_file_holds_the_whole_key() {
    let s = TestServer::start().await;
    // A server that echoes the key back, as a careless one might.
    let (echo, _) = scripted_server(vec![(
        400,
        vec![("x-debug", format!("key={KEY}"))],
        format!("{{\"error\":{{\"code\":\"INVALID_API_KEY\",\"message\":\"bad key {KEY}\"}}}}"),
    )])
    .await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("p", &s.base, KEY);
    cli.add_profile("echo", &echo, KEY);
    let mut printed = String::new();
    let replay = cli.home.path().join("calls.jsonl");
    std::fs::write(&replay, "{\"method\":\"user\",\"body\":{\"userId\":1}}\n").unwrap();
    for args in [
        vec!["send", "user", "userId:=1", "--profile", "p"],
        vec![
            "send",
            "user",
            "userId:=1",
            "--profile",
            "p",
            "--output",
            "pretty",
        ],
        vec![
            "send",
            "event",
            "--profile",
            "p",
            "--no-validate",
            "event=e",
        ],
        vec![
            "send",
            "user",
            "userId:=1",
            "--profile",
            "echo",
            "--output",
            "pretty",
        ],
        vec!["send", "user", "userId:=1", "--profile", "echo"],
        vec!["send", "user", "userId:=1", "--profile", "local"],
        vec!["replay", replay.to_str().unwrap(), "--profile", "p"],
        vec!["profiles", "list"],
        vec!["profiles", "list", "--json"],
        vec!["profiles", "show", "p"],
        vec!["log"],
        vec!["log", "--json"],
        vec!["log", "show", "4"],
        vec!["log", "curl", "1"],
    ] {
        let out = cli.run_async(&args).await;
        printed.push_str(&out.stdout);
        printed.push_str(&out.stderr);
    }
    // The embedded local server, written to under the secret key: its database holds a digest.
    let embedded = cli
        .command()
        .env("BUCKET_TRACKING_KEY", KEY)
        .args(["send", "user", "userId:=1", "--profile", "local"])
        .output()
        .unwrap();
    assert!(embedded.status.success(), "{embedded:?}");
    printed.push_str(&String::from_utf8_lossy(&embedded.stdout));
    printed.push_str(&String::from_utf8_lossy(&embedded.stderr));
    assert!(
        printed.contains("…LjWy"),
        "the masked form is what is shown"
    );
    assert!(
        !printed.contains(KEY),
        "a whole key was printed:\n{printed}"
    );
    let profiles_file = cli.config_dir().join("bucket-console/profiles.toml");
    for file in crate::support::files_under(cli.home.path()) {
        if file == profiles_file {
            continue; // the one place the key must be, mode 0600
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} holds the key",
            file.display()
        );
    }
    assert!(
        crate::support::files_under(cli.home.path())
            .iter()
            .any(|f| f.ends_with("history.sqlite3"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_are_printed_inert() {
    let hostile = "{\"success\":true,\"warnings\":[{\"code\":\"X\",\"path\":\"/a\\u001b[2J\",\"message\":\"\\u001b]52;c;cGF5bG9hZA==\\u0007copied \\u202eevil\\r\"}]}";
    let (base, _) = scripted_server(vec![(
        200,
        vec![("x-note", "\u{202e}txt.exe".to_owned())],
        format!("\u{1b}[31m{hostile}"),
    )])
    .await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("h", &base, KEY);
    let pretty = cli
        .run_async(&[
            "send",
            "user",
            "userId:=1",
            "--profile",
            "h",
            "--output",
            "pretty",
        ])
        .await;
    let json = cli
        .run_async(&["send", "user", "userId:=1", "--profile", "h"])
        .await;
    let shown = cli.run_async(&["log", "show", "1"]).await;
    for out in [&pretty, &json, &shown] {
        let text = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !text.contains('\u{1b}'),
            "an escape sequence got through:\n{text:?}"
        );
        assert!(
            !text.contains('\u{202e}') && !text.contains('\r'),
            "{text:?}"
        );
    }
    assert!(
        shown.stdout.contains("x-note: \\u{202e}txt.exe"),
        "{}",
        shown.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_for_429() {
    let (base, hits) = scripted_server(vec![
        (
            429,
            vec![("retry-after", "1".to_owned())],
            "{\"success\":false}".to_owned(),
        ),
        (200, vec![], "{\"success\":true}".to_owned()),
    ])
    .await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("r", &base, KEY);
    let started = std::time::Instant::now();
    let out = cli
        .run_async(&["send", "user", "userId:=1", "--profile", "r"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["attempts"], json!(2));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "waited as Retry-After asked"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_then_success_is_marked_possibly_duplicated() {
    let (base, _) = scripted_server(vec![
        (502, vec![], "bad gateway".to_owned()),
        (200, vec![], "{\"success\":true}".to_owned()),
    ])
    .await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("d", &base, KEY);
    let out = cli
        .run_async(&["send", "user", "userId:=1", "--profile", "d"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["possiblyDuplicated"], json!(true));
    assert!(cli.run(&["log"]).stdout.contains("possibly duplicated"));
}
