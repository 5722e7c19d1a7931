//! The one place HTTP clients are built and answers are read, so that every client in the project
//! (send, replay, the console, the outbox, the kiosk, `data`, `watch`, the Traffic stream,
//! `--forward`, health probes) holds the same rules:
//!
//! - a redirect is never followed and no `Referer` is sent: both would carry the URL, which holds
//!   the tracking key, to wherever the server points;
//! - a loopback target never goes through a proxy (the key would reach the proxy for a call that
//!   never leaves the machine); a remote one honours `HTTP(S)_PROXY`, `ALL_PROXY` and `NO_PROXY`;
//! - an answer is read up to [`MAX_ANSWER_BYTES`]; past it the connection is dropped.

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use std::time::Duration;

/// The largest answer read. The tracking API's answers are a few hundred bytes; the inspection
/// routes' pages a few tens of KiB.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Said of an answer past [`MAX_ANSWER_BYTES`].
pub const TOO_LARGE: &str =
    "answer too large: over 1 MiB, not read (the tracking API's answers are tiny)";

/// Never proxied, whatever `NO_PROXY` says.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// A client builder with the rules above; callers add their timeouts.
pub fn client_builder() -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("bucket-console/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .tcp_nodelay(true)
        .no_proxy();
    for proxy in environment_proxies() {
        builder = builder.proxy(proxy);
    }
    builder
}

/// The HTTP client could not be set up (no TLS roots, say).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct SetupError(String);

/// A client with [`client_builder`]'s rules and a connect timeout.
pub fn client(connect_timeout: Duration) -> Result<reqwest::Client, SetupError> {
    client_builder()
        .connect_timeout(connect_timeout)
        .build()
        .map_err(|e| SetupError(describe(e)))
}

/// The environment's proxies, each told to leave loopback alone.
fn environment_proxies() -> Vec<reqwest::Proxy> {
    let var = |name: &str| {
        std::env::var(name.to_ascii_uppercase())
            .or_else(|_| std::env::var(name))
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    let bypass = match var("no_proxy") {
        Some(list) => format!("{LOOPBACK},{list}"),
        None => LOOPBACK.to_owned(),
    };
    let no_proxy = || reqwest::NoProxy::from_string(&bypass);
    let mut proxies = Vec::new();
    for name in ["http_proxy", "https_proxy", "all_proxy"] {
        let Some(url) = var(name) else { continue };
        let url = url.trim();
        let proxy = match name {
            "http_proxy" => reqwest::Proxy::http(url),
            "https_proxy" => reqwest::Proxy::https(url),
            _ => reqwest::Proxy::all(url),
        };
        if let Ok(proxy) = proxy {
            proxies.push(proxy.no_proxy(no_proxy()));
        }
    }
    proxies
}

/// Whether `url`'s host is a loopback name or address.
pub fn is_loopback(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why an answer's body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    TooLarge,
    /// The connection failed while the body came.
    Broken(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge => f.write_str(TOO_LARGE),
            Self::Broken(why) => f.write_str(why),
        }
    }
}

/// Reads an answer's body up to [`MAX_ANSWER_BYTES`]. Past it the response is dropped, which
/// closes its connection, so a huge answer costs at most that much memory.
pub async fn read_body(response: reqwest::Response) -> Result<Bytes, ReadError> {
    read_body_up_to(response, MAX_ANSWER_BYTES).await
}

/// [`read_body`] with another bound: the local server's funnels list every company.
pub async fn read_body_up_to(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Bytes, ReadError> {
    let too_large = || {
        if cap == MAX_ANSWER_BYTES {
            ReadError::TooLarge
        } else {
            ReadError::Broken(format!(
                "answer too large: over {} MiB, not read",
                cap >> 20
            ))
        }
    };
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ReadError::Broken(describe(e)))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A server-sent event stream's bytes, ended with [`ReadError::TooLarge`] when one event grows
/// past [`MAX_ANSWER_BYTES`] (an event parser would otherwise buffer it whole).
pub fn bounded_events<S>(bytes: S) -> impl Stream<Item = Result<Bytes, ReadError>>
where
    S: Stream<Item = Result<Bytes, reqwest::Error>>,
{
    // Bytes since the last blank line, bytes on the current line, and whether the bound was hit.
    let start = (0usize, 0usize, false);
    bytes.scan(start, |(since_blank, line, over), chunk| {
        let item = if *over {
            None
        } else {
            match chunk {
                Err(e) => Some(Err(ReadError::Broken(describe(e)))),
                Ok(chunk) => {
                    for &b in &chunk {
                        *since_blank += 1;
                        match b {
                            b'\n' if *line == 0 => *since_blank = 0,
                            b'\n' => *line = 0,
                            b'\r' => {}
                            _ => *line += 1,
                        }
                    }
                    if *since_blank > MAX_ANSWER_BYTES {
                        *over = true;
                        Some(Err(ReadError::TooLarge))
                    } else {
                        Some(Ok(chunk))
                    }
                }
            }
        };
        std::future::ready(item)
    })
}

/// A reqwest error on one line: without its URL (which holds the tracking key), with its causes,
/// and a refused connection said as such.
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    if e.is_timeout() {
        return "timed out".to_owned();
    }
    if is_refused(&e) {
        return "connection refused".to_owned();
    }
    chain(&e)
}

/// Nothing listens where the request went: the cause every user can act on, said plainly instead
/// of reqwest's "error sending request".
pub fn is_refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// An error and its chain of causes on one line, without repeating a cause already quoted.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses() {
        for url in [
            "http://127.0.0.1:8787",
            "http://127.8.9.10",
            "http://localhost:1/x",
            "http://LOCALHOST",
            "http://[::1]:80",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://tracking.bucket.co",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "not a url",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[tokio::test]
    async fn an_event_past_the_bound_ends_the_stream() {
        let big = vec![b'x'; MAX_ANSWER_BYTES / 2];
        let chunks: Vec<Result<Bytes, reqwest::Error>> = vec![
            Ok(Bytes::from_static(b"data: small\n\n")),
            Ok(Bytes::from(big.clone())),
            Ok(Bytes::from(big.clone())),
            Ok(Bytes::from(big)),
            Ok(Bytes::from_static(b"\n\n")),
        ];
        let out: Vec<_> = bounded_events(futures_util::stream::iter(chunks))
            .collect()
            .await;
        assert_eq!(out.len(), 4, "nothing after the error");
        assert!(out[..3].iter().all(Result::is_ok));
        assert_eq!(out[3], Err(ReadError::TooLarge));
    }

    #[tokio::test]
    async fn many_small_events_pass() {
        let event = Bytes::from(format!("data: {}\r\n\r\n", "y".repeat(1000)));
        let chunks: Vec<Result<Bytes, reqwest::Error>> =
            (0..3000).map(|_| Ok(event.clone())).collect();
        let out: Vec<_> = bounded_events(futures_util::stream::iter(chunks))
            .collect()
            .await;
        assert!(out.iter().all(Result::is_ok));
        assert_eq!(out.len(), 3000);
    }
}

#[cfg(test)]
mod refused_tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_is_said_as_such() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", free.local_addr().unwrap());
        drop(free);
        let e = client(Duration::from_secs(1))
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap_err();
        assert!(is_refused(&e));
        assert_eq!(describe(e), "connection refused");
    }
}
