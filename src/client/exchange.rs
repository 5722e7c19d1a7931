//! The owned record of one request and everything that came back: what the CLI prints, the
//! history stores and the console shows. The tracking key never appears in it: the URL is masked
//! and anything the server echoed has the key redacted.

use crate::api::{ErrorCode, ValidationError, Warning};
use serde::{Deserialize, Serialize};

/// How an exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// A 4xx answer: fix the request, do not retry.
    Rejected,
    /// No answer, or 5xx/429, after every attempt.
    Failed,
}

/// One try at sending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub started_at: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: f64,
}

/// The final answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// Set by the history when stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub started_at: String,
    pub profile: String,
    pub base_url: String,
    /// `{base}/{masked key}/{method}`.
    pub url: String,
    pub key_masked: String,
    pub key_fingerprint: String,
    /// Which API the call went to; `method` is its route there. Absent from records written
    /// before exchanges said so: the history fills it in as it reads them
    /// ([`Exchange::api_by_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<crate::api::Api>,
    pub method: String,
    pub request_body: String,
    pub attempts: Vec<Attempt>,
    pub response: Option<Response>,
    pub outcome: Outcome,
    /// Delivered: an earlier attempt may have been stored before this one was too. Failed: an
    /// attempt may have been stored although no answer said so, so sending again may duplicate.
    pub possibly_duplicated: bool,
    pub latency_ms: f64,
    #[serde(default)]
    pub warnings: Vec<Warning>,
    #[serde(default)]
    pub validation_errors: Vec<ValidationError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_id: Option<String>,
    /// The outbox item that carries this call while it waits: set when it is queued, kept
    /// through its later attempts, so the log shows one row whose state moves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<i64>,
}

impl Exchange {
    /// Whether the outbox takes this call when it was not delivered: a call of the API's
    /// methods, or a Runtime API batch, queued whole as one item (it was refused or stored
    /// whole, so it is delivered whole). Another route (a flag check…) is not worth keeping.
    pub fn queueable(&self) -> bool {
        self.outcome == Outcome::Failed
            && (crate::api::Method::parse(&self.method).is_some()
                || (self.is_runtime() && self.method == "bulk"))
    }

    /// Waiting in the outbox: no answer yet, and an item that will try again.
    pub fn is_queued(&self) -> bool {
        self.outcome == Outcome::Failed && self.outbox_id.is_some()
    }

    /// The exchange after a later attempt of the same call (`then`, made by the outbox): its
    /// answer and outcome, this one's start, id and attempts before its own.
    #[must_use]
    pub fn continued(&self, then: Exchange) -> Exchange {
        let mut attempts = self.attempts.clone();
        attempts.extend(then.attempts.iter().cloned());
        Exchange {
            id: self.id,
            started_at: self.started_at.clone(),
            attempts,
            possibly_duplicated: self.possibly_duplicated || then.possibly_duplicated,
            outbox_id: then.outbox_id.or(self.outbox_id),
            ..then
        }
    }

    /// The same request as a curl command, to the server that answered it. The key is
    /// `$BUCKET_TRACKING_KEY` (or `var`, a profile's `key_env`) unless given. When that server is `gone` (a `local` server that ran
    /// inside a finished process), a comment line says so and how to start one.
    pub fn curl(&self, key: Option<&crate::api::AnyKey>, var: Option<&str>, gone: bool) -> String {
        let command = super::code::curl_named(self, key, var);
        if gone {
            format!(
                "# the local server that answered this ran inside bucket-console and is gone: start \
                 one with `bucket-console serve` (on 127.0.0.1:8787)\n{command}"
            )
        } else {
            command
        }
    }

    /// Whether it went to the Runtime API, as recorded with it.
    pub fn is_runtime(&self) -> bool {
        self.api == Some(crate::api::Api::Runtime)
    }

    /// The API of a record that does not say: a Runtime API call's URL is `{base}/{route}`,
    /// with no key in the path. Only for records written before the API was stored.
    pub fn api_by_url(&self) -> crate::api::Api {
        let runtime = self
            .url
            .strip_prefix(self.base_url.as_str())
            .is_some_and(|rest| rest.strip_prefix('/') == Some(self.method.as_str()));
        if runtime {
            crate::api::Api::Runtime
        } else {
            crate::api::Api::Tracking
        }
    }

    /// The kind of Runtime API key that made it, read from its masked key's prefix.
    pub fn runtime_kind(&self) -> Option<crate::api::runtime::key::KeyKind> {
        use crate::api::runtime::key::KeyKind;
        self.is_runtime().then(|| {
            if self.key_masked.starts_with("pub_") {
                KeyKind::Publishable
            } else {
                KeyKind::Secret
            }
        })
    }

    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    /// The response body parsed as JSON, when it is.
    pub fn response_json(&self) -> Option<serde_json::Value> {
        self.response
            .as_ref()
            .and_then(|r| serde_json::from_str(&r.body).ok())
    }

    /// What went wrong in a sentence, for a failed or rejected exchange.
    pub fn problem(&self) -> Option<String> {
        match self.outcome {
            Outcome::Delivered => None,
            Outcome::Rejected | Outcome::Failed => Some(
                self.error_message
                    .clone()
                    .or_else(|| self.attempts.last().and_then(|a| a.error.clone()))
                    .unwrap_or_else(|| format!("HTTP {}", self.status().unwrap_or(0))),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::Api;

    /// A finished exchange of `route` answered `status` (a 2xx delivered, else refused), for
    /// the client's own tests (the shared fixtures sit above the client).
    pub fn sample(route: &str, status: u16, body: &str, errors: Vec<ValidationError>) -> Exchange {
        Exchange {
            id: Some(7),
            started_at: "2024-05-01T12:00:00.000Z".into(),
            profile: "local".into(),
            base_url: "http://127.0.0.1:8787".into(),
            url: format!("http://127.0.0.1:8787/{route}"),
            key_masked: "sec_…".into(),
            key_fingerprint: "#000000".into(),
            api: Some(Api::Runtime),
            method: route.into(),
            request_body: body.into(),
            attempts: vec![Attempt {
                started_at: "2024-05-01T12:00:00.000Z".into(),
                status: Some(status),
                error: None,
                latency_ms: 3.2,
            }],
            response: Some(Response {
                status,
                headers: vec![],
                body: "{}".into(),
            }),
            outcome: if (200..300).contains(&status) {
                Outcome::Delivered
            } else {
                Outcome::Rejected
            },
            possibly_duplicated: false,
            latency_ms: 3.4,
            warnings: vec![],
            validation_errors: errors,
            error_code: None,
            error_message: None,
            feedback_id: None,
            outbox_id: None,
        }
    }

    #[test]
    fn a_failed_call_or_runtime_batch_is_queued_and_nothing_else() {
        let mut e = sample("event", 200, "{}", vec![]);
        e.outcome = Outcome::Failed;
        assert!(e.queueable(), "a tracking method");
        e.method = "bulk".into();
        e.api = Some(Api::Tracking);
        assert!(!e.queueable(), "the tracking API has no /bulk");
        e.api = Some(Api::Runtime);
        assert!(e.queueable(), "a runtime batch, whole");
        e.method = "features/events".into();
        assert!(!e.queueable());
        e.method = "bulk".into();
        e.outcome = Outcome::Rejected;
        assert!(!e.queueable(), "a refusal is not retried");
    }
}
