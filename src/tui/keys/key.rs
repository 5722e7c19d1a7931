//! A key as bindings and `config.toml` name it: its parser, its label on screen and its name in
//! the file.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as a binding names it: a code and whether Ctrl or Alt is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: true,
            alt: false,
        }
    }

    pub const fn alt(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            ctrl: false,
            alt: true,
        }
    }

    /// Shift is part of the character (`N`, `*`), so it is not compared.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        self.code == event.code
            && self.ctrl == event.modifiers.contains(KeyModifiers::CONTROL)
            && self.alt == event.modifiers.contains(KeyModifiers::ALT)
    }

    /// `Ctrl+S`, `Alt+1`, `↑`, `PgUp`, `Enter`, `s`.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift+Tab".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Delete => "Delete".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.ctrl || self.alt => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl+{name}"),
            (_, true) => format!("Alt+{name}"),
            _ => name,
        }
    }

    /// The label in the hint line, where Ctrl is `^` to fit 80 columns.
    pub(super) fn short(&self) -> String {
        self.label().replace("Ctrl+", "^")
    }
}

/// `ctrl+s`, `alt+enter`, `f5`, `shift+tab`, `R`, `esc`, `pgdn`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let trimmed = text.trim();
    let mut parts: Vec<&str> = trimmed.split('+').collect();
    // `ctrl++` ends with an empty part: the key is `+`.
    if trimmed.ends_with("++") {
        parts.pop();
        if let Some(last) = parts.last_mut() {
            *last = "+";
        }
    }
    let Some((last, mods)) = parts.split_last() else {
        return Err(bad(text));
    };
    let (mut ctrl, mut alt, mut shift) = (false, false, false);
    for m in mods {
        match m.to_ascii_lowercase().as_str() {
            "ctrl" | "control" => ctrl = true,
            "alt" | "meta" | "option" => alt = true,
            "shift" => shift = true,
            _ => return Err(bad(text)),
        }
    }
    let lower = last.to_ascii_lowercase();
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" if shift => KeyCode::BackTab,
        "tab" => KeyCode::Tab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        f if f.len() > 1
            && f.starts_with('f')
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ if last.chars().count() == 1 => {
            let c = last.chars().next().unwrap_or(' ');
            KeyCode::Char(if shift {
                c.to_ascii_uppercase()
            } else if ctrl || alt {
                c.to_ascii_lowercase()
            } else {
                c
            })
        }
        _ => return Err(bad(text)),
    };
    Ok(Key { code, ctrl, alt })
}

fn bad(text: &str) -> String {
    format!("\"{text}\" is not a key (write ctrl+s, alt+enter, f5, shift+tab, esc, pgdn, R…)")
}

impl Key {
    /// The key as `config.toml` writes it.
    pub fn config_name(&self) -> String {
        let name = match self.code {
            KeyCode::Enter => "enter".to_owned(),
            KeyCode::Esc => "esc".to_owned(),
            KeyCode::Tab => "tab".to_owned(),
            KeyCode::BackTab => "shift+tab".to_owned(),
            KeyCode::Backspace => "backspace".to_owned(),
            KeyCode::Delete => "delete".to_owned(),
            KeyCode::Up => "up".to_owned(),
            KeyCode::Down => "down".to_owned(),
            KeyCode::Left => "left".to_owned(),
            KeyCode::Right => "right".to_owned(),
            KeyCode::Home => "home".to_owned(),
            KeyCode::End => "end".to_owned(),
            KeyCode::PageUp => "pgup".to_owned(),
            KeyCode::PageDown => "pgdn".to_owned(),
            KeyCode::F(n) => format!("f{n}"),
            KeyCode::Char(' ') => "space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}").to_lowercase(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("ctrl+{name}"),
            (_, true) => format!("alt+{name}"),
            _ => name,
        }
    }
}
