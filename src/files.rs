//! Files that hold secrets or personal data: created readable by their owner only, and replaced
//! atomically so a crash never leaves half a file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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

/// Who may read a file [`write_atomic`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Its owner only (mode 0600 from creation): profiles, keys.
    Private,
    /// As the file had it (a new one as the umask allows): a team's collection.
    Keep,
}

/// Replaces `path` with `contents`: a temporary file is created exclusively (`O_EXCL`, a random
/// name, so a link planted at a name we would pick is never followed) in the same directory,
/// written, synced and renamed over it; then the directory is synced so the rename survives a
/// crash. A `path` that is a symbolic link is written through to the file it names, as editors
/// do, so a dotfiles link stays a link; a link to nothing, or to something other than a file,
/// is refused rather than made to create a file wherever it points.
pub fn write_atomic(path: &Path, contents: &[u8], access: Access) -> io::Result<()> {
    let target = link_target(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    if access == Access::Private {
        create_private_dir(dir)?;
    }
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(
        if access == Access::Private {
            0o600
        } else {
            0o666
        },
    ));
    let mut tmp = builder.tempfile_in(dir)?;
    if access == Access::Keep
        && let Ok(meta) = fs::metadata(&target)
    {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    // On failure the temporary is removed when dropped.
    tmp.persist(&target).map_err(|e| e.error)?;
    if let Ok(d) = fs::File::open(dir) {
        d.sync_all()?;
    }
    Ok(())
}

/// Links followed before a chain is taken for a loop (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The file `path` names once symbolic links are followed: `path` itself when it is no link.
fn link_target(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for followed in 0..=MAX_LINKS {
        let linked = followed > 0;
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) => dir.join(next),
                    None => next,
                };
            }
            Ok(meta) if linked && !meta.is_file() => {
                return Err(refused(path, &at, "which is not a regular file"));
            }
            Ok(_) => return Ok(at),
            Err(e) if e.kind() == io::ErrorKind::NotFound && linked => {
                return Err(refused(path, &at, "which does not exist"));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(at),
            Err(e) => return Err(e),
        }
    }
    Err(refused(path, &at, "through too many links"))
}

fn refused(link: &Path, target: &Path, why: &str) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link to {}, {why}: nothing was written (create that file, or replace \
         the link with a file)",
        link.display(),
        target.display()
    ))
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
    use std::os::unix::fs::symlink;

    #[test]
    fn atomic_writes_are_private_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secret.toml");
        write_atomic(&path, b"one", Access::Private).unwrap();
        write_atomic(&path, b"two", Access::Private).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(loose_mode(&path), None);
        assert_eq!(
            fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temp file left"
        );
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        assert_eq!(loose_mode(&path), Some(0o644));
        write_atomic(&path, b"three", Access::Keep).unwrap();
        assert_eq!(
            loose_mode(&path),
            Some(0o644),
            "a team's file keeps its mode"
        );
    }

    #[test]
    fn a_link_planted_where_a_temporary_could_go_is_never_followed() {
        for access in [Access::Private, Access::Keep] {
            let dir = tempfile::tempdir().unwrap();
            let victim = dir.path().join("victim");
            fs::write(&victim, "mine").unwrap();
            let path = dir.path().join("bucket-console.toml");
            fs::write(&path, "old").unwrap();
            // Every name a writer of this file could once predict: the process id's.
            let pid = std::process::id();
            for planted in [
                format!(".bucket-console.toml.tmp-{pid}"),
                format!(".bucket-console.toml.tmp{pid}"),
                ".bucket-console.toml.tmp".to_owned(),
            ] {
                symlink(&victim, dir.path().join(planted)).unwrap();
            }
            write_atomic(&path, b"new", access).unwrap();
            assert_eq!(fs::read_to_string(&victim).unwrap(), "mine", "{access:?}");
            assert_eq!(fs::read_to_string(&path).unwrap(), "new");
            assert!(
                !fs::symlink_metadata(&path)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
    }

    #[test]
    fn a_linked_file_is_written_through_and_a_dangling_link_refused() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        fs::create_dir(&dotfiles).unwrap();
        let real = dotfiles.join("profiles.toml");
        fs::write(&real, "old").unwrap();
        let config = dir.path().join("config");
        fs::create_dir(&config).unwrap();
        let link = config.join("profiles.toml");
        symlink("../dotfiles/profiles.toml", &link).unwrap();
        write_atomic(&link, b"new", Access::Private).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(loose_mode(&real), None);
        assert_eq!(
            fs::read_dir(&config).unwrap().count(),
            1,
            "nothing beside the link"
        );
        assert_eq!(fs::read_dir(&dotfiles).unwrap().count(), 1, "no temp left");

        let nowhere = dir.path().join("elsewhere").join(".bashrc");
        let dangling = config.join("dangling.toml");
        symlink(&nowhere, &dangling).unwrap();
        let err = write_atomic(&dangling, b"x", Access::Keep)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is a symbolic link to") && err.contains("does not exist"),
            "{err}"
        );
        assert!(!nowhere.exists() && !nowhere.parent().unwrap().exists());
        assert!(
            fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );

        let to_dir = config.join("dir.toml");
        symlink(&dotfiles, &to_dir).unwrap();
        let err = write_atomic(&to_dir, b"x", Access::Keep)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let looped = config.join("loop.toml");
        symlink(&looped, &looped).unwrap();
        let err = write_atomic(&looped, b"x", Access::Keep)
            .unwrap_err()
            .to_string();
        assert!(err.contains("too many links"), "{err}");
    }
}
