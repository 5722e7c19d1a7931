//! The store's file as a careless or hostile disk would hand it over: damaged, another program's,
//! written by a newer bucket-console. Each is refused with what to do and left byte for byte as
//! it was. And the write-ahead log does not outlive a clean stop.

use crate::support::{KEY, TestServer, binary, listening_on};
use bucket_console::server::{self, ServerConfig, Storage};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A store of ours with `events` events, stopped cleanly.
async fn store_with(dir: &Path, events: usize) -> PathBuf {
    let db = dir.join("store.sqlite3");
    let s = TestServer::with(ServerConfig::ephemeral(Storage::File(db.clone()))).await;
    for i in 0..events {
        s.ok(
            "event",
            json!({"event": "kept", "userId": i, "attributes": {"pad": "x".repeat(200)}}),
        )
        .await;
    }
    s.server.shutdown().await.unwrap();
    db
}

/// Starts a server on `db` and returns why it was refused.
async fn refusal(db: &Path) -> String {
    match server::start(ServerConfig::ephemeral(Storage::File(db.to_path_buf()))).await {
        Ok(_) => panic!("{} was served", db.display()),
        Err(e) => e.to_string(),
    }
}

fn side_files(db: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut p = db.as_os_str().to_owned();
            p.push(s);
            PathBuf::from(p)
        })
        .filter(|p| p.exists())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_store_is_refused_with_what_to_do_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with(dir.path(), 300).await;
    let whole = std::fs::read(&db).unwrap();
    assert!(whole.len() > 16 * 4096, "{} bytes", whole.len());

    // Cut in half, as a copy interrupted or a full disk leaves it.
    std::fs::write(&db, &whole[..whole.len() / 2]).unwrap();
    let cut = std::fs::read(&db).unwrap();
    let why = refusal(&db).await;
    assert!(why.contains("is damaged"), "{why}");
    assert!(why.contains(".recover") && why.contains("--db"), "{why}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        cut,
        "the damaged file was changed"
    );

    // Pages overwritten in the middle.
    let mut scribbled = whole.clone();
    scribbled[6 * 4096..10 * 4096].fill(0xA5);
    std::fs::write(&db, &scribbled).unwrap();
    let why = refusal(&db).await;
    assert!(why.contains("is damaged"), "{why}");
    assert_eq!(std::fs::read(&db).unwrap(), scribbled);

    // Not a database at all.
    std::fs::write(&db, b"just some notes, not a database\n".repeat(200)).unwrap();
    let why = refusal(&db).await;
    assert!(
        why.contains("is damaged") && why.contains("not a database"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_programs_database_is_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);
             INSERT INTO notes (text) VALUES ('keep me');",
        )
        .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let why = refusal(&db).await;
    assert!(why.contains("not a bucket-console store"), "{why}");
    assert!(why.contains("tables notes"), "{why}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(side_files(&db), Vec::<PathBuf>::new());

    // Another program that stamps its own application id, even with tables named like ours.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA application_id = 1234; CREATE TABLE events (id INTEGER); PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    let before = std::fs::read(&db).unwrap();
    let why = refusal(&db).await;
    assert!(why.contains("application id 0x000004d2"), "{why}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_store_is_refused_before_its_journal_mode_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with(dir.path(), 3).await;
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete");
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let why = refusal(&db).await;
    assert!(why.contains("schema version 99"), "{why}");
    assert!(why.contains("left as it was"), "{why}");
    assert!(
        why.contains(&db.display().to_string()),
        "an older binary names the file it refuses: {why}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(side_files(&db), Vec::<PathBuf>::new());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_from_before_the_application_id_is_adopted_and_stamped() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with(dir.path(), 2).await;
    let id = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(id(&db), 0x4243_4F4E, "a new store is stamped");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    let s = TestServer::with(ServerConfig::ephemeral(Storage::File(db.clone()))).await;
    assert_eq!(s.inspect("stats").await["events"], 2);
    s.server.shutdown().await.unwrap();
    assert_eq!(id(&db), 0x4243_4F4E);
}

#[test]
fn a_clean_stop_leaves_the_write_ahead_log_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let mut child = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--quiet", "--db"])
        .arg(&db)
        .env("HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = listening_on(&mut child);
    let rt = crate::support::runtime();
    rt.block_on(async {
        let http = reqwest::Client::new();
        for i in 0..50 {
            let r = http
                .post(format!("{base}/{KEY}/event"))
                .json(&json!({"event": "kept", "userId": i}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let r = http
            .get(format!("{base}/_local/{KEY}/stats"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "the calls went through the log"
    );
    crate::support::sigterm(&child);
    assert!(child.wait().unwrap().success());
    let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert_eq!(left, 0, "the log kept {left} bytes after a clean stop");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let events: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 50);
}
