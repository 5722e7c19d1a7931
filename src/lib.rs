//! bucket-console: a terminal console, a local tracking server and a scriptable CLI for the
//! Bucket Tracking HTTP API. The binary is a thin shell over these modules.

pub mod api;
pub mod client;
pub mod collection;
pub mod delivery;
pub mod explore;
pub mod files;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod flags;
pub mod highlight;
pub mod history;
pub mod kiosk;
pub mod net;
pub mod outbox;
pub mod paths;
pub mod profiles;
pub mod results;
pub mod sanitize;
pub mod server;
pub mod target;
pub mod term;
pub mod tui;
