//! Helpers: a server per test, a client that speaks to it, and a snapshot of everything stored.

use bucket_console::server::{self, RunningServer, ServerConfig, Storage};
use serde_json::{Value, json};

pub const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";
pub const OTHER_KEY: &str = "otherKey_0123456789abcd";

pub struct TestServer {
    pub server: RunningServer,
    pub http: reqwest::Client,
    pub base: String,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(ServerConfig::ephemeral(Storage::Memory)).await
    }

    pub async fn with(config: ServerConfig) -> Self {
        let server = server::start(config).await.expect("server starts");
        let base = server.base_url();
        Self {
            server,
            http: reqwest::Client::new(),
            base,
        }
    }

    /// POSTs a JSON value to `/{KEY}/{method}`.
    pub async fn post(&self, method: &str, body: Value) -> (u16, Value) {
        self.post_as(KEY, method, body).await
    }

    pub async fn post_as(&self, key: &str, method: &str, body: Value) -> (u16, Value) {
        self.post_raw(
            key,
            method,
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn post_raw(
        &self,
        key: &str,
        method: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}/{key}/{method}", self.base))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.expect("request is answered");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// POSTs and insists on a 200, returning the body.
    pub async fn ok(&self, method: &str, body: Value) -> Value {
        let (status, answer) = self.post(method, body.clone()).await;
        assert_eq!(status, 200, "{method} {body} answered {answer}");
        answer
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("answered");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// GETs an inspection route of KEY and insists on a 200.
    pub async fn inspect(&self, route: &str) -> Value {
        let (status, body) = self.get(&format!("/_local/{KEY}/{route}")).await;
        assert_eq!(status, 200, "{route}: {body}");
        body
    }

    /// Everything KEY has stored, to show that a rejected call changed nothing.
    pub async fn snapshot(&self) -> Value {
        json!({
            "users": self.inspect("users?limit=1000").await,
            "companies": self.inspect("companies?limit=1000").await,
            "events": self.inspect("events?limit=1000").await,
            "feedback": self.inspect("feedback?limit=1000").await,
            "stats": self.inspect("stats").await,
        })
    }
}

/// The error code of a failed answer.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no code>")
}

/// (path, code) of each validation error.
pub fn problems(body: &Value) -> Vec<(String, String)> {
    body["error"]["validationErrors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e["path"].as_str().unwrap_or("?").to_owned(),
                        e["code"].as_str().unwrap_or("?").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the documented error shape (assets/contract.md §3).
pub fn assert_error_shape(body: &Value) {
    assert_eq!(body["success"], json!(false), "{body}");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    for e in body["error"]["validationErrors"]
        .as_array()
        .expect("validationErrors is a list")
    {
        assert!(
            e["path"].is_string() && e["code"].is_string() && e["message"].is_string(),
            "{e}"
        );
        let path = e["path"].as_str().unwrap();
        assert!(
            path.is_empty() || path.starts_with('/'),
            "not a JSON pointer: {path}"
        );
    }
}

/// Path to the built binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_bucket-console")
}

/// The real binary with private config and data directories (and HOME), no BUCKET_* variables.
pub struct Cli {
    pub home: tempfile::TempDir,
    envs: Vec<(String, String)>,
}

/// What a run printed and how it ended.
#[derive(Debug, Clone)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

impl Cli {
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            envs: Vec::new(),
        }
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.envs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The variables a test set, as `NAME='value'` words for a shell command line.
    pub fn shell_envs(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        for (k, v) in self.envs.iter().filter(|(k, _)| k != "BUCKET_LOCAL_LISTEN") {
            let _ = write!(out, "{k}='{}' ", v.replace('\'', "'\\''"));
        }
        out
    }

    /// Where the `local` profile's server listens: a free port, unless a test set it.
    pub fn local_listen(&self) -> String {
        self.envs
            .iter()
            .find(|(k, _)| k == "BUCKET_LOCAL_LISTEN")
            .map_or_else(|| "127.0.0.1:0".to_owned(), |(_, v)| v.clone())
    }

    pub fn config_dir(&self) -> std::path::PathBuf {
        self.home.path().join("config")
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.home.path().join("data")
    }

    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(binary());
        cmd.env("XDG_CONFIG_HOME", self.config_dir())
            .env("XDG_DATA_HOME", self.data_dir())
            .env("HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env_remove("BUCKET_PROFILE")
            .env_remove("BUCKET_TRACKING_KEY")
            .env_remove("BUCKET_BASE_URL")
            .env_remove("BUCKET_HISTORY_LIMIT")
            // Tests never meet on 8787: each local server takes a free port unless told.
            .env("BUCKET_LOCAL_LISTEN", self.local_listen());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs to completion with `stdin` as standard input.
    pub fn run_with(&self, args: &[&str], stdin: &str) -> Out {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A command that exits before reading its input (a refused argument) closes the pipe:
        // that is its answer, not the test's failure.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let output = child.wait_with_output().unwrap();
        Out {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, "")
    }

    /// Runs off the async runtime, so a server in this process keeps answering.
    pub async fn run_async(self: &std::sync::Arc<Self>, args: &[&str]) -> Out {
        let (me, args): (_, Vec<String>) =
            (self.clone(), args.iter().map(|s| (*s).to_owned()).collect());
        tokio::task::spawn_blocking(move || {
            me.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await
        .unwrap()
    }

    /// What the kiosk recorded as sent (its own record, apart from the developer's log).
    pub fn kiosk_sent(&self) -> Vec<bucket_console::client::Exchange> {
        bucket_console::history::History::open(
            &self.data_dir().join("bucket-console/kiosk.sqlite3"),
            1000,
        )
        .unwrap()
        .recent(100, 0)
        .unwrap()
    }

    /// Saves a profile for a server with `key`.
    pub fn add_profile(&self, name: &str, base: &str, key: &str) {
        let out = self.run_with(
            &["profiles", "add", name, "--base", base, "--key-stdin"],
            key,
        );
        assert_eq!(out.code, 0, "{out:?}");
    }
}

/// One scripted answer: status, headers, body.
pub type Scripted = (u16, Vec<(&'static str, String)>, String);

/// A server answering a script of responses in turn (the last one repeats), to play a hostile,
/// rate-limiting or failing upstream. Returns its base URL and the number of requests it saw.
pub async fn scripted_server(
    script: Vec<Scripted>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::response::IntoResponse;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let script = std::sync::Arc::new(script);
    let app = axum::Router::new().fallback(move || {
        let (script, counter) = (script.clone(), counter.clone());
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst).min(script.len() - 1);
            let (status, headers, body) = script[n].clone();
            let mut response =
                (axum::http::StatusCode::from_u16(status).unwrap(), body).into_response();
            for (k, v) in headers {
                response.headers_mut().insert(
                    k,
                    axum::http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
                );
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, hits)
}

/// SIGTERM to a child, as a service manager stops it; the child must still be running.
pub fn sigterm(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "no process {}", child.id());
}

/// Everything an exited child wrote to its piped stderr: what a test reads after stopping serve.
pub fn stderr_of(child: &mut std::process::Child) -> String {
    use std::io::Read;
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut log)
        .expect("stderr reads as UTF-8");
    log
}

/// Reads a `serve` child's first line (`listening on http://ADDR`) and returns the base URL.
pub fn listening_on(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut first)
        .unwrap();
    first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned()
}

/// A runtime for tests that drive blocking code (the binary, proptest) beside a server.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A server, a CLI with profile `app` on it, and `collection` written as the CLI's collection file.
pub async fn with_collection(
    collection: &str,
) -> (TestServer, std::sync::Arc<Cli>, std::path::PathBuf) {
    let server = TestServer::start().await;
    let cli = std::sync::Arc::new(Cli::new());
    cli.add_profile("app", &server.base, KEY);
    let path = cli.home.path().join("bucket-console.toml");
    std::fs::write(&path, collection).unwrap();
    (server, cli, path)
}

/// `run ARGS` with profile `app` and the collection at `path`.
pub async fn run_collection(
    cli: &std::sync::Arc<Cli>,
    path: &std::path::Path,
    args: &[&str],
) -> Out {
    let mut all = vec![
        "run",
        "--profile",
        "app",
        "--collection",
        path.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    cli.run_async(&all).await
}

/// Every file under `dir`, recursively: what a test searches for a secret left behind.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A key command outside the XDG dirs that prints [`KEY`] (as `pass show` would) and appends a
/// line to the returned file each time it runs: its path and that file's.
pub fn counting_key_command(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let runs = dir.join("runs");
    let helper = dir.join("print-key");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\necho run >> '{}'\nprintf '%s\\n' '{KEY}'\n",
            runs.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o700)).unwrap();
    (helper, runs)
}
