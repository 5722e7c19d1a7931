//! The one loop both faces run: select a terminal event, a finished effect or a tick; drain what
//! else already waits; apply the batch; draw only if something on screen changed. What a face
//! means by an event, an action or a frame is its own (`Face`): this module knows neither face.

use super::FaceError;
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Interval;

/// A face as the loop sees it: its state and how actions change it, with whatever runs its
/// effects.
pub trait Face {
    type Action;
    /// Work that needs the terminal to itself (the console's external editor); the loop stops
    /// reading events meanwhile and redraws every cell after.
    type Outside;

    /// What a terminal event means to the face; `None` for events it ignores.
    fn action_from(event: Event) -> Option<Self::Action>;
    fn tick() -> Self::Action;
    fn needs_ticks(&self) -> bool;
    fn resized(&mut self, width: u16, height: u16);
    /// After the first frame: what can wait until the face is on screen.
    fn started(&mut self) {}
    /// Applies a batch (the first is what woke the loop, the rest what already waited) and starts
    /// the effects it asks for.
    fn apply(&mut self, batch: Vec<Self::Action>) -> Step<Self::Outside>;
    fn draw(&self, frame: &mut ratatui::Frame);
    /// Runs work that needs the terminal; its result comes back as an action.
    fn outside(&mut self, work: Self::Outside) -> impl Future<Output = ()>;
}

/// What applying a batch asks of the loop.
pub struct Step<O> {
    pub redraw: bool,
    pub quit: bool,
    /// The ticks restart from a full period (the kiosk's countdown after a key).
    pub restart_ticks: bool,
    pub outside: Option<O>,
}

/// Runs `face` on the terminal until it quits, the terminal closes or the process is asked to
/// end. `queue` brings the effects' actions; `ticks` paces `Face::tick` while the face needs it.
pub async fn run<F: Face>(
    face: &mut F,
    mouse: bool,
    mut queue: UnboundedReceiver<F::Action>,
    mut ticks: Interval,
) -> Result<(), FaceError> {
    // Taken before the terminal changes, so a signal never leaves it in raw mode.
    let ended = super::asked_to_end();
    tokio::pin!(ended);
    let (mut terminal, _guard) = super::enter_terminal(mouse).map_err(FaceError::Draw)?;
    if let Ok(size) = terminal.size() {
        face.resized(size.width, size.height);
    }
    terminal.draw(|f| face.draw(f)).map_err(FaceError::Draw)?;
    face.started();
    let mut events = EventStream::new();
    loop {
        let action = tokio::select! {
            () = &mut ended => break,
            event = events.next() => match event {
                Some(Ok(event)) => match F::action_from(event) { Some(a) => a, None => continue },
                Some(Err(e)) => return Err(FaceError::ReadTerminal(e)),
                None => break,
            },
            Some(action) = queue.recv() => action,
            _ = ticks.tick(), if face.needs_ticks() => F::tick(),
        };
        // Everything already waiting is taken before drawing, once, and only if needed.
        let mut batch = vec![action];
        while let Ok(action) = queue.try_recv() {
            batch.push(action);
        }
        let step = face.apply(batch);
        if let Some(work) = step.outside {
            // The work reads the terminal: no event reader may run meanwhile.
            drop(events);
            face.outside(work).await;
            terminal = fresh_terminal().map_err(FaceError::Draw)?;
            events = EventStream::new();
        }
        if step.restart_ticks {
            ticks.reset();
        }
        if step.quit {
            break;
        }
        if step.redraw {
            terminal.draw(|f| face.draw(f)).map_err(FaceError::Draw)?;
        }
    }
    Ok(())
}

/// A terminal for after a child had this one, on a cleared screen.
fn fresh_terminal() -> std::io::Result<super::terminal::Terminal> {
    // `Terminal::clear` would ask the terminal where its cursor is, an answer that can be lost
    // after a child had the terminal; a new one draws every cell next time.
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    );
    super::terminal::new_terminal()
}
