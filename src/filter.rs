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

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::app::Outcome;
use crate::baseline::{Baseline, Entry};
use crate::config::{Config, Level, Pos};
use crate::date::Date;
use crate::fingerprint;
use crate::meta::{self, FORBIDDEN_SUPPRESSION, INVALID_SUPPRESSION};
use crate::model::{FileId, Loc};
use crate::rules::{self, Finding, Rule, RuleMeta, Severity};

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
    pub baseline: BaselineMode,
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

/// Where a suppression comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
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
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::NoReason => "no-reason",
            Status::Expired => "expired",
            Status::Invalid => "invalid",
        }
    }
}

/// One suppression (comment or exception) and what it did: what an auditor asks for.
#[derive(Debug, Clone)]
pub struct Suppression {
    pub source: Source,
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
pub struct Written {
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
pub struct Report {
    pub suppressions: Vec<Suppression>,
    pub baselined: usize,
    /// Baseline entries (for files and rules checked in this run) that no longer occur.
    pub baseline_gone: usize,
    pub written: Option<Written>,
    pub fail_on: Option<Severity>,
}

impl Report {
    pub fn suppressed(&self) -> usize {
        self.suppressions.iter().map(|s| s.suppressed.len()).sum()
    }
}

/// Levels per file and rule.
struct Levels<'a> {
    settings: &'a Settings<'a>,
    rel: Vec<Option<String>>,
}

impl Levels<'_> {
    fn level(&self, file: FileId, rule: &'static RuleMeta) -> Level {
        let mut level = Some(rule.severity);
        if let Some(config) = self.settings.config {
            for r in &config.rules {
                if r.rule.code == rule.code {
                    level = r.level;
                }
            }
            if let Some(Some(rel)) = self.rel.get(file as usize) {
                for o in &config.overrides {
                    if o.files.matches(rel) {
                        for r in &o.rules {
                            if r.rule.code == rule.code {
                                level = r.level;
                            }
                        }
                    }
                }
            }
        }
        if rule.code == rules::INVALID_SPEC.meta.code {
            return level.or(Some(rule.severity));
        }
        let s = self.settings;
        if !s.select.is_empty() {
            if s.select.iter().any(|r| r.code == rule.code) {
                level = level.or(Some(rule.severity));
            } else {
                return None;
            }
        }
        if s.ignore.iter().any(|r| r.code == rule.code) {
            return None;
        }
        level
    }
}

