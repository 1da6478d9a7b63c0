//! Which context files to read: a check of one file lists the spec files of its directory and
//! of those above it (see `context`), and parses only those that may give it anything
//! ([`adapters::context::may_give_context`], a byte scan; files with suppression comments are
//! read too). In a directory of ten thousand cluster bodies and one project, that is the
//! project.
//!
//! The scan still reads every file. Its answers are kept in an index, per directory, keyed by
//! each file's name, size, modification time and (on Unix) change time: a file whose key is
//! unchanged is not read again. The index lives in memory for the life of the process (the
//! language server checks many times) and, when [`Options::context_cache`] names a directory,
//! on disk there between runs (a pre-commit hook is a new process each time): one file per
//! indexed directory, replaced whole through a temporary file and a rename (concurrent runs
//! never see half a file; the last writer wins), ignored when it does not read back as
//! written (a corrupt or foreign file is rebuilt). A file changed within [`RACY`] of the
//! index being written is not indexed: its next change could keep its size and time.
//! A large index file is read while the walk lists its directory ([`prepare`]).

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Options, map_maybe_parallel};
use crate::adapters;
use crate::source;

/// A file's key: size, modification and change times (nanoseconds since the epoch; change
/// time 0 where the platform has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: u128,
    changed: u128,
}

/// What the index says of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    stamp: Stamp,
    gives: bool,
}

type DirIndex = foldhash::HashMap<OsString, Entry>;

/// Files changed this recently when the index is written are left out of it.
pub(super) const RACY: Duration = Duration::from_secs(2);

/// The first line of an index file: the format, and the build that wrote it (another build
/// may scan differently).
fn header(dir: &Path) -> Option<String> {
    header_of("context index 1", dir)
}

/// The first line of a cache file of `kind` about `dir`: the kind and its format, the build
/// that wrote it, and the directory (`None` for a path a line cannot hold).
pub(super) fn header_of(kind: &str, dir: &Path) -> Option<String> {
    let dir = dir.to_str().filter(|d| !d.contains(['\n', '\t']))?;
    Some(format!(
        "atlasgov-lint {kind} {} {}\t{dir}",
        env!("CARGO_PKG_VERSION"),
        env!("ATLASGOV_LINT_COMMIT"),
    ))
}

/// Nanoseconds since the epoch, `RACY` ago: what changed later is not kept.
pub(super) fn settled_now() -> u128 {
    SystemTime::now()
        .checked_sub(RACY)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// The index in memory: per directory (absolute).
fn memory() -> &'static Mutex<HashMap<PathBuf, DirIndex>> {
    static INDEX: OnceLock<Mutex<HashMap<PathBuf, DirIndex>>> = OnceLock::new();
    INDEX.get_or_init(Mutex::default)
}

/// The stamps of `files` (all directly in `dir`), on the pool when there are many (each is a
/// system call; a directory of ten thousand files is stat'ed in about half the time). On Unix
/// each is looked up by name in the directory opened once: the kernel does not walk every
/// component of the path again for each.
fn stamps(dir: &Path, files: &[PathBuf]) -> Vec<Option<Stamp>> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        if let Ok(fd) = rustix::fs::open(dir, flags, Mode::empty()) {
            return map_maybe_parallel(files, |_, f| {
                crate::paths::file_name(f).and_then(|name| stamp_at(&fd, name))
            });
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    map_maybe_parallel(files, |_, f| stamp(f))
}

/// [`stamp`] of the file `name` in the directory open as `dir` (the same key).
#[cfg(unix)]
fn stamp_at(dir: &rustix::fd::OwnedFd, name: &std::ffi::OsStr) -> Option<Stamp> {
    use rustix::fs::{AtFlags, FileType};
    let meta = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    if FileType::from_raw_mode(meta.st_mode) != FileType::RegularFile {
        return None;
    }
    Some(Stamp {
        len: u64::try_from(meta.st_size).ok()?,
        modified: since_epoch(meta.st_mtime, meta.st_mtime_nsec),
        changed: since_epoch(meta.st_ctime, meta.st_ctime_nsec),
    })
}

