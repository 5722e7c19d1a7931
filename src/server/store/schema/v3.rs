//! 2 → 3: the Runtime API. Feedback keeps the flag key it was given (`key`) and, beside it, the
//! `featureId` sent with it; flag checks and feedback-prompt events get tables of their own,
//! read by flag key (flag checks) or feature (prompt events) and time.

pub const RUNTIME: &str = "
ALTER TABLE feedback ADD COLUMN key TEXT;
ALTER TABLE feedback ADD COLUMN sent_feature_id TEXT;

CREATE TABLE IF NOT EXISTS flag_events (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL,
    flag_key TEXT NOT NULL,
    action TEXT NOT NULL,
    context TEXT NOT NULL,
    result TEXT,
    targeting_version INTEGER,
    rule_results TEXT,
    missing_fields TEXT,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS flag_events_by_flag ON flag_events (key_id, flag_key, received_at);

CREATE TABLE IF NOT EXISTS prompt_events (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    feature_id TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    prompted_question TEXT,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS prompt_events_by_feature ON prompt_events (key_id, feature_id, received_at);
";
