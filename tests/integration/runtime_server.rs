//! The Runtime API's server side over real TCP: its keys and their 403s, environments and their
//! masking, the flag routes' exact answers, single calls stored, the reserved path keys, CORS,
//! the SDK version in Traffic, and the idle SSE channels.

use crate::runtime_support::{PUB, SEC, contains, database_bytes, fetch, on_file, rows, send};
use crate::support::{KEY, TestServer, assert_error_shape, code};
use serde_json::{Value, json};
use std::time::Duration;

const EVENT: &str = r#"{"event":"Sent","userId":"u1","companyId":"c1"}"#;

async fn requests(s: &TestServer, name: &str) -> Vec<Value> {
    let (status, list) = s.get(&format!("/_local/{name}/requests")).await;
    assert_eq!(status, 200);
    list.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_key_rule_is_a_403_naming_it_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    let long = format!("pub_{}", "x".repeat(125));
    let secret_in_query = format!("/features/evaluated?publishableKey={SEC}");
    let publishable_for_definitions = format!("/features?publishableKey={PUB}");
    let cases: Vec<(Option<String>, &str, &str, bool)> = vec![
        (None, "/event", "KEY_MISSING", true),
        (Some("Basic abc".into()), "/event", "KEY_MALFORMED", true),
        (
            Some(format!("Bearer {KEY}")),
            "/event",
            "KEY_MALFORMED",
            true,
        ),
        (
            Some("Bearer pub_a.b".into()),
            "/bulk",
            "KEY_MALFORMED",
            true,
        ),
        (
            Some(format!("Bearer {long}")),
            "/event",
            "KEY_MALFORMED",
            true,
        ),
        (None, &secret_in_query, "SECRET_KEY_IN_QUERY", false),
        (
            None,
            &publishable_for_definitions,
            "SECRET_KEY_REQUIRED",
            false,
        ),
        (
            Some(format!("Bearer {PUB}")),
            "/features",
            "SECRET_KEY_REQUIRED",
            false,
        ),
        (None, "/features/evaluated", "KEY_MISSING", false),
    ];
    for (auth, path, rule, post) in &cases {
        let mut req = if *post {
            s.http
                .post(format!("{}{path}", s.base))
                .header("content-type", "application/json")
                .body(EVENT)
        } else {
            s.http.get(format!("{}{path}", s.base))
        };
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 403, "{path} {auth:?}");
        let body: Value = resp.json().await.unwrap();
        assert_error_shape(&body);
        assert_eq!(code(&body), *rule, "{path}: {body}");
        assert!(!body.to_string().contains(SEC), "{body}");
    }
    assert_eq!(rows(&dir, "events", "local"), 0);
    assert_eq!(rows(&dir, "users", "local"), 0);
    // Traffic has every refusal, the key masked and `publishableKey=` redacted.
    let recorded = requests(&s, "local").await;
    assert_eq!(recorded.len(), cases.len());
    let text = serde_json::to_string(&recorded).unwrap();
    assert!(
        !text.contains(SEC) && !text.contains(PUB) && !text.contains(KEY),
        "{text}"
    );
    assert!(text.contains("publishableKey=[redacted]"), "{text}");
    let refused: Vec<_> = recorded
        .iter()
        .map(|r| r["local"]["status"].clone())
        .collect();
    assert!(refused.iter().all(|s| *s == json!(403)), "{refused:?}");
    assert_eq!(
        recorded[5]["key"],
        json!(format!(
            "…only {}",
            bucket_console::api::key::fingerprint(SEC)
        ))
    );
    drop(s);
    assert!(!contains(&database_bytes(&dir), SEC));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_routes_answer_exactly_what_the_sdks_read() {
    let s = TestServer::start().await;
    let get = |path: String, key: Option<&'static str>| {
        let mut req = s.http.get(format!("{}{path}", s.base));
        if let Some(key) = key {
            req = req.header("authorization", format!("Bearer {key}"));
        }
        req
    };
    let definitions = r#"{"success":true,"features":[],"flagStateVersion":0}"#;
    let evaluated = r#"{"success":true,"features":{},"flagStateVersion":0}"#;
    for (req, want) in [
        (get("/features".into(), Some(SEC)), definitions),
        (
            get("/features?waitForVersion=3".into(), Some(SEC)),
            definitions,
        ),
        (
            get(
                format!(
                    "/features/evaluated?context.user.id=u1&publishableKey={PUB}&reflag-sdk-version=browser-sdk%2F1.6.1"
                ),
                None,
            ),
            evaluated,
        ),
        (
            get("/features/evaluated?context.user.id=u1".into(), Some(SEC)),
            evaluated,
        ),
        (
            get(format!("/features/enabled?publishableKey={PUB}"), None),
            evaluated,
        ),
    ] {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["access-control-allow-origin"], "*");
        assert_eq!(resp.text().await.unwrap(), want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environments_store_under_their_name_and_no_secret_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (prod_pub, prod_sec) = ("pub_prod_Zq81", "sec_prod_Hf73kQ0pLx2Vn8mW4rTy6u");
    let s = on_file(&dir, &[&format!("prod={prod_pub},{prod_sec}")]).await;
    for (key, user) in [
        (prod_pub, "from-browser"),
        (prod_sec, "from-server"),
        (PUB, "local-one"),
    ] {
        let body = json!({"userId": user}).to_string();
        assert_eq!(send(&s, Some(key), "/user", &body).await.0, 200);
    }
    let (_, prod) = s.get("/_local/prod/users").await;
    let mut ids: Vec<_> = prod
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].clone())
        .collect();
    ids.sort_by_key(ToString::to_string);
    assert_eq!(ids, [json!("from-browser"), json!("from-server")]);
    assert_eq!(
        s.get("/_local/local/users").await.1[0]["userId"],
        "local-one"
    );
    // A key nobody named is its own environment, named by its fingerprint.
    let stranger = "sec_stranger_0123456789abcdefXYZ";
    assert_eq!(send(&s, Some(stranger), "/event", EVENT).await.0, 200);
    let name = format!("key-{}", &bucket_console::api::key::digest(stranger)[..6]);
    let (_, events) = s.get(&format!("/_local/{name}/events")).await;
    assert_eq!(events[0]["event"], "Sent");
    let short = "sec_short_123";
    let (status, answer) = send(&s, Some(short), "/user", r#"{"userId":"x"}"#).await;
    assert_eq!(
        (status, answer["warnings"][0]["code"].clone()),
        (200, json!("SHORT_SECRET_KEY"))
    );
    // No answer, record or file shows a secret key.
    let mut shown = String::new();
    for name in ["prod", "local", &name] {
        shown.push_str(&serde_json::to_string(&requests(&s, name).await).unwrap());
        shown.push_str(&s.get(&format!("/_local/{name}/stats")).await.1.to_string());
    }
    for secret in [prod_sec, stranger, short, SEC] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    let masked = format!(
        "secret …Ty6u {}",
        bucket_console::api::key::fingerprint(prod_sec)
    );
    assert!(shown.contains(&masked), "{shown}");
    assert!(shown.contains("\"sdkVersion\":\"node-sdk/1.7.1\""));
    s.server.shutdown().await.unwrap();
    let bytes = database_bytes(&dir);
    for key in [prod_sec, prod_pub, stranger, short, SEC, PUB] {
        assert!(!contains(&bytes, key), "{key} is in the database");
    }
}

