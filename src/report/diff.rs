//! `check --diff`: what `--fix` would change, as a unified diff (three lines of context).
//!
//! Both texts come masked ([`super::redact::masked_edit`]), so a line a fix touches shows no
//! secret beside the value it changes (a connection string's password).
//! Lines are shown without their line end; control characters are escaped.

use super::terminal;

const CONTEXT: usize = 3;

/// The unified diff of one file, empty when nothing changes (`before` and `after` already
/// masked).
pub fn unified(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    // A byte order mark is not shown (editors do not show it either).
    // A byte order mark stays on the first line, as `patch` must find it there.
    let a: Vec<&str> = before.split_inclusive('\n').collect();
    let b: Vec<&str> = after.split_inclusive('\n').collect();
    // Fixes replace values within lines: the lines that differ, in order. Should the line
    // counts differ, the changed block runs from the first to the last differing line.
    let changed = blocks(&a, &b);
    if changed.is_empty() {
        return String::new();
    }
    let shown = terminal::line(path).into_owned();
    // A name with a space ends with a tab, as git writes it: GNU `patch` reads the name up to
    // the first blank otherwise (`git apply` reads both).
    let end = if shown.contains(' ') { "\t" } else { "" };
    let mut out = format!("--- a/{shown}{end}\n+++ b/{shown}{end}\n");
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
    // A line as `patch` reads it: its text made safe for a terminal, its CRLF kept (a `\r`
    // before the line end moves nothing), and the marker after a last line without a line end.
    let line = |prefix: char, s: &str| {
        let (s, newline) = match s.strip_suffix('\n') {
            Some(s) => (s, true),
            None => (s, false),
        };
        let (s, cr) = match s.strip_suffix('\r') {
            Some(s) if newline => (s, "\r"),
            _ => (s, ""),
        };
        let (bom, s) = match s.strip_prefix('\u{feff}') {
            Some(rest) => ("\u{feff}", rest),
            None => ("", s),
        };
        let mut out = format!("{prefix}{bom}{}{cr}\n", terminal::line(s));
        if !newline {
            out.push_str("\\ No newline at end of file\n");
        }
        out
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
                out.push_str(&line(' ', l));
            }
            for l in a.get(a0..a1).unwrap_or(&[]) {
                out.push_str(&line('-', l));
            }
            for l in b.get(b0..b1).unwrap_or(&[]) {
                out.push_str(&line('+', l));
            }
            at = a1;
        }
        for l in a.get(at..a_end).unwrap_or(&[]) {
            out.push_str(&line(' ', l));
        }
    }
    out
}

/// The changed blocks `(a_start, a_end, b_start, b_end)`, in order. Fixes change lines in
/// place or insert a few: a line that differs is matched again within a few lines ahead on
/// either side (an insertion or a deletion), otherwise it is a changed line.
fn blocks(a: &[&str], b: &[&str]) -> Vec<(usize, usize, usize, usize)> {
    const LOOKAHEAD: usize = 8;
    let mut out: Vec<(usize, usize, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut push = |a0: usize, a1: usize, b0: usize, b1: usize| match out.last_mut() {
        Some(last) if last.1 == a0 && last.3 == b0 => {
            last.1 = a1;
            last.3 = b1;
        }
        _ => out.push((a0, a1, b0, b1)),
    };
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a.get(i) == b.get(j) {
            i += 1;
            j += 1;
            continue;
        }
        // A line changed in place: the next lines agree again.
        if i < a.len() && j < b.len() && a.get(i + 1) == b.get(j + 1) {
            push(i, i + 1, j, j + 1);
            i += 1;
            j += 1;
            continue;
        }
        // Lines inserted in `b` before a[i], or deleted from `a` before b[j].
        let inserted = (1..=LOOKAHEAD).find(|k| i < a.len() && b.get(j + k) == a.get(i));
        let deleted = (1..=LOOKAHEAD).find(|k| j < b.len() && a.get(i + k) == b.get(j));
        match (inserted, deleted) {
            (Some(k), d) if d.is_none_or(|d| k <= d) => {
                push(i, i, j, j + k);
                j += k;
            }
            (_, Some(k)) => {
                push(i, i + k, j, j);
                i += k;
            }
            _ => {
                let (a1, b1) = ((i + 1).min(a.len()), (j + 1).min(b.len()));
                push(i, a1, j, b1);
                (i, j) = (a1, b1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn a_name_with_a_space_ends_with_a_tab() {
        let diff = unified("sp ace/d d.json", "a\n", "b\n");
        assert!(
            diff.starts_with("--- a/sp ace/d d.json\t\n+++ b/sp ace/d d.json\t\n@@ -1,1 +1,1 @@\n"),
            "{diff}"
        );
    }

    #[test]
    fn hunks_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nuri: mongodb+srv://u:hunter2@x.mongodb.net/?authMechanism=SCRAM-SHA-1\n";
        let after = before.replace("b\n", "B\n").replace("SHA-1\n", "SHA-256\n");
        let diff = unified("dir/f.yaml", before, after.as_str());
        assert!(
            diff.starts_with(
                "--- a/dir/f.yaml\n+++ b/dir/f.yaml\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n"
            ),
            "{diff}"
        );
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert_eq!(unified("f", "x\n", "x\n"), "");
    }

    #[test]
    fn line_ends_are_shown_as_patch_reads_them() {
        // CRLF kept; a last line without a line end marked.
        assert_eq!(
            unified("c.yaml", "a: 1\r\nb: x\r\n", "a: 1\r\nb: y\r\n"),
            "--- a/c.yaml\n+++ b/c.yaml\n@@ -1,2 +1,2 @@\n a: 1\r\n-b: x\r\n+b: y\r\n"
        );
        assert_eq!(
            unified("b.yaml", "\u{feff}u: 1\n", "\u{feff}u: 2\n"),
            "--- a/b.yaml\n+++ b/b.yaml\n@@ -1,1 +1,1 @@\n-\u{feff}u: 1\n+\u{feff}u: 2\n"
        );
        assert_eq!(
            unified("t.json", "{\"u\": 1}", "{\"u\": 2}"),
            "--- a/t.json\n+++ b/t.json\n@@ -1,1 +1,1 @@\n-{\"u\": 1}\n\\ No newline at end of file\n+{\"u\": 2}\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn an_inserted_line_is_one_added_line() {
        let before = "provider \"mongodbatlas\" {\n  client_id = \"x\"\n}\n";
        let after = before.replace("{\n", "{\n  is_mongodbgov_cloud = true\n");
        assert_eq!(
            unified("p.tf", before, &after),
            "--- a/p.tf\n+++ b/p.tf\n@@ -1,3 +1,4 @@\n provider \"mongodbatlas\" {\n+  is_mongodbgov_cloud = true\n   client_id = \"x\"\n }\n"
        );
    }
}
