//! Stage 3: the baseline. Findings recorded in a baseline are hidden and counted; or a
//! baseline is (re)written (the text is returned; the command line writes it).

use std::collections::HashMap;
use std::path::Path;

use super::baseline_file::{Baseline, Entry};
use super::levels::Levels;
use super::{BaselineMode, Settings};
use crate::model::FileId;
use crate::outcome::fingerprint;
use crate::outcome::{Filtered, Outcome, WrittenBaseline};
use crate::paths;
use crate::rules::{self, Finding, suppression};

/// Hide baselined findings (or write a baseline), counting in `filtered`; returns what is left.
pub(super) fn apply(
    outcome: &Outcome,
    mut findings: Vec<Finding>,
    settings: &Settings<'_>,
    levels: &Levels<'_>,
    checked: &[FileId],
    filtered: &mut Filtered,
) -> Vec<Finding> {
    match &settings.baseline {
        BaselineMode::Off => {}
        BaselineMode::Compare(baseline) => {
            let current = entries_of(outcome, &findings, baseline, settings.cwd);
            let mut remaining = multiset(&baseline.entries);
            let mut keep = Vec::new();
            for (f, entry) in findings.into_iter().zip(current) {
                match entry.and_then(|e| remaining.get_mut(&e.fingerprint).filter(|n| **n > 0)) {
                    Some(n) => {
                        *n -= 1;
                        filtered.baselined += 1;
                        filtered.baselined_findings.push(f);
                    }
                    None => keep.push(f),
                }
            }
            findings = keep;
            let scope = Scope::new(outcome, baseline, levels, checked, settings.cwd);
            filtered.baseline_gone = baseline
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
            let current = entries_of(outcome, &findings, existing, settings.cwd);
            let scope = Scope::new(outcome, existing, levels, checked, settings.cwd);
            let mut old = multiset(existing.entries.iter().filter(|e| scope.contains(e)));
            let old_total: usize = old.values().sum();
            let mut entries: Vec<Entry> = existing
                .entries
                .iter()
                .filter(|e| !scope.contains(e))
                .cloned()
                .collect();
            // Entries kept as they are: a finding reported where its value was written (the
            // file that uses it was not checked) matches its entry there, not a new one.
            let mut kept = multiset(entries.iter());
            let mut keep = Vec::new();
            let mut not_added = 0;
            let mut matched_old = 0;
            for (f, entry) in findings.into_iter().zip(current) {
                let Some(entry) = entry else {
                    keep.push(f);
                    continue;
                };
                if f.used_at.is_some() {
                    if let Some(n) = kept.get_mut(&entry.fingerprint).filter(|n| **n > 0) {
                        *n -= 1;
                        filtered.baselined += 1;
                        continue;
                    }
                }
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
                    filtered.baselined += 1;
                    filtered.baselined_findings.push(f);
                } else {
                    not_added += 1;
                    keep.push(f);
                }
            }
            findings = keep;
            let written = Baseline {
                path: existing.path.clone(),
                dir: existing.dir.clone(),
                entries,
            };
            filtered.written = Some(WrittenBaseline {
                path: existing.path.clone(),
                text: written.render(),
                entries: written.entries.len(),
                removed: old_total - matched_old,
                not_added,
            });
        }
    }
    findings
}

fn multiset<'e>(entries: impl IntoIterator<Item = &'e Entry>) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for e in entries {
        *m.entry(e.fingerprint.clone()).or_insert(0) += 1;
    }
    m
}

/// Baseline entries for the current findings (`None` for GOV1xx, which are never baselined).
fn entries_of(
    outcome: &Outcome,
    findings: &[Finding],
    baseline: &Baseline,
    cwd: &Path,
) -> Vec<Option<Entry>> {
    let path_of = |file: FileId| baseline_path(outcome, baseline, cwd, file);
    let fps = fingerprint::fingerprints(outcome, findings, path_of);
    findings
        .iter()
        .zip(fps)
        .map(|(f, fp)| {
            (!suppression::is_suppression_rule(f.rule)).then(|| Entry {
                file: baseline_path(outcome, baseline, cwd, f.identity().file),
                code: f.rule.code.to_string(),
                pointer: f.identity().pointer.to_string(),
                fingerprint: fp,
            })
        })
        .collect()
}

fn baseline_path(outcome: &Outcome, baseline: &Baseline, cwd: &Path, file: FileId) -> String {
    let path = outcome.path(file);
    paths::relative_to(&baseline.dir, cwd, path).unwrap_or_else(|| paths::display_path(path))
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
            if let (Some(&file), Some(rule)) = (files.get(&e.file), rules::find(&e.code)) {
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
        rules::find(&e.code).is_some_and(|r| {
            self.levels
                .get(&(file, r.meta.code))
                .copied()
                .unwrap_or(false)
        })
    }
}
