use super::*;
use serde_json::json;

fn body(items: &[&str]) -> Result<Value, ItemError> {
    let parsed: Vec<Item> = items.iter().map(|i| parse(i)).collect::<Result<_, _>>()?;
    let mut map = Map::new();
    apply(&mut map, &parsed)?;
    Ok(Value::Object(map))
}

/// Each row: the items, and the body HTTPie 3 prints for them with `http --offline --print=B`.
#[test]
fn httpie_items_mean_what_httpie_says() {
    let table: &[(&[&str], Value)] = &[
        (&["event=Sent message"], json!({"event": "Sent message"})),
        (&["userId:=42"], json!({"userId": 42})),
        (&["userId:=-0"], json!({"userId": 0})),
        (
            &["attributes[plan]=pro"],
            json!({"attributes": {"plan": "pro"}}),
        ),
        (
            &["attributes[plan]=pro", "attributes[seats]:=3"],
            json!({"attributes": {"plan": "pro", "seats": 3}}),
        ),
        (
            &["attributes[tags][]=a", "attributes[tags][]=b"],
            json!({"attributes": {"tags": ["a", "b"]}}),
        ),
        (&["list[2]=c"], json!({"list": [null, null, "c"]})),
        (&["list[0][name]=x"], json!({"list": [{"name": "x"}]})),
        (
            &["a[][b]=1", "a[][b]=2"],
            json!({"a": [{"b": "1"}, {"b": "2"}]}),
        ),
        (&["a\\[b\\]=c"], json!({"a[b]": "c"})),
        (&["a[\\1]=x"], json!({"a": {"1": "x"}})),
        (&["comment=a=b:=c"], json!({"comment": "a=b:=c"})),
        (&["email=\\@handle"], json!({"email": "@handle"})),
        (&["c\\=d=2"], json!({"c=d": "2"})),
        (&["c\\:d=2"], json!({"c:d": "2"})),
        (&["x=1", "x=2"], json!({"x": "2"})),
        (&["empty="], json!({"empty": ""})),
        (
            &["context:={\"active\": false}"],
            json!({"context": {"active": false}}),
        ),
        (&["tags:=[1,2]", "tags[]:=3"], json!({"tags": [1, 2, 3]})),
    ];
    for (items, expected) in table {
        assert_eq!(&body(items).unwrap(), expected, "items {items:?}");
    }
}

/// Kept from before: a dot outside brackets nests, a backslash keeps it literal.
#[test]
fn dots_nest_as_a_documented_extension() {
    assert_eq!(
        body(&["attributes.plan=pro", "a\\.b=1", "a[b].c=2"]).unwrap(),
        json!({"attributes": {"plan": "pro"}, "a.b": "1", "a": {"b": {"c": "2"}}})
    );
}

#[test]
fn files_give_their_text_or_their_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("comment.txt");
    let data = dir.path().join("attrs.json");
    std::fs::write(&text, "line one\nline two\n").unwrap();
    std::fs::write(&data, r#"{"plan": "pro", "seats": 3}"#).unwrap();
    let got = body(&[
        &format!("comment=@{}", text.display()),
        &format!("attributes:=@{}", data.display()),
    ])
    .unwrap();
    assert_eq!(
        got,
        json!({"comment": "line one\nline two\n", "attributes": {"plan": "pro", "seats": 3}})
    );
    let missing = dir.path().join("nope.json");
    let err = body(&[&format!("a:=@{}", missing.display())])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot read") && err.contains("nope.json"),
        "{err}"
    );
    std::fs::write(&text, "not json").unwrap();
    let err = body(&[&format!("a:=@{}", text.display())])
        .unwrap_err()
        .to_string();
    assert!(err.contains("not JSON"), "{err}");
}

#[test]
fn what_the_api_cannot_carry_is_refused_by_name() {
    let cases = [
        ("page==2", "query parameter"),
        ("X-Trace:abc", "header"),
        ("avatar@me.png", "file upload"),
        ("userId", "field=value"),
        ("=x", "empty field name"),
        ("a..b=x", "empty field name"),
        ("[]:=1", "JSON object"),
        ("a[b=1", "without its `]`"),
        ("a]=1", "without its `[`"),
        ("a[b]c=1", "after `]`"),
        ("a[99999999]=1", "past 10000"),
        ("x\\", "backslash"),
        ("userId:=forty", "not JSON"),
        ("a=@", "names no file"),
    ];
    for (item, says) in cases {
        let err = body(&[item]).unwrap_err().to_string();
        assert!(err.contains(says), "{item}: {err}");
    }
}

#[test]
fn shapes_that_clash_name_both_paths() {
    assert_eq!(
        body(&["a=1", "a[b]=2"]).unwrap_err().to_string(),
        "cannot set `a[b]`: `a` is already a string, not an object"
    );
    assert_eq!(
        body(&["a[x]=1", "a[]=2"]).unwrap_err().to_string(),
        "cannot set `a[]`: `a` is already an object, not an array"
    );
    assert_eq!(
        body(&["a[0]=1", "a[0][k]=2"]).unwrap_err().to_string(),
        "cannot set `a[0][k]`: `a[0]` is already a string, not an object"
    );
}

proptest::proptest! {
    #[test]
    fn any_string_value_round_trips(name in "[a-zA-Z][a-zA-Z0-9_]{0,10}", value in "([^@=\\\\\\p{C}][^\\\\\\p{C}]*)?") {
        let item = parse(&format!("{name}={value}")).unwrap();
        proptest::prop_assert_eq!(item, Item { path: vec![Segment::Key(name)], value: Value::String(value) });
    }

    #[test]
    fn any_json_value_round_trips(name in "[a-z]{1,8}", n in 1..i64::MAX, s in "[^\\\\=:@]{0,12}") {
        let value = json!({"n": n, "s": s, "list": [n]});
        let item = parse(&format!("{name}:={value}")).unwrap();
        proptest::prop_assert_eq!(item.value, value);
    }

    #[test]
    fn never_panics(raw in "\\PC{0,40}") {
        if let Ok(item) = parse(&raw) {
            let _ = apply(&mut Map::new(), &[item]);
        }
    }
}
