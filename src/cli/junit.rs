//! `run --output junit`: the XML CI systems read, a test suite per item, a test case per call.
//!
//! XML needs each suite's counts before its cases, so the report is written at the end; to keep
//! a run of any length in bounded memory it holds every suite's counts but the cases of only the
//! first [`CASES`] calls that passed and the first [`CASES`] that did not (the failures are what
//! CI shows). A suite that lost cases says how many in a property.

use super::run::{call_name, verdict_text};
use bucket_console::collection::run::{CallReport, Verdict};
use bucket_console::sanitize::sanitize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Test cases kept of the calls that passed, and again of those that did not.
pub const CASES: usize = 1000;

#[derive(Default)]
pub struct Junit {
    suites: BTreeMap<String, Suite>,
    kept_passed: usize,
    kept_failed: usize,
}

#[derive(Default)]
struct Suite {
    tests: u64,
    failures: u64,
    /// Each kept case's `{{seq}}` and its XML.
    cases: Vec<(u64, String)>,
    left_out: u64,
}

impl Junit {
    /// Counts one call, keeping its case while there is room.
    pub fn add(&mut self, r: &CallReport) {
        if !self.suites.contains_key(&r.item) {
            self.suites.insert(r.item.clone(), Suite::default());
        }
        let Some(suite) = self.suites.get_mut(&r.item) else {
            return;
        };
        suite.tests += 1;
        let passed = r.verdict == Verdict::Passed;
        let kept = if passed {
            &mut self.kept_passed
        } else {
            suite.failures += 1;
            &mut self.kept_failed
        };
        if *kept < CASES {
            *kept += 1;
            suite.cases.push((r.seq, case(r)));
        } else {
            suite.left_out += 1;
        }
    }

    pub fn render(&mut self, seconds: f64) -> String {
        let (tests, failures) = self
            .suites
            .values()
            .fold((0, 0), |(t, f), s| (t + s.tests, f + s.failures));
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"bucket-console run\" tests=\"{tests}\" failures=\"{failures}\" time=\"{seconds:.3}\">"
        );
        for (item, suite) in &mut self.suites {
            suite.cases.sort_by_key(|(seq, _)| *seq);
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
                xml(item),
                suite.tests,
                suite.failures
            );
            if suite.left_out > 0 {
                let _ = writeln!(
                    out,
                    "    <properties><property name=\"cases-left-out\" value=\"{}\"/></properties>",
                    suite.left_out
                );
            }
            for (_, case) in &suite.cases {
                out.push_str(case);
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn case(r: &CallReport) -> String {
    let time = r.exchange.as_ref().map_or(0.0, |e| e.latency_ms / 1000.0);
    let mut out = format!(
        "    <testcase classname=\"{}\" name=\"{} {} (call {})\" time=\"{time:.4}\"",
        xml(&r.item),
        xml(&call_name(r)),
        r.method,
        r.seq
    );
    match verdict_text(&r.verdict) {
        (_, None) => out.push_str("/>\n"),
        (word, Some(why)) => {
            let _ = write!(
                out,
                ">\n      <failure type=\"{word}\" message=\"{}\"/>\n    </testcase>\n",
                xml(why)
            );
        }
    }
    out
}

/// Text for an XML attribute: escaped, and without the control characters XML cannot hold.
fn xml(text: &str) -> String {
    sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bucket_console::api::Method;

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }

    #[test]
    fn every_call_is_counted_and_the_cases_kept_are_bounded() {
        let mut junit = Junit::default();
        let calls = 3 * CASES as u64;
        for seq in 1..=calls {
            junit.add(&CallReport {
                item: "a".into(),
                step: None,
                round: seq as u32,
                seq,
                method: Method::User,
                body: String::new(),
                exchange: None,
                verdict: if seq % 2 == 0 {
                    Verdict::Passed
                } else {
                    Verdict::Refused("no".into())
                },
                batch: None,
            });
        }
        let xml = junit.render(1.0);
        assert!(
            xml.contains(&format!(
                "<testsuite name=\"a\" tests=\"{calls}\" failures=\"{}\">",
                calls / 2
            )),
            "{xml}"
        );
        assert_eq!(xml.matches("<testcase ").count(), 2 * CASES);
        assert_eq!(xml.matches("<failure ").count(), CASES);
        assert!(xml.contains(&format!("value=\"{}\"", calls - 2 * CASES as u64)));
    }
}
