//! Runtime API keys: `pub_…` (publishable, for browsers) and `sec_…` (secret, for servers), where
//! each may come from, and the rule a refused request broke.

use crate::api::key::{fingerprint, mask};
use crate::api::{ErrorCode, FieldCode, Rejection};
use std::fmt;

/// Longest key accepted.
pub const MAX_KEY_CHARS: usize = 128;
/// The node SDK refuses secret keys this long or shorter; such a key earns a warning here.
pub const SHORT_SECRET_CHARS: usize = 22;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Publishable,
    Secret,
}

impl KeyKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }
}

/// A well-formed runtime key. Like a tracking key it never prints itself whole.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RuntimeKey {
    kind: KeyKind,
    raw: String,
}

impl RuntimeKey {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let kind = if raw.starts_with("pub_") {
            KeyKind::Publishable
        } else if raw.starts_with("sec_") {
            KeyKind::Secret
        } else {
            return Err(Refusal::malformed(
                "a runtime key starts with `pub_` (publishable) or `sec_` (secret)",
            ));
        };
        let len = raw.chars().count();
        if len == 4 {
            return Err(Refusal::malformed("the key has nothing after its prefix"));
        }
        if len > MAX_KEY_CHARS {
            return Err(Refusal::malformed(&format!(
                "the key is {len} characters long; at most {MAX_KEY_CHARS} are allowed"
            )));
        }
        if let Some((i, c)) = raw
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            let shown = if c.is_ascii_graphic() || c == ' ' {
                format!("{c:?}")
            } else {
                format!("U+{:04X}", u32::from(c))
            };
            return Err(Refusal::malformed(&format!(
                "a key may only contain letters, digits, `_` and `-` (found {shown} at position {})",
                i + 1
            )));
        }
        Ok(Self {
            kind,
            raw: raw.to_owned(),
        })
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The whole key: only to compare with the keys `serve --env` was given, or to pass it on.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.raw)
    }

    /// A secret key the node SDK would refuse (22 characters or fewer).
    pub fn is_short_secret(&self) -> bool {
        self.kind == KeyKind::Secret && self.raw.chars().count() <= SHORT_SECRET_CHARS
    }
}

impl fmt::Debug for RuntimeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RuntimeKey({} {})", self.kind.as_str(), mask(&self.raw))
    }
}

/// The rule a request's key broke; each is its own `error.code` in the 403's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Neither `Authorization: Bearer` nor `?publishableKey=`.
    Missing,
    /// Not `pub_`/`sec_` + `[A-Za-z0-9_-]`, over 128 characters, or not a Bearer header.
    Malformed,
    /// A secret key in the URL, where logs and browsers' histories keep it.
    SecretInQuery,
    /// `GET /features` gives flag definitions, for servers: a secret key only.
    SecretRequired,
}

impl Rule {
    pub const fn code(self) -> ErrorCode {
        match self {
            Rule::Missing => ErrorCode::KeyMissing,
            Rule::Malformed => ErrorCode::KeyMalformed,
            Rule::SecretInQuery => ErrorCode::SecretKeyInQuery,
            Rule::SecretRequired => ErrorCode::SecretKeyRequired,
        }
    }

    /// The rule a 403's `error.code` names, read back by a client.
    pub fn from_code(code: ErrorCode) -> Option<Rule> {
        [
            Rule::Missing,
            Rule::Malformed,
            Rule::SecretInQuery,
            Rule::SecretRequired,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    /// The rule in a few words, for a person reading why a key was refused.
    pub const fn words(self) -> &'static str {
        match self {
            Rule::Missing => "a key is required",
            Rule::Malformed => {
                "a key is `pub_` or `sec_` and letters, digits, `_`, `-`, sent as `Bearer KEY`"
            }
            Rule::SecretInQuery => "a secret key never goes in the URL",
            Rule::SecretRequired => "this route takes a secret key only",
        }
    }
}

/// Why a request's key was refused (403): the rule and a sentence about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: Rule,
    pub message: String,
}

impl Refusal {
    fn malformed(why: &str) -> Self {
        Self {
            rule: Rule::Malformed,
            message: format!("the key is malformed: {why}"),
        }
    }

    pub fn rejection(&self) -> Rejection {
        Rejection::whole(self.rule.code(), FieldCode::InvalidApiKey, &self.message)
    }
}

/// Which keys a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    Either,
    SecretOnly,
}

