use super::update;
use crate::api::{FieldCode, Method, ValidationError};
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{ctrl, exchange, key, state, type_text};
use crate::tui::state::{Focus, Overlay, State};
use crossterm::event::KeyCode;
use serde_json::json;

#[test]
fn log_keys_resend_load_and_copy() {
    let mut s = state(Method::User);
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![
            exchange("user", 200, "{\"userId\":\"1\"}", vec![]),
            exchange("event", 200, "{\"event\":\"e\",\"userId\":\"2\"}", vec![]),
        ])),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.log.selected, 1);
    let copied = update(&mut s, key(KeyCode::Char('c')));
    assert!(
        matches!(&copied[..], [Effect::Copy(text)] if text.contains("$BUCKET_TRACKING_KEY/event") && text.contains("http://127.0.0.1:8787"))
    );
    let resent = update(&mut s, key(KeyCode::Char('r')));
    assert!(
        matches!(&resent[..], [Effect::Send { method: Method::Event, body, .. }] if body == "{\"event\":\"e\",\"userId\":\"2\"}")
    );
    let mut sent = exchange("event", 200, "{}", vec![]);
    sent.id = Some(99);
    update(&mut s, Action::Sent(Box::new(sent)));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('e')));
    assert_eq!((s.method, s.focus), (Method::User, Focus::Form));
    assert_eq!(s.form().body(), json!({"userId": "1"}));
}

#[test]
fn slash_searches_the_exchange_and_n_moves_between_matches() {
    let mut s = state(Method::Event);
    s.size = (80, 24);
    let body = format!(
        "{{\"event\":\"e\",\"userID\":1,\"padding\":\"{}\"}}",
        "x".repeat(10)
    );
    let error = ValidationError::new(
        "/userID",
        FieldCode::UnknownField,
        "unknown field `userID`; did you mean `userId`?",
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange("event", 400, &body, vec![error]))),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "USERid");
    assert!(
        s.detail.as_ref().unwrap().search.as_ref().unwrap().typing,
        "n and N are text while typing"
    );
    update(&mut s, key(KeyCode::Enter));
    let first = search_line(&s).expect("a match");
    update(&mut s, key(KeyCode::Char('n')));
    let second = search_line(&s).unwrap();
    assert!(second > first, "{first} then {second}");
    assert!(s.detail.as_ref().unwrap().scroll > 0);
    update(&mut s, key(KeyCode::Char('N')));
    assert_eq!(search_line(&s), Some(first));
    update(&mut s, key(KeyCode::Esc));
    assert!(
        s.detail.as_ref().unwrap().search.is_none(),
        "Esc clears the search first"
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus, Focus::Log);
}

fn search_line(s: &State) -> Option<usize> {
    s.detail
        .as_ref()
        .and_then(|d| d.search.as_ref())
        .and_then(|search| search.line)
}

#[test]
fn copy_as_curl_names_the_server_that_answered_and_says_when_it_is_gone() {
    let mut s = state(Method::User);
    s.local.as_mut().unwrap().url = "http://127.0.0.1:8787".into();
    let mut here = exchange("user", 200, r#"{"userId":"u1"}"#, vec![]);
    here.profile = "local".into();
    here.base_url = "http://127.0.0.1:8787".into();
    let mut earlier = here.clone();
    earlier.base_url = "http://127.0.0.1:41009".into();
    s.log.push_front(earlier);
    s.log.push_front(here);
    s.focus = Focus::Log;
    let copied = |s: &mut State| match update(s, key(KeyCode::Char('c'))).as_slice() {
        [Effect::Copy(text)] => text.clone(),
        other => panic!("{other:?}"),
    };
    let now = copied(&mut s);
    assert!(
        now.starts_with("curl -sS -X POST \"http://127.0.0.1:8787/$BUCKET_TRACKING_KEY/user\""),
        "{now}"
    );
    update(&mut s, key(KeyCode::Down));
    let gone = copied(&mut s);
    assert!(
        gone.starts_with(
            "# the local server that answered this ran inside bucket-console and is gone"
        ),
        "{gone}"
    );
    assert!(gone.contains("http://127.0.0.1:41009/"), "{gone}");
}

#[test]
fn c_and_y_copy_from_an_exchanges_detail_and_say_so() {
    let mut s = state(Method::User);
    s.log
        .push_front(exchange("user", 400, r#"{"userID":1}"#, vec![]));
    s.focus = Focus::Log;
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Focus::Detail);
    let effects = update(&mut s, key(KeyCode::Char('c')));
    assert!(
        matches!(&effects[..], [Effect::Copy(t)] if t.starts_with("curl ")),
        "{effects:?}"
    );
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.starts_with("✓ copied as curl"))
    );
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert!(matches!(&effects[..], [Effect::Copy(_)]), "{effects:?}");
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("response body"))
    );
    assert_eq!(s.focus, Focus::Detail, "still in the detail");
}

