//! `run --output tap`: TAP version 14. Each call is a test point printed as it finishes and
//! then forgotten, and the plan comes last (TAP allows it there), so a run of any length streams
//! in flat memory like `--output json`. A call that did not pass carries a YAML block saying why.

use super::run::verdict_text;
use bucket_console::collection::run::{CallReport, Verdict};
use bucket_console::sanitize::sanitize;
use serde_json::Value;
use std::fmt::Write as _;

pub const HEADER: &str = "TAP version 14\n";

/// The count of test points printed, for the plan.
#[derive(Default)]
pub struct Tap {
    points: u64,
}

impl Tap {
    /// One call's test point (and its diagnostics when it did not pass).
    pub fn point(&mut self, r: &CallReport) -> String {
        self.points += 1;
        let ok = if r.verdict == Verdict::Passed {
            "ok"
        } else {
            "not ok"
        };
        let step = r.step.map(|s| format!(" step {s}")).unwrap_or_default();
        // `#` starts a directive and `\` escapes in a description: neither may come from a name.
        let item = sanitize(&r.item).replace('\\', "\\\\").replace('#', "\\#");
        let mut out = format!(
            "{ok} {} - {item}{step} round {} {}\n",
            self.points, r.round, r.method
        );
        if let (word, Some(why)) = verdict_text(&r.verdict) {
            let status = r
                .exchange
                .as_ref()
                .and_then(bucket_console::client::Exchange::status)
                .map_or_else(|| "null".to_owned(), |s| s.to_string());
            // A JSON string is a YAML double-quoted scalar: any text fits on one line.
            let message = Value::String(sanitize(why));
            let _ = write!(
                out,
                "  ---\n  verdict: {word}\n  message: {message}\n  status: {status}\n  seq: {}\n  ...\n",
                r.seq
            );
        }
        out
    }

    /// The plan, `1..N`, once every call has been printed.
    pub fn plan(&self) -> String {
        format!("1..{}\n", self.points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bucket_console::api::Method;

    fn report(item: &str, verdict: Verdict) -> CallReport {
        CallReport {
            item: item.into(),
            step: Some(2),
            round: 1,
            seq: 7,
            method: Method::Event,
            body: String::new(),
            exchange: None,
            verdict,
            batch: None,
        }
    }

    #[test]
    fn a_failure_carries_a_yaml_block_and_names_cannot_make_directives() {
        let mut tap = Tap::default();
        assert_eq!(
            tap.point(&report("a#SKIP", Verdict::Passed)),
            "ok 1 - a\\#SKIP step 2 round 1 event\n"
        );
        let failed = tap.point(&report("b", Verdict::Failed("line\nbreak \"q\"".into())));
        assert_eq!(
            failed,
            "not ok 2 - b step 2 round 1 event\n  ---\n  verdict: failed\n  message: \"line\\nbreak \\\"q\\\"\"\n  status: null\n  seq: 7\n  ...\n"
        );
        assert_eq!(tap.plan(), "1..2\n");
    }
}
