use super::*;
use bucket_console::api::Method;
use bucket_console::client::Exchange;
use scraper::{Html, Selector};
use serde_json::json;

const HOSTILE: &str =
    "</pre></details><script>alert(1)</script><img src=x onerror=alert(2)>\u{1b}[31m\"'&amp;";

fn report(item: &str, seq: u64, method: Method, body: &str, verdict: Verdict) -> CallReport {
    CallReport {
        item: item.into(),
        step: Some(1),
        round: 1,
        seq,
        method,
        body: body.into(),
        exchange: None,
        verdict,
        batch: None,
    }
}

/// An exchange as the client records it, answered `status` with `answer`.
fn exchange(status: u16, answer: &str, errors: serde_json::Value) -> Exchange {
    serde_json::from_value(json!({
        "startedAt": "2026-12-02T12:00:00.000Z", "profile": "app",
        "baseUrl": "http://127.0.0.1:9", "url": "http://127.0.0.1:9/tr…/feedback",
        "keyMasked": "tr…", "keyFingerprint": "#000000", "method": "feedback",
        "requestBody": "{\"featureId\":\"export\",\"userId\":\"u1\",\"score\":9}",
        "attempts": [], "outcome": if status < 300 { "delivered" } else { "rejected" },
        "response": {"status": status, "headers": [["content-type", "text/html"]], "body": answer},
        "possiblyDuplicated": false, "latencyMs": 2.5, "validationErrors": errors
    }))
    .unwrap()
}

fn page() -> String {
    let mut r = Report::default();
    let mut passed = report(
        HOSTILE,
        1,
        Method::User,
        "{\"userId\":\"u1\"}",
        Verdict::Passed,
    );
    passed.exchange = Some(exchange(200, HOSTILE, json!([])));
    r.add(&passed);
    r.add(&report(
        "before",
        2,
        Method::Feedback,
        "{\"featureId\":\"export\",\"userId\":\"u1\",\"score\":9}",
        Verdict::Refused("not sent, the contract refuses it".into()),
    ));
    let mut by_server = report(
        "server",
        3,
        Method::Feedback,
        "",
        Verdict::Refused(HOSTILE.into()),
    );
    by_server.exchange = Some(exchange(
        400,
        HOSTILE,
        json!([{"path": "/score", "code": "OUT_OF_RANGE", "message": HOSTILE}]),
    ));
    r.add(&by_server);
    r.add(&report(
        "f",
        4,
        Method::Event,
        "{}",
        Verdict::Failed("expected 200".into()),
    ));
    r.add(&report(
        "u",
        5,
        Method::Event,
        "{}",
        Verdict::Undelivered("refused connection".into()),
    ));
    r.render(1.5)
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text(e: &scraper::ElementRef<'_>) -> String {
    e.text().collect()
}

#[test]
fn each_call_shows_its_request_answer_verdict_and_problems_on_their_fields() {
    let html = Html::parse_document(&page());
    let calls = select(&html, "main > section.call");
    let classes: Vec<&str> = calls
        .iter()
        .map(|c| c.value().classes().find(|c| *c != "call").unwrap())
        .collect();
    assert_eq!(
        classes,
        ["passed", "refused", "refused", "failed", "undelivered"]
    );
    let before = select(&html, "#call-2 table.problems td");
    assert_eq!(
        text(&before[0]),
        "/score",
        "the contract's problem on its field"
    );
    assert!(text(&before[1]).contains('5'), "{}", text(&before[1]));
    let by_server = select(&html, "#call-3 table.problems td");
    assert_eq!(text(&by_server[0]), "/score");
    let request = text(&select(&html, "#call-3 details.request pre")[0]);
    assert!(
        request.starts_with("http://127.0.0.1:9/tr…/feedback") && request.contains("\"score\": 9"),
        "{request}"
    );
    assert!(text(&select(&html, "#call-3 details.answer summary")[0]).contains("400"));
    let summary = text(&select(&html, "p.summary")[0]);
    assert!(
        summary.contains("5 call(s)") && summary.contains("2 refused"),
        "{summary}"
    );
}

#[test]
fn hostile_text_stays_text_and_nothing_is_loaded_or_run() {
    let raw = page();
    let html = Html::parse_document(&raw);
    for tag in ["script", "img", "link", "iframe", "object", "embed", "base"] {
        assert!(select(&html, tag).is_empty(), "a <{tag}> got in");
    }
    assert!(select(&html, "[src], [href], [onerror]").is_empty());
    let name = text(&select(&html, "#call-1 h2")[0]);
    assert!(
        name.contains("<script>alert(1)</script>"),
        "the name as text: {name}"
    );
    let answer = text(&select(&html, "#call-1 details.answer pre")[0]);
    assert!(
        answer.contains("<img src=x onerror=alert(2)>"),
        "the answer as text: {answer}"
    );
    assert!(answer.contains("\"'&amp;"), "{answer}");
    assert!(!raw.contains('\u{1b}'), "control characters are replaced");
    let problem = text(&select(&html, "#call-3 table.problems td")[1]);
    assert!(problem.contains("</pre>"), "{problem}");
    let style = text(&select(&html, "style")[0]);
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "no external assets"
    );
    let csp = select(&html, "meta[http-equiv=Content-Security-Policy]");
    assert!(
        csp[0]
            .value()
            .attr("content")
            .unwrap()
            .contains("default-src 'none'")
    );
}

#[test]
fn css_alone_filters_by_verdict() {
    let html = Html::parse_document(&page());
    let radios = select(&html, "body > input[type=radio][name=show]");
    let ids: Vec<&str> = radios.iter().map(|r| r.value().id().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "show-all",
            "show-passed",
            "show-failed",
            "show-refused",
            "show-undelivered"
        ]
    );
    assert!(radios[0].value().attr("checked").is_some());
    let style = text(&select(&html, "style")[0]);
    for v in VERDICTS {
        assert!(
            style.contains(&format!("#show-{v}:checked ~ main .call:not(.{v})")),
            "no rule hides the others for {v}"
        );
        assert_eq!(select(&html, &format!("nav label[for=show-{v}]")).len(), 1);
    }
}

#[test]
fn a_long_run_keeps_the_first_calls_of_each_kind_and_says_how_many_it_left_out() {
    let mut r = Report::default();
    for seq in 0..(CALLS as u64 + 3) {
        r.add(&report("x", seq, Method::Event, "{}", Verdict::Passed));
    }
    r.add(&report(
        "x",
        9999,
        Method::Event,
        "{}",
        Verdict::Failed("no".into()),
    ));
    let html = Html::parse_document(&r.render(1.0));
    assert_eq!(select(&html, "section.call").len(), CALLS + 1);
    assert!(text(&select(&html, "p.note")[0]).starts_with("3 call(s) left out"));
}
