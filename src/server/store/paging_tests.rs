//! Paging by cursor and by seek-offset against plain LIMIT/OFFSET: whatever the store holds (rows
//! received out of order, ties on time, users seen again), every page is the rows LIMIT/OFFSET
//! gives, and following the cursors from the first page yields the whole list once.

use super::paging::Paged;
use super::queries::{self, EventFilter, Order, Page};
use super::{Storage, Store};
use crate::api::inspect::Cursor;
use crate::api::payload::{EventCall, FeedbackCall, Payload, Tracking, Update, UserCall};
use crate::api::runtime::bulk::Item;
use crate::api::runtime::events::FlagEvent;
use proptest::prelude::*;
use rusqlite::Connection;

const KEYS: [&str; 2] = ["propKeyA_0123456789abcde", "propKeyB_0123456789abcde"];

#[derive(Debug, Clone)]
enum Op {
    Event { user: u8, company: Option<u8> },
    Seen { user: u8, active: bool },
    Flag { flag: u8 },
    Feedback { user: u8 },
}

/// A call, its key and when it was received: a few distinct times, in any order.
fn op() -> impl Strategy<Value = (Op, usize, i64)> {
    let op = prop_oneof![
        4 => (0u8..6, proptest::option::of(0u8..3)).prop_map(|(user, company)| Op::Event { user, company }),
        2 => (0u8..6, any::<bool>()).prop_map(|(user, active)| Op::Seen { user, active }),
        2 => (0u8..3).prop_map(|flag| Op::Flag { flag }),
        1 => (0u8..6).prop_map(|user| Op::Feedback { user }),
    ];
    (op, 0..KEYS.len(), 1_000i64..1_012)
}

fn tracking(active: bool) -> Tracking {
    Tracking {
        attributes: serde_json::Map::new(),
        active: (!active).then_some(false),
        timestamp: None,
    }
}

async fn fill(store: &Store, ops: &[(Op, usize, i64)]) {
    for (op, key, at) in ops {
        let (key, at) = (KEYS[*key], *at);
        let payload = match op {
            Op::Event { user, company } => Payload::Event(EventCall {
                event: format!("e{}", user % 3),
                user_id: format!("u{user}"),
                company_id: company.map(|c| format!("c{c}")),
                tracking: tracking(true),
            }),
            Op::Seen { user, active } => Payload::User(UserCall {
                user_id: format!("u{user}"),
                tracking: tracking(*active),
            }),
            Op::Feedback { user } => Payload::Feedback(FeedbackCall {
                feature_id: "f".into(),
                key: None,
                sent_feature_id: None,
                user_id: format!("u{user}"),
                company_id: None,
                score: Update::Absent,
                comment: Update::Set("ok".into()),
                feedback_id: None,
                question: None,
                prompted_question: None,
                prompt_id: None,
                source: None,
            }),
            Op::Flag { flag } => {
                let item = Item::Flag(FlagEvent {
                    action: "check".into(),
                    flag_key: format!("flag{flag}"),
                    targeting_version: None,
                    context: serde_json::json!({}),
                    result: None,
                    rule_results: None,
                    missing_fields: None,
                });
                let stored = store.write_items(key, vec![item], false, at).await;
                assert!(matches!(stored, Ok(Ok(_))), "{stored:?}");
                continue;
            }
        };
        let stored = store.write(key, payload, at).await;
        assert!(matches!(stored, Ok(Ok(_))), "{stored:?}");
    }
}

