//! Keys that never rest in a file: a profile may take its key from an environment variable
//! (`key_env = "NAME"`) or from a command's first line of output (`key_command = ["pass",
//! "show", "reflag/prod"]`). The command runs without a shell, its stdin closed, for at most
//! [`TIMEOUT`], and at most once per process: the key is kept in memory only, and a failure is
//! kept too, so a password manager asks once, before the console takes the terminal.

use std::collections::HashMap;
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a key command may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Most of a failing command's stderr that is shown.
const STDERR_SHOWN: usize = 1000;

/// Where a profile's key comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum KeyFrom {
    /// `key = "…"` in profiles.toml (or built in).
    #[default]
    File,
    /// `key_env = "NAME"`.
    Env(String),
    /// `key_command = ["CMD", "ARG", …]`.
    Command(Vec<String>),
}

impl KeyFrom {
    /// The variable an export names for the key: `key_env`'s, when it is a plain identifier that
    /// every shell and language reads as a name (anything else is never written into code).
    pub fn variable(&self) -> Option<&str> {
        match self {
            KeyFrom::Env(name) => {
                let mut chars = name.chars();
                let plain = chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
                plain.then_some(name.as_str())
            }
            KeyFrom::File | KeyFrom::Command(_) => None,
        }
    }

    pub fn is_file(&self) -> bool {
        *self == KeyFrom::File
    }

    /// What lists and the console's header say of it: `from $NAME`, ``from `pass show x` ``.
    pub fn describe(&self) -> String {
        match self {
            KeyFrom::File => "stored".to_owned(),
            KeyFrom::Env(name) => format!("from ${name}"),
            KeyFrom::Command(argv) => format!("from `{}`", shown(argv)),
        }
    }
}

/// Why a key could not be read. Never holds the key or the command's output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySourceError {
    #[error("${0} is not set")]
    EnvUnset(String),
    #[error("${0} is empty")]
    EnvEmpty(String),
    #[error("`{command}` could not start: {why}")]
    Spawn { command: String, why: String },
    #[error("`{command}` failed ({status}){}", stderr_part(.stderr))]
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("`{command}` did not finish within {} seconds and was stopped", TIMEOUT.as_secs())]
    TimedOut { command: String },
    #[error("`{command}` printed nothing on its first line{}", stderr_part(.stderr))]
    Empty { command: String, stderr: String },
    #[error("--key-command `{0}`: its quotes do not close")]
    Split(String),
    #[error("--key-command is empty: give a command, such as \"pass show reflag/prod\"")]
    NoCommand,
}

fn stderr_part(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!("; it said: {stderr}")
    }
}

/// The command as a shell would read it back.
fn shown(argv: &[String]) -> String {
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
}

/// Splits `--key-command "pass show 'reflag/prod'"` into words as a shell would, running none.
pub fn split_command(text: &str) -> Result<Vec<String>, KeySourceError> {
    let words = shlex::split(text).ok_or_else(|| KeySourceError::Split(text.to_owned()))?;
    if words.is_empty() {
        return Err(KeySourceError::NoCommand);
    }
    Ok(words)
}

fn cache() -> &'static Mutex<HashMap<KeyFrom, Result<String, KeySourceError>>> {
    static CACHE: OnceLock<Mutex<HashMap<KeyFrom, Result<String, KeySourceError>>>> =
        OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The key of `from`, read the first time it is asked for in this process.
pub fn read_once(from: &KeyFrom) -> Result<String, KeySourceError> {
    if let Some(known) = known(from) {
        return known;
    }
    let read = read(from, TIMEOUT);
    if let Ok(mut cache) = cache().lock() {
        cache.insert(from.clone(), read.clone());
    }
    read
}

/// What an earlier [`read_once`] of `from` got, without reading.
pub fn known(from: &KeyFrom) -> Option<Result<String, KeySourceError>> {
    cache().lock().ok()?.get(from).cloned()
}

/// Reads the key now: the variable, or the command's first line within `timeout`.
pub fn read(from: &KeyFrom, timeout: Duration) -> Result<String, KeySourceError> {
    match from {
        KeyFrom::File => Err(KeySourceError::NoCommand),
        KeyFrom::Env(name) => match std::env::var(name) {
            Ok(v) if v.trim().is_empty() => Err(KeySourceError::EnvEmpty(name.clone())),
            Ok(v) => Ok(v.trim().to_owned()),
            Err(_) => Err(KeySourceError::EnvUnset(name.clone())),
        },
        KeyFrom::Command(argv) => run(argv, timeout),
    }
}

fn run(argv: &[String], timeout: Duration) -> Result<String, KeySourceError> {
    let command = shown(argv);
    let Some((program, arguments)) = argv.split_first() else {
        return Err(KeySourceError::NoCommand);
    };
    let mut child = Command::new(program)
        .args(arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| KeySourceError::Spawn {
            command: command.clone(),
            why: e.to_string(),
        })?;
    // Read on threads: a child blocked on a full pipe would never exit.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(KeySourceError::TimedOut { command });
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr: String = err
        .join()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(STDERR_SHOWN)
        .collect();
    if !status.success() {
        return Err(KeySourceError::Failed {
            command,
            status: status.to_string(),
            stderr,
        });
    }
    let first = stdout.lines().next().unwrap_or("").trim();
    if first.is_empty() {
        return Err(KeySourceError::Empty { command, stderr });
    }
    Ok(first.to_owned())
}

#[cfg(test)]
#[path = "key_source_tests.rs"]
mod tests;

#[cfg(test)]
mod variable_tests {
    use super::KeyFrom;

    #[test]
    fn only_a_plain_variable_name_is_named_in_exports() {
        let named = |name: &str| KeyFrom::Env(name.to_owned()).variable().map(str::to_owned);
        assert_eq!(named("PROD_KEY").as_deref(), Some("PROD_KEY"));
        assert_eq!(named("_k2").as_deref(), Some("_k2"));
        for hostile in ["", "2KEY", "A-B", "A;rm -rf x", "$(touch pwned)", "K}`x`"] {
            assert_eq!(named(hostile), None, "{hostile}");
        }
        assert_eq!(KeyFrom::File.variable(), None);
        assert_eq!(KeyFrom::Command(vec!["pass".into()]).variable(), None);
    }
}
