//! The CLI against a hostile working copy, with the real binary: links planted in a collection's
//! directory, a linked collection or `profiles.toml`, a collection over its size bound, `{{env}}`
//! reading what it was not allowed, the key split across a body's fields, and `run --repeat`
//! as long as a u32 goes, its memory read from /proc.

use crate::support::{Cli, KEY, TestServer, scripted_server};
use serde_json::json;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn copied_curl(base: &str) -> String {
    format!(
        "curl '{base}/{KEY}/event' -H 'content-type: application/json' --data-raw '{{\"event\":\"Imported\",\"userId\":\"u1\"}}'"
    )
}

fn save(cli: &Cli, collection: &Path) -> crate::support::Out {
    cli.run_with(
        &[
            "import",
            "curl",
            "--save",
            "--name",
            "imported",
            "--collection",
            collection.to_str().unwrap(),
            "-",
        ],
        &copied_curl("http://127.0.0.1:9"),
    )
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[test]
fn saving_writes_through_a_linked_collection_and_follows_no_planted_link() {
    let cli = Cli::new();
    let home = cli.home.path();
    let (project, shared) = (home.join("project"), home.join("team"));
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&shared).unwrap();
    let victim = home.join("victim");
    std::fs::write(&victim, "the user's own file\n").unwrap();
    let team = shared.join("team.toml");
    let original = "# the team's calls\n";
    std::fs::write(&team, original).unwrap();
    let collection = project.join("bucket-console.toml");
    symlink("../team/team.toml", &collection).unwrap();
    // The names a writer could once predict, `.NAME.tmp-PID`, for the next process ids, in both
    // the link's directory and its target's.
    let mut next = std::process::Command::new("true").spawn().unwrap();
    let pid = next.id();
    next.wait().unwrap();
    for p in pid..pid + 2000 {
        symlink(
            &victim,
            project.join(format!(".bucket-console.toml.tmp-{p}")),
        )
        .unwrap();
        symlink(&victim, shared.join(format!(".team.toml.tmp-{p}"))).unwrap();
    }
    let out = save(&cli, &collection);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the user's own file\n"
    );
    assert!(is_link(&collection), "the link stays a link");
    let now = std::fs::read_to_string(&team).unwrap();
    assert!(
        now.starts_with(original) && now.contains("[requests.imported]"),
        "{now}"
    );
    let files = std::fs::read_dir(&shared)
        .unwrap()
        .filter(|e| !e.as_ref().unwrap().file_type().unwrap().is_symlink())
        .count();
    assert_eq!(files, 1, "no temporary left beside the target");

    // A link to nothing would create a file wherever it points: refused, nothing created.
    let elsewhere = home.join("other");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let dangling = elsewhere.join("bucket-console.toml");
    let nowhere = home.join(".bashrc");
    symlink(&nowhere, &dangling).unwrap();
    let out = save(&cli, &dangling);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("is a symbolic link to") && out.stderr.contains("does not exist"),
        "{out:?}"
    );
    assert!(!nowhere.exists() && is_link(&dangling));
}

