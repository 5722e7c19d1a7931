//! Every key binding, by context: the help overlay is drawn from this table, so what is documented
//! is what `update` does. The hint bar abbreviates Ctrl as ^ to fit 80 columns.

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Anywhere,
    Form,
    Score,
    Comment,
    Attributes,
    Choice,
    Timestamp,
    Log,
    Detail,
    Profiles,
    Data,
    DataDetail,
    DataSearch,
    Traffic,
    TrafficDetail,
    Outbox,
    Results,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Anywhere => "Anywhere",
            Context::Form => "Form",
            Context::Score => "Score picker",
            Context::Comment => "Comment box",
            Context::Attributes => "Attributes",
            Context::Choice => "context.active, source",
            Context::Timestamp => "Timestamp",
            Context::Log => "Log",
            Context::Detail => "Exchange detail",
            Context::Profiles => "Profiles (Ctrl+P)",
            Context::Data => "Data view (F2): what the local server stored",
            Context::DataDetail => "Data view: a user, company, event or feedback",
            Context::DataSearch => "Data view: search",
            Context::Traffic => "Traffic view (F3): requests your app sends",
            Context::TrafficDetail => "Traffic view: one request",
            Context::Outbox => "Outbox (F4): calls not delivered yet",
            Context::Results => "Results (F5): feedback per feature",
        }
    }
}

pub const BINDINGS: &[(Context, &str, &str)] = &[
    (Context::Anywhere, "Ctrl+S", "send the current form"),
    (Context::Anywhere, "Ctrl+C", "quit"),
    (Context::Anywhere, "F1", "this help"),
    (Context::Anywhere, "Ctrl+←/→, Alt+1…4", "switch method tab"),
    (Context::Anywhere, "Ctrl+L", "move between form and log"),
    (
        Context::Anywhere,
        "F2, F3, F4, F5",
        "views: data, live requests, outbox, results",
    ),
    (Context::Anywhere, "Ctrl+P", "choose a profile"),
    (
        Context::Anywhere,
        "Ctrl+R",
        "edit the body as raw JSON / back to fields",
    ),
    (Context::Anywhere, "Esc", "close, go back"),
    (Context::Form, "Tab / Shift+Tab", "next / previous field"),
    (Context::Form, "←/→ Home End", "move the cursor"),
    (
        Context::Form,
        "Ctrl+W, Ctrl+U",
        "delete a word, clear the field",
    ),
    (Context::Score, "1…5", "choose a score"),
    (Context::Score, "←/→", "lower / raise"),
    (Context::Score, "0, Backspace", "no score"),
    (Context::Comment, "Enter", "new line"),
    (Context::Attributes, "Enter", "key → value → next row"),
    (Context::Attributes, "↑/↓", "previous / next row"),
    (
        Context::Attributes,
        "Ctrl+N, Ctrl+D",
        "add a row, delete the row",
    ),
    (
        Context::Attributes,
        "Ctrl+T",
        "value type: string, number, boolean, null",
    ),
    (Context::Choice, "←/→, Space", "change"),
    (Context::Timestamp, "Ctrl+N", "now"),
    (Context::Log, "↑/↓ PgUp/PgDn Home/End", "select an exchange"),
    (Context::Log, "Enter", "show it whole"),
    (Context::Log, "r", "resend it"),
    (Context::Log, "e", "load it into the form to edit"),
    (
        Context::Log,
        "c",
        "copy it as curl (key as $BUCKET_TRACKING_KEY)",
    ),
    (Context::Log, "y", "copy the response body"),
    (Context::Detail, "↑/↓", "select a validation error"),
    (
        Context::Detail,
        "Enter",
        "jump to that field, with the request in the form",
    ),
    (Context::Detail, "PgUp/PgDn", "scroll"),
    (
        Context::Detail,
        "/",
        "search the exchange; n next, N previous, Esc clear",
    ),
    (Context::Profiles, "↑/↓, Enter", "choose, use"),
    (
        Context::Profiles,
        "a, e",
        "add a profile, edit the chosen one (the key field is masked)",
    ),
    (Context::Profiles, "d", "delete the chosen one (asks first)"),
    (Context::Profiles, "*", "make the chosen one the default"),
    (
        Context::Data,
        "←/→, Tab, 1…4",
        "Users, Companies, Events, Feedback",
    ),
    (
        Context::Data,
        "↑/↓ PgUp/PgDn Home",
        "select; past the page's end the next page loads",
    ),
    (
        Context::Data,
        "/",
        "search ids, names and text (Esc clears)",
    ),
    (Context::Data, "s", "newest first / oldest first"),
    (
        Context::Data,
        "Enter",
        "open it; a user or company with recent events",
    ),
    (
        Context::Data,
        "u",
        "fill the matching form from the row, go there",
    ),
    (Context::Data, "r", "reload"),
    (Context::Data, "Esc, F2", "back to the forms"),
    (
        Context::DataDetail,
        "Enter",
        "open the user an event or feedback names",
    ),
    (Context::DataDetail, "u", "use in form"),
    (Context::DataDetail, "↑/↓ PgUp/PgDn Home", "scroll"),
    (Context::DataDetail, "Esc", "back to the list"),
    (
        Context::DataSearch,
        "Enter, Esc",
        "keep the search, clear it",
    ),
    (
        Context::Traffic,
        "↑/↓ PgUp/PgDn Home End",
        "select a request",
    ),
    (
        Context::Traffic,
        "Enter",
        "open it: body, problems beside fields, verdicts",
    ),
    (
        Context::Traffic,
        "o",
        "open it in its form, errors on the fields",
    ),
    (Context::Traffic, "Space, p", "pause / resume the list"),
    (
        Context::Traffic,
        "f",
        "status filter: all, 4xx, 5xx/none, 2xx",
    ),
    (
        Context::Traffic,
        "m",
        "route filter: all, each method, other",
    ),
    (Context::Traffic, "Esc, F3", "back to the forms"),
    (
        Context::TrafficDetail,
        "o",
        "open it in its form to fix and resend",
    ),
    (Context::TrafficDetail, "↑/↓ PgUp/PgDn Home", "scroll"),
    (Context::TrafficDetail, "Esc", "back to the list"),
    (Context::Outbox, "↑/↓", "select an item"),
    (Context::Outbox, "r", "retry every waiting item now"),
    (Context::Outbox, "d", "drop the selected item (asks first)"),
    (Context::Outbox, "Esc, F4", "back to the forms"),
    (Context::Results, "↑/↓ PgUp/PgDn Home", "scroll"),
    (Context::Results, "r", "read the results again"),
    (Context::Results, "Esc, F5", "back to the forms"),
];

