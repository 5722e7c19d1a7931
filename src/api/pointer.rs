//! JSON Pointers (RFC 6901) for the paths of validation errors.

/// Escapes one reference token: `~` becomes `~0`, `/` becomes `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The pointer to a top-level field: `/userId`.
pub fn field(name: &str) -> String {
    format!("/{}", escape(name))
}

/// The pointer to a member of a top-level object: `/attributes/plan`.
pub fn member(parent: &str, key: &str) -> String {
    format!("/{}/{}", escape(parent), escape(key))
}

/// Splits a pointer back into its unescaped tokens (`""` is the whole document: no tokens).
pub fn tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_round_trips() {
        assert_eq!(field("userId"), "/userId");
        assert_eq!(member("attributes", "a/b~c"), "/attributes/a~1b~0c");
        assert_eq!(member("attributes", ""), "/attributes/");
        assert_eq!(tokens("/attributes/a~1b~0c"), vec!["attributes", "a/b~c"]);
        assert!(tokens("").is_empty());
    }
}
