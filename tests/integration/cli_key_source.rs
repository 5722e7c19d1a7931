//! Keys that never rest in a file, through the real binary: a profile whose key comes from a
//! command or a variable sends with it (`send`, `run` with an HTML report, `outbox flush`), and
//! afterwards no file under the test's XDG dirs holds the key: not profiles.toml, the history,
//! the outbox, an export or the report. A command that fails sends nothing and says why.

use crate::support::{Cli, KEY, TestServer};
use bucket_console::api::TrackingKey;
use bucket_console::outbox::{Origin, Outbox};
use bucket_console::server::{ServerConfig, Storage};
use serde_json::json;
use std::sync::Arc;

/// A helper outside the XDG dirs that prints `key`, as `pass show` would.
fn key_helper(dir: &std::path::Path, key: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("print-key");
    std::fs::write(&path, format!("#!/bin/sh\nprintf '%s\\n' '{key}'\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    path.to_str().unwrap().to_owned()
}

fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_from_a_command_is_used_everywhere_and_written_nowhere() {
    let server = TestServer::start().await;
    let outside = tempfile::tempdir().unwrap();
    let helper = key_helper(outside.path(), KEY);
    let cli = Arc::new(Cli::new().env("BC_TEST_KEY", KEY));
    let add = cli.run(&[
        "profiles",
        "add",
        "app",
        "--base",
        &server.base,
        "--key-command",
        &format!("'{helper}'"),
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let add = cli.run(&[
        "profiles",
        "add",
        "envp",
        "--base",
        &server.base,
        "--key-env",
        "BC_TEST_KEY",
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let list = cli.run(&["profiles", "list"]);
    assert!(
        list.stdout.contains(&format!("from `{helper}`"))
            && list.stdout.contains("from $BC_TEST_KEY"),
        "{list:?}"
    );

    let sent = cli
        .run_async(&["send", "user", "userId=u-cmd", "--profile", "app"])
        .await;
    assert_eq!(sent.code, 0, "{sent:?}");
    let sent = cli
        .run_async(&["send", "user", "userId=u-env", "--profile", "envp"])
        .await;
    assert_eq!(sent.code, 0, "{sent:?}");
    let users = server.inspect("users").await.to_string();
    assert!(
        users.contains("u-cmd") && users.contains("u-env"),
        "{users}"
    );
    let shown = cli.run(&["profiles", "show", "app"]);
    assert!(shown.stdout.contains("kept in memory only"), "{shown:?}");

    let collection = cli.home.path().join("bucket-console.toml");
    std::fs::write(
        &collection,
        "[requests.signup]\nmethod = \"user\"\nbody = { userId = \"u-run\" }\n",
    )
    .unwrap();
    let report = cli.home.path().join("report.html");
    let ran = cli
        .run_async(&[
            "run",
            "signup",
            "--profile",
            "app",
            "--collection",
            collection.to_str().unwrap(),
            "--report-html",
            report.to_str().unwrap(),
        ])
        .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    let listed = cli.run_async(&["log", "--json"]).await;
    assert_eq!(listed.code, 0, "{listed:?}");
    std::fs::write(cli.home.path().join("log.json"), &listed.stdout).unwrap();
    for (args, file) in [
        (vec!["log", "export", "1"], "export.txt"),
        (vec!["log", "curl", "1"], "export.sh"),
    ] {
        let out = cli.run_async(&args).await;
        assert_eq!(out.code, 0, "{out:?}");
        std::fs::write(cli.home.path().join(file), &out.stdout).unwrap();
    }

    exports_name_the_key_variable(&cli).await;

    let revealed = cli.run_async(&["log", "curl", "1", "--reveal"]).await;
    assert!(
        revealed.stdout.contains(KEY),
        "asked for, the key is read: {revealed:?}"
    );
    flush_through_the_outbox(&cli, &helper).await;
    assert_no_file_holds_the_key(cli.home.path());
}

/// A call that waited in the outbox, delivered by `outbox flush` with the command's key.
async fn flush_through_the_outbox(cli: &Arc<Cli>, helper: &str) {
    let down = free_port();
    let add = cli.run(&[
        "profiles",
        "add",
        "later",
        "--base",
        &format!("http://{down}"),
        "--key-command",
        helper,
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let outbox = Outbox::open(&cli.data_dir().join("bucket-console/outbox.sqlite3")).unwrap();
    let fingerprint = TrackingKey::parse(KEY).unwrap().fingerprint();
    outbox
        .enqueue(
            Origin::Console,
            "later",
            &fingerprint,
            "user",
            r#"{"userId":"u-late"}"#,
            "down",
        )
        .unwrap();
    drop(outbox);
    let waiting = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(waiting.code, 3, "the server is down: {waiting:?}");
    let late = TestServer::with(ServerConfig {
        listen: down,
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    let flushed = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(flushed.code, 0, "{flushed:?}");
    assert_eq!(late.inspect("stats").await["users"], json!(1));
}

fn assert_no_file_holds_the_key(home: &std::path::Path) {
    let written = crate::support::files_under(home);
    assert!(
        written.iter().any(|p| p.ends_with("profiles.toml")),
        "{written:?}"
    );
    assert!(
        written.iter().any(|p| p.ends_with("report.html")),
        "{written:?}"
    );
    for path in written {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} holds the key",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_fails_or_prints_nothing_sends_nothing_and_says_why() {
    let server = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    let add = cli.run(&[
        "profiles",
        "add",
        "locked",
        "--base",
        &server.base,
        "--key-command",
        "sh -c 'echo \"vault is locked\" >&2; exit 1'",
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let add = cli.run(&[
        "profiles",
        "add",
        "silent",
        "--base",
        &server.base,
        "--key-command",
        "true",
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let add = cli.run(&[
        "profiles",
        "add",
        "unset",
        "--base",
        &server.base,
        "--key-env",
        "BC_NOT_SET_ANYWHERE",
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    for (profile, says) in [
        ("locked", "it said: vault is locked"),
        ("silent", "`true` printed nothing"),
        ("unset", "$BC_NOT_SET_ANYWHERE is not set"),
    ] {
        let out = cli
            .run_async(&["send", "user", "userId=u1", "--profile", profile])
            .await;
        assert_ne!(out.code, 0, "{out:?}");
        assert!(
            out.stderr
                .contains(&format!("profile `{profile}` reads its key"))
                && out.stderr.contains(says),
            "{out:?}"
        );
    }
    assert_eq!(
        server.inspect("stats").await["users"],
        json!(0),
        "nothing was sent"
    );
    let bad = cli.run(&[
        "profiles",
        "add",
        "x",
        "--base",
        &server.base,
        "--key-command",
        "pass 'open",
    ]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("quotes do not close"), "{bad:?}");
}

/// The key_env profile's call (the second): exports name its variable, not the usual one.
async fn exports_name_the_key_variable(cli: &std::sync::Arc<Cli>) {
    for (args, names) in [
        (vec!["log", "curl", "2"], "/$BC_TEST_KEY/user"),
        (
            vec!["log", "export", "2", "--as", "python"],
            "os.environ['BC_TEST_KEY']",
        ),
        (
            vec!["log", "export", "2", "--as", "fetch"],
            "${process.env.BC_TEST_KEY}",
        ),
    ] {
        let out = cli.run_async(&args).await;
        assert_eq!(out.code, 0, "{out:?}");
        assert!(
            out.stdout.contains(names) && !out.stdout.contains("BUCKET_TRACKING_KEY"),
            "{args:?}: {}",
            out.stdout
        );
    }
}
