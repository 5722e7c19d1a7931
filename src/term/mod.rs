//! What the two faces on a terminal share, below both: setting the terminal up and restoring it,
//! and the widgets (a one-line input and its editing keys, the comment box, a feature's results as
//! lines, the theme). The console (`tui`) and the kiosk each import from here, never from each
//! other.

mod editor;
mod face_error;
pub mod face_loop;
mod failure;
mod input;
mod json;
mod load;
mod results;
pub mod stars;
mod terminal;
mod text_area;
mod theme;
mod wrap;

pub use editor::{edit_externally, editor_command};
pub use face_error::FaceError;
pub use failure::Failure;
pub use input::{LineInput, edit_line};
pub use json::json_lines;
pub use load::{Load, Unready, unready};
pub use results::{plural, result_lines};
pub use terminal::{TerminalGuard, asked_to_end, enter_terminal};
pub use text_area::comment_box;
pub use theme::{Palette, Theme, ThemeChoice, ThemeName, color_name, parse_color};
pub use wrap::wrap;