/// Whether an "Anywhere" binding also works in the Data and Traffic views (which take the
/// other keys).
pub fn works_in_views(keys: &str) -> bool {
    matches!(
        keys,
        "Ctrl+S" | "Ctrl+C" | "F1" | "F2, F3, F4, F5" | "Ctrl+P"
    )
}

/// The hint bar for where the keys go now.
pub fn hints(context: Context) -> &'static str {
    match context {
        Context::Log => {
            "↑↓ · Enter open · r resend · e edit · c curl · y body · ^L form · F1 · ^C quit"
        }
        Context::Detail => {
            "↑↓ error · Enter fix in form · PgUp/PgDn scroll · Esc back · F1 help · ^C quit"
        }
        Context::Score => "1-5 score · ←→ change · 0 none · Tab next · ^S send · F1 help · ^C quit",
        Context::Data => {
            "←→ tab · ↑↓ PgUp/Dn · / search · s sort · Enter open · u use in form · Esc"
        }
        Context::DataDetail => {
            "Enter open user · u use in form · r reload · Esc back · F1 help · ^C quit"
        }
        Context::DataSearch => "type to search · Enter keep · Esc clear",
        Context::Traffic => "↑↓ · Enter open · o in form · Space pause · f status · m route · Esc",
        Context::TrafficDetail => "o open in form · Esc back · F1 help · ^C quit",
        Context::Outbox => "↑↓ select · r retry now · d drop · Esc back · F1 help · ^C quit",
        Context::Results => "↑↓ scroll · r reload · Esc back · F1 help · ^C quit",
        _ => "Tab · ^S send · ^←→ · ^L log · ^P profile · F2 data · F3 traffic · F1 · ^C quit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hint_fits_80_columns() {
        for c in [
            Context::Anywhere,
            Context::Form,
            Context::Score,
            Context::Comment,
            Context::Attributes,
            Context::Choice,
            Context::Timestamp,
            Context::Log,
            Context::Detail,
            Context::Data,
            Context::DataDetail,
            Context::DataSearch,
            Context::Traffic,
            Context::TrafficDetail,
            Context::Outbox,
            Context::Results,
        ] {
            assert!(
                hints(c).chars().count() <= 79,
                "{c:?}: {}",
                hints(c).chars().count()
            );
        }
    }
}
