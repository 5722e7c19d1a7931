//! The batch on screen: its state in the header (collecting, how many items, on its way), the
//! hint that says what Alt+B does now, and the question before pending items are dropped.

use super::Theme;
use crate::tui::batch::items;
use crate::tui::keys::Command;
use crate::tui::state::State;
use ratatui::text::Span;

/// The header's word on the batch, while one is collected.
pub fn header(state: &State, theme: Theme) -> Option<Span<'static>> {
    let batch = state.batch.as_ref()?;
    let text = if batch.sending {
        format!("batch: sending {}… ", items(batch.items.len()))
    } else {
        format!("batch: {} pending ", items(batch.items.len()))
    };
    Some(Span::styled(text, theme.warning()))
}

/// What Alt+B does now, for the hint line: on a runtime profile only (a tracking one has no
/// `/bulk`), first among what is likely next.
pub fn likely(state: &State) -> Option<(Command, String)> {
    if state.profile.api() != crate::api::Api::Runtime {
        return None;
    }
    use crate::tui::keys::Context as C;
    // Starting a batch is a thing of the forms; elsewhere only a batch under way is worth a hint.
    let on_forms = matches!(
        state.context(),
        C::Form
            | C::RawJson
            | C::Score
            | C::Comment
            | C::Attributes
            | C::Choice
            | C::Timestamp
            | C::Log
            | C::Detail
    );
    if state.context() == C::Confirm {
        // Under a question only its answers count.
        return None;
    }
    let word = match &state.batch {
        None if !on_forms => return None,
        None => "batch".to_owned(),
        Some(b) if b.sending => return None,
        Some(b) if b.items.is_empty() => "close batch".to_owned(),
        Some(b) => format!("send batch ({})", b.items.len()),
    };
    Some((Command::Batch, word))
}

/// The form's title while a batch is collected: where a send goes.
pub fn form_title(state: &State) -> Option<String> {
    let batch = state.batch.as_ref()?;
    Some(format!(
        " {} · {} adds it to the batch ({} pending) ",
        state.method,
        state.keymap.shared(Command::Send),
        batch.items.len()
    ))
}
