//! 9 → 10: whose events are whose, written in large sorted batches. `events_by_user` and
//! `events_by_company` placed each new event by its user and company: past a few hundred thousand
//! events each event of a group commit wrote a page of each of them, and every checkpoint copied
//! those pages again (a million events in, ingest ran at 70 % of its rate at ten thousand; without
//! the two indexes at 85–100 %).
//!
//! Their place is taken by three tables of the same entries: `owners_recent`, which a trigger
//! fills as events are stored and which stays a few dozen pages (a commit's entries share them),
//! `owners_middle`, a few hundred, and `owners_merged`, each getting the entries of the table
//! before it a slice per commit in key order (`store::owners`), so that each of their pages is
//! written once for many events. Reads take all three through the view `event_owners`. Triggers
//! keep the entries whoever writes the events: the writer, a test's fixture or a hand-edited store.

/// One of the three tables of entries: `owner` is the event's user id when `by_company` is 0, its
/// company id when 1.
macro_rules! owners_table {
    ($name:literal) => {
        concat!(
            "CREATE TABLE IF NOT EXISTS ",
            $name,
            " (
    key_id INTEGER NOT NULL,
    by_company INTEGER NOT NULL,
    owner TEXT NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (key_id, by_company, owner, id)
) WITHOUT ROWID;
"
        )
    };
}

/// In a trigger: the entries of the event as it was, from whichever table holds them.
macro_rules! forget_old {
    ($($table:literal),+) => {
        concat!($(
            "    DELETE FROM ", $table, " WHERE id = old.id AND key_id = old.key_id
        AND ((by_company = 0 AND owner = old.user_id) OR (by_company = 1 AND owner = old.company_id));
"
        ),+)
    };
}

/// In a trigger: the entries of the event as it is, in the recent table.
macro_rules! own_new {
    () => {
        "    INSERT INTO owners_recent (key_id, by_company, owner, id)
        VALUES (new.key_id, 0, new.user_id, new.id);
    INSERT INTO owners_recent (key_id, by_company, owner, id)
        SELECT new.key_id, 1, new.company_id, new.id WHERE new.company_id IS NOT NULL;
"
    };
}

pub const OWNERS: &str = concat!(
    "
DROP INDEX IF EXISTS events_by_user;
DROP INDEX IF EXISTS events_by_company;
",
    owners_table!("owners_merged"),
    owners_table!("owners_middle"),
    owners_table!("owners_recent"),
    "CREATE VIEW IF NOT EXISTS event_owners AS
    SELECT key_id, by_company, owner, id FROM owners_merged
    UNION ALL SELECT key_id, by_company, owner, id FROM owners_middle
    UNION ALL SELECT key_id, by_company, owner, id FROM owners_recent;

CREATE TRIGGER IF NOT EXISTS events_owned AFTER INSERT ON events BEGIN
",
    own_new!(),
    "END;
CREATE TRIGGER IF NOT EXISTS events_disowned AFTER DELETE ON events BEGIN
",
    forget_old!("owners_recent", "owners_middle", "owners_merged"),
    "END;
CREATE TRIGGER IF NOT EXISTS events_owned_again AFTER UPDATE OF key_id, user_id, company_id ON events
BEGIN
",
    forget_old!("owners_recent", "owners_middle", "owners_merged"),
    own_new!(),
    "END;

DELETE FROM owners_recent;
DELETE FROM owners_middle;
DELETE FROM owners_merged;
INSERT INTO owners_merged (key_id, by_company, owner, id)
    SELECT key_id, 0, user_id, id FROM events
    UNION ALL SELECT key_id, 1, company_id, id FROM events WHERE company_id IS NOT NULL
    ORDER BY 1, 2, 3, 4;
"
);
