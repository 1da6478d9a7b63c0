//! `--format concise`: one line per finding, the form `grep`, compilers and editors' problem
//! matchers read:
//!
//! ```text
//! infra/clusters/orders.json:12:25: GOV001 azure-provider: cloud provider `AZURE` is not available in AtlasGov
//! ```
//!
//! then (unless `--quiet`) the skipped files and the summary line of the human report. A line
//! never breaks: control characters in a path or a message are written as escapes.

use std::borrow::Cow;

use crate::outcome::Outcome;
use crate::paths::display_path;

/// One line per finding; with `summary`, the skipped files and the summary line after them
/// (the baseline notes go to standard error with every format but human).
pub fn render(outcome: &Outcome, summary: bool) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}: {}\n",
            one_line(&display_path(outcome.path(f.loc.file))),
            f.loc.start.line,
            f.loc.start.column,
            f.rule.code,
            f.rule.name,
            one_line(&f.message)
        ));
    }
    if summary {
        out.push_str(&super::footer(outcome, false));
    }
    out
}

/// `text` with control characters (and the bidirectional overrides that reorder what a
/// terminal shows) written as Rust escapes, so one finding stays one honest line.
pub fn one_line(text: &str) -> Cow<'_, str> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if hidden(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("plain `x`"), "plain `x`");
        assert_eq!(one_line("a\nb\r\u{1b}[31m"), "a\\nb\\r\\u{1b}[31m");
        assert_eq!(one_line("x\u{202e}y"), "x\\u{202e}y");
    }
}
