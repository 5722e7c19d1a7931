//! 7 → 8: the STARS funnel's index by name follows time. `events_by_name` was ordered by company,
//! day and user within each event name, so every stored event wrote a page of it chosen at random:
//! past a few hundred thousand events each group commit wrote about one page of it per event, and
//! each checkpoint copied them again (ingest spent a fifth to a quarter of its time on it). Its
//! place is taken by an index ordered by time within each name, which ingest only appends to.
//!
//! What the old order gave and this one does not: a company's first and last use before a window
//! by seeking, which `event_blocks` now answers (`store::stars` span); and the window's uses
//! grouped by company without sorting, which only the reads from the events (uses after the as-of
//! day in its block of days, or the tests' reference) needed.

pub const EVENTS_BY_NAME_AND_TIME: &str = "
DROP INDEX IF EXISTS events_by_name;
CREATE INDEX IF NOT EXISTS events_by_name_and_time
    ON events (key_id, event, timestamp, company_id, user_id, received_at);
";
