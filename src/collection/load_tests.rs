use super::*;
use crate::collection::template::Text;
use serde_json::json;

const EXAMPLE: &str = r#"[vars]                      # used as {{plan}} in any string
plan = "pro"

[requests.signup]           # a saved request: a method and its body
method = "user"
body = { userId = "{{uuid}}", attributes = { plan = "{{plan}}", seats = "{{int 1..50}}" } }

[requests.rate-export]
method = "feedback"
body = { featureId = "export", userId = "{{profile.userId}}", score = "{{int 1..5}}", comment = "run {{seq}}" }

[[scenarios.onboarding]]    # a scenario: steps in order
request = "signup"
save = { user = "request:/userId" }          # JSON Pointer into the body sent; "response:/…" into the answer

[[scenarios.onboarding]]
method = "company"                           # or a step gives its method and body inline
body = { companyId = "acme", userId = "{{user}}" }

[[scenarios.onboarding]]
method = "event"
body = { event = "Sent message", userId = "{{user}}", companyId = "acme" }
repeat = 3
expect = { status = 200 }                    # also: code = "…", error_path = "/score", warning = "UNASSOCIATED_USER"
"#;

fn problems(text: &str) -> Vec<String> {
    match parse(Path::new("bucket-console.toml"), text, &[]) {
        Ok(_) => vec![],
        Err(e) => e.to_string().lines().map(str::to_owned).collect(),
    }
}

#[test]
fn the_issues_example_loads() {
    let c = parse(Path::new("bucket-console.toml"), EXAMPLE, &[]).unwrap();
    assert_eq!(c.vars["plan"], json!("pro"));
    assert_eq!(c.names(), ["rate-export", "signup", "onboarding"]);
    let signup = &c.requests["signup"];
    assert_eq!((signup.method, signup.line), (Method::User, 4));
    let steps = &c.scenarios["onboarding"];
    assert_eq!(steps.len(), 3);
    assert_eq!(
        steps[0].save,
        [Save {
            name: "user".into(),
            from: Side::Request,
            pointer: "/userId".into()
        }]
    );
    assert_eq!((steps[2].repeat, steps[2].expect.status), (3, Some(200)));
    let Call::Inline { method, body } = &steps[1].call else {
        panic!("inline")
    };
    assert_eq!(*method, Method::Company);
    assert!(
        matches!(body, Shape::Object(fields) if fields.iter().any(|(k, v)| k == "userId" && *v == Shape::Text(Text::Single(template::Gen::Name("user".into())))))
    );
}

/// Each row: a file, and the problems it must be refused with, in order, exactly.
#[test]
fn every_problem_is_named_with_its_line() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[requests.a]\nmethod = \"user\"\nbody = { userId = \"u\" \n",
            &["bucket-console.toml:3: unclosed inline table, expected `}`"],
        ),
        (
            "[request.a]\nmethod = \"user\"\n",
            &["bucket-console.toml:1: the file: unknown key `request`; did you mean `requests`?"],
        ),
        (
            "[requests.a]\nmetod = \"user\"\n",
            &[
                "bucket-console.toml:1: requests.a: method is missing (user, company, event or feedback)",
                "bucket-console.toml:2: requests.a: unknown key `metod`; did you mean `method`?",
            ],
        ),
        (
            "[requests.a]\nmethod = \"track\"\nbody = {}\n",
            &[
                "bucket-console.toml:2: requests.a: unknown method `track`: user, company, event or feedback",
            ],
        ),
        (
            "[requests.rate-export]\nmethod = \"feedback\"\nbody = { featureId = \"export\", userId = \"u\",\n  score = 9 }\n",
            &[
                "bucket-console.toml:4: requests.rate-export: /score: must be a whole number from 1 to 5 (0 means no score), not 9",
            ],
        ),
        (
            "[vars]\nplan = \"pro\"\n[requests.a]\nmethod = \"user\"\nbody = { userId = \"{{pln}}\" }\n",
            &[
                "bucket-console.toml:5: requests.a: `{{pln}}` is not a var, a --var, or a value an earlier step saves; did you mean `plan`?",
            ],
        ),
        (
            "[requests.a]\nmethod = \"user\"\nbody = { userId = \"{{uuidd}}\" }\n",
            &[
                "bucket-console.toml:3: requests.a: `{{uuidd}}` is not a var, a --var, or a value an earlier step saves; did you mean `uuid`?",
            ],
        ),
        (
            "[[scenarios.s]]\nrequest = \"sigup\"\n[requests.signup]\nmethod = \"user\"\nbody = { userId = \"u\" }\n",
            &[
                "bucket-console.toml:2: scenarios.s step 1: no request named `sigup`; did you mean `signup`?",
            ],
        ),
        (
            "[[scenarios.s]]\nmethod = \"event\"\nbody = { event = \"e\", userId = \"{{user}}\" }\n[[scenarios.s]]\nmethod = \"user\"\nbody = { userId = \"u\" }\nsave = { user = \"request:/userId\" }\n",
            &[
                "bucket-console.toml:3: scenarios.s step 1: `{{user}}` is not a var, a --var, or a value an earlier step saves",
            ],
        ),
        (
            "[[scenarios.s]]\nmethod = \"user\"\nbody = { userId = \"u\" }\nsave = { user = \"body:/userId\" }\nexpect = { status = 42, colde = \"x\" }\n",
            &[
                "bucket-console.toml:4: scenarios.s step 1: save.user = \"body:/userId\": write \"request:/pointer\" or \"response:/pointer\"",
                "bucket-console.toml:5: scenarios.s step 1: expect: unknown key `colde`; did you mean `code`?",
                "bucket-console.toml:5: scenarios.s step 1: expect.status is an HTTP status, 100 to 599",
            ],
        ),
        (
            "[vars]\nuuid = \"x\"\n",
            &[
                "bucket-console.toml:2: [vars]: `uuid` cannot be a var's name (letters, digits, _ and -, not a generator's name)",
            ],
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(&problems(text), expected, "{text}");
    }
}

