//! What the SDK tests share: their prerequisites (node, the packages `npm ci` installs from
//! tests/sdk/package-lock.json, Chromium), a `serve` child that knows one environment, and
//! running a harness script from tests/sdk.
//!
//! Without node or Chromium these tests skip, saying so on the terminal, so that `cargo test`
//! passes with Rust alone; `BUCKET_SDK_TESTS=required` (which `.ci/run` sets) turns a missing
//! prerequisite into a failure, so CI cannot pass by skipping them.

use crate::support::binary;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The environment `serve --env` is told about, and its two keys.
pub const ENV_NAME: &str = "sdktest";
pub const PUBLISHABLE: &str = "pub_sdkTest_0123456789abcdef";
/// Longer than 22 characters: the node SDK refuses shorter secret keys.
pub const SECRET: &str = "sec_sdkTest_0123456789abcdefghijklmn";

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A harness that has not finished by then is hung (a browser that never started, a request
/// that never ended), not slow: even a loaded machine finishes in well under a minute.
const HARNESS_LIMIT: Duration = Duration::from_secs(180);

pub fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// Whether the test can run. When a prerequisite is missing it says which and how to get it,
/// and returns false, unless the run requires these tests, where it fails instead.
pub fn ready(test: &str, packages: &[&str], chromium: bool) -> bool {
    let Some(why) = missing(packages, chromium) else {
        return true;
    };
    let required = std::env::var("BUCKET_SDK_TESTS").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "{test}: {why}, and BUCKET_SDK_TESTS=required (run .ci/run, which installs them)"
    );
    // Straight to the process's stderr: the test harness captures eprintln! of passing tests,
    // and a skip nobody sees is a test that silently stopped running.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (install node, npm and Chromium and run `npm ci` in tests/sdk, \
         or run .ci/run)"
    );
    false
}

fn missing(packages: &[&str], chromium: bool) -> Option<String> {
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        return Some("node is not on PATH".to_owned());
    }
    for package in packages {
        let manifest = sdk_dir()
            .join("node_modules")
            .join(package)
            .join("package.json");
        if !manifest.is_file() {
            return Some(format!("tests/sdk/node_modules has no {package}"));
        }
    }
    if chromium && !Path::new(CHROMIUM).is_file() {
        return Some(format!("{CHROMIUM} is missing"));
    }
    None
}

/// The flags `serve` answers the SDKs with: `huddle`, on for the test companies.
pub const FLAGS: &str = r#"{"features": [{"key": "huddle", "targeting": {"version": 1, "rules": [
  {"filter": {"type": "context", "field": "company.id", "operator": "ANY_OF", "values": ["c-node", "c-browser"]}}
]}}]}"#;

/// `serve` on a free port of 127.0.0.1 with a fresh store, private data dirs, the test
/// environment and [`FLAGS`] (its file watched: [`Serve::flags_file`]); killed when dropped, so
/// a failing assertion leaves nothing behind.
pub struct Serve {
    child: Child,
    pub base: String,
    dir: tempfile::TempDir,
}

impl Serve {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
        std::fs::write(dir.path().join("flags.json"), FLAGS).unwrap();
        let mut child = Command::new(binary())
            .current_dir(dir.path())
            .env_remove("BUCKET_COLLECTION")
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("store.sqlite3"))
            .arg("--flags")
            .arg(dir.path().join("flags.json"))
            .arg("--env")
            .arg(format!("{ENV_NAME}={PUBLISHABLE},{SECRET}"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("HOME", dir.path())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("serve starts");
        let mut first = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("stdout is piped")),
            &mut first,
        )
        .unwrap();
        let Some(base) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
            panic!("serve did not start: {first:?}\n{log}");
        };
        Self {
            child,
            base: base.to_owned(),
            dir,
        }
    }

    /// The definitions file `serve` watches.
    pub fn flags_file(&self) -> PathBuf {
        self.dir.path().join("flags.json")
    }

    /// What `serve` printed on stderr (a line per request), to explain a failure.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// GETs an inspection route of the test environment, insisting on a 200.
    pub async fn inspect(&self, route: &str) -> Value {
        let url = format!("{}/_local/{ENV_NAME}/{route}", self.base);
        let resp = reqwest::get(&url).await.expect("inspection answers");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(
            status,
            200,
            "GET {url}: {body}\nserve's log:\n{}",
            self.log()
        );
        body
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `node tests/sdk/SCRIPT` against `serve` with `envs`, and returns its report (the JSON
/// line it prints), insisting that it exited 0, that is, that the SDK met no failure.
pub async fn run_harness(serve: &Serve, script: &str, envs: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new("node");
    cmd.arg(sdk_dir().join(script))
        .current_dir(sdk_dir())
        .env("SDK_SERVE_URL", &serve.base)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || finish(cmd))
        .await
        .unwrap();
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    assert!(
        code == Some(0) && report.is_object(),
        "{script} exited {code:?}\nreport: {report:#}\nstdout: {stdout}\nstderr: {stderr}\n\
         serve's log:\n{}",
        serve.log()
    );
    report
}

/// Waits for the harness within HARNESS_LIMIT (killing it past that), reading its output.
pub fn finish(mut cmd: Command) -> (Option<i32>, String, String) {
    use std::io::Read as _;
    let mut child = cmd.spawn().expect("node starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    // Read on threads: a child blocked on a full pipe would never exit.
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > HARNESS_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let code = status.and_then(|s| s.code());
    (code, out.join().unwrap(), err.join().unwrap())
}

/// The test environment's recorded requests (Traffic), oldest first.
pub async fn traffic(serve: &Serve) -> Vec<Value> {
    let records = serve.inspect("requests?limit=1000").await;
    records.as_array().cloned().unwrap_or_default()
}

/// A recorded `/bulk` request whose every item, one per element of its body, was stored.
pub fn assert_all_stored(record: &Value) {
    let sent = serde_json::from_str::<Value>(record["body"].as_str().unwrap_or_default())
        .ok()
        .and_then(|b| b.as_array().map(Vec::len));
    let items = record["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(Some(items.len()), sent, "{record:#}");
    assert!(items.iter().all(|i| i["verdict"] == "stored"), "{record:#}");
}
