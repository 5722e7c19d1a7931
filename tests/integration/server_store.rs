//! assets/contract.md §5–§6 over real TCP: what the server stores and what the inspection routes show.

use crate::support::{KEY, OTHER_KEY, TestServer, code};
use serde_json::{Value, json};

const T1: &str = "2024-05-01T12:00:00.000Z";
const T2: &str = "2024-05-02T12:00:00.000Z";
const T0: &str = "2024-04-30T12:00:00.000Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_integer_and_the_string_name_one_user() {
    let s = TestServer::start().await;
    s.ok("user", json!({"userId": 42, "attributes": {"a": 1}}))
        .await;
    s.ok("user", json!({"userId": "42", "attributes": {"b": 2}}))
        .await;
    let users = s.inspect("users").await;
    assert_eq!(users.as_array().unwrap().len(), 1, "{users}");
    assert_eq!(users[0]["userId"], json!("42"));
    assert_eq!(users[0]["attributes"], json!({"a": 1, "b": 2}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_merge_shallowly_and_keep_nulls() {
    let s = TestServer::start().await;
    s.ok(
        "user",
        json!({"userId": "u", "attributes": {"plan": "free", "seats": 1, "trial": true}}),
    )
    .await;
    s.ok(
        "user",
        json!({"userId": "u", "attributes": {"plan": "pro", "trial": null}}),
    )
    .await;
    let user = s.inspect("users/u").await;
    assert_eq!(
        user["attributes"],
        json!({"plan": "pro", "seats": 1, "trial": null})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactive_calls_change_attributes_but_not_last_seen() {
    let s = TestServer::start().await;
    s.ok("user", json!({"userId": "u", "timestamp": T1})).await;
    s.ok("user", json!({"userId": "u", "timestamp": T2, "attributes": {"x": 1}, "context": {"active": false}})).await;
    let user = s.inspect("users/u").await;
    assert_eq!(
        (user["lastSeen"].clone(), user["attributes"].clone()),
        (json!(T1), json!({"x": 1}))
    );

    s.ok("company", json!({"companyId": "c", "timestamp": T1}))
        .await;
    s.ok("company", json!({"companyId": "c", "userId": "u", "timestamp": T2, "attributes": {"plan": "pro"}, "context": {"active": false}})).await;
    let company = s.inspect("companies/c").await;
    assert_eq!(
        (company["lastSeen"].clone(), company["attributes"].clone()),
        (json!(T1), json!({"plan": "pro"}))
    );
    assert_eq!(
        s.inspect("users/u").await["lastSeen"],
        json!(T1),
        "company+userId inactive leaves the user too"
    );

    s.ok("event", json!({"event": "e", "userId": "u", "companyId": "c", "timestamp": T2, "context": {"active": false}})).await;
    assert_eq!(s.inspect("users/u").await["lastSeen"], json!(T1));
    assert_eq!(s.inspect("companies/c").await["lastSeen"], json!(T1));
    let events = s.inspect("events").await;
    assert_eq!(
        events[0]["timestamp"],
        json!(T2),
        "the event itself is stored"
    );

    s.ok(
        "event",
        json!({"event": "e", "userId": "u", "companyId": "c", "timestamp": T2}),
    )
    .await;
    assert_eq!(s.inspect("users/u").await["lastSeen"], json!(T2));
    assert_eq!(s.inspect("companies/c").await["lastSeen"], json!(T2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_seen_only_moves_forward_and_is_null_until_active() {
    let s = TestServer::start().await;
    s.ok(
        "user",
        json!({"userId": "u", "timestamp": T1, "context": {"active": false}}),
    )
    .await;
    let user = s.inspect("users/u").await;
    assert_eq!(
        (user["firstSeen"].clone(), user["lastSeen"].clone()),
        (json!(T1), Value::Null)
    );
    s.ok("user", json!({"userId": "u", "timestamp": T2})).await;
    s.ok("user", json!({"userId": "u", "timestamp": T0})).await;
    let user = s.inspect("users/u").await;
    assert_eq!(
        (user["firstSeen"].clone(), user["lastSeen"].clone()),
        (json!(T1), json!(T2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_with_user_makes_a_membership_but_events_do_not() {
    let s = TestServer::start().await;
    s.ok(
        "company",
        json!({"companyId": 101112231415_i64, "userId": 1234567890, "timestamp": T1}),
    )
    .await;
    s.ok(
        "event",
        json!({"event": "e", "userId": "other", "companyId": "acme", "timestamp": T1}),
    )
    .await;
    let user = s.inspect("users/1234567890").await;
    assert_eq!(user["companies"], json!(["101112231415"]));
    assert_eq!(
        user["lastSeen"],
        json!(T1),
        "an active company call touches its user"
    );
    let company = s.inspect("companies/101112231415").await;
    assert_eq!(company["users"], json!(["1234567890"]));
    assert_eq!(
        s.inspect("companies/acme").await["users"],
        json!([]),
        "events make no membership"
    );
    assert_eq!(s.inspect("users/other").await["companies"], json!([]));
    // Membership is idempotent.
    s.ok(
        "company",
        json!({"companyId": 101112231415_i64, "userId": "1234567890"}),
    )
    .await;
    assert_eq!(
        s.inspect("companies/101112231415").await["users"],
        json!(["1234567890"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_store_everything_and_create_their_entities() {
    let s = TestServer::start().await;
    s.ok("event", json!({"event": "Sent message", "userId": 1, "companyId": "c", "attributes": {"position": "popover", "version": 3}, "timestamp": T1})).await;
    let events = s.inspect("events").await;
    let e = &events[0];
    assert_eq!(
        (
            e["event"].clone(),
            e["userId"].clone(),
            e["companyId"].clone()
        ),
        (json!("Sent message"), json!("1"), json!("c"))
    );
    assert_eq!(
        e["attributes"],
        json!({"position": "popover", "version": 3})
    );
    assert_eq!(e["timestamp"], json!(T1));
    assert!(e["id"].is_string() && e["receivedAt"].is_string());
    assert_eq!(s.inspect("users/1").await["firstSeen"], json!(T1));
    assert_eq!(s.inspect("companies/c").await["firstSeen"], json!(T1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_score_first_then_comment_updates_one_row() {
    let s = TestServer::start().await;
    let first = s.ok("feedback", json!({"featureId": "export", "userId": "u", "score": 2, "question": "How was it?", "source": "widget"})).await;
    let id = first["feedbackId"]
        .as_str()
        .expect("a feedbackId")
        .to_owned();
    let second = s
        .ok(
            "feedback",
            json!({"featureId": "export", "userId": "u", "feedbackId": id, "comment": "Too slow"}),
        )
        .await;
    assert_eq!(second["feedbackId"], json!(id));
    let rows = s.inspect("feedback").await;
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    let row = &rows[0];
    assert_eq!(
        (row["score"].clone(), row["comment"].clone()),
        (json!(2), json!("Too slow"))
    );
    assert_eq!(
        (row["question"].clone(), row["source"].clone()),
        (json!("How was it?"), json!("widget"))
    );
    assert!(row["updatedAt"].as_str() >= row["createdAt"].as_str());

    // Clearing the score keeps the comment; clearing both is refused and changes nothing.
    s.ok(
        "feedback",
        json!({"featureId": "export", "userId": "u", "feedbackId": id, "score": 0}),
    )
    .await;
    assert_eq!(s.inspect("feedback").await[0]["score"], Value::Null);
    let before = s.snapshot().await;
    let (status, answer) = s
        .post(
            "feedback",
            json!({"featureId": "export", "userId": "u", "feedbackId": id, "comment": " "}),
        )
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "BODY_VALIDATION_FAILED"),
        "{answer}"
    );
    assert_eq!(
        answer["error"]["validationErrors"][0]["path"],
        json!("/score")
    );
    assert_eq!(s.snapshot().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_creates_its_user_but_not_its_company_and_leaves_last_seen() {
    let s = TestServer::start().await;
    s.ok(
        "feedback",
        json!({"featureId": "f", "userId": "fresh", "companyId": "co", "score": 5}),
    )
    .await;
    let user = s.inspect("users/fresh").await;
    assert_eq!(user["lastSeen"], Value::Null);
    assert_eq!(s.get(&format!("/_local/{KEY}/companies/co")).await.0, 404);
    assert_eq!(
        s.inspect("feedback").await[0]["source"],
        json!("api"),
        "source defaults to api"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_keys_are_kept_apart() {
    let s = TestServer::start().await;
    let mine = s
        .ok(
            "feedback",
            json!({"featureId": "f", "userId": "u", "score": 4}),
        )
        .await;
    s.ok("user", json!({"userId": "u", "attributes": {"who": "me"}}))
        .await;
    let (status, _) = s
        .post_as(
            OTHER_KEY,
            "user",
            json!({"userId": "u", "attributes": {"who": "them"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        s.inspect("users/u").await["attributes"],
        json!({"who": "me"})
    );
    // Another key can neither see nor change my feedback.
    let (status, answer) = s
        .post_as(OTHER_KEY, "feedback", json!({"featureId": "f", "userId": "u", "feedbackId": mine["feedbackId"], "comment": "hijack"}))
        .await;
    assert_eq!((status, code(&answer)), (400, "FEEDBACK_NOT_FOUND"));
    assert_eq!(s.inspect("feedback").await[0]["comment"], Value::Null);
    let (_, theirs) = s.get(&format!("/_local/{OTHER_KEY}/feedback")).await;
    assert_eq!(theirs, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_have_empty_lists_and_zero_stats() {
    let s = TestServer::start().await;
    for route in ["users", "companies", "events", "feedback"] {
        assert_eq!(s.inspect(route).await, json!([]), "{route}");
    }
    assert_eq!(
        s.inspect("stats").await,
        json!({"users": 0, "companies": 0, "events": 0, "feedback": 0,
               "scores": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}, "averageScore": null})
    );
    let (status, answer) = s.get(&format!("/_local/{KEY}/users/nobody")).await;
    assert_eq!((status, code(&answer)), (404, "NOT_FOUND"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_scores_and_leave_out_zero() {
    let s = TestServer::start().await;
    for score in [5, 5, 4, 1] {
        s.ok(
            "feedback",
            json!({"featureId": "f", "userId": "u", "score": score}),
        )
        .await;
    }
    s.ok(
        "feedback",
        json!({"featureId": "f", "userId": "u", "score": 0, "comment": "no score"}),
    )
    .await;
    let stats = s.inspect("stats").await;
    assert_eq!(stats["feedback"], json!(5));
    assert_eq!(
        stats["scores"],
        json!({"1": 1, "2": 0, "3": 0, "4": 1, "5": 2})
    );
    assert_eq!(stats["averageScore"], json!(3.75));
    assert_eq!(stats["users"], json!(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_newest_first_paged_and_filtered() {
    let s = TestServer::start().await;
    for i in 0..5 {
        s.ok(
            "event",
            json!({"event": format!("e{i}"), "userId": i % 2, "companyId": "c"}),
        )
        .await;
    }
    let names = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&s.inspect("events").await),
        ["e4", "e3", "e2", "e1", "e0"]
    );
    assert_eq!(
        names(&s.inspect("events?limit=2&offset=1").await),
        ["e3", "e2"]
    );
    assert_eq!(names(&s.inspect("events?userId=1").await), ["e3", "e1"]);
    assert_eq!(
        names(&s.inspect("events?event=e2&companyId=c").await),
        ["e2"]
    );
    assert_eq!(
        names(&s.inspect("events?limit=5000").await).len(),
        5,
        "limit is clamped, not refused"
    );

    s.ok("user", json!({"userId": "old", "timestamp": T0}))
        .await;
    s.ok(
        "user",
        json!({"userId": "never", "context": {"active": false}}),
    )
    .await;
    s.ok("user", json!({"userId": "new", "timestamp": T2}))
        .await;
    let users: Vec<String> = s
        .inspect("users")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        users.last().map(String::as_str),
        Some("never"),
        "never-seen users come last: {users:?}"
    );
    assert!(users.iter().position(|u| u == "new") < users.iter().position(|u| u == "old"));

    s.ok(
        "feedback",
        json!({"featureId": "a", "userId": "u", "score": 1}),
    )
    .await;
    s.ok(
        "feedback",
        json!({"featureId": "b", "userId": "u", "score": 2}),
    )
    .await;
    let feedback = s.inspect("feedback?featureId=a").await;
    assert_eq!(feedback.as_array().unwrap().len(), 1);
    assert_eq!(feedback[0]["featureId"], json!("a"));
}

/// The console's extensions of §6: `order=oldest` and `q` (a case-insensitive substring).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_sort_oldest_first_and_filter_by_text() {
    let s = TestServer::start().await;
    for (i, name) in ["Signed up", "Sent message", "Signed out"]
        .iter()
        .enumerate()
    {
        s.ok("event", json!({"event": name, "userId": format!("u{i}")}))
            .await;
    }
    let names = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&s.inspect("events?order=oldest").await),
        ["Signed up", "Sent message", "Signed out"]
    );
    assert_eq!(
        names(&s.inspect("events?q=SIGNED").await),
        ["Signed out", "Signed up"]
    );
    assert_eq!(names(&s.inspect("events?q=u1").await), ["Sent message"]);
    s.ok(
        "company",
        json!({"companyId": "acme", "attributes": {"plan": "Enterprise"}}),
    )
    .await;
    s.ok("company", json!({"companyId": "globex"})).await;
    let companies = s.inspect("companies?q=enterprise").await;
    assert_eq!(companies.as_array().unwrap().len(), 1);
    assert_eq!(companies[0]["companyId"], json!("acme"));
    s.ok(
        "feedback",
        json!({"featureId": "export", "userId": "u", "comment": "Love the CSV"}),
    )
    .await;
    assert_eq!(
        s.inspect("feedback?q=csv").await[0]["featureId"],
        json!("export")
    );
    assert_eq!(s.inspect("users?q=u2").await[0]["userId"], json!("u2"));
    let (status, body) = s.get(&format!("/_local/{KEY}/users?order=up")).await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("newest"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_query_parameters_are_refused_with_their_path() {
    let s = TestServer::start().await;
    for (query, path) in [
        ("limit=-1", "/limit"),
        ("limit=ten", "/limit"),
        ("offset=1.5", "/offset"),
        ("limt=5", "/limt"),
        ("userid=1", "/userid"),
    ] {
        let (status, answer) = s.get(&format!("/_local/{KEY}/events?{query}")).await;
        assert_eq!(
            (status, code(&answer)),
            (400, "QUERY_VALIDATION_FAILED"),
            "{query}"
        );
        assert_eq!(
            answer["error"]["validationErrors"][0]["path"],
            json!(path),
            "{query}"
        );
    }
    let (status, _) = s.get(&format!("/_local/{KEY}/users?featureId=x")).await;
    assert_eq!(status, 400, "filters belong to their own list");
}