/// A body a step expects to be refused is not checked, and its request is marked so.
#[test]
fn a_body_meant_to_be_refused_is_not_checked() {
    let text = "[requests.bad-score]\nmethod = \"feedback\"\nbody = { featureId = \"f\", userId = \"u\", score = 9 }\n\n[[scenarios.refusals]]\nrequest = \"bad-score\"\nexpect = { status = 400, error_path = \"/score\" }\n";
    let c = parse(Path::new("bucket-console.toml"), text, &[]).unwrap();
    assert!(c.requests["bad-score"].meant_to_fail);
    assert!(c.scenarios["refusals"][0].expect.wants_refusal());
}

#[test]
fn a_var_from_the_command_line_counts() {
    let text = "[requests.a]\nmethod = \"user\"\nbody = { userId = \"{{who}}\" }\n";
    assert!(parse(Path::new("c.toml"), text, &[]).is_err());
    assert!(parse(Path::new("c.toml"), text, &["who".to_owned()]).is_ok());
}

#[test]
fn the_shipped_example_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bucket-console.toml");
    let c = super::super::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(!c.requests.is_empty() && !c.scenarios.is_empty());
}

const FEATURES: &str = r#"
[features.export]
events = ["Exported report", "Exported CSV"]   # event-based: any of these is a use
feedback = "export-v2"

[features.slack]
attribute = "hasSlackEnabled"

[features.sso]
events = ["Signed in with SSO"]
segment = { attribute = "plan", equals = "enterprise" }
adopted_days = 3
"#;

#[test]
fn features_load_in_the_files_order_with_their_defaults() {
    use crate::api::stars::{Rules, Segment, Usage};
    let c = parse(Path::new("bucket-console.toml"), FEATURES, &[]).unwrap();
    let names: Vec<_> = c.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["export", "slack", "sso"]);
    assert_eq!(
        c.features[0].usage,
        Usage::Event {
            events: vec!["Exported report".into(), "Exported CSV".into()]
        }
    );
    assert_eq!(c.features[0].feedback, "export-v2");
    assert_eq!(c.features[1].feedback, "slack", "the name by default");
    assert_eq!(
        c.features[1].usage,
        Usage::Attribute {
            attribute: "hasSlackEnabled".into()
        }
    );
    assert_eq!(
        c.features[2].segment,
        Some(Segment {
            attribute: "plan".into(),
            equals: json!("enterprise")
        })
    );
    assert_eq!(
        c.features[2].rules,
        Rules {
            adopted_days: 3,
            ..Rules::default()
        }
    );
}

