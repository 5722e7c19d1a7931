//! `[flags.KEY]` of the collection file: the flags `serve` answers with besides `--flags`, in
//! the `GET /features` shape or the short form (`api::flags::short`), read with the line of
//! every value so a mistake names it.

use super::load::Reader;
use super::{CollectionError, Problem};
use crate::api::flags::{FlagDefinition, render, short};
use crate::api::pointer;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A flag of the collection: the line its table starts on, and what is legal but suspect in it
/// (line, message).
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced {
    pub flag: FlagDefinition,
    pub line: usize,
    pub warnings: Vec<(usize, String)>,
}

/// Only the `[flags]` of the file at `path`: `serve` reads them whatever the state of the rest
/// (a request being edited does not take the flags away).
pub fn flags_in(path: &Path) -> Result<Vec<Sourced>, CollectionError> {
    let fail = |problems| CollectionError {
        path: path.to_path_buf(),
        problems,
    };
    let text = super::read_text(path).map_err(|e| {
        fail(vec![Problem {
            line: None,
            message: format!("cannot read it: {e}"),
        }])
    })?;
    let root = super::lines::parse(&text)
        .map_err(|(line, message)| fail(vec![Problem { line, message }]))?;
    let mut r = Reader::new(&text);
    let flags = read(&mut r, root.get_ref());
    let problems = r.into_problems();
    if problems.is_empty() {
        Ok(flags)
    } else {
        Err(fail(problems))
    }
}

/// The flags of the file's `[flags]`, each problem said on its line.
pub(super) fn read(r: &mut Reader, root: &DeTable<'_>) -> Vec<Sourced> {
    let Some(value) = root.get("flags") else {
        return Vec::new();
    };
    let Some(table) = r.table(value, "[flags]") else {
        return Vec::new();
    };
    let mut offsets = BTreeMap::new();
    spans(value, "/flags", &mut offsets);
    let Value::Object(json) = r.json(value, "/flags", &mut BTreeMap::new()) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut out = Vec::new();
    for (k, v) in entries {
        let key = k.get_ref().to_string();
        let Some(entry) = json.get(&key) else {
            continue;
        };
        let single: Map<String, Value> = std::iter::once((key.clone(), entry.clone())).collect();
        match short::from_json(&single) {
            Ok(mut flags) if !flags.is_empty() => {
                let flag = flags.remove(0);
                let base = format!("/flags/{}", pointer::escape(&key));
                let warnings = render::keyless_rollouts(&flag)
                    .into_iter()
                    .map(|at| {
                        let line = r.line(nearest(&offsets, &format!("{base}{at}")));
                        (line, keyless_warning(&key))
                    })
                    .collect();
                out.push(Sourced {
                    flag,
                    line: r.line(v.span().start),
                    warnings,
                });
            }
            Ok(_) => {}
            Err(e) => r.problem(nearest(&offsets, &e.pointer), e.to_string()),
        }
    }
    out
}

/// The warning for a rollout filter without `key`, wherever the flag came from.
pub fn keyless_warning(flag: &str) -> String {
    format!(
        "flag \"{flag}\": a rolloutPercentage filter without \"key\" buckets by the text \
         \"undefined\", as the evaluation library does, so every such filter puts a company in \
         the same bucket; give it \"key\": \"{flag}\""
    )
}

/// The offset of every value below `at`, by JSON Pointer.
fn spans(value: &Spanned<DeValue<'_>>, at: &str, out: &mut BTreeMap<String, usize>) {
    out.insert(at.to_owned(), value.span().start);
    match value.get_ref() {
        DeValue::Table(table) => {
            for (k, v) in table {
                let child = format!("{at}/{}", pointer::escape(k.get_ref()));
                spans(v, &child, out);
            }
        }
        DeValue::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                spans(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The offset of `at`, or of its nearest ancestor that the file has (a missing member).
fn nearest(offsets: &BTreeMap<String, usize>, at: &str) -> usize {
    let mut at = at;
    loop {
        if let Some(offset) = offsets.get(at) {
            return *offset;
        }
        match at.rfind('/') {
            Some(i) => at = &at[..i],
            None => return 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Vec<Sourced>, CollectionError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bucket-console.toml");
        std::fs::write(&path, text).unwrap();
        flags_in(&path)
    }

    /// The whole collection, as `run` and the console load it, takes `[flags]` and names its
    /// mistakes with the rest.
    #[test]
    fn the_collection_loader_takes_flags_and_checks_them() {
        let path = Path::new("bucket-console.toml");
        let good = "[flags.huddle]\nusers = [\"u1\"]\n";
        assert!(crate::collection::parse(path, good, &[]).is_ok());
        let bad = "[flags.huddle]\nusers = [\"u1\"]\nrolout = 5\n";
        let e = crate::collection::parse(path, bad, &[]).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].line, Some(3));
        assert!(e.to_string().contains("did you mean \"rollout\""), "{e}");
    }

    #[test]
    fn each_flag_has_its_line_and_each_mistake_too() {
        let flags = read_text(
            "[requests.broken]\nmethod = \"nope\"\n\n[flags.huddle]\nrollout = 25\n\n\
             [flags.calls]\ntargeting = { version = 1, rules = [\n  { filter = { type = \"rolloutPercentage\", partialRolloutAttribute = \"company.id\", partialRolloutThreshold = 5 } },\n] }\n",
        )
        .unwrap();
        assert_eq!(flags.len(), 2, "a broken request does not hide the flags");
        assert_eq!((flags[0].flag.key.as_str(), flags[0].line), ("huddle", 4));
        assert_eq!((flags[1].flag.key.as_str(), flags[1].line), ("calls", 7));
        assert!(flags[0].warnings.is_empty());
        assert_eq!(flags[1].warnings.len(), 1);
        assert_eq!(flags[1].warnings[0].0, 9);

        let e = read_text(
            "[flags.a]\nenabled = true\n\n[flags.b]\ntargeting = { version = 1, rules = [\n  { filter = { type = \"context\", field = \"plan\", operator = \"CONTAIN\", values = [\"x\"] } },\n] }\n",
        )
        .unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].line, Some(6));
        assert!(
            e.problems[0].message.contains("did you mean \"CONTAINS\""),
            "{e}"
        );
    }
}
