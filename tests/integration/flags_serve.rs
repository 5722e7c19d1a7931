//! `serve --flags` and the collection's `[flags]` as a process: the flag routes answer from the
//! definitions, `flagStateVersion` never goes back across restarts, a saved edit is pushed on
//! `/sse/server` as the node SDK reads it, a bad edit keeps the last good definitions, and a bad
//! file stops `serve` (and `flags check`) with exit 2 and its `file:line`.

use crate::runtime_support::{PUB, SEC};
use crate::support::{binary, listening_on, sigterm};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FLAGS: &str = r#"{
  "features": [
    {
      "key": "huddle",
      "targeting": {
        "version": 3,
        "rules": [
          {"filter": {"type": "context", "field": "company.id", "operator": "ANY_OF", "values": ["acme"]}}
        ]
      },
      "config": {
        "version": 2,
        "variants": [
          {"filter": {"type": "context", "field": "user.id", "operator": "IS", "values": ["u1"]}, "key": "big", "payload": {"seats": 5}}
        ]
      }
    }
  ]
}"#;

const COLLECTION: &str = "[flags.beta]\nusers = [\"u9\"]\n";

/// `serve` in `dir` (where it finds the collection), on its database there; killed when dropped.
struct Serve {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Serve {
    fn start(dir: &Path, extra: &[&str]) -> Self {
        let log = dir.join(format!("serve-{}.log", fastrand::u32(..)));
        let mut child = command(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--db", "store.sqlite3"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let base = listening_on(&mut child);
        Self { child, base, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops it as Ctrl-C would, so its store is closed cleanly.
    fn stop(mut self) {
        sigterm(&self.child);
        let _ = self.child.wait();
    }

    async fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let mut req = reqwest::Client::new().get(format!("{}{path}", self.base));
        if let Some(key) = key {
            req = req.header("authorization", format!("Bearer {key}"));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn version(&self) -> i64 {
        let (status, body) = self.get("/features", Some(SEC)).await;
        assert_eq!(status, 200, "{body}");
        body["flagStateVersion"].as_i64().unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .env_remove("BUCKET_COLLECTION")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("HOME", dir);
    cmd
}

/// Replaces the file whole, as editors save.
fn save(path: &Path, text: &str) {
    let temporary = path.with_extension("saving");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

fn keys(body: &Value) -> Vec<String> {
    match &body["features"] {
        Value::Array(list) => list
            .iter()
            .map(|f| f["key"].as_str().unwrap().to_owned())
            .collect(),
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_routes_answer_from_the_file_and_the_collection() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flags.json"), FLAGS).unwrap();
    std::fs::write(dir.path().join("bucket-console.toml"), COLLECTION).unwrap();
    let serve = Serve::start(dir.path(), &["--flags", "flags.json"]);

    let (status, body) = serve.get("/features?waitForVersion=7", Some(SEC)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], json!(true));
    assert_eq!(keys(&body), ["huddle", "beta"]);
    assert_eq!(body["flagStateVersion"], json!(1));
    assert_eq!(body["features"][0]["targeting"]["version"], json!(3));
    assert_eq!(
        body["features"][1]["targeting"]["rules"][0]["filter"],
        json!({"type": "context", "field": "user.id", "operator": "ANY_OF", "values": ["u9"]})
    );
    // The definitions are the secret key's only.
    assert_eq!(serve.get("/features", Some(PUB)).await.0, 403);

    let query = format!(
        "context.company.id=acme&context.user.id=u1&publishableKey={PUB}&key=x&waitForVersion=1"
    );
    let (status, body) = serve
        .get(&format!("/features/evaluated?{query}"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["flagStateVersion"], json!(1));
    assert_eq!(
        body["features"]["huddle"],
        json!({"key": "huddle", "isEnabled": true, "targetingVersion": 3,
               "ruleEvaluationResults": [true], "missingContextFields": [],
               "config": {"key": "big", "payload": {"seats": 5}, "version": 2}})
    );
    assert_eq!(body["features"]["beta"]["isEnabled"], json!(false));

    // Only the context parameters count: without them the company is missing.
    let (_, body) = serve
        .get("/features/evaluated?key=acme&user.id=u9", Some(SEC))
        .await;
    assert_eq!(
        body["features"]["huddle"]["missingContextFields"],
        json!(["company.id"])
    );
    let (_, body) = serve
        .get("/features/enabled?context.user.id=u9", Some(PUB))
        .await;
    assert_eq!(keys(&body), ["beta"], "only the flags that are on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_version_never_goes_back_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flags.json");
    std::fs::write(&file, FLAGS).unwrap();
    let args = ["--flags", "flags.json"];

    let serve = Serve::start(dir.path(), &args);
    assert_eq!(serve.version().await, 1);
    serve.stop();
    let serve = Serve::start(dir.path(), &args);
    assert_eq!(
        serve.version().await,
        1,
        "the same definitions keep their number"
    );
    serve.stop();
    std::fs::write(&file, FLAGS.replace("acme", "globex")).unwrap();
    let serve = Serve::start(dir.path(), &args);
    assert_eq!(serve.version().await, 2, "changed while stopped");
    serve.stop();
    std::fs::write(&file, FLAGS).unwrap();
    let serve = Serve::start(dir.path(), &args);
    assert_eq!(
        serve.version().await,
        3,
        "old definitions again still count up"
    );
    serve.stop();
    let serve = Serve::start(dir.path(), &[]);
    assert_eq!(
        serve.version().await,
        4,
        "no flags after some is a change too"
    );
}

/// Reads the stream until `want` has arrived, or panics with what did.
async fn read_until(stream: &mut tokio::net::TcpStream, seen: &mut String, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut buf = [0u8; 4096];
    while !seen.contains(want) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            other => panic!("waiting for {want:?}: {other:?}; read so far:\n{seen}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_edit_is_pushed_and_a_bad_one_keeps_the_last_good() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flags.json");
    std::fs::write(&file, FLAGS).unwrap();
    let serve = Serve::start(dir.path(), &["--flags", "flags.json"]);
    assert_eq!(serve.version().await, 1);

    let address = serve.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "GET /sse/server HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {SEC}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "\r\n\r\n").await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen.contains("text/event-stream"), "{seen}");

    save(&file, &FLAGS.replace("\"huddle\"", "\"huddle-2\""));
    let message = r#"data: {"name":"flags-updated","data":{"flagStateVersion":2}}"#;
    read_until(&mut stream, &mut seen, message).await;
    assert!(
        !seen.contains("event:"),
        "a plain message, no event line: {seen}"
    );
    let (_, body) = serve.get("/features?waitForVersion=2", Some(SEC)).await;
    assert_eq!(keys(&body), ["huddle-2"]);
    assert_eq!(body["flagStateVersion"], json!(2));

    // A broken save: the last good definitions stay, and the problem is said with its line.
    save(&file, &FLAGS.replace("\"ANY_OF\"", "\"ANY_0F\""));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !serve.log().contains("last good definitions stay") {
        assert!(Instant::now() < deadline, "{}", serve.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = serve.log();
    assert!(log.contains("flags.json:8: "), "{log}");
    assert!(log.contains("did you mean \"ANY_OF\""), "{log}");
    let (_, body) = serve.get("/features", Some(SEC)).await;
    assert_eq!(keys(&body), ["huddle-2"]);
    assert_eq!(body["flagStateVersion"], json!(2));
    // Traffic says so too.
    let records: Value = reqwest::get(format!("{}/_local/local/requests", serve.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refused = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "RELOAD" && r["local"]["status"] == 422);
    let refused = refused.unwrap_or_else(|| panic!("no refused reload in {records:#}"));
    assert!(
        refused["local"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean \"ANY_OF\""),
        "{refused:#}"
    );

    // Fixed again: served, numbered on, pushed.
    save(&file, FLAGS);
    let message = r#"data: {"name":"flags-updated","data":{"flagStateVersion":3}}"#;
    read_until(&mut stream, &mut seen, message).await;
}

#[test]
fn a_bad_file_stops_serve_and_fails_flags_check_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flags.json"),
        FLAGS.replace("\"IS\"", "\"IZ\""),
    )
    .unwrap();
    let out = command(dir.path())
        .args([
            "serve",
            "--memory",
            "--listen",
            "127.0.0.1:0",
            "--flags",
            "flags.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("flags.json:14: "), "{stderr}");
    assert!(stderr.contains("did you mean \"IS\""), "{stderr}");
    assert!(out.stdout.is_empty(), "it never listened");

    let out = command(dir.path())
        .args(["flags", "check", "flags.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("flags.json:14: "), "{stderr}");

    // A flag in the file and in the collection names both places.
    std::fs::write(dir.path().join("flags.json"), FLAGS).unwrap();
    std::fs::write(
        dir.path().join("bucket-console.toml"),
        "[flags.huddle]\nenabled = true\n",
    )
    .unwrap();
    let out = command(dir.path())
        .args([
            "serve",
            "--memory",
            "--listen",
            "127.0.0.1:0",
            "--flags",
            "flags.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bucket-console.toml:1: flag \"huddle\" is defined here and in"),
        "{stderr}"
    );
    assert!(stderr.contains("flags.json:3"), "{stderr}");
}

#[test]
fn flags_check_summarises_a_good_file_and_warns_of_a_keyless_rollout() {
    let dir = tempfile::tempdir().unwrap();
    let rollout = r#"[{"key": "slow", "targeting": {"version": 1, "rules": [
  {"filter": {"type": "rolloutPercentage", "partialRolloutAttribute": "company.id", "partialRolloutThreshold": 50000}}
]}}]"#;
    std::fs::write(dir.path().join("flags.json"), rollout).unwrap();
    let out = command(dir.path())
        .args(["flags", "check", "flags.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("flags.json: 1 flag(s), 1 rule(s), 0 with a config, 1 warning(s)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: flags.json:2: flag \"slow\""),
        "{stderr}"
    );
    assert!(stderr.contains("without \"key\""), "{stderr}");

    std::fs::write(dir.path().join("c.toml"), "[flags.beta]\nrollout = 10\n").unwrap();
    let out = command(dir.path())
        .args(["flags", "check", "c.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 flag(s), 1 rule(s)"));
}
