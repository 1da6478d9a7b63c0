//! `.atlasgov-lint.yaml`: severities per rule and per path, excluded paths, the region usage
//! assumed for resources whose project is unknown, the failure threshold, and the policy on
//! suppressions (codes that cannot be suppressed, exceptions for files without comments).
//!
//! The file is read with the project's own YAML parser, so every error names the config file's
//! line and column, and lists the valid choices. Nothing here judges specs: the filtering stage
//! ([`crate::filter`]) applies the settings to findings, and the one setting rules consult
//! (`default-region-usage`) reaches them through the model.

mod parse;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::paths::{display_relative, normalize, relative_to};
pub use parse::parse;

use crate::date::Date;
use crate::document::{self, Cursor, Limits, LineCol, LineIndex, Span};
use crate::rules::{self, suppression};
use crate::rules::{RuleMeta, Severity};

/// The name of the config file looked for in the current directory and its parents.
pub const FILE_NAME: &str = ".atlasgov-lint.yaml";

/// A place in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pos {
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    pub pointer: String,
}

/// A config value with the place it was written.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub pos: Pos,
}

/// A rule's level: `None` is `off`.
pub type Level = Option<Severity>;

/// A rule's level as set in the config.
#[derive(Debug, Clone)]
pub struct RuleLevel {
    pub rule: &'static RuleMeta,
    pub level: Level,
}

/// Glob patterns, matched against paths relative to the config file's directory.
///
/// Like `.gitignore`: a pattern without a `/` (other than a trailing one) matches a file or
/// directory name at any depth; a pattern with one is anchored at the config's directory; a
/// pattern that matches a directory matches everything under it. `*` does not cross `/`, `**`
/// does.
#[derive(Debug, Clone)]
pub struct Globs {
    pub patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    fn build(patterns: &[Setting<String>]) -> Result<Globs, (Pos, String)> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            builder.add(compile(&p.value).map_err(|e| (p.pos.clone(), e))?);
        }
        let set = builder.build().map_err(|e| {
            let pos = patterns.first().map(|p| p.pos.clone()).unwrap_or(Pos {
                span: Span::default(),
                start: LineCol::default(),
                end: LineCol::default(),
                pointer: String::new(),
            });
            (pos, e.to_string())
        })?;
        Ok(Globs {
            patterns: patterns.iter().map(|p| p.value.clone()).collect(),
            set,
        })
    }

    /// Whether `rel` (a `/`-separated relative path) or one of its parent directories matches.
    pub fn matches(&self, rel: &str) -> bool {
        let mut path = rel;
        loop {
            if self.set.is_match(path) {
                return true;
            }
            match path.rfind('/') {
                Some(i) => path = path.get(..i).unwrap_or(""),
                None => return false,
            }
        }
    }
}

fn compile(pattern: &str) -> Result<Glob, String> {
    let trimmed = pattern.trim_end_matches('/');
    // `./legacy/**` is written from the config's directory, as `legacy/**` or `/legacy/**` are.
    let mut body = trimmed;
    while let Some(rest) = body.strip_prefix("./") {
        body = rest.trim_start_matches('/');
    }
    if body.is_empty() || body == "." {
        return Err(format!("`{pattern}` is not a usable glob pattern"));
    }
    if body == ".." || body.starts_with("../") {
        return Err(format!(
            "`{pattern}` points outside the config file's directory, which patterns are matched from"
        ));
    }
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = body.trim_start_matches('/');
    let full = if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    GlobBuilder::new(&full)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))
}

/// `overrides` entry: levels for the files matching `files`.
#[derive(Debug, Clone)]
pub struct Override {
    pub files: Globs,
    pub rules: Vec<RuleLevel>,
}

/// `exceptions` entry: a suppression for files that cannot carry comments (JSON).
#[derive(Debug, Clone)]
pub struct Exception {
    pub file: Globs,
    /// RFC 6901 pointer; the exception covers the value there and everything under it.
    pub pointer: String,
    pub rule: &'static RuleMeta,
    /// Where the exception names its rule (reported when it is unused).
    pub rule_pos: Pos,
    /// The exception as a whole (its first key).
    pub pos: Pos,
    pub reason: Option<String>,
    pub until: Option<Setting<Date>>,
}

