//! `run --report-html PATH`: one self-contained page per run, for a person reading a CI artifact.
//! Each call shows its request, its answer and its verdict, and a refusal its problems on their
//! fields. The page filters by verdict with CSS alone (a radio input per verdict, `:checked`
//! selectors), loads nothing, runs no script (its Content-Security-Policy forbids both, so even
//! an escaping mistake could not), and everything in it that a collection or a server wrote is
//! escaped. It holds no key: exchanges carry the URL with the key masked, and a body that
//! holds the key is never sent.
//!
//! Like JUnit's, the page is written at the end, so it keeps the first [`CALLS`] calls that
//! passed and the first [`CALLS`] that did not, and says how many it left out.

use super::run::{call_name, verdict_text};
use bucket_console::api::{self, ValidationError};
use bucket_console::collection::run::{CallReport, Verdict};
use std::fmt::Write as _;
use std::path::Path;

/// Calls kept of those that passed, and again of those that did not.
pub const CALLS: usize = 1000;

const VERDICTS: [&str; 4] = ["passed", "failed", "refused", "undelivered"];

/// Why the page could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the HTML report to {path}: {source}")]
pub struct ReportError {
    path: String,
    source: std::io::Error,
}

#[derive(Default)]
pub struct Report {
    /// Each kept call's `{{seq}}` and its HTML.
    calls: Vec<(u64, String)>,
    counts: [usize; 4],
    kept_passed: usize,
    kept_other: usize,
}

impl Report {
    pub fn add(&mut self, r: &CallReport) {
        let (word, _) = verdict_text(&r.verdict);
        let index = VERDICTS.iter().position(|v| *v == word).unwrap_or(0);
        self.counts[index] += 1;
        let kept = if r.verdict == Verdict::Passed {
            &mut self.kept_passed
        } else {
            &mut self.kept_other
        };
        if *kept < CALLS {
            *kept += 1;
            self.calls.push((r.seq, call(r)));
        }
    }

