//! `cargo bench --bench flags`: evaluating 100 flags of 10 rules each for one context, as the
//! server will for `/features/evaluated` (target < 1 ms). Each rule mixes the costly filters: a
//! group of a context comparison, a rollout hash and a date comparison.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

use std::time::Instant;

use bucket_console::api::flags::{evaluate_flag, flatten, parse_definitions};
use serde_json::json;

/// 2026-12-02T12:00:00Z.
const NOW_MS: f64 = 1_796_299_200_000.0;

fn main() {
    let rule = |f: usize, r: usize| {
        json!({"filter": {"type": "group", "operator": "or", "filters": [
            {"type": "group", "operator": "and", "filters": [
                {"type": "context", "field": "company.plan", "operator": "ANY_OF",
                 "values": ["enterprise", format!("plan{r}")]},
                {"type": "context", "field": "company.seats", "operator": "GT", "values": [format!("{r}0")]},
            ]},
            {"type": "rolloutPercentage", "key": format!("flag{f}"),
             "partialRolloutAttribute": "company.id", "partialRolloutThreshold": 10_000},
            {"type": "context", "field": "user.createdAt", "operator": "DATE_BEFORE",
             "values": ["2020-01-01"]},
            {"type": "context", "field": "user.email", "operator": "CONTAINS", "values": ["@example"]},
        ]}})
    };
    let features: Vec<_> = (0..100)
        .map(|f| {
            json!({"key": format!("flag{f}"), "targeting": {"version": 1,
            "rules": (0..10).map(|r| rule(f, r)).collect::<Vec<_>>()}})
        })
        .collect();
    let flags = parse_definitions(&json!({ "features": features })).unwrap();
    let context = json!({
        "user": {"id": "u1", "email": "someone@elsewhere.org", "createdAt": "2024-06-15T10:30:00Z"},
        "company": {"id": "acme", "plan": "pro", "seats": "12"},
    });

    let rounds = 200;
    let mut samples = Vec::with_capacity(rounds);
    let mut enabled = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let flat = flatten(&context);
        for flag in &flags {
            enabled += usize::from(evaluate_flag(flag, &flat, NOW_MS).is_enabled);
        }
        samples.push(started.elapsed().as_secs_f64() * 1e3);
    }
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    println!(
        "flags: 100 flags x 10 rules for one context: median {median:.3} ms over {rounds} rounds \
         (target < 1 ms; {} flags on)",
        enabled / rounds
    );
}