/// Apply levels, suppressions and the baseline to `outcome.findings`, filling
/// `outcome.filtered`.
pub fn apply(outcome: &mut Outcome, settings: &Settings<'_>) {
    let rel: Vec<Option<String>> = outcome
        .files
        .iter()
        .map(|f| {
            settings
                .config
                .and_then(|c| c.relative(settings.cwd, &f.path))
        })
        .collect();
    let levels = Levels { settings, rel };
    let mut report = Report {
        fail_on: settings.fail_on.or(settings.config.and_then(|c| c.fail_on)),
        ..Report::default()
    };

    // 1. Levels.
    let mut findings = std::mem::take(&mut outcome.findings);
    findings.retain_mut(|f| match levels.level(f.loc.file, f.rule) {
        Some(severity) => {
            f.severity = severity;
            true
        }
        None => false,
    });

    // 2. Suppressions.
    let checked = checked_files(outcome);
    let mut meta_findings = Vec::new();
    let mut candidates = Vec::new();
    for d in &outcome.directives {
        candidates.push(inline_candidate(d, settings, &mut meta_findings));
    }
    if let (Some(config), Some(config_file)) = (settings.config, outcome.config_file) {
        for e in &config.exceptions {
            candidates.push(exception_candidate(
                e,
                config,
                config_file,
                settings.today,
                &mut meta_findings,
            ));
        }
    }
    let mut by_line: HashMap<(FileId, u32), Vec<usize>> = HashMap::new();
    let mut exceptions = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        match c.target {
            Target::Line { file, line } => by_line.entry((file, line)).or_default().push(i),
            Target::Exception { .. } => exceptions.push(i),
        }
    }
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        if meta::unsuppressible_reason(f.rule).is_some() {
            kept.push(f);
            continue;
        }
        // Candidates that could apply: comments on the finding's line (or the line its value
        // was set on), then every exception, in order.
        let mut order: Vec<usize> = Vec::new();
        for loc in std::iter::once(&f.loc).chain(f.loc.via.as_deref()) {
            if let Some(ids) = by_line.get(&(loc.file, loc.start.line)) {
                order.extend(ids);
            }
        }
        order.sort_unstable();
        order.dedup();
        order.extend(&exceptions);
        let hit = order.into_iter().find_map(|ci| {
            let c = candidates.get(ci)?;
            let i = c
                .applicable
                .iter()
                .position(|(r, _, _)| r.code == f.rule.code)?;
            let matches = match &c.target {
                Target::Line { .. } => true,
                Target::Exception { globs, pointer } => {
                    levels
                        .rel
                        .get(f.loc.file as usize)
                        .and_then(|r| r.as_deref())
                        .is_some_and(|rel| globs.matches(rel))
                        && pointer_covers(pointer, &f.loc.pointer)
                }
            };
            matches.then_some((ci, i))
        });
        let hit = hit.and_then(|(ci, i)| Some((candidates.get_mut(ci)?, i)));
        match hit {
            Some((c, i)) => {
                if let Some(a) = c.applicable.get_mut(i) {
                    a.1 = true;
                }
                c.record.suppressed.push(f);
            }
            None => kept.push(f),
        }
    }
    for c in &candidates {
        for (rule, used, at) in &c.applicable {
            if *used {
                continue;
            }
            let in_scope = match &c.target {
                Target::Line { file, .. } => {
                    !outcome.parse_failed.contains(file) && levels.level(*file, rule).is_some()
                }
                Target::Exception { globs, .. } => checked.iter().any(|&file| {
                    levels
                        .rel
                        .get(file as usize)
                        .and_then(|r| r.as_deref())
                        .is_some_and(|rel| globs.matches(rel))
                        && !outcome.parse_failed.contains(&file)
                        && levels.level(file, rule).is_some()
                }),
            };
            if !in_scope {
                continue;
            }
            let message = match (&c.target, &c.record.source) {
                (Target::Line { line, .. }, _) => format!(
                    "this suppression of {} suppresses nothing: there is no {} finding on line {line}",
                    rule.code, rule.code
                ),
                (_, Source::Exception { file, pointer }) => format!(
                    "this exception for {} suppresses nothing: no {} finding at `{pointer}` in a file matching `{file}`",
                    rule.code, rule.code
                ),
                _ => String::new(),
            };
            meta_findings.push(Finding::new(
                &meta::UNUSED_SUPPRESSION,
                at,
                message,
                "delete it (it no longer excuses anything), or move it to the line of the finding it is meant for",
            ));
        }
    }
    for mut m in meta_findings {
        if let Some(severity) = levels.level(m.loc.file, m.rule) {
            m.severity = severity;
            kept.push(m);
        }
    }
    // Context files (read only for project linking) lend their suppressions to the findings
    // they explain (a value set there), but nothing about them is reported.
    let in_context = |loc: &Loc| outcome.context.contains(&loc.file);
    report.suppressions = candidates
        .into_iter()
        .map(|c| c.record)
        .filter(|r| !in_context(&r.loc) || !r.suppressed.is_empty())
        .collect();
    let mut findings = kept;
    findings.retain(|f| !in_context(&f.loc));
    rules::sort_and_dedup(&mut findings);
    outcome.findings = findings;

    // 3. Baseline.
    match &settings.baseline {
        BaselineMode::Off => {}
        BaselineMode::Compare(baseline) => {
            let current = entries_of(outcome, baseline, settings.cwd);
            let mut remaining = multiset(&baseline.entries);
            let mut keep = Vec::new();
            for (f, entry) in std::mem::take(&mut outcome.findings)
                .into_iter()
                .zip(current)
            {
                match entry.and_then(|e| remaining.get_mut(&e.fingerprint).filter(|n| **n > 0)) {
                    Some(n) => {
                        *n -= 1;
                        report.baselined += 1;
                    }
                    None => keep.push(f),
                }
            }
            outcome.findings = keep;
            let scope = Scope::new(outcome, baseline, &levels, &checked, settings.cwd);
            report.baseline_gone = baseline
                .entries
                .iter()
                .filter(|e| scope.contains(e))
                .filter(|e| {
                    remaining.get_mut(&e.fingerprint).is_some_and(|n| {
                        if *n > 0 {
                            *n -= 1;
                            true
                        } else {
                            false
                        }
                    })
                })
                .count();
        }
        BaselineMode::Write {
            existing,
            existed,
            allow_new,
        } => {
            let current = entries_of(outcome, existing, settings.cwd);
            let scope = Scope::new(outcome, existing, &levels, &checked, settings.cwd);
            let mut old = multiset(existing.entries.iter().filter(|e| scope.contains(e)));
            let old_total: usize = old.values().sum();
            let mut entries: Vec<Entry> = existing
                .entries
                .iter()
                .filter(|e| !scope.contains(e))
                .cloned()
                .collect();
            let mut keep = Vec::new();
            let mut not_added = 0;
            let mut matched_old = 0;
            for (f, entry) in std::mem::take(&mut outcome.findings)
                .into_iter()
                .zip(current)
            {
                let Some(entry) = entry else {
                    keep.push(f);
                    continue;
                };
                let was_there = old
                    .get_mut(&entry.fingerprint)
                    .filter(|n| **n > 0)
                    .map(|n| *n -= 1)
                    .is_some();
                if was_there {
                    matched_old += 1;
                }
                if was_there || *allow_new || !*existed {
                    entries.push(entry);
                    report.baselined += 1;
                } else {
                    not_added += 1;
                    keep.push(f);
                }
            }
            outcome.findings = keep;
            let written = Baseline {
                path: existing.path.clone(),
                dir: existing.dir.clone(),
                entries,
            };
            report.written = Some(Written {
                path: existing.path.clone(),
                text: written.render(),
                entries: written.entries.len(),
                removed: old_total - matched_old,
                not_added,
            });
        }
    }
    outcome.filtered = report;
}

