//! The outbox with Runtime API items: a batch waits as one item and is delivered as one
//! `/bulk` with the profile's Bearer key; an item never goes to a profile of the other API, even
//! one whose key has the same fingerprint; the key is in no file but `profiles.toml`.

use crate::support::{Cli, TestServer};
use bucket_console::api::{AnyKey, Api};
use bucket_console::outbox::{NewItem, Origin, Outbox};
use serde_json::Value;
use std::sync::Arc;

/// A key both APIs take as written: the same fingerprint on a runtime and a tracking profile.
const KEY: &str = "sec_outboxRuntimeTest_0123456789abcdef";

fn add(cli: &Cli, name: &str, base: &str, runtime: bool) {
    let mut args = vec!["profiles", "add", name, "--base", base, "--key-stdin"];
    if runtime {
        args.push("--runtime");
    }
    let out = cli.run_with(&args, KEY);
    assert_eq!(out.code, 0, "{out:?}");
}

fn queue(outbox: &Outbox, profile: &str, api: Api, route: &str, body: &str) -> i64 {
    outbox
        .queue(&NewItem {
            origin: Origin::Console,
            profile,
            key_fingerprint: &bucket_console::api::key::fingerprint(KEY),
            api,
            route,
            body,
            error: "the server did not answer",
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_batch_goes_as_one_bulk_and_never_to_a_profile_of_the_other_api() {
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    add(&cli, "rt", &s.base, true);
    add(&cli, "tr", &s.base, false);
    let path = cli.data_dir().join("bucket-console/outbox.sqlite3");
    let outbox = Outbox::open(&path).unwrap();
    let batch = queue(
        &outbox,
        "rt",
        Api::Runtime,
        "bulk",
        r#"[{"type":"user","userId":"ob-1"},{"type":"event","event":"e","userId":"ob-2"}]"#,
    );
    // The same profile names, the other API: a runtime call for `tr`, a tracking one for `rt`.
    let runtime_on_tracking = queue(
        &outbox,
        "tr",
        Api::Runtime,
        "user",
        r#"{"userId":"ob-wrong-1"}"#,
    );
    let tracking_on_runtime = queue(
        &outbox,
        "rt",
        Api::Tracking,
        "user",
        r#"{"userId":"ob-wrong-2"}"#,
    );
    drop(outbox);
    let listed = cli.run_async(&["outbox", "list"]).await;
    assert!(listed.stdout.contains("/bulk"), "{listed:?}");
    let out = cli.run_async(&["outbox", "flush"]).await;
    assert_eq!(out.code, 3, "two items must still wait: {out:?}");
    assert!(out.stderr.contains("rt: 1 delivered"), "{out:?}");
    let env = AnyKey::parse(Api::Runtime, KEY).unwrap().data_key();
    let (_, users) = s.get(&format!("/_local/{}/users", env.expose())).await;
    let users = users.to_string();
    assert!(
        users.contains("ob-1") && users.contains("ob-2"),
        "the batch, whole: {users}"
    );
    // Nothing reached the server for the mismatched items, under either key's name.
    let (_, traffic) = s
        .get(&format!("/_local/{}/requests?limit=100", env.expose()))
        .await;
    let (_, tracked) = s.get(&format!("/_local/{KEY}/requests?limit=100")).await;
    let seen = format!("{traffic}{tracked}");
    assert!(!seen.contains("ob-wrong"), "{seen}");
    let outbox = Outbox::open(&path).unwrap();
    assert!(outbox.get(batch).is_err(), "delivered and gone");
    for (id, says) in [
        (runtime_on_tracking, "queued for the runtime API"),
        (tracking_on_runtime, "queued for the tracking API"),
    ] {
        let item = outbox.get(id).unwrap();
        assert_eq!(item.state, bucket_console::outbox::State::Queued);
        let why = item.last_error.unwrap_or_default();
        assert!(why.contains(says), "{why}");
    }
    // The log has the batch as one runtime entry, and no file but profiles.toml has the key.
    let log = cli.run_async(&["log", "--json"]).await;
    let entries: Value = serde_json::from_str(log.stdout.trim()).unwrap_or_default();
    assert!(
        log.stdout.contains(&format!("{}/bulk", s.base)),
        "{log:?} {entries}"
    );
    for file in crate::support::files_under(cli.home.path()) {
        let bytes = std::fs::read(&file).unwrap();
        let holds = bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes());
        let is_profiles = file.file_name().is_some_and(|n| n == "profiles.toml");
        assert_eq!(holds, is_profiles, "{}", file.display());
    }
}

/// The console's path: a batch the server did not answer is queued whole, as a runtime item
/// without the key, and the background delivery sends it as one `/bulk` once the server is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_found_no_server_is_queued_whole_and_delivered_as_one() {
    use bucket_console::client::batch::{Batch, ROUTE};
    use bucket_console::client::{Client, ClientConfig, RetryPolicy, Target};
    use bucket_console::server::{ServerConfig, Storage};
    use std::sync::Mutex;
    let down = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::new(ClientConfig {
        retry: RetryPolicy {
            attempts: 1,
            base: std::time::Duration::from_millis(10),
            cap: std::time::Duration::from_millis(10),
        },
        ..ClientConfig::default()
    })
    .unwrap();
    let target = Target {
        profile: "rt".into(),
        base_url: format!("http://{down}"),
        key: AnyKey::parse(Api::Runtime, KEY).unwrap(),
    };
    let batch = Batch::new(vec![
        serde_json::json!({"type": "user", "userId": "bg-1"}),
        serde_json::json!({"type": "user", "userId": "bg-2"}),
    ])
    .unwrap();
    let failed = client.send_batch(&target, &batch).await;
    assert!(failed.queueable(), "{failed:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    let outbox = Mutex::new(Outbox::open(&path).unwrap());
    let journals = bucket_console::delivery::Journals::new();
    let (id, waiting) =
        bucket_console::delivery::enqueue(&outbox, &journals, &failed, Origin::Console).unwrap();
    assert_eq!(waiting, 1);
    let item = outbox.lock().unwrap().get(id).unwrap();
    assert_eq!((item.api, item.method.as_str()), (Api::Runtime, ROUTE));
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()));
    let server = TestServer::with(ServerConfig {
        listen: down,
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    outbox.lock().unwrap().retry_now().unwrap();
    let round = bucket_console::outbox::deliver_due(&outbox, &client, &target)
        .await
        .unwrap();
    assert_eq!((round.delivered, round.waiting), (1, 0), "{round:?}");
    assert_eq!(round.sent.len(), 1, "one request");
    let env = target.key.data_key();
    let (_, users) = server.get(&format!("/_local/{}/users", env.expose())).await;
    let users = users.to_string();
    assert!(users.contains("bg-1") && users.contains("bg-2"), "{users}");
}
