//! `flags list | eval | pull` against a server on 127.0.0.1 that answers `GET /features` and
//! `GET /features/evaluated` in the live service's documented shapes, and against `serve`.

use crate::support::Cli;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const SECRET: &str = "sec_flagsClientTest_0123456789abcdef";
const PUBLISHABLE: &str = "pub_flagsClientTest_0123456789";

/// `huddle`: a plan rule, a 50% rollout on company.id, two config variants; `export`: a negation
/// (tests/flags/huddle-and-export.json, which the evaluator's unit tests read too).
pub fn definitions() -> Value {
    let doc: Value = serde_json::from_str(include_str!("../flags/huddle-and-export.json")).unwrap();
    doc["features"].clone()
}

/// What the fake service saw: each request's path and query, and its Authorization header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A fake Runtime API: definitions for the secret key (Bearer only), outcomes for the
/// publishable one (`?publishableKey=`), and the inspection routes of a local server that knows
/// company `acme` with a `name` and no `plan`.
pub async fn fake_service(features: Value) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let (log, features) = (log.clone(), features.clone());
        async move {
            let path = req.uri().path().to_owned();
            let query = req.uri().query().unwrap_or("").to_owned();
            let auth = req
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned());
            log.lock()
                .unwrap()
                .push((format!("{path}?{query}"), auth.clone()));
            let bearer = auth.as_deref() == Some(&format!("Bearer {SECRET}"));
            let answer = |v: Value| (StatusCode::OK, v.to_string()).into_response();
            match path.as_str() {
                "/features" if bearer => answer(json!({
                    "success": true, "features": features, "flagStateVersion": 7})),
                "/features/evaluated"
                    if bearer || query.contains(&format!("publishableKey={PUBLISHABLE}")) =>
                {
                    answer(json!({"success": true, "flagStateVersion": 7, "features": {
                        "huddle": {"key": "huddle", "isEnabled": true, "targetingVersion": 3,
                            "config": {"key": "beta", "payload": {"max": 10}, "version": 2},
                            "ruleEvaluationResults": [false, true],
                            "missingContextFields": ["company.plan"]},
                        "export": {"key": "export", "isEnabled": false, "targetingVersion": 1,
                            "ruleEvaluationResults": [false], "missingContextFields": []}}}))
                }
                "/features" | "/features/evaluated" => (
                    StatusCode::UNAUTHORIZED,
                    json!({"success": false, "error": {"code": "INVALID_KEY",
                           "message": "bad key"}})
                    .to_string(),
                )
                    .into_response(),
                p if p.starts_with("/_local/") && p.ends_with("/companies/acme") => {
                    answer(json!({"companyId": "acme", "attributes": {"name": "Acme"},
                        "firstSeen": "2026-12-01T00:00:00Z", "lastSeen": null, "users": []}))
                }
                p if p.starts_with("/_local/") && p.ends_with("/events") => answer(json!([])),
                _ => (StatusCode::NOT_FOUND, "{}").into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, seen)
}