/// Nanoseconds since the epoch of a time in seconds and nanoseconds; 0 before it.
#[cfg(unix)]
fn since_epoch(secs: impl TryInto<u128>, nanos: impl TryInto<u128>) -> u128 {
    match (secs.try_into(), nanos.try_into()) {
        (Ok(s), Ok(n)) => s * 1_000_000_000 + n,
        _ => 0,
    }
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let (modified, changed) = times(&meta)?;
    Some(Stamp {
        len: meta.len(),
        modified,
        changed,
    })
}

/// A file's modification and change times, in nanoseconds since the epoch (change time 0
/// where the platform has none; `None` without a modification time).
pub(super) fn times(meta: &std::fs::Metadata) -> Option<(u128, u128)> {
    let modified = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let changed = {
        use std::os::unix::fs::MetadataExt;
        since_epoch(meta.ctime(), meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let changed = 0;
    Some((modified, changed))
}

/// Whether the file may give a check of another file anything: read and scanned.
fn scan(path: &Path, options: &Options) -> bool {
    let Ok(text) = source::read(path, options.max_file_size) else {
        // Read again by the run, which says what is wrong with it (as context: nothing).
        return true;
    };
    let kind = source::kind_for(path, &text);
    adapters::context::may_give_context(path, kind.syntax, &text)
        || memchr::memmem::find(text.as_bytes(), crate::suppress::MARKER.as_bytes()).is_some()
}

/// The files of `files` (absolute, all directly in `dir`) that may give a check of another
/// file anything, in order.
/// `prepared`: what [`prepare`] read of `dir` beside its listing, if anything.
pub(super) fn giving(
    dir: &Path,
    files: Vec<PathBuf>,
    options: &Options,
    prepared: Option<Prepared>,
) -> Vec<PathBuf> {
    giving_settled(dir, files, options, settled_now(), prepared)
}

/// [`giving`], indexing the files last changed before `settled` (nanoseconds since the epoch).
fn giving_settled(
    dir: &Path,
    files: Vec<PathBuf>,
    options: &Options,
    settled: u128,
    prepared: Option<Prepared>,
) -> Vec<PathBuf> {
    let keep = giving_in(dir, &files, options, settled, prepared);
    files
        .into_iter()
        .zip(keep.into_iter().chain(std::iter::repeat(true)))
        .filter_map(|(f, k)| k.then_some(f))
        .collect()
}

/// For each of `files` (all directly in `dir`), whether it may give context.
fn giving_in(
    dir: &Path,
    files: &[PathBuf],
    options: &Options,
    settled: u128,
    prepared: Option<Prepared>,
) -> Vec<bool> {
    let disk = options
        .context_cache
        .as_deref()
        .and_then(|c| index_file(c, dir));
    let mut index = match prepared {
        Some(Prepared(index)) => index,
        None => take_index(dir, disk.as_deref()),
    };
    let stamps = stamps(dir, files);
    let known: Vec<Option<bool>> = files
        .iter()
        .zip(&stamps)
        .map(|(f, s)| {
            let entry = index.get(crate::paths::file_name(f)?)?;
            (Some(entry.stamp) == *s).then_some(entry.gives)
        })
        .collect();
    let unknown: Vec<usize> = (0..files.len())
        .filter(|&i| known.get(i).is_none_or(Option::is_none))
        .collect();
    let scanned: Vec<bool> = map_maybe_parallel(&unknown, |_, &i| {
        files.get(i).is_none_or(|f| scan(f, options))
    });
    let mut out: Vec<bool> = known.iter().map(|k| k.unwrap_or(true)).collect();
    let mut changed = false;
    for (&i, &g) in unknown.iter().zip(&scanned) {
        if let Some(slot) = out.get_mut(i) {
            *slot = g;
        }
        let (Some(file), Some(Some(stamp))) = (files.get(i), stamps.get(i)) else {
            continue;
        };
        let Some(name) = crate::paths::file_name(file) else {
            continue;
        };
        if stamp.modified.max(stamp.changed) < settled {
            index.insert(
                name.to_os_string(),
                Entry {
                    stamp: *stamp,
                    gives: g,
                },
            );
            changed = true;
        } else {
            changed |= index.remove(name).is_some();
        }
    }
    if changed {
        if let Some(file) = &disk {
            store(file, dir, &index);
        }
    }
    if let Ok(mut m) = memory().lock() {
        m.insert(dir.to_path_buf(), index);
    }
    out
}

/// The index of `dir` kept in memory, else read from its file `disk` (empty if neither).
fn take_index(dir: &Path, disk: Option<&Path>) -> DirIndex {
    let index = memory()
        .lock()
        .ok()
        .and_then(|mut m| m.remove(dir))
        .unwrap_or_default();
    match disk {
        Some(file) if index.is_empty() => load(file, dir).unwrap_or_default(),
        _ => index,
    }
}

/// A large directory's index, read by [`prepare`] while the directory is listed.
pub(super) struct Prepared(DirIndex);

/// Smallest index file [`prepare`] reads beside the listing: about a thousand entries (each
/// line is two times of nineteen digits, a size, a flag and a name); a smaller one is read in
/// a fraction of a millisecond.
const PREPARE_MIN: u64 = 48 * 1024;

/// For a directory whose index file is large, the index ([`giving`] needs it next), read
/// while the walk lists the directory ([`rayon::join`]): in a directory of ten thousand
/// files, reading it takes about a third as long as listing. `None` for other directories
/// and when the index is in memory already. (The stat calls are not made beside the listing
/// from a listing of their own: in a directory of ten thousand files they slowed the walk's
/// listing as much as they gained.)
pub(super) fn prepare(dir: &Path, options: &Options) -> Option<Prepared> {
    let disk = index_file(options.context_cache.as_deref()?, dir)?;
    if memory().lock().ok()?.contains_key(dir) {
        return None;
    }
    let size = std::fs::metadata(&disk).ok()?.len();
    (size >= PREPARE_MIN).then(|| Prepared(load(&disk, dir).unwrap_or_default()))
}

/// The index file of `dir` in the cache directory `cache`.
fn index_file(cache: &Path, dir: &Path) -> Option<PathBuf> {
    cache_file(cache, dir, "context", "idx")
}

/// The file named `prefix-HASH.ext` in the cache directory `cache` that holds what is kept of
/// `dir` (`None` for a path a header cannot hold).
pub(super) fn cache_file(cache: &Path, dir: &Path, prefix: &str, ext: &str) -> Option<PathBuf> {
    header(dir)?;
    // FNV-1a 64 of the directory's path: the header says which directory it is.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dir.as_os_str().as_encoded_bytes() {
        hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    Some(cache.join(format!("{prefix}-{hash:016x}.{ext}")))
}

/// Read an index file: `None` unless it is one this build wrote for `dir`, whole.
fn load(file: &Path, dir: &Path) -> Option<DirIndex> {
    let text = source::read_limited(file, 64 * 1024 * 1024, "the index size").ok()?;
    let mut lines = text.split('\n');
    if lines.next()? != header(dir)? {
        return None;
    }
    let mut index = DirIndex::default();
    index.reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count());
    let mut ended = false;
    for line in lines {
        if line.is_empty() {
            ended = true;
            continue;
        }
        if ended {
            return None;
        }
        let (name, entry) = entry(line)?;
        index.insert(OsString::from(name), entry);
    }
    // Written with a final newline: a file cut short is not an index.
    ended.then_some(index)
}

/// One line of an index file (`len\tmodified\tchanged\tgives\tname`), read field by field
/// (an index of ten thousand files is read on every check of one of them).
fn entry(line: &str) -> Option<(&str, Entry)> {
    let mut rest = line.as_bytes();
    let mut num = || {
        let end = memchr::memchr(b'\t', rest)?;
        let (digits, after) = (rest.get(..end)?, rest.get(end + 1..)?);
        rest = after;
        // Nanoseconds since the epoch fit 64 bits until 2554; a larger number is not an
        // index this build wrote.
        if digits.is_empty() || digits.len() > 20 {
            return None;
        }
        digits.iter().try_fold(0u64, |n, &d| {
            d.is_ascii_digit()
                .then(|| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
                .flatten()
        })
    };
    let (len, modified, changed, gives) = (num()?, num()?, num()?, num()?);
    let stamp = Stamp {
        len,
        modified: modified.into(),
        changed: changed.into(),
    };
    let gives = match gives {
        0 => false,
        1 => true,
        _ => return None,
    };
    let name = line
        .get(line.len() - rest.len()..)
        .filter(|n| !n.is_empty())?;
    Some((name, Entry { stamp, gives }))
}

/// Write an index file whole ([`write_whole`]).
fn store(file: &Path, dir: &Path, index: &DirIndex) {
    let Some(head) = header(dir) else { return };
    let mut text = head;
    text.push('\n');
    let mut entries: Vec<(&str, &Entry)> = index
        .iter()
        .filter_map(|(n, e)| Some((n.to_str().filter(|n| !n.contains(['\n', '\t']))?, e)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (name, e) in entries {
        let s = e.stamp;
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{name}\n",
            s.len,
            s.modified,
            s.changed,
            u8::from(e.gives)
        ));
    }
    write_whole(file, &text);
}

/// Write a cache file whole: a temporary file beside it, renamed over it (concurrent runs never
/// see half a file; the last writer wins). Errors leave no file.
pub(super) fn write_whole(file: &Path, text: &str) {
    let Some(parent) = file.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = parent.join(format!(
        ".{}.{}.{seq}.tmp",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("index"),
        std::process::id()
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if written.is_err() || std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The environment variable that names the cache directory itself.
pub const CACHE_DIR_VAR: &str = "ATLASGOV_LINT_CACHE_DIR";

/// The cache directory: `$ATLASGOV_LINT_CACHE_DIR` when set (CI caches it; the tests point it
/// into `target/`), else the platform's cache directory for this tool: `$XDG_CACHE_HOME` or
/// `~/.cache` on Linux and other Unixes, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
/// Windows; then `atlasgov-lint`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(dir) = var(CACHE_DIR_VAR) {
        return Some(dir);
    }
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library/Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    };
    Some(base?.join("atlasgov-lint"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn an_index_reads_back_as_written_and_a_damaged_one_not_at_all() {
        let cache = tempfile::tempdir().unwrap();
        let dir = Path::new("/some/dir");
        let file = index_file(cache.path(), dir).unwrap();
        let mut index = DirIndex::default();
        let stamp = Stamp {
            len: 12,
            modified: 1_700_000_000_123_456_789,
            changed: 1_700_000_000_123_456_790,
        };
        index.insert("a b.json".into(), Entry { stamp, gives: true });
        index.insert(
            "c.yaml".into(),
            Entry {
                stamp,
                gives: false,
            },
        );
        store(&file, dir, &index);
        assert_eq!(load(&file, dir), Some(index));
        // Another directory's index (a hash collision) is not this one's.
        assert_eq!(load(&file, Path::new("/other")), None);
        let text = std::fs::read_to_string(&file).unwrap();
        for damaged in [
            text.trim_end().to_string(),
            text.replace("\t1\t", "\t7\t"),
            text.replace("12\t", "x\t"),
            format!("{text}\nextra\n"),
            text.replace("context index 1", "context index 0"),
            String::new(),
        ] {
            std::fs::write(&file, damaged.as_bytes()).unwrap();
            assert_eq!(load(&file, dir), None, "{damaged:?}");
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(cache.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_changed_file_is_scanned_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            context_cache: Some(cache.path().to_path_buf()),
            ..Options::default()
        };
        let body = dir.path().join("c.json");
        let cluster = r#"{"name": "c", "replicationSpecs": [{"regionConfigs": []}]}"#;
        std::fs::write(&body, cluster).unwrap();
        // Written just now: scanned, not indexed (its next change could keep its stamp).
        let files = vec![body.clone()];
        assert!(giving(dir.path(), files.clone(), &options, None).is_empty());
        let disk = index_file(cache.path(), dir.path()).unwrap();
        assert!(!disk.exists());
        // Settled (as if two seconds had passed): indexed.
        assert!(giving_settled(dir.path(), files.clone(), &options, u128::MAX, None).is_empty());
        // Indexed on disk: a new process (an empty memory) reads it back.
        memory().lock().unwrap().remove(dir.path());
        assert_eq!(load(&disk, dir.path()).map(|i| i.len()), Some(1));
        assert!(giving(dir.path(), files.clone(), &options, None).is_empty());
        // Now it names a project: its size and times change, and it is read.
        std::fs::write(&body, cluster.replace("\"c\"", "\"c\", \"groupId\": \"x\"")).unwrap();
        assert_eq!(
            giving_settled(dir.path(), files, &options, u128::MAX, None),
            vec![body]
        );
    }

    #[test]
    fn a_large_index_read_beside_the_listing_gives_the_same_answers() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            context_cache: Some(cache.path().to_path_buf()),
            ..Options::default()
        };
        let cluster = r#"{"name": "c", "replicationSpecs": [{"regionConfigs": []}]}"#;
        let project = r#"{"name": "p", "orgId": "5f1d2c3b4a5968776a5b4c3d", "regionUsageRestrictions": "GOV_REGIONS_ONLY"}"#;
        let mut files: Vec<PathBuf> = (0..1000)
            .map(|i| dir.path().join(format!("cluster-{i:04}.json")))
            .collect();
        for f in &files {
            std::fs::write(f, cluster).unwrap();
        }
        let project_file = dir.path().join("project.json");
        std::fs::write(&project_file, project).unwrap();
        files.push(project_file.clone());
        // No index yet, or a small one: nothing to read beside the listing.
        assert!(prepare(dir.path(), &options).is_none());
        let first = giving_settled(dir.path(), files.clone(), &options, u128::MAX, None);
        assert_eq!(first, vec![project_file.clone()]);
        // Indexed, and in memory: the memory's copy is used, not the file read again.
        assert!(prepare(dir.path(), &options).is_none());
        // A new process: the index file is read beside the listing, and answers as before.
        memory().lock().unwrap().remove(dir.path());
        let prepared = prepare(dir.path(), &options);
        assert_eq!(prepared.as_ref().map(|p| p.0.len()), Some(files.len()));
        assert_eq!(
            giving_settled(dir.path(), files.clone(), &options, u128::MAX, prepared),
            first
        );
        // A body changed since it was indexed is scanned again: each file is still stat'ed.
        memory().lock().unwrap().remove(dir.path());
        let linked = files.first().unwrap().clone();
        std::fs::write(
            &linked,
            cluster.replace("\"c\"", "\"c\", \"groupId\": \"x\""),
        )
        .unwrap();
        let prepared = prepare(dir.path(), &options);
        assert!(prepared.is_some());
        assert_eq!(
            giving_settled(dir.path(), files, &options, u128::MAX, prepared),
            vec![linked, project_file]
        );
    }

    #[test]
    fn an_index_line_is_read_field_by_field() {
        let entry = |line: &str| super::entry(line).map(|(n, e)| (n.to_string(), e));
        let stamp = Stamp {
            len: 12,
            modified: 1_796_675_215_064_127_421,
            changed: 0,
        };
        assert_eq!(
            entry("12\t1796675215064127421\t0\t1\ta\tb.json"),
            Some(("a\tb.json".to_string(), Entry { stamp, gives: true }))
        );
        for bad in [
            "",
            "12\t1\t0\t1\t",
            "12\t1\t0\t2\ta",
            "+12\t1\t0\t1\ta",
            "12\t\t0\t1\ta",
            "12\t1x\t0\t1\ta",
            "12\t1\t0\t1",
            "12\t99999999999999999999999\t0\t1\ta",
        ] {
            assert_eq!(entry(bad), None, "{bad:?}");
        }
    }
}
