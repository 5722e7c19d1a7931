//! Where the flags a server answers with come from: a definitions file (`serve --flags`, in the
//! shape of `GET /features`'s answer) and the collection's `[flags.KEY]`. One loader, used by
//! `serve`, the console's own server and `flags check`, so every rule is said once; and the
//! watcher that hands a running server each good edit (`watch`).

pub mod watch;

use crate::api::flags::{FlagDefinition, parse_definitions, render};
use crate::api::locate;
use crate::collection::flags::{Sourced, flags_in, keyless_warning};
use std::fmt;
use std::path::{Path, PathBuf};

/// The largest definitions file read: a pulled environment with thousands of flags is a few
/// megabytes.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The files flags are read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// A JSON file: `{"features": [...]}` or the bare array.
    pub file: Option<PathBuf>,
    /// A collection file, of which only `[flags]` is read.
    pub collection: Option<PathBuf>,
}

/// Good definitions, and what is legal but suspect in them (`file:line: …`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub flags: Vec<FlagDefinition>,
    pub warnings: Vec<String>,
    pub from_file: usize,
    pub from_collection: usize,
}

/// One problem, at a place of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Why the definitions cannot be served: every problem found, each at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// A flag with the place it is defined at.
struct Placed {
    flag: FlagDefinition,
    line: usize,
    warnings: Vec<(usize, String)>,
}

/// Reads every source; a flag defined in both is a problem naming both places.
pub fn load(sources: &Sources) -> Result<Loaded, LoadError> {
    let mut problems = Vec::new();
    let file = match &sources.file {
        Some(path) => match read_file(path) {
            Ok(flags) => flags,
            Err(p) => {
                problems.push(p);
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let collection = match &sources.collection {
        Some(path) => match flags_in(path) {
            Ok(flags) => flags.into_iter().map(placed).collect(),
            Err(e) => {
                problems.extend(e.problems.into_iter().map(|p| Problem {
                    path: e.path.clone(),
                    line: p.line,
                    message: p.message,
                }));
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let mut loaded = Loaded {
        from_file: file.len(),
        from_collection: collection.len(),
        ..Loaded::default()
    };
    let place = |path: &Option<PathBuf>, line: usize| {
        format!(
            "{}:{line}",
            path.as_deref()
                .map(Path::display)
                .map(|d| d.to_string())
                .unwrap_or_default()
        )
    };
    for (flags, path) in [(&file, &sources.file), (&collection, &sources.collection)] {
        for p in flags {
            for (line, warning) in &p.warnings {
                loaded
                    .warnings
                    .push(format!("{}: {warning}", place(path, *line)));
            }
        }
    }
    for c in &collection {
        if let Some(f) = file.iter().find(|f| f.flag.key == c.flag.key) {
            problems.push(Problem {
                path: sources.collection.clone().unwrap_or_default(),
                line: Some(c.line),
                message: format!(
                    "flag \"{}\" is defined here and in {}: keep one",
                    c.flag.key,
                    place(&sources.file, f.line)
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    loaded.flags = file.into_iter().chain(collection).map(|p| p.flag).collect();
    Ok(loaded)
}

fn placed(s: Sourced) -> Placed {
    Placed {
        flag: s.flag,
        line: s.line,
        warnings: s.warnings,
    }
}

/// A definitions file: JSON, each flag with the line it starts on; a refusal on the line of the
/// value it names.
fn read_file(path: &Path) -> Result<Vec<Placed>, Problem> {
    let problem = |line: Option<usize>, message: String| Problem {
        path: path.to_path_buf(),
        line,
        message,
    };
    let text = read_bounded(path).map_err(|e| problem(None, format!("cannot read it: {e}")))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        problem(
            Some(e.line()),
            format!("not JSON: {}", strip_position(&e.to_string())),
        )
    })?;
    let line_of = |pointer: &str| locate::line_of(&text, pointer) + 1;
    let flags =
        parse_definitions(&doc).map_err(|e| problem(Some(line_of(&e.pointer)), e.to_string()))?;
    let base = if doc.is_array() { "" } else { "/features" };
    Ok(flags
        .into_iter()
        .enumerate()
        .map(|(i, flag)| {
            let at = format!("{base}/{i}");
            let warnings = render::keyless_rollouts(&flag)
                .into_iter()
                .map(|rel| (line_of(&format!("{at}{rel}")), keyless_warning(&flag.key)))
                .collect();
            Placed {
                line: line_of(&at),
                flag,
                warnings,
            }
        })
        .collect())
}

fn read_bounded(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB, the bound on a definitions file",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(text)
}

/// serde_json's message ends "at line L column C": the line is said in front already.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

#[cfg(test)]
mod tests;
