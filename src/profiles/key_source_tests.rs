use super::*;

fn sh(script: &str) -> KeyFrom {
    KeyFrom::Command(vec!["sh".into(), "-c".into(), script.into()])
}

#[test]
fn the_first_line_of_output_is_the_key_and_stdin_is_closed() {
    let key = read(
        &sh("read line || echo \"tr_from_cmd\"; echo second"),
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(
        key, "tr_from_cmd",
        "stdin gives nothing, so read fails at once"
    );
}

#[test]
fn a_failing_command_says_how_and_shows_its_stderr_never_its_output() {
    let err = read(
        &sh("echo le''aked-key; echo 'no entry reflag/prod' >&2; exit 3"),
        TIMEOUT,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("failed (exit status: 3)"), "{err}");
    assert!(err.contains("it said: no entry reflag/prod"), "{err}");
    assert!(!err.contains("leaked-key"), "{err}");
    let empty = read(&sh("echo; echo 'locked' >&2"), TIMEOUT)
        .unwrap_err()
        .to_string();
    assert!(
        empty.contains("printed nothing") && empty.contains("locked"),
        "{empty}"
    );
    let missing = read(
        &KeyFrom::Command(vec!["/nonexistent/key-helper".into()]),
        TIMEOUT,
    )
    .unwrap_err()
    .to_string();
    assert!(
        missing.contains("`/nonexistent/key-helper` could not start"),
        "{missing}"
    );
}

#[test]
fn a_command_that_hangs_is_stopped() {
    let started = Instant::now();
    let err = read(&sh("sleep 30"), Duration::from_millis(300)).unwrap_err();
    assert!(matches!(err, KeySourceError::TimedOut { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(err.to_string().contains("within 10 seconds"), "{err}");
}

#[test]
fn commands_split_as_a_shell_would_without_running_one() {
    assert_eq!(
        split_command("pass show 'reflag/prod key' $HOME;x").unwrap(),
        ["pass", "show", "reflag/prod key", "$HOME;x"]
    );
    assert!(matches!(
        split_command("pass 'open"),
        Err(KeySourceError::Split(_))
    ));
    assert!(matches!(
        split_command("  "),
        Err(KeySourceError::NoCommand)
    ));
    let from = KeyFrom::Command(split_command("pass show 'a b'").unwrap());
    assert_eq!(from.describe(), "from `pass show 'a b'`");
    assert_eq!(KeyFrom::Env("PROD_KEY".into()).describe(), "from $PROD_KEY");
}

#[test]
fn a_command_runs_once_per_process() {
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count");
    let from = sh(&format!("echo x >> '{}'; echo tr_once", count.display()));
    assert_eq!(known(&from), None);
    assert_eq!(read_once(&from).unwrap(), "tr_once");
    assert_eq!(read_once(&from).unwrap(), "tr_once");
    assert_eq!(known(&from), Some(Ok("tr_once".to_owned())));
    assert_eq!(std::fs::read_to_string(&count).unwrap(), "x\n");
}

#[test]
fn a_runtime_profile_reads_its_secret_key_the_same_way_and_a_wrong_key_is_not_quoted() {
    use crate::api::{AnyKey, Api};
    use crate::profiles::{Env, Profile, Profiles, select};
    const SECRET: &str = "sec_from_a_command_0123456789";
    let printed = |key: &str| KeyFrom::Command(vec!["printf".into(), "%s\\n".into(), key.into()]);
    let mut all = Profiles::default();
    for (name, api, from) in [
        ("rt", Api::Runtime, printed(SECRET)),
        ("tr", Api::Tracking, sh("echo 'not a'' key!'")),
    ] {
        let profile = Profile {
            name: name.into(),
            key: AnyKey::unread(api),
            key_from: from,
            ..Profile::local()
        };
        all.add(profile, false).unwrap();
    }
    let rt = select(&all, Some("rt"), &Env::default()).unwrap().profile;
    assert_eq!(
        (rt.key.expose(), rt.key.describe()),
        (SECRET, "runtime · secret")
    );
    let err = select(&all, Some("tr"), &Env::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("profile `tr`: the key read from `sh -c"),
        "{err}"
    );
    assert!(!err.contains("not a key!"), "{err}");
    let overridden = Env {
        tracking_key: Some("trFromTheEnvironment".into()),
        ..Env::default()
    };
    let tr = select(&all, Some("tr"), &overridden).unwrap().profile;
    assert_eq!(
        tr.key.expose(),
        "trFromTheEnvironment",
        "BUCKET_TRACKING_KEY wins, nothing is read"
    );
}