#[test]
fn a_linked_profiles_file_is_written_through_and_kept_private() {
    let cli = Cli::new();
    let dotfiles = cli.home.path().join("dotfiles");
    let config = cli.config_dir().join("bucket-console");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    let real = dotfiles.join("profiles.toml");
    std::fs::write(&real, "").unwrap();
    let link = config.join("profiles.toml");
    symlink(&real, &link).unwrap();
    cli.add_profile("app", "http://127.0.0.1:9", KEY);
    assert!(is_link(&link));
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("[profiles.app]")
    );
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&real).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_collection_over_the_bound_is_refused_by_name() {
    let cli = Cli::new();
    let path = cli.home.path().join("bucket-console.toml");
    let line = format!("# {}\n", "x".repeat(62));
    let just_under = line.repeat(1024 * 1024 / line.len());
    std::fs::write(&path, &just_under).unwrap();
    let out = cli.run(&["run", "--list", "--collection", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    let over = format!("{just_under}{}", line.repeat(2));
    std::fs::write(&path, &over).unwrap();
    let out = cli.run(&["run", "--list", "--collection", path.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(path.to_str().unwrap()) && out.stderr.contains("larger than 1 MiB"),
        "{out:?}"
    );
    let out = save(&cli, &path);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("larger than 1 MiB"), "{out:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), over, "unchanged");
}

const ENV_COLLECTION: &str = r#"
[vars]
head = "HEAD"
tail = "TAIL"

[requests.from-env]
method = "user"
body = { userId = "u-env", attributes = { token = "{{env BC_TEST_TOKEN}}" } }

[requests.split]
method = "user"
body = { userId = "u-split", attributes = { a = "{{head}}", b = "{{tail}}" } }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_is_read_only_when_named_and_the_key_never_goes_out_split() {
    let server = TestServer::start().await;
    let cli = Arc::new(Cli::new().env("BC_TEST_TOKEN", "from-the-environment"));
    cli.add_profile("app", &server.base, KEY);
    let path = cli.home.path().join("bucket-console.toml");
    std::fs::write(&path, ENV_COLLECTION).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--profile",
            "app",
            "--collection",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()
    };
    let args = run(&["from-env"]);
    let out = cli
        .run_async(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("$BC_TEST_TOKEN") && out.stderr.contains("--allow-env BC_TEST_TOKEN"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("from-the-environment"));
    assert_eq!(server.inspect("users").await, json!([]));

    let args = run(&["from-env", "--allow-env", "BC_TEST_TOKEN"]);
    let out = cli
        .run_async(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let users = server.inspect("users").await;
    assert_eq!(
        users[0]["attributes"]["token"],
        json!("from-the-environment")
    );

    // The key in two halves, each harmless alone.
    let (head, tail) = KEY.split_at(KEY.len() / 2);
    let args = run(&[
        "split",
        "--var",
        &format!("head={head}"),
        "--var",
        &format!("tail={tail}"),
    ]);
    let out = cli
        .run_async(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("holds the tracking key"), "{out:?}");
    assert_eq!(server.inspect("users").await.as_array().unwrap().len(), 1);
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

const BOUND_KIB: u64 = 64 * 1024;

/// Runs `ping` u32::MAX times and reads the child's memory while the server counts calls:
/// the RSS after `first` calls, and after `last`.
async fn endless_run(output: &str, first: usize, last: usize) -> (u64, u64) {
    let (base, hits) = scripted_server(vec![(200, vec![], "{\"success\":true}".into())]).await;
    let cli = Cli::new();
    cli.add_profile("app", &base, KEY);
    let path = cli.home.path().join("bucket-console.toml");
    std::fs::write(
        &path,
        "[requests.ping]\nmethod = \"user\"\nbody = { userId = \"u-{{seq}}\" }\n",
    )
    .unwrap();
    let mut child = cli
        .command()
        .args(["run", "--profile", "app", "--collection"])
        .arg(&path)
        .args(["ping", "--repeat", "4294967295", "--output", output])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut at_first = None;
    let result = loop {
        let rss = rss_kib(pid).unwrap_or(0);
        let sent = hits.load(Ordering::SeqCst);
        if rss > BOUND_KIB {
            break Err(format!("{rss} KiB after {sent} calls"));
        }
        if sent >= first && at_first.is_none() {
            at_first = Some(rss);
        }
        if sent >= last {
            break Ok((at_first.unwrap_or(rss), rss));
        }
        if Instant::now() > deadline {
            break Err(format!("only {sent} calls sent ({rss} KiB)"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    eprintln!("--output {output}: {result:?} KiB");
    result.unwrap_or_else(|e| panic!("--output {output}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_repeat_sends_at_once_in_flat_memory() {
    let (_, pretty) = endless_run("pretty", 1000, 3000).await;
    assert!(pretty < BOUND_KIB, "{pretty} KiB");
    // JUnit holds counts and a bounded number of cases: what it holds stops growing.
    let (first, last) = endless_run("junit", 3000, 12_000).await;
    assert!(
        last < first + 8 * 1024,
        "JUnit grew from {first} to {last} KiB over 9000 calls"
    );
}
