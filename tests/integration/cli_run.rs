//! `run` end to end against a server the test starts: saved requests and scenarios, values saved
//! from requests and answers, expectations, exit statuses, reproducible generators, `{{seq}}`
//! under concurrency, and the tracking key kept out of bodies.

use crate::support::{Cli, KEY, Out, TestServer, run_collection as run, with_collection};
use serde_json::{Value, json};
use std::sync::Arc;

const COLLECTION: &str = r#"
[vars]
plan = "pro"
secret = "nothing to hide"

[requests.signup]
method = "user"
body = { userId = "{{uuid}}", attributes = { plan = "{{plan}}", seats = "{{int 1..50}}" } }

[requests.numbered]
method = "event"
body = { event = "Numbered", userId = "u-seq", companyId = "acme", context = { active = true }, attributes = { n = "{{seq}}" } }

[requests.bad-score]
method = "feedback"
body = { featureId = "export", userId = "u1", score = 9 }

[requests.leaky]
method = "user"
body = { userId = "u-leak", attributes = { note = "{{secret}}" } }

[[scenarios.onboarding]]
request = "signup"
save = { user = "request:/userId" }

[[scenarios.onboarding]]
method = "company"
body = { companyId = "acme", userId = "{{user}}" }

[[scenarios.onboarding]]
method = "feedback"
body = { featureId = "export", userId = "{{user}}", companyId = "acme", score = "{{int 4..5}}" }
save = { feedback = "response:/feedbackId" }
repeat = 2

[[scenarios.onboarding]]
method = "event"
body = { event = "Rated", userId = "{{user}}", companyId = "acme", attributes = { feedback = "{{feedback}}" } }
expect = { status = 200 }

[[scenarios.refusals]]
request = "bad-score"
expect = { status = 400, error_path = "/score", code = "BODY_VALIDATION_FAILED" }

[[scenarios.wrong-expectation]]
method = "event"
body = { event = "e", userId = "u2" }
expect = { status = 200, warning = "NO_SUCH_WARNING" }
"#;

async fn setup() -> (TestServer, Arc<Cli>, std::path::PathBuf) {
    with_collection(COLLECTION).await
}

