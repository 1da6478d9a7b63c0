//! Path arithmetic, lexical only (no symlinks followed): absolute and relative forms, and how
//! a path is shown in output. The ground floor: it knows nothing of specs.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically (symlinks are not
/// followed, so two spellings of one directory compare equal without touching the disk).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined;
    let path = if path.is_absolute() {
        path
    } else {
        joined = cwd.join(path);
        &joined
    };
    // Already in its resolved form (the usual case): no component to drop.
    if resolved(path) {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Absolute `path` relative to absolute `base` (`../x.json` when above it); `path` itself when
/// they share no root (another drive).
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let mut common = 0;
    for (a, b) in path.components().zip(base.components()) {
        if a != b {
            break;
        }
        common += 1;
    }
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in base.components().skip(common) {
        out.push("..");
    }
    for c in path.components().skip(common) {
        out.push(c);
    }
    out
}

/// The root of the git work tree holding `path` (absolute): the nearest ancestor, or `path`
/// itself, that has a `.git` entry (a directory, or the file of a worktree or submodule).
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// Resolve `.` and `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    if resolved(path) {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            // `..` undoes a name before it, never another `..` (`../../b` stays), and stops
            // at the root (`/..` is `/`).
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Sort `items` by their paths in the order of `Path`'s `Ord` (by components), comparing
/// bytes where that gives the same order: when every path is plain (no `.`, `..` or empty
/// segment) and all are absolute or all relative, paths compare as their bytes with `/`
/// below every other byte, each path's key made once.
pub fn sort_by_path<T, F: Fn(&T) -> &Path>(items: &mut [T], path: F) {
    #[cfg(unix)]
    {
        fn bytes<'a, T, F: Fn(&T) -> &Path>(path: &F, t: &'a T) -> &'a [u8] {
            use std::os::unix::ffi::OsStrExt;
            path(t).as_os_str().as_bytes()
        }
        let absolute = |p: &[u8]| p.first() == Some(&b'/');
        let first = items.first().map(|t| absolute(bytes(&path, t)));
        if items.iter().all(|t| {
            let b = bytes(&path, t);
            Some(absolute(b)) == first && plain(b)
        }) {
            // Keys made once: each path's bytes with `/` below every other byte (no path
            // holds a NUL), compared as plain bytes.
            items.sort_by_cached_key(|t| {
                bytes(&path, t)
                    .iter()
                    .map(|&c| if c == b'/' { 0 } else { c })
                    .collect::<Vec<u8>>()
            });
            return;
        }
    }
    items.sort_by(|a, b| path(a).cmp(path(b)));
}

/// `path.file_name()`, without parsing the path's components where its last `/`-separated
/// segment is a name (a directory listing's paths: `Path::file_name` parses the whole path
/// from its end, and a check of one file among ten thousand asks it of each).
pub fn file_name(path: &Path) -> Option<&std::ffi::OsStr> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let last =
            memchr::memrchr(b'/', bytes).map_or(bytes, |i| bytes.get(i + 1..).unwrap_or(&[]));
        if !matches!(last, b"" | b"." | b"..") {
            return Some(std::ffi::OsStr::from_bytes(last));
        }
    }
    path.file_name()
}

/// The extension of a file name, as `Path::extension` gives it: what follows its last `.`,
/// unless that `.` starts the name (`.env`) or the name is `..`.
pub fn extension(name: &str) -> Option<&str> {
    if name == ".." {
        return None;
    }
    let dot = name.rfind('.').filter(|&i| i > 0)?;
    name.get(dot + 1..)
}

