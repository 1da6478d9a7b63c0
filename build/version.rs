//! The commit and date a build was made from, read without running `git` (which a build
//! machine may lack): `ATLASGOV_LINT_BUILD_COMMIT` when a build without `.git` knows it (the
//! GitHub Action, a container build); else `.git` (a directory, or the `gitdir:` file of a
//! worktree or submodule) → `HEAD` → its ref, loose or in `packed-refs`; else the
//! `.cargo_vcs_info.json` that `cargo package` writes; else unknown. The date is `SOURCE_DATE_EPOCH` when set (reproducible
//! builds), else the clock. Used by `build.rs` and tested by `tests/version.rs`.

use std::path::{Path, PathBuf};

/// What `--version` shows besides the package version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The full commit id, or `unknown`.
    pub commit: String,
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Files whose change means another commit: `HEAD`, the ref (or, for a packed ref, its
    /// directory and `packed-refs`).
    pub watch: Vec<PathBuf>,
}

pub const UNKNOWN: &str = "unknown";

/// Where a checkout's git directory is: `dir/.git`, or the directory a `.git` file names.
pub fn git_dir(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let target = text.trim().strip_prefix("gitdir:")?.trim();
    let path = dir.join(target);
    path.is_dir().then_some(path)
}

/// The commit `HEAD` of `git_dir` points at, and the files that decide it.
pub fn head_commit(git_dir: &Path) -> Option<(String, Vec<PathBuf>)> {
    // A worktree's refs live in the main repository's directory (`commondir`).
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(rel) => git_dir.join(rel.trim()),
        Err(_) => git_dir.to_path_buf(),
    };
    let head_path = git_dir.join("HEAD");
    let head = std::fs::read_to_string(&head_path).ok()?;
    let head = head.trim();
    let mut watch = vec![head_path];
    let Some(name) = head.strip_prefix("ref:").map(str::trim) else {
        return is_commit_id(head).then(|| (head.to_string(), watch));
    };
    if name.split('/').any(|part| part.is_empty() || part == "..") {
        return None;
    }
    for base in [git_dir, common.as_path()] {
        let loose = base.join(name);
        if let Ok(text) = std::fs::read_to_string(&loose) {
            let id = text.trim();
            if is_commit_id(id) {
                watch.push(loose);
                return Some((id.to_string(), watch));
            }
        }
    }
    // A packed ref: a commit writes it loose, in its directory.
    if let Some(dir) = common.join(name).parent().filter(|p| p.is_dir()) {
        watch.push(dir.to_path_buf());
    }
    let packed = common.join("packed-refs");
    let text = std::fs::read_to_string(&packed).ok()?;
    watch.push(packed);
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .filter_map(|l| l.split_once(' '))
        .find(|(_, r)| r.trim() == name)
        .map(|(id, _)| id.to_string())
        .filter(|id| is_commit_id(id))
        .map(|id| (id, watch))
}

/// `git.sha1` of the `.cargo_vcs_info.json` that `cargo package` writes into a published crate.
pub fn vcs_info_commit(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let rest = text.split_once("\"sha1\"")?.1;
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let id = rest.split('"').next()?;
    is_commit_id(id).then(|| id.to_string())
}

/// 40 (SHA-1) or 64 (SHA-256) hexadecimal digits.
pub fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `YYYY-MM-DD` of a Unix time (UTC; days from the civil calendar algorithm of H. Hinnant).
pub fn date_of(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The build date: `SOURCE_DATE_EPOCH` when it is set to a number of seconds, else now.
pub fn build_date(source_date_epoch: Option<&str>, now: i64) -> String {
    let epoch = source_date_epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(now);
    date_of(epoch)
}

/// Everything `--version` needs for the package in `dir`; `given` is a commit id the build
/// was told (ignored unless it is one).
pub fn version(
    dir: &Path,
    given: Option<&str>,
    source_date_epoch: Option<&str>,
    now: i64,
) -> Version {
    let given = given
        .map(str::trim)
        .filter(|c| is_commit_id(c))
        .map(|c| (c.to_ascii_lowercase(), Vec::new()));
    let (commit, watch) = given
        .or_else(|| git_dir(dir).and_then(|g| head_commit(&g)))
        .or_else(|| vcs_info_commit(dir).map(|c| (c, Vec::new())))
        .unwrap_or_else(|| (UNKNOWN.to_string(), Vec::new()));
    Version {
        commit,
        date: build_date(source_date_epoch, now),
        watch,
    }
}
