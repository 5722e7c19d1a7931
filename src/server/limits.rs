//! The server's bounds on what a client may hold: how long headers and bodies may take, how long
//! a kept-alive connection may sit idle, how many connections are served at once, how much
//! memory the traffic recorder may use, and how much work and answer one STARS request may cost.
//! docs/server.md's Limits table lists them, with the `serve` flag of those that have one.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Limits {
    /// From a connection's first byte of a request (or its opening) to the end of its headers.
    pub header_timeout: Duration,
    /// Longest silence while a request's body arrives.
    pub body_idle_timeout: Duration,
    /// Longest a whole body may take.
    pub body_total_timeout: Duration,
    /// Longest a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Most bytes the traffic recorder holds, across every key, its live channel included.
    pub record_memory: usize,
    /// With a non-loopback bind: host names accepted in `Host` besides IP literals and localhost.
    pub allowed_hosts: Vec<String>,
    /// Longest a STARS computation may run before it is stopped and answered 503. Under the
    /// clients' 15 s wait, so that they read why rather than time out.
    pub stars_timeout: Duration,
    /// Most bytes of one STARS answer; a computation that would pass it stops and is answered 503.
    pub stars_answer_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(10),
            body_total_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(75),
            max_connections: default_max_connections(),
            record_memory: 128 * 1024 * 1024,
            allowed_hosts: Vec::new(),
            stars_timeout: Duration::from_secs(10),
            stars_answer_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Descriptors kept back from connections: the database and its journal, the listener, standard
/// streams, the runtime's own, and a margin for files opened while serving.
const HEADROOM: u64 = 64;

/// Three quarters of what the open-file limit leaves after `HEADROOM`, at least 16: a flood of
/// connections then waits in the backlog instead of taking the descriptors the database and the
/// served connections need.
pub fn default_max_connections() -> usize {
    let soft = open_file_limit();
    let usable = soft.saturating_sub(HEADROOM).max(16);
    usize::try_from(usable * 3 / 4)
        .unwrap_or(usize::MAX)
        .clamp(16, 65_536)
}

fn open_file_limit() -> u64 {
    rlimit::Resource::NOFILE
        .get()
        .map_or(1024, |(soft, _)| soft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_default_leaves_headroom() {
        let max = default_max_connections() as u64;
        assert!(max >= 16);
        assert!(max + HEADROOM <= open_file_limit().max(16 + HEADROOM));
    }
}