/// Whether `path` is already what [`normalize`] makes of it: every segment a name (see
/// [`plain`]; on other platforms, never said).
fn resolved(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        plain(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Whether every `/`-separated segment of `path` (after a leading `/`) is a name: not empty,
/// `.` or `..`.
#[cfg(unix)]
fn plain(path: &[u8]) -> bool {
    let rest = path.strip_prefix(b"/").unwrap_or(path);
    !rest.is_empty()
        && rest
            .split(|&c| c == b'/')
            .all(|s| !s.is_empty() && s != b"." && s != b"..")
}

/// `path` (relative to `cwd` unless absolute) relative to `dir`, `/`-separated; `None` when it
/// is not under `dir`.
pub fn relative_to(dir: &Path, cwd: &Path, path: &Path) -> Option<String> {
    let abs = normalize(&cwd.join(path));
    let rel = abs.strip_prefix(dir).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// A path for messages: relative to `cwd` (with `..` when needed), else as given.
pub fn display_relative(cwd: &Path, path: &Path) -> String {
    if path.is_relative() {
        return display_path(path);
    }
    let target = normalize(path);
    let base = normalize(cwd);
    let t: Vec<Component<'_>> = target.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return display_path(path);
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in common..b.len() {
        parts.push("..".into());
    }
    for c in t.iter().skip(common) {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// A path as shown in output: as walked, with `/` separators (on Windows too).
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    // A backslash separates only on Windows; elsewhere it is part of a name (`back\x.yaml`).
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

/// How CI systems name a file: relative to the root of the git work tree that holds the
/// working directory (the checkout a CI job runs in), with `/` separators. GitHub (code
/// scanning, annotations) and GitLab (code quality) resolve a report's paths from the
/// repository's root whatever directory the linter ran in, and a finding's fingerprint must
/// not change with that directory either. One root for the whole run: a file of a nested
/// repository (a submodule, a vendored clone) is named from the outer checkout, as the CI
/// system sees it. [`display_path`] for a file outside that work tree, and for every file when
/// the working directory is in none. A path with `..` is resolved on the disk (a `..` after a
/// symlinked directory leaves the link's target).
pub fn repository_path(path: &Path) -> String {
    static ROOT: std::sync::OnceLock<Option<(PathBuf, PathBuf)>> = std::sync::OnceLock::new();
    let Some((cwd, root)) = ROOT
        .get_or_init(|| {
            let cwd = std::env::current_dir().ok()?;
            let root = repository_root(&cwd)?;
            Some((cwd, root))
        })
        .as_ref()
    else {
        return display_path(path);
    };
    let inside = if path.components().any(|c| c == Component::ParentDir) {
        let real = |p: &Path| std::fs::canonicalize(p).ok();
        real(&cwd.join(path))
            .zip(real(root))
            .and_then(|(file, root)| file.strip_prefix(root).ok().map(Path::to_path_buf))
    } else {
        absolute(path, cwd)
            .strip_prefix(root)
            .ok()
            .map(Path::to_path_buf)
    };
    match inside {
        Some(inside) => display_path(&inside),
        None => display_path(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_and_extension_are_what_path_gives() {
        for p in [
            "a.json",
            "/x/y/cluster-1.json",
            "dir/.env",
            "dir/.env.prod",
            "dir/..",
            "dir/.",
            "dir/b.tf/.",
            "dir/",
            "/",
            "",
            ".",
            "..",
            "a..b",
            "a.",
            "x/Dockerfile",
            "x/terraform.tfvars.json",
            "x//y.yaml",
        ] {
            let path = Path::new(p);
            assert_eq!(file_name(path), path.file_name(), "{p:?}");
            let ext = file_name(path).and_then(|n| n.to_str()).and_then(extension);
            assert_eq!(ext, path.extension().and_then(|e| e.to_str()), "{p:?}");
        }
        assert_eq!(extension(".."), None);
        assert_eq!(extension("."), None);
    }

    #[test]
    fn absolute_resolves_dots_lexically() {
        let cwd = Path::new("/repo/infra/clusters");
        assert_eq!(
            absolute(Path::new("a.json"), cwd),
            Path::new("/repo/infra/clusters/a.json")
        );
        assert_eq!(absolute(Path::new("../.."), cwd), Path::new("/repo"));
        assert_eq!(
            absolute(Path::new("./x/../y"), cwd),
            Path::new("/repo/infra/clusters/y")
        );
        assert_eq!(absolute(Path::new("/a/./b/.."), cwd), Path::new("/a"));
        assert_eq!(absolute(Path::new(""), cwd), cwd);
        assert_eq!(absolute(Path::new("../../../../.."), cwd), Path::new("/"));
    }

    #[test]
    fn sort_by_path_orders_as_components_do() {
        let names = [
            "a",
            "a/b",
            "a-b",
            "a-b/c",
            "a.b",
            "a/b/c",
            "ab",
            "/a",
            "/a/b",
            "/a-b",
            "./a",
            "../a",
            "..",
            "-x",
            "a/./b",
            "a//b",
            "",
            "a b/c",
            "a/b-c",
            "a/b/",
            "é/x",
            "z",
            "/",
            "//a",
            "/a/.b",
            "/a/b/c",
            "/a\u{1}/b",
            "a\u{1}",
            "/.x/y",
            "a/b\u{1}",
            ".a/b",
        ];
        // Every pair, and all of them at once (mixed: the components' order).
        let mut sets: Vec<Vec<&str>> = names
            .iter()
            .flat_map(|x| names.iter().map(move |y| vec![*x, *y]))
            .collect();
        sets.push(names.to_vec());
        sets.push(
            names
                .iter()
                .copied()
                .filter(|n| !n.starts_with('/'))
                .collect(),
        );
        sets.push(
            names
                .iter()
                .copied()
                .filter(|n| n.starts_with('/'))
                .collect(),
        );
        for set in sets {
            let mut fast: Vec<&Path> = set.iter().map(Path::new).collect();
            let mut slow = fast.clone();
            sort_by_path(&mut fast, |p| p);
            slow.sort();
            assert_eq!(fast, slow, "{set:?}");
        }
    }

    #[test]
    fn normalize_resolves_dots_and_keeps_resolved_paths() {
        for (path, expected) in [
            ("a/b", "a/b"),
            ("/a/b", "/a/b"),
            ("a/./b", "a/b"),
            ("./a", "a"),
            ("a/../../b", "../b"),
            ("a//b/", "a/b"),
            ("..", ".."),
            ("../../b", "../../b"),
            ("a/../../../b", "../../b"),
            ("/../a", "/a"),
        ] {
            assert_eq!(normalize(Path::new(path)).as_os_str(), expected, "{path}");
        }
    }

    #[test]
    fn absolute_of_a_resolved_path_is_the_path() {
        let cwd = Path::new("/repo/infra");
        for (path, expected) in [
            ("a/b.json", "/repo/infra/a/b.json"),
            ("/x/y", "/x/y"),
            ("/x/y/", "/x/y"),
            ("a//b", "/repo/infra/a/b"),
            ("a/./b", "/repo/infra/a/b"),
            ("a/../b", "/repo/infra/b"),
            (".hidden/x", "/repo/infra/.hidden/x"),
        ] {
            assert_eq!(
                absolute(Path::new(path), cwd),
                Path::new(expected),
                "{path}"
            );
            assert_eq!(
                absolute(Path::new(path), cwd).as_os_str(),
                Path::new(expected).as_os_str(),
                "{path}: the same bytes"
            );
        }
    }

    #[test]
    fn relative_climbs_with_dot_dot() {
        let base = Path::new("/repo/infra/clusters");
        assert_eq!(
            relative(Path::new("/repo/infra/clusters/a.json"), base),
            Path::new("a.json")
        );
        assert_eq!(
            relative(Path::new("/repo/infra/p.yaml"), base),
            Path::new("../p.yaml")
        );
        assert_eq!(
            relative(Path::new("/repo/p.yaml"), base),
            Path::new("../../p.yaml")
        );
        assert_eq!(
            relative(Path::new("/other/p.yaml"), base),
            Path::new("../../../other/p.yaml")
        );
    }
}
