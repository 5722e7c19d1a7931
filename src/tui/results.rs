//! The Results view's state (F5): every feature's feedback as last read, and how far it is
//! scrolled.

use crate::results::Results;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultsView {
    /// `None` while loading.
    pub loaded: Option<Result<Vec<Results>, crate::term::Failure>>,
    pub scroll: u16,
}