/// The ids of a whole list as LIMIT/OFFSET reads it: the list query's SQL as it was before cursors.
fn reference(conn: &Connection, sql: &str, key: &str, arg: Option<&str>) -> Vec<String> {
    let Some(key) = queries::key_id(conn, key).unwrap() else {
        return Vec::new();
    };
    conn.prepare(sql)
        .unwrap()
        .query_map(rusqlite::params![key, arg], |r| {
            r.get::<_, rusqlite::types::Value>(0).map(|v| match v {
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Text(s) => s,
                other => format!("{other:?}"),
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every offset page, and the chain of cursor pages, against `whole`; the differences found.
fn compare(
    what: &str,
    whole: &[String],
    limit: u32,
    read: &dyn Fn(u64, Option<Cursor>) -> Paged<String>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for offset in 0..=whole.len() as u64 + 1 {
        let expected: Vec<String> = whole
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .cloned()
            .collect();
        let got = read(offset, None).rows;
        if got != expected {
            wrong.push(format!("{what} offset {offset}: {got:?} != {expected:?}"));
        }
    }
    let (mut chained, mut after, mut pages) = (Vec::new(), None, 0);
    loop {
        let page = read(0, after.clone());
        if page.rows.is_empty() {
            break;
        }
        chained.extend(page.rows);
        after = page.next;
        pages += 1;
        if pages > whole.len() + 1 {
            break;
        }
    }
    if chained != whole {
        wrong.push(format!("{what} by cursor: {chained:?} != {whole:?}"));
    }
    wrong
}

fn ids<T>(paged: Paged<T>, id: impl Fn(T) -> String) -> Paged<String> {
    Paged {
        rows: paged.rows.into_iter().map(id).collect(),
        next: paged.next,
    }
}

/// One key's lists in one order and search, checked.
struct Case<'a> {
    conn: &'a Connection,
    key: &'static str,
    order: Order,
    search: Option<&'static str>,
    limit: u32,
}

impl Case<'_> {
    fn page(&self, offset: u64, after: Option<Cursor>) -> Page {
        Page {
            limit: self.limit,
            offset,
            after,
            order: self.order,
            search: self.search.map(str::to_owned),
        }
    }

    fn dir(&self) -> &'static str {
        match self.order {
            Order::Newest => "DESC",
            Order::Oldest => "ASC",
        }
    }

    fn what(&self, list: &str) -> String {
        format!("{} {list} {} q={:?}", self.key, self.dir(), self.search)
    }
}

fn check(conn: &Connection, limit: u32) -> Vec<String> {
    let mut wrong = Vec::new();
    for key in KEYS {
        for order in [Order::Newest, Order::Oldest] {
            for search in [None, Some("u1")] {
                let case = Case {
                    conn,
                    key,
                    order,
                    search,
                    limit,
                };
                wrong.extend(check_seen(&case));
                wrong.extend(check_timed(&case));
            }
        }
    }
    wrong
}

/// Users and companies: by last seen, the never-seen last.
fn check_seen(c: &Case<'_>) -> Vec<String> {
    let mut wrong = Vec::new();
    let Case {
        conn,
        key,
        search,
        limit,
        ..
    } = *c;
    let d = c.dir();
    let page = |offset, after| c.page(offset, after);
    let what = |list: &str| c.what(list);
    let whole = reference(
        conn,
        &format!(
            "SELECT user_id FROM users WHERE key_id = ?1
               AND (?2 IS NULL OR instr(lower(user_id), ?2) OR instr(lower(attributes), ?2))
             ORDER BY last_seen IS NULL, last_seen {d}, user_id"
        ),
        key,
        search,
    );
    wrong.extend(compare(&what("users"), &whole, limit, &|o, a| {
        ids(queries::users(conn, key, &page(o, a)).unwrap(), |u| {
            u.user_id
        })
    }));
    let whole = reference(
        conn,
        &format!(
            "SELECT company_id FROM companies WHERE key_id = ?1
               AND (?2 IS NULL OR instr(lower(company_id), ?2) OR instr(lower(attributes), ?2))
             ORDER BY last_seen IS NULL, last_seen {d}, company_id"
        ),
        key,
        search,
    );
    wrong.extend(compare(&what("companies"), &whole, limit, &|o, a| {
        ids(queries::companies(conn, key, &page(o, a)).unwrap(), |c| {
            c.company_id
        })
    }));
    wrong
}

/// Events, feedback and flag checks: by time received or updated.
fn check_timed(c: &Case<'_>) -> Vec<String> {
    let mut wrong = Vec::new();
    let Case {
        conn,
        key,
        search,
        limit,
        ..
    } = *c;
    let d = c.dir();
    let page = |offset, after| c.page(offset, after);
    let what = |list: &str| c.what(list);
    let text = |v: Option<&str>| v.map_or("NULL".into(), |v| format!("'{v}'"));
    for (user, company) in [
        (None, None),
        (Some("u2"), None),
        (None, Some("c1")),
        (Some("u2"), Some("c1")),
    ] {
        let whole = reference(
            conn,
            &format!(
                "SELECT id FROM events WHERE key_id = ?1 AND (?3 IS NULL OR user_id = ?3)
                   AND (?4 IS NULL OR company_id = ?4)
                   AND (?2 IS NULL OR instr(lower(event), ?2) OR instr(lower(user_id), ?2)
                        OR instr(lower(coalesce(company_id, '')), ?2))
                 ORDER BY received_at {d}, id {d}"
            )
            .replace("?3", &text(user))
            .replace("?4", &text(company)),
            key,
            search,
        );
        let filter = EventFilter {
            user_id: user.map(str::to_owned),
            company_id: company.map(str::to_owned),
            ..EventFilter::default()
        };
        wrong.extend(compare(
            &what(&format!("events {user:?} {company:?}")),
            &whole,
            limit,
            &|o, a| {
                ids(
                    queries::events(conn, key, &filter, &page(o, a)).unwrap(),
                    |e| e.id,
                )
            },
        ));
    }
    let whole = reference(
        conn,
        &format!(
            "SELECT feedback_id FROM feedback WHERE key_id = ?1
               AND (?2 IS NULL OR instr(lower(feature_id), ?2) OR instr(lower(user_id), ?2)
                    OR instr(lower(coalesce(comment, '')), ?2))
             ORDER BY updated_at {d}, rowid {d}"
        ),
        key,
        search,
    );
    wrong.extend(compare(&what("feedback"), &whole, limit, &|o, a| {
        ids(
            queries::feedback(conn, key, None, &page(o, a)).unwrap(),
            |f| f.feedback_id,
        )
    }));
    let flag_search = search.map(|_| "flag1");
    let whole = reference(
        conn,
        &format!(
            "SELECT id FROM flag_events WHERE key_id = ?1
               AND (?2 IS NULL OR instr(lower(flag_key), ?2) OR instr(lower(context), ?2))
             ORDER BY received_at {d}, id {d}"
        ),
        key,
        flag_search,
    );
    let flag_page = |o, a| Page {
        search: flag_search.map(str::to_owned),
        ..page(o, a)
    };
    wrong.extend(compare(&what("flag checks"), &whole, limit, &|o, a| {
        ids(
            super::flag_checks::flag_checks(conn, key, None, &flag_page(o, a)).unwrap(),
            |f| f.id,
        )
    }));
    wrong
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn cursor_and_seek_pages_are_the_limit_offset_pages(
        ops in proptest::collection::vec(op(), 0..40),
        limit in 1u32..6,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let wrong = rt.block_on(async {
            let store = Store::open(&Storage::Memory).unwrap();
            fill(&store, &ops).await;
            let wrong = store.read(move |conn| Ok(check(conn, limit))).await.unwrap();
            store.close().await;
            wrong
        });
        prop_assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

/// A row written around the writer has no position: the list is then walked, and still right.
#[test]
fn rows_without_a_position_are_walked_not_sought() {
    let conn = Connection::open_in_memory().unwrap();
    super::schema::create(&conn).unwrap();
    conn.execute(
        "INSERT INTO tracking_keys (id, key_sha256) VALUES (1, ?1)",
        [crate::api::key::digest(KEYS[0])],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at, seq)
         VALUES (1, 'a', 'u', '{}', 1, 1, 1), (1, 'b', 'u', '{}', 2, 2, 2);
         INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at)
         VALUES (1, 'c', 'u', '{}', 3, 3);",
    )
    .unwrap();
    let page = Page {
        limit: 1,
        offset: 1,
        after: None,
        order: Order::Newest,
        search: None,
    };
    let names = |order| {
        let page = Page {
            order,
            ..page.clone()
        };
        queries::events(&conn, KEYS[0], &EventFilter::default(), &page)
            .unwrap()
            .rows
            .into_iter()
            .map(|e| e.event)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(Order::Newest), ["b"]);
    assert_eq!(names(Order::Oldest), ["b"]);
}