#[test]
fn a_bad_feature_is_named_with_its_line() {
    let got = problems(
        r#"[features.a]
events = ["x"]
attribute = "y"

[features.b]
feedback = "b"

[features.c]
events = "x"

[features.d]
events = ["x"]
adopted_days = 40
segment = { attribute = "plan" }
satisfied_score = 9
evnts = 1
"#,
    );
    assert_eq!(
        got,
        [
            "bucket-console.toml:3: features.a: `events` or `attribute`, not both",
            "bucket-console.toml:5: features.b: say how it is used: `events = [\"…\"]` (any of these events is a use) or `attribute = \"…\"` (a truthy company attribute)",
            "bucket-console.toml:9: features.c: events is a list of event names: events = [\"Exported report\"]",
            "bucket-console.toml:14: features.d: segment needs `attribute` and `equals`: segment = { attribute = \"plan\", equals = \"enterprise\" }",
            "bucket-console.toml:15: features.d: satisfied_score is a whole number from 0 to 5",
            "bucket-console.toml:16: features.d: unknown key `evnts`; did you mean `events`?",
        ]
    );
    let got = problems("[features.d]\nevents = [\"x\"]\nadopted_days = 40\n");
    assert_eq!(
        got,
        [
            "bucket-console.toml:1: feature `d`: the days to adopt (40) cannot exceed the window's 28 days"
        ]
    );
}

#[test]
fn the_key_is_found_whole_or_split_across_a_body() {
    let key =
        crate::api::AnyKey::parse(crate::api::Api::Tracking, "trCqx4DGo1lk3Lcct5NHLjWy").unwrap();
    for held in [
        serde_json::json!({"userId": "x trCqx4DGo1lk3Lcct5NHLjWy y"}),
        serde_json::json!({"userId": "u", "attributes": {"a": "trCqx4DG", "b": "o1lk3Lcct5NHLjWy"}}),
        serde_json::json!({"userId": "trCqx4DG", "z": ["o1lk3Lcct", "5NHLjWy"]}),
        serde_json::json!({"userId": "u", "trCqx4DGo1lk": "3Lcct5NHLjWy"}),
    ] {
        assert!(super::super::holds_key(&held, &key), "{held}");
    }
    let clean = serde_json::json!({"userId": "trCqx4DG", "attributes": {"n": 1}});
    assert!(!super::super::holds_key(&clean, &key));
    let local =
        crate::api::AnyKey::parse(crate::api::Api::Tracking, crate::profiles::LOCAL).unwrap();
    assert!(!super::super::holds_key(
        &serde_json::json!({"userId": "local"}),
        &local
    ));
}

/// One typo is one error: a broken step (or a misspelled `save`) still provides the names it
/// saves, and a misspelled method or template name gets a suggestion.
#[test]
fn one_typo_is_one_error_with_a_suggestion() {
    let found = problems(
        r#"
[vars]
plan = "pro"

[requests.signup]
method = "user"
body = { userId = "u1", attributes = { plan = "{{plna}}" } }

[requests.ev]
method = "evnt"
body = { event = "x", userId = "u1" }

[[scenarios.onboarding]]
request = "sign-up"
save = { user = "request:/userId" }

[[scenarios.onboarding]]
method = "company"
body = { companyId = "acme", userId = "{{user}}" }
sav = { company = "request:/companyId" }

[[scenarios.onboarding]]
method = "event"
body = { event = "e", userId = "{{user}}", companyId = "{{company}}" }
"#,
    );
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].contains("`{{plna}}`") && found[0].ends_with("did you mean `plan`?"));
    assert!(found[1].contains("unknown method `evnt`: did you mean `event`?"));
    assert!(found[2].contains("no request named `sign-up`"));
    assert!(found[3].contains("unknown key `sav`"));
}

#[test]
fn tags_are_read_on_requests_and_a_scenarios_first_step_only() {
    let text = "[requests.a]\nmethod = \"user\"\nbody = { userId = \"u\" }\ntags = [\"smoke\", \"fast\"]\n\n[[scenarios.s]]\nrequest = \"a\"\ntags = [\"slow\"]\n";
    let c = parse(Path::new("bucket-console.toml"), text, &[]).unwrap();
    assert_eq!(c.tags("a"), ["smoke", "fast"]);
    assert_eq!(c.tags("s"), ["slow"]);
    assert!(c.tags("nothing").is_empty());
    let got = problems(
        "[requests.a]\nmethod = \"user\"\nbody = { userId = \"u\" }\ntag = [\"x\"]\n\n[requests.b]\nmethod = \"user\"\nbody = { userId = \"u\" }\ntags = \"smoke\"\n\n[[scenarios.s]]\nrequest = \"a\"\n\n[[scenarios.s]]\nrequest = \"a\"\ntags = [\"late\"]\n",
    );
    assert_eq!(
        got,
        [
            "bucket-console.toml:4: requests.a: unknown key `tag`; did you mean `tags`?",
            "bucket-console.toml:9: requests.b: tags is a list of names (tags = [\"smoke\"]; letters, digits, _ and -)",
            "bucket-console.toml:14: scenarios.s step 2: tags go on a scenario's first step, for the whole scenario",
        ]
    );
}
