//! What a check produced, as plain data shared by the stages above the rules: the engine
//! fills an [`Outcome`], the filter stage returns a [`Filtered`], reporters read both. Low in
//! the layer order so that nothing here reaches back up.

pub mod fingerprint;
pub mod inventory;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::date::Date;
use crate::document::Span;
use crate::model::{Loc, SourceFile};
use crate::rules::{self, Finding, RuleMeta, Severity};
use crate::suppress::Directive;

/// A file that was not checked, and why. Shown in every output format.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<SourceFile>,
    /// Sorted by file, position, code.
    pub findings: Vec<Finding>,
    pub files_checked: usize,
    pub skipped: Vec<Skipped>,
    /// The texts reporting needs, for snippets and fingerprints: of the files with findings
    /// or `atlasgov-lint:` directives, and of the config file (see the engine's `load_texts`).
    pub texts: HashMap<u32, Arc<str>>,
    /// Where the secrets are in the kept texts, sorted and merged: found on the tree when the
    /// file was parsed (`document::secrets`). A file with no entry gave no tree (it did not
    /// parse): reporters fall back to reading its text (`report::redact`).
    pub secrets: HashMap<u32, Vec<Span>>,
    /// `atlasgov-lint:` comments found in the checked files.
    pub directives: Vec<Directive>,
    /// Files that look like specs but did not parse (nothing in them was checked).
    pub parse_failed: HashSet<u32>,
    /// Files read from UTF-16: their text is decoded, so no fix edits them (offsets in the text
    /// are not the file's bytes).
    pub utf16: HashSet<u32>,
    /// The config file's id in `files` (after the files and buffers), when a config was used.
    pub config_file: Option<u32>,
    /// What the filtering stage did (empty until the filter stage runs).
    pub filtered: Filtered,
    /// Files read only for project linking (the engine's context files): not checked, never
    /// reported on.
    pub context: HashSet<u32>,
    /// The ids of the in-memory buffers checked (standard input, editor documents), in the
    /// order given.
    pub buffers: Vec<u32>,
    /// The projects and what is linked to them, when [`crate::engine::Options::inventory`]
    /// asked for it (the HTML report).
    pub inventory: Option<inventory::Inventory>,
    /// Policies that failed on this run's model (each names its file and the resource): the
    /// run's configuration is broken, whatever else it found.
    pub policy_errors: Vec<crate::policy::PolicyError>,
    /// The linked model as data, when [`crate::engine::Options::model`] asked for it.
    pub model: Option<serde_json::Value>,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == rules::Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == rules::Severity::Warning)
            .count()
    }
    pub fn path(&self, file: u32) -> &Path {
        self.files
            .get(file as usize)
            .map_or(Path::new(""), |f| f.path.as_path())
    }
    /// The text of a file with findings or directives (`None` if it changed since it was
    /// checked).
    pub fn text(&self, file: u32) -> Option<&str> {
        self.texts.get(&file).map(|t| &**t)
    }
}

/// An in-memory file (standard input, an editor buffer).
#[derive(Debug, Clone)]
pub struct Buffer {
    pub path: PathBuf,
    pub text: String,
}

impl Buffer {
    /// The name standard input has in output when `--stdin-filename` does not give one.
    pub const STDIN_NAME: &str = "<stdin>";
}

/// Where a suppression comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A comment in a spec.
    Inline,
    /// A config `exceptions` entry: its file glob and JSON pointer.
    Exception { file: String, pointer: String },
}

/// Whether a suppression was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In force (it may still have suppressed nothing: see [`Suppression::suppressed`]).
    Active,
    /// Not applied: it gives no reason.
    NoReason,
    /// Not applied: its date has passed.
    Expired,
    /// Not applied: it cannot be read.
    Invalid,
    /// Not applied: every rule it names cannot be suppressed (GOV000, or `unsuppressible`).
    Forbidden,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::NoReason => "no-reason",
            Status::Expired => "expired",
            Status::Invalid => "invalid",
            Status::Forbidden => "forbidden",
        }
    }
}

/// One suppression (comment or exception) and what it did: what an auditor asks for.
#[derive(Debug, Clone)]
pub struct Suppression {
    pub origin: Origin,
    /// The comment, or the exception's first key in the config file.
    pub loc: Loc,
    /// The rules it names that exist (forbidden ones included).
    pub rules: Vec<&'static RuleMeta>,
    pub reason: Option<String>,
    pub until: Option<Date>,
    pub status: Status,
    /// The findings it hid.
    pub suppressed: Vec<Finding>,
}

/// A baseline written by `--write-baseline`.
#[derive(Debug, Clone)]
pub struct WrittenBaseline {
    pub path: PathBuf,
    pub text: String,
    pub entries: usize,
    /// Entries of the previous file that no longer occur.
    pub removed: usize,
    /// Findings not added because the file existed and `--allow-new` was not given.
    pub not_added: usize,
}

/// What the stage did, for the summary, `--show-suppressed` and the exit code.
#[derive(Debug, Clone, Default)]
pub struct Filtered {
    pub suppressions: Vec<Suppression>,
    pub baselined: usize,
    /// The findings the baseline hid (or recorded, with `--write-baseline`): its entries that
    /// are still open. As many as [`Filtered::baselined`].
    pub baselined_findings: Vec<Finding>,
    /// Baseline entries (for files and rules checked in this run) that no longer occur.
    pub baseline_gone: usize,
    pub written: Option<WrittenBaseline>,
    pub fail_on: Option<Severity>,
}

impl Filtered {
    pub fn suppressed(&self) -> usize {
        self.suppressions.iter().map(|s| s.suppressed.len()).sum()
    }
}

/// Whether `text` is a report this tool writes in a JSON format (json, sarif, gitlab): what a
/// previous run left at the `--output` path, which a new run may overwrite, and which a
/// check never reads as a spec (a SARIF report holds the rules' examples).
pub fn is_report(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let json = || {
        ["version", "findings", "summary"]
            .iter()
            .all(|k| value.get(k).is_some())
    };
    let sarif = || {
        value
            .pointer("/runs/0/tool/driver/name")
            .and_then(serde_json::Value::as_str)
            == Some("atlasgov-lint")
    };
    let gitlab = || {
        value.as_array().is_some_and(|issues| {
            issues.iter().all(|i| {
                ["check_name", "fingerprint", "location"]
                    .iter()
                    .all(|k| i.get(k).is_some())
            })
        })
    };
    json() || sarif() || gitlab()
}
