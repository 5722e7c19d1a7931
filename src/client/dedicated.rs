//! One HTTP/1.1 connection owned by one worker, for plain-HTTP targets under load (`replay`).
//!
//! reqwest's pool costs a checkout, a hand-off between tasks and several layers per request; on
//! a 2-core machine shared with a local server that overhead was a third of replay's throughput.
//! A worker that keeps one call in flight needs none of it: it owns its connection outright and
//! reconnects when the server closes it.

use super::transport::{RawResponse, SendError, Transport, header_pairs};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;

pub struct Dedicated {
    /// `host:port` to connect to, and the `Host` header to send.
    authority: String,
    connect_timeout: Duration,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Dedicated {
    /// A transport for `base_url` when it is plain `http://`; `None` for anything else, which the
    /// pooled transport handles (TLS included).
    /// Loopback only: a remote target may need the environment's proxy, which reqwest applies.
    pub fn for_base(base_url: &str, connect_timeout: Duration) -> Option<Self> {
        let url = reqwest::Url::parse(base_url).ok()?;
        if url.scheme() != "http" || !crate::net::is_loopback(base_url) {
            return None;
        }
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        Some(Self {
            authority: format!("{host}:{port}"),
            connect_timeout,
            sender: None,
        })
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, SendError> {
        let not_sent = |e: &dyn std::error::Error| SendError::from_chain(e, false);
        let stream = tokio::time::timeout(
            self.connect_timeout,
            TcpStream::connect(self.authority.as_str()),
        )
        .await
        .map_err(|_| SendError {
            message: "connection timed out".to_owned(),
            may_have_arrived: false,
        })?
        .map_err(|e| not_sent(&e))?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| not_sent(&e))?;
        tokio::spawn(connection);
        Ok(sender)
    }

    async fn exchange(
        &mut self,
        path: &str,
        bearer: Option<&str>,
        body: Bytes,
    ) -> Result<RawResponse, SendError> {
        let reusable = match self.sender.take() {
            Some(mut s) => s.ready().await.is_ok().then_some(s),
            None => None,
        };
        let mut sender = match reusable {
            Some(s) => s,
            None => self.connect().await?,
        };
        let mut request = hyper::Request::post(path);
        if let Some(key) = bearer {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let request = request
            .header(hyper::header::HOST, self.authority.as_str())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::USER_AGENT,
                concat!("bucket-console/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(body))
            .map_err(|e| SendError::from_chain(&e, false))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| SendError::from_chain(&e, !e.is_canceled()))?;
        let status = response.status().as_u16();
        let headers = header_pairs(response.headers());
        // Past the bound the sender is not kept: dropping it closes the connection mid-answer.
        let collected = Limited::new(response.into_body(), crate::net::MAX_ANSWER_BYTES)
            .collect()
            .await;
        let bytes = match collected {
            Ok(body) => {
                // Kept only after a whole answer: a connection in an unknown state is not reused.
                self.sender = Some(sender);
                body.to_bytes()
            }
            Err(e) if e.is::<LengthLimitError>() => {
                return Ok(RawResponse {
                    status,
                    headers,
                    body: String::new(),
                    unread: true,
                });
            }
            Err(e) => {
                return Err(SendError {
                    message: crate::net::chain(e.as_ref()),
                    may_have_arrived: true,
                });
            }
        };
        Ok(RawResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            unread: false,
        })
    }
}

impl Transport for Dedicated {
    async fn post(
        &mut self,
        url: &str,
        bearer: Option<&str>,
        body: Bytes,
        timeout: Duration,
    ) -> Result<RawResponse, SendError> {
        let path = path_of(url);
        match tokio::time::timeout(timeout, self.exchange(&path, bearer, body)).await {
            Ok(result) => result,
            Err(_) => {
                self.sender = None;
                Err(SendError::timed_out())
            }
        }
    }
}

/// The origin-form request target of an absolute URL.
fn path_of(url: &str) -> String {
    reqwest::Url::parse(url).map_or_else(
        |_| "/".to_owned(),
        |u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_on_loopback_gets_a_dedicated_connection() {
        let d = Dedicated::for_base("http://127.0.0.1:8787", Duration::from_secs(1));
        assert_eq!(d.map(|d| d.authority).as_deref(), Some("127.0.0.1:8787"));
        let d = Dedicated::for_base("http://localhost", Duration::from_secs(1));
        assert_eq!(d.map(|d| d.authority).as_deref(), Some("localhost:80"));
        assert!(Dedicated::for_base("http://10.1.2.3:8787", Duration::from_secs(1)).is_none());
        assert!(
            Dedicated::for_base("https://tracking.bucket.co", Duration::from_secs(1)).is_none()
        );
        assert!(Dedicated::for_base("not a url", Duration::from_secs(1)).is_none());
    }

    #[test]
    fn the_request_target_keeps_a_base_path() {
        assert_eq!(path_of("http://h:1/prefix/KEY/event"), "/prefix/KEY/event");
        assert_eq!(path_of("http://h:1/KEY/event?x=1"), "/KEY/event?x=1");
    }
}
