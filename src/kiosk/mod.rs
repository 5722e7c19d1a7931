//! The kiosk: a full-screen feedback form for demos and booths. One respondent after another picks
//! a score (sent at once), may add a comment (an update of the same feedback), and is thanked;
//! calls that cannot be delivered wait in the outbox. Same flow as the console: actions →
//! `update` (pure) → effects; `view` draws the state.

pub mod app;
pub mod state;
pub mod update;
pub mod view;

#[cfg(test)]
mod runtime_tests;
#[cfg(test)]
mod tests;

pub use app::run;
