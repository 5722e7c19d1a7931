//! Text areas both faces use.

use ratatui_textarea::{TextArea, WrapMode};

/// The comment box: word-wrapped, multi-line.
pub fn comment_box(text: &str) -> TextArea<'static> {
    let mut area = TextArea::new(text.split('\n').map(str::to_owned).collect());
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area.set_cursor_line_style(ratatui::style::Style::default());
    area.set_placeholder_text("a comment (Enter makes a new line)");
    area
}