/// Whether the exception pointer `base` covers `pointer` (equal, or an ancestor of it).
fn pointer_covers(base: &str, pointer: &str) -> bool {
    base.is_empty()
        || pointer == base
        || pointer
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Files that were read and checked (not skipped, not the config file).
fn checked_files(outcome: &Outcome) -> Vec<FileId> {
    let skipped: HashSet<&Path> = outcome.skipped.iter().map(|s| s.path.as_path()).collect();
    (0..outcome.files.len())
        .filter_map(|i| u32::try_from(i).ok())
        .filter(|&i| Some(i) != outcome.config_file && !outcome.context.contains(&i))
        .filter(|&i| !skipped.contains(outcome.path(i)))
        .collect()
}

fn multiset<'e>(entries: impl IntoIterator<Item = &'e Entry>) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for e in entries {
        *m.entry(e.fingerprint.clone()).or_insert(0) += 1;
    }
    m
}

/// Baseline entries for the current findings (`None` for GOV1xx, which are never baselined).
fn entries_of(outcome: &Outcome, baseline: &Baseline, cwd: &Path) -> Vec<Option<Entry>> {
    let path_of = |file: FileId| baseline_path(outcome, baseline, cwd, file);
    let fps = fingerprint::fingerprints(outcome, &outcome.findings, path_of);
    outcome
        .findings
        .iter()
        .zip(fps)
        .map(|(f, fp)| {
            (!meta::is_meta(f.rule)).then(|| Entry {
                file: baseline_path(outcome, baseline, cwd, f.loc.file),
                code: f.rule.code.to_string(),
                pointer: f.loc.pointer.to_string(),
                fingerprint: fp,
            })
        })
        .collect()
}

fn baseline_path(outcome: &Outcome, baseline: &Baseline, cwd: &Path, file: FileId) -> String {
    let path = outcome.path(file);
    crate::config::relative_to(&baseline.dir, cwd, path)
        .unwrap_or_else(|| crate::report::display_path(path))
}

/// The baseline entries this run can judge: for files it checked and rules that were on there.
struct Scope {
    files: HashMap<String, FileId>,
    levels: HashMap<(FileId, &'static str), bool>,
}

impl Scope {
    fn new(
        outcome: &Outcome,
        baseline: &Baseline,
        levels: &Levels<'_>,
        checked: &[FileId],
        cwd: &Path,
    ) -> Scope {
        let files: HashMap<String, FileId> = checked
            .iter()
            .map(|&f| (baseline_path(outcome, baseline, cwd, f), f))
            .collect();
        let mut on = HashMap::new();
        for e in &baseline.entries {
            if let (Some(&file), Some(rule)) = (files.get(&e.file), meta::lookup(&e.code)) {
                on.insert(
                    (file, rule.meta.code),
                    levels.level(file, &rule.meta).is_some(),
                );
            }
        }
        Scope { files, levels: on }
    }

