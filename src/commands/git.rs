//! The commit a checked path is at, for the HTML report's header: read from the repository's
//! `.git` (HEAD, then the ref it names, loose or in `packed-refs`), without running git.
//! Worktrees and submodules (a `.git` file naming the git directory, and its `commondir`) are
//! followed. Whatever cannot be read leaves the commit unknown; nothing read is trusted as a
//! path outside the git directory or shown unless it is a ref name or a hex object id.

use std::path::{Path, PathBuf};

use crate::paths;
use crate::report::html::Commit;
use crate::source;

/// Small files of the git directory (HEAD, a loose ref, `commondir`).
const SMALL: u64 = 64 * 1024;
/// `packed-refs` (large in repositories with many tags).
const PACKED_REFS: u64 = 64 * 1024 * 1024;
/// Symbolic refs followed before giving up.
const MAX_HOPS: usize = 5;

/// The commit of the git work tree holding `path`, if any and if it can be read.
pub fn commit_of(path: &Path, cwd: &Path) -> Option<Commit> {
    let abs = paths::absolute(path, cwd);
    let root = paths::repository_root(&abs)?;
    let git_dir = git_dir(&root)?;
    let common = common_dir(&git_dir);
    let head = read_small(&git_dir.join("HEAD"))?;
    let mut reference = None;
    let mut value = head.trim().to_string();
    for _ in 0..MAX_HOPS {
        let Some(name) = value.strip_prefix("ref:").map(str::trim) else {
            break;
        };
        if !is_ref_name(name) {
            return None;
        }
        let name = name.to_string();
        value = resolve(&git_dir, &common, &name)?;
        reference.get_or_insert(name);
    }
    is_object_id(&value).then_some(Commit {
        root,
        sha: value,
        reference,
    })
}

fn read_small(path: &Path) -> Option<String> {
    source::read(path, SMALL).ok()
}

/// The git directory of a work tree: `.git` itself, or the one a `.git` file names.
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = read_small(&dot_git)?;
    let named = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    (!named.is_empty()).then(|| paths::normalize(&root.join(named)))
}

/// Where shared refs live: the `commondir` a worktree's git directory names, else itself.
fn common_dir(git_dir: &Path) -> PathBuf {
    read_small(&git_dir.join("commondir"))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map_or_else(
            || git_dir.to_path_buf(),
            |c| paths::normalize(&git_dir.join(c)),
        )
}

/// A ref's value: its loose file (per worktree, then shared), else its `packed-refs` line.
fn resolve(git_dir: &Path, common: &Path, name: &str) -> Option<String> {
    for dir in [git_dir, common] {
        if let Some(text) = read_small(&dir.join(name)) {
            return Some(text.trim().to_string());
        }
    }
    let packed = source::read(&common.join("packed-refs"), PACKED_REFS).ok()?;
    packed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .find_map(|l| {
            let (sha, rest) = l.split_once(' ')?;
            (rest.trim() == name).then(|| sha.to_string())
        })
}

/// A ref name that stays inside the git directory: `refs/...` (or `HEAD`-like names), no
/// `..`, no empty component, no backslash or control character.
fn is_ref_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 1024
        && !name.starts_with('/')
        && !name.contains("..")
        && !name.contains("//")
        && !name.ends_with('/')
        && name
            .chars()
            .all(|c| !c.is_control() && c != '\\' && c != ' ' && c != ':')
}

/// A SHA-1 or SHA-256 object id in hex.
fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
    const OTHER: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_branch_read_loose_then_packed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join(".git/HEAD"), "ref: refs/heads/main\n");
        write(
            &root.join(".git/packed-refs"),
            &format!(
                "# pack-refs with: peeled\n{OTHER} refs/heads/other\n{SHA} refs/heads/main\n^{OTHER}\n"
            ),
        );
        write(&root.join("specs/a.json"), "{}");
        let c = commit_of(Path::new("specs/a.json"), root).expect("commit");
        assert_eq!(c.sha, SHA);
        assert_eq!(c.reference.as_deref(), Some("refs/heads/main"));
        assert_eq!(c.root, root);
        // A loose ref wins over the packed one.
        write(&root.join(".git/refs/heads/main"), &format!("{OTHER}\n"));
        assert_eq!(commit_of(root, root).expect("commit").sha, OTHER);
    }

    #[test]
    fn a_detached_head_and_a_worktree() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main");
        write(&main.join(".git/HEAD"), &format!("{SHA}\n"));
        let c = commit_of(&main, &main).expect("commit");
        assert_eq!((c.sha.as_str(), c.reference), (SHA, None));

        // A worktree: `.git` is a file naming its git directory, which names the common one.
        let wt = dir.path().join("wt");
        write(&wt.join(".git"), "gitdir: ../main/.git/worktrees/wt\n");
        write(
            &main.join(".git/worktrees/wt/HEAD"),
            "ref: refs/heads/feature\n",
        );
        write(&main.join(".git/worktrees/wt/commondir"), "../..\n");
        write(&main.join(".git/refs/heads/feature"), &format!("{OTHER}\n"));
        let c = commit_of(&wt, &wt).expect("commit");
        assert_eq!(c.sha, OTHER);
        assert_eq!(c.reference.as_deref(), Some("refs/heads/feature"));
    }

    #[test]
    fn unreadable_or_hostile_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Not a repository.
        assert!(commit_of(root, root).is_none());
        // A ref that climbs out of the git directory.
        write(&root.join(".git/HEAD"), "ref: ../../etc/passwd\n");
        assert!(commit_of(root, root).is_none());
        // A ref that does not exist yet (a fresh repository).
        write(&root.join(".git/HEAD"), "ref: refs/heads/main\n");
        assert!(commit_of(root, root).is_none());
        // Something that is not an object id.
        write(
            &root.join(".git/refs/heads/main"),
            "<script>alert(1)</script>\n",
        );
        assert!(commit_of(root, root).is_none());
        // A symbolic ref loop.
        write(&root.join(".git/refs/heads/main"), "ref: refs/heads/main\n");
        assert!(commit_of(root, root).is_none());
    }
}
