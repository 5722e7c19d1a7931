//! An error on its way to the screen. The faces' actions and state carry the error itself (its
//! type and causes kept, shared cheaply, compared by what it says) and the view is the one place
//! that turns it into words.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

#[derive(Clone)]
pub struct Failure(Arc<dyn Error + Send + Sync>);

impl Failure {
    /// A failure known only by what it says (a test's, or a lock found poisoned).
    pub fn message(text: impl Into<String>) -> Self {
        #[derive(Debug)]
        struct Said(String);
        impl fmt::Display for Said {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Error for Said {}
        Self(Arc::new(Said(text.into())))
    }

    /// The error itself, to look at its kind.
    pub fn error(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl<E: Error + Send + Sync + 'static> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(Arc::new(e))
    }
}

/// The error and its causes on one line, each cause said once.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::net::chain(&*self.0))
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Failure({self})")
    }
}

impl PartialEq for Failure {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn keeps_the_error_and_says_its_causes() {
        let f = Failure::from(Outer(std::io::Error::other("disk full")));
        assert_eq!(f.to_string(), "outer: disk full");
        assert!(f.error().downcast_ref::<Outer>().is_some());
        assert_eq!(f.clone(), f);
        assert_eq!(Failure::message("x").to_string(), "x");
    }
}
