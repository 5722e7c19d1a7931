//! A profile whose key `serve --env NAME=PUB,SEC` names: the client knows only its key, so it
//! reads `/_local/key-{fingerprint}/…`, and the server must take that for environment NAME.
//! `data`, `stars` and `watch` on a profile of either key see what the other key sent, and no
//! output shows a key.

use crate::support::{Cli, binary, listening_on};
use std::fmt::Write as _;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

const PUBLISHABLE: &str = "pub_prodViews_Zq81";
const SECRET: &str = "sec_prodViews_Hf73kQ0pLx2Vn8mW4rTy6u";

/// Ends the `serve` child when the test ends, passing or not.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn add_runtime(cli: &Cli, name: &str, base: &str, key: &str) {
    let added = cli.run_with(
        &[
            "profiles",
            "add",
            name,
            "--runtime",
            "--base",
            base,
            "--key-stdin",
        ],
        key,
    );
    assert_eq!(added.code, 0, "{added:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_stars_and_watch_read_a_named_environment_by_either_keys_fingerprint() {
    let mut child = Command::new(binary())
        .args([
            "serve",
            "--memory",
            "--listen",
            "127.0.0.1:0",
            "--env",
            &format!("prod={PUBLISHABLE},{SECRET}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = listening_on(&mut child);
    let _serve = Serve(child);
    let cli = Arc::new(Cli::new());
    add_runtime(&cli, "back", &base, SECRET);
    add_runtime(&cli, "front", &base, PUBLISHABLE);
    let sent = cli
        .run_async(&[
            "send",
            "event",
            "event=huddle",
            "userId=views-u1",
            "--profile",
            "back",
        ])
        .await;
    assert_eq!(sent.code, 0, "{sent:?}");
    let mut printed = format!("{sent:?}");
    for profile in ["back", "front"] {
        let data = cli
            .run_async(&["data", "events", "--json", "--profile", profile])
            .await;
        assert_eq!(data.code, 0, "{profile}: {data:?}");
        assert!(data.stdout.contains("views-u1"), "{profile}: {data:?}");
        let stars = cli
            .run_async(&["stars", "--json", "--profile", profile])
            .await;
        assert_eq!(stars.code, 0, "{profile}: {stars:?}");
        assert!(stars.stdout.contains("huddle"), "{profile}: {stars:?}");
        let _ = write!(printed, "{data:?}{stars:?}");
    }
    // Traffic: the request the secret key made, seen from the publishable key's profile.
    let mut watch = cli
        .command()
        .args(["watch", "--json", "--last", "5", "--profile", "front"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(watch.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = watch.kill();
    let out = watch.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.contains("/event"), "{first:?} {stderr}");
    printed.push_str(&first);
    printed.push_str(&stderr);
    for key in [SECRET, PUBLISHABLE] {
        assert!(!printed.contains(key), "printed a key: {printed}");
    }
}
