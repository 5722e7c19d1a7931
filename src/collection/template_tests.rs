use super::*;
use serde_json::json;

fn resolve_with(
    value: Value,
    names: &BTreeMap<String, Value>,
    seed: u64,
    seq: u64,
) -> Result<Value, TemplateError> {
    let shape = shape(&value)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let profile = |f: &str| (f == "userId").then(|| "u-profile".to_owned());
    let allowed = Env::with([
        ("HOME_TEAM".to_owned(), Some("blue".to_owned())),
        ("NOPE_NOT_SET".to_owned(), None),
    ]);
    let env = |n: &str| allowed.value(n);
    let mut scope = Scope {
        names,
        profile: &profile,
        env: &env,
        rng: &mut rng,
        seed,
        seq,
        now_ms: 1_700_000_000_000,
    };
    scope.resolve(&shape)
}

fn resolve(value: Value) -> Result<Value, TemplateError> {
    let mut names = BTreeMap::new();
    names.insert("plan".to_owned(), json!("pro"));
    names.insert("seats".to_owned(), json!(5));
    resolve_with(value, &names, 7, 3)
}

#[test]
fn one_template_takes_its_type_in_text_it_is_text() {
    let got = resolve(json!({
        "n": "{{int 4..4}}",
        "seq": "{{seq}}",
        "ms": "{{now_ms}}",
        "now": "{{now}}",
        "back": "{{now -1d}}",
        "plan": "{{plan}}",
        "seats": "{{seats}}",
        "text": "run {{seq}} on {{plan}} with {{seats}}",
        "none": "{{null}}",
        "who": "{{profile.userId}}",
        "team": "{{env HOME_TEAM}}",
        "pick": "{{pick a}}",
        "nested": ["{{seq}}", {"deep": "{{ seats }}"}],
        "plain": "no templates",
        "kept": 4.5
    }))
    .unwrap();
    assert_eq!(
        got,
        json!({
            "n": 4, "seq": 3, "ms": 1_700_000_000_000_i64,
            "now": "2023-11-14T22:13:20.000Z", "back": "2023-11-13T22:13:20.000Z",
            "plan": "pro", "seats": 5, "text": "run 3 on pro with 5", "none": null,
            "who": "u-profile", "team": "blue", "pick": "a",
            "nested": [3, {"deep": 5}], "plain": "no templates", "kept": 4.5
        })
    );
}

#[test]
fn generators_stay_in_their_ranges_and_a_seed_repeats_them() {
    let body = json!({"id": "{{uuid}}", "n": "{{int 1..5}}", "p": "{{pick x|y|z}}", "t": "{{ago 1d..28d}}"});
    let first = resolve_with(body.clone(), &BTreeMap::new(), 42, 1).unwrap();
    let again = resolve_with(body.clone(), &BTreeMap::new(), 42, 1).unwrap();
    assert_eq!(first, again, "the same seed, the same values");
    let other = resolve_with(body, &BTreeMap::new(), 43, 1).unwrap();
    assert_ne!(first["id"], other["id"]);
    assert!(uuid::Uuid::parse_str(first["id"].as_str().unwrap()).is_ok());
    for seed in 0..200 {
        let v = resolve_with(
            json!({"n": "{{int 1..5}}", "t": "{{ago 1d..28d}}"}),
            &BTreeMap::new(),
            seed,
            1,
        )
        .unwrap();
        let n = v["n"].as_i64().unwrap();
        assert!((1..=5).contains(&n));
        let at = crate::api::timestamp::parse(&v["t"]).unwrap();
        let ago = 1_700_000_000_000 - at;
        assert!((86_400_000..=28 * 86_400_000).contains(&ago), "{ago}");
    }
}

#[test]
fn mistakes_are_named() {
    for (text, says) in [
        ("{{unknown thing}}", "not a generator"),
        ("{{uuid please}}", "takes nothing"),
        ("{{in 1..5}}", "did you mean `int`"),
        ("{{int 5..1}}", "range is empty"),
        ("{{int a..b}}", "not a whole number"),
        ("{{int 5}}", "not a range"),
        ("{{ago 3x..4d}}", "the unit is"),
        ("{{now -3 days}}", "the unit is"),
        ("{{pick }}", "takes choices"),
        ("{{env}}", "variable's name"),
        ("{{profile.email}}", "profile.userId"),
        ("open {{seq", "without its"),
        ("{{}}", "empty"),
        ("{{seq 3}}", "takes nothing"),
    ] {
        let err = compile(text).unwrap_err().to_string();
        assert!(err.contains(says), "{text}: {err}");
    }
    let err = resolve(json!({"a": "{{missing}}"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("--var missing="), "{err}");
    let err = resolve(json!({"a": "{{env NOPE_NOT_SET}}"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("$NOPE_NOT_SET is not set"), "{err}");
    let err = resolve(json!({"a": "{{env HOME}}"}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("$HOME is not allowed") && err.contains("--allow-env HOME"),
        "{err}"
    );
    let allowed = Env::with([("HOME_TEAM".to_owned(), Some("blue".to_owned()))]);
    assert_eq!(
        format!("{allowed:?}"),
        "{\"HOME_TEAM\"}",
        "names, never values"
    );
    let err = resolve(json!({"a": "{{profile.companyId}}"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no companyId"), "{err}");
}

proptest::proptest! {
    #[test]
    fn compiling_never_panics(text in "[a-z{} .|0-9-]{0,40}") {
        let _ = compile(&text);
    }

    #[test]
    fn text_without_braces_is_plain(text in "[^{}]{0,40}") {
        proptest::prop_assert_eq!(compile(&text).unwrap(), if text.is_empty() { Text::Plain(String::new()) } else { Text::Plain(text.clone()) });
    }
}
