//! The differential test of flag evaluation: every field our evaluator computes must equal what
//! `@reflag/flag-evaluation` 1.0.1 computed for the same definitions, context and clock. The
//! committed vectors (tests/flags/vectors.json, made by tests/sdk/flag-vectors.js) run everywhere;
//! where node and the library are installed, fresh vectors from a random seed run too.

use std::process::Command;

use bucket_console::api::flags::{evaluate_flag, flatten, parse_definitions};
use serde_json::{Value, json};

use crate::sdk_support::{ready, sdk_dir};

fn bits(results: &[bool]) -> String {
    results.iter().map(|r| if *r { '1' } else { '0' }).collect()
}

/// Checks every case of a vectors document; returns how many (flag, context) pairs agreed.
fn check(doc: &Value) -> usize {
    assert_eq!(doc["library"], "@reflag/flag-evaluation@1.0.1");
    let now = doc["now"].as_f64().expect("now");
    let mut checked = 0;
    for (s, set) in doc["sets"].as_array().expect("sets").iter().enumerate() {
        let flags = parse_definitions(set).unwrap_or_else(|e| panic!("set {s}: {e}"));
        for (c, case) in set["cases"].as_array().expect("cases").iter().enumerate() {
            let context = flatten(&case["context"]);
            for (flag, want) in flags
                .iter()
                .zip(case["results"].as_array().expect("results"))
            {
                let got = evaluate_flag(flag, &context, now);
                let mut ours = vec![
                    json!(got.is_enabled),
                    json!(bits(&got.targeting.results)),
                    json!(got.targeting.missing_context_fields),
                ];
                if let Some(config) = &got.config {
                    ours.push(
                        config
                            .variant
                            .as_ref()
                            .map_or(Value::Null, |(k, _)| json!(k)),
                    );
                    ours.push(json!(bits(&config.variants.results)));
                    ours.push(json!(config.variants.missing_context_fields));
                }
                assert_eq!(
                    &Value::Array(ours),
                    want,
                    "seed {}, set {s}, case {c}, flag {}: context {}\nflag {}",
                    doc["seed"],
                    flag.key,
                    case["context"],
                    set["features"]
                        .as_array()
                        .and_then(|f| f.iter().find(|d| d["key"] == flag.key.as_str()))
                        .unwrap_or(&Value::Null)
                );
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn evaluation_matches_the_committed_library_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/flags/vectors.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("json");
    assert!(check(&doc) >= 10_000, "too few vectors to mean anything");
}

#[test]
fn evaluation_matches_the_library_live_on_a_random_seed() {
    if !ready("flags_vectors live", &["@reflag/flag-evaluation"], false) {
        return;
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| {
            d.subsec_nanos() ^ u32::try_from(d.as_secs() % 1_000_000).unwrap_or(0)
        });
    eprintln!("flags_vectors live: seed {seed} (rerun: node tests/sdk/flag-vectors.js {seed})");
    let out = Command::new("node")
        .arg("flag-vectors.js")
        .arg(seed.to_string())
        .current_dir(sdk_dir())
        .env("TZ", "UTC")
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("vectors json");
    assert!(check(&doc) >= 10_000);
}
