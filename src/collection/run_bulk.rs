//! `run --bulk N` and a step's `bulk = N`: calls go N to a Runtime API `/bulk` request, with the
//! batch code every face uses ([`crate::client::batch`]), and each call is still judged on its
//! own: a stored item by its step's expectation, a refused one by its problems, and the other
//! items of a refused batch as not stored.
//!
//! A call that must be judged on an answer of its own (a step that expects a refusal, an error
//! code or a warning, or saves from the response) is sent alone: a batch's answer has none.
//! Within a batch a call does not see what an earlier call of it saved: saves are kept after
//! the batch's answer, in order.

use super::run::{BatchPart, CallReport, Names, One, Shared, Verdict, judge, run_unit, save};
use super::{Expect, Save, Side};
use crate::client::Worker;
use crate::client::batch::{self, ItemResult};
use serde_json::Value;
use std::sync::atomic::Ordering;

/// Whether a call of this step can be judged from its batch's answer.
fn batchable(expect: &Expect, saves: &[Save]) -> bool {
    expect.status.is_none_or(|s| (200..300).contains(&s))
        && expect.code.is_none()
        && expect.error_path.is_none()
        && expect.warning.is_none()
        && saves.iter().all(|s| s.from == Side::Request)
}

/// A scenario step's `repeat` calls, `per` to a batch; `true` when every one passed.
pub(super) async fn step(
    shared: &Shared,
    worker: &mut Worker,
    one: One<'_>,
    repeat: u32,
    per: u16,
    names: &mut Names<'_>,
) -> bool {
    if shared.target.key.api() != crate::api::Api::Runtime {
        // The tracking API has no /bulk: said on the step's first call, nothing sent.
        let mut report = match one.prepare(shared, names) {
            Ok((report, _)) | Err(report) => report,
        };
        report.verdict = Verdict::Refused(format!(
            "bulk = {per}: batches go to the Runtime API's /bulk, and this profile speaks the \
             tracking API, which has none"
        ));
        (shared.report)(report);
        return false;
    }
    if !batchable(one.expect, one.save) {
        for _ in 0..repeat {
            if !one.go(shared, worker, names).await {
                return false;
            }
        }
        return true;
    }
    let mut left = repeat as usize;
    while left > 0 {
        let n = left.min(usize::from(per));
        left -= n;
        if !send(shared, worker, &vec![one; n], names).await {
            return false;
        }
    }
    true
}

/// A worker's share of a run under `run --bulk N`: `per` units at a time, their lone requests
/// sent as one batch and their scenarios run step by step (each step batched itself).
pub(super) async fn units(shared: &Shared, worker: &mut Worker, per: u16) {
    loop {
        let first = shared.next.fetch_add(u64::from(per), Ordering::Relaxed);
        let mut lone = Vec::new();
        let mut scenarios = Vec::new();
        for n in first..first + u64::from(per) {
            let Some((item, round)) = shared.unit(n) else {
                break;
            };
            match super::run::lone(shared, item, round) {
                Some(one) => lone.push(one),
                None => scenarios.push((item, round)),
            }
        }
        if lone.is_empty() && scenarios.is_empty() {
            return;
        }
        if !lone.is_empty() {
            send(shared, worker, &lone, &mut Names::Shared(&shared.names)).await;
        }
        for (item, round) in scenarios {
            run_unit(shared, worker, item, round).await;
        }
    }
}

/// Resolves and checks `calls`, sends the good ones as `/bulk` batches (more than one only
/// when they pass 1 MiB) and reports each call; `true` when every one passed.
async fn send(
    shared: &Shared,
    worker: &mut Worker,
    calls: &[One<'_>],
    names: &mut Names<'_>,
) -> bool {
    let mut passed = true;
    let mut ready: Vec<(One<'_>, CallReport, Value)> = Vec::new();
    for one in calls {
        match one.prepare(shared, names) {
            Ok((report, body)) => ready.push((*one, report, body)),
            Err(refused) => {
                passed = false;
                (shared.report)(refused);
            }
        }
    }
    let items: Vec<Value> = ready
        .iter()
        .map(|(one, _, body)| batch::item(one.method, body))
        .collect();
    let batches = match batch::pack(items, calls.len().clamp(1, 100)) {
        Ok(batches) => batches,
        Err(e) => {
            for (_, mut report, _) in ready {
                report.verdict = Verdict::Refused(format!("not sent: {e}"));
                (shared.report)(report);
            }
            return false;
        }
    };
    let mut ready = ready.into_iter();
    for b in batches {
        let exchange = worker.send_batch(&shared.target, &b).await;
        let status = exchange.status().unwrap_or(0);
        let of = b.len();
        for (index, result) in batch::results(&b, &exchange).into_iter().enumerate() {
            let Some((one, mut report, body)) = ready.next() else {
                break;
            };
            report.verdict = match result {
                ItemResult::Stored => judge(one.expect, &exchange),
                ItemResult::Refused(problems) => {
                    let said: Vec<String> = problems
                        .iter()
                        .map(|p| format!("{}: {}", p.path, p.message))
                        .collect();
                    Verdict::Refused(format!("{status}: {}", said.join("; ")))
                }
                ItemResult::NotStored(why) => Verdict::Refused(why),
                ItemResult::Undelivered(why) => Verdict::Undelivered(why),
            };
            if report.verdict == Verdict::Passed
                && !one.save.is_empty()
                && let Err(e) = save(one.save, &body, &exchange, names.own())
            {
                report.verdict = Verdict::Failed(e.to_string());
            }
            if report.verdict == Verdict::Passed && !shared.options.keep_bodies {
                report.body = String::new();
            }
            passed &= report.verdict == Verdict::Passed;
            report.exchange = Some(exchange.clone());
            report.batch = Some(BatchPart { index, of });
            (shared.report)(report);
        }
    }
    passed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_calls_judged_by_their_own_answer_go_alone() {
        let plain = Expect::default();
        assert!(batchable(&plain, &[]));
        let refusal = Expect {
            status: Some(400),
            ..Expect::default()
        };
        assert!(!batchable(&refusal, &[]));
        let warned = Expect {
            warning: Some("UNASSOCIATED_USER".into()),
            ..Expect::default()
        };
        assert!(!batchable(&warned, &[]));
        let from = |from| Save {
            name: "x".into(),
            from,
            pointer: "/x".into(),
        };
        assert!(batchable(&plain, &[from(Side::Request)]));
        assert!(!batchable(&plain, &[from(Side::Response)]));
    }
}
