//! Sending calls: one function takes a method and a body for a target and returns an owned
//! [`Exchange`], after the retries of assets/contract.md §8. Free of terminal concerns: the CLI and the
//! console both drive it.

pub mod batch;
pub mod code;
mod dedicated;
mod exchange;
pub mod flags;
mod literal;
pub mod retry;
mod sdk_runtime;
mod transport;

pub use exchange::{Attempt, Exchange, Outcome, Response};
pub use retry::RetryPolicy;

use crate::api::inspect;
use crate::api::{AnyKey, Warning, WarningCode, timestamp};
use crate::sanitize::redact;
use bytes::Bytes;
use dedicated::Dedicated;
use retry::Verdict;
use serde_json::Value;
use std::time::{Duration, Instant};
use transport::{Pooled, Transport};

/// Longest wait a server's `Retry-After` may impose.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(30);

/// Where calls go: a base URL and a key, named after the profile they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub profile: String,
    pub base_url: String,
    /// A tracking key goes in the path; a Runtime API key only in `Authorization: Bearer`.
    pub key: AnyKey,
}

impl Target {
    /// The URL a call of `route` goes to, and the same with the key masked (what is recorded).
    /// The Runtime API's routes carry no key: `{base}/{route}`.
    pub fn url_of(&self, route: &str) -> (String, String) {
        match &self.key {
            AnyKey::Tracking(key) => (
                format!("{}/{}/{route}", self.base_url, key.expose()),
                format!("{}/{}/{route}", self.base_url, key.masked()),
            ),
            AnyKey::Runtime(_) => {
                let url = format!("{}/{route}", self.base_url);
                (url.clone(), url)
            }
        }
    }

    /// The `Authorization` header's key, for a runtime target.
    pub fn bearer(&self) -> Option<&str> {
        self.key
            .runtime()
            .map(crate::api::runtime::key::RuntimeKey::expose)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ClientConfig {
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// The whole request, per attempt.
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
        }
    }
}

pub use crate::net::SetupError as ClientError;

/// An HTTP client for the tracking API; cheap to clone, connections are pooled.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let http = crate::net::client(config.connect_timeout)?;
        Ok(Self { http, config })
    }

    /// Sends `body` as `POST {base}/{key}/{route}` (`route` is a method, or anything when a wrong
    /// request is sent on purpose) and records every attempt.
    pub async fn send(&self, target: &Target, route: &str, body: Bytes) -> Exchange {
        self.send_via(&mut Pooled(&self.http), target, route, body)
            .await
    }

    /// A sender for one task that keeps one call in flight after another (`replay`'s workers).
    pub fn worker(&self, target: &Target) -> Worker {
        Worker {
            client: self.clone(),
            dedicated: Dedicated::for_base(&target.base_url, self.config.connect_timeout),
        }
    }

    async fn send_via(
        &self,
        transport: &mut impl Transport,
        target: &Target,
        route: &str,
        body: Bytes,
    ) -> Exchange {
        let key = &target.key;
        let (url, shown_url) = target.url_of(route);
        let masked = key.masked();
        let clean = |text: &str| redact(text, key.expose(), &masked);
        let started = Instant::now();
        let mut exchange = Exchange {
            id: None,
            started_at: timestamp::format(timestamp::now_ms()),
            profile: target.profile.clone(),
            base_url: target.base_url.clone(),
            url: shown_url,
            key_masked: masked.clone(),
            key_fingerprint: key.fingerprint(),
            api: Some(key.api()),
            method: route.to_owned(),
            request_body: clean(&String::from_utf8_lossy(&body)),
            attempts: Vec::new(),
            response: None,
            outcome: exchange::Outcome::Failed,
            possibly_duplicated: false,
            latency_ms: 0.0,
            warnings: Vec::new(),
            validation_errors: Vec::new(),
            error_code: None,
            error_message: None,
            feedback_id: None,
            outbox_id: None,
        };
        if refused_unread(target, &mut exchange) {
            return exchange;
        }
        let policy = self.config.retry;
        let mut maybe_stored = false;
        let mut unread = false;
        for n in 1..=policy.attempts.max(1) {
            let attempt_started = Instant::now();
            let at = timestamp::format(timestamp::now_ms());
            let result = transport
                .post(&url, target.bearer(), body.clone(), self.config.timeout)
                .await;
            let latency_ms = round_ms(attempt_started.elapsed());
            let (verdict, wait) = match result {
                Ok(response) => {
                    unread = response.unread;
                    let retry_after = retry_after(&response);
                    let response = Response {
                        status: response.status,
                        headers: response
                            .headers
                            .iter()
                            .map(|(k, v)| (k.clone(), clean(v)))
                            .collect(),
                        body: clean(&response.body),
                    };
                    let stored_nothing =
                        response.status == 500 && says_nothing_stored(&response.body);
                    let verdict = retry::for_status(response.status, stored_nothing);
                    exchange.attempts.push(Attempt {
                        started_at: at,
                        status: Some(response.status),
                        error: None,
                        latency_ms,
                    });
                    exchange.response = Some(response);
                    (verdict, retry_after)
                }
                Err(error) => {
                    unread = false;
                    exchange.attempts.push(Attempt {
                        started_at: at,
                        status: None,
                        error: Some(clean(&error.message)),
                        latency_ms,
                    });
                    exchange.response = None;
                    let verdict = Verdict::Retry {
                        committed: error.may_have_arrived,
                    };
                    (verdict, None)
                }
            };
            match verdict {
                Verdict::Done => break,
                Verdict::Retry { committed } => {
                    maybe_stored |= committed;
                    if n == policy.attempts {
                        break;
                    }
                    tokio::time::sleep(wait.unwrap_or_else(|| policy.backoff(n))).await;
                }
            }
        }
        exchange.latency_ms = round_ms(started.elapsed());
        finish(&mut exchange, maybe_stored);
        if unread {
            exchange.warnings.push(answer_unread(exchange.status()));
        }
        exchange
    }
}

