//! 4 → 5: the search index. A search of the events list matches few distinct strings (event
//! names, user and company ids repeat over millions of events): it matches the distinct values
//! first, then reads the events holding them through the indexes by name, user and company. The
//! users and companies tables already hold every user and company id an event names; the event
//! names get a table of their own, kept by ingest.
//!
//! A store that already holds events fills `event_names` in the background, in steps the writer
//! runs between batches (`store::search::build_step`): `search_build` says how far it got, and
//! searches scan the events until its row is gone. The build covers the events up to `last_id`;
//! later ones are added by ingest.

pub const SEARCH_INDEX: &str = "
CREATE TABLE IF NOT EXISTS event_names (
    key_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (key_id, event)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS search_build (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL
);
INSERT OR IGNORE INTO search_build (id, next_id, last_id)
    SELECT 1, (SELECT min(id) FROM events), (SELECT max(id) FROM events)
    WHERE EXISTS (SELECT 1 FROM events);
";
