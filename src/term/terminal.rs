//! The terminal's set-up and restore, shared by the console and the kiosk.

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};

/// Restores the terminal when dropped, on every way out of the loop.
pub struct TerminalGuard;

/// The alternate screen in raw mode with the mouse and bracketed paste on; the guard (and a panic
/// hook) put the terminal back however the program ends.
pub fn enter_terminal(mouse: bool) -> (ratatui::DefaultTerminal, TerminalGuard) {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));
    let terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    }
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

/// Resolves when the process is asked to end from outside (SIGTERM, SIGHUP: a `kill`, a closed
/// terminal window). The signals are taken at the call, so none is missed before the first poll;
/// the loop that awaits this then ends normally and the guard restores the terminal.
pub fn asked_to_end() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let hup = signal(SignalKind::hangup()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(term) => {}
                () = wait(hup) => {}
            }
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>()
}
