//! What the commands share: exit statuses, errors that carry one, loading profiles (with their
//! warnings on stderr), the history, and the runtime.

use bucket_console::history::{self, History};
use bucket_console::paths;
use bucket_console::profiles::{self, Env, Profiles, Selected};
use bucket_console::sanitize::sanitize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit statuses shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    /// The request was refused: by local validation or by the server (4xx).
    pub const REJECTED: u8 = 1;
    /// A command that sends nothing failed (`serve` could not bind).
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    /// Delivery failed after retries (network, timeouts, 5xx).
    pub const FAILED: u8 = 3;
    /// `outbox flush`: another process (a flush, the console, a kiosk) is delivering the items,
    /// so this one sent nothing; trying again later is right.
    pub const BUSY: u8 = 4;
}

/// A command's failure: a message for stderr and the exit status.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: exit::USAGE,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: exit::FAILED,
            message: message.into(),
        }
    }

    pub fn rejected(message: impl Into<String>) -> Self {
        Self {
            code: exit::REJECTED,
            message: message.into(),
        }
    }
}

/// Prints the error (if any) and turns the result into the process's exit status.
pub fn finish(command: &str, result: Result<u8, CliError>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Messages quote files, servers and pastes: one sanitizer for all of them.
            eprintln!("bucket-console {command}: {}", sanitize(&e.message));
            ExitCode::from(e.code)
        }
    }
}

/// The saved profiles and their file; warnings (a file others can read) go to stderr.
pub fn load_profiles() -> Result<(Profiles, PathBuf), CliError> {
    let path = paths::profiles_file().map_err(|e| CliError::usage(e.to_string()))?;
    let (profiles, warnings) = profiles::load(&path).map_err(|e| CliError::usage(e.to_string()))?;
    for warning in warnings {
        eprintln!("warning: {}", sanitize(&warning));
    }
    Ok((profiles, path))
}

/// The profile a command uses (`--profile`, `BUCKET_PROFILE`, the default, `local`).
pub fn selected_profile(flag: Option<&str>) -> Result<(Selected, Profiles), CliError> {
    let (profiles, _) = load_profiles()?;
    let selected = profiles::select(&profiles, flag, &Env::from_process())
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok((selected, profiles))
}

/// The history, or a warning and nothing: a log that cannot be written must not fail a send.
pub fn open_history() -> Option<History> {
    let opened = paths::history_database()
        .map_err(|e| e.to_string())
        .and_then(|path| {
            History::open(&path, history::limit_from_env()).map_err(|e| e.to_string())
        });
    match opened {
        Ok(history) => Some(history),
        Err(e) => {
            eprintln!("warning: this exchange is not logged: {}", sanitize(&e));
            None
        }
    }
}

/// The history for reading, where its absence is an error.
pub fn read_history() -> Result<History, CliError> {
    let path = paths::history_database().map_err(|e| CliError::usage(e.to_string()))?;
    History::open(&path, history::limit_from_env()).map_err(|e| CliError::rejected(e.to_string()))
}

pub fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, CliError> {
    let built = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    };
    built.map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))
}
