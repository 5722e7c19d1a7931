//! Live edits: the definitions file and the collection are watched (the OS notifies, nothing
//! polls), and each save is read again with the same loader. Good definitions go to the running
//! server, which numbers and pushes them; a bad edit changes nothing served, and is said.

use super::{LoadError, Loaded, Sources, load};
use crate::server::FlagsHandle;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Editors save in bursts (write, rename, touch): a reload waits until the files are quiet this
/// long, so one save is read once, whole.
const QUIET: Duration = Duration::from_millis(100);

/// The watch, for as long as it is kept; dropping it ends the watching thread.
pub struct Following {
    _watcher: notify::RecommendedWatcher,
}

impl Following {
    /// Watches for the rest of the process's life (a server that lasts as long, the console's).
    pub fn keep(self) {
        std::mem::forget(self);
    }
}

/// Calls `reloaded` with what the sources hold after each burst of changes to them.
pub fn follow(
    sources: Sources,
    reloaded: impl Fn(Result<Loaded, LoadError>) + Send + 'static,
) -> Result<Following, notify::Error> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let files: Vec<PathBuf> = [&sources.file, &sources.collection]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let names: Vec<std::ffi::OsString> = files
        .iter()
        .filter_map(|f| f.file_name().map(std::ffi::OsStr::to_os_string))
        .collect();
    let (touched, changes) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let ours = event
            .paths
            .iter()
            .any(|p| p.file_name().is_some_and(|n| names.iter().any(|w| w == n)));
        if ours && !matches!(event.kind, EventKind::Access(_)) {
            let _ = touched.send(());
        }
    })?;
    let mut dirs: Vec<PathBuf> = files.iter().map(|f| directory_of(f)).collect();
    dirs.dedup();
    for dir in &dirs {
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
    }
    std::thread::Builder::new()
        .name("flags-watch".into())
        .spawn(move || {
            // The caller loaded the sources before this watch began: a save made in between sent
            // no notice, so they are read once more now. Unchanged definitions change nothing
            // served and say nothing; a bad read here was either said by the caller already or
            // will be by the next save's notice.
            if let Ok(loaded) = load(&sources) {
                reloaded(Ok(loaded));
            }
            // Ends when the watcher (which holds the sender) is dropped.
            while changes.recv().is_ok() {
                while changes.recv_timeout(QUIET).is_ok() {}
                reloaded(load(&sources));
            }
        })
        .map_err(notify::Error::io)?;
    Ok(Following { _watcher: watcher })
}

fn directory_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Follows `sources` for a running server: a good edit is served (and numbered, and pushed), a
/// bad one leaves the last good definitions served and is noted in Traffic; either is told to
/// `say` (stderr for `serve`, the console's status for its own server).
pub fn serve_edits(
    server: FlagsHandle,
    sources: Sources,
    runtime: tokio::runtime::Handle,
    say: impl Fn(String) + Send + 'static,
) -> Result<Following, notify::Error> {
    follow(sources, move |result| match result {
        Ok(loaded) => {
            let before = server.version();
            let count = loaded.flags.len();
            match runtime.block_on(server.replace(loaded.flags)) {
                Ok(version) if version != before => {
                    for warning in loaded.warnings {
                        say(format!("warning: {warning}"));
                    }
                    say(format!(
                        "flags reloaded: {count} flag(s), flagStateVersion {version}"
                    ));
                }
                Ok(_) => {}
                Err(e) => say(format!("flags not reloaded: {e}")),
            }
        }
        Err(e) => {
            let text = crate::sanitize::sanitize(&e.to_string());
            server.refused(&text);
            say(format!(
                "{text}\nflags not reloaded: the last good definitions stay served"
            ));
        }
    })
}
