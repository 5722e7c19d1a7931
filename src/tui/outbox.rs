//! The Outbox view's state (F4): what waits to be delivered and what the server refused.

use crate::outbox::Item;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxView {
    /// Waiting items first, each list oldest first.
    pub items: crate::term::Load<Vec<Item>>,
    pub selected: usize,
    /// Items dropped from this view since the console started.
    pub dropped: usize,
}

impl OutboxView {
    pub fn list(&self) -> &[Item] {
        self.items.ready().map_or(&[], Vec::as_slice)
    }

    pub fn selected_item(&self) -> Option<&Item> {
        self.list().get(self.selected)
    }

    pub fn loaded(&mut self, result: Result<Vec<Item>, crate::term::Failure>) {
        self.items = result.into();
        self.selected = self.selected.min(self.list().len().saturating_sub(1));
    }

    pub fn move_selection(&mut self, down: bool) {
        let len = self.list().len();
        self.selected = if down {
            (self.selected + 1).min(len.saturating_sub(1))
        } else {
            self.selected.saturating_sub(1)
        };
    }
}
