//! The terminal's set-up and restore, shared by the console and the kiosk.

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::EnterAlternateScreen;
use std::io::{BufWriter, Stdout, Write};

/// Restores the terminal when dropped, on every way out of the loop.
pub struct TerminalGuard;

/// The console's terminal. Frames go through a buffer the size of a large frame, so each reaches
/// the terminal in one write: `Stdout`'s own 1 KiB line buffer cut the first frame into five, each
/// waking the terminal to draw a part of it.
pub type Terminal = ratatui::Terminal<ratatui::prelude::CrosstermBackend<BufWriter<Stdout>>>;

/// Room for a whole frame of a large terminal drawn in many colours; only what a frame fills is
/// ever resident.
const FRAME_BUFFER: usize = 256 * 1024;

/// A terminal drawing through the frame buffer; a new one draws every cell on its first frame.
pub fn new_terminal() -> std::io::Result<Terminal> {
    ratatui::Terminal::new(frame_backend(std::io::stdout()))
}

fn frame_backend<W: Write>(out: W) -> ratatui::prelude::CrosstermBackend<BufWriter<W>> {
    ratatui::prelude::CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER, out))
}

/// The alternate screen in raw mode with the mouse and bracketed paste on; the guard (and a panic
/// hook) put the terminal back however the program ends.
pub fn enter_terminal(mouse: bool) -> std::io::Result<(Terminal, TerminalGuard)> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    // From here on the guard restores, whatever fails next.
    let guard = TerminalGuard;
    let mut terminal = new_terminal()?;
    enter_screen(terminal.backend_mut(), mouse)?;
    Ok((terminal, guard))
}

/// Queues the switch to the alternate screen and the input modes without writing them: the first
/// frame's write carries them, so the terminal wakes once to show the console rather than once to
/// switch screens and again to draw.
fn enter_screen<W: Write>(out: &mut W, mouse: bool) -> std::io::Result<()> {
    crossterm::queue!(out, EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        crossterm::queue!(out, EnableMouseCapture)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};
    use std::sync::{Arc, Mutex};

    /// What reaches the terminal: one entry per `write` call.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A terminal of `area` drawing through the frame buffer into `writes`.
    fn terminal_over(
        writes: &Writes,
        area: Rect,
    ) -> ratatui::Terminal<ratatui::prelude::CrosstermBackend<BufWriter<Writes>>> {
        ratatui::Terminal::with_options(
            frame_backend(writes.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(area),
            },
        )
        .unwrap()
    }

    #[test]
    fn a_full_frame_reaches_the_terminal_in_one_write() {
        let writes = Writes::default();
        let area = Rect::new(0, 0, 120, 40);
        let mut terminal = terminal_over(&writes, area);
        terminal
            .draw(|f| {
                for y in 0..area.height {
                    for x in 0..area.width {
                        let color = Color::Indexed(u8::try_from((x + y) % 200).unwrap());
                        f.buffer_mut()[(x, y)]
                            .set_symbol("│")
                            .set_style(Style::new().fg(color));
                    }
                }
            })
            .unwrap();
        let writes: Vec<usize> = writes.0.lock().unwrap().iter().map(Vec::len).collect();
        assert_eq!(writes.len(), 1, "{writes:?}");
        assert!(writes[0] > 16 * 1024, "a whole frame: {writes:?}");
    }

    #[test]
    fn the_alternate_screen_comes_in_the_first_frames_write() {
        let writes = Writes::default();
        let area = Rect::new(0, 0, 40, 5);
        let mut terminal = terminal_over(&writes, area);
        enter_screen(terminal.backend_mut(), true).unwrap();
        assert!(
            writes.0.lock().unwrap().is_empty(),
            "nothing before the frame"
        );
        terminal
            .draw(|f| f.render_widget("bucket-console", area))
            .unwrap();
        let writes = writes.0.lock().unwrap().clone();
        let first = String::from_utf8_lossy(&writes[0]);
        assert!(first.starts_with("\x1b[?1049h"), "{first:?}");
        assert!(
            first.contains("?1000h") && first.contains("?2004h"),
            "{first:?}"
        );
        assert!(first.contains("bucket-console"), "{first:?}");
    }
}
