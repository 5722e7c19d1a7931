//! The outbox end to end: calls queued while the server is down survive a SIGKILL of the console
//! and are delivered exactly once by the next run; a 400 goes to "rejected" and is never retried;
//! the CLI lists, flushes and drops.

use crate::support::{Cli, KEY, TestServer, scripted_server};
use crate::tmux::Tmux;
use bucket_console::api::TrackingKey;
use bucket_console::client::{Client, ClientConfig, RetryPolicy, Target};
use bucket_console::outbox::{Outbox, State, deliver_due};
use bucket_console::server::{ServerConfig, Storage};
use serde_json::json;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn quick_client() -> Client {
    Client::new(ClientConfig {
        retry: RetryPolicy {
            attempts: 2,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(20),
        },
        ..ClientConfig::default()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_item_is_set_aside_and_never_retried() {
    let (base, hits) = scripted_server(vec![(
        400,
        vec![],
        r#"{"success":false,"error":{"code":"BODY_VALIDATION_FAILED","message":"bad","validationErrors":[{"path":"/userId","code":"REQUIRED","message":"is required"}]}}"#.to_owned(),
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Mutex::new(Outbox::open(&dir.path().join("outbox.sqlite3")).unwrap());
    let key = TrackingKey::parse(KEY).unwrap();
    let id = outbox
        .lock()
        .unwrap()
        .enqueue(
            bucket_console::outbox::Origin::Console,
            "p",
            &key.fingerprint(),
            "user",
            "{}",
            "timed out",
        )
        .unwrap();
    let target = Target {
        profile: "p".into(),
        base_url: base,
        key: bucket_console::api::AnyKey::Tracking(key),
    };
    let report = deliver_due(&outbox, &quick_client(), &target)
        .await
        .unwrap();
    assert_eq!(
        (report.delivered, report.rejected, report.waiting),
        (0, 1, 0)
    );
    let item = outbox.lock().unwrap().get(id).unwrap();
    assert_eq!((item.state, item.status), (State::Rejected, Some(400)));
    assert_eq!(item.validation_errors[0].path, "/userId");
    deliver_due(&outbox, &quick_client(), &target)
        .await
        .unwrap();
    outbox.lock().unwrap().retry_now().unwrap();
    deliver_due(&outbox, &quick_client(), &target)
        .await
        .unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a 400 is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_wait_in_order_while_the_server_is_down_and_keys_must_match() {
    let down = free_port();
    let dir = tempfile::tempdir().unwrap();
    let outbox = Mutex::new(Outbox::open(&dir.path().join("outbox.sqlite3")).unwrap());
    let key = TrackingKey::parse(KEY).unwrap();
    for i in 0..3 {
        outbox
            .lock()
            .unwrap()
            .enqueue(
                bucket_console::outbox::Origin::Console,
                "p",
                &key.fingerprint(),
                "user",
                &format!(r#"{{"userId":"u{i}"}}"#),
                "down",
            )
            .unwrap();
    }
    outbox
        .lock()
        .unwrap()
        .enqueue(
            bucket_console::outbox::Origin::Console,
            "p",
            "#other",
            "user",
            r#"{"userId":"x"}"#,
            "down",
        )
        .unwrap();
    let target = Target {
        profile: "p".into(),
        base_url: format!("http://{down}"),
        key: bucket_console::api::AnyKey::Tracking(key.clone()),
    };
    let report = deliver_due(&outbox, &quick_client(), &target)
        .await
        .unwrap();
    assert_eq!(report.sent.len(), 1, "the first failure stops the round");
    assert_eq!(report.waiting, 4);
    let server = TestServer::with(ServerConfig {
        listen: down,
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    outbox.lock().unwrap().retry_now().unwrap();
    let report = deliver_due(&outbox, &quick_client(), &target)
        .await
        .unwrap();
    assert_eq!((report.delivered, report.waiting), (3, 1));
    let users = server.inspect("users?order=oldest").await;
    let ids: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["u0", "u1", "u2"], "oldest first");
    let left = outbox.lock().unwrap().queued("p").unwrap();
    assert!(
        left[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("key changed"),
        "{left:?}"
    );
}

#[test]
fn queued_calls_survive_sigkill_and_the_next_run_delivers_each_once() {
    let rt = crate::support::runtime();
    let addr = free_port();
    let base = format!("http://{addr}");
    let cli = Cli::new();
    cli.add_profile("booth", &base, KEY);
    let tmux = Tmux::start(&cli, "--profile booth", 100, 30);
    tmux.wait_for("user · * required");
    for i in 1..=5 {
        tmux.keys(&["C-u"]);
        tmux.text(&format!("visitor-{i}"));
        tmux.keys(&["C-s"]);
        tmux.wait_for(&format!("({i} waiting)"));
    }
    let screen = tmux.screen();
    assert!(screen.contains("outbox 5"), "{screen}");
    tmux.kill_program();
    drop(tmux);

    let listed = cli.run(&["outbox", "list", "--json"]);
    assert_eq!(listed.json().as_array().unwrap().len(), 5, "{listed:?}");
    let server = rt.block_on(TestServer::with(ServerConfig {
        listen: addr,
        ..ServerConfig::ephemeral(Storage::Memory)
    }));
    let tmux = Tmux::start(&cli, "--profile booth", 100, 30);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let users = rt.block_on(server.inspect("users?limit=100"));
        if users.as_array().unwrap().len() == 5 {
            break;
        }
        assert!(Instant::now() < deadline, "not delivered: {users}");
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.wait_for("outbox: 5 delivered");
    std::thread::sleep(Duration::from_millis(500));
    let stats = rt.block_on(server.inspect("stats"));
    assert_eq!(stats["users"], json!(5), "each exactly once: {stats}");
    let requests = rt.block_on(server.inspect("requests?limit=100"));
    assert_eq!(
        requests.as_array().unwrap().len(),
        5,
        "one request per item, no duplicate: {requests}"
    );
    assert_eq!(cli.run(&["outbox", "list", "--json"]).json(), json!([]));
    tmux.quit_and_check_restored();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_flushes_and_drops() {
    let addr = free_port();
    let cli = std::sync::Arc::new(Cli::new());
    cli.add_profile("p", &format!("http://{addr}"), KEY);
    let path = cli.data_dir().join("bucket-console/outbox.sqlite3");
    let outbox = Outbox::open(&path).unwrap();
    let fp = TrackingKey::parse(KEY).unwrap().fingerprint();
    outbox
        .enqueue(
            bucket_console::outbox::Origin::Console,
            "p",
            &fp,
            "user",
            r#"{"userId":"a"}"#,
            "down",
        )
        .unwrap();
    let dropped = outbox
        .enqueue(
            bucket_console::outbox::Origin::Console,
            "p",
            &fp,
            "user",
            r#"{"userId":"b"}"#,
            "down",
        )
        .unwrap();
    drop(outbox);
    let out = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(out.code, 3, "still waiting: {out:?}");
    let out = cli
        .run_async(&["outbox", "drop", &dropped.to_string()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(cli.run_async(&["outbox", "drop", "999"]).await.code, 2);
    let server = TestServer::with(ServerConfig {
        listen: addr,
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    let out = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("p: 1 delivered"), "{out:?}");
    assert_eq!(server.inspect("stats").await["users"], json!(1));
    let out = cli.run_async(&["outbox"]).await;
    assert!(out.stderr.contains("the outbox is empty"), "{out:?}");
    assert!(
        cli.run_async(&["log", "--json"])
            .await
            .stdout
            .contains("\"user\"")
    );
}

/// A kiosk's call that waited in the outbox and is delivered by the console's delivery (or
/// `outbox flush`) goes to the kiosk's record, not the developer's log.
#[test]
fn a_kiosk_item_delivered_later_stays_out_of_the_developers_log() {
    let rt = crate::support::runtime();
    let server = rt.block_on(crate::support::TestServer::start());
    let cli = crate::support::Cli::new();
    cli.add_profile("booth", &server.base, crate::support::KEY);
    let key = bucket_console::api::TrackingKey::parse(crate::support::KEY).unwrap();
    let outbox =
        bucket_console::outbox::Outbox::open(&cli.data_dir().join("bucket-console/outbox.sqlite3"))
            .unwrap();
    outbox
        .enqueue(
            bucket_console::outbox::Origin::Kiosk,
            "booth",
            &key.fingerprint(),
            "feedback",
            r#"{"featureId":"export","userId":"visitor-1","score":5,"comment":"a visitor's words"}"#,
            "timed out",
        )
        .unwrap();
    drop(outbox);
    let out = cli.run(&["outbox", "flush", "--profile", "booth"]);
    assert_eq!(out.code, 0, "{out:?}");
    let stored = rt.block_on(server.inspect("feedback"));
    assert_eq!(stored.as_array().map(Vec::len), Some(1), "{stored}");
    let log = cli.run(&["log", "--json"]);
    assert!(!log.stdout.contains("a visitor's words"), "{}", log.stdout);
    let sent = cli.kiosk_sent();
    assert!(
        sent.iter()
            .any(|e| e.request_body.contains("a visitor's words"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flush_that_finds_another_delivering_says_so_and_exits_4() {
    let server = TestServer::start().await;
    let cli = std::sync::Arc::new(Cli::new());
    cli.add_profile("p", &server.base, KEY);
    let path = cli.data_dir().join("bucket-console/outbox.sqlite3");
    let outbox = Outbox::open(&path).unwrap();
    let fp = TrackingKey::parse(KEY).unwrap().fingerprint();
    outbox
        .enqueue(
            bucket_console::outbox::Origin::Console,
            "p",
            &fp,
            "user",
            r#"{"userId":"a"}"#,
            "down",
        )
        .unwrap();
    // What another flush (or the console) holds while it delivers.
    let held = outbox.delivery_lock().expect("free");
    let out = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains("another process") && out.stderr.contains("is delivering"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("still waiting"), "{out:?}");
    assert_eq!(server.inspect("stats").await["users"], json!(0));
    drop(held);
    let out = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(server.inspect("stats").await["users"], json!(1));
}
