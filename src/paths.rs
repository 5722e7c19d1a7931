//! Where files live: config (profiles) under the platform config dir, data (history, outbox, the
//! local server's database) under the data dir. Both come from `directories`, so `XDG_CONFIG_HOME`
//! and `XDG_DATA_HOME` move them.

use std::path::PathBuf;

/// Why the platform directories could not be found.
#[derive(Debug, thiserror::Error)]
#[error("cannot find a home directory to keep bucket-console's files in (is $HOME set?)")]
pub struct NoHome;

fn dirs() -> Result<directories::ProjectDirs, NoHome> {
    directories::ProjectDirs::from("co", "bucket", "bucket-console").ok_or(NoHome)
}

/// The directory for configuration (profiles).
pub fn config_dir() -> Result<PathBuf, NoHome> {
    Ok(dirs()?.config_dir().to_path_buf())
}

/// The directory for data (history, outbox, the local server's database).
pub fn data_dir() -> Result<PathBuf, NoHome> {
    Ok(dirs()?.data_dir().to_path_buf())
}

/// The local server's default database file.
pub fn default_database() -> Result<PathBuf, NoHome> {
    Ok(data_dir()?.join("local-tracking.sqlite3"))
}

/// The profiles file.
pub fn profiles_file() -> Result<PathBuf, NoHome> {
    Ok(config_dir()?.join("profiles.toml"))
}

/// The persistent log of exchanges.
pub fn history_database() -> Result<PathBuf, NoHome> {
    Ok(data_dir()?.join("history.sqlite3"))
}

/// The kiosk's own record of what it sent: visitors' answers, kept out of the developer's log.
pub fn kiosk_database() -> Result<PathBuf, NoHome> {
    Ok(data_dir()?.join("kiosk.sqlite3"))
}

/// Calls waiting to be delivered.
pub fn outbox_database() -> Result<PathBuf, NoHome> {
    Ok(data_dir()?.join("outbox.sqlite3"))
}