/// A loaded config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The path as shown in messages (relative to the current directory when under it).
    pub path: PathBuf,
    /// Absolute directory that glob patterns are relative to.
    pub dir: PathBuf,
    pub text: Arc<str>,
    pub rules: Vec<RuleLevel>,
    pub exclude: Option<Globs>,
    pub overrides: Vec<Override>,
    /// The region usage assumed for resources whose project is unknown.
    pub default_region_usage: Option<Setting<String>>,
    pub fail_on: Option<Severity>,
    pub unsuppressible: Vec<&'static RuleMeta>,
    pub exceptions: Vec<Exception>,
    /// `policies`: Rego files or directories, relative to the config's directory.
    pub policies: Vec<Setting<String>>,
}

/// A problem with the config file, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

impl Config {
    /// Whether a file is excluded from checking.
    pub fn is_excluded(&self, cwd: &Path, path: &Path) -> bool {
        match (&self.exclude, relative_to(&self.dir, cwd, path)) {
            (Some(globs), Some(rel)) => globs.matches(&rel),
            _ => false,
        }
    }

    /// Whether `path` is this config file.
    pub fn is_file(&self, cwd: &Path, path: &Path) -> bool {
        normalize(&cwd.join(path)) == normalize(&cwd.join(&self.path))
    }

    /// The path of a file relative to the config's directory (`None` when outside it).
    pub fn relative(&self, cwd: &Path, path: &Path) -> Option<String> {
        relative_to(&self.dir, cwd, path)
    }
}

/// Find the config file: `.atlasgov-lint.yaml` in `start` or the nearest parent, stopping at
/// the repository root (a directory holding `.git`). Whatever is found under that name is the
/// config, even a FIFO, a directory or a broken link: [`load`] then says why it cannot be
/// read, rather than the run going on without the policy (or with a parent's).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.symlink_metadata().is_ok() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Read and validate a config file. `cwd` is the current directory (for relative paths).
pub fn load(path: &Path, cwd: &Path) -> Result<Config, Vec<ConfigError>> {
    let shown = display_relative(cwd, path);
    let err = |message: String| {
        vec![ConfigError {
            path: shown.clone(),
            line: 0,
            column: 0,
            message,
        }]
    };
    let text = crate::source::read_limited(path, crate::source::CONFIG_LIMIT, "config files")
        .map_err(err)?;
    let abs = normalize(&cwd.join(path));
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    let config = parse(&text, PathBuf::from(&shown), dir)?;
    // A policy path that is not there, at its entry (before anything is checked).
    let missing: Vec<ConfigError> = config
        .policies
        .iter()
        .filter(|s| std::fs::symlink_metadata(config.dir.join(&s.value)).is_err())
        .map(|s| ConfigError {
            path: shown.clone(),
            line: s.pos.start.line,
            column: s.pos.start.column,
            message: format!(
                "policy path `{}` does not exist (it is read from the config file's directory)",
                s.value
            ),
        })
        .collect();
    if missing.is_empty() {
        Ok(config)
    } else {
        Err(missing)
    }
}

/// The policy paths a config file names (`policies`), resolved against its directory. Read
/// before the config is loaded in full (see [`parse::policies`]); a config that cannot be
/// read names none here, and [`load`] reports why.
pub fn policy_paths(path: &Path, cwd: &Path) -> Vec<PathBuf> {
    let Ok(text) = crate::source::read_limited(path, crate::source::CONFIG_LIMIT, "config files")
    else {
        return Vec::new();
    };
    let abs = normalize(&cwd.join(path));
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    parse::policies(&text)
        .into_iter()
        .map(|p| {
            let abs = normalize(&dir.join(p));
            let rel = crate::paths::relative(&abs, &normalize(cwd));
            if rel.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                rel
            }
        })
        .collect()
}
