//! Where in JSON text a pointer's value starts, so an editor can mark the line a problem is on.
//! The text may be broken (it is being typed): the scan never fails, it answers with the line of
//! the deepest part of the path it could find.

use super::pointer;

/// The 0-based line on which the value at `pointer` starts in `text`, or, when the value is not
/// there (a missing field, a broken document), the line of its nearest ancestor that is.
pub fn line_of(text: &str, pointer: &str) -> usize {
    let want = pointer::tokens(pointer);
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
        line: 0,
    };
    scan.find(&want)
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.at += 1;
    }

    fn blank(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }

    fn find(&mut self, want: &[String]) -> usize {
        self.blank();
        let here = self.line;
        let Some((first, rest)) = want.split_first() else {
            return here;
        };
        match self.peek() {
            Some(b'{') => {
                self.bump();
                loop {
                    self.blank();
                    match self.peek() {
                        Some(b',') => self.bump(),
                        Some(b'"') => {
                            let key = self.string();
                            self.blank();
                            if self.peek() == Some(b':') {
                                self.bump();
                            }
                            if &key == first {
                                return self.find(rest);
                            }
                            if !self.skip() {
                                return here;
                            }
                        }
                        _ => return here,
                    }
                }
            }
            Some(b'[') => {
                let Ok(wanted) = first.parse::<usize>() else {
                    return here;
                };
                self.bump();
                let mut index = 0;
                loop {
                    self.blank();
                    match self.peek() {
                        Some(b']') | None => return here,
                        Some(b',') => {
                            self.bump();
                            index += 1;
                        }
                        Some(_) if index == wanted => return self.find(rest),
                        Some(_) => {
                            if !self.skip() {
                                return here;
                            }
                        }
                    }
                }
            }
            _ => here,
        }
    }

    /// Reads a string from its opening quote; escapes decoded when they are valid JSON.
    fn string(&mut self) -> String {
        let start = self.at;
        self.bump();
        let mut escaped = false;
        while let Some(b) = self.peek() {
            self.bump();
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => break,
                _ => {}
            }
        }
        let raw = String::from_utf8_lossy(&self.bytes[start..self.at]);
        serde_json::from_str(&raw).unwrap_or_else(|_| raw.trim_matches('"').to_owned())
    }

    /// Moves past one value; `false` when the text ends or breaks first.
    fn skip(&mut self) -> bool {
        self.blank();
        match self.peek() {
            Some(b'"') => {
                self.string();
                true
            }
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while let Some(b) = self.peek() {
                    match b {
                        b'"' => {
                            self.string();
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.bump();
                                return true;
                            }
                        }
                        _ => {}
                    }
                    self.bump();
                }
                false
            }
            Some(_) => {
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.bump();
                }
                self.at > start
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{
  "userId": "u1",
  "attributes": {
    "plan": "pro",
    "a/b": [1, {"deep": true}],
    "tags": [
      "x",
      "y"
    ]
  },
  "score": 9
}"#;

    #[test]
    fn finds_the_line_each_value_starts_on() {
        for (pointer, line) in [
            ("", 0),
            ("/userId", 1),
            ("/attributes", 2),
            ("/attributes/plan", 3),
            ("/attributes/a~1b", 4),
            ("/attributes/a~1b/1/deep", 4),
            ("/attributes/tags/1", 7),
            ("/score", 10),
        ] {
            assert_eq!(line_of(BODY, pointer), line, "{pointer}");
        }
    }

    #[test]
    fn a_missing_value_points_at_its_nearest_ancestor() {
        assert_eq!(line_of(BODY, "/companyId"), 0);
        assert_eq!(line_of(BODY, "/attributes/seats"), 2);
        assert_eq!(line_of(BODY, "/attributes/tags/9"), 5);
        assert_eq!(line_of("{\n  \"a\": {\n    \"b\": ", "/a/b/c"), 2);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_in_the_text(text in "[{}\\[\\]\":,a-z0-9 \n\\\\]{0,60}", path in "(/[a-z0-9]{0,3}){0,3}") {
            let line = line_of(&text, &path);
            proptest::prop_assert!(line <= text.matches('\n').count());
        }
    }
}
