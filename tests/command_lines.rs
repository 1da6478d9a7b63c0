//! Atlas CLI command lines end to end: which files a walk reads (scripts by extension and by
//! shebang, Makefiles, Dockerfiles, CI files), suppressions in their `#` comments, and what a
//! script that does not parse gives.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

/// `check --format json` in `dir` with `args`: (exit code, report).
fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run");
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code().unwrap(), v)
}

/// (code, file, line, column) of every finding.
fn found(v: &Value) -> Vec<(String, String, u64, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

const M10: &str = "atlas clusters create c --provider AWS --region US_GOV_WEST_1 --tier M10";

#[test]
fn a_walk_reads_scripts_makefiles_dockerfiles_and_shebang_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.sh", &format!("{M10}\n"));
    write(d, "b.bash", &format!("{M10}\n"));
    write(d, "Makefile", &format!("up:\n\t{M10}\n"));
    write(d, "build/Dockerfile.ci", &format!("FROM x\nRUN {M10}\n"));
    write(d, "bin/provision", &format!("#!/bin/sh -eu\n{M10}\n"));
    // Not read: no shebang, a shebang of another language, a hidden file, a README.
    write(d, "bin/notes", &format!("{M10}\n"));
    write(d, "bin/tool", &format!("#!/usr/bin/env python3\n# {M10}\n"));
    write(d, ".envrc", &format!("{M10}\n"));
    write(d, "README.md", &format!("```\n{M10}\n```\n"));
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1);
    let files: Vec<String> = found(&v).into_iter().map(|f| f.1).collect();
    assert_eq!(
        files,
        [
            "Makefile",
            "a.sh",
            "b.bash",
            "bin/provision",
            "build/Dockerfile.ci"
        ]
    );
    assert_eq!(v["summary"]["files_checked"], 5);
    assert_eq!(v["skipped"], serde_json::json!([]));
    // A file named on the command line is read whatever its name: a shebang makes it a script.
    let (_, v) = check(d, &["bin/provision"]);
    assert_eq!(found(&v).len(), 1);
}

#[test]
fn suppressions_in_shell_comments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    write(
        d,
        "deploy.sh",
        &format!(
            "#!/bin/bash\n# atlasgov-lint: allow GOV002 until 2999-12-31 -- load test cluster, SEC-12\n{M10}\n{M10} # atlasgov-lint: allow tier-below-m20 -- same line, SEC-13\n{M10}\n"
        ),
    );
    write(
        d,
        "Makefile",
        &format!("up:\n\t# atlasgov-lint: allow GOV002 -- recipe comment, SEC-14\n\t{M10}\n"),
    );
    write(
        d,
        "Dockerfile",
        &format!("FROM x\n# atlasgov-lint: allow GOV002 -- docker comment, SEC-15\nRUN {M10}\n"),
    );
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&v),
        [("GOV002".to_string(), "deploy.sh".to_string(), 5, 70)]
    );
    assert_eq!(v["summary"]["suppressed"], 4);
}

#[test]
fn a_script_that_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Names the Atlas CLI: not checked, and said so (GOV000 at the quote that never closes).
    write(d, "broken.sh", &format!("{M10}\necho 'oops\n"));
    // Names nothing of Atlas: silent, as a broken unrelated YAML file is.
    write(d, "other.sh", "echo 'oops\n");
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&v),
        [("GOV000".to_string(), "broken.sh".to_string(), 2, 6)]
    );
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unterminated quote"),
        "{v}"
    );
}
