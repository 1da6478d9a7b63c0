//! Reporters: findings in, text out. Reporters know nothing about formats or rules' logic,
//! and decide nothing: levels, suppressions and the baseline were applied before
//! ([`crate::filter`]).

pub mod concise;
pub mod diff;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod pretty;
pub mod sarif;
pub mod statistics;

use crate::model::Loc;
use crate::outcome::Outcome;
use crate::paths::display_path;
use crate::rules::Finding;

pub mod redact;
pub mod terminal;
use crate::rules::RuleMeta;

/// The project's home, for links to rule documentation.
pub const HOME: &str = "https://github.com/atlasgov-lint/atlasgov-lint";

/// Where a rule's documentation (what `atlasgov-lint explain CODE` prints) is published.
pub fn rule_doc_url(rule: &RuleMeta) -> String {
    if let Some(url) = crate::rules::custom::url(rule.code) {
        return url.to_string();
    }
    format!("{HOME}/blob/main/rules/{}-{}.md", rule.code, rule.name)
}

/// Every rule a report can mention: the AtlasGov rules, the suppression diagnostics, then
/// the policies' rules.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    crate::rules::every().map(|r| &r.meta)
}

/// The end of a text report: the skipped files, the baseline notes (with `notes`), and the
/// summary line.
pub fn footer(outcome: &Outcome, notes: bool) -> String {
    let mut out = String::new();
    for s in &outcome.skipped {
        out.push_str(&format!(
            "note: skipped {}: {}\n",
            terminal::line(&display_path(&s.path)),
            terminal::line(&s.reason)
        ));
    }
    if notes {
        for note in human::notes(outcome) {
            out.push_str(&format!("note: {}\n", terminal::line(&note)));
        }
    }
    out.push_str(&human::summary(outcome));
    out.push('\n');
    out
}

/// Where a one-location report (a GitHub or GitLab annotation on a diff) places a finding:
/// where the offending value was written, the line a change introduced it on (a tfvars value,
/// a variable default, a module call's argument), and a note naming the other place (the
/// use, its path from the checkout's root as the annotation's). Without an indirection, the
/// finding's own place and no note.
pub fn annotation_place<'f>(outcome: &Outcome, f: &'f Finding) -> (&'f Loc, Option<String>) {
    match f.written() {
        Some(written) => (
            written,
            Some(format!(
                "used at {}",
                place(outcome, f.identity(), repository_path)
            )),
        ),
        None => (&f.loc, None),
    }
}

/// The other place of a finding reported at one (see [`crate::rules::Finding::written`]), as
/// a note: "value set at PATH:LINE:COL" or "value used at PATH:LINE:COL".
pub fn other_place(outcome: &Outcome, f: &Finding) -> Option<String> {
    match (&f.used_at, f.loc.via.as_deref()) {
        (Some(used), _) => Some(format!(
            "value used at {}",
            place(outcome, used, display_path)
        )),
        (None, Some(written)) => Some(format!(
            "value set at {}",
            place(outcome, written, display_path)
        )),
        (None, None) => None,
    }
}

/// `PATH:LINE:COLUMN` of a location, its file named by `path` ([`display_path`], or
/// [`repository_path`] for the CI formats).
fn place(outcome: &Outcome, loc: &Loc, path: fn(&std::path::Path) -> String) -> String {
    format!(
        "{}:{}:{}",
        path(outcome.path(loc.file)),
        loc.start.line,
        loc.start.column
    )
}

/// A file's path as the CI formats (SARIF, GitHub, GitLab) name it: from the root of the
/// checkout ([`crate::paths::repository_path`]); standard input without a file name is
/// `<stdin>` wherever the run starts.
pub fn repository_path(path: &std::path::Path) -> String {
    if path.as_os_str() == crate::outcome::Buffer::STDIN_NAME {
        return display_path(path);
    }
    crate::paths::repository_path(path)
}

/// Fingerprints of the remaining findings, computed with their paths in the repository (what
/// SARIF and GitLab show: [`repository_path`]), in `outcome.findings` order.
pub fn fingerprints(outcome: &Outcome) -> Vec<String> {
    crate::outcome::fingerprint::fingerprints(outcome, &outcome.findings, |file| {
        repository_path(outcome.path(file))
    })
}

/// `f` over `items` in chunks of `chunk`, with each chunk's index, in order: on every thread
/// of the run when there is more than one chunk (a report of thousands of findings), else on
/// the calling thread.
pub(crate) fn parts<I: Sync, O: Send>(
    items: &[I],
    chunk: usize,
    f: impl Fn(usize, &[I]) -> O + Sync,
) -> Vec<O> {
    use rayon::prelude::*;
    let chunk = chunk.max(1);
    if items.len() <= chunk {
        return vec![f(0, items)];
    }
    items
        .par_chunks(chunk)
        .enumerate()
        .map(|(k, c)| f(k, c))
        .collect()
}

/// The 1-based lines and character columns of fix edits, each file's line index built once
/// per report (a file with thousands of fixable findings is not indexed once per edit), by
/// whichever thread writes a finding first.
pub struct EditLines<'o> {
    outcome: &'o Outcome,
    indexes: std::sync::Mutex<foldhash::HashMap<u32, std::sync::Arc<crate::document::LineIndex>>>,
}

impl<'o> EditLines<'o> {
    pub fn new(outcome: &'o Outcome) -> Self {
        EditLines {
            outcome,
            indexes: Default::default(),
        }
    }

    /// Both ends of an edit (the end exclusive).
    pub fn range(
        &self,
        e: &crate::fix::TextEdit,
    ) -> (crate::document::LineCol, crate::document::LineCol) {
        let text = self.outcome.text(e.file).unwrap_or("");
        let index = std::sync::Arc::clone(
            self.indexes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(e.file)
                .or_insert_with(|| std::sync::Arc::new(crate::document::LineIndex::new(text))),
        );
        (
            index.line_col(text, e.span.start),
            index.line_col(text, e.span.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn parts_keep_the_items_order_and_number_their_chunks() {
        for n in [0, 1, 7, 8, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let out = parts(&items, 8, |k, chunk| (k, chunk.to_vec()));
            let ks: Vec<usize> = out.iter().map(|(k, _)| *k).collect();
            assert_eq!(ks, (0..out.len()).collect::<Vec<_>>(), "{n} items");
            let back: Vec<usize> = out.into_iter().flat_map(|(_, c)| c).collect();
            assert_eq!(back, items);
        }
    }
}
