//! The key's companies as the funnel reads them: by position (sorted by id), who belongs to
//! which, and their attributes when a feature needs them. Read once per request and looked up in
//! memory, which is cheaper than joining every (day, user) in SQL; kept in sorted vectors looked
//! up by halving rather than in hash maps, as building those (an id cloned and hashed per company
//! and per user) was a quarter of a request over ten thousand companies.

use rusqlite::Connection;
use serde_json::{Map, Value};
use std::collections::HashMap;

pub(super) struct Companies {
    /// Sorted as SQLite sorts them (bytewise, as `str` compares).
    pub(super) ids: Vec<String>,
    pub(super) attributes: Vec<Map<String, Value>>,
    pub(super) memberships_of: Memberships,
    /// One user of each company (the first by id), to fill a form that moves the company on:
    /// its place among the users of [`Memberships`].
    first_member: Vec<Option<usize>>,
}

/// Each user's companies (positions in [`Companies::ids`]), users sorted by id.
#[derive(Default)]
pub(super) struct Memberships {
    users: Vec<String>,
    /// Where each user's companies start in `of`; one more entry than `users`.
    starts: Vec<usize>,
    of: Vec<usize>,
}

impl Memberships {
    pub(super) fn get(&self, user: &str) -> Option<&[usize]> {
        let at = self.users.binary_search_by(|u| u.as_str().cmp(user)).ok()?;
        self.of.get(self.starts[at]..self.starts[at + 1])
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.users
            .iter()
            .zip(self.starts.windows(2))
            .map(|(u, w)| (u.as_str(), &self.of[w[0]..w[1]]))
    }
}

impl Companies {
    pub(super) fn read(
        conn: &Connection,
        key_id: i64,
        with_attributes: bool,
    ) -> rusqlite::Result<Self> {
        let mut ids = Vec::new();
        let mut attributes = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT company_id, attributes FROM companies WHERE key_id = ?1 ORDER BY company_id",
        )?;
        let mut rows = stmt.query([key_id])?;
        while let Some(row) = rows.next()? {
            ids.push(row.get::<_, String>(0)?);
            attributes.push(if with_attributes {
                serde_json::from_str(row.get_ref(1)?.as_str()?).unwrap_or_default()
            } else {
                Map::new()
            });
        }
        // Borrowed from `ids`, for the memberships (which come in the order of users).
        let position: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut first_member = vec![None; ids.len()];
        let mut memberships = Memberships {
            starts: vec![0],
            ..Memberships::default()
        };
        // In the order of users, so that each user's companies come together and each company's
        // first user comes first.
        let mut stmt = conn.prepare_cached(
            "SELECT user_id, company_id FROM memberships INDEXED BY memberships_by_user
              WHERE key_id = ?1 ORDER BY user_id, company_id",
        )?;
        let mut rows = stmt.query([key_id])?;
        while let Some(row) = rows.next()? {
            let Some(&at) = position.get(row.get_ref(1)?.as_str()?) else {
                continue;
            };
            let user = row.get_ref(0)?.as_str()?;
            if memberships.users.last().is_none_or(|last| last != user) {
                memberships.starts.push(memberships.of.len());
                memberships.users.push(user.to_owned());
            }
            if first_member[at].is_none() {
                first_member[at] = Some(memberships.users.len() - 1);
            }
            memberships.of.push(at);
            if let Some(end) = memberships.starts.last_mut() {
                *end = memberships.of.len();
            }
        }
        drop(position);
        Ok(Self {
            ids,
            attributes,
            memberships_of: memberships,
            first_member,
        })
    }

    /// One user of the company at `at` (the first by id).
    pub(super) fn first_member(&self, at: usize) -> Option<&str> {
        let user = self.first_member.get(at).copied().flatten()?;
        self.memberships_of.users.get(user).map(String::as_str)
    }

    /// The position of company `id`.
    pub(super) fn at(&self, id: &str) -> Option<usize> {
        self.ids.binary_search_by(|c| c.as_str().cmp(id)).ok()
    }
}

