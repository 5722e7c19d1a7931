//! What is wrong with a flag definition, and where.

use std::fmt;

/// A refused definition: the JSON Pointer of the offending value and what is wrong with it
/// (with a "did you mean" where a name looks misspelled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub pointer: String,
    pub message: String,
}

impl DefinitionError {
    pub fn new(pointer: &str, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(the document)"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.message)
    }
}

impl std::error::Error for DefinitionError {}
