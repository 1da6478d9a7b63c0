//! The context prefilter (`engine::Options::context_prefilter`) changes what a check of one
//! file parses, never what it finds: every fixture file and directory, each checked alone as
//! a pre-commit hook checks it (its repository's files above it as context), gives the same
//! findings, labels and notices with the prefilter and without it; so does the language
//! server's context of each fixture file.
//!
//! `ATLASGOV_LINT_PREFILTER_CORPUS=DIR` adds every file under DIR (its project root DIR), for a
//! corpus outside the repository (`../shared/corpus/real-world`).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use atlasgov_lint::engine::{self, Options, ProjectRoot};
use atlasgov_lint::lint::{Checked, Inputs, Settings, lint};
use atlasgov_lint::outcome::Buffer;

/// Everything a report shows of a check, file ids as paths.
fn shown(checked: &Checked) -> Vec<String> {
    let o = &checked.outcome;
    let at = |l: &atlasgov_lint::model::Loc| {
        format!(
            "{}:{}:{}-{}:{}{}",
            o.path(l.file).display(),
            l.start.line,
            l.start.column,
            l.end.line,
            l.end.column,
            l.pointer
        )
    };
    let mut lines: Vec<String> = o
        .findings
        .iter()
        .map(|f| {
            let mut line = format!(
                "{} {:?} {} {} | {}",
                f.rule.code,
                f.severity,
                at(&f.loc),
                f.message,
                f.help
            );
            if let Some(via) = &f.loc.via {
                line.push_str(&format!(" via {}", at(via)));
            }
            if let Some(used) = &f.used_at {
                line.push_str(&format!(" used at {}", at(used)));
            }
            for label in &f.related {
                line.push_str(&format!(" [{} {}]", at(&label.loc), label.message));
            }
            line
        })
        .collect();
    lines.extend(
        o.skipped
            .iter()
            .map(|s| format!("skipped {} {}", s.path.display(), s.reason)),
    );
    lines.push(format!("checked {}", o.files_checked));
    lines
}

fn options(root: ProjectRoot, cwd: &Path, prefilter: bool) -> Options {
    Options {
        project_root: root,
        cwd: cwd.to_path_buf(),
        context_prefilter: prefilter,
        ..Options::default()
    }
}

/// What a check of `path` alone shows with the prefilter and without it, and how many context
/// files each read.
fn both(path: &Path, root: &ProjectRoot, cwd: &Path) -> [(Vec<String>, usize); 2] {
    let run = |prefilter| {
        let settings = Settings::new(options(root.clone(), cwd, prefilter));
        let checked = lint(&Inputs::Paths(vec![path.to_path_buf()]), &[], &settings);
        (shown(&checked), checked.outcome.context.len())
    };
    [run(true), run(false)]
}

/// Every file and directory under `dir`, sorted.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_fixture_checked_alone_finds_the_same_with_and_without_the_prefilter() {
    let cwd = manifest_dir();
    let (mut compared, mut read, mut all) = (0, 0, 0);
    for path in entries(&cwd.join("fixtures")) {
        let rel = path.strip_prefix(&cwd).unwrap().to_path_buf();
        // Files and the fixtures that are directories (not the rules' folders).
        if rel.is_dir() && rel.components().count() < 4 {
            continue;
        }
        let [(with, n), (without, m)] = both(&rel, &ProjectRoot::Repository, &cwd);
        assert_eq!(with, without, "{}", rel.display());
        (compared, read, all) = (compared + 1, read + n, all + m);
    }
    assert!(compared > 500, "{compared}");
    // Not a comparison of two equal runs: the prefilter left context files unread (most
    // fixtures are formats it always reads).
    assert!(read + 1000 < all, "{read} of {all} context files read");
}

#[test]
fn the_servers_context_of_every_fixture_file_finds_the_same() {
    let cwd = manifest_dir();
    let root = cwd.join("fixtures");
    for path in entries(&root).into_iter().filter(|p| p.is_file()) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let run = |prefilter| {
            let options = options(ProjectRoot::Argument, &root, prefilter);
            let context = engine::context_of(&path, &text, &root, &options);
            let buffer = Buffer {
                path: path.clone(),
                text: text.clone(),
            };
            shown(&lint(
                &Inputs::Context(context),
                &[buffer],
                &Settings::new(options),
            ))
        };
        assert_eq!(run(true), run(false), "{}", path.display());
    }
}

#[test]
fn a_corpus_outside_the_repository_finds_the_same() {
    let Some(dir) = std::env::var_os("ATLASGOV_LINT_PREFILTER_CORPUS") else {
        return;
    };
    let dir = std::fs::canonicalize(PathBuf::from(dir)).unwrap();
    let root = ProjectRoot::Dir(dir.clone());
    let mut compared = 0;
    let (mut read, mut all) = (0, 0);
    for path in entries(&dir) {
        let [(with, n), (without, m)] = both(&path, &root, &dir);
        assert_eq!(with, without, "{}", path.display());
        (compared, read, all) = (compared + 1, read + n, all + m);
    }
    eprintln!(
        "{compared} paths of {} compared; context files read: {read} of {all}",
        dir.display()
    );
}
