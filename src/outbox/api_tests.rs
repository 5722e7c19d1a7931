//! Items that say which API they were made for: the migration of older files, and the refusal
//! of newer ones.

use super::*;

/// An outbox as builds before this one wrote it: no `api` column, no version.
fn older_file(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE items (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             queued_at INTEGER NOT NULL,
             profile TEXT NOT NULL,
             key_fingerprint TEXT NOT NULL,
             method TEXT NOT NULL,
             body TEXT NOT NULL,
             attempts INTEGER NOT NULL DEFAULT 0,
             last_error TEXT,
             state TEXT NOT NULL DEFAULT 'queued',
             next_try_ms INTEGER NOT NULL DEFAULT 0,
             status INTEGER,
             validation_errors TEXT,
             origin TEXT NOT NULL DEFAULT 'console'
         );
         INSERT INTO items (queued_at, profile, key_fingerprint, method, body, attempts)
             VALUES (1, 'staging', '#abcdef', 'event', '{\"event\":\"e\",\"userId\":\"u\"}', 1);",
    )
    .unwrap();
}

#[test]
fn an_older_outbox_loads_unchanged_as_tracking_items_and_is_migrated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    older_file(&path);
    let outbox = Outbox::open(&path).unwrap();
    let items = outbox.list().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].api, Api::Tracking);
    assert_eq!(items[0].method, "event");
    assert_eq!(items[0].profile, "staging");
    let version: i64 = outbox
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, VERSION);
    drop(outbox);
    // Opened again: nothing to migrate, the same item.
    assert_eq!(Outbox::open(&path).unwrap().list().unwrap(), items);
}

#[test]
fn runtime_items_keep_their_api_and_route() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.sqlite3")).unwrap();
    let id = outbox
        .queue(&NewItem {
            origin: Origin::Console,
            profile: "rt",
            key_fingerprint: "#123456",
            api: Api::Runtime,
            route: "bulk",
            body: r#"[{"type":"user","userId":"u"}]"#,
            error: "timed out",
        })
        .unwrap();
    let item = outbox.get(id).unwrap();
    assert_eq!((item.api, item.method.as_str()), (Api::Runtime, "bulk"));
    let listed = serde_json::to_value(outbox.list().unwrap()).unwrap();
    assert_eq!(listed[0]["api"], "runtime", "{listed}");
}

#[test]
fn a_newer_outbox_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    drop(Outbox::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", VERSION + 1)
        .unwrap();
    let Err(e) = Outbox::open(&path) else {
        panic!("a newer file was opened");
    };
    let said = e.to_string();
    assert!(
        said.contains("outbox.sqlite3") && said.contains("newer bucket-console"),
        "{said}"
    );
}
