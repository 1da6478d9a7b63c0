//! Every fixture under `fixtures/<CODE>/` is checked on its own, as a test of its own named
//! `<CODE>/<file>` (`cargo test --test fixtures GOV002/fail_` runs some): `fail_*` cases must
//! produce that rule's finding, `pass_*` cases must produce no finding at all, and the rendered
//! human output and the JSON output of every case are pinned as snapshots. Each rule's doc
//! examples run as tests too (`docs/<CODE>/failing_example`, `docs/<CODE>/passing_example`).
//!
//! A custom harness (libtest-mimic): the cases are found when the tests run, so one failing
//! fixture shows up by name without hiding the others.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use atlasgov_lint::engine::{Options, check_paths};
use atlasgov_lint::report::{human, json};
use atlasgov_lint::rules;
use libtest_mimic::{Arguments, Trial};

/// Secret values planted in fixtures: no output may ever contain them.
const SECRETS_IN_FIXTURES: &[&str] = &[
    "dd-key-not-printed",
    "not-printed-ever",
    "s3cret-pass",
    "hunter2",
];

fn main() {
    let args = Arguments::from_args();
    let cases = cases();
    let found = cases.len();
    let mut trials = vec![
        Trial::test("fixtures_are_found", move || {
            assert!(found > 20, "fixtures not found");
            Ok(())
        }),
        Trial::test("every_rule_has_docs_fixtures_and_a_unique_code", || {
            every_rule_has_docs_fixtures_and_a_unique_code();
            Ok(())
        }),
        Trial::test("every_rule_cites_a_seed_sentence", || {
            every_rule_cites_a_seed_sentence();
            Ok(())
        }),
    ];
    for (code, path) in cases {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        trials.push(Trial::test(format!("{code}/{name}"), move || {
            fixture(&code, &name, &path);
            Ok(())
        }));
    }
    for rule in rules::ALL {
        let code = rule.meta.code;
        for (example, must_fail) in [("failing_example", true), ("passing_example", false)] {
            trials.push(Trial::test(format!("docs/{code}/{example}"), move || {
                doc_example(code, must_fail);
                Ok(())
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir("fixtures") else {
        panic!("run from the crate root: fixtures/ is missing");
    };
    for dir in dirs.flatten() {
        let code = dir.file_name().to_string_lossy().to_string();
        if !code.starts_with("GOV") {
            continue;
        }
        for case in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.push((
                code.clone(),
                Path::new("fixtures").join(&code).join(case.file_name()),
            ));
        }
    }
    out.sort();
    out
}

fn render(path: &Path) -> (atlasgov_lint::outcome::Outcome, String) {
    let outcome = check_paths(&[path.to_path_buf()], &Options::default());
    let style = human::Style {
        color: false,
        width: 100,
    };
    let text = format!(
        "{}\n----- json -----\n{}",
        human::render(&outcome, style),
        json::render(&outcome)
    );
    (outcome, text)
}

/// One fixture: its finding (or none), no secret printed, and its output pinned.
fn fixture(code: &str, name: &str, path: &Path) {
    let (outcome, text) = render(path);
    let codes: BTreeSet<&str> = outcome.findings.iter().map(|f| f.rule.code).collect();
    if name.starts_with("fail_") {
        assert!(
            codes.contains(code),
            "{}: expected {code}, got {codes:?}\n{text}",
            path.display()
        );
    } else if name.starts_with("pass_") {
        assert!(
            codes.is_empty(),
            "{}: expected no findings, got {codes:?}\n{text}",
            path.display()
        );
        assert!(
            outcome.skipped.is_empty(),
            "{}: skipped {:?}",
            path.display(),
            outcome.skipped
        );
    } else {
        panic!(
            "{}: fixture names start with fail_ or pass_",
            path.display()
        );
    }
    for secret in SECRETS_IN_FIXTURES {
        assert!(
            !text.contains(secret),
            "{}: secret `{secret}` printed\n{text}",
            path.display()
        );
    }
    let snap = format!("{code}__{}", name.replace('.', "_"));
    insta::assert_snapshot!(snap, text);
}

fn every_rule_has_docs_fixtures_and_a_unique_code() {
    let mut seen = BTreeSet::new();
    let mut previous = "";
    for rule in rules::ALL {
        let m = &rule.meta;
        assert!(seen.insert(m.code), "duplicate code {}", m.code);
        assert!(seen.insert(m.name), "duplicate name {}", m.name);
        assert!(m.code > previous, "rules::ALL must be sorted by code");
        previous = m.code;
        assert!(
            m.doc.starts_with(&format!("# {} {}", m.code, m.name)),
            "{}: doc title",
            m.code
        );
        for section in [
            "## What it checks",
            "## Why",
            "## Failing example",
            "## Passing example",
            "## Fix",
        ] {
            assert!(m.doc.contains(section), "{}: doc lacks {section}", m.code);
        }
        let dir = Path::new("fixtures").join(m.code);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail_")),
            "{}: no failing fixture",
            m.code
        );
        assert!(
            names.iter().any(|n| n.starts_with("pass_")),
            "{}: no passing fixture",
            m.code
        );
    }
}

/// The seed sentence each rule cites must be in the AtlasGov API page.
fn every_rule_cites_a_seed_sentence() {
    let seed_path = Path::new("../shared/seed/atlasgov-api.txt");
    let Ok(seed) = std::fs::read_to_string(seed_path) else {
        // The seed lives beside the repository (shared/); CI and developer machines have it.
        eprintln!("seed not found at {}, skipping", seed_path.display());
        return;
    };
    // The page's text wraps mid-sentence (even inside parentheses): compare without whitespace.
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    let seed = norm(&seed);
    for rule in rules::ALL {
        let cited = norm(rule.meta.seed);
        // A citation may join a heading and the sentence under it with ": ".
        for part in cited.split(':') {
            assert!(
                seed.contains(part),
                "{}: seed sentence not found: {part}",
                rule.meta.code
            );
        }
    }
}

/// The failing or passing example in a rule's doc, executed.
fn doc_example(code: &str, must_fail: bool) {
    let Some(rule) = rules::ALL.iter().find(|r| r.meta.code == code) else {
        panic!("{code}: no such rule")
    };
    let m = &rule.meta;
    let section = if must_fail {
        "## Failing example"
    } else {
        "## Passing example"
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let Some(after) = m.doc.split(section).nth(1) else {
        panic!("{}: no {section}", m.code)
    };
    let Some(block) = after.split("```").nth(1) else {
        panic!("{}: no code block", m.code)
    };
    let (lang, body) = block.split_once('\n').unwrap_or(("", block));
    let file = dir.path().join(format!("{}-{must_fail}.{lang}", m.code));
    std::fs::write(&file, body).unwrap_or_else(|e| panic!("write: {e}"));
    let outcome = check_paths(&[file], &Options::default());
    let codes: Vec<&str> = outcome.findings.iter().map(|f| f.rule.code).collect();
    if must_fail {
        assert!(
            codes.contains(&m.code),
            "{}: failing example gave {codes:?}",
            m.code
        );
    } else {
        assert!(
            codes.is_empty(),
            "{}: passing example gave {codes:?}",
            m.code
        );
    }
}
