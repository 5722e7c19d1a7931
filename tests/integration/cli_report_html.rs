//! `run --report-html` through the real binary: the page holds every call with its verdict and a
//! refusal's problems on their fields, keeps hostile text as text, never holds the key, and in
//! headless Chromium filters by verdict with CSS alone, runs nothing and loads nothing.

use crate::sdk_support::{finish, ready, sdk_dir};
use crate::support::{KEY, run_collection as run, with_collection};
use scraper::{Html, Selector};
use serde_json::Value;
use std::process::{Command, Stdio};

const COLLECTION: &str = r#"
[requests.hostile]
method = "user"
body = { userId = "u-<script>alert(1)</script>", attributes = { note = "</pre><img src=x onerror=alert(2)>" } }

[requests.bad-score]
method = "feedback"
body = { featureId = "export", userId = "u1", score = 9 }

[[scenarios.refused-on-purpose]]
request = "bad-score"
expect = { status = 400, error_path = "/score" }

[[scenarios.wrong-expectation]]
method = "event"
body = { event = "e", userId = "u2" }
expect = { status = 200, warning = "NO_SUCH_WARNING" }
"#;

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_holds_every_call_no_key_and_opens_in_chromium() {
    let (_server, cli, path) = with_collection(COLLECTION).await;
    let page = cli.home.path().join("report.html");
    let out = run(
        &cli,
        &path,
        &[
            "hostile",
            "bad-score",
            "refused-on-purpose",
            "wrong-expectation",
            "--output",
            "junit",
            "--report-html",
            page.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.code, 1, "a refusal and a failed expectation: {out:?}");
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(!text.contains(KEY), "the key is in the report");
    let html = Html::parse_document(&text);
    let verdicts: Vec<String> = select(&html, "section.call .verdict")
        .iter()
        .map(|v| v.text().collect())
        .collect();
    assert_eq!(
        verdicts,
        ["passed", "refused", "passed", "failed"],
        "{text}"
    );
    let problems: Vec<String> = select(&html, "section.refused table.problems td code")
        .iter()
        .map(|v| v.text().collect())
        .collect();
    assert_eq!(problems, ["/score"], "{text}");
    assert!(select(&html, "script, img").is_empty(), "{text}");
    let first: String = select(&html, "section.call pre")[0].text().collect();
    assert!(first.contains("u-<script>alert(1)</script>"), "{first}");

    if !ready("cli_report_html", &["playwright-core"], true) {
        return;
    }
    let mut cmd = Command::new("node");
    cmd.arg(sdk_dir().join("report-html.js"))
        .current_dir(sdk_dir())
        .env("REPORT_PATH", &page)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || finish(cmd))
        .await
        .unwrap();
    let seen: Value = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    assert_eq!(code, Some(0), "{seen:#}\n{stderr}");
    assert_eq!(
        seen["visible"],
        serde_json::json!({"all": 4, "passed": 2, "failed": 1, "refused": 1, "undelivered": 0}),
        "{seen:#}"
    );
    assert_eq!(
        (&seen["scripts"], &seen["dialogs"]),
        (&Value::from(0), &Value::from(0)),
        "{seen:#}"
    );
    assert_eq!(seen["requests"], serde_json::json!([]), "{seen:#}");
}
