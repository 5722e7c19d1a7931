//! `@reflag/browser-sdk` 1.6.1, unmodified (its published bundle), in headless Chromium on a page
//! from another origin (tests/sdk/browser-sdk.js), against `serve`, its defaults kept but for the
//! URLs: it initializes with a user and a company, tracks an event, sends feedback by flag key
//! and checks a flag. Every request it makes (CORS preflights included, or the browser would
//! refuse them) is answered 2xx, nothing leaves 127.0.0.1, and everything is stored in the
//! environment of its publishable key.

use crate::sdk_support::{PUBLISHABLE, Serve, assert_all_stored, ready, run_harness, traffic};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sdk_calls_from_another_origin_are_all_accepted_and_stored() {
    if !ready(
        "sdk_browser",
        &["@reflag/browser-sdk", "playwright-core"],
        true,
    ) {
        return;
    }
    let serve = Serve::start();
    let report = run_harness(
        &serve,
        "browser-sdk.js",
        &[("SDK_PUBLISHABLE_KEY", PUBLISHABLE)],
    )
    .await;

    // What the page saw: each call answered 2xx, and the routes the SDK opens on start.
    // `huddle` is on for c-browser in serve's definitions (sdk_support::FLAGS).
    assert_eq!(report["calls"]["flag"], json!(true), "{report}");
    for call in ["track", "feedback"] {
        let status = report["calls"][call].as_u64().unwrap_or(0);
        assert!((200..300).contains(&status), "{call}: {report}");
    }
    let requests = report["requests"].as_array().unwrap();
    for (method, path) in [
        ("GET", "/features/evaluated"),
        // Opened on every start with a user, for automatic feedback prompts.
        ("GET", "/sse/client"),
        ("POST", "/event"),
        ("POST", "/feedback"),
        ("POST", "/bulk"),
    ] {
        assert!(
            requests
                .iter()
                .any(|r| r["method"] == method && r["path"] == path),
            "{method} {path} not sent: {report}"
        );
    }

    let user = serve.inspect("users/u-browser").await;
    assert_eq!(
        user["attributes"]["name"],
        json!("Browser Tester"),
        "{user}"
    );
    assert_eq!(user["companies"], json!(["c-browser"]), "{user}");
    let company = serve.inspect("companies/c-browser").await;
    assert_eq!(
        company["attributes"]["name"],
        json!("Browser Co"),
        "{company}"
    );
    let events = serve.inspect("events?event=browser-sdk-event").await;
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
    assert_eq!(events[0]["userId"], json!("u-browser"));
    assert_eq!(events[0]["companyId"], json!("c-browser"));
    assert_eq!(events[0]["attributes"], json!({"step": 1}));
    // The SDK sends feedback by flag key (`key`); that key is the feedback's feature.
    let feedback = serve.inspect("feedback?featureId=huddle").await;
    assert_eq!(feedback.as_array().map(Vec::len), Some(1), "{feedback}");
    assert_eq!(feedback[0]["userId"], json!("u-browser"));
    assert_eq!(feedback[0]["companyId"], json!("c-browser"));
    assert_eq!(feedback[0]["score"], json!(4));
    assert_eq!(feedback[0]["comment"], json!("from the browser"));
    assert_eq!(feedback[0]["source"], json!("sdk"));

    // Traffic: the batch with the flag check, accepted, credited to the browser SDK.
    let records = traffic(&serve).await;
    let bulk: Vec<&Value> = records.iter().filter(|r| r["path"] == "/bulk").collect();
    assert!(!bulk.is_empty(), "{records:#?}");
    let mut checked = false;
    for b in &bulk {
        assert_eq!(b["local"]["status"], json!(200), "{b:#}");
        assert_eq!(b["headers"]["sdkVersion"], json!("browser-sdk/1.6.1"));
        // No inspection route reads flag checks yet: the item verdicts say they were stored.
        assert_all_stored(b);
        let items: Value = serde_json::from_str(b["body"].as_str().unwrap()).unwrap();
        checked |= items.as_array().unwrap().iter().any(|i| {
            i["type"] == "feature-flag-event"
                && i["action"] == "check-is-enabled"
                && i["key"] == "huddle"
        });
    }
    assert!(checked, "no flag check in {bulk:#?}");
}
