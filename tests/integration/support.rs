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

/// Asserts the documented error shape (CONTRACT.md §3).
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
