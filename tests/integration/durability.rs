//! Durability: a `serve` child under concurrent load is killed with SIGKILL at random moments;
//! after each restart every call that was answered 200 is there, with what it changes in other
//! rows, and the database is intact.

use crate::support::{KEY, binary};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Serve {
    child: Child,
    base: String,
}

/// A failing assertion must not leave servers behind.
impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(db: &std::path::Path) -> Serve {
    let mut child = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--quiet", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let base = crate::support::listening_on(&mut child);
    Serve { child, base }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_no_answered_call() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("durable.sqlite3");
    let acknowledged: Arc<Mutex<HashSet<String>>> = Arc::default();
    let http = reqwest::Client::new();

    for round in 0..4 {
        let mut serve = spawn(&db);
        let mut load = Vec::new();
        // Set at the kill: a worker stops even if its port is taken over by another test's
        // server (ports are reused), which would answer it forever or be counted as ours.
        let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        for worker in 0..16 {
            let (http, base, acked) = (http.clone(), serve.base.clone(), Arc::clone(&acknowledged));
            let killed = Arc::clone(&killed);
            load.push(tokio::spawn(async move {
                for i in 0.. {
                    if killed.load(std::sync::atomic::Ordering::SeqCst) {
                        return;
                    }
                    let name = format!("r{round}-w{worker}-{i}");
                    let body = json!({"event": name, "userId": worker, "companyId": "c"});
                    match http
                        .post(format!("{base}/{KEY}/event"))
                        .json(&body)
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                    {
                        Ok(resp) if resp.status() == 200 => {
                            acked.lock().unwrap().insert(name);
                        }
                        Ok(resp) => panic!("unexpected {}", resp.status()),
                        Err(_) => return,
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(150 + fastrand::u64(0..400))).await;
        // Before the kill: no call starts after it, so none can reach a server that took the port.
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        serve.child.kill().expect("SIGKILL");
        drop(serve);
        for task in load {
            task.await.unwrap();
        }

        let serve = spawn(&db);
        let mut stored = HashSet::new();
        let mut offset = 0;
        loop {
            let page: Vec<Value> = http
                .get(format!(
                    "{}/_local/{KEY}/events?limit=1000&offset={offset}",
                    serve.base
                ))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            offset += page.len();
            stored.extend(page.iter().map(|e| e["event"].as_str().unwrap().to_owned()));
            if page.len() < 1000 {
                break;
            }
        }
        let acked = acknowledged.lock().unwrap().clone();
        let lost: Vec<_> = acked.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} answered calls lost, e.g. {:?}",
            lost.len(),
            lost.first()
        );
        assert!(
            acked.len() > round * 10,
            "round {round}: the load did run ({} acknowledged)",
            acked.len()
        );
        drop(serve);

        intact(&db, round);
    }
}

/// The database after a kill and a restart: sound, and what events change besides their rows
/// is there. That is written a few commits after them; the kill came in between, and the restart
/// wrote it from the events.
fn intact(db: &std::path::Path, round: usize) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "round {round}");
    // Each name is used once.
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT count(*) FROM event_blocks"),
        count("SELECT count(*) FROM events"),
        "round {round}: a block for every event"
    );
    let behind = count(
        "SELECT count(*) FROM users u
          WHERE last_seen IS NOT (SELECT max(timestamp) FROM events e WHERE e.user_id = u.user_id)",
    );
    assert_eq!(
        behind, 0,
        "round {round}: users whose lastSeen is not their last event"
    );
    let company = count("SELECT last_seen FROM companies WHERE company_id = 'c'");
    assert_eq!(
        company,
        count("SELECT max(timestamp) FROM events"),
        "round {round}"
    );
}
