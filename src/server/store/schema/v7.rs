//! 6 → 7: the position of each event and flag check in its key's list (`seq`, 1 for the oldest by
//! `(received_at, id)`), so that a deep `offset` of an unfiltered list is an index seek instead of
//! a walk past every earlier row. The writer keeps it exact (`store::sequence`); rows already
//! stored are numbered here, once.
//!
//! Numbered 6: 5 is the search index another branch adds. On this branch it is the 4 → 5 step;
//! the migration list orders them when both are merged.

pub const SEQUENCE: &str = "
ALTER TABLE events ADD COLUMN seq INTEGER;
UPDATE events SET seq = ranked.n
  FROM (SELECT id, row_number() OVER (PARTITION BY key_id ORDER BY received_at, id) AS n
        FROM events) AS ranked
 WHERE events.id = ranked.id;
CREATE INDEX IF NOT EXISTS events_by_seq ON events (key_id, seq);

ALTER TABLE flag_events ADD COLUMN seq INTEGER;
UPDATE flag_events SET seq = ranked.n
  FROM (SELECT id, row_number() OVER (PARTITION BY key_id ORDER BY received_at, id) AS n
        FROM flag_events) AS ranked
 WHERE flag_events.id = ranked.id;
CREATE INDEX IF NOT EXISTS flag_events_by_seq ON flag_events (key_id, seq);
";