    fn contains(&self, e: &Entry) -> bool {
        let Some(&file) = self.files.get(&e.file) else {
            return false;
        };
        meta::lookup(&e.code).is_some_and(|r| {
            self.levels
                .get(&(file, r.meta.code))
                .copied()
                .unwrap_or(false)
        })
    }
}

enum Target {
    Line {
        file: FileId,
        line: u32,
    },
    Exception {
        globs: crate::config::Globs,
        pointer: String,
    },
}

struct Candidate {
    target: Target,
    /// Rules it may suppress, whether each was used, and where it names them.
    applicable: Vec<(&'static RuleMeta, bool, Loc)>,
    record: Suppression,
}

fn meta_finding(rule: &'static Rule, loc: &Loc, message: String, help: &str) -> Finding {
    Finding::new(rule, loc, message, help)
}

fn forbidden(rule: &RuleMeta, config: Option<&Config>) -> Option<String> {
    if let Some(why) = meta::unsuppressible_reason(rule) {
        return Some(why.to_string());
    }
    config
        .filter(|c| c.unsuppressible.iter().any(|r| r.code == rule.code))
        .map(|c| {
            format!(
                "the configuration ({}) lists it under `unsuppressible`; fix the finding",
                crate::report::display_path(&c.path)
            )
        })
}

fn inline_candidate(
    d: &crate::suppress::Directive,
    settings: &Settings<'_>,
    out: &mut Vec<Finding>,
) -> Candidate {
    let mut status = Status::Active;
    let until = d.until.as_ref().and_then(|(date, _)| *date);
    if let Some(e) = &d.syntax_error {
        status = Status::Invalid;
        out.push(meta_finding(
            &INVALID_SUPPRESSION,
            &d.loc,
            format!("this suppression cannot be read: {e}"),
            "write `atlasgov-lint: allow CODE[, CODE] [until YYYY-MM-DD] -- reason`",
        ));
    }
    let mut rules_named = Vec::new();
    let mut applicable = Vec::new();
    for named in &d.rules {
        let Some(rule) = named.rule else {
            out.push(meta_finding(
                &INVALID_SUPPRESSION,
                &named.loc,
                format!("`{}` is not a rule code or name", named.token),
                "`atlasgov-lint rules` lists the codes and names",
            ));
            continue;
        };
        rules_named.push(rule);
        if let Some(why) = forbidden(rule, settings.config) {
            out.push(meta_finding(
                &FORBIDDEN_SUPPRESSION,
                &named.loc,
                format!("{} cannot be suppressed: {why}", rule.code),
                "remove it from this comment and fix the finding",
            ));
            continue;
        }
        applicable.push((rule, false, named.loc.clone()));
    }
    if status == Status::Active && d.reason.is_none() {
        status = Status::NoReason;
        out.push(meta_finding(
            &meta::SUPPRESSION_WITHOUT_REASON,
            &d.loc,
            "this suppression gives no reason, so it is not applied".to_string(),
            "write the reason after ` -- `: `# atlasgov-lint: allow GOV004 -- approved in SEC-142`",
        ));
    }
    if let (Status::Active, Some((Some(date), at))) = (status, &d.until) {
        if *date < settings.today {
            status = Status::Expired;
            out.push(meta_finding(
                &meta::EXPIRED_SUPPRESSION,
                at,
                format!("this suppression expired on {date}, so it is no longer applied"),
                "fix the finding and delete the comment, or extend the date if the exception was renewed",
            ));
        }
    }
    if status != Status::Active {
        applicable.clear();
    }
    Candidate {
        target: Target::Line {
            file: d.loc.file,
            line: d.target_line,
        },
        applicable,
        record: Suppression {
            source: Source::Inline,
            loc: d.loc.clone(),
            rules: rules_named,
            reason: d.reason.clone(),
            until,
            status,
            suppressed: Vec::new(),
        },
    }
}

fn config_loc(file: FileId, pos: &Pos) -> Loc {
    Loc {
        file,
        span: pos.span,
        start: pos.start,
        end: pos.end,
        pointer: pos.pointer.as_str().into(),
        via: None,
    }
}

fn exception_candidate(
    e: &crate::config::Exception,
    config: &Config,
    file: FileId,
    today: Date,
    out: &mut Vec<Finding>,
) -> Candidate {
    let loc = config_loc(file, &e.pos);
    let mut status = Status::Active;
    if e.reason.is_none() {
        status = Status::NoReason;
        out.push(meta_finding(
            &meta::SUPPRESSION_WITHOUT_REASON,
            &loc,
            "this exception gives no reason, so it is not applied".to_string(),
            "add `reason:` with what an auditor needs to know (who approved it, the ticket)",
        ));
    } else if let Some(until) = e.until.as_ref().filter(|u| u.value < today) {
        status = Status::Expired;
        out.push(meta_finding(
            &meta::EXPIRED_SUPPRESSION,
            &config_loc(file, &until.pos),
            format!(
                "this exception expired on {}, so it is no longer applied",
                until.value
            ),
            "fix the finding and delete the exception, or extend `until` if it was renewed",
        ));
    }
    let applicable = if status == Status::Active && forbidden(e.rule, Some(config)).is_none() {
        vec![(e.rule, false, config_loc(file, &e.rule_pos))]
    } else {
        Vec::new()
    };
    Candidate {
        target: Target::Exception {
            globs: e.file.clone(),
            pointer: e.pointer.clone(),
        },
        applicable,
        record: Suppression {
            source: Source::Exception {
                file: e.file.patterns.join(", "),
                pointer: e.pointer.clone(),
            },
            loc,
            rules: vec![e.rule],
            reason: e.reason.clone(),
            until: e.until.as_ref().map(|u| u.value),
            status,
            suppressed: Vec::new(),
        },
    }
}

/// The exit code's question: does any remaining finding reach the failure threshold?
pub fn fails(outcome: &Outcome) -> bool {
    let threshold = outcome.filtered.fail_on.unwrap_or(Severity::Error);
    outcome.findings.iter().any(|f| f.severity >= threshold)
}
