//! The tracking key: validated once, and a type that never prints itself whole.

use std::fmt;

const MAX_LEN: usize = 64;

/// Why a string is not a tracking key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the tracking key is empty")]
    Empty,
    #[error("the tracking key is {0} characters long; at most 64 are allowed")]
    TooLong(usize),
    #[error(
        "the tracking key may only contain letters, digits, `_` and `-` (found {0:?} at position {1})"
    )]
    BadCharacter(char, usize),
}

/// A tracking key: 1–64 characters of `A–Z a–z 0–9 _ -`. It is a secret, so `Debug` and `Display`
/// show it masked (`…LjWy`); only [`TrackingKey::expose`] gives the whole key, for the URL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TrackingKey(String);

impl TrackingKey {
    pub fn parse(raw: &str) -> Result<Self, KeyError> {
        check(raw)?;
        Ok(Self(raw.to_owned()))
    }

    /// The whole key. Call it only to build a request or when the user asked to see it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form shown on screen and in logs.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The masked form and the fingerprint, for lists where keys must be told apart.
    pub fn labelled(&self) -> String {
        format!("{} {}", self.masked(), self.fingerprint())
    }

    /// A short, stable tag that tells keys apart in logs without revealing them.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }
}

/// Checks the key rules without allocating.
pub fn check(raw: &str) -> Result<(), KeyError> {
    if raw.is_empty() {
        return Err(KeyError::Empty);
    }
    let len = raw.chars().count();
    if len > MAX_LEN {
        return Err(KeyError::TooLong(len));
    }
    match raw
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        Some((i, c)) => Err(KeyError::BadCharacter(c, i + 1)),
        None => Ok(()),
    }
}

/// Masks any secret-like string: `…` and the last four characters of a key of 16 or more, `…`
/// alone for a shorter one (four of fifteen would be too much of it); the fingerprint tells
/// short keys apart.
pub fn mask(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n >= 16 => {
            let tail: String = chars[n - 4..].iter().collect();
            format!("…{tail}")
        }
        _ => "…".to_owned(),
    }
}

/// `#` and the first six hex digits of the key's SHA-256: tells keys apart in logs, reveals nothing.
pub fn fingerprint(raw: &str) -> String {
    format!("#{}", &digest(raw)[..6])
}

/// The key's SHA-256 in hex: what the local server stores instead of the key.
pub fn digest(raw: &str) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    sha2::Sha256::digest(raw.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

impl fmt::Debug for TrackingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingKey({})", self.masked())
    }
}

impl fmt::Display for TrackingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "trCqx4DGo1lk3Lcct5NHLjWy";

    #[test]
    fn accepts_the_documented_alphabet() {
        assert!(TrackingKey::parse(REAL).is_ok());
        assert!(TrackingKey::parse("local").is_ok());
        assert!(TrackingKey::parse("a_b-C9").is_ok());
        assert!(TrackingKey::parse(&"k".repeat(64)).is_ok());
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(TrackingKey::parse(""), Err(KeyError::Empty));
        assert_eq!(
            TrackingKey::parse(&"k".repeat(65)),
            Err(KeyError::TooLong(65))
        );
        assert_eq!(
            TrackingKey::parse("ab.cd"),
            Err(KeyError::BadCharacter('.', 3))
        );
        assert_eq!(
            TrackingKey::parse("ab cd"),
            Err(KeyError::BadCharacter(' ', 3))
        );
        assert_eq!(TrackingKey::parse("é"), Err(KeyError::BadCharacter('é', 1)));
    }

    #[test]
    fn never_prints_itself_whole() {
        let key = TrackingKey::parse(REAL).unwrap();
        assert_eq!(key.to_string(), "…LjWy");
        assert_eq!(format!("{key:?}"), "TrackingKey(…LjWy)");
        assert!(!format!("{key:?}{key}{}", key.fingerprint()).contains(REAL));
        assert_eq!(mask("local"), "…");
        assert_eq!(mask("abc"), "…");
        assert_eq!(mask("demo_1234563456"), "…", "15 characters show nothing");
        assert_eq!(mask("demo_12345634567"), "…4567");
        assert_eq!(key.fingerprint().len(), 7);
        assert_eq!(key.fingerprint(), fingerprint(REAL));
    }
}
