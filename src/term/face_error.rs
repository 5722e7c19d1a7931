//! Why a face (the console or the kiosk) stopped before the user ended it: the terminal failed,
//! or what it needs could not be set up. Both faces' `run` return it; the CLI shows it.

use std::fmt;

#[derive(Debug)]
pub enum FaceError {
    /// The HTTP client could not be built.
    Client(crate::net::SetupError),
    /// The outbox could not be opened (the kiosk needs it before its first frame).
    Outbox(crate::delivery::DeliveryError),
    /// A task setting something up ended without finishing.
    Task(tokio::task::JoinError),
    /// The terminal's events could not be read.
    ReadTerminal(std::io::Error),
    /// The terminal could not be drawn on.
    Draw(std::io::Error),
}

impl fmt::Display for FaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(e) => e.fmt(f),
            Self::Outbox(e) => e.fmt(f),
            Self::Task(e) => e.fmt(f),
            Self::ReadTerminal(e) => write!(f, "cannot read the terminal: {e}"),
            Self::Draw(e) => write!(f, "cannot draw on the terminal: {e}"),
        }
    }
}

impl std::error::Error for FaceError {}