/// The key of a request from its `Authorization` header and its `publishableKey` query parameter,
/// by the rules of the contract: Bearer wins when both are given; a secret key is never taken
/// from (nor tolerated in) the query string.
pub fn authenticate(
    authorization: Option<&str>,
    query_key: Option<&str>,
    accepts: Accepts,
) -> Result<RuntimeKey, Refusal> {
    if query_key.is_some_and(|q| q.starts_with("sec_")) {
        return Err(Refusal {
            rule: Rule::SecretInQuery,
            message: "a secret key was sent in the URL (`?publishableKey=`), where proxies, logs \
                      and browser histories keep it: send it only as `Authorization: Bearer \
                      sec_…`, and rotate this one"
                .into(),
        });
    }
    let key = match (authorization, query_key) {
        (Some(header), _) => {
            let (scheme, token) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(Refusal::malformed(
                    "the Authorization header must be `Bearer KEY`",
                ));
            }
            RuntimeKey::parse(token.trim())?
        }
        (None, Some(q)) => RuntimeKey::parse(q)?,
        (None, None) => {
            return Err(Refusal {
                rule: Rule::Missing,
                message: "no key: send `Authorization: Bearer KEY` (a `pub_` or `sec_` key), or \
                          `?publishableKey=pub_…` on a GET"
                    .into(),
            });
        }
    };
    if accepts == Accepts::SecretOnly && key.kind() == KeyKind::Publishable {
        return Err(Refusal {
            rule: Rule::SecretRequired,
            message: "flag definitions (`GET /features`) are for servers: send a secret key \
                      (`sec_…`); a publishable key may read `/features/evaluated`"
                .into(),
        });
    }
    Ok(key)
}

/// A path and query with the value of `publishableKey` replaced, for records and logs.
pub fn redact_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("publishableKey") => {
                format!("{name}=[redacted]")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUB: &str = "pub_prod_2xYh7dGm4kQ";
    const SEC: &str = "sec_prod_8fJk2LmN4pQr6sTu8vWx";

    fn rule(r: Result<RuntimeKey, Refusal>) -> Rule {
        r.unwrap_err().rule
    }

    #[test]
    fn key_forms() {
        assert_eq!(RuntimeKey::parse(PUB).unwrap().kind(), KeyKind::Publishable);
        assert_eq!(RuntimeKey::parse(SEC).unwrap().kind(), KeyKind::Secret);
        let longest = format!("sec_{}", "a".repeat(124));
        assert!(RuntimeKey::parse(&longest).is_ok());
        for bad in [
            "",
            "pub_",
            "key_abc",
            "trCqx4DGo1lk3Lcct5NHLjWy",
            "pub_a.b",
            "pub_é",
        ] {
            assert_eq!(rule(RuntimeKey::parse(bad)), Rule::Malformed, "{bad}");
        }
        assert_eq!(
            rule(RuntimeKey::parse(&format!("{longest}a"))),
            Rule::Malformed
        );
        assert!(
            RuntimeKey::parse("sec_0123456789abcdefgh")
                .unwrap()
                .is_short_secret()
        );
        assert!(!RuntimeKey::parse(SEC).unwrap().is_short_secret());
        assert!(!format!("{:?}", RuntimeKey::parse(SEC).unwrap()).contains(SEC));
    }

    #[test]
    fn where_keys_may_come_from() {
        let bearer = |k: &str| format!("Bearer {k}");
        let ok = |a: Option<&str>, q: Option<&str>, acc| authenticate(a, q, acc).map(|k| k.kind());
        assert_eq!(
            ok(Some(&bearer(SEC)), None, Accepts::SecretOnly),
            Ok(KeyKind::Secret)
        );
        assert_eq!(
            ok(Some(&bearer(PUB)), None, Accepts::Either),
            Ok(KeyKind::Publishable)
        );
        assert_eq!(
            ok(None, Some(PUB), Accepts::Either),
            Ok(KeyKind::Publishable)
        );
        assert_eq!(
            rule(authenticate(None, None, Accepts::Either)),
            Rule::Missing
        );
        assert_eq!(
            rule(authenticate(None, Some(SEC), Accepts::Either)),
            Rule::SecretInQuery
        );
        assert_eq!(
            rule(authenticate(Some(&bearer(SEC)), Some(SEC), Accepts::Either)),
            Rule::SecretInQuery,
            "a secret in the URL is refused even beside a good header"
        );
        assert_eq!(
            rule(authenticate(Some(&bearer(PUB)), None, Accepts::SecretOnly)),
            Rule::SecretRequired
        );
        assert_eq!(
            rule(authenticate(None, Some(PUB), Accepts::SecretOnly)),
            Rule::SecretRequired
        );
        assert_eq!(
            rule(authenticate(Some(PUB), None, Accepts::Either)),
            Rule::Malformed
        );
        assert_eq!(
            rule(authenticate(Some("Basic abc"), None, Accepts::Either)),
            Rule::Malformed
        );
        assert_eq!(
            rule(authenticate(Some("Bearer tr_x"), None, Accepts::Either)),
            Rule::Malformed
        );
    }

    #[test]
    fn each_rule_is_read_back_from_its_code() {
        for rule in [
            Rule::Missing,
            Rule::Malformed,
            Rule::SecretInQuery,
            Rule::SecretRequired,
        ] {
            assert_eq!(Rule::from_code(rule.code()), Some(rule));
        }
        assert_eq!(Rule::from_code(ErrorCode::ForbiddenHost), None);
    }

    #[test]
    fn the_publishable_key_is_redacted_from_paths() {
        assert_eq!(
            redact_query(&format!(
                "/features/evaluated?context.user.id=1&publishableKey={PUB}&x=1"
            )),
            "/features/evaluated?context.user.id=1&publishableKey=[redacted]&x=1"
        );
        assert_eq!(redact_query("/bulk"), "/bulk");
    }
}
