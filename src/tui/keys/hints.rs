//! The hint line: the keys that matter where the keys go now, as many as fit.

use super::defaults::EDITING;
use super::{Binding, Command, Context, Keymap};

impl Keymap {
    /// The hint line for where the keys go now: this context's hinted keys, then the console's and
    /// the shared ones, as many as fit in 79 columns before `F1 help · ^C quit`, which always show.
    pub fn hints(&self, context: Context) -> String {
        self.hints_with(context, &[])
    }

    /// [`hints`] with what is likely next first (`F4 outbox (2)` while calls wait, say): a command
    /// that is not a context's own, named by its key as bound.
    pub fn hints_with(&self, context: Context, next: &[(Command, String)]) -> String {
        let hinted = |c: Context| {
            let editing = EDITING
                .iter()
                .filter(move |(e, _, _, hint)| *e == c && !hint.is_empty())
                .map(|(_, _, _, hint)| (*hint).to_owned());
            let commands = self
                .bindings
                .iter()
                .filter(move |b| b.context == c && !b.hint.is_empty())
                .filter(|b| !matches!(b.command, Command::Help | Command::Quit))
                .map(move |b| format!("{} {}", self.hint_keys(c, b), b.hint));
            editing.chain(commands)
        };
        let mut parts: Vec<String> = next
            .iter()
            .filter_map(|(command, word)| {
                self.bindings
                    .iter()
                    .find(|b| b.command == *command && b.context == Context::Anywhere)
                    .map(|b| format!("{} {word}", b.keys[0].short()))
            })
            .collect();
        let taken: Vec<Command> = next.iter().map(|(c, _)| *c).collect();
        parts.extend(hinted(context));
        if context.on_console() && context != Context::Console {
            parts.extend(hinted(Context::Console));
        }
        if context != Context::Anywhere {
            parts.extend(self.hinted_anywhere(&taken));
        }
        let tail = self
            .bindings
            .iter()
            .filter(|b| matches!(b.command, Command::Help | Command::Quit))
            .map(|b| format!("{} {}", b.keys[0].short(), b.hint))
            .collect::<Vec<_>>()
            .join(" · ");
        let mut line = String::new();
        for part in parts {
            let next = if line.is_empty() {
                part
            } else {
                format!("{line} · {part}")
            };
            if next.chars().count() + 3 + tail.chars().count() > 79 {
                break;
            }
            line = next;
        }
        if line.is_empty() {
            tail
        } else {
            format!("{line} · {tail}")
        }
    }

    /// The shared commands' hints, but those already said first.
    fn hinted_anywhere(&self, taken: &[Command]) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|b| b.context == Context::Anywhere && !b.hint.is_empty())
            .filter(|b| !matches!(b.command, Command::Help | Command::Quit))
            .filter(|b| !taken.contains(&b.command))
            .map(|b| format!("{} {}", b.keys[0].short(), b.hint))
            .collect()
    }

    /// The key a hint names: the first of the binding's, or `↑↓` for an up that has a down beside it.
    fn hint_keys(&self, context: Context, binding: &Binding) -> String {
        let first = binding.keys[0].short();
        if binding.command != Command::Up {
            return first;
        }
        self.bindings
            .iter()
            .find(|b| b.context == context && b.command == Command::Down)
            .map_or(first.clone(), |down| {
                format!("{first}{}", down.keys[0].short())
            })
    }
}
