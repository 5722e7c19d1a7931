//! Helpers for the Runtime API's tests: calls with a Bearer key, the built-in keys, a server on a
//! database file so tests can read the tables the Runtime API adds.

use crate::support::TestServer;
use bucket_console::api::runtime::env::{LOCAL_PUBLISHABLE, LOCAL_SECRET};
use bucket_console::server::{ServerConfig, Storage};
use serde_json::Value;

pub const PUB: &str = LOCAL_PUBLISHABLE;
pub const SEC: &str = LOCAL_SECRET;

/// A server on a database file in `dir`, with the environments given as `--env` specs.
pub async fn on_file(dir: &tempfile::TempDir, envs: &[&str]) -> TestServer {
    let mut config = ServerConfig::ephemeral(Storage::File(dir.path().join("rt.sqlite3")));
    for spec in envs {
        config.environments.add(spec).unwrap();
    }
    TestServer::with(config).await
}

/// POSTs `body` (JSON text) to `path` with `Authorization: Bearer key` when a key is given.
pub async fn send(s: &TestServer, key: Option<&str>, path: &str, body: &str) -> (u16, Value) {
    let mut req = s
        .http
        .post(format!("{}{path}", s.base))
        .header("content-type", "application/json")
        .header("reflag-sdk-version", "node-sdk/1.7.1")
        .body(body.to_owned());
    if let Some(key) = key {
        req = req.header("authorization", format!("Bearer {key}"));
    }
    answer(req).await
}

/// GETs `path` (with its query) with `Authorization: Bearer key` when a key is given.
pub async fn fetch(s: &TestServer, key: Option<&str>, path: &str) -> (u16, Value) {
    let mut req = s.http.get(format!("{}{path}", s.base));
    if let Some(key) = key {
        req = req.header("authorization", format!("Bearer {key}"));
    }
    answer(req).await
}

async fn answer(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("answered");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Rows of a table of environment `name` (counted in the database file).
pub fn rows(dir: &tempfile::TempDir, table: &str, name: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.path().join("rt.sqlite3")).unwrap();
    let digest = bucket_console::api::key::digest(name);
    conn.query_row(
        &format!(
            "SELECT count(*) FROM {table} WHERE key_id = \
             (SELECT id FROM tracking_keys WHERE key_sha256 = ?1)"
        ),
        [digest],
        |r| r.get(0),
    )
    .unwrap()
}

/// Every byte the database holds (its file, journal and WAL).
pub fn database_bytes(dir: &tempfile::TempDir) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
    }
    all
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}
