//! The command palette (Alt+X): every command of where it was opened, by name, filtered as you
//! type. Its state lives here; `update/palette.rs` takes its keys and `view/picker.rs` draws it.

use crate::term::LineInput;
use crate::tui::keys::{Command, Context, Key, Keymap};

/// One command offered: what it is, every key that reaches it, and what it does.
pub type Entry = (Command, &'static [Key], &'static str);

/// The palette while open: the filter typed, the entry chosen, and where it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub filter: LineInput,
    pub selected: usize,
    /// Where it was opened: the commands that apply there.
    pub from: Vec<Context>,
}

impl Palette {
    /// Opened in `here`: its commands, the list moves where it falls back to them, the forms'
    /// commands on the console, and those of every screen.
    pub fn opened_in(here: Context) -> Self {
        let mut from = vec![here];
        if here.falls_back_to_list() {
            from.push(Context::List);
        }
        if here.on_console() && here != Context::Console {
            from.push(Context::Console);
        }
        from.push(Context::Anywhere);
        Self {
            filter: LineInput::default(),
            selected: 0,
            from,
        }
    }

    /// The commands shown: each with every key that reaches it, and its own help (a command
    /// that shares its F1 line with others has words of its own here).
    pub fn entries(&self, keymap: &Keymap) -> Vec<Entry> {
        let wanted = self.filter.text().to_lowercase();
        let mut out: Vec<Entry> = Vec::new();
        for b in keymap
            .bindings()
            .iter()
            .filter(|b| self.from.contains(&b.context))
            .filter(|b| b.command != Command::Palette)
        {
            if out.iter().any(|(c, _, _)| *c == b.command) {
                continue;
            }
            let name = b.command.name();
            let help = b.command.own_help().unwrap_or(b.help);
            if name.contains(&wanted) || help.to_lowercase().contains(&wanted) {
                out.push((b.command, b.keys, help));
            }
        }
        out
    }
}
