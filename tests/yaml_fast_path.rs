//! The YAML fast path (src/document/yaml/fast.rs) gives the full parser's tree, node for node
//! and span for span, on every YAML file of the fixtures and examples where it answers, and it
//! answers for most of them (they are written as users write specs).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use atlasgov_lint::document::{Limits, yaml};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn fast_path_trees_equal_the_full_parser_on_every_fixture_and_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("fixtures"), &mut files);
    yaml_files(&root.join("examples"), &mut files);
    let limits = Limits::default();
    let mut fast = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(doc) = yaml::parse_fast(&text, &limits) else {
            continue;
        };
        fast += 1;
        match yaml::parse_full(&text, &limits) {
            Ok(full) => assert_eq!(doc, full, "{}", path.display()),
            Err(e) => panic!("{}: the full parser refuses it: {e:?}", path.display()),
        }
    }
    // The fixtures lean on flow style (`{instanceSize: M30, nodeCount: 3}`), which is left to
    // the full parser; a third of them are plain block YAML (35 when this was written).
    assert!(
        fast >= 30,
        "the fast path answered for only {fast} of {} YAML files",
        files.len()
    );
}
