//! `check --fix` and `check --diff`: the fixes of a check's findings, written or shown.
//!
//! `--fix` applies the fixes of the reported findings (suppressed and baselined ones are not
//! among them), checks again, and repeats while something changes: a fix whose edits overlap
//! another's waits for the next pass; at most [`MAX_PASSES`] passes. Each file is replaced
//! atomically ([`crate::source::write::replace`]); a file that changed since it was read is
//! left alone with a note. `--diff` shows the first pass as a unified diff and writes nothing.

use std::collections::BTreeSet;

use crate::fix::{self, Plan};
use crate::lint::{Inputs, Settings, lint};
use crate::outcome::{Buffer, Outcome};
use crate::paths::display_path;
use crate::report;
use crate::rules::fix::Applicability;
use crate::source::write;

/// The most passes `--fix` makes.
pub const MAX_PASSES: usize = 8;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings fixed (over all passes).
    pub fixed: usize,
    pub files: BTreeSet<String>,
    pub passes: usize,
    /// Files left alone, and why.
    pub notes: Vec<String>,
}

/// The highest applicability the flags apply.
pub fn max(unsafe_fixes: bool) -> Applicability {
    if unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

/// The edited text of each file the first pass edits: (file id, before, after).
fn edited<'o>(outcome: &'o Outcome, plan: &Plan) -> Vec<(u32, &'o str, String)> {
    plan.edits
        .iter()
        .filter_map(|(&file, edits)| {
            let before = fix::editable(outcome, file)?;
            Some((file, before, fix::apply(before, edits)))
        })
        .filter(|(_, before, after)| before != after)
        .collect()
}

/// `--diff`: the unified diff of every file the fixes would change (empty: nothing to fix),
/// secrets masked on both sides.
pub fn diff(outcome: &Outcome, max: Applicability) -> String {
    let plan = fix::plan(outcome, max);
    plan.edits
        .iter()
        .filter(|(file, _)| fix::editable(outcome, **file).is_some())
        .filter_map(|(&file, edits)| {
            let (before, after) = report::redact::masked_edit(outcome, file, edits)?;
            Some(report::diff::unified(
                &display_path(outcome.path(file)),
                &before,
                &after,
            ))
        })
        .collect()
}

/// `--fix`: apply the fixes, check again, until nothing changes (or [`MAX_PASSES`]); the
/// outcome of the last check replaces `outcome`.
pub fn apply(
    outcome: &mut Outcome,
    inputs: &Inputs,
    buffers: &[Buffer],
    settings: &Settings,
    max: Applicability,
) -> Applied {
    let mut applied = Applied::default();
    let mut refused: BTreeSet<u32> = BTreeSet::new();
    while applied.passes < MAX_PASSES {
        let mut plan = fix::plan(outcome, max);
        // Standard input is not a file to rewrite, and a file refused once stays refused.
        plan.edits
            .retain(|file, _| !outcome.buffers.contains(file) && !refused.contains(file));
        let changes = edited(outcome, &plan);
        if changes.is_empty() {
            break;
        }
        applied.passes += 1;
        let mut written: BTreeSet<u32> = BTreeSet::new();
        for (file, before, after) in &changes {
            let path = outcome.path(*file);
            match write::replace(path, before, after, settings.options.max_file_size) {
                Ok(()) => {
                    written.insert(*file);
                    applied.files.insert(display_path(path));
                }
                Err(reason) => {
                    refused.insert(*file);
                    applied
                        .notes
                        .push(format!("not fixed: {}: {reason}", display_path(path)));
                }
            }
        }
        if written.is_empty() {
            break;
        }
        applied.fixed += plan
            .fixed
            .iter()
            .filter(|(_, files)| files.iter().all(|f| written.contains(f)))
            .count();
        *outcome = lint(inputs, buffers, settings).outcome;
    }
    applied
}

impl Applied {
    /// The note printed after the report.
    pub fn summary(&self) -> String {
        if self.fixed == 0 {
            return "no fixes applied".to_string();
        }
        format!(
            "fixed {} in {} ({})",
            plural(self.fixed, "finding"),
            plural(self.files.len(), "file"),
            plural(self.passes, "pass").replace("passs", "passes"),
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
