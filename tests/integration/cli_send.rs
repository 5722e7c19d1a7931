//! `bucket-console send` as scripts use it: every exit status, the retry policy against a failing
//! server, bodies from items, --json, files and stdin, and profile defaults.

use crate::support::{Cli, KEY, TestServer};
use bucket_console::server::{ServerConfig, Storage};
use serde_json::json;
use std::sync::Arc;

async fn with_profile(config: ServerConfig) -> (TestServer, Arc<Cli>) {
    let server = TestServer::with(config).await;
    let cli = Arc::new(Cli::new());
    let (base, c) = (server.base.clone(), cli.clone());
    tokio::task::spawn_blocking(move || c.add_profile("test", &base, KEY))
        .await
        .unwrap();
    let c = cli.clone();
    tokio::task::spawn_blocking(move || {
        assert_eq!(c.run(&["profiles", "default", "test"]).code, 0);
    })
    .await
    .unwrap();
    (server, cli)
}

async fn memory() -> (TestServer, Arc<Cli>) {
    with_profile(ServerConfig::ephemeral(Storage::Memory)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_is_sent_and_stored() {
    let (s, cli) = memory().await;
    for args in [
        vec![
            "send",
            "user",
            "userId:=42",
            "attributes[name]=Ada",
            "attributes.admin:=true",
        ],
        vec![
            "send",
            "company",
            "companyId=acme",
            "userId:=42",
            "attributes.plan=pro",
        ],
        vec![
            "send",
            "event",
            "event=Sent message",
            "userId:=42",
            "companyId=acme",
        ],
        vec![
            "send",
            "feedback",
            "featureId=export",
            "userId:=42",
            "score:=4",
            "comment=Nice",
        ],
    ] {
        let out = cli.run_async(&args).await;
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        let answer = out.json();
        assert_eq!(
            (answer["status"].clone(), answer["attempts"].clone()),
            (json!(200), json!(1)),
            "{answer}"
        );
        assert!(
            answer["latencyMs"].is_number()
                && answer["warnings"].is_array()
                && answer["validationErrors"].is_array()
        );
    }
    assert_eq!(
        s.inspect("users/42").await["attributes"],
        json!({"name": "Ada", "admin": true})
    );
    assert_eq!(s.inspect("companies/acme").await["users"], json!(["42"]));
    assert_eq!(s.inspect("events").await[0]["event"], json!("Sent message"));
    assert_eq!(s.inspect("feedback").await[0]["comment"], json!("Nice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_validation_refuses_before_sending() {
    let (s, cli) = memory().await;
    let out = cli
        .run_async(&["send", "event", "event=e", "userID:=1"])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let answer = out.json();
    assert_eq!(answer["sent"], json!(false));
    let paths: Vec<_> = answer["validationErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths, ["/userID", "/userId"]);
    assert!(
        answer["validationErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `userId`")
    );
    assert_eq!(
        s.inspect("stats").await["events"],
        json!(0),
        "nothing was sent"
    );
    let pretty = cli
        .run_async(&[
            "send",
            "feedback",
            "featureId=f",
            "userId:=1",
            "score:=9",
            "--output",
            "pretty",
        ])
        .await;
    assert_eq!(pretty.code, 1);
    assert!(
        pretty.stdout.contains("/score")
            && pretty.stdout.contains("OUT_OF_RANGE")
            && pretty.stdout.contains("--no-validate"),
        "{pretty:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_validate_sends_a_bad_body_and_a_400_is_not_retried() {
    let (_s, cli) = memory().await;
    let out = cli.run_with(
        &["send", "user", "--file", "-", "--no-validate"],
        "{\"userId\": 1,}",
    );
    assert_eq!(out.code, 1, "{out:?}");
    let answer = out.json();
    assert_eq!(
        (answer["status"].clone(), answer["attempts"].clone()),
        (json!(400), json!(1))
    );
    assert_eq!(answer["response"]["error"]["code"], json!("INVALID_JSON"));
    assert_eq!(answer["validationErrors"][0]["path"], json!(""));
    let out = cli
        .run_async(&["send", "event", "--no-validate", "event=e", "userId:=1.5"])
        .await;
    assert_eq!((out.code, out.json()["attempts"].clone()), (1, json!(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_server_is_tried_three_times_then_exit_3() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.fail_rate = 1.0;
    let (s, cli) = with_profile(config).await;
    let started = std::time::Instant::now();
    let out = cli
        .run_async(&["send", "event", "event=e", "userId:=1"])
        .await;
    assert_eq!(out.code, 3, "{out:?}");
    let answer = out.json();
    assert_eq!(
        (answer["status"].clone(), answer["attempts"].clone()),
        (json!(500), json!(3))
    );
    assert_eq!(answer["attemptLog"].as_array().unwrap().len(), 3);
    assert_eq!(answer["possiblyDuplicated"], json!(false));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "backoff is capped by 250 ms and 500 ms"
    );
    assert_eq!(s.inspect("stats").await["events"], json!(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flaky_server_is_retried_and_nothing_is_stored_twice() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.fail_rate = 0.5;
    let (s, cli) = with_profile(config).await;
    let (mut delivered, mut retried) = (0, 0);
    for i in 0..12 {
        let out = cli
            .run_async(&["send", "event", &format!("event=e{i}"), "userId:=1"])
            .await;
        let answer = out.json();
        let attempts = answer["attempts"].as_u64().unwrap();
        assert!((1..=3).contains(&attempts));
        match out.code {
            0 => delivered += 1,
            3 => assert_eq!(attempts, 3, "gave up only after three attempts"),
            other => panic!("exit {other}: {out:?}"),
        }
        retried += u64::from(attempts > 1);
        assert_eq!(
            answer["possiblyDuplicated"],
            json!(false),
            "the server said it stored nothing"
        );
    }
    assert!(
        retried > 0,
        "with a 50% failure rate some calls are retried"
    );
    assert_eq!(
        s.inspect("stats").await["events"],
        json!(delivered),
        "each delivered call stored once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_come_from_json_files_stdin_and_profile_defaults() {
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    let add = cli.run_with(
        &[
            "profiles",
            "add",
            "d",
            "--base",
            &s.base,
            "--key-stdin",
            "--user-id",
            "7",
            "--feature-id",
            "export",
        ],
        KEY,
    );
    assert_eq!(add.code, 0, "{add:?}");
    let out = cli
        .run_async(&["send", "feedback", "--profile", "d", "score:=5"])
        .await;
    assert_eq!(out.code, 0, "defaults fill userId and featureId: {out:?}");
    let row = &s.inspect("feedback").await[0];
    assert_eq!(
        (row["userId"].clone(), row["featureId"].clone()),
        (json!("7"), json!("export"))
    );

    let file = cli.home.path().join("body.json");
    std::fs::write(&file, r#"{"event": "from file", "userId": 1}"#).unwrap();
    let out = cli
        .run_async(&[
            "send",
            "event",
            "--profile",
            "d",
            "--file",
            file.to_str().unwrap(),
            "companyId=c",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        s.inspect("events").await[0]["companyId"],
        json!("c"),
        "items are set on top of the file"
    );
    let out = cli.run_with(
        &["send", "user", "--profile", "d", "--file", "-"],
        r#"{"userId": "stdin"}"#,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let out = cli
        .run_async(&[
            "send",
            "user",
            "--profile",
            "d",
            "--json",
            r#"{"userId": "inline"}"#,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(s.inspect("users/inline").await["userId"], json!("inline"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_with_a_reason() {
    let (s, cli) = memory().await;
    for (args, needle) in [
        (vec!["send", "event", "userId"], "field=value"),
        (vec!["send", "event", "userId:=nope"], "not JSON"),
        (vec!["send", "events", "event=e"], "invalid value"),
        (
            vec![
                "send",
                "event",
                "--profile",
                "ghost",
                "event=e",
                "userId:=1",
            ],
            "no profile named `ghost`",
        ),
        (
            vec!["send", "event", "--json", "{}", "--file", "x"],
            "cannot be used with",
        ),
        (
            vec!["send", "event", "--file", "/nonexistent/body.json"],
            "cannot read /nonexistent/body.json",
        ),
        (vec!["send", "event", "--json", "[1]", "a=b"], "JSON object"),
        (
            vec!["send", "event", "event=e", "page==2"],
            "query parameter",
        ),
        (vec!["send", "event", "event=e", "X-Trace:1"], "header"),
        (
            vec!["send", "event", "event=e", "comment@x.txt"],
            "file upload",
        ),
        (
            vec!["send", "event", "event=e", "comment=@/nonexistent/c.txt"],
            "cannot read /nonexistent/c.txt",
        ),
    ] {
        let out = cli.run_async(&args).await;
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
    }
    assert_eq!(
        s.inspect("events").await,
        json!([]),
        "a refused item sends nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pretty_output_shows_status_body_and_errors_by_field() {
    let (_s, cli) = memory().await;
    let out = cli
        .run_async(&[
            "send",
            "event",
            "event=e",
            "userId:=1",
            "--output",
            "pretty",
        ])
        .await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("200 OK"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 attempt")
            && out.stdout.contains("warning UNASSOCIATED_USER at /userId"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{1b}'), "NO_COLOR is respected");
    let out = cli
        .run_async(&[
            "send",
            "event",
            "--no-validate",
            "event=e",
            "userID:=1",
            "--output",
            "pretty",
        ])
        .await;
    assert!(out.stdout.starts_with("400 Bad Request"), "{}", out.stdout);
    assert!(
        out.stdout.contains("/userID  UNKNOWN_FIELD"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_profile_starts_the_server_in_process() {
    let cli = Arc::new(Cli::new());
    let out = cli
        .run_async(&["send", "user", "userId:=1", "--profile", "local"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        cli.data_dir()
            .join("bucket-console/local-tracking.sqlite3")
            .exists()
    );
    let out = cli
        .run_async(&["send", "event", "event=e", "userId:=1"])
        .await;
    assert_eq!(out.code, 0, "local is the default: {out:?}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_listens_on_its_address_and_copied_commands_point_there() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let cli = Arc::new(Cli::new().env("BUCKET_LOCAL_LISTEN", &listen));
    let out = cli.run_async(&["send", "user", "userId=u1"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // The in-process server is gone with the process: the command says so, with its real address.
    let curl = cli.run_async(&["log", "curl", "1"]).await;
    assert!(
        curl.stdout
            .contains(&format!("http://{listen}/$BUCKET_TRACKING_KEY/user")),
        "{curl:?}"
    );
    assert!(
        curl.stdout
            .starts_with("# the local server that answered this ran inside"),
        "{curl:?}"
    );
    // With a serve there, the command runs as it is.
    let mut serve = std::process::Command::new(crate::support::binary())
        .args(["serve", "--memory", "--quiet", "--listen", &listen])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _ = crate::support::listening_on(&mut serve);
    let curl = cli.run_async(&["log", "curl", "1"]).await;
    assert!(curl.stdout.starts_with("curl "), "{curl:?}");
    // A second serve on the same address is told who holds it.
    let second = cli
        .run_async(&["serve", "--memory", "--listen", &listen])
        .await;
    assert_eq!(second.code, 1);
    assert!(
        second.stderr.contains("held by a bucket-console"),
        "{second:?}"
    );
    let _ = serve.kill();
    let _ = serve.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_something_else_holds_the_address_local_takes_another_port() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = holder.local_addr().unwrap().to_string();
    let cli = Arc::new(Cli::new().env("BUCKET_LOCAL_LISTEN", &listen));
    let out = cli
        .run_async(&["send", "user", "userId=u1", "--output", "json"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let log = cli.run_async(&["log", "--json"]).await;
    let base = log.json()[0]["baseUrl"].as_str().unwrap().to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && base != format!("http://{listen}"),
        "{base}"
    );
    drop(holder);
}