    pub fn render(&mut self, seconds: f64) -> String {
        self.calls.sort_by_key(|(seq, _)| *seq);
        let total: usize = self.counts.iter().sum();
        let mut out = String::from(HEAD);
        let _ = write!(
            out,
            "<h1>bucket-console run</h1>\n<p class=\"summary\">{total} call(s) in {seconds:.2} s: {}</p>\n",
            VERDICTS
                .iter()
                .zip(self.counts)
                .map(|(v, n)| format!("{n} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let left_out = total - self.calls.len();
        if left_out > 0 {
            let _ = writeln!(
                out,
                "<p class=\"note\">{left_out} call(s) left out: the page keeps the first {CALLS} \
                 that passed and the first {CALLS} that did not.</p>"
            );
        }
        // The inputs come before <main> so that `#show-x:checked ~ main` can reach the calls.
        out.push_str("<input type=\"radio\" name=\"show\" id=\"show-all\" checked>\n");
        for v in VERDICTS {
            let _ = writeln!(out, "<input type=\"radio\" name=\"show\" id=\"show-{v}\">");
        }
        let _ = write!(out, "<nav><label for=\"show-all\">all ({total})</label>");
        for (v, n) in VERDICTS.iter().zip(self.counts) {
            let _ = write!(out, " <label for=\"show-{v}\">{v} ({n})</label>");
        }
        out.push_str("</nav>\n<main>\n");
        for (_, html) in &self.calls {
            out.push_str(html);
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }

    pub fn write(&mut self, path: &Path, seconds: f64) -> Result<(), ReportError> {
        bucket_console::files::write_atomic(
            path,
            self.render(seconds).as_bytes(),
            bucket_console::files::Access::Keep,
        )
        .map_err(|source| ReportError {
            path: path.display().to_string(),
            source,
        })
    }
}

const HEAD: &str = "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>bucket-console run report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
input[name=show] { position: absolute; opacity: 0; }
nav label { display: inline-block; padding: .2em .7em; margin-right: .3em; border: 1px solid #999; border-radius: 1em; cursor: pointer; }
#show-all:checked ~ nav label[for=show-all], #show-passed:checked ~ nav label[for=show-passed],
#show-failed:checked ~ nav label[for=show-failed], #show-refused:checked ~ nav label[for=show-refused],
#show-undelivered:checked ~ nav label[for=show-undelivered] { background: #222; color: #fff; }
#show-passed:checked ~ main .call:not(.passed), #show-failed:checked ~ main .call:not(.failed),
#show-refused:checked ~ main .call:not(.refused), #show-undelivered:checked ~ main .call:not(.undelivered) { display: none; }
.call { border-left: 4px solid #999; padding: .3em .8em; margin: .8em 0; }
.call.passed { border-color: #2a7; } .call.failed { border-color: #d80; }
.call.refused { border-color: #c33; } .call.undelivered { border-color: #66c; }
.call h2 { font-size: 1em; margin: .2em 0; }
.verdict { font-weight: bold; text-transform: uppercase; font-size: .85em; }
pre { background: #f4f4f4; padding: .5em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; }
</style>
</head>
<body>
";

fn call(r: &CallReport) -> String {
    let (word, why) = verdict_text(&r.verdict);
    let mut out = format!(
        "<section class=\"call {word}\" id=\"call-{}\">\n<h2><span class=\"verdict\">{word}</span> {} <code>{}</code></h2>\n",
        r.seq,
        escape(&call_name(r)),
        r.method.as_str()
    );
    if let Some(why) = why {
        let _ = writeln!(out, "<p class=\"reason\">{}</p>", escape(why));
    }
    let problems = problems(r);
    if !problems.is_empty() {
        out.push_str("<table class=\"problems\"><tr><th>field</th><th>problem</th></tr>\n");
        for p in &problems {
            let at = if p.path.is_empty() { "body" } else { &p.path };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                escape(at),
                escape(&p.message)
            );
        }
        out.push_str("</table>\n");
    }
    let url = r
        .exchange
        .as_ref()
        .map_or_else(|| "(not sent)".to_owned(), |e| e.url.clone());
    let body = r
        .exchange
        .as_ref()
        .map_or(r.body.as_str(), |e| e.request_body.as_str());
    let _ = writeln!(
        out,
        "<details class=\"request\" open><summary>request</summary><pre>{}\n\n{}</pre></details>",
        escape(&url),
        escape(&pretty(body))
    );
    if let Some(response) = r.exchange.as_ref().and_then(|e| e.response.as_ref()) {
        let headers = response
            .headers
            .iter()
            .fold(String::new(), |mut all, (k, v)| {
                let _ = writeln!(all, "{k}: {v}");
                all
            });
        let ms = r.exchange.as_ref().map_or(0.0, |e| e.latency_ms);
        let _ = writeln!(
            out,
            "<details class=\"answer\" open><summary>answer {} · {ms:.1} ms</summary><pre>{}\n{}</pre></details>",
            response.status,
            escape(&headers),
            escape(&pretty(&response.body))
        );
    }
    out.push_str("</section>\n");
    out
}

/// A refusal's problems by field: the server's, or the contract's for one refused before sending
/// (the same validator `run` asked).
fn problems(r: &CallReport) -> Vec<ValidationError> {
    if !matches!(r.verdict, Verdict::Refused(_) | Verdict::Failed(_)) {
        return vec![];
    }
    if let Some(e) = &r.exchange {
        return e.validation_errors.clone();
    }
    serde_json::from_str(&r.body)
        .ok()
        .and_then(|body| api::validate(r.method, &body, api::timestamp::now_ms()).err())
        .unwrap_or_default()
}

/// JSON indented, anything else as it came.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

/// Text safe anywhere in an element's content or a quoted attribute; control characters (which
/// HTML forbids) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "report_html_tests.rs"]
mod tests;
