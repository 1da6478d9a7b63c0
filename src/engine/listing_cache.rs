//! The listings of the directories a check of one file reads for context, kept between runs
//! in the cache directory ([`Options::context_cache`]) beside the context index: a pre-commit
//! hook in a directory of ten thousand files need not list it, and match every name against
//! the ignore files, at each commit.
//!
//! A listing is what [`walk::files_by_dir`] gives: the regular files of the directory that the
//! ignore files leave, by name. It depends on the directory's entries and on the ignore files
//! alone, so it is kept with a fingerprint of those: the directory's [`Stamp`] (creating,
//! removing or renaming an entry changes its times) and the stamps of every ignore file a walk
//! reads for it (`.gitignore` and `.ignore` in it and in each directory above it, the
//! repositories' `.git/info/exclude`, git's global excludes file wherever git's configuration
//! puts it, and then the working directory too, since the walk matches that file's patterns
//! relative to it). A kept listing is used only while the fingerprint is the same. What the files
//! hold is not part of it: which of them a walk checks is asked again at each use
//! ([`walk::considered`]: a file without an extension is checked for its first line), and the
//! context index compares each file's own stamp.
//!
//! As with the index, a listing is not kept when the directory or one of its ignore files was
//! modified within [`context_index::RACY`] of the listing: a later change in the same tick of
//! a coarse clock would keep the same times. (Modified, as git judges racy entries: a later
//! change of the entries or of a file's text sets the modification time to the clock's; a
//! change time alone recent, as after a copy that sets times back, is in the fingerprint.)
//! A directory under a `.git` file (a worktree or submodule, whose exclude file is elsewhere)
//! is always listed, and so is one reached through a symbolic link (see [`Key::of`]). A
//! listing is kept only if the directory is still as fingerprinted once it is listed.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::{Options, Stamp, context_index, stamp};
use crate::source::{self, walk};

/// [`walk::files_by_dir`] of each of `dirs`: the kept listing when its fingerprint is
/// unchanged, else listed (one walk for all of those) and kept, when `options` name a cache.
pub(super) fn files_by_dir(dirs: &[&Path], options: &Options) -> Vec<Vec<PathBuf>> {
    let Some(cache) = options.context_cache.as_deref() else {
        return walk::files_by_dir(dirs);
    };
    let global = ignore::gitignore::gitconfig_excludes_path();
    let keys: Vec<Option<Key>> = dirs
        .iter()
        .map(|dir| Key::of(dir, cache, global.as_deref()))
        .collect();
    let mut out: Vec<Option<Vec<PathBuf>>> = dirs
        .iter()
        .zip(&keys)
        .map(|(dir, key)| key.as_ref().and_then(|k| k.read(dir)))
        .collect();
    let missing: Vec<usize> = out
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.is_none().then_some(i))
        .collect();
    if missing.is_empty() {
        return out.into_iter().map(Option::unwrap_or_default).collect();
    }
    let unlisted: Vec<&Path> = missing
        .iter()
        .filter_map(|&i| dirs.get(i).copied())
        .collect();
    let settled = context_index::settled_now();
    for (&i, files) in missing.iter().zip(walk::files_by_dir(&unlisted)) {
        if let (Some(Some(key)), Some(dir)) = (keys.get(i), dirs.get(i)) {
            // Kept only if the directory is still as fingerprinted after the walk.
            let same = || {
                Key::of(dir, cache, global.as_deref()).is_some_and(|again| {
                    again.file == key.file && again.fingerprint == key.fingerprint
                })
            };
            if key.newest < settled && same() {
                key.store(&files);
            }
        }
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(files);
        }
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

/// [`files_by_dir`] of one directory.
pub(super) fn files_in(dir: &Path, options: &Options) -> Vec<PathBuf> {
    files_by_dir(&[dir], options)
        .into_iter()
        .flatten()
        .collect()
}

/// Where a directory's listing is kept, and what it must have been listed with.
struct Key {
    /// The cache file.
    file: PathBuf,
    /// Its first line (the directory's real path).
    head: String,
    fingerprint: u64,
    /// The latest modification time among the fingerprint's stamps.
    newest: u128,
}

