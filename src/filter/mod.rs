//! The filtering stage: after the rules, before the reporters.
//!
//! 1. **Levels**: each finding gets the level the config gives its rule for its file (`rules`,
//!    then every matching `overrides` entry in order), then `--select`/`--ignore`; `off` drops it.
//! 2. **Suppressions**: inline `atlasgov-lint: allow` comments ([`crate::suppress`]) and the
//!    config's `exceptions` hide the findings they cover; problems with them (no reason,
//!    expired, unreadable, forbidden, unused) become GOV1xx findings ([`crate::meta`]).
//! 3. **Baseline**: findings recorded in a baseline are hidden and counted; or a baseline is
//!    (re)written.
//!
//! Reporters only render what is left, plus the counts and the suppression list kept here.
//! Nothing here reads the clock or the disk: the command line passes today's date and the
//! loaded config and baseline in.

mod baseline;
pub mod baseline_file;
mod levels;
mod suppressions;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::config::Config;
use crate::date::Date;
use crate::model::FileId;
use crate::outcome::{Filtered, Outcome};
use crate::rules::{Finding, RuleMeta, Severity};
use baseline_file::Baseline;

/// What the stage needs besides the outcome.
pub struct Settings<'a> {
    pub config: Option<&'a Config>,
    /// `--select`: only these rules (GOV000 is always on).
    pub select: &'a [&'static RuleMeta],
    /// `--ignore`: not these rules.
    pub ignore: &'a [&'static RuleMeta],
    /// `--fail-on`, overriding the config's `fail-on`.
    pub fail_on: Option<Severity>,
    /// Suppressions with an `until` before this date have expired.
    pub today: Date,
    /// The current directory (findings' paths are relative to it).
    pub cwd: &'a Path,
    pub baseline: &'a BaselineMode,
}

/// What to do with a baseline.
#[derive(Debug, Clone, Default)]
pub enum BaselineMode {
    #[default]
    Off,
    /// `--baseline FILE`: hide the findings it records.
    Compare(Baseline),
    /// `--write-baseline FILE`: record today's findings. When the file already exists, entries
    /// are only ever removed, unless `allow_new`.
    Write {
        existing: Baseline,
        existed: bool,
        allow_new: bool,
    },
}

/// Apply levels, suppressions and the baseline to `findings` (the engine's, for `outcome`):
/// returns the findings left and what the stage did.
pub fn apply(
    outcome: &Outcome,
    findings: Vec<Finding>,
    settings: &Settings<'_>,
) -> (Vec<Finding>, Filtered) {
    let levels = levels::Levels::new(outcome, settings);
    let mut filtered = Filtered {
        fail_on: settings.fail_on.or(settings.config.and_then(|c| c.fail_on)),
        ..Filtered::default()
    };
    // Findings the configuration turns off for their file (`overrides`) whose fix edits a
    // value: a use of that value set aside, like a suppressed one (see `keep_hidden_uses`).
    let (findings, off) = levels::apply(&levels, findings);
    let checked = checked_files(outcome);
    let (findings, suppressions) =
        suppressions::apply(outcome, findings, settings, &levels, &checked);
    filtered.suppressions = suppressions;
    let mut findings = baseline::apply(
        outcome,
        findings,
        settings,
        &levels,
        &checked,
        &mut filtered,
    );
    keep_hidden_uses(outcome, &mut findings, &filtered, &off);
    (findings, filtered)
}

/// A fix that edits a value written once is not applied silently to a use whose finding the
/// user set aside: when a suppressed, baselined or turned-off (`overrides`) finding's fix edits
/// the same place, the fix becomes unsafe and names it (that use keeps its value under `--fix`).
fn keep_hidden_uses(
    outcome: &Outcome,
    findings: &mut [Finding],
    filtered: &Filtered,
    off: &[Finding],
) {
    let hidden = filtered
        .suppressions
        .iter()
        .flat_map(|s| s.suppressed.iter().map(|f| (f, "suppressed")))
        .chain(
            filtered
                .baselined_findings
                .iter()
                .map(|f| (f, "in the baseline")),
        )
        .chain(
            off.iter()
                .map(|f| (f, "turned off there by the configuration")),
        );
    let mut places: HashMap<(FileId, crate::document::Span), (&Finding, &str)> = HashMap::new();
    for (f, why) in hidden {
        for e in f.fix.iter().flat_map(|x| &x.edits) {
            places.entry((e.loc.file, e.loc.span)).or_insert((f, why));
        }
    }
    if places.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        let Some(fix) = &mut f.fix else { continue };
        let set_aside = fix
            .edits
            .iter()
            .find_map(|e| Some((e, *places.get(&(e.loc.file, e.loc.span))?)));
        if let Some((edit, (other, why))) = set_aside {
            let at = other.used_at.as_deref().unwrap_or(&other.loc);
            let written = if edit.loc.file == f.loc.file {
                format!("line {}", edit.loc.start.line)
            } else {
                format!(
                    "{}:{}",
                    crate::paths::display_path(outcome.path(edit.loc.file)),
                    edit.loc.start.line
                )
            };
            let reason = format!(
                "the value written at {written} is also used at {}:{}:{}, whose {} finding is {why}",
                crate::paths::display_path(outcome.path(at.file)),
                at.start.line,
                at.start.column,
                other.rule.code
            );
            fix.demote(reason);
        }
    }
}

/// Files that were read and checked (not skipped, not the config file).
pub(crate) fn checked_files(outcome: &Outcome) -> Vec<FileId> {
    let skipped: HashSet<&Path> = outcome.skipped.iter().map(|s| s.path.as_path()).collect();
    (0..outcome.files.len())
        .filter_map(|i| u32::try_from(i).ok())
        .filter(|&i| Some(i) != outcome.config_file && !outcome.context.contains(&i))
        .filter(|&i| !skipped.contains(outcome.path(i)))
        .collect()
}

/// The exit code's question: does any remaining finding reach the failure threshold?
pub fn fails(outcome: &Outcome) -> bool {
    let threshold = outcome.filtered.fail_on.unwrap_or(Severity::Error);
    outcome.findings.iter().any(|f| f.severity >= threshold)
}
