//! 5 → 6: the days on which each company (or each user, for uses naming no company) used each
//! event, kept by ingest. The STARS funnel reads a feature's window from these rows, one per
//! company or user and block of 63 days, instead of every event of the feature: a million events
//! of one name are a few tens of thousands of rows here. `events_by_name` stays for what the rows
//! cannot tell (which uses of the as-of day come before the as-of time when later days of its
//! block have some, and the first and last use of a few companies).

/// Days per row: one bit each, in a non-negative INTEGER.
pub const BLOCK_DAYS: i64 = 63;

/// The upsert of one use from `$source` (rows with `key_id`, `event`, `user_id`, `company_id`
/// and `timestamp`): the trigger's source is the inserted row, the migration's every stored
/// event. Days are UTC days since the epoch; uses before 1970 all go to block -1 with no bit,
/// the funnel reading them from the events themselves.
macro_rules! upsert {
    ($source:literal) => {
        concat!(
            "INSERT INTO event_blocks (key_id, event, block, by_company, owner, days, last_ms, last_day_first_ms)
             SELECT key_id, event,
                    CASE WHEN timestamp < 0 THEN -1 ELSE timestamp / 86400000 / 63 END,
                    company_id IS NOT NULL, coalesce(company_id, user_id),
                    CASE WHEN timestamp < 0 THEN 0 ELSE 1 << (timestamp / 86400000 % 63) END,
                    timestamp, timestamp
               FROM ",
            $source,
            " WHERE true
             ON CONFLICT (key_id, event, block, by_company, owner) DO UPDATE SET
                days = days | excluded.days,
                last_day_first_ms = CASE
                    WHEN excluded.last_ms / 86400000 > last_ms / 86400000 THEN excluded.last_ms
                    WHEN excluded.last_ms / 86400000 = last_ms / 86400000
                        THEN min(last_day_first_ms, excluded.last_ms)
                    ELSE last_day_first_ms END,
                last_ms = max(last_ms, excluded.last_ms);"
        )
    };
}

pub const EVENT_BLOCKS: &str = concat!(
    "CREATE TABLE IF NOT EXISTS event_blocks (
    key_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    -- UTC day / 63
    block INTEGER NOT NULL,
    -- 1: owner is the company the uses name; 0: owner is the user of uses naming none
    by_company INTEGER NOT NULL,
    owner TEXT NOT NULL,
    -- bit d: a use on day block * 63 + d
    days INTEGER NOT NULL,
    -- the latest use, and the earliest use on its day
    last_ms INTEGER NOT NULL,
    last_day_first_ms INTEGER NOT NULL,
    PRIMARY KEY (key_id, event, block, by_company, owner)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS event_blocks_kept AFTER INSERT ON events BEGIN ",
    upsert!(
        "(SELECT NEW.key_id AS key_id, NEW.event AS event, NEW.user_id AS user_id,
                NEW.company_id AS company_id, NEW.timestamp AS timestamp)"
    ),
    " END;
",
    upsert!("events")
);

/// One use from the table `one`, as the trigger of versions 6 to 8 stored each event: what the
/// writer's held changes (`store::derived`) are checked against.
#[cfg(test)]
pub const UPSERT_ONE: &str = upsert!("one");