/// Finds the companies of rows that come ordered by company or by user (a step or two past the
/// last one found, rather than halving ten thousand ids again for each row); rows out of order
/// are found too, by halving from the start.
pub(super) struct Cursor<'a> {
    companies: &'a Companies,
    company: usize,
    user: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(companies: &'a Companies) -> Self {
        Self {
            companies,
            company: 0,
            user: 0,
        }
    }

    /// The position of company `id`.
    pub(super) fn company(&mut self, id: &str) -> Option<usize> {
        seek(&self.companies.ids, &mut self.company, id)
    }

    /// The companies `user` belongs to; `None` for a user in none.
    pub(super) fn companies_of(&mut self, user: &str) -> Option<&'a [usize]> {
        let m = &self.companies.memberships_of;
        let at = seek(&m.users, &mut self.user, user)?;
        m.of.get(m.starts[at]..m.starts[at + 1])
    }
}

/// Where `key` is in `sorted`, looked for from `hint` onwards when it is not before it (1, 2, 4…
/// steps, then halving), from the start otherwise; `hint` is left where it was found or would be.
fn seek(sorted: &[String], hint: &mut usize, key: &str) -> Option<usize> {
    let from = (*hint).min(sorted.len());
    let found = if sorted.get(from).is_some_and(|s| s.as_str() <= key) {
        let (mut low, mut step) = (from, 1);
        let mut high = low + step;
        while high < sorted.len() && sorted[high].as_str() <= key {
            low = high;
            step *= 2;
            high = low + step;
        }
        let high = high.min(sorted.len());
        sorted[low..high]
            .binary_search_by(|s| s.as_str().cmp(key))
            .map(|i| low + i)
            .map_err(|i| low + i)
    } else {
        sorted.binary_search_by(|s| s.as_str().cmp(key))
    };
    match found {
        Ok(at) => {
            *hint = at;
            Some(at)
        }
        Err(at) => {
            *hint = at;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Companies, Cursor, seek};
    use proptest::prelude::*;
    use rusqlite::Connection;

    /// Who belongs to which, and each company's first user by id, whatever order they joined in;
    /// a membership of a company the key does not have is none.
    #[test]
    fn memberships_are_read_by_user_and_each_company_names_its_first_user() {
        let conn = Connection::open_in_memory().unwrap();
        crate::server::store::schema::create(&conn).unwrap();
        for c in ["a", "b", "c"] {
            conn.execute(
                "INSERT INTO companies (key_id, company_id, attributes, first_seen) \
                 VALUES (1, ?1, '{\"plan\":1}', 0)",
                [c],
            )
            .unwrap();
        }
        for (c, u) in [
            ("a", "u2"),
            ("b", "u3"),
            ("a", "u1"),
            ("zz", "u4"),
            ("b", "u2"),
        ] {
            conn.execute(
                "INSERT INTO memberships (key_id, company_id, user_id) VALUES (1, ?1, ?2)",
                [c, u],
            )
            .unwrap();
        }
        let companies = Companies::read(&conn, 1, true).unwrap();
        assert_eq!(companies.ids, ["a", "b", "c"]);
        assert_eq!(companies.attributes[2]["plan"], 1);
        let firsts: Vec<Option<&str>> = (0..3).map(|at| companies.first_member(at)).collect();
        assert_eq!(firsts, [Some("u1"), Some("u2"), None]);
        let of = |u: &str| companies.memberships_of.get(u).map(<[usize]>::to_vec);
        assert_eq!(
            (of("u1"), of("u2"), of("u3"), of("u4")),
            (Some(vec![0]), Some(vec![0, 1]), Some(vec![1]), None)
        );
        let mut cursor = Cursor::new(&companies);
        assert_eq!(cursor.companies_of("u3"), Some(&[1][..]));
        assert_eq!(cursor.companies_of("u1"), Some(&[0][..]));
        assert_eq!(
            (cursor.company("c"), cursor.company("a")),
            (Some(2), Some(0))
        );
    }

    proptest! {
        /// Found from any hint, in any order, exactly where halving the whole finds it.
        #[test]
        fn a_seek_from_any_hint_finds_what_halving_finds(
            set in proptest::collection::btree_set("[a-d]{0,3}", 0..40),
            keys in proptest::collection::vec("[a-d]{0,3}", 0..40),
            hint in 0usize..50,
        ) {
            let sorted: Vec<String> = set.into_iter().collect();
            let mut hint = hint;
            for key in &keys {
                prop_assert_eq!(
                    seek(&sorted, &mut hint, key),
                    sorted.binary_search(key).ok()
                );
            }
        }
    }
}
