//! `config.toml`: the console's keys, theme and mouse. A file with any problem is refused whole
//! (file:line, a suggestion, exit 2) before the terminal is touched: a config never half-applies.

use super::keys::{self, Binding, Command, Context, Key, parse_key};
use crate::collection::lines::LineIndex;
use crate::term::{ThemeChoice, ThemeName};
use crossterm::event::KeyCode;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::DeValue;

/// What the file sets.
#[derive(Debug, Clone)]
pub struct Config {
    pub bindings: Vec<Binding>,
    pub theme: crate::term::ThemeChoice,
    pub mouse: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bindings: keys::BINDINGS.to_vec(),
            theme: crate::term::ThemeChoice::default(),
            mouse: true,
        }
    }
}

/// Every problem of a file, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub problems: Vec<(Option<usize>, String)>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.path.display();
        for (i, (line, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match line {
                Some(l) => write!(f, "{name}:{l}: {message}")?,
                None => write!(f, "{name}: {message}")?,
            }
        }
        Ok(())
    }
}

/// Where the file is read from: `BUCKET_CONSOLE_CONFIG`, else `config.toml` beside the profiles.
pub fn path() -> Result<PathBuf, crate::paths::NoHome> {
    if let Some(explicit) = std::env::var_os("BUCKET_CONSOLE_CONFIG") {
        return Ok(PathBuf::from(explicit));
    }
    Ok(crate::paths::config_dir()?.join("config.toml"))
}

/// The file as it is: the defaults when there is none.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(ConfigError {
            path: path.to_path_buf(),
            problems: vec![(None, format!("cannot read it: {e}"))],
        }),
    }
}

/// The theme alone, for the kiosk, which takes no keys: a problem elsewhere in the file (a typo
/// in `[keys]`) comes back beside the theme as a warning instead of stopping it; a problem in
/// `[theme]`, or a file that is not TOML, still does.
pub fn load_theme(path: &Path) -> Result<(ThemeChoice, Option<ConfigError>), ConfigError> {
    let whole = match load(path) {
        Ok(config) => return Ok((config.theme, None)),
        Err(e) => e,
    };
    let text = std::fs::read_to_string(path).map_err(|_| whole.clone())?;
    let root = crate::collection::lines::parse(&text).map_err(|_| whole.clone())?;
    let mut r = Reader {
        lines: LineIndex::new(&text),
        problems: Vec::new(),
    };
    let theme = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "theme")
        .map_or_else(ThemeChoice::default, |(_, v)| read_theme(&mut r, v));
    if r.problems.is_empty() {
        Ok((theme, Some(whole)))
    } else {
        Err(whole)
    }
}

/// The views `[keys.<view>]` names, and the context each covers (see [`Context::config_name`]).
fn views() -> impl Iterator<Item = (&'static str, &'static [Context])> {
    Context::ALL
        .iter()
        .filter_map(|c| c.config_name().map(|name| (name, std::slice::from_ref(c))))
}

/// `[keys]` itself: the commands of every screen and of the forms and log.
const GLOBAL: &[Context] = &[Context::Anywhere, Context::Console];

struct Reader {
    lines: LineIndex,
    problems: Vec<(Option<usize>, String)>,
}

impl Reader {
    fn problem(&mut self, offset: usize, message: String) {
        let line = self.lines.line(offset);
        self.problems.push((Some(line), message));
    }
}

