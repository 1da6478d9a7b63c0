//! `--version`: the commit and date a build was made from (build.rs, build/version.rs), read
//! from `.git` without running git, "unknown" outside a checkout, `SOURCE_DATE_EPOCH` honoured.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../build/version.rs"]
#[allow(dead_code)]
mod version;

use std::path::Path;
use std::process::Command;

const A: &str = "0123456789abcdef0123456789abcdef01234567";
const B: &str = "fedcba9876543210fedcba9876543210fedcba98";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_branch_a_packed_ref_and_a_detached_head() {
    let dir = tempfile::tempdir().unwrap();
    let git = dir.path().join(".git");
    write(&git.join("HEAD"), "ref: refs/heads/main\n");
    write(&git.join("refs/heads/main"), &format!("{A}\n"));
    let v = version::version(dir.path(), None, None, 0);
    assert_eq!(v.commit, A);
    // What decides the answer is watched, so a commit rebuilds the version.
    assert!(v.watch.contains(&git.join("HEAD")));
    assert!(v.watch.contains(&git.join("refs/heads/main")));

    // Packed (after `git gc`): the loose ref is gone.
    std::fs::remove_file(git.join("refs/heads/main")).unwrap();
    write(
        &git.join("packed-refs"),
        &format!(
            "# pack-refs with: peeled fully-peeled sorted\n{B} refs/heads/other\n{A} refs/heads/main\n^{B}\n"
        ),
    );
    let v = version::version(dir.path(), None, None, 0);
    assert_eq!(v.commit, A);
    assert!(v.watch.contains(&git.join("packed-refs")));
    assert!(v.watch.contains(&git.join("refs/heads")));

    // Detached.
    write(&git.join("HEAD"), &format!("{B}\n"));
    assert_eq!(version::version(dir.path(), None, None, 0).commit, B);
}

#[test]
fn a_worktree_reads_its_own_head_and_the_shared_refs() {
    let dir = tempfile::tempdir().unwrap();
    let main_git = dir.path().join("main/.git");
    write(&main_git.join("refs/heads/feature"), &format!("{B}\n"));
    let wt_git = main_git.join("worktrees/feature");
    write(&wt_git.join("HEAD"), "ref: refs/heads/feature\n");
    write(&wt_git.join("commondir"), "../..\n");
    let wt = dir.path().join("feature");
    write(&wt.join(".git"), &format!("gitdir: {}\n", wt_git.display()));
    assert_eq!(version::version(&wt, None, None, 0).commit, B);
}

#[test]
fn outside_a_checkout_a_packaged_crate_or_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let v = version::version(dir.path(), None, None, 0);
    assert_eq!(v.commit, version::UNKNOWN);
    assert!(v.watch.is_empty());
    write(
        &dir.path().join(".cargo_vcs_info.json"),
        &format!("{{\n  \"git\": {{\n    \"sha1\": \"{A}\"\n  }},\n  \"path_in_vcs\": \"\"\n}}\n"),
    );
    assert_eq!(version::version(dir.path(), None, None, 0).commit, A);
    // Broken: a ref that names nothing, a `.git` file pointing nowhere, a hostile ref name.
    let broken = tempfile::tempdir().unwrap();
    write(&broken.path().join(".git"), "gitdir: /nonexistent\n");
    assert_eq!(
        version::version(broken.path(), None, None, 0).commit,
        version::UNKNOWN
    );
    let hostile = tempfile::tempdir().unwrap();
    write(
        &hostile.path().join(".git/HEAD"),
        "ref: ../../../etc/passwd\n",
    );
    assert_eq!(
        version::version(hostile.path(), None, None, 0).commit,
        version::UNKNOWN
    );
}

#[test]
fn a_commit_the_build_is_told_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".git/HEAD"), &format!("{A}\n"));
    let upper = B.to_ascii_uppercase();
    assert_eq!(
        version::version(dir.path(), Some(&upper), None, 0).commit,
        B
    );
    // Not a commit id (a tag, a branch): the checkout decides.
    assert_eq!(
        version::version(dir.path(), Some("v1.0.0"), None, 0).commit,
        A
    );
    assert_eq!(version::version(dir.path(), Some(""), None, 0).commit, A);
}

#[test]
fn the_date_is_source_date_epoch_when_set() {
    assert_eq!(version::date_of(0), "1970-01-01");
    assert_eq!(version::date_of(951_782_400), "2000-02-29");
    assert_eq!(version::date_of(1_796_224_428), "2026-12-02");
    assert_eq!(version::date_of(-86_400), "1969-12-31");
    assert_eq!(version::build_date(Some("951782400"), 0), "2000-02-29");
    assert_eq!(version::build_date(Some("soon"), 0), "1970-01-01");
    assert_eq!(version::build_date(None, 86_400), "1970-01-02");
}

/// The binary says the commit this checkout is at (when git can tell), and a date.
#[test]
fn version_names_the_commit_and_the_date() {
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    let first = text.lines().next().unwrap();
    // The binary was built with the same inputs (a commit given to the build wins).
    let expected = version::version(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        option_env!("ATLASGOV_LINT_BUILD_COMMIT"),
        None,
        0,
    )
    .commit;
    let short = expected.get(..12).unwrap_or(&expected);
    assert!(
        first.starts_with(&format!(
            "atlasgov-lint {} ({short} ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    let date = first.rsplit(' ').next().unwrap().trim_end_matches(')');
    assert!(
        date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "{text}"
    );
    assert!(text.contains(&format!("\ncommit: {expected}\n")), "{text}");
    // git agrees, where it is installed (and no commit was given to the build).
    let given = option_env!("ATLASGOV_LINT_BUILD_COMMIT").is_some();
    if let (false, Ok(git)) = (
        given,
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output(),
    ) {
        if git.status.success() {
            assert_eq!(String::from_utf8_lossy(&git.stdout).trim(), expected);
        }
    }
    let short_flag = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .arg("-V")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&short_flag.stdout).trim(), first);
}
