//! `@reflag/node-sdk` 1.7.1 in push mode (its default) against `serve --flags`
//! (tests/sdk/node-sdk-push.js): a definitions file saved while the SDK runs reaches it through a
//! `flags-updated` message on `/sse/server` and its `GET /features?waitForVersion=N`, with no
//! polling, no restart and no failure.

use crate::sdk_support::{FLAGS, SECRET, Serve, ready, run_harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_in_push_mode_sees_a_saved_edit() {
    if !ready("sdk_node_push", &["@reflag/node-sdk"], false) {
        return;
    }
    let serve = Serve::start();
    let edit = FLAGS.replace(
        "]}}]}",
        r#"]}}, {"key": "huddle-live", "targeting": {"version": 1, "rules": [{"filter": {"type": "constant", "value": true}}]}}]}"#,
    );
    assert_ne!(edit, FLAGS);
    let file = serve.flags_file();
    let report = run_harness(
        &serve,
        "node-sdk-push.js",
        &[
            ("SDK_SECRET_KEY", SECRET),
            ("SDK_FLAGS_FILE", file.to_str().unwrap()),
            ("SDK_FLAGS_EDIT", &edit),
        ],
    )
    .await;
    let requests = report["requests"].as_array().unwrap();
    let sent = |path: &str| {
        requests
            .iter()
            .any(|r| r["path"] == path && r["status"] == 200)
    };
    assert!(sent("/features"), "{report}");
    assert!(sent("/sse/server"), "{report}");
    // The push named version 2, and the SDK asked for it.
    assert!(sent("/features?waitForVersion=2"), "{report}");
    assert!(report["seenAfterMs"].is_u64(), "{report}");
    assert!(serve.log().contains("flags reloaded"), "{}", serve.log());
    eprintln!("node SDK saw the edit after {} ms", report["seenAfterMs"]);
}
