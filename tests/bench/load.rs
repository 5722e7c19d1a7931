//! A small keep-alive HTTP/1.1 load generator for the benchmarks: N connections, each sending the
//! same request back to back, measuring each answer's latency. Hand-written so the client costs
//! as little CPU as possible on a 2-core machine shared with the server.

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's runtime (two workers, as `serve` has on this machine) and the load generator's
/// own single thread, so the client costs as little as it can.
#[allow(
    dead_code,
    reason = "each bench includes this file and uses what it needs"
)]
pub fn runtimes() -> (tokio::runtime::Runtime, tokio::runtime::Runtime) {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    (server, client)
}

/// The warm-up and the measured window of each step: `BENCH_SECONDS`, else `default` seconds.
#[allow(
    dead_code,
    reason = "each bench includes this file and uses what it needs"
)]
pub fn windows(default: u64) -> (Duration, Duration) {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (Duration::from_millis(500), Duration::from_secs(seconds))
}

pub struct Report {
    pub connections: usize,
    pub requests: usize,
    pub non_200: usize,
    pub elapsed: Duration,
    pub latencies_us: Vec<u64>,
}

impl Report {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i] as f64 / 1000.0
    }

    pub fn line(&self, label: &str) -> String {
        format!(
            "{label:<12} conns={:<4} {:>9.0} req/s  p50={:>7.2} ms  p99={:>7.2} ms  ({} requests, {} non-200)",
            self.connections,
            self.rate(),
            self.percentile_ms(0.50),
            self.percentile_ms(0.99),
            self.requests,
            self.non_200
        )
    }
}

/// Builds the bytes of one POST with a JSON body.
pub fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Drives `connections` keep-alive connections for `warmup + measure`; only answers completed
/// inside the measured window count. `request(conn, i)` builds the i-th request of a connection.
pub async fn run(
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    measure: Duration,
    request: impl Fn(usize, usize) -> Vec<u8> + Send + Sync + Clone + 'static,
) -> Report {
    let start = Instant::now();
    let (from, until) = (start + warmup, start + warmup + measure);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).ok();
            let mut buf = vec![0u8; 16 * 1024];
            let (mut latencies, mut non_200) = (Vec::new(), 0usize);
            for i in 0.. {
                let sent = Instant::now();
                if sent >= until {
                    break;
                }
                stream.write_all(&request(c, i)).await.expect("write");
                let status = read_response(&mut stream, &mut buf).await;
                let done = Instant::now();
                if done >= from && done < until {
                    latencies.push(done.duration_since(sent).as_micros() as u64);
                    non_200 += usize::from(status != 200);
                }
            }
            (latencies, non_200)
        }));
    }
    let mut report = Report {
        connections,
        requests: 0,
        non_200: 0,
        elapsed: measure,
        latencies_us: Vec::new(),
    };
    for t in tasks {
        let (latencies, non_200) = t.await.expect("connection task");
        report.requests += latencies.len();
        report.non_200 += non_200;
        report.latencies_us.extend(latencies);
    }
    report
}

/// Reads one response (headers + Content-Length body) and returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut [u8]) -> u16 {
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await.expect("read");
        assert!(n > 0, "server closed the connection");
        filled += n;
        if let Some(end) = find(&buf[..filled], b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("ascii head");
            let status: u16 = head[9..12].parse().expect("status");
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            let total = end + 4 + length;
            while filled < total {
                let n = stream.read(&mut buf[filled..]).await.expect("read body");
                assert!(n > 0, "server closed mid-body");
                filled += n;
            }
            return status;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