pub fn runtime_profile(cli: &Cli, name: &str, base: &str, key: &str) {
    let out = cli.run_with(
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
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_writes_the_definitions_serve_reads_and_no_key() {
    let (base, seen) = fake_service(definitions()).await;
    let cli = Arc::new(Cli::new());
    runtime_profile(&cli, "live", &base, SECRET);
    let file = cli.home.path().join("flags.json");
    let path = file.to_str().unwrap();
    let out = cli
        .run_async(&["flags", "pull", "--profile", "live", "--output", path])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("wrote 2 flags"), "{out:?}");
    assert!(out.stderr.contains("flagStateVersion 7"), "{out:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("flagsClientTest"), "{text}");
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written, json!({"features": definitions()}));
    // What serve reads: the same parser accepts it.
    assert_eq!(
        bucket_console::api::flags::parse_definitions(&written)
            .unwrap()
            .len(),
        2
    );
    // The key went only in the Bearer header.
    for (url, _) in seen.lock().unwrap().iter() {
        assert!(!url.contains(SECRET), "{url}");
    }
    // A second pull does not replace the file unless asked.
    std::fs::write(&file, "hand-written").unwrap();
    let again = cli
        .run_async(&["flags", "pull", "--profile", "live", "--output", path])
        .await;
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("--force"), "{again:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "hand-written");
    let forced = cli
        .run_async(&["flags", "pull", "--profile", "live", "-o", path, "--force"])
        .await;
    assert_eq!(forced.code, 0, "{forced:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_refuses_definitions_that_carry_the_key_or_a_publishable_profile() {
    let mut hostile = definitions();
    hostile[0]["description"] = json!(format!("leaked {SECRET}"));
    let (base, _) = fake_service(hostile).await;
    let cli = Arc::new(Cli::new());
    runtime_profile(&cli, "live", &base, SECRET);
    runtime_profile(&cli, "web", &base, PUBLISHABLE);
    let file = cli.home.path().join("flags.json");
    let path = file.to_str().unwrap();
    let out = cli
        .run_async(&["flags", "pull", "--profile", "live", "-o", path])
        .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(!file.exists());
    assert!(!out.stderr.contains(SECRET), "{out:?}");
    let out = cli
        .run_async(&["flags", "pull", "--profile", "web", "-o", path])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("secret key"), "{out:?}");
    let out = cli
        .run_async(&["flags", "pull", "--profile", "local"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("tracking API"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_from_serve_writes_its_flags() {
    let cli = Arc::new(Cli::new());
    let file = cli.home.path().join("from-serve.json");
    let out = cli
        .run_async(&[
            "flags",
            "pull",
            "--profile",
            "local-runtime",
            "-o",
            file.to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(written["features"].is_array(), "{written}");
    assert!(!written.to_string().contains("sec_local"), "{written}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_explains_each_rule_and_names_unsent_company_attributes() {
    let (base, _) = fake_service(definitions()).await;
    let cli = Arc::new(Cli::new());
    runtime_profile(&cli, "live", &base, SECRET);
    let out = cli
        .run_async(&[
            "flags",
            "eval",
            "--profile",
            "live",
            "--user",
            "u1",
            "--company",
            "acme",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    for expected in [
        "huddle on · rule 2 of 2 · variant \"standard\"",
        "missing company.plan IS \"enterprise\" · not in the context",
        "✓ rollout 50% by company.id (key \"huddle\") · \"acme\" → bucket 30 148 of 100 000, \
         needs < 50 000",
        "missing from the context: company.plan",
        "⚠ company.plan is read, but no company call has sent it for acme",
        "export on · rule 1 of 1",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.stdout);
    }
    let out = cli
        .run_async(&[
            "flags",
            "eval",
            "--profile",
            "live",
            "--company",
            "globex",
            "--attr",
            "company.plan=pro",
            "--flag",
            "huddle",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let v = out.json();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["context", "flags", "tree"]);
    assert_eq!(v["tree"], true);
    assert_eq!(
        v["context"],
        json!({"company.id": "globex", "company.plan": "pro"})
    );
    let huddle = &v["flags"][0];
    let keys: Vec<&String> = huddle.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "config",
            "isEnabled",
            "key",
            "matchedRule",
            "missingContextFields",
            "rules",
            "unsentCompanyAttributes",
            "variants"
        ]
    );
    assert_eq!(huddle["isEnabled"], false);
    assert_eq!(huddle["matchedRule"], Value::Null);
    assert_eq!(
        huddle["config"],
        json!({"key": "beta", "payload": {"max": 10}})
    );
    // No user: SET is simply false, and the group's rollout is never evaluated.
    assert_eq!(huddle["rules"][1]["filters"][1]["mark"], "fail");
    assert_eq!(huddle["rules"][1]["filters"][2]["mark"], Value::Null);
    assert_eq!(v["flags"].as_array().unwrap().len(), 1);
    let unknown = cli
        .run_async(&["flags", "eval", "--profile", "live", "--flag", "nope"])
        .await;
    assert_eq!(unknown.code, 2, "{unknown:?}");
    let bad = cli
        .run_async(&["flags", "eval", "--profile", "live", "--attr", "plan"])
        .await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("FIELD=VALUE"), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publishable_profile_shows_outcomes_and_says_a_secret_key_shows_the_tree() {
    let (base, seen) = fake_service(definitions()).await;
    let cli = Arc::new(Cli::new());
    runtime_profile(&cli, "web", &base, PUBLISHABLE);
    let out = cli
        .run_async(&[
            "flags",
            "eval",
            "--profile",
            "web",
            "--user",
            "u1",
            "--company",
            "acme",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("a secret-key profile shows"), "{out:?}");
    assert!(
        out.stdout
            .contains("huddle on · rule 2 of 2 · variant \"beta\"\n  rule 1 ✗\n  rule 2 ✓"),
        "{}",
        out.stdout
    );
    let asked = seen.lock().unwrap().last().unwrap().0.clone();
    assert!(asked.contains("context.company.id=acme"), "{asked}");
    assert!(asked.contains("context.user.id=u1"), "{asked}");
    let json = cli
        .run_async(&["flags", "eval", "--profile", "web", "--json"])
        .await;
    assert_eq!(json.json()["tree"], false, "{json:?}");
    let list = cli.run_async(&["flags", "list", "--profile", "web"]).await;
    assert_eq!(list.code, 0, "{list:?}");
    assert!(list.stdout.contains("export"), "{list:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_each_flag_with_its_rules_and_variants() {
    let (base, _) = fake_service(definitions()).await;
    let cli = Arc::new(Cli::new());
    runtime_profile(&cli, "live", &base, SECRET);
    let out = cli.run_async(&["flags", "list", "--profile", "live"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "huddle  2 rules · 2 config variants · Huddles\nexport  1 rule\n"
    );
    let json = cli
        .run_async(&["flags", "list", "--profile", "live", "--json"])
        .await
        .json();
    assert_eq!(
        json[0],
        json!({"key": "huddle", "description": "Huddles", "rules": 2, "variants": 2,
               "targetingVersion": 3})
    );
}
