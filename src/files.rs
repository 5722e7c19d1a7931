//! Files that hold secrets or personal data: created readable by their owner only, and replaced
//! atomically so a crash never leaves half a file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `path` empty with mode 0600 if it does not exist; an existing file is left alone.
pub fn create_private(path: &Path) -> io::Result<()> {
    match private_options().write(true).create_new(true).open(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

/// Why a private database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Create(#[from] io::Error),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Opens (creating it if needed, mode 0600 in a 0700 directory) a SQLite database that holds
/// personal data: the history, the outbox.
pub fn open_private_db(path: &Path) -> Result<rusqlite::Connection, OpenError> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    create_private(path)?;
    Ok(rusqlite::Connection::open(path)?)
}

/// Creates a directory and its parents, the new ones with mode 0700.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Replaces `path` with `contents`: a temporary file (mode 0600 from creation) is written, synced
/// and renamed over it, then the directory is synced so the rename itself survives a crash.
pub fn write_atomic_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            d.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The permission bits of a file that others than its owner may read or write, if any.
#[cfg(unix)]
pub fn loose_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub fn loose_mode(_: &Path) -> Option<u32> {
    None
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_are_private_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secret.toml");
        write_atomic_private(&path, b"one").unwrap();
        write_atomic_private(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(loose_mode(&path), None);
        assert_eq!(
            fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temp file left"
        );
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        assert_eq!(loose_mode(&path), Some(0o644));
    }
}
