//! The flag state version (schema v4): kept with the digest of the definitions it numbers, so it
//! stays put across a restart with the same definitions and only ever grows.

use super::{Store, StoreError, writer};
use rusqlite::{Connection, OptionalExtension};
use tokio::sync::oneshot;

impl Store {
    /// The version of the definitions whose digest is `digest`: the stored one when they are the
    /// stored ones, else one more (written). A store that never numbered definitions numbers
    /// `empty` (no flags) 0 without writing, so a server without flags leaves the file as it was.
    pub async fn flag_state_version(&self, digest: String, empty: bool) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        // On the writer's connection: the only one that may write, and after every write queued
        // before this one.
        let job: writer::ReadJob = Box::new(move |conn| {
            let _ = reply.send(advance(conn, &digest, empty));
        });
        self.jobs
            .send(writer::Job::Read(job))
            .map_err(|_| StoreError::Closed)?;
        Ok(answer.await.map_err(|_| StoreError::Closed)??)
    }
}

fn advance(conn: &Connection, digest: &str, empty: bool) -> rusqlite::Result<i64> {
    let stored: Option<(i64, String)> = conn
        .query_row(
            "SELECT version, digest FROM flag_state WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let version = match stored {
        Some((version, known)) if known == digest => return Ok(version),
        None if empty => return Ok(0),
        Some((version, _)) => version + 1,
        None => 1,
    };
    conn.execute(
        "INSERT INTO flag_state (id, version, digest) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, digest = excluded.digest",
        rusqlite::params![version, digest],
    )?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use crate::server::store::{Storage, Store};

    #[tokio::test]
    async fn the_version_grows_with_each_change_and_stays_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let store = Store::open(&Storage::File(path.clone())).unwrap();
        let v = |s: &Store, d: &str, empty: bool| {
            let s = s.clone();
            let d = d.to_owned();
            async move { s.flag_state_version(d, empty).await.unwrap() }
        };
        assert_eq!(v(&store, "none", true).await, 0);
        assert_eq!(v(&store, "a", false).await, 1);
        assert_eq!(v(&store, "a", false).await, 1);
        assert_eq!(v(&store, "b", false).await, 2);
        assert_eq!(
            v(&store, "none", true).await,
            3,
            "no flags after some is a change"
        );
        store.close().await;
        let store = Store::open(&Storage::File(path)).unwrap();
        assert_eq!(v(&store, "none", true).await, 3);
        assert_eq!(
            v(&store, "a", false).await,
            4,
            "back to old definitions still grows"
        );
    }
}
