//! Counts for reading a large run at a glance: findings by rule and by file.
//!
//! `--statistics` prints both tables instead of the findings; the human report ends with the
//! by-rule table when a run has more than [`TABLE_THRESHOLD`] findings. No rule offers an
//! automatic fix, so there is no "fixable" column.

use std::collections::BTreeMap;

use crate::outcome::Outcome;
use crate::paths::display_path;
use crate::rules::{RuleMeta, Severity};

/// Paths longer than this do not widen the by-file table.
const MAX_PATH_COLUMN: usize = 72;

/// The human report adds the by-rule table above this many findings.
pub const TABLE_THRESHOLD: usize = 20;

#[derive(Default)]
struct Count {
    errors: usize,
    warnings: usize,
}

impl Count {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }
    fn total(&self) -> usize {
        self.errors + self.warnings
    }
    /// `error`, `warning`, or `2 errors, 1 warning` when a rule's level differs by file.
    fn severity(&self) -> String {
        match (self.errors, self.warnings) {
            (_, 0) => "error".to_string(),
            (0, _) => "warning".to_string(),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Most findings first, then by key.
fn ranked<K: Ord, V>(map: BTreeMap<K, V>, total: impl Fn(&V) -> usize) -> Vec<(K, V)> {
    let mut rows: Vec<(K, V)> = map.into_iter().collect();
    // Stable: equal counts keep the key order.
    rows.sort_by_key(|(_, v)| std::cmp::Reverse(total(v)));
    rows
}

/// The width of the widest count.
fn count_width(max: usize) -> usize {
    max.to_string().len().max(5)
}

/// `Findings by rule:` then one row per rule: count, code, name, severity.
pub fn by_rule(outcome: &Outcome) -> String {
    let mut counts: BTreeMap<&str, (&'static RuleMeta, Count)> = BTreeMap::new();
    for f in &outcome.findings {
        counts
            .entry(f.rule.code)
            .or_insert_with(|| (f.rule, Count::default()))
            .1
            .add(f.severity);
    }
    let rows = ranked(counts, |(_, c)| c.total());
    let width = count_width(rows.first().map_or(0, |(_, (_, c))| c.total()));
    let mut out = String::from("Findings by rule:\n");
    for (_, (rule, count)) in rows {
        out.push_str(&format!(
            "{:>width$}  {:<7} {:<35} {}\n",
            count.total(),
            rule.code,
            rule.name,
            count.severity()
        ));
    }
    out
}

/// `Findings by file:` then one row per file: count, path, and the codes found in it.
pub fn by_file(outcome: &Outcome) -> String {
    let mut counts: BTreeMap<String, (usize, Vec<&str>)> = BTreeMap::new();
    for f in &outcome.findings {
        let entry = counts
            .entry(display_path(outcome.path(f.loc.file)))
            .or_default();
        entry.0 += 1;
        if !entry.1.contains(&f.rule.code) {
            entry.1.push(f.rule.code);
        }
    }
    let rows = ranked(counts, |(n, _)| *n);
    let width = count_width(rows.first().map_or(0, |(_, (n, _))| *n));
    let paths: Vec<String> = rows
        .iter()
        .map(|(path, _)| super::concise::one_line(path).into_owned())
        .collect();
    // Codes line up after the paths, unless a path is very long.
    let path_width = paths
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_PATH_COLUMN);
    let mut out = String::from("Findings by file:\n");
    for (path, (_, (n, mut codes))) in paths.iter().zip(rows) {
        codes.sort_unstable();
        out.push_str(&format!(
            "{n:>width$}  {path:<path_width$}  {}\n",
            codes.join(", ")
        ));
    }
    out
}

/// `--statistics`: both tables, then (unless `quiet`) the skipped files, the baseline notes
/// when `notes` (not when they went to standard error already), and the summary line.
pub fn render(outcome: &Outcome, quiet: bool, notes: bool) -> String {
    let mut out = String::new();
    if !outcome.findings.is_empty() {
        out.push_str(&by_rule(outcome));
        out.push('\n');
        out.push_str(&by_file(outcome));
        out.push('\n');
    }
    if !quiet {
        out.push_str(&super::footer(outcome, notes));
    }
    out
}
