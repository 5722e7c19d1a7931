//! Why `run` cannot start, or why a scenario cannot go on past a step.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// A name on the command line the collection does not have, with the nearest it has.
    NoSuchItem {
        name: String,
        path: PathBuf,
        hint: Option<String>,
    },
    /// A step's `save` points at nothing in the request sent or the answer.
    NothingToSave {
        name: String,
        side: &'static str,
        pointer: String,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchItem { name, path, hint } => {
                write!(
                    f,
                    "no request or scenario named `{name}` in {}",
                    path.display()
                )?;
                if let Some(h) = hint {
                    write!(f, "; did you mean `{h}`?")?;
                }
                f.write_str(" (`run --list` lists them)")
            }
            Self::NothingToSave {
                name,
                side,
                pointer,
            } => write!(f, "save {name}: nothing at {side}:{pointer} to save"),
        }
    }
}

impl std::error::Error for RunError {}