/// `f`, `m` and `p` on the log filter it as the CLI's `log --status/--method/--from-profile` do,
/// and the selection moves only among the rows shown.
#[test]
fn the_log_is_filtered_by_status_method_and_profile() {
    let mut s = state(Method::Event);
    let mut entries = vec![
        exchange("event", 200, "{}", vec![]),
        exchange("user", 400, "{}", vec![]),
        exchange("event", 400, "{}", vec![]),
        exchange("event", 200, "{}", vec![]),
    ];
    entries[3].profile = "staging".into();
    for (i, e) in entries.iter_mut().enumerate() {
        e.id = Some(i as i64 + 1);
    }
    s.log.set_entries(entries);
    s.focus = Focus::Log;
    let shown = |s: &State| {
        s.visible_log()
            .map(|(_, e)| e.id.unwrap())
            .collect::<Vec<_>>()
    };
    update(&mut s, key(KeyCode::Char('f')));
    assert_eq!(shown(&s), [1, 4], "2xx");
    update(&mut s, key(KeyCode::Char('f')));
    assert_eq!(shown(&s), [2, 3], "4xx");
    assert_eq!(
        s.selected_exchange().unwrap().id,
        Some(2),
        "the selection follows"
    );
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected_exchange().unwrap().id, Some(3));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(
        s.selected_exchange().unwrap().id,
        Some(3),
        "the last row shown"
    );
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Char('m')));
    }
    assert_eq!(shown(&s), [3], "4xx events");
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Char('f')));
    }
    assert_eq!(shown(&s), [1, 3, 4], "every event");
    update(&mut s, key(KeyCode::Char('p')));
    assert_eq!(shown(&s), [1, 3], "profile local");
    update(&mut s, key(KeyCode::Char('p')));
    assert_eq!(shown(&s), [4], "profile staging");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.detail.as_ref().map(|d| d.index),
        Some(3),
        "opens the row shown"
    );
}

