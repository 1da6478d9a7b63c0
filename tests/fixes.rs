//! `check --fix`, `--unsafe-fixes` and `--diff` over the cases in `fixtures/fixes/`: each case
//! is a directory of files (named `GOVNNN_<what>`; a name ending in `_unsafe` runs with
//! `--unsafe-fixes`), copied to a temporary directory and fixed there by the real binary.
//! Pinned per case: the diff, and the text of every file after `--fix`. Checked per case: the
//! diff writes nothing and exits 1 exactly when it shows something; after `--fix`, a new check
//! reports none of the fixed findings and every other finding as before; a second `--fix`
//! changes nothing; a file's line ends and byte order mark stay as they were.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use libtest_mimic::{Arguments, Trial};
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir("fixtures/fixes")
        .expect("fixtures/fixes")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let found = cases.len();
    trials.push(Trial::test("fix_cases_are_found", move || {
        assert!(found >= 10, "fix cases not found");
        Ok(())
    }));
    trials.push(Trial::test(
        "suppressed_and_baselined_findings_are_not_fixed",
        || {
            suppressed_and_baselined_findings_are_not_fixed();
            Ok(())
        },
    ));
    trials.push(Trial::test("a_utf16_file_is_offered_no_fix", || {
        a_utf16_file_is_offered_no_fix();
        Ok(())
    }));
    trials.push(Trial::test("a_file_named_twice_is_fixed_once", || {
        a_file_named_twice_is_fixed_once();
        Ok(())
    }));
    trials.push(Trial::test("flags_and_standard_input", || {
        flags_and_standard_input();
        Ok(())
    }));
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        trials.push(Trial::test(name.clone(), move || {
            run_case(&name, &case);
            Ok(())
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}

fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("run atlasgov-lint")
}

/// Every file under `dir`, by path relative to it, as bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn copy(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let dest = to.join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
}

