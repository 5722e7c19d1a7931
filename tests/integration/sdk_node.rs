//! `@reflag/node-sdk` 1.7.1, unmodified, in node against `serve` (tests/sdk/node-sdk.js): it
//! updates a user and a company, tracks an event, checks a flag and flushes, meets no failure
//! and never leaves 127.0.0.1 (its push channel pointed at `serve` too), and everything it sent
//! is stored in the environment its secret key belongs to.

use crate::sdk_support::{SECRET, Serve, assert_all_stored, ready, run_harness, traffic};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_calls_are_all_accepted_and_stored() {
    if !ready("sdk_node", &["@reflag/node-sdk"], false) {
        return;
    }
    let serve = Serve::start();
    let report = run_harness(&serve, "node-sdk.js", &[("SDK_SECRET_KEY", SECRET)]).await;

    // The SDK's own view: its flag fetch, its push channel and its one batch, each a 2xx.
    let requests = report["requests"].as_array().unwrap();
    for (method, path) in [
        ("GET", "/features"),
        ("GET", "/sse/server"),
        ("POST", "/bulk"),
    ] {
        assert!(
            requests
                .iter()
                .any(|r| r["method"] == method && r["path"] == path),
            "{method} {path} not sent: {report}"
        );
    }
    for r in requests {
        let status = r["status"].as_u64().unwrap_or(0);
        assert!((200..300).contains(&status), "{r} in {report}");
    }

    let user = serve.inspect("users/u-node").await;
    assert_eq!(user["attributes"]["name"], json!("Node Tester"), "{user}");
    assert_eq!(user["attributes"]["plan"], json!("pro"), "{user}");
    assert_eq!(user["companies"], json!(["c-node"]), "{user}");
    let company = serve.inspect("companies/c-node").await;
    assert_eq!(company["attributes"]["name"], json!("Node Co"), "{company}");
    assert_eq!(company["users"], json!(["u-node"]), "{company}");
    let events = serve.inspect("events?event=node-sdk-event").await;
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
    assert_eq!(events[0]["userId"], json!("u-node"));
    assert_eq!(events[0]["companyId"], json!("c-node"));
    assert_eq!(events[0]["attributes"], json!({"step": 1}));

    // Traffic has the batch, accepted, from the SDK that sent it, with the flag check in it.
    let records = traffic(&serve).await;
    let bulk: Vec<&Value> = records.iter().filter(|r| r["path"] == "/bulk").collect();
    assert_eq!(bulk.len(), 1, "{records:#?}");
    assert_eq!(bulk[0]["local"]["status"], json!(200), "{:#}", bulk[0]);
    assert_eq!(bulk[0]["headers"]["sdkVersion"], json!("node-sdk/1.7.1"));
    let items: Value = serde_json::from_str(bulk[0]["body"].as_str().unwrap()).unwrap();
    let check = items.as_array().unwrap().iter().position(|i| {
        i["type"] == "feature-flag-event"
            && i["action"] == "check"
            && i["key"] == "huddle"
            // On for c-node in serve's definitions (sdk_support::FLAGS).
            && i["evalResult"] == json!(true)
    });
    let check = check.unwrap_or_else(|| panic!("no flag check in {items:#}"));
    // No inspection route reads flag checks yet: the batch's item verdicts say it was stored.
    assert_all_stored(bulk[0]);
    assert_eq!(
        bulk[0]["items"][check]["itemType"],
        json!("feature-flag-event")
    );

    // A secret key appears in no record and no line `serve` printed.
    let all = Value::Array(records).to_string();
    assert!(!all.contains(SECRET), "the secret key is in Traffic: {all}");
    assert!(
        !serve.log().contains(SECRET),
        "the secret key is in serve's log"
    );
}