impl Key {
    /// The key of `dir`'s listing in the cache directory `cache`; `global`: git's global
    /// excludes file. `None` when it cannot be kept.
    fn of(dir: &Path, cache: &Path, global: Option<&Path>) -> Option<Key> {
        // The walk reads the ignore files above the directory's real path. A directory
        // reached through a symbolic link is not kept: the link may lead elsewhere by the time
        // the walk lists it (a release switched during the run, and maybe back), which no
        // stamp of either directory shows.
        let real = dir.canonicalize().ok()?;
        let absolute = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(dir)
        };
        if crate::paths::normalize(&absolute) != plain(&real) {
            return None;
        }
        let head = context_index::header_of("context listing 1", &real)?;
        let file = context_index::cache_file(cache, &real, "listing", "lst")?;
        let own = stamp(&real)?;
        let (fingerprint, newest) = fingerprint(&real, own, global)?;
        Some(Key {
            file,
            head,
            fingerprint,
            newest,
        })
    }

    /// The listing kept for this key, its paths in `dir` (as the walk would give them), if it
    /// reads back whole and its fingerprint is this key's.
    fn read(&self, dir: &Path) -> Option<Vec<PathBuf>> {
        let text = source::read_limited(&self.file, 64 * 1024 * 1024, "the listing size").ok()?;
        let rest = text.strip_prefix(self.head.as_str())?.strip_prefix('\n')?;
        let (second, names) = rest.split_once('\n')?;
        let (fingerprint, count) = second.split_once(' ')?;
        if u64::from_str_radix(fingerprint, 16).ok()? != self.fingerprint {
            return None;
        }
        let count: usize = count.parse().ok()?;
        // Each name ends with a newline: a file cut short is not a listing.
        let names = match names.strip_suffix('\n') {
            Some(names) => names.split('\n').collect::<Vec<_>>(),
            None if names.is_empty() => Vec::new(),
            None => return None,
        };
        // Each a name in the directory, nothing that would lead out of it.
        let one_name = |n: &&str| {
            let mut parts = Path::new(n).components();
            matches!(
                (parts.next(), parts.next()),
                (Some(std::path::Component::Normal(_)), None)
            )
        };
        (names.len() == count && names.iter().all(one_name))
            .then(|| names.into_iter().map(|n| dir.join(n)).collect())
    }

    /// Keep `files` (all directly in the directory) under this key; not when a name cannot be
    /// written on a line.
    fn store(&self, files: &[PathBuf]) {
        let mut text = format!("{}\n{:016x} {}\n", self.head, self.fingerprint, files.len());
        for file in files {
            let Some(name) = crate::paths::file_name(file)
                .and_then(|n| n.to_str())
                .filter(|n| !n.is_empty() && !n.contains('\n'))
            else {
                return;
            };
            text.push_str(name);
            text.push('\n');
        }
        context_index::write_whole(&self.file, &text);
    }
}

/// `real` as a path is written: on Windows, `C:\a` for `canonicalize`'s `\\?\C:\a` (other
/// paths as they are).
fn plain(real: &Path) -> PathBuf {
    use std::path::{Component, Prefix};
    let mut parts = real.components();
    match parts.next() {
        Some(Component::Prefix(p)) => match p.kind() {
            Prefix::VerbatimDisk(disk) => {
                let mut out = PathBuf::from(format!(
                    "{}:{}",
                    char::from(disk),
                    std::path::MAIN_SEPARATOR
                ));
                out.extend(parts.filter(|c| matches!(c, Component::Normal(_))));
                out
            }
            _ => real.to_path_buf(),
        },
        _ => real.to_path_buf(),
    }
}

/// The fingerprint of what a listing of the directory `real` (its real path, whose stamp is
/// `own`) depends on, and the latest modification time among its stamps; `None` under a
/// `.git` file.
fn fingerprint(real: &Path, own: Stamp, global: Option<&Path>) -> Option<(u64, u128)> {
    let (files, under_git_file) = ignore_files(real, true, global);
    if under_git_file {
        return None;
    }
    // The same hasher in every run of one build (its keys are fixed); the header names the
    // build.
    let mut hasher = std::hash::DefaultHasher::new();
    let mut newest = own.modified();
    real.hash(&mut hasher);
    own.hash(&mut hasher);
    for file in &files {
        let found = stamp(file);
        file.hash(&mut hasher);
        found.hash(&mut hasher);
        if let Some(found) = found {
            newest = newest.max(found.modified());
            // The walk matches the global file's patterns against paths relative to the
            // working directory (`/infra/project.yaml` ignores a file from the repository's
            // root, not from `infra`).
            if Some(file.as_path()) == global {
                std::env::current_dir().ok()?.hash(&mut hasher);
            }
        }
    }
    Some((hasher.finish(), newest))
}

/// The ignore files a walk reads for the entries of the directory `dir`: `.gitignore` and
/// `.ignore` in it (when `own`) and in each directory above it, `.git/info/exclude` in each of
/// those whose `.git` is a directory, and `global` (git's global excludes file, see
/// `ignore::gitignore::gitconfig_excludes_path`); and whether one of those directories holds
/// a `.git` file instead (a worktree's or a submodule's, whose exclude file is elsewhere).
pub fn ignore_files(dir: &Path, own: bool, global: Option<&Path>) -> (Vec<PathBuf>, bool) {
    let mut files = Vec::new();
    let mut under_git_file = false;
    for (i, at) in dir.ancestors().enumerate() {
        if own || i > 0 {
            files.push(at.join(".gitignore"));
            files.push(at.join(".ignore"));
        }
        let git = at.join(".git");
        match std::fs::metadata(&git) {
            Ok(meta) if meta.is_dir() => files.push(git.join("info").join("exclude")),
            Ok(_) => under_git_file = true,
            Err(_) => {}
        }
    }
    files.extend(global.map(Path::to_path_buf));
    (files, under_git_file)
}
