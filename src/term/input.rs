//! A single-line text input: the text and a cursor (in characters), and the keys that edit it.
//! Editing is pure; the view draws it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    cursor: usize,
}

impl LineInput {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The first character shown in a view `width` wide: enough that the cursor shows.
    pub fn visible_start(&self, width: usize) -> usize {
        self.cursor.saturating_sub(width.max(1) - 1)
    }

    /// A click `column` characters into a view `width` wide puts the cursor there.
    pub fn click(&mut self, column: usize, width: usize) {
        let len = self.text.chars().count();
        self.cursor = (self.visible_start(width) + column).min(len);
    }

    pub fn set(&mut self, text: &str) {
        *self = Self::new(text);
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts text at the cursor; line breaks in pasted text become spaces.
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.chars().count();
    }

    /// Deletes from the cursor back to the start of the word (Ctrl+W).
    pub fn delete_word(&mut self) {
        while self.cursor > 0
            && self
                .text
                .chars()
                .nth(self.cursor - 1)
                .is_some_and(char::is_whitespace)
        {
            self.backspace();
        }
        while self.cursor > 0
            && self
                .text
                .chars()
                .nth(self.cursor - 1)
                .is_some_and(|c| !c.is_whitespace())
        {
            self.backspace();
        }
    }
}

/// The editing keys of a one-line field; whether the key was one.
pub fn edit_line(input: &mut LineInput, key: KeyEvent) -> bool {
    let ctrl = |key: &KeyEvent| key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('w') if ctrl(&key) => input.delete_word(),
        KeyCode::Char('u') if ctrl(&key) => input.set(""),
        KeyCode::Char('a') if ctrl(&key) => input.home(),
        KeyCode::Char('e') if ctrl(&key) => input.end(),
        KeyCode::Char(c) if !ctrl(&key) => input.insert(&c.to_string()),
        KeyCode::Backspace => input.backspace(),
        KeyCode::Delete => input.delete(),
        KeyCode::Left => input.left(),
        KeyCode::Right => input.right(),
        KeyCode::Home => input.home(),
        KeyCode::End => input.end(),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_the_cursor_in_characters() {
        let mut i = LineInput::new("héllo");
        i.left();
        i.left();
        i.insert("X");
        assert_eq!((i.text(), i.cursor()), ("hélXlo", 4));
        i.home();
        i.delete();
        i.end();
        i.backspace();
        assert_eq!(i.text(), "élXl");
        i.insert("a\nb");
        assert_eq!(i.text(), "élXla b");
        i.delete_word();
        assert_eq!(i.text(), "élXla ");
    }
}