/// The findings of a check, as (code, file, pointer, fix applicability) in order.
fn findings(dir: &Path) -> Vec<(String, String, String, Option<String>)> {
    let o = bin(dir, &["check", "--format", "json", "."]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json report");
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["pointer"].as_str().unwrap().to_string(),
                f["fix"]["applicability"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Each finding of a check with its fix: applicability and why it is unsafe, or the help of a
/// finding that has none (which says why, when a file's own restriction refuses the value).
fn fix_summary(dir: &Path) -> String {
    let o = bin(dir, &["check", "--format", "json", "."]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json report");
    let mut out = String::new();
    for f in v["findings"].as_array().unwrap() {
        let at = format!(
            "{} {}:{}:{}",
            f["code"].as_str().unwrap(),
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"]
        );
        match f["fix"]["applicability"].as_str() {
            Some(a) => {
                out.push_str(&format!("{at} {a}"));
                if let Some(r) = f["fix"]["reason"].as_str() {
                    out.push_str(&format!(": {r}"));
                }
            }
            None => out.push_str(&format!("{at} no fix: {}", f["help"].as_str().unwrap())),
        }
        out.push('\n');
    }
    out
}

fn run_case(name: &str, case: &Path) {
    let unsafe_fixes = name.ends_with("_unsafe");
    let dir = tempfile::tempdir().unwrap();
    copy(case, dir.path());
    let before = files(dir.path());
    let summary = fix_summary(dir.path());
    let found = findings(dir.path());
    assert!(!found.is_empty(), "{name}: no findings");
    let fixable = |f: &(String, String, String, Option<String>)| match f.3.as_deref() {
        Some("safe") => true,
        Some("unsafe") => unsafe_fixes,
        _ => false,
    };
    let expected_left: Vec<_> = found
        .iter()
        .filter(|f| !fixable(f))
        .map(|f| (f.0.clone(), f.1.clone(), f.2.clone()))
        .collect();

    // --diff: prints, writes nothing, exits 1 when there is something to fix.
    let mut diff_args = vec!["check", "--diff", "."];
    let mut fix_args = vec!["check", "--fix", "--quiet", "."];
    if unsafe_fixes {
        diff_args.insert(2, "--unsafe-fixes");
        fix_args.insert(2, "--unsafe-fixes");
    }
    let diff = bin(dir.path(), &diff_args);
    let diff_text = String::from_utf8_lossy(&diff.stdout).to_string();
    assert_eq!(files(dir.path()), before, "{name}: --diff wrote");
    assert_eq!(
        diff.status.code(),
        Some(if diff_text.is_empty() { 0 } else { 1 }),
        "{name}: {diff_text}"
    );
    assert!(
        !diff_text.contains("s3cret-pass") && !diff_text.contains("dd-key-not-printed"),
        "{name}: a secret in the diff:\n{diff_text}"
    );

    // --fix: the fixed findings are gone, the others stay.
    let fixed = bin(dir.path(), &fix_args);
    assert!(
        matches!(fixed.status.code(), Some(0 | 1)),
        "{name}: {}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let after = files(dir.path());
    let left: Vec<_> = findings(dir.path())
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect();
    assert_eq!(left, expected_left, "{name}: findings after --fix");
    assert_eq!(
        diff_text.is_empty(),
        after == before,
        "{name}: --diff and --fix disagree"
    );

    // Line ends and byte order marks are kept.
    for (rel, old) in &before {
        let new = &after[rel];
        // A CRLF file gets no bare LF, an LF file no CRLF (an insertion adds a line in the
        // file's own line end).
        let crlf = |b: &[u8]| b.windows(2).filter(|w| w == b"\r\n").count();
        let lf = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
        if crlf(old) > 0 {
            assert_eq!(
                lf(old) - crlf(old),
                lf(new) - crlf(new),
                "{name}/{rel}: bare LF"
            );
        } else {
            assert_eq!(crlf(new), 0, "{name}/{rel}: CRLF");
        }
        assert_eq!(
            old.starts_with(b"\xef\xbb\xbf"),
            new.starts_with(b"\xef\xbb\xbf"),
            "{name}/{rel}: BOM"
        );
    }

    // A second --fix changes nothing.
    let again = bin(dir.path(), &fix_args);
    assert!(matches!(again.status.code(), Some(0 | 1)));
    assert_eq!(
        files(dir.path()),
        after,
        "{name}: the second --fix changed files"
    );
    let rediff = bin(dir.path(), &diff_args);
    assert!(rediff.stdout.is_empty(), "{name}: a diff after --fix");
    assert_eq!(rediff.status.code(), Some(0));

    // Pinned: the diff and every changed file after --fix.
    let mut pinned = format!("----- findings -----\n{summary}----- diff -----\n{diff_text}");
    for (rel, new) in &after {
        if before.get(rel) != Some(new) {
            pinned.push_str(&format!(
                "----- {rel} after --fix -----\n{}",
                String::from_utf8_lossy(new).replace('\r', "\\r")
            ));
        }
    }
    insta::with_settings!({snapshot_path => "snapshots/fixes", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, pinned);
    });
}

const DATADOG: &str = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasThirdPartyIntegration\nmetadata:\n  name: dd\nspec:\n  projectRef: {name: claims}\n  type: DATADOG\n  datadog:\n    region: EU\n";

/// A finding hidden by a suppression comment or by the baseline keeps its value.
fn suppressed_and_baselined_findings_are_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let suppressed = DATADOG.replace(
        "    region: EU\n",
        "    # atlasgov-lint: allow GOV008 -- the EU site until the migration (TICKET-1)\n    region: EU\n",
    );
    std::fs::write(root.join("suppressed.yaml"), &suppressed).unwrap();
    std::fs::write(root.join("baselined.yaml"), DATADOG).unwrap();
    let written = bin(
        root,
        &[
            "check",
            "--write-baseline",
            "baseline.json",
            "baselined.yaml",
        ],
    );
    assert!(written.status.success() && root.join("baseline.json").is_file());
    std::fs::write(root.join("open.yaml"), DATADOG).unwrap();
    let fixed = bin(
        root,
        &[
            "check",
            "--fix",
            "--baseline",
            "baseline.json",
            "suppressed.yaml",
            "baselined.yaml",
            "open.yaml",
        ],
    );
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert_eq!(fixed.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("fixed 1 finding in 1 file (1 pass)"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("suppressed.yaml")).unwrap(),
        suppressed
    );
    assert_eq!(
        std::fs::read_to_string(root.join("baselined.yaml")).unwrap(),
        DATADOG
    );
    assert_eq!(
        std::fs::read_to_string(root.join("open.yaml")).unwrap(),
        DATADOG.replace("region: EU", "region: US1_FED")
    );
}

/// `--unsafe-fixes` needs `--fix` or `--diff`; `--fix` with `--diff` is refused; standard
/// input is never rewritten (and a diff of it is shown); the human report marks the fix.
/// A UTF-16 file is read and judged, but never edited (its text is decoded: offsets are not
/// its bytes): no fix in JSON, nothing in `--diff` (exit 0), nothing fixable in the summary.
fn a_utf16_file_is_offered_no_fix() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = "baseUrl: https://cloud.mongodb.com/api/atlas/v2\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(root.join("tool.yaml"), &bytes).unwrap();
    let found = findings(root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "GOV020");
    assert_eq!(found[0].3, None, "a fix offered for a UTF-16 file");
    let diff = bin(root, &["check", "--diff", "."]);
    assert!(diff.stdout.is_empty());
    assert_eq!(diff.status.code(), Some(0));
    let human = bin(root, &["check", "--color", "never", "."]);
    assert!(!String::from_utf8_lossy(&human.stdout).contains("fixable"));
    assert_eq!(std::fs::read(root.join("tool.yaml")).unwrap(), bytes);
}

/// A file named twice on the command line (`dd.yaml` and `./dd.yaml`, a link and its target)
/// is fixed once, with no "changed since it was read" note.
fn a_file_named_twice_is_fixed_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("dd.yaml"), DATADOG).unwrap();
    let mut names = vec!["dd.yaml", "./dd.yaml"];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("dd.yaml", root.join("link.yaml")).unwrap();
        names.push("link.yaml");
    }
    // `--diff` shows it once, as `--fix` writes it once.
    let mut args = vec!["check", "--diff"];
    args.extend(&names);
    let out = bin(root, &args);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(shown.matches("+++ ").count(), 1, "{shown}");
    let mut args = vec!["check", "--fix"];
    args.extend(&names);
    let out = bin(root, &args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("not fixed"), "{err}");
    assert!(err.contains("in 1 file"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    let fixed = std::fs::read_to_string(root.join("dd.yaml")).unwrap();
    assert!(fixed.contains("region: US1_FED"), "{fixed}");
}

fn flags_and_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("dd.yaml"), DATADOG).unwrap();
    let alone = bin(root, &["check", "--unsafe-fixes", "dd.yaml"]);
    assert_eq!(alone.status.code(), Some(2));
    let both = bin(root, &["check", "--fix", "--diff", "dd.yaml"]);
    assert_eq!(both.status.code(), Some(2));
    // The diff is the output: a report asked for beside it is a usage error, not dropped.
    for extra in [
        &["--format", "json"][..],
        &["--output", "report.sarif"][..],
        &["--statistics"][..],
    ] {
        let args: Vec<&str> = ["check", "--diff", "dd.yaml"]
            .iter()
            .chain(extra)
            .copied()
            .collect();
        let out = bin(root, &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("cannot be used with"),
            "{extra:?}"
        );
    }
    assert!(!root.join("report.sarif").exists());

    let human = bin(root, &["check", "--color", "never", "dd.yaml"]);
    let out = String::from_utf8_lossy(&human.stdout);
    assert!(
        out.contains("fix (safe fix, --fix): set the Datadog region to `US1_FED`"),
        "{out}"
    );
    assert!(out.contains("; 1 fixable with --fix\n"), "{out}");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"));
    cmd.current_dir(root)
        .args(["check", "--fix", "--stdin-filename", "dd.yaml", "-"]);
    let o = common::output_with_stdin(cmd, DATADOG.as_bytes());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("dd.yaml")).unwrap(),
        DATADOG
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no fixes applied"), "{err}");
    // Why, since the summary above counts the finding as fixable.
    assert!(
        err.contains("note: standard input is never edited: `--diff` shows its fixes"),
        "{err}"
    );
}