/// One task's sender: its own connection for a plain-HTTP target, the shared pool otherwise.
pub struct Worker {
    client: Client,
    dedicated: Option<Dedicated>,
}

impl Worker {
    pub async fn send(&mut self, target: &Target, route: &str, body: Bytes) -> Exchange {
        match &mut self.dedicated {
            Some(connection) => self.client.send_via(connection, target, route, body).await,
            None => {
                let http = self.client.http.clone();
                self.client
                    .send_via(&mut Pooled(&http), target, route, body)
                    .await
            }
        }
    }
}

/// A profile whose key_env or key_command gave no key holds a stand-in: the call is refused, not
/// queued, since retrying cannot help.
fn refused_unread(target: &Target, exchange: &mut Exchange) -> bool {
    if !target.key.is_unread() {
        return false;
    }
    exchange.outcome = exchange::Outcome::Rejected;
    exchange.error_message = Some(format!(
        "profile `{}` has no key: its key_env or key_command gave none in this process \
         (`bucket-console profiles show {}` says why); nothing was sent",
        target.profile, target.profile
    ));
    true
}

/// How long a 429 or 503 asks to wait.
fn retry_after(response: &transport::RawResponse) -> Option<Duration> {
    if response.status != 429 && response.status != 503 {
        return None;
    }
    retry::retry_after(response.header("retry-after")?, RETRY_AFTER_CAP)
}

/// Milliseconds to a tenth, as shown and stored.
fn round_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// A 500 whose body says storing failed: per the contract nothing was stored.
fn says_nothing_stored(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(|c| c == "UNKNOWN_ERROR"))
        .unwrap_or(false)
}

/// Said when the final answer's status came but its body was too large to read: the status
/// alone says what became of the call (a 200's was stored), so the outcome is the status's.
fn answer_unread(status: Option<u16>) -> Warning {
    let status = status.unwrap_or(0);
    let stored = if (200..300).contains(&status) {
        ": the call was stored"
    } else {
        ""
    };
    Warning {
        code: WarningCode::AnswerTooLarge,
        path: String::new(),
        message: format!(
            "the server answered {status}{stored}, but its answer was over 1 MiB and was not \
             read, so any warnings or errors in it are unknown (the tracking API's answers are \
             tiny: check the base URL)"
        ),
    }
}

/// What a redirect is said to be. The location was redacted of the key with the other headers.
fn not_followed(exchange: &Exchange) -> String {
    let location = exchange
        .response
        .as_ref()
        .and_then(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        })
        .map_or("(no location)", |(_, v)| v.as_str());
    format!(
        "redirected to {location} — not followed (the tracking API never redirects; check the \
         base URL)"
    )
}

/// Sets the outcome and reads warnings, errors and the feedback id from the final answer.
fn finish(exchange: &mut Exchange, maybe_stored: bool) {
    let status = exchange.status();
    exchange.outcome = match status {
        Some(200..=299) => Outcome::Delivered,
        Some(429) | None => Outcome::Failed,
        // A redirect is the base URL's fault, like a 4xx the request's: resending cannot help.
        Some(300..=499) => Outcome::Rejected,
        Some(_) => Outcome::Failed,
    };
    // Delivered after an attempt that may have been stored: stored twice, perhaps. Failed after
    // one: stored once, perhaps, so sending it again may duplicate it.
    exchange.possibly_duplicated = maybe_stored && exchange.outcome != Outcome::Rejected;
    if let Some(300..=399) = status {
        exchange.error_message = Some(not_followed(exchange));
        return;
    }
    let Some(body) = exchange.response_json() else {
        return;
    };
    exchange.feedback_id = body["feedbackId"].as_str().map(str::to_owned);
    let Some(response) = &exchange.response else {
        return;
    };
    let verdict = inspect::Verdict::read(status, response.body.clone(), exchange.latency_ms);
    exchange.warnings = verdict.warnings;
    exchange.error_code = verdict.error_code;
    exchange.error_message = verdict.message;
    exchange.validation_errors = verdict.validation_errors;
}