/// One call of each single runtime route, each insisted on being a 200.
async fn calls(s: &TestServer) {
    for (path, body) in [
        (
            "/user",
            json!({"userId": "u1", "attributes": {"name": "Ann"}}),
        ),
        (
            "/company",
            json!({"companyId": "c1", "userId": "u1", "context": {"active": false}}),
        ),
        (
            "/event",
            json!({"event": "Sent", "userId": "u1", "companyId": "c1"}),
        ),
        (
            "/feedback",
            json!({"key": "huddle", "userId": "u1", "score": 5, "source": "sdk"}),
        ),
        (
            "/feedback",
            json!({"featureId": "f1", "key": "huddle", "userId": "u1", "comment": "ok", "source": "prompt", "promptId": "p1"}),
        ),
        (
            "/feedback",
            json!({"featureId": "f2", "userId": "u1", "score": 2}),
        ),
        (
            "/features/events",
            json!({"action": "check-is-enabled", "key": "huddle", "evalResult": true, "evalContext": {"user": {"id": "u1"}}, "targetingVersion": 4, "evalRuleResults": [true], "evalMissingFields": ["company.id"]}),
        ),
        (
            "/features/events",
            json!({"action": "check-config", "key": "huddle", "evalResult": {}}),
        ),
        (
            "/feedback/prompt-events",
            json!({"action": "shown", "featureId": "f1", "promptId": "p1", "userId": "u1", "promptedQuestion": "How is it?"}),
        ),
    ] {
        let (status, answer) = send(s, Some(PUB), path, &body.to_string()).await;
        assert_eq!(status, 200, "{path} {body}: {answer}");
        assert_eq!(answer["success"], true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_runtime_calls_are_stored_like_tracking_calls() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    calls(&s).await;
    let (status, init) = send(
        &s,
        Some(PUB),
        "/feedback/prompting-init",
        r#"{"userId":"u1"}"#,
    )
    .await;
    assert_eq!((status, init), (200, json!({"success": false})));
    let (_, feedback) = s.get("/_local/local/feedback?order=oldest").await;
    let features: Vec<_> = feedback
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["featureId"].clone())
        .collect();
    assert_eq!(
        features,
        [json!("huddle"), json!("huddle"), json!("f2")],
        "the key is the feature"
    );
    assert_eq!(feedback[1]["key"], "huddle");
    assert_eq!(feedback[1]["sentFeatureId"], "f1");
    assert!(feedback[2].get("key").is_none(), "{}", feedback[2]);
    assert_eq!(rows(&dir, "flag_events", "local"), 2);
    assert_eq!(rows(&dir, "prompt_events", "local"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_checks_and_prompt_events_keep_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    calls(&s).await;
    let conn = rusqlite::Connection::open(dir.path().join("rt.sqlite3")).unwrap();
    let kept: (String, String, String, i64, String, String) = conn
        .query_row(
            "SELECT flag_key, action, context, targeting_version, rule_results, missing_fields
             FROM flag_events ORDER BY id LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        kept,
        (
            "huddle".into(),
            "check-is-enabled".into(),
            r#"{"user":{"id":"u1"}}"#.into(),
            4,
            "[true]".into(),
            r#"["company.id"]"#.into()
        )
    );
    let both: (Option<String>, Option<String>) = conn
        .query_row(
            "SELECT key, sent_feature_id FROM feedback WHERE comment = 'ok'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(both, (Some("huddle".into()), Some("f1".into())));
    // The tracking rules hold: a feedback with neither key nor featureId names both.
    let (status, refused) = send(&s, Some(PUB), "/feedback", r#"{"userId":"u1","score":3}"#).await;
    assert_eq!((status, code(&refused)), (400, "BODY_VALIDATION_FAILED"));
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`key`"),
        "{refused}"
    );
    let (status, refused) = send(
        &s,
        Some(PUB),
        "/feedback",
        r#"{"key":"k","userId":"u1","score":3,"source":"email"}"#,
    )
    .await;
    assert_eq!(
        (
            status,
            refused["error"]["validationErrors"][0]["path"].clone()
        ),
        (400, json!("/source"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn features_feedback_and_sse_are_no_tracking_keys() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    for path in [
        "/features/user",
        "/feedback/event",
        "/sse/company",
        "/features/identify",
    ] {
        let resp = s
            .http
            .post(format!("{}{path}", s.base))
            .json(&json!({"userId": "u", "companyId": "c", "event": "e"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_error_shape(&body);
    }
    for name in ["features", "feedback", "sse"] {
        for table in ["users", "companies", "events"] {
            assert_eq!(rows(&dir, table, name), 0, "{name} {table}");
        }
        assert!(requests(&s, name).await.is_empty());
    }
    // The tracking API itself is unchanged.
    assert_eq!(s.post("user", json!({"userId": 1})).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_on_another_origin_may_call() {
    let s = TestServer::start().await;
    for path in ["/bulk", "/event", "/features/evaluated", "/feedback"] {
        let resp = s
            .http
            .request(reqwest::Method::OPTIONS, format!("{}{path}", s.base))
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type,reflag-sdk-version",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "{path}");
        let h = resp.headers();
        assert_eq!(h["access-control-allow-origin"], "*");
        assert_eq!(h["access-control-allow-methods"], "GET, POST, OPTIONS");
        assert_eq!(
            h["access-control-allow-headers"],
            "authorization, content-type, reflag-sdk-version"
        );
    }
    let (status, _) = fetch(&s, Some(PUB), "/bulk").await;
    assert_eq!(status, 405);
    let (status, _) = send(&s, Some(SEC), "/features", "{}").await;
    assert_eq!(status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sse_channels_stay_open_and_end_at_shutdown() {
    let s = TestServer::start().await;
    let mut open = Vec::new();
    for path in [
        format!("/sse/client?publishableKey={PUB}&reflag-sdk-version=browser-sdk%2F1.6.1"),
        "/sse/server".to_owned(),
    ] {
        let mut req = s.http.get(format!("{}{path}", s.base));
        if path == "/sse/server" {
            req = req.header("authorization", format!("Bearer {SEC}"));
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        open.push(resp);
    }
    let recorded = requests(&s, "local").await;
    assert_eq!(
        recorded[0]["headers"]["sdkVersion"], "browser-sdk/1.6.1",
        "from the query on a GET"
    );
    assert!(
        recorded[0]["path"]
            .as_str()
            .unwrap()
            .contains("publishableKey=[redacted]")
    );
    let (status, refused) = fetch(&s, None, "/sse/client").await;
    assert_eq!((status, code(&refused)), (403, "KEY_MISSING"));
    // Under the 3 s the stop grants calls in flight: the streams end at once, not at its end.
    tokio::time::timeout(Duration::from_secs(2), s.server.shutdown())
        .await
        .expect("open streams do not hold the shutdown")
        .unwrap();
    for resp in open {
        let rest = tokio::time::timeout(Duration::from_secs(5), resp.text()).await;
        assert!(rest.is_ok(), "the stream ended");
    }
}
