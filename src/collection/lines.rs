//! Where things are in a hand-written TOML file: the line of a byte offset, and a parse error as
//! the line and message people read (`config.toml:3: …`). The collection and `config.toml` share it.

use toml::Spanned;
use toml::de::DeTable;

/// Line numbers by byte offset, found by binary search (a large file has tens of thousands of
/// values to place).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self {
            starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }

    /// The 1-based line `offset` is on.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

/// Parses `text` with every value's position, or gives the error's line and message.
pub fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, (Option<usize>, String)> {
    DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| LineIndex::new(text).line(s.start));
        (line, e.message().trim().to_owned())
    })
}
