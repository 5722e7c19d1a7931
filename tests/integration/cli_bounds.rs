//! The bounds on what the CLI reads: a paste on standard input, and bodies built from a paste or a
//! collection, which meet the 32 KiB body rule before any server does.

use crate::support::{Cli, KEY};

fn curl_with_body_of(bytes: usize) -> String {
    let padding = "x".repeat(bytes);
    format!(
        "curl http://127.0.0.1:9/{KEY}/event -d '{{\"event\":\"e\",\"userId\":\"u\",\"attributes\":{{\"a\":\"{padding}\"}}}}'"
    )
}

#[test]
fn import_reads_at_most_a_mebibyte_of_standard_input() {
    let cli = Cli::new();
    let out = cli.run_with(&["import", "curl", "-"], &curl_with_body_of(2 << 20));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("more than 1 MiB"), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn import_curl_refuses_a_body_over_the_body_limit_and_saves_nothing() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let collection = dir.path().join("bucket-console.toml");
    let file = collection.to_str().unwrap();
    let out = cli.run_with(
        &["import", "curl", "--save", "--collection", file, "-"],
        &curl_with_body_of(40 * 1024),
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("at most 32768 bytes"), "{out:?}");
    assert!(out.stderr.contains("nothing imported"), "{out:?}");
    assert!(!collection.exists());
    let out = cli.run_with(
        &["import", "curl", "--save", "--collection", file, "-"],
        &curl_with_body_of(100),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(collection.exists());
}

#[test]
fn run_check_applies_the_body_limit_to_each_body() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let collection = dir.path().join("bucket-console.toml");
    let padding = "x".repeat(40 * 1024);
    std::fs::write(
        &collection,
        format!(
            "[requests.big]\nmethod = \"event\"\nbody = {{ event = \"e\", userId = \"u\", attributes = {{ a = \"{padding}\" }} }}\n"
        ),
    )
    .unwrap();
    let out = cli.run(&[
        "run",
        "--check",
        "--collection",
        collection.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("requests.big"), "{out:?}");
    assert!(out.stderr.contains("at most 32768 bytes"), "{out:?}");
}
