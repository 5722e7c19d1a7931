//! What the writer knows is stored, so that an event costs no lookup of rows it has already seen:
//! its user, company and name, whether its user belongs to a company, and where its key's list
//! ends. On a store of a million events each of those lookups is a seek through a tree one level
//! deeper than at ten thousand, and together they were about half the seeks an event made.
//!
//! Every fact kept here stays true once committed: nothing deletes users, companies, memberships
//! or event names, and a numbered list (`store::sequence`) changes only by rows the writer adds.
//! What could make one false is forgotten whole: a commit by any other connection (another server
//! on the same file, an edit by hand), seen through `PRAGMA data_version`, and any rollback of
//! the writer's own, which may have undone a row noted here.

use super::sequence::Numbered;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Rows the writer looks up before adding to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Company,
    /// A user with at least one company.
    Member,
    EventName,
}

const KINDS: usize = 4;

impl Kind {
    const fn index(self) -> usize {
        match self {
            Kind::User => 0,
            Kind::Company => 1,
            Kind::Member => 2,
            Kind::EventName => 3,
        }
    }
}

/// Ids kept per kind at most (a few megabytes): past it that kind starts over, costing lookups
/// again, never a wrong answer.
const LIMIT: usize = 50_000;

/// The last row of a key's numbered list: when it was received and its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tail {
    pub received_ms: i64,
    pub seq: i64,
}

#[derive(Default)]
pub struct Known {
    /// `PRAGMA data_version` when last checked: it changes with every other connection's commit.
    version: Option<i64>,
    ids: [Ids; KINDS],
    tails: HashMap<(Numbered, i64), Tail>,
}

/// The ids of one kind, by tracking key.
#[derive(Default)]
struct Ids {
    by_key: HashMap<i64, HashSet<String>>,
    len: usize,
}

impl Known {
    /// Forgets everything if another connection committed since the last check. Call it inside
    /// the write transaction: no commit can come between the check and the writes that trust it.
    pub fn check(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        if self.version != Some(version) {
            self.forget();
            self.version = Some(version);
        }
        Ok(())
    }

    /// After a rollback: rows noted since the last commit may be gone.
    pub fn forget(&mut self) {
        self.ids = Default::default();
        self.tails.clear();
    }

    pub fn has(&self, kind: Kind, key: i64, id: &str) -> bool {
        self.ids[kind.index()]
            .by_key
            .get(&key)
            .is_some_and(|ids| ids.contains(id))
    }

    pub fn note(&mut self, kind: Kind, key: i64, id: &str) {
        let ids = &mut self.ids[kind.index()];
        if ids.len >= LIMIT {
            *ids = Ids::default();
        }
        if ids.by_key.entry(key).or_default().insert(id.to_owned()) {
            ids.len += 1;
        }
    }

    pub fn tail(&self, list: Numbered, key: i64) -> Option<Tail> {
        self.tails.get(&(list, key)).copied()
    }

    pub fn set_tail(&mut self, list: Numbered, key: i64, tail: Option<Tail>) {
        match tail {
            Some(tail) => self.tails.insert((list, key), tail),
            None => self.tails.remove(&(list, key)),
        };
    }
}

#[cfg(test)]
#[path = "known_tests.rs"]
mod tests;
