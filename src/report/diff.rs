//! `check --diff`: what `--fix` would change, as a unified diff (three lines of context).
//!
//! Both texts are redacted first ([`super::redact::redact`] works line by line), so a line a
//! fix touches shows no secret beside the value it changes (a connection string's password).
//! Lines are shown without their line end; control characters are escaped.

use super::redact::redact;
use super::terminal;

const CONTEXT: usize = 3;

/// The unified diff of one file, empty when nothing changes.
pub fn unified(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    // A byte order mark is not shown (editors do not show it either).
    let strip = |t: &str| redact(t.strip_prefix('\u{feff}').unwrap_or(t));
    let (old, new) = (strip(before), strip(after));
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // Fixes replace values within lines: the lines that differ, in order. Should the line
    // counts differ, the changed block runs from the first to the last differing line.
    let changed: Vec<(usize, usize, usize, usize)> = if a.len() == b.len() {
        let mut blocks: Vec<(usize, usize, usize, usize)> = Vec::new();
        for i in (0..a.len()).filter(|&i| a.get(i) != b.get(i)) {
            match blocks.last_mut() {
                Some(last) if last.1 == i => {
                    last.1 = i + 1;
                    last.3 = i + 1;
                }
                _ => blocks.push((i, i + 1, i, i + 1)),
            }
        }
        blocks
    } else {
        let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
            .min(a.len().min(b.len()) - prefix);
        vec![(prefix, a.len() - suffix, prefix, b.len() - suffix)]
    };
    if changed.is_empty() {
        return String::new();
    }
    let shown = terminal::line(path).into_owned();
    let mut out = format!("--- a/{shown}\n+++ b/{shown}\n");
    // Blocks whose contexts touch make one hunk.
    let mut hunks: Vec<Vec<(usize, usize, usize, usize)>> = Vec::new();
    for block in changed {
        match hunks
            .last_mut()
            .and_then(|h| h.last().copied().map(|l| (h, l)))
        {
            Some((hunk, last)) if block.0 <= last.1 + 2 * CONTEXT => hunk.push(block),
            _ => hunks.push(vec![block]),
        }
    }
    let line = |s: &str| {
        let s = s.strip_suffix('\n').unwrap_or(s);
        terminal::line(s.strip_suffix('\r').unwrap_or(s)).into_owned()
    };
    for hunk in hunks {
        let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
            continue;
        };
        let a_start = first.0.saturating_sub(CONTEXT);
        let b_start = first.2.saturating_sub(CONTEXT);
        let a_end = (last.1 + CONTEXT).min(a.len());
        let b_end = (last.3 + CONTEXT).min(b.len());
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            a_start + 1,
            a_end - a_start,
            b_start + 1,
            b_end - b_start
        ));
        let mut at = a_start;
        for &(a0, a1, b0, b1) in &hunk {
            for l in a.get(at..a0).unwrap_or(&[]) {
                out.push_str(&format!(" {}\n", line(l)));
            }
            for l in a.get(a0..a1).unwrap_or(&[]) {
                out.push_str(&format!("-{}\n", line(l)));
            }
            for l in b.get(b0..b1).unwrap_or(&[]) {
                out.push_str(&format!("+{}\n", line(l)));
            }
            at = a1;
        }
        for l in a.get(at..a_end).unwrap_or(&[]) {
            out.push_str(&format!(" {}\n", line(l)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn hunks_with_context_and_no_secrets() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nuri: mongodb+srv://u:hunter2@x.mongodb.net/?authMechanism=SCRAM-SHA-1\n";
        let after = before.replace("b\n", "B\n").replace("SHA-1\n", "SHA-256\n");
        let diff = unified("dir/f.yaml", before, after.as_str());
        assert!(!diff.contains("hunter2"), "{diff}");
        assert!(
            diff.starts_with(
                "--- a/dir/f.yaml\n+++ b/dir/f.yaml\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n"
            ),
            "{diff}"
        );
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert_eq!(unified("f", "x\n", "x\n"), "");
    }
}
