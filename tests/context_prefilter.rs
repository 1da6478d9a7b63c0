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

/// A language server's kept listings (`engine::Listings`): a directory's answer is kept until
/// a change is reported, unless the directory itself changed (an entry created, removed or
/// renamed that no watcher reported), which its times tell.
#[test]
fn kept_listings_are_made_again_when_their_directory_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let infra = root.join("infra");
    std::fs::create_dir_all(&infra).unwrap();
    let cluster = infra.join("cluster.json");
    let text = r#"{"name": "c", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_GOV_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}"#;
    std::fs::write(&cluster, text).unwrap();
    std::fs::write(infra.join("notes.yaml"), "# notes\n").unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let age = |d: &Path| {
        std::fs::File::open(d)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap()
    };
    age(&infra);
    let options = options(ProjectRoot::Argument, &root, true);
    let mut listings = engine::Listings::default();
    let context = |listings: &mut engine::Listings| {
        let context = engine::context_of_listed(&cluster, text, &root, &options, Some(listings));
        let mut files: Vec<String> = context
            .files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    };
    assert_eq!(context(&mut listings), Vec::<String>::new());
    // A file becomes a project in place (the directory's entries unchanged) and no change
    // is reported: the kept answer stands.
    let project = "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n";
    std::fs::write(infra.join("notes.yaml"), project).unwrap();
    assert_eq!(context(&mut listings), Vec::<String>::new());
    // A project file is created: the directory's times changed, so it is listed again.
    std::fs::write(infra.join("project.yaml"), project).unwrap();
    let listed = std::time::Instant::now();
    assert_eq!(context(&mut listings), ["notes.yaml", "project.yaml"]);
    // Listed within a second of the directory's change: kept at each use within that second
    // (a change in the same tick of the clock would leave the times as they are), and listed
    // once more after it.
    std::fs::write(infra.join("notes.yaml"), "# notes\n").unwrap();
    let kept = context(&mut listings);
    if listed.elapsed() < std::time::Duration::from_millis(900) {
        assert_eq!(kept, ["notes.yaml", "project.yaml"]);
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(context(&mut listings), ["project.yaml"]);
    // Then kept: a file becoming a project in place is not seen until reported.
    std::fs::write(infra.join("notes.yaml"), project).unwrap();
    assert_eq!(context(&mut listings), ["project.yaml"]);
    // A directory whose time is in the future (an archive from a skewed clock) is kept too.
    let future = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::open(&infra)
        .unwrap()
        .set_modified(future)
        .unwrap();
    assert_eq!(context(&mut listings), ["notes.yaml", "project.yaml"]);
    std::fs::write(infra.join("notes.yaml"), "# notes\n").unwrap();
    assert_eq!(context(&mut listings), ["notes.yaml", "project.yaml"]);
    listings.changed(&infra.join("notes.yaml"));
    assert_eq!(context(&mut listings), ["project.yaml"]);
}
