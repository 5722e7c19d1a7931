//! The Results view's state (F5): every feature's feedback as last read, and how far it is
//! scrolled.

use crate::results::Results;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultsView {
    pub loaded: crate::term::Load<Vec<Results>>,
    pub scroll: u16,
    /// A feedback in the log was delivered, so there are results to offer (F5 in the hint line);
    /// kept as the log grows, so drawing never scans the log.
    pub feedback_delivered: bool,
}
