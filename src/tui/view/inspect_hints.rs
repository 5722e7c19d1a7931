//! The Data view's notes that name keys: each names them as bound (the keymap), so a rebound key is
//! never shown by its default.

use crate::sanitize::sanitize;
use crate::tui::inspect::InspectView;
use crate::tui::keys::{Command, Context, Keymap};

/// The search kept on the list, with the list's keys as bound: search edits it, back clears it.
pub(super) fn search_hint(keymap: &Keymap, search: &str) -> String {
    let key = |command| keymap.label(Context::Data, command);
    format!(
        " search “{}” · {} edits it · {} clears",
        sanitize(search),
        key(Command::Search),
        key(Command::Back),
    )
}

/// A full page: the list's page down, as bound, reads the next one.
pub(super) fn more_hint(keymap: &Keymap) -> String {
    format!(" · {} more", keymap.label(Context::Data, Command::PageDown))
}

/// No row matches the search: while it is typed, the search's cancel clears it; once kept, the
/// list's back does (before it leaves the view).
pub(super) fn no_match_hint(keymap: &Keymap, data: &InspectView, noun: &str) -> String {
    let clears = if data.typing {
        keymap.label(Context::DataSearch, Command::Cancel)
    } else {
        keymap.label(Context::Data, Command::Back)
    };
    format!(
        "No {noun} match “{}”. {clears} clears the search.",
        sanitize(data.search.text())
    )
}

/// Paged past the last row: the list's page up, as bound, goes back a page.
pub(super) fn no_more_rows_hint(keymap: &Keymap) -> String {
    format!(
        "No more rows. {} goes back.",
        keymap.label(Context::Data, Command::PageUp)
    )
}

/// Nothing stored yet: the list's back leads to the forms, where a call fills it.
pub(super) fn nothing_stored_hint(keymap: &Keymap, method: &str, base_url: &str) -> String {
    format!(
        "{} goes back to the forms: send a `{method}` call and it shows here. Or point your app \
         at {} with this profile's key.",
        keymap.label(Context::Data, Command::Back),
        sanitize(base_url)
    )
}
