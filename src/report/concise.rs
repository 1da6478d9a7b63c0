//! `--format concise`: one line per finding, the form `grep`, compilers and editors' problem
//! matchers read:
//!
//! ```text
//! infra/clusters/orders.json:12:25: GOV001 azure-provider: cloud provider `AZURE` is not available in AtlasGov
//! ```
//!
//! then (unless `--quiet`) the skipped files and the summary line of the human report. A line
//! never breaks: control characters in a path or a message are written as escapes
//! ([`super::terminal::line`]).

use super::terminal::line;
use crate::outcome::Outcome;
use crate::paths::display_path;

/// One line per finding; with `summary`, the skipped files and the summary line after them
/// (the baseline notes go to standard error with every format but human).
pub fn render(outcome: &Outcome, summary: bool) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}: {}\n",
            line(&display_path(outcome.path(f.loc.file))),
            f.loc.start.line,
            f.loc.start.column,
            f.rule.code,
            f.rule.name,
            line(&f.message)
        ));
    }
    if summary {
        out.push_str(&super::footer(outcome, false));
    }
    out
}
