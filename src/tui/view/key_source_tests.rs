//! Where a profile's key comes from shows on the header and in the profile list (Ctrl+P): a key
//! read from a variable or a command says so, since it is nowhere in a file.

use crate::api::{AnyKey, Api, Method};
use crate::profiles::{KeyFrom, Profile};
use crate::tui::fixtures::{render, state};
use crate::tui::state::Overlay;

fn screen(s: &crate::tui::state::State) -> String {
    let terminal = render(s, 120, 30);
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_header_and_the_profile_list_say_where_the_key_comes_from() {
    let mut s = state(Method::User);
    let from_env = Profile {
        name: "prod".into(),
        key: AnyKey::parse(Api::Tracking, "trCqx4DGo1lk3Lcct5NHLjWy").unwrap(),
        key_from: KeyFrom::Env("PROD_KEY".into()),
        ..s.profile.clone()
    };
    let from_command = Profile {
        name: "vault".into(),
        key: AnyKey::unread(Api::Tracking),
        key_from: KeyFrom::Command(vec!["pass".into(), "show".into(), "reflag/prod".into()]),
        ..s.profile.clone()
    };
    s.profiles.add(from_env.clone(), false).unwrap();
    s.profiles.add(from_command, false).unwrap();
    s.profile = from_env;
    let shown = screen(&s);
    let header = shown.lines().next().unwrap();
    assert!(header.contains("…LjWy (from $PROD_KEY)"), "{header}");
    s.overlay = Overlay::Profiles { selected: 0 };
    let shown = screen(&s);
    assert!(shown.contains("key from $PROD_KEY"), "{shown}");
    assert!(
        shown.contains("key from `pass show reflag/prod`"),
        "{shown}"
    );
    assert!(
        !shown.contains("LjWy #"),
        "no fingerprint of a key read into memory: {shown}"
    );
}
