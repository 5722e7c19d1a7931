//! The one-way house: every arrow between the library's top-level modules points down a layer,
//! and arrows within a layer form no cycle. Read from the source, so the layering cannot drift:
//! a new `crate::` path that points up fails here, naming the file.
//!
//! leaves and `api` ← storage and transport ← services ← what the faces share ← faces ← `main`

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and its layer, lowest first. A module missing here fails the test, so
/// a new one must be placed.
const LAYERS: &[(&str, u8)] = &[
    ("api", 0),
    ("files", 0),
    ("highlight", 0),
    ("net", 0),
    ("paths", 0),
    ("sanitize", 0),
    ("client", 1),
    ("history", 1),
    ("outbox", 1),
    ("profiles", 1),
    ("server", 1),
    ("collection", 2),
    ("flags", 2),
    ("delivery", 2),
    ("inspect", 2),
    ("fixtures", 2),
    ("results", 2),
    ("target", 2),
    ("term", 3),
    ("kiosk", 4),
    ("tui", 4),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/tui/view/log.rs` → `tui`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_owned())
}

/// Every `crate::NAME` a file names outside comments, grouped imports included
/// (`use crate::{api, client::Exchange};`, over several lines too).
fn references(text: &str) -> BTreeSet<String> {
    references_after(text, "crate::")
}

/// The first segment of every path that starts with `prefix` (`crate::`, `bucket_console::`).
fn references_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        if code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `bucket_console::…` when looking for `crate::`, or the like
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            found.extend(group_heads(group));
        } else {
            let name = identifier(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The first segment of each item of a `{…}` group, up to its closing brace.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_item = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item = true,
            c if at_item && depth == 0 && (c.is_ascii_alphabetic() || c == '_') => {
                heads.push(identifier(&group[i..]));
                at_item = false;
            }
            _ => {}
        }
    }
    heads.retain(|h| h != "self");
    heads
}

#[test]
fn every_arrow_between_modules_points_down_and_no_layer_has_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(from) = module_of(&src, file) else {
            continue;
        };
        // The build script is compiled on its own, before the crate: it is in no layer.
        if from == "lib" || from == "build" {
            continue;
        }
        // The binary's side (main.rs, cli/) sits on top of every layer and imports the library
        // by name: each module it names must be one the layering places.
        if from == "main" || from == "cli" {
            let text = std::fs::read_to_string(file).unwrap();
            for to in references_after(&text, "bucket_console::") {
                if !layer.contains_key(to.as_str()) {
                    problems.push(format!(
                        "{}: the binary uses `bucket_console::{to}`, which has no layer in LAYERS",
                        file.strip_prefix(&src).unwrap().display()
                    ));
                }
            }
            continue;
        }
        let Some(&from_layer) = layer.get(from.as_str()) else {
            problems.push(format!(
                "{}: module `{from}` has no layer in LAYERS",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for to in references(&text) {
            if to == from {
                continue;
            }
            let Some(&to_layer) = layer.get(to.as_str()) else {
                continue; // a re-export at the crate root, or a macro's path
            };
            if to_layer > from_layer {
                problems.push(format!(
                    "{}: `{from}` (layer {from_layer}) uses `crate::{to}` (layer {to_layer}), above it",
                    file.strip_prefix(&src).unwrap().display()
                ));
            } else if to_layer == from_layer {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // A cycle within a layer: some module reaches itself.
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = edges[start].iter().collect();
        while let Some(next) = stack.pop() {
            if next == start {
                problems.push(format!(
                    "`{start}` reaches itself through modules of its layer"
                ));
                break;
            }
            if seen.insert(next.clone()) {
                stack.extend(edges.get(next).into_iter().flatten());
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the layering is broken:\n{}",
        problems.join("\n")
    );
}

/// Inside the console, `update` changes state and `view` draws it: no file of `tui/update/`
/// names the view's code, so what a key does never depends on how a screen is drawn.
#[test]
fn the_consoles_update_never_reaches_into_its_view() {
    let update = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/update");
    let mut files = Vec::new();
    rust_files(&update, &mut files);
    assert!(!files.is_empty());
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        let uses_view = references_after(&code.join("\n"), "tui::").contains("view")
            || code.iter().any(|l| {
                l.contains("super::view::")
                    || l.contains("super::super::view")
                    || l.contains("use super::view")
            });
        if uses_view {
            problems.push(file.strip_prefix(&update).unwrap().display().to_string());
        }
    }
    assert!(
        problems.is_empty(),
        "tui/update reaches into tui/view in: {}",
        problems.join(", ")
    );
}

#[test]
fn the_scanner_sees_paths_and_skips_comments_and_other_crates() {
    let text = "use crate::tui::view;\n// crate::kiosk in a comment\nlet x = crate::api::MAX;\nuse bucket_console::client;\n";
    let found: Vec<String> = references(text).into_iter().collect();
    assert_eq!(found, ["api", "tui"]);
    let grouped = "use crate::{\n    api::{Method, TrackingKey},\n    // crate::kiosk\n    tui::state::State, net,\n};\n";
    let found: Vec<String> = references(grouped).into_iter().collect();
    assert_eq!(found, ["api", "net", "tui"]);
}

/// One loop for both faces, in `term/`, generic over a face's state and action: no file of
/// `term/` names either face by any path, and no file of a face reads terminal events itself
/// (a face growing its own loop again fails here, naming the file).
#[test]
fn both_faces_run_the_one_loop_in_term_which_names_neither() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let code_of = |file: &Path| -> String {
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut term = Vec::new();
    rust_files(&src.join("term"), &mut term);
    assert!(term.iter().any(|f| code_of(f).contains("EventStream")));
    for file in &term {
        let code = code_of(file);
        let names: BTreeSet<String> = references(&code)
            .into_iter()
            .chain(references_after(&code, "super::super::"))
            .chain(references_after(&code, "bucket_console::"))
            .collect();
        for face in ["tui", "kiosk"] {
            if names.contains(face) {
                problems.push(format!(
                    "{}: term/ names the `{face}` face",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    for face in ["tui", "kiosk"] {
        let mut files = Vec::new();
        rust_files(&src.join(face), &mut files);
        assert!(!files.is_empty());
        for file in &files {
            if code_of(file).contains("EventStream") {
                problems.push(format!(
                    "{}: reads terminal events itself instead of running term::face_loop",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
