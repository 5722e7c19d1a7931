use super::*;
use crate::client::exchange::tests::sample;
use serde_json::json;

#[test]
fn items_are_packed_by_count_and_by_bytes_in_order() {
    let items: Vec<Value> = (0..7)
        .map(|i| json!({"type": "user", "userId": i}))
        .collect();
    let sizes: Vec<usize> = pack(items, 3).unwrap().iter().map(Batch::len).collect();
    assert_eq!(sizes, [3, 3, 1]);
    // Three items of ~400 KiB: two fit in 1 MiB, the third starts the next batch.
    let big = "x".repeat(400 * 1024);
    let items: Vec<Value> = (0..3)
        .map(|i| json!({"type": "event", "event": "e", "userId": i, "attributes": {"b": big}}))
        .collect();
    let batches = pack(items, 100).unwrap();
    assert_eq!(batches.iter().map(Batch::len).collect::<Vec<_>>(), [2, 1]);
    assert!(batches.iter().all(|b| b.text().len() <= MAX_BULK_BYTES));
    let huge =
        json!({"type": "user", "userId": "u", "attributes": {"b": "y".repeat(MAX_BULK_BYTES)}});
    assert!(matches!(
        pack(vec![json!({}), huge], 10),
        Err(BatchError::ItemTooLarge { index: 1, .. })
    ));
    assert_eq!(pack(vec![], 0), Err(BatchError::BadSize(0)));
    assert_eq!(pack(vec![], 101), Err(BatchError::BadSize(101)));
}

#[test]
fn a_call_becomes_an_item_of_its_type() {
    assert_eq!(
        item(Method::Event, &json!({"event": "e", "userId": "u"})),
        json!({"type": "event", "event": "e", "userId": "u"})
    );
}

#[test]
fn each_item_is_told_what_became_of_it() {
    let batch = pack(
        vec![
            json!({"type": "user", "userId": "a"}),
            json!({"type": "user"}),
            json!({"type": "user", "userId": "c"}),
        ],
        10,
    )
    .unwrap()
    .remove(0);
    let problems = batch.check(0).unwrap_err();
    assert_eq!(problems[0].path, "/1/userId");
    let refused = sample(ROUTE, 400, batch.text(), problems);
    let results = results(&batch, &refused);
    assert!(matches!(&results[1], ItemResult::Refused(p) if p[0].path == "/1/userId"));
    for other in [&results[0], &results[2]] {
        let ItemResult::NotStored(why) = other else {
            panic!("{other:?}");
        };
        assert!(
            why.contains("#1") && why.contains("nothing of it was stored"),
            "{why}"
        );
    }
    let stored = sample(ROUTE, 200, batch.text(), vec![]);
    assert_eq!(super::results(&batch, &stored), vec![ItemResult::Stored; 3]);
    let mut forbidden = sample(ROUTE, 403, batch.text(), vec![]);
    forbidden.error_message = Some("the key is malformed".into());
    assert!(matches!(
        &super::results(&batch, &forbidden)[0],
        ItemResult::NotStored(why) if why.contains("refused whole (403: the key is malformed)")
    ));
    let mut failed = stored.clone();
    failed.outcome = Outcome::Failed;
    failed.response = None;
    failed.possibly_duplicated = true;
    assert!(matches!(
        &super::results(&batch, &failed)[2],
        ItemResult::Undelivered(why) if why.contains("possibly stored")
    ));
}

#[test]
fn a_forms_call_becomes_an_item_and_comes_back_as_that_call() {
    let item = item_from_text(
        Method::Event,
        r#"{"event":"Sent","userId":"u1","type":"x"}"#,
    )
    .unwrap();
    assert_eq!(
        item,
        serde_json::json!({"type": "event", "event": "Sent", "userId": "u1"})
    );
    assert_eq!(
        split(&item),
        Some((
            Method::Event,
            r#"{"event":"Sent","userId":"u1"}"#.to_owned()
        ))
    );
    assert_eq!(split(&serde_json::json!({"type": "prompt-event"})), None);
    assert!(matches!(
        item_from_text(Method::User, "[1]"),
        Err(BatchError::NotAnObject { .. })
    ));
    assert!(matches!(
        item_from_text(Method::User, "{"),
        Err(BatchError::NotJson { .. })
    ));
}
