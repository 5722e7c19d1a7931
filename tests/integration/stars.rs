//! The STARS funnel (assets/contract.md §9) from hand-built histories, sent over TCP to a real
//! server with its real store and read back through `inspect`, the way `stars` and F6 read it.

use crate::support::{KEY, TestServer, code};
use bucket_console::api::TrackingKey;
use bucket_console::api::stars::{Feature, Funnel, Segment, StarsRequest, Step, Usage};
use bucket_console::inspect::Inspector;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// 2026-11-30T12:00:00Z: the end of every window here.
const AS_OF: i64 = 1_796_040_000_000;
const DAY: i64 = 86_400_000;

fn ago(days: i64) -> i64 {
    AS_OF - days * DAY
}

async fn used(s: &TestServer, company: &str, user: &str, event: &str, days: &[i64]) {
    for d in days {
        s.ok(
            "event",
            json!({"event": event, "userId": user, "companyId": company, "timestamp": ago(*d)}),
        )
        .await;
    }
}

async fn member(s: &TestServer, company: &str, user: &str, attributes: Value) {
    s.ok(
        "company",
        json!({"companyId": company, "userId": user, "attributes": attributes}),
    )
    .await;
}

async fn score(s: &TestServer, company: &str, user: &str, feature: &str, score: u8) {
    s.ok(
        "feedback",
        json!({"featureId": feature, "userId": user, "companyId": company, "score": score}),
    )
    .await;
}

fn export() -> Feature {
    Feature {
        usage: Usage::Event {
            events: vec!["Exported report".into(), "Exported CSV".into()],
        },
        ..Feature::from_event("export")
    }
}

fn slack() -> Feature {
    Feature {
        usage: Usage::Attribute {
            attribute: "hasSlackEnabled".into(),
        },
        ..Feature::from_event("slack")
    }
}

fn sso() -> Feature {
    Feature {
        segment: Some(Segment {
            attribute: "plan".into(),
            equals: json!("enterprise"),
        }),
        ..Feature::from_event("Signed in with SSO")
    }
}

