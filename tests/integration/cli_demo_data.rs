//! Demo data through the real binary: the example collection's `demo-week` scenario sends
//! people whose name, email and company agree across its calls, the same people again under
//! the same `--seed`, and a var named like a generator still wins, with a warning.

use crate::support::{run_collection as run, with_collection};
use serde_json::Value;

fn bodies(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("summary").is_none())
        .map(|v| {
            let mut body = v["request"].clone();
            // `{{ago …}}` counts back from the moment of the call.
            body.as_object_mut().unwrap().remove("timestamp");
            body
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_scenario_sends_consistent_people_that_repeat_under_a_seed() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/bucket-console.toml"
    ))
    .unwrap();
    let (server, cli, path) = with_collection(&example).await;
    let args = ["demo-week", "--seed", "7", "--output", "json"];
    let first = run(&cli, &path, &args).await;
    assert_eq!(first.code, 0, "{first:?}");
    let sent = bodies(&first.stdout);
    let (user, company, feedback) = (&sent[1], &sent[2], &sent[9]);
    let attrs = &user["attributes"];
    let email = attrs["email"].as_str().unwrap();
    let name = attrs["name"].as_str().unwrap().to_lowercase();
    let (first_name, last_name) = name.split_once(' ').unwrap();
    assert!(
        email.starts_with(&format!(
            "{}.",
            first_name.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        )),
        "{user}"
    );
    assert!(
        email.contains(&last_name.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
        "{user}"
    );
    let domain = company["companyId"].as_str().unwrap();
    assert!(email.ends_with(&format!("@{domain}")), "{user} {company}");
    assert!(!company["attributes"]["name"].as_str().unwrap().is_empty());
    assert!(
        ["pro", "team", "enterprise"].contains(&attrs["plan"].as_str().unwrap()),
        "{user}"
    );
    assert!(
        feedback["comment"].as_str().unwrap().ends_with('.'),
        "{feedback}"
    );
    let again = run(&cli, &path, &args).await;
    assert_eq!(
        bodies(&again.stdout),
        sent,
        "the same seed, the same people"
    );
    let stored = server.inspect("users?limit=10").await.to_string();
    assert!(stored.contains(email), "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_var_named_like_a_generator_wins_with_a_warning() {
    let (_server, cli, path) = with_collection(
        "[vars]\nemail = \"kept@example.com\"\n\n[requests.signup]\nmethod = \"user\"\n\
         body = { userId = \"u1\", attributes = { email = \"{{email}}\", met = \"{{name of email}}\" } }\n",
    )
    .await;
    let out = run(&cli, &path, &["signup", "--output", "json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let sent = bodies(&out.stdout);
    assert_eq!(
        sent[0]["attributes"]["email"], "kept@example.com",
        "{out:?}"
    );
    assert!(
        sent[0]["attributes"]["met"].as_str().unwrap().contains(' '),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("warning: [vars] `email` is also a generator's name"),
        "{out:?}"
    );
}
