//! Every confirmation is drawn by one drawer from its prompt: its title, its lines and its
//! answers all reach the screen, at 80×24 as at 120×40.

use crate::api::Method;
use crate::tui::fixtures::{render, state};
use crate::tui::state::{Confirm, Overlay};

fn all() -> Vec<Confirm> {
    vec![
        Confirm::SendAnyway { problems: 2 },
        Confirm::CannotSend,
        Confirm::DeleteProfile {
            name: "staging".into(),
        },
        Confirm::DropOutboxItem { id: 7 },
        Confirm::ReplaceRequest {
            name: "signup".into(),
        },
        Confirm::ImportCurl {
            method: Method::Event,
            body: "{}".into(),
            text: "curl …".into(),
        },
    ]
}

fn screen(confirm: &Confirm, width: u16, height: u16) -> String {
    let mut s = state(Method::Event);
    s.overlay = Overlay::Confirm(confirm.clone());
    let terminal = render(&s, width, height);
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
fn every_confirmation_is_drawn_whole_from_its_prompt() {
    let s = state(Method::Event);
    for confirm in all() {
        let prompt = confirm.prompt(s.form(), None);
        for (w, h) in [(80, 24), (120, 40)] {
            let shown = screen(&confirm, w, h);
            assert!(
                shown.contains(&format!(" {} ", prompt.title)),
                "{confirm:?}\n{shown}"
            );
            // The first words of each line (long ones wrap), and every answer whole.
            for (_, line) in &prompt.lines {
                let start: String = line.chars().take(30).collect();
                assert!(shown.contains(start.trim_end()), "{line}\n{shown}");
            }
            for (keys, what) in &prompt.answers {
                assert!(shown.contains(&format!("{keys} {what}")), "{what}\n{shown}");
            }
        }
    }
}