/// The nearest candidate, counting a swap of two letters as one edit (`sned` → `send`).
fn suggest(name: &str, candidates: &[&str]) -> String {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| {
            (
                strsim::osa_distance(&name.to_lowercase(), &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, s)| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default()
}

/// Reads config text (`path` names it in messages).
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let fail = |problems| ConfigError {
        path: path.to_path_buf(),
        problems,
    };
    let root = crate::collection::lines::parse(text).map_err(|problem| fail(vec![problem]))?;
    let mut r = Reader {
        lines: LineIndex::new(text),
        problems: Vec::new(),
    };
    let mut config = Config::default();
    let mut asked = Vec::new();
    for (k, v) in root.get_ref() {
        match k.get_ref().as_ref() {
            "keys" => read_keys(&mut r, v, &mut config.bindings, &mut asked),
            "theme" => config.theme = read_theme(&mut r, v),
            "mouse" => match v.get_ref() {
                DeValue::Boolean(b) => config.mouse = *b,
                _ => r.problem(v.span().start, "mouse is true or false".to_owned()),
            },
            other => {
                let hint = suggest(other, &["keys", "theme", "mouse"]);
                r.problem(k.span().start, format!("unknown setting \"{other}\"{hint}"));
            }
        }
    }
    if r.problems.is_empty() {
        clashes(&mut r, &config.bindings, &asked);
    }
    if r.problems.is_empty() {
        Ok(config)
    } else {
        r.problems.sort_by_key(|(l, _)| *l);
        Err(fail(r.problems))
    }
}

/// A rebinding the file asked for, kept to check it once all are read.
struct Asked {
    offset: usize,
    contexts: &'static [Context],
    command: Command,
    keys: Vec<Key>,
}

fn read_keys(
    r: &mut Reader,
    value: &Spanned<DeValue<'_>>,
    bindings: &mut [Binding],
    asked: &mut Vec<Asked>,
) {
    let DeValue::Table(table) = value.get_ref() else {
        r.problem(value.span().start, "[keys] is a table".to_owned());
        return;
    };
    for (k, v) in table {
        let name = k.get_ref().as_ref();
        if let DeValue::Table(_) = v.get_ref() {
            match views().find(|(view, _)| *view == name) {
                Some((_, contexts)) => {
                    let section = format!("[keys.{name}]");
                    if let DeValue::Table(commands) = v.get_ref() {
                        for (ck, cv) in commands {
                            let one = Rebind {
                                key: ck,
                                value: cv,
                                contexts,
                                section: &section,
                            };
                            asked.extend(read_command(r, &one, bindings));
                        }
                    }
                }
                None => {
                    let views: Vec<&str> = views().map(|(v, _)| v).collect();
                    let hint = suggest(name, &views);
                    r.problem(
                        k.span().start,
                        format!(
                            "unknown view \"{name}\"{hint} (views: {})",
                            views.join(", ")
                        ),
                    );
                }
            }
        } else {
            let one = Rebind {
                key: k,
                value: v,
                contexts: GLOBAL,
                section: "[keys]",
            };
            asked.extend(read_command(r, &one, bindings));
        }
    }
}

/// One `command = "key"` line and where it applies.
struct Rebind<'a, 'i> {
    key: &'a Spanned<toml::de::DeString<'i>>,
    value: &'a Spanned<DeValue<'i>>,
    contexts: &'static [Context],
    section: &'a str,
}

fn read_command(r: &mut Reader, one: &Rebind<'_, '_>, bindings: &mut [Binding]) -> Option<Asked> {
    let Rebind {
        key,
        value,
        contexts,
        section,
    } = *one;
    let name = key.get_ref().as_ref();
    let here: Vec<Command> = keys::BINDINGS
        .iter()
        .filter(|b| contexts.contains(&b.context))
        .map(|b| b.command)
        .collect();
    let Some(command) = Command::from_name(name).filter(|c| here.contains(c)) else {
        let names: Vec<String> = here.iter().map(|c| c.name()).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let elsewhere = Command::from_name(name).map_or(String::new(), |_| {
            format!(" (it is not a command of {section})")
        });
        r.problem(
            key.span().start,
            format!(
                "unknown command \"{name}\"{}{elsewhere}",
                suggest(name, &refs)
            ),
        );
        return None;
    };
    let texts: Vec<(usize, String)> = match value.get_ref() {
        DeValue::String(s) => vec![(value.span().start, s.to_string())],
        DeValue::Array(items) => items
            .iter()
            .filter_map(|i| match i.get_ref() {
                DeValue::String(s) => Some((i.span().start, s.to_string())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if texts.is_empty() {
        r.problem(
            value.span().start,
            format!("{name}: a key (\"ctrl+s\") or a list of keys"),
        );
        return None;
    }
    let mut parsed = Vec::new();
    for (offset, text) in texts {
        match parse_key(&text) {
            Ok(k) if arrives_as(k).is_some() => r.problem(
                offset,
                format!(
                    "{name} = \"{text}\": terminals send that key as {}, so it never reaches a \
                     program as {text}; pick another key",
                    arrives_as(k).unwrap_or_default()
                ),
            ),
            Ok(k) if contexts == GLOBAL && eats_typing(k) => r.problem(
                offset,
                format!("{name} = \"{text}\": text fields need that key; a command of every screen takes Ctrl, Alt or an F-key"),
            ),
            Ok(k) if contexts.iter().any(|c| c.takes_typing()) && types_text(k) => r.problem(
                offset,
                format!("{name} = \"{text}\": that key types into the field; a field's command takes Ctrl, Alt or a key that types nothing"),
            ),
            Ok(k) => parsed.push(k),
            Err(e) => r.problem(offset, format!("{name}: {e}")),
        }
    }
    let keys: &'static [Key] = Box::leak(parsed.clone().into_boxed_slice());
    for b in bindings.iter_mut() {
        if b.command == command && contexts.contains(&b.context) {
            b.keys = keys;
        }
    }
    Some(Asked {
        offset: key.span().start,
        contexts,
        command,
        keys: parsed,
    })
}

/// What a Ctrl key is read as when the terminal sends it as another: Ctrl with I, M or [ is
/// the control byte of Tab, Enter or Esc, and Ctrl with \\ ] ^ _ or @ the byte the terminal
/// layer reads as Ctrl+4 to Ctrl+7 or Ctrl+Space. Ctrl+J and Ctrl+H are read as themselves.
fn arrives_as(k: Key) -> Option<&'static str> {
    let KeyCode::Char(c) = k.code else {
        return None;
    };
    if !k.ctrl {
        return None;
    }
    Some(match c.to_ascii_lowercase() {
        'i' => "Tab",
        'm' => "Enter",
        '[' => "Esc",
        '\\' => "ctrl+4",
        ']' => "ctrl+5",
        '^' => "ctrl+6",
        '_' => "ctrl+7",
        '@' => "ctrl+space",
        _ => return None,
    })
}

/// Keys a text field needs: a printable character, and the editing keys every field takes.
fn types_text(k: Key) -> bool {
    matches!(k.code, KeyCode::Char(_)) && !k.ctrl && !k.alt
}

fn eats_typing(k: Key) -> bool {
    let editing = [
        'w', 'u', 'a', 'e', 't', 'n', 'd', 'z', 'y', 'x', 'k', 'h', 'v', 'c',
    ];
    match k.code {
        KeyCode::Char(_) if !k.ctrl && !k.alt => true,
        KeyCode::Char(c) if k.ctrl => editing.contains(&c.to_ascii_lowercase()) && c != 'c',
        KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Enter
        | KeyCode::Backspace
        | KeyCode::Delete
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Up
        | KeyCode::Down
        | KeyCode::Home
        | KeyCode::End => !k.ctrl && !k.alt,
        _ => false,
    }
}

fn read_theme(r: &mut Reader, value: &Spanned<DeValue<'_>>) -> ThemeChoice {
    let mut choice = ThemeChoice::default();
    let DeValue::Table(table) = value.get_ref() else {
        r.problem(value.span().start, "[theme] is a table".to_owned());
        return choice;
    };
    for (k, v) in table {
        let key = k.get_ref().as_ref();
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            _ => {
                r.problem(v.span().start, format!("{key} is a string"));
                continue;
            }
        };
        if key == "name" {
            match ThemeName::ALL.iter().find(|(n, _)| *n == text) {
                Some((_, name)) => choice.name = *name,
                None => {
                    let names: Vec<&str> = ThemeName::ALL.iter().map(|(n, _)| *n).collect();
                    let hint = suggest(&text, &names);
                    r.problem(
                        v.span().start,
                        format!("unknown theme \"{text}\"{hint} (dark, light or high-contrast)"),
                    );
                }
            }
        } else if let Some(slot) = ThemeChoice::SLOTS.iter().position(|s| *s == key) {
            match crate::term::parse_color(&text) {
                Some(c) => choice.overrides[slot] = Some(c),
                None => r.problem(
                    v.span().start,
                    format!("{key} = \"{text}\": a colour is written #rrggbb or named (red, light-cyan…)"),
                ),
            }
        } else {
            let mut known = vec!["name"];
            known.extend(ThemeChoice::SLOTS);
            let hint = suggest(key, &known);
            r.problem(
                k.span().start,
                format!("unknown theme setting \"{key}\"{hint}"),
            );
        }
    }
    choice
}

/// A rebound key that reaches another command where both apply.
fn clashes(r: &mut Reader, bindings: &[Binding], asked: &[Asked]) {
    for a in asked {
        // A default key is the default's design (a view's F-key also closes it), not a clash.
        let defaults: Vec<Key> = keys::BINDINGS
            .iter()
            .filter(|b| b.command == a.command && a.contexts.contains(&b.context))
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        let overlay = a.contexts.iter().all(|c| c.is_overlay());
        for key in a.keys.iter().filter(|k| !defaults.contains(k)) {
            let wherever = a.contexts == GLOBAL;
            let other = bindings.iter().find(|b| {
                // An overlay takes every key but quit: its own and the shared ones never meet.
                let apart = b.command != Command::Quit
                    && overlay != b.context.is_overlay()
                    && !a.contexts.contains(&b.context);
                b.command != a.command
                    && b.keys.contains(key)
                    && !apart
                    && (wherever
                        || b.context == Context::Anywhere
                        || a.contexts.contains(&b.context)
                        || (b.context == Context::Console
                            && a.contexts.iter().any(|c| c.on_console())))
            });
            if let Some(b) = other {
                r.problem(
                    a.offset,
                    format!(
                        "{} for {} is already {} ({}) in {}; pick another key",
                        key.config_name(),
                        a.command.name(),
                        b.command.name(),
                        b.help,
                        b.context.title()
                    ),
                );
            }
        }
    }
}

/// `config default`: every command with its default keys, commented, ready to edit. Every
/// setting's comment starts in one column, so the file reads as a table.
pub fn default_file() -> String {
    use std::fmt::Write as _;
    // A line of prose, or a setting and what it does.
    let mut rows: Vec<(String, Option<String>)> = vec![
        (
            "# bucket-console's configuration. `bucket-console config path` says where it is read from;\n\
             # uncomment and change what you like. Keys: ctrl+s, alt+enter, f5, shift+tab, esc, R…\n\
             # Keys that edit text inside fields are fixed (F1 lists them where they apply).\n"
                .to_owned(),
            None,
        ),
        (
            "# mouse = true".to_owned(),
            Some("false: no mouse capture, so the terminal's own selection works".to_owned()),
        ),
        (String::new(), None),
        ("[theme]".to_owned(), None),
        (
            "# name = \"dark\"".to_owned(),
            Some("dark, light or high-contrast; NO_COLOR still wins".to_owned()),
        ),
    ];
    let dark = ThemeName::Dark.palette();
    let colors = [
        dark.accent,
        dark.dim,
        dark.focus,
        dark.error,
        dark.warning,
        dark.success,
        dark.input,
        dark.on_accent,
    ];
    for (slot, color) in ThemeChoice::SLOTS.iter().zip(colors) {
        let line = format!("# {slot} = \"{}\"", crate::term::color_name(color));
        rows.push((line, None));
    }
    let mut section = |title: &str, contexts: &[Context]| {
        rows.push((String::new(), None));
        rows.push((format!("[{title}]"), None));
        let mut seen = Vec::new();
        for b in keys::BINDINGS
            .iter()
            .filter(|b| contexts.contains(&b.context))
        {
            if seen.contains(&b.command) {
                continue;
            }
            seen.push(b.command);
            let keys: Vec<String> = b
                .keys
                .iter()
                .map(|k| format!("\"{}\"", k.config_name()))
                .collect();
            let value = if keys.len() == 1 {
                keys[0].clone()
            } else {
                format!("[{}]", keys.join(", "))
            };
            let help = b.command.own_help().unwrap_or(b.help);
            rows.push((
                format!("# {} = {value}", b.command.name()),
                Some(help.to_owned()),
            ));
        }
    };
    section("keys", GLOBAL);
    for (view, contexts) in views() {
        section(&format!("keys.{view}"), contexts);
    }
    let column = rows
        .iter()
        .filter(|(_, about)| about.is_some())
        .map(|(setting, _)| setting.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = String::new();
    for (setting, about) in rows {
        match about {
            Some(about) => {
                let pad = column - setting.chars().count();
                let _ = writeln!(out, "{setting}{:pad$}# {about}", "");
            }
            None => {
                let _ = writeln!(out, "{setting}");
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
