use super::*;
use crate::api::{FieldCode, ValidationError, Warning};
use crate::fixtures::exchange;

fn refused(errors: Vec<ValidationError>) -> Exchange {
    let mut e = exchange("feedback", 400, "{}", errors);
    e.error_code = Some(crate::api::ErrorCode::BodyValidationFailed);
    e
}

#[test]
fn a_2xx_passes_unless_more_is_asked() {
    let ok = exchange("event", 200, "{}", vec![]);
    assert_eq!(judge(&Expect::default(), &ok), Verdict::Passed);
    let mut warned = ok.clone();
    warned.warnings = vec![Warning::unassociated_user("u")];
    let wants = Expect {
        warning: Some("UNASSOCIATED_USER".into()),
        ..Expect::default()
    };
    assert_eq!(judge(&wants, &warned), Verdict::Passed);
    assert_eq!(
        judge(&wants, &ok),
        Verdict::Failed("expected the warning UNASSOCIATED_USER, got none".into())
    );
}

#[test]
fn a_4xx_is_a_refusal_unless_asked_for() {
    let bad = refused(vec![ValidationError::new(
        "/score",
        FieldCode::OutOfRange,
        "1 to 5",
    )]);
    assert!(
        matches!(judge(&Expect::default(), &bad), Verdict::Refused(why) if why.starts_with("400"))
    );
    let wants = Expect {
        status: Some(400),
        code: Some("BODY_VALIDATION_FAILED".into()),
        error_path: Some("/score".into()),
        ..Expect::default()
    };
    assert_eq!(judge(&wants, &bad), Verdict::Passed);
    let elsewhere = Expect {
        error_path: Some("/userId".into()),
        ..wants.clone()
    };
    assert_eq!(
        judge(&elsewhere, &bad),
        Verdict::Failed("expected an error at /userId, got /score".into())
    );
    let ok = exchange("feedback", 200, "{}", vec![]);
    assert!(
        matches!(judge(&wants, &ok), Verdict::Failed(why) if why.starts_with("expected 400, got 200"))
    );
}

#[test]
fn no_answer_is_undelivered_whatever_was_expected() {
    let mut gone = exchange("event", 200, "{}", vec![]);
    gone.outcome = Outcome::Failed;
    gone.response = None;
    let wants = Expect {
        status: Some(400),
        ..Expect::default()
    };
    assert!(matches!(judge(&wants, &gone), Verdict::Undelivered(_)));
}

#[test]
fn each_call_gets_its_own_stream_of_values() {
    assert_eq!(mix(7, 1), mix(7, 1));
    assert_ne!(mix(7, 1), mix(7, 2));
    assert_ne!(mix(7, 1), mix(8, 1));
}
