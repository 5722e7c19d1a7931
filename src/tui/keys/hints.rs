//! The hint line: the keys that matter where the keys go now, as many as fit.

use super::defaults::EDITING;
use super::{Binding, Command, Context, Keymap};

/// The rank of a hint the table does not rank: a context's own keys, and the editing keys.
pub const RANK: u8 = 1;
/// The rank of what is likely next (the outbox while calls wait, the results, the features):
/// after `send` and `profile`, before the forms' method and log keys (it comes first in the
/// line) and the other views.
pub const NEXT: u8 = 3;

impl Keymap {
    /// The hint line for where the keys go now at 80 columns: see [`Keymap::hints_with`].
    pub fn hints(&self, context: Context) -> String {
        self.hints_with(context, &[], 80)
    }

    /// The hint line, `width` columns with the space before it: `F1 help · ^C quit` always, then
    /// what fits by rank (what is likely next, `F4 outbox (2)` while calls wait, at `NEXT`),
    /// said in the order of the table: what is likely next first, this context's keys, the
    /// console's, the shared ones.
    pub fn hints_with(&self, context: Context, next: &[(Command, String)], width: u16) -> String {
        let hinted = |c: Context| {
            let editing = EDITING
                .iter()
                .filter(move |(e, _, _, hint)| *e == c && !hint.is_empty())
                .map(|(_, _, _, hint)| (RANK, (*hint).to_owned()));
            let commands = self
                .bindings
                .iter()
                .filter(move |b| b.context == c && !b.hint.is_empty())
                .filter(|b| !matches!(b.command, Command::Help | Command::Quit))
                .map(move |b| (b.rank, format!("{} {}", self.hint_keys(c, b), b.hint)));
            editing.chain(commands)
        };
        let mut parts: Vec<(u8, String)> = next
            .iter()
            .filter_map(|(command, word)| {
                self.bindings
                    .iter()
                    .find(|b| b.command == *command && b.context == Context::Anywhere)
                    .and_then(|b| b.keys.first())
                    .map(|k| (NEXT, format!("{} {word}", k.short())))
            })
            .collect();
        let taken: Vec<Command> = next.iter().map(|(c, _)| *c).collect();
        if context.falls_back_to_list() {
            parts.extend(hinted(Context::List));
        }
        parts.extend(hinted(context));
        if context.on_console() && context != Context::Console {
            parts.extend(hinted(Context::Console));
        }
        // A question takes every key itself: the shared commands wait until it is answered.
        if !matches!(context, Context::Anywhere | Context::Confirm) {
            parts.extend(self.hinted_anywhere(&taken));
        }
        let tail = self
            .bindings
            .iter()
            .filter(|b| matches!(b.command, Command::Help | Command::Quit))
            .filter(|b| !(context == Context::Confirm && b.command == Command::Help))
            .filter_map(|b| b.keys.first().map(|k| format!("{} {}", k.short(), b.hint)))
            .collect::<Vec<_>>()
            .join(" · ");
        let mut room = usize::from(width.saturating_sub(1)).saturating_sub(tail.chars().count());
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by_key(|i| parts[*i].0);
        let mut shown = vec![false; parts.len()];
        for i in order {
            let cost = parts[i].1.chars().count() + 3;
            if cost <= room {
                room -= cost;
                shown[i] = true;
            }
        }
        let mut line: Vec<&str> = parts
            .iter()
            .zip(&shown)
            .filter(|(_, shown)| **shown)
            .map(|((_, part), _)| part.as_str())
            .collect();
        line.push(&tail);
        line.join(" · ")
    }

    /// The shared commands' hints, but those already said first.
    fn hinted_anywhere(&self, taken: &[Command]) -> Vec<(u8, String)> {
        self.bindings
            .iter()
            .filter(|b| b.context == Context::Anywhere && !b.hint.is_empty())
            .filter(|b| !matches!(b.command, Command::Help | Command::Quit))
            .filter(|b| !taken.contains(&b.command))
            .filter_map(|b| {
                b.keys
                    .first()
                    .map(|k| (b.rank, format!("{} {}", k.short(), b.hint)))
            })
            .collect()
    }

    /// The key a hint names: the first of the binding's, or `↑↓` for an up that has a down beside it
    /// (`←→` for a score's lower and raise).
    fn hint_keys(&self, context: Context, binding: &Binding) -> String {
        let first = binding.keys[0].short();
        let pair = match binding.command {
            Command::Up => Command::Down,
            Command::Lower => Command::Raise,
            _ => return first,
        };
        self.bindings
            .iter()
            .find(|b| b.context == context && b.command == pair)
            .map_or(first.clone(), |other| {
                format!("{first}{}", other.keys[0].short())
            })
    }
}
