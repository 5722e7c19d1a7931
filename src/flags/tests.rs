use super::*;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const FILE: &str = r#"{
  "features": [
    {
      "key": "huddle",
      "targeting": {
        "version": 1,
        "rules": [
          {"filter": {"type": "rolloutPercentage", "partialRolloutAttribute": "company.id", "partialRolloutThreshold": 5000}}
        ]
      }
    },
    {
      "key": "calls",
      "targeting": {"version": 1, "rules": []}
    }
  ]
}"#;

#[test]
fn a_file_and_a_collection_together_and_a_warning_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let sources = Sources {
        file: Some(write(&dir, "flags.json", FILE)),
        collection: Some(write(
            &dir,
            "bucket-console.toml",
            "[flags.beta]\ncompanies = [\"acme\"]\n",
        )),
    };
    let loaded = load(&sources).unwrap();
    let keys: Vec<_> = loaded.flags.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["huddle", "calls", "beta"]);
    assert_eq!((loaded.from_file, loaded.from_collection), (2, 1));
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].contains("flags.json:8: flag \"huddle\""),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn a_flag_in_both_places_names_both() {
    let dir = tempfile::tempdir().unwrap();
    let sources = Sources {
        file: Some(write(&dir, "flags.json", FILE)),
        collection: Some(write(
            &dir,
            "bucket-console.toml",
            "[vars]\nx = 1\n\n[flags.calls]\nenabled = true\n",
        )),
    };
    let e = load(&sources).unwrap_err().to_string();
    assert!(
        e.contains("bucket-console.toml:4: flag \"calls\" is defined here and in"),
        "{e}"
    );
    assert!(e.contains("flags.json:12"), "{e}");
}

#[test]
fn mistakes_are_on_their_line_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let bad = FILE.replace("\"partialRolloutAttribute\"", "\"partialRolloutAtribute\"");
    let file = write(&dir, "flags.json", &bad);
    let e = load(&Sources {
        file: Some(file.clone()),
        collection: None,
    })
    .unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].line, Some(8));
    assert!(
        e.to_string()
            .contains("did you mean \"partialRolloutAttribute\""),
        "{e}"
    );

    let contains = r#"[{"key": "x", "targeting": {"version": 1, "rules": [
        {"filter": {"type": "context", "field": "company.plan", "operator": "CONTAINS", "values": []}}]}}]"#;
    let file = write(&dir, "flags.json", contains);
    let e = load(&Sources {
        file: Some(file),
        collection: None,
    })
    .unwrap_err();
    assert_eq!(e.problems[0].line, Some(2), "{e}");
    assert!(e.to_string().contains("CONTAINS needs a value"), "{e}");

    let file = write(&dir, "flags.json", "{\n  \"features\": [\n    {,\n");
    let e = load(&Sources {
        file: Some(file),
        collection: None,
    })
    .unwrap_err();
    assert_eq!(e.problems[0].line, Some(3), "{e}");
    assert!(
        e.to_string().starts_with(&format!(
            "{}:3: not JSON",
            dir.path().join("flags.json").display()
        )),
        "{e}"
    );
}

#[test]
fn a_save_before_the_watch_began_is_still_followed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "flags.json", FILE);
    let sources = Sources {
        file: Some(file.clone()),
        collection: None,
    };
    let first = load(&sources).unwrap();
    // Saved after the caller's load and before the watch exists: no notice will ever come.
    std::fs::write(&file, FILE.replace("\"huddle\"", "\"huddle-2\"")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let following = watch::follow(sources, move |r| {
        let _ = tx.send(r);
    })
    .unwrap();
    let seen = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the save made before the watch is never read")
        .unwrap();
    assert_ne!(seen.flags, first.flags);
    assert!(seen.flags.iter().any(|f| f.key == "huddle-2"), "{seen:?}");
    drop(following);
}