async fn funnels(s: &TestServer, features: Vec<Feature>, as_of: i64) -> Vec<Funnel> {
    let x = Inspector::new(&s.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    x.stars(&StarsRequest {
        features,
        as_of: Some(json!(as_of)),
        company_id: None,
        standings: true,
        companies: true,
    })
    .await
    .unwrap()
}

fn steps(f: &Funnel) -> BTreeMap<String, (Step, Option<String>)> {
    f.standings
        .iter()
        .map(|s| (s.company_id.clone(), (s.step, s.why_not_next.clone())))
        .collect()
}

/// Every company of the table, with the history that puts it on a known step.
async fn histories(s: &TestServer) {
    let enterprise = json!({"plan": "enterprise", "hasSlackEnabled": true});
    member(s, "single", "u-single", json!({"hasSlackEnabled": false})).await;
    used(s, "single", "u-single", "Exported report", &[3]).await;
    member(s, "four-days", "u-four", json!({})).await;
    used(s, "four-days", "u-four", "Exported CSV", &[20, 15, 10, 1]).await;
    member(s, "long-ago", "u-long", json!({})).await;
    used(
        s,
        "long-ago",
        "u-long",
        "Exported report",
        &[60, 59, 58, 57, 56],
    )
    .await;
    member(s, "new-adopter", "u-new", json!({})).await;
    used(s, "new-adopter", "u-new", "Exported CSV", &[9, 7, 5, 3, 1]).await;
    member(s, "went-quiet", "u-quiet", json!({})).await;
    used(
        s,
        "went-quiet",
        "u-quiet",
        "Exported CSV",
        &[27, 20, 15, 12, 9],
    )
    .await;
    member(s, "grumpy", "u-grumpy", enterprise.clone()).await;
    used(
        s,
        "grumpy",
        "u-grumpy",
        "Exported report",
        &[27, 20, 13, 6, 2],
    )
    .await;
    score(s, "grumpy", "u-grumpy", "export", 5).await;
    score(s, "grumpy", "u-grumpy", "export", 3).await;
    member(s, "happy", "u-happy", enterprise).await;
    // Events without companyId count for every company of their user.
    for d in [25, 18, 11, 4, 0] {
        s.ok(
            "event",
            json!({"event": "Exported CSV", "userId": "u-happy", "timestamp": ago(d)}),
        )
        .await;
    }
    used(s, "happy", "u-happy", "Signed in with SSO", &[2]).await;
    score(s, "happy", "u-happy", "export", 2).await;
    score(s, "happy", "u-happy", "export", 4).await;
    // Uses through a membership, all before the window: its last one is named.
    member(s, "old-member", "u-old", json!({})).await;
    for d in [40, 39] {
        s.ok(
            "event",
            json!({"event": "Exported CSV", "userId": "u-old", "timestamp": ago(d)}),
        )
        .await;
    }
    // A user in no company: left out, and said so.
    for d in [3, 2, 1] {
        s.ok(
            "event",
            json!({"event": "Exported report", "userId": "loner", "timestamp": ago(d)}),
        )
        .await;
    }
    // After the window's end: not counted as of AS_OF.
    used(
        s,
        "single",
        "u-single",
        "Exported report",
        &[-1, -2, -3, -4],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_history_lands_on_its_known_step() {
    let s = TestServer::start().await;
    histories(&s).await;
    let all = funnels(&s, vec![export(), slack(), sso()], AS_OF).await;
    let export = &all[0];
    let got = steps(export);
    let want = [
        ("single", Step::Tried, Some("1 of 5 days")),
        ("four-days", Step::Tried, Some("4 of 5 days")),
        (
            "long-ago",
            Step::Segment,
            Some("last use 56 days ago, before the 28-day window"),
        ),
        (
            "new-adopter",
            Step::Adopted,
            Some("first use 9 of 14 days ago"),
        ),
        (
            "went-quiet",
            Step::Adopted,
            Some("no use in the last 7 days"),
        ),
        (
            "grumpy",
            Step::Retained,
            Some("latest score 3, needs 4 or more"),
        ),
        ("happy", Step::Satisfied, None),
        (
            "old-member",
            Step::Segment,
            Some("last use 39 days ago, before the 28-day window"),
        ),
    ];
    for (company, step, why) in want {
        assert_eq!(
            got[company],
            (step, why.map(str::to_owned)),
            "{company}: {:?}",
            got[company]
        );
    }
    assert_eq!(
        (
            export.segment,
            export.tried,
            export.adopted,
            export.retained,
            export.satisfied
        ),
        (8, 6, 4, 2, 1)
    );
    assert_eq!(export.companies.as_ref().unwrap().satisfied, ["happy"]);
    assert_eq!(
        export.companies.as_ref().unwrap().retained,
        ["grumpy", "happy"]
    );
    assert_eq!(export.window.from, "2026-11-03T00:00:00.000Z");
    assert_eq!((export.excluded_events, export.excluded_users), (3, 1));
    assert_eq!(export.excluded_user_ids, ["loner"]);
    let tried = export.shares.tried.unwrap();
    assert!((tried.of_segment - 6.0 / 8.0).abs() < 1e-9);

    let slack = &all[1];
    assert_eq!(
        (
            slack.segment,
            slack.adopted,
            slack.companies.as_ref().unwrap().adopted.clone()
        ),
        (8, 2, vec!["grumpy".to_owned(), "happy".to_owned()])
    );
    assert_eq!(
        steps(slack)["single"],
        (
            Step::Segment,
            Some("`hasSlackEnabled` is not truthy on the company".into())
        )
    );

    let sso = &all[2];
    assert_eq!(sso.companies.as_ref().unwrap().segment, ["grumpy", "happy"]);
    assert_eq!((sso.segment, sso.tried), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_of_replays_events_and_without_features_every_name_is_offered() {
    let s = TestServer::start().await;
    histories(&s).await;
    // Five days later, `single`'s four later uses are in the window: five separate days.
    let later = funnels(&s, vec![export()], AS_OF + 5 * DAY).await;
    assert_eq!(steps(&later[0])["single"].0, Step::Adopted);
    // A month earlier, `long-ago` had just adopted it.
    let earlier = funnels(&s, vec![export()], ago(55)).await;
    assert_eq!(steps(&earlier[0])["long-ago"].0, Step::Adopted);
    assert_eq!(earlier[0].tried, 1);

    let discovered = funnels(&s, vec![], AS_OF).await;
    let names: Vec<_> = discovered.iter().map(|f| f.feature.as_str()).collect();
    assert_eq!(
        names,
        [
            "Exported CSV",
            "Exported report",
            "Signed in with SSO",
            "export"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_with_what_to_fix() {
    let s = TestServer::start().await;
    let url = format!("{}/_local/{KEY}/stars", s.base);
    let post = |body: &'static str| {
        let http = s.http.clone();
        let url = url.clone();
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post(r#"{"asOf": "yesterday"}"#).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`asOf`"),
        "{body}"
    );
    let (status, body) = post(r#"{"feature": []}"#).await;
    assert_eq!(
        (status, code(&body)),
        (400, "QUERY_VALIDATION_FAILED"),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `feature`")
    );
    let (status, body) =
        post(r#"{"features": [{"name": "x", "kind": "event", "events": [], "feedback": "x"}]}"#)
            .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lists no event"),
        "{body}"
    );
    // Empty body: every feature seen, now; a key never written to has none.
    let (status, body) = post("").await;
    assert_eq!((status, body), (200, json!([])));
}

/// The shipped demo fills a fresh store with a funnel that has every step, and `stars --json`
/// reports it in the promised shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_every_step_and_the_cli_reports_it_as_json() {
    use crate::support::Cli;
    use std::sync::Arc;
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("app", &s.base, KEY);
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/stars-demo.toml");
    let out = cli
        .run_async(&[
            "run",
            "stars-demo",
            "--profile",
            "app",
            "--collection",
            demo,
            "--seed",
            "3",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = cli
        .run_async(&["stars", "--profile", "app", "--collection", demo, "--json"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let all: Value = serde_json::from_str(&out.stdout).unwrap();
    let export = &all[0];
    let keys: Vec<&str> = export
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = [
        "adopted",
        "companies",
        "excludedEvents",
        "excludedUserIds",
        "excludedUsers",
        "feature",
        "kind",
        "retained",
        "satisfied",
        "segment",
        "shares",
        "tried",
        "window",
    ];
    want.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(export["feature"], "export");
    assert_eq!(export["kind"], "event");
    let counts: Vec<u64> = ["segment", "tried", "adopted", "retained", "satisfied"]
        .iter()
        .map(|k| export[k].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [5, 4, 3, 2, 1], "{export}");
    assert_eq!(export["companies"]["satisfied"], json!(["acme"]));
    assert_eq!(export["companies"]["retained"], json!(["acme", "globex"]));
    assert_eq!(export["excludedUserIds"], json!(["visitor-7"]));
    assert_eq!(export["excludedEvents"], json!(3));
    assert!(
        export["window"]["from"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00.000Z")
    );
    let slack = &all[1];
    assert_eq!(
        (slack["kind"].as_str(), slack["adopted"].as_u64()),
        (Some("attribute"), Some(2))
    );
    let sso = &all[2];
    assert_eq!(
        sso["companies"]["segment"],
        json!(["acme", "globex", "umbrella"])
    );

    // Text for people: the bars and the left-out users.
    let out = cli
        .run_async(&["stars", "export", "--profile", "app", "--collection", demo])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Satisfied"), "{}", out.stdout);
    assert!(
        out.stdout.contains("3 events from 1 user left out: no company; send a `company` call with `userId` `visitor-7`"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("visitor-7"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_says_what_is_wrong_with_its_exit_status() {
    use crate::support::Cli;
    use std::sync::Arc;
    let cli = Arc::new(Cli::new());
    cli.add_profile("prod", "https://tracking.example.com", KEY);
    let out = cli.run_async(&["stars", "--profile", "prod"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("needs the local server's store"),
        "{}",
        out.stderr
    );
    // Nothing listens on this loopback port: 3.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    cli.add_profile("gone", &format!("http://127.0.0.1:{port}"), KEY);
    let out = cli.run_async(&["stars", "--profile", "gone"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    let out = cli.run_async(&["stars", "--as-of", "last tuesday"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--as-of `last tuesday`"),
        "{}",
        out.stderr
    );
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/stars-demo.toml");
    let out = cli
        .run_async(&["stars", "exprt", "--collection", demo, "--profile", "gone"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("did you mean `export`?"),
        "{}",
        out.stderr
    );
}

/// A database written before the funnel's index (schema version 1) is migrated in place when a
/// server opens it: its rows kept, the index and the blocks of days made, the funnel computed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_database_is_migrated_in_place_and_funnels_work() {
    use bucket_console::server::{ServerConfig, Storage};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite3");
    {
        let s = TestServer::with(ServerConfig::ephemeral(Storage::File(db.clone()))).await;
        member(&s, "acme", "ada", json!({})).await;
        used(&s, "acme", "ada", "Exported report", &[3, 2]).await;
        s.server.shutdown().await.unwrap();
    }
    // What version 1 left: no index by name, nothing of the Runtime API, user_version 1.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP INDEX events_by_name_and_time; DROP TABLE flag_events; DROP TABLE prompt_events;
             DROP TABLE flag_state; DROP TABLE derived; ALTER TABLE events DROP COLUMN inactive; DROP TABLE event_blocks;
             DROP INDEX events_by_seq; ALTER TABLE events DROP COLUMN seq;
             ALTER TABLE feedback DROP COLUMN key; ALTER TABLE feedback DROP COLUMN sent_feature_id;
             DROP TRIGGER events_owned; DROP TRIGGER events_disowned; DROP TRIGGER events_owned_again;
             DROP VIEW event_owners; DROP TABLE owners_merged; DROP TABLE owners_middle;
             DROP TABLE owners_recent;
             CREATE INDEX events_by_user ON events (key_id, user_id, received_at);
             CREATE INDEX events_by_company ON events (key_id, company_id, received_at);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let s = TestServer::with(ServerConfig::ephemeral(Storage::File(db.clone()))).await;
    let all = funnels(&s, vec![export()], AS_OF).await;
    assert_eq!((all[0].segment, all[0].tried), (1, 1));
    assert_eq!(steps(&all[0])["acme"].1.as_deref(), Some("2 of 5 days"));
    s.server.shutdown().await.unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_name_and_time'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // The days of the events already stored are in the blocks the funnel reads.
    let blocks: i64 = conn
        .query_row(
            "SELECT count(*) FROM event_blocks WHERE event = 'Exported report' AND by_company",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((version, index, blocks > 0), (10, 1, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_company_is_listed_alone_and_the_counts_stay_the_segments() {
    let s = TestServer::start().await;
    histories(&s).await;
    let x = Inspector::new(&s.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let all = x
        .stars(&StarsRequest {
            features: vec![export()],
            as_of: Some(json!(AS_OF)),
            company_id: Some("grumpy".into()),
            standings: false,
            companies: true,
        })
        .await
        .unwrap();
    let f = &all[0];
    assert_eq!((f.segment, f.retained), (8, 2));
    assert_eq!(f.standings.len(), 1);
    assert_eq!(f.standings[0].step, Step::Retained);
    assert_eq!(f.companies.as_ref().unwrap().retained, ["grumpy"]);
    assert!(f.companies.as_ref().unwrap().satisfied.is_empty());
}

/// F6's list asks for the counts alone (`"companies": false`): its answer names no company, and
/// is the whole answer's without `companies`; a request without the member answers as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counts_alone_are_the_whole_answer_without_the_ids() {
    let s = TestServer::start().await;
    histories(&s).await;
    let post = |body: Value| {
        let http = s.http.clone();
        let url = format!("{}/_local/{KEY}/stars", s.base);
        async move {
            let r = http.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            r.json::<Vec<Value>>().await.unwrap()
        }
    };
    let features = json!([export(), slack(), sso()]);
    let whole = post(json!({"features": features, "asOf": AS_OF})).await;
    let counts = post(json!({"features": features, "asOf": AS_OF, "companies": false})).await;
    let drill = post(
        json!({"features": features, "asOf": AS_OF, "companies": false,
        "standings": true}),
    )
    .await;
    assert_eq!(whole.len(), 3);
    for ((whole, counts), drill) in whole.iter().zip(&counts).zip(&drill) {
        assert!(
            whole["companies"]["segment"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        );
        assert!(whole.get("standings").is_none(), "{whole}");
        let mut without = whole.clone();
        without.as_object_mut().unwrap().remove("companies");
        assert_eq!(counts, &without);
        assert!(!counts.to_string().contains("grumpy"), "{counts}");
        // The drill-down: the standings, still without the lists of ids.
        assert!(drill.get("companies").is_none(), "{drill}");
        let mut without_standings = drill.clone();
        let standings = without_standings
            .as_object_mut()
            .unwrap()
            .remove("standings")
            .unwrap();
        assert_eq!(
            standings.as_array().map(|a| a.len() as u64),
            counts["segment"].as_u64()
        );
        assert_eq!(&without_standings, counts);
    }
}
