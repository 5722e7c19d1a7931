//! `serve` as a process with the Runtime API: `--env` (and its refusals), `--forward` passing
//! runtime calls on with their `Authorization`, and SIGTERM ending open SSE channels in time.

use crate::runtime_support::{PUB, SEC};
use crate::support::{binary, listening_on, sigterm};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PROD: &str = "prod=pub_prod_Zq81,sec_prod_Hf73kQ0pLx2Vn8mW4rTy6u";
const PROD_SEC: &str = "sec_prod_Hf73kQ0pLx2Vn8mW4rTy6u";

#[test]
fn bad_environments_are_refused_with_why() {
    for bad in [
        "prod",
        "prod=pub_a",
        "features=pub_a,sec_b",
        "p=sec_a,pub_b",
    ] {
        let out = Command::new(binary())
            .args(["serve", "--memory", "--listen", "127.0.0.1:0", "--env", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--env"), "{bad}: {stderr}");
    }
}

/// An upstream that answers 200 and keeps each request's path and Authorization.
async fn upstream() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = Arc::clone(&seen);
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let kept = Arc::clone(&kept);
        async move {
            let auth = req
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let path = req.uri().path_and_query().unwrap().to_string();
            kept.lock().unwrap().push((path, auth));
            r#"{"success":true}"#
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_passes_runtime_calls_on_with_their_key_and_sigterm_ends_streams() {
    let (up, seen) = upstream().await;
    let mut child = Command::new(binary())
        .args([
            "serve",
            "--memory",
            "--listen",
            "127.0.0.1:0",
            "--env",
            PROD,
            "--forward",
            &up,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = listening_on(&mut child);
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{base}/bulk"))
        .header("authorization", format!("Bearer {PROD_SEC}"))
        .json(&serde_json::json!([{"type": "user", "userId": "u1"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .get(format!(
            "{base}/features/evaluated?context.user.id=u1&publishableKey={PUB}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("/bulk".to_owned(), format!("Bearer {PROD_SEC}")),
            (
                format!("/features/evaluated?context.user.id=u1&publishableKey={PUB}"),
                String::new()
            ),
        ]
    );
    // Both SSE channels open, then SIGTERM: the process still exits within docs/server.md's bound.
    let mut streams = Vec::new();
    for (path, auth) in [
        ("/sse/server", format!("Bearer {SEC}")),
        ("/sse/client", format!("Bearer {PUB}")),
    ] {
        let resp = http
            .get(format!("{base}{path}"))
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        streams.push(resp);
    }
    let asked = Instant::now();
    sigterm(&child);
    let exit = tokio::task::spawn_blocking(move || {
        let exit = child.wait().unwrap();
        let log = crate::support::stderr_of(&mut child);
        (exit, log)
    })
    .await
    .unwrap();
    assert!(exit.0.success(), "{:?}", exit.0);
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "{:?}",
        asked.elapsed()
    );
    let log = exit.1;
    assert!(
        log.contains("Runtime API environments: local, prod"),
        "{log}"
    );
    for key in [PROD_SEC, SEC, PUB] {
        assert!(!log.contains(key), "{key} in the log:\n{log}");
    }
    drop(streams);
}

/// `--quiet` leaves serve's stderr to warnings and errors: a script or a bench starting it many
/// times reads nothing it did not ask for. Without it the notes at start are there.
#[test]
fn quiet_serve_prints_no_notes_at_start() {
    for (quiet, expect_notes) in [(true, false), (false, true)] {
        let mut args = vec!["serve", "--memory", "--listen", "127.0.0.1:0"];
        if quiet {
            args.push("--quiet");
        }
        let mut child = Command::new(binary())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        listening_on(&mut child);
        sigterm(&child);
        let exit = child.wait().unwrap();
        assert!(exit.success(), "{exit:?}");
        let log = crate::support::stderr_of(&mut child);
        for note in ["storing in", "Runtime API environments", "flags: none"] {
            assert_eq!(log.contains(note), expect_notes, "quiet {quiet}: {log}");
        }
    }
}