/// Entries another process wrote appear in place and moved-on entries replace their rows; the
/// selection and an open detail stay on their entries; a read during a read asks for one more.
#[test]
fn changes_to_the_history_file_appear_live() {
    let mut s = state(Method::Event);
    let entry = |id: i64, status: u16| {
        let mut e = exchange("event", status, "{}", vec![]);
        e.id = Some(id);
        e
    };
    update(&mut s, Action::HistoryChanges(Ok((vec![], 10))));
    assert!(
        update(
            &mut s,
            Action::HistoryLoaded(Ok(vec![entry(5, 200), entry(3, 200)]))
        )
        .iter()
        .any(|e| matches!(e, Effect::LoadHistoryChanges { since: 10 })),
        "what was written during the first read is asked for"
    );
    s.focus = Focus::Log;
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected_exchange().unwrap().id, Some(3));
    // Touched again while the read runs: one more read after it.
    assert!(update(&mut s, Action::HistoryTouched).is_empty());
    let more = update(
        &mut s,
        Action::HistoryChanges(Ok((vec![entry(4, 400), entry(5, 500), entry(7, 200)], 13))),
    );
    assert!(matches!(
        &more[..],
        [Effect::LoadHistoryChanges { since: 13 }]
    ));
    let ids: Vec<_> = s
        .log
        .entries()
        .iter()
        .map(|e| (e.id.unwrap(), e.status().unwrap()))
        .collect();
    assert_eq!(ids, [(7, 200), (5, 500), (4, 400), (3, 200)]);
    assert_eq!(
        s.selected_exchange().unwrap().id,
        Some(3),
        "the selection stays on its entry"
    );
    update(&mut s, Action::HistoryChanges(Ok((vec![], 13))));
    assert!(matches!(
        &update(&mut s, Action::HistoryTouched)[..],
        [Effect::LoadHistoryChanges { since: 13 }]
    ));
}

/// `x` on a log row (or in a detail) offers the code forms; Enter copies the chosen one.
#[test]
fn x_copies_an_exchange_as_code() {
    let mut s = state(Method::Event);
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![exchange(
            "event",
            200,
            "{\"event\":\"e\",\"userId\":\"u\"}",
            vec![],
        )])),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(
        s.overlay,
        Overlay::CopyAs {
            index: 0,
            selected: 0
        }
    );
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Down));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::Copy(text)] if text.contains("requests.post(") && text.contains("BUCKET_TRACKING_KEY")),
        "{effects:?}"
    );
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.message.as_ref().unwrap().1.contains("copied as python"));
    update(&mut s, key(KeyCode::Enter));
    assert!(s.detail.is_some());
    update(&mut s, key(KeyCode::Char('x')));
    assert!(
        matches!(s.overlay, Overlay::CopyAs { .. }),
        "from the detail too"
    );
}

/// A long session keeps the newest `LogView::KEEP` exchanges, as a restart would show them: the
/// oldest leave as new ones arrive, except one a detail is open on, which leaves once it closes.
#[test]
fn a_long_session_keeps_the_newest_exchanges() {
    use crate::tui::log_view::LogView;
    let mut s = state(Method::Event);
    let entry = |id: i64| {
        let mut e = exchange("event", 200, "{}", vec![]);
        e.id = Some(id);
        e
    };
    let keep = i64::try_from(LogView::KEEP).unwrap();
    update(
        &mut s,
        Action::HistoryLoaded(Ok((1..=keep).rev().map(entry).collect())),
    );
    assert_eq!(s.log.entries().len(), LogView::KEEP);
    // The oldest, open whole while calls are sent.
    s.focus = Focus::Log;
    s.log.selected = LogView::KEEP - 1;
    update(&mut s, key(KeyCode::Enter));
    assert!(s.detail.is_some());
    for id in keep + 1..=keep + 3 {
        update(&mut s, Action::Sent(Box::new(entry(id))));
    }
    let open = s.detail.as_ref().unwrap().index;
    assert_eq!(s.log.entries()[open].id, Some(1), "the open exchange stays");
    assert_eq!(s.log.entries().len(), LogView::KEEP + 3);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.detail.is_none());
    update(&mut s, Action::Sent(Box::new(entry(keep + 4))));
    // Another process's write, merged in place.
    update(
        &mut s,
        Action::HistoryChanges(Ok((vec![entry(keep + 5)], keep + 5))),
    );
    let ids: Vec<i64> = s.log.entries().iter().map(|e| e.id.unwrap()).collect();
    assert_eq!(ids.len(), LogView::KEEP);
    assert_eq!(ids.first(), Some(&(keep + 5)));
    assert_eq!(
        ids.last(),
        Some(&6),
        "the five oldest left once the detail closed"
    );
    assert!(s.log.selected < LogView::KEEP);
}
