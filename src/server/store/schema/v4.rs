//! 3 → 4: the flag state version. `GET /features` numbers its definitions, and the node SDK
//! ignores a number below the one it holds: the number is kept here, with the digest of the
//! definitions it numbers, so a restart with the same definitions keeps it and one with others
//! goes on from it, never back.

pub const FLAG_STATE: &str = "
CREATE TABLE IF NOT EXISTS flag_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    digest TEXT NOT NULL
);
";
