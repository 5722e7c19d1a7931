//! The console: one-way data flow. Terminal events and finished work become actions
//! (`action`); `update` changes the `state` and returns effects; `app` runs the effects in tasks
//! and draws with `view`, a pure function of the state.

pub mod action;
pub mod app;
pub mod batch;
#[cfg(test)]
pub(crate) mod batch_fixtures;
pub mod collection;
pub mod config;
pub mod confirm;
pub mod detail;
mod effects;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod flags;
mod flags_effect;
pub mod form;
mod form_check;
mod form_runtime;
pub mod help;
pub mod inspect;
pub mod keys;
pub mod layout;
pub mod log_view;
pub mod outbox;
pub mod palette;
pub mod profile_editor;
pub mod refusal;
pub mod results;
pub mod search;
pub mod stars;
pub mod state;
pub mod traffic;
pub mod update;
pub mod view;
mod watch;

pub use app::run;