fn calls(out: &Out) -> Vec<Value> {
    out.stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("summary").is_none())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_saves_values_and_meets_its_expectations() {
    let (server, cli, path) = setup().await;
    let out = run(&cli, &path, &["onboarding", "refusals", "--output", "json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let calls = calls(&out);
    assert_eq!(
        calls.len(),
        6,
        "4 onboarding steps (one twice) and one refusal"
    );
    let user = calls[0]["request"]["userId"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&user).is_ok());
    assert_eq!(
        calls[1]["request"]["userId"],
        json!(user),
        "saved from the request"
    );
    let feedback_id = calls[3]["exchange"]["feedbackId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        calls[4]["request"]["attributes"]["feedback"],
        json!(feedback_id),
        "saved from the answer of the step's last call"
    );
    assert_eq!(
        calls[5]["verdict"],
        json!("passed"),
        "a 400 asked for is a pass"
    );
    assert_eq!(calls[5]["exchange"]["status"], json!(400));
    let company = server.inspect("companies/acme").await;
    assert_eq!(company["users"], json!([user]));
    let summary: Value = serde_json::from_str(out.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["summary"]["passed"], json!(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_statuses_say_what_happened() {
    let (_server, cli, path) = setup().await;
    let failed = run(&cli, &path, &["wrong-expectation"]).await;
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(
        failed
            .stdout
            .contains("expected the warning NO_SUCH_WARNING, got UNASSOCIATED_USER"),
        "{}",
        failed.stdout
    );
    // Sent on its own, without the step that expects its refusal, a bad body is refused here.
    let refused = run(&cli, &path, &["bad-score"]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stdout.contains("the contract refuses it: /score"),
        "{}",
        refused.stdout
    );
    let unknown = run(&cli, &path, &["sigup"]).await;
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `signup`?"),
        "{unknown:?}"
    );
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    cli.add_profile("down", &dead_url, KEY);
    let undelivered = cli
        .run_async(&[
            "run",
            "signup",
            "--profile",
            "down",
            "--collection",
            path.to_str().unwrap(),
        ])
        .await;
    assert_eq!(undelivered.code, 3, "{undelivered:?}");
    assert!(
        undelivered.stdout.contains("undelivered"),
        "{}",
        undelivered.stdout
    );
    let outbox = cli.run(&["outbox", "list", "--json"]);
    assert_eq!(outbox.json(), json!([]), "run never queues: {outbox:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_collection_is_named_with_its_line_and_nothing_is_sent() {
    let (server, cli, path) = setup().await;
    std::fs::write(&path, "[requests.a]\nmethod = \"user\"\nbody = { userId = \"{{uuid}}\", attributes = { seats = [1] } }\n").unwrap();
    let out = run(&cli, &path, &["a"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("bucket-console.toml:3: requests.a: /attributes/seats:"),
        "{}",
        out.stderr
    );
    let check = run(&cli, &path, &["--check"]).await;
    assert_eq!(check.code, 2);
    assert_eq!(server.inspect("users").await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_repeats_the_values_and_seq_numbers_every_call_once() {
    let (server, cli, path) = setup().await;
    let user = |out: &Out| calls(out)[0]["request"]["userId"].clone();
    let a = run(&cli, &path, &["signup", "--seed", "5", "--output", "json"]).await;
    let b = run(&cli, &path, &["signup", "--seed", "5", "--output", "json"]).await;
    let c = run(&cli, &path, &["signup", "--seed", "6", "--output", "json"]).await;
    assert_eq!(user(&a), user(&b));
    assert_ne!(user(&a), user(&c));
    let dry = run(&cli, &path, &["signup", "--seed", "5", "--dry-run"]).await;
    let sent = user(&a);
    assert!(
        dry.stdout.contains(sent.as_str().unwrap()),
        "the dry run shows the values the real run sent ({sent}): {}",
        dry.stdout
    );
    let out = run(
        &cli,
        &path,
        &[
            "numbered",
            "--repeat",
            "40",
            "--concurrency",
            "8",
            "--output",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let mut seqs: Vec<i64> = calls(&out)
        .iter()
        .map(|c| c["request"]["attributes"]["n"].as_i64().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    assert_eq!(
        server
            .inspect("events?limit=100")
            .await
            .as_array()
            .unwrap()
            .len(),
        40
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tracking_key_never_goes_into_a_body() {
    let (server, cli, path) = setup().await;
    let out = run(
        &cli,
        &path,
        &["leaky", "--var", &format!("secret=mine is {KEY}")],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("holds the tracking key"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(KEY), "not even in the report");
    assert_eq!(server.inspect("users").await, json!([]));
}

#[test]
fn the_collection_is_found_in_a_parent_directory_and_listed() {
    let cli = Cli::new();
    let project = cli.home.path().join("project");
    let deep = project.join("src/deeper");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(project.join("bucket-console.toml"), COLLECTION).unwrap();
    let out = cli
        .command()
        .args(["run", "--list"])
        .current_dir(&deep)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("scenario  onboarding               4 steps, 5 calls"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bad-score                feedback  (meant to be refused)"),
        "{stdout}"
    );
    let nowhere = cli
        .command()
        .args(["run", "--list"])
        .current_dir(cli.home.path())
        .output()
        .unwrap();
    assert_eq!(nowhere.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("no bucket-console.toml in"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junit_reports_each_call_for_ci() {
    let (_server, cli, path) = setup().await;
    let out = run(
        &cli,
        &path,
        &["refusals", "wrong-expectation", "--output", "junit"],
    )
    .await;
    assert_eq!(out.code, 1);
    assert!(out.stdout.starts_with("<?xml"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("<testsuites name=\"bucket-console run\" tests=\"2\" failures=\"1\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("<failure type=\"failed\" message=\"expected the warning NO_SUCH_WARNING, got UNASSOCIATED_USER\"/>"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_curl_command_becomes_a_saved_request_that_runs() {
    let (server, cli, path) = setup().await;
    let copied = format!(
        "curl '{}/{KEY}/event' \\\n  -H 'content-type: application/json' \\\n  --data-raw $'{{\"event\":\"Imported\",\"userId\":\"u-\\u00e9\"}}' \\\n  --compressed",
        server.base
    );
    let printed = cli.run_with(&["import", "curl", "-"], &copied);
    assert_eq!(printed.code, 0, "{printed:?}");
    assert_eq!(
        printed.stdout,
        "[requests.event-imported]\nmethod = \"event\"\nbody = { event = \"Imported\", userId = \"u-é\" }\n"
    );
    assert!(
        printed.stderr.contains("are dropped: profiles hold them"),
        "{printed:?}"
    );
    assert!(!printed.stdout.contains(KEY) && !printed.stderr.contains(KEY));
    let before = std::fs::read_to_string(&path).unwrap();
    let saved = cli.run_with(
        &[
            "import",
            "curl",
            "--save",
            "--name",
            "imported",
            "--collection",
            path.to_str().unwrap(),
            "-",
        ],
        &copied,
    );
    assert_eq!(saved.code, 0, "{saved:?}");
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.starts_with(&before),
        "the file as it was, then the entry"
    );
    let ran = run(&cli, &path, &["imported"]).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(
        server.inspect("events").await[0]["event"],
        json!("Imported")
    );
    let again = cli.run_with(
        &[
            "import",
            "curl",
            "--save",
            "--name",
            "imported",
            "--collection",
            path.to_str().unwrap(),
            "-",
        ],
        &copied,
    );
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("exists already"), "{again:?}");
}

/// The example collection's `{{profile.userId}}` requests: `--check` and `--list` name what the
/// profile `run` would use cannot fill, and `--var profile.userId=…` fills it for one run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_without_the_ids_a_template_needs_is_flagged_and_var_fills_it() {
    let (server, cli, path) = setup().await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/bucket-console.toml");
    std::fs::copy(example, &path).unwrap();
    let check = run(&cli, &path, &["--check"]).await;
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check.stdout.contains(
            "requests.sent-message: {{profile.userId}} cannot be filled: profile `app` has no userId"
        ) && check.stdout.contains("--var profile.userId=ID"),
        "{check:?}"
    );
    assert!(!check.stdout.contains("every body passes"), "{check:?}");
    let list = run(&cli, &path, &["--list"]).await;
    assert!(
        list.stdout.contains(
            "sent-message             event  (cannot be filled: profile `app` has no userId)"
        ),
        "{list:?}"
    );
    let filled = run(&cli, &path, &["--check", "--var", "profile.userId=u9"]).await;
    assert_eq!(filled.code, 0, "{filled:?}");
    let sent = run(&cli, &path, &["sent-message", "--var", "profile.userId=u9"]).await;
    assert_eq!(sent.code, 0, "{sent:?}");
    let events = server.inspect("events").await;
    assert_eq!(events[0]["userId"], json!("u9"), "{events}");
    let wrong = run(&cli, &path, &["--check", "--var", "profile.userid=u9"]).await;
    assert_eq!(wrong.code, 2);
    assert!(
        wrong.stderr.contains("profile.userId, profile.companyId"),
        "{wrong:?}"
    );
}

/// Options typed after the quoted command are told to go before it (clap hands them to the
/// command), not called "a second URL"; `log export --help` says what its ID is, with examples.
#[test]
fn import_options_after_the_command_and_log_export_help_say_what_to_write() {
    let cli = Cli::new();
    let out = cli.run(&[
        "import",
        "curl",
        "curl -X POST http://127.0.0.1:1/k/event -d '{\"event\":\"e\",\"userId\":\"u\"}'",
        "--name",
        "x",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--name came after the command: options go before it")
            && !out.stderr.contains("second URL"),
        "{out:?}"
    );
    let help = cli.run(&["log", "export", "--help"]);
    assert!(
        help.stdout
            .contains("the first column of `bucket-console log`")
            && help
                .stdout
                .contains("bucket-console log export 42 --as python"),
        "{help:?}"
    );
    let nowhere = cli.run(&["run", "--list"]);
    assert!(
        nowhere.stderr.contains("bucket-console man run") && !nowhere.stderr.contains("README"),
        "{nowhere:?}"
    );
}
