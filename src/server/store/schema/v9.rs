//! 8 → 9: what each event changes besides its own row (its user's and company's `lastSeen`, and
//! its row of `event_blocks`) is written by the writer a few commits later, for many events at
//! once (`store::derived`), instead of in the event's own commit. Past ten thousand users those
//! rows lie on a hundred pages or more, and a commit of thirty events wrote about one of them per
//! event and row: a million events in, that was two of the five pages each event cost. Written
//! together, a page carries many events' changes.
//!
//! The events are the record: `derived.events_through` says up to which event their changes are
//! written, and each write reads back the ones after it, so a crash in between loses nothing. For
//! that the writer must know which events were not active (`context.active` false: they move no
//! `lastSeen`), so events now keep it.

pub const DERIVED: &str = "
DROP TRIGGER IF EXISTS event_blocks_kept;
ALTER TABLE events ADD COLUMN inactive INTEGER;
CREATE TABLE IF NOT EXISTS derived (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- every event with an id up to this one has its lastSeen and block written
    events_through INTEGER NOT NULL
);
INSERT INTO derived (id, events_through) SELECT 1, coalesce(max(id), 0) FROM events;
";
