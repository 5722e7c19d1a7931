//! The console's state for its unit and snapshot tests; the data lives in `crate::fixtures`.

use crate::api::Method;
use crate::profiles::{Profile, Profiles};
use crate::tui::state::State;

pub use crate::fixtures::{exchange, outbox_items, requests, stored};

/// A console on the local profile with a second, saved profile.
pub fn state(method: Method) -> State {
    let mut profiles = Profiles::default();
    let other = Profile {
        name: "staging".into(),
        base_url: "https://tracking.example".into(),
        user_id: Some("u-default".into()),
        ..Profile::local()
    };
    profiles.add(other, false).unwrap();
    State::new(
        profiles,
        Profile::local(),
        "http://127.0.0.1:8787".into(),
        method,
        true,
    )
}
