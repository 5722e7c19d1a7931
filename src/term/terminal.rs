//! The terminal's set-up and restore, shared by the console and the kiosk.

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};

/// Restores the terminal when dropped, on every way out of the loop.
pub struct TerminalGuard;

/// The alternate screen in raw mode with the mouse and bracketed paste on; the guard (and a panic
/// hook) put the terminal back however the program ends.
pub fn enter_terminal() -> (ratatui::DefaultTerminal, TerminalGuard) {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));
    let terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    (terminal, TerminalGuard)
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
}
