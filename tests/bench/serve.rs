//! `bucket-console serve` as a child process for the benchmarks: started on a free port with a
//! database under `target/tmp`, killed when dropped.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

/// The child and its base URL.
pub struct Serve(pub Child, pub String);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on `db`; `BENCH_SERVE_ARGS` adds arguments (`--record 0` compares without the
/// traffic recorder), and `BENCH_SERVE_BIN` runs another build's binary (to alternate an old
/// build and a new one).
pub fn serve(db: &std::path::Path) -> Serve {
    let binary = std::env::var_os("BENCH_SERVE_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_bucket-console").into());
    let mut child = Command::new(binary)
        .args(["serve", "--quiet", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(
            std::env::var("BENCH_SERVE_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .stdout(Stdio::piped())
        .spawn()
        .expect("bucket-console serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("its first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening on …")
        .to_owned();
    Serve(child, base)
}

/// The benchmarks' tracking key.
pub const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";

/// Runs `add` (a `profiles add … --key-stdin` command) with [`KEY`] on its stdin.
#[allow(
    dead_code,
    reason = "each bench includes this file and uses what it needs"
)]
pub fn add_profile(add: &mut Command) {
    let mut child = add
        .stdin(Stdio::piped())
        .spawn()
        .expect("profiles add starts");
    child
        .stdin
        .take()
        .expect("its stdin")
        .write_all(KEY.as_bytes())
        .expect("the key is written");
    assert!(child.wait().expect("profiles add ends").success());
}
