//! The files the console follows without polling: the history (calls made by other processes)
//! and the collection (saved by an editor). The OS notifies; an idle console stays idle.

use super::action::Action;
use crate::paths;
use tokio::sync::mpsc::UnboundedSender;

/// The collection file `run` would use (BUCKET_COLLECTION, else here or in a parent).
pub fn read_collection()
-> Result<Option<crate::collection::Collection>, crate::collection::CollectionError> {
    let explicit = std::env::var_os("BUCKET_COLLECTION").map(std::path::PathBuf::from);
    let cwd = std::env::current_dir().unwrap_or_default();
    match crate::collection::locate(explicit.as_deref(), &cwd) {
        None => Ok(None),
        Some(path) => crate::collection::load(&path, &[]).map(Some),
    }
}

/// Wakes the console when the history file is written, by this process or another (the CLI,
/// a second console): the OS notifies, nothing polls, so an idle console stays idle.
pub fn history(actions: UnboundedSender<Action>) -> Option<notify::RecommendedWatcher> {
    let file = paths::history_database().ok()?;
    let dir = file.parent()?.to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let name = file.file_name()?.to_string_lossy().into_owned();
    // Reading the file touches its `-shm`, never these two: no loop of reads.
    let names = vec![format!("{name}-wal"), name];
    watch_files(&dir, names, move || {
        let _ = actions.send(Action::HistoryTouched);
    })
}

/// Reads the collection again when an editor saves it (or creates it where `run` would find it).
pub fn collection(actions: UnboundedSender<Action>) -> Option<notify::RecommendedWatcher> {
    let explicit = std::env::var_os("BUCKET_COLLECTION").map(std::path::PathBuf::from);
    let cwd = std::env::current_dir().ok()?;
    let file = crate::collection::locate(explicit.as_deref(), &cwd)
        .unwrap_or_else(|| cwd.join(crate::collection::FILE_NAME));
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())?
        .to_path_buf();
    let name = file.file_name()?.to_string_lossy().into_owned();
    watch_files(&dir, vec![name], move || {
        let _ = actions.send(Action::CollectionTouched);
    })
}

/// Calls `touched` whenever one of `names` in `dir` is created or written.
fn watch_files(
    dir: &std::path::Path,
    names: Vec<String>,
    touched: impl Fn() + Send + 'static,
) -> Option<notify::RecommendedWatcher> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let ours = event.paths.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| names.iter().any(|w| *w == n.to_string_lossy()))
        });
        if ours && matches!(event.kind, EventKind::Modify(_) | EventKind::Create(_)) {
            touched();
        }
    })
    .ok()?;
    watcher.watch(dir, RecursiveMode::NonRecursive).ok()?;
    Some(watcher)
}
