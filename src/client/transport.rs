//! How one attempt reaches the server. The retry and record-keeping logic in [`super::Client`] is
//! written once over this trait; a transport only moves bytes.

use bytes::Bytes;
use std::future::Future;
use std::time::Duration;

/// An answer as it came off the wire, before redaction.
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body was past [`crate::net::MAX_ANSWER_BYTES`] and not read (`body` is empty): the
    /// status still says what the server did with the call.
    pub unread: bool,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A failed attempt, with whether the request may have reached the server before it failed.
pub struct SendError {
    pub message: String,
    pub may_have_arrived: bool,
}

impl SendError {
    pub fn timed_out() -> Self {
        Self {
            message: "timed out".to_owned(),
            may_have_arrived: true,
        }
    }

    /// An error and its chain of causes on one line, without repeating a cause already quoted.
    pub fn from_chain(error: &dyn std::error::Error, may_have_arrived: bool) -> Self {
        Self {
            message: crate::net::chain(error),
            may_have_arrived,
        }
    }
}

pub trait Transport {
    /// One `POST url` with a JSON body (and `Authorization: Bearer` when `bearer` is given),
    /// bounded by `timeout` as a whole.
    fn post(
        &mut self,
        url: &str,
        bearer: Option<&str>,
        body: Bytes,
        timeout: Duration,
    ) -> impl Future<Output = Result<RawResponse, SendError>> + Send;
}

/// reqwest's pooled client: any scheme, shared by every task that clones it.
pub struct Pooled<'a>(pub &'a reqwest::Client);

impl Transport for Pooled<'_> {
    async fn post(
        &mut self,
        url: &str,
        bearer: Option<&str>,
        body: Bytes,
        timeout: Duration,
    ) -> Result<RawResponse, SendError> {
        let mut request = self.0.post(url);
        if let Some(key) = bearer {
            request = request.bearer_auth(key);
        }
        let response = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout)
            .body(body)
            .send()
            .await
            .map_err(from_reqwest)?;
        let status = response.status().as_u16();
        let headers = header_pairs(response.headers());
        let (bytes, unread) = match crate::net::read_body(response).await {
            Ok(bytes) => (bytes, false),
            Err(crate::net::ReadError::TooLarge) => (Bytes::new(), true),
            Err(crate::net::ReadError::Broken(message)) => {
                return Err(SendError {
                    message,
                    may_have_arrived: true,
                });
            }
        };
        Ok(RawResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            unread,
        })
    }
}

pub fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn from_reqwest(e: reqwest::Error) -> SendError {
    SendError {
        may_have_arrived: !e.is_connect(),
        message: crate::net::describe(e),
    }
}
