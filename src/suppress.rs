//! Inline suppressions: comments of the form
//!
//! ```text
//! # atlasgov-lint: allow GOV004[, GOV003 ...] [until 2027-03-31] -- reason an auditor can read
//! ```
//!
//! A comment after a value covers its own line; a comment alone on its line covers the next
//! line that is not itself a comment (so several directives can be stacked above one line).
//! Rules may be named by code or name. This module only *reads* directives (in the per-file,
//! parallel stage, from the text, since the parsers drop comments); [`crate::filter`] applies
//! them to findings.

use crate::date::Date;
use crate::document::shell::Dialect;
use crate::document::{Span, Syntax};
use crate::model::{Loc, LocCtx};
use crate::rules;
use crate::rules::RuleMeta;
use crate::source::Comments;

/// The marker that starts a directive inside a comment.
pub const MARKER: &str = "atlasgov-lint:";

/// The reason the editor's quick fixes write for the user to replace (a suppression comment,
/// a config exception): while it stands, the suppression gives no reason and is not applied.
pub const PLACEHOLDER_REASON: &str = "REASON: why this is accepted";

/// Whether a reason is still the editor's placeholder ([`PLACEHOLDER_REASON`]).
pub fn is_placeholder(reason: &str) -> bool {
    reason.contains("why this is accepted")
}

/// One rule named by a directive.
#[derive(Debug, Clone)]
pub struct Named {
    /// As written.
    pub token: String,
    pub loc: Loc,
    /// `None`: no such rule.
    pub rule: Option<&'static RuleMeta>,
}

/// A parsed `atlasgov-lint:` comment.
#[derive(Debug, Clone)]
pub struct Directive {
    /// From the marker to the end of the comment.
    pub loc: Loc,
    /// The 1-based line whose findings it covers.
    pub target_line: u32,
    /// The last line it covers: `target_line`, or the last line of a command that a trailing
    /// backslash continues from `target_line` onto the lines below (a shell command, a
    /// Makefile recipe, a Dockerfile `RUN`): a comment cannot go between those lines.
    pub target_end: u32,
    pub rules: Vec<Named>,
    /// The date as written and where; `value` is `None` when it is not a real date.
    pub until: Option<(Option<Date>, Loc)>,
    pub reason: Option<String>,
    /// Why the directive cannot be read at all (it is then not applied).
    pub syntax_error: Option<String>,
    /// The comment as written, from its `#` or `//` (for help that completes it).
    pub comment: String,
}

/// Find every directive in a file's text.
pub fn scan(ctx: &LocCtx<'_>, comments: Comments) -> Vec<Directive> {
    let mut out = Vec::new();
    let text = ctx.text;
    let len = text.len();
    // Work is linear in the text: one directive per line at most (a second marker is inside
    // the first one's comment), line bounds from the line index, and the line each
    // stand-alone directive covers from one backward pass.
    let mut last_line = 0;
    let mut next_code: Option<Vec<u32>> = None;
    // Whether (and how) a backslash continues a command in this file, found once.
    let mut shell: Option<Option<Dialect>> = None;
    for pos in memchr::memmem::find_iter(text.as_bytes(), MARKER.as_bytes()) {
        let line = ctx
            .index
            .line_col(text, u32::try_from(pos).unwrap_or(u32::MAX))
            .line;
        if line == last_line {
            continue;
        }
        last_line = line;
        let line_start = ctx.index.line_start(line).map_or(0, |s| s as usize);
        let line_end = ctx
            .index
            .line_start(line + 1)
            .map_or(len, |s| (s as usize).saturating_sub(1));
        let Some(before) = text.get(line_start..pos) else {
            continue;
        };
        let Some(comment_start) = comment_start(before, comments) else {
            continue;
        };
        let mut standalone = before
            .get(..comment_start)
            .is_some_and(|s| s.bytes().all(|b| b.is_ascii_whitespace()));
        let body_start = pos + MARKER.len();
        let mut body_end = line_end.max(body_start);
        if text.get(..body_end).is_some_and(|t| t.ends_with('\r')) {
            body_end -= 1;
        }
        // A block comment's end is not part of the directive.
        let block = before
            .get(comment_start..)
            .is_some_and(|c| c.trim_start().starts_with("/*"));
        if block {
            let body = text.get(body_start..body_end).unwrap_or("");
            if let Some(close) = body.find("*/") {
                // Code after the comment on its line: the directive is that line's.
                if !body.get(close + 2..).unwrap_or("").trim().is_empty() {
                    standalone = false;
                }
                body_end = body_start + close;
            }
        }
        let target_line = if standalone {
            let table = next_code.get_or_insert_with(|| next_code_lines(text, ctx.index, comments));
            table.get(line as usize).copied().unwrap_or(line + 1)
        } else {
            line
        };
        let loc = ctx.loc_of(Span::new(line_start + comment_start, body_end), "");
        let mut d = parse_body(ctx, body_start, body_end, loc, target_line);
        let dialect = *shell.get_or_insert_with(|| {
            continuation_dialect(crate::source::kind_for(ctx.path, ctx.text).syntax)
        });
        d.target_end = dialect.map_or(target_line, |d| continued_to(ctx, d, target_line));
        out.push(d);
    }
    out
}

/// Where the comment holding the marker starts in `before` (the line up to the marker), if the
/// marker is the first thing in a comment.
fn comment_start(before: &str, comments: Comments) -> Option<usize> {
    let head = before.trim_end();
    let start = match head.strip_suffix('#') {
        Some(h) if comments != Comments::Slashes => h.len(),
        _ if matches!(comments, Comments::HashAndSlashes | Comments::Slashes) => head
            .strip_suffix("//")
            // A block comment (`/* atlasgov-lint: allow ... */`), as HCL and JSON with
            // comments have.
            .or_else(|| head.strip_suffix("/*"))
            // A line inside a block comment (` * atlasgov-lint: ...`).
            .or_else(|| head.strip_suffix('*').filter(|h| h.trim().is_empty()))?
            .len(),
        _ => return None,
    };
    let code = before.get(..start)?;
    // Not inside a double-quoted string (`"see // atlasgov-lint: ..."` is a value).
    if matches!(comments, Comments::HashAndSlashes | Comments::Slashes) && in_string(code) {
        return None;
    }
    // In JSON a comment may follow a comma or a brace directly.
    if comments == Comments::Slashes {
        return Some(start);
    }
    // A `#` starts a comment only at the start of a line or after whitespace.
    let prev = code.chars().next_back();
    (prev.is_none() || prev.is_some_and(char::is_whitespace)).then_some(start)
}

/// Whether the end of `line` is inside a double-quoted string (an odd number of unescaped
/// `"` before it).
fn in_string(line: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for b in line.bytes() {
        match b {
            b'\\' if inside => escaped = !escaped,
            b'"' if !escaped => inside = !inside,
            _ => escaped = false,
        }
        if b != b'\\' {
            escaped = false;
        }
    }
    inside
}

/// For every 1-based line `n` (index `n`), the first line after it that is not a comment-only
/// line: the line a stand-alone directive on line `n` covers.
fn next_code_lines(text: &str, index: &crate::document::LineIndex, comments: Comments) -> Vec<u32> {
    // Lines as the line index counts them (a carriage return alone ends one too).
    let is_comment: Vec<bool> = (1..=u32::try_from(index.line_count()).unwrap_or(u32::MAX))
        .map(|n| {
            let start = index.line_start(n).map_or(text.len(), |s| s as usize);
            let end = index.line_start(n + 1).map_or(text.len(), |s| s as usize);
            let t = text.get(start..end).unwrap_or("").trim_start();
            match comments {
                Comments::Hash => t.starts_with('#'),
                Comments::HashAndSlashes => {
                    t.starts_with('#') || t.starts_with("//") || only_block_comment(t)
                }
                Comments::Slashes => t.starts_with("//") || only_block_comment(t),
            }
        })
        .collect();
    let n = is_comment.len();
    let mut next = vec![0u32; n + 2];
    // Past the last line: the line after it.
    let mut code = u32::try_from(n + 1).unwrap_or(u32::MAX);
    for line in (1..=n).rev() {
        if let Some(slot) = next.get_mut(line) {
            *slot = code;
        }
        if !is_comment.get(line - 1).copied().unwrap_or(false) {
            code = u32::try_from(line).unwrap_or(u32::MAX);
        }
    }
    next
}

/// Whether a line (its leading blanks trimmed) is a block comment's alone (`/* ... */`, a
/// ` * ...` line inside one, its ` */`), not a comment before code (`/* note */ x = 1`), which
/// no HCL or JSON code line starts with.
fn only_block_comment(line: &str) -> bool {
    if !(line.starts_with("/*") || line.starts_with('*')) {
        return false;
    }
    let after_open = line.strip_prefix("/*").unwrap_or(line);
    after_open
        .find("*/")
        .is_none_or(|end| after_open.get(end + 2..).unwrap_or("").trim().is_empty())
}

/// Longest command a directive covers, in lines.
const MAX_CONTINUED: u32 = 200;

/// The dialect of a file whose commands a trailing backslash continues: a script, a Makefile,
/// a Dockerfile; `None` for YAML, HCL or an environment file, where a backslash continues
/// nothing (a CI step's script is a YAML value: there a directive covers one line).
pub fn continuation_dialect(syntax: Syntax) -> Option<Dialect> {
    match syntax {
        Syntax::Shell(d) if !d.is_settings() => Some(d),
        _ => None,
    }
}

/// The last line of the command that starts on `line`: while a line ends with a backslash
/// that escapes its line end ([`continues`]), the next line continues it; in a Dockerfile,
/// comment lines inside a continued instruction are skipped, as Docker removes them.
fn continued_to(ctx: &LocCtx<'_>, dialect: Dialect, line: u32) -> u32 {
    let text_of = |l: u32| -> Option<&str> {
        let start = ctx.index.line_start(l)? as usize;
        let end = ctx
            .index
            .line_start(l + 1)
            .map_or(ctx.text.len(), |e| e as usize);
        Some(
            ctx.text
                .get(start..end)
                .unwrap_or("")
                .trim_end_matches(['\n', '\r']),
        )
    };
    let mut last = line;
    let mut at = line;
    while at < line.saturating_add(MAX_CONTINUED) {
        let Some(text) = text_of(at) else { break };
        if !continues(text) {
            break;
        }
        // The next line that is not a comment (Docker drops those inside an instruction).
        let mut next = at + 1;
        while dialect == Dialect::Docker
            && text_of(next).is_some_and(|t| t.trim_start().starts_with('#'))
            && next < line.saturating_add(MAX_CONTINUED)
        {
            next += 1;
        }
        if text_of(next).is_none() {
            break;
        }
        last = next;
        at = next;
    }
    last
}

/// The start of the first line of the command that holds the line starting at byte
/// `line_start`: up the lines a backslash continues ([`continued_to`] read backwards), where a
/// directive covering the whole command goes.
pub fn command_start(text: &str, line_start: usize, dialect: Dialect) -> usize {
    let line_before = |start: usize| -> Option<(usize, &str)> {
        let end = start.checked_sub(1)?;
        let before = text.get(..end)?;
        let prev = before.rfind('\n').map_or(0, |n| n + 1);
        Some((prev, before.get(prev..)?.trim_end_matches('\r')))
    };
    let (mut start, mut probe) = (line_start, line_start);
    for _ in 0..MAX_CONTINUED {
        let Some((prev, line)) = line_before(probe) else {
            break;
        };
        probe = prev;
        if dialect == Dialect::Docker && line.trim_start().starts_with('#') {
            continue;
        }
        if !continues(line) {
            break;
        }
        start = prev;
    }
    start
}

/// Whether a shell line ends with a backslash that continues it: an odd run of backslashes
/// at its end, outside quotes and outside a comment.
pub fn continues(line: &str) -> bool {
    let trailing = line.bytes().rev().take_while(|b| *b == b'\\').count();
    if trailing % 2 == 0 {
        return false;
    }
    // A `#` that starts a word outside quotes starts a comment: nothing after it continues.
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut prev: Option<u8> = None;
    for b in line.bytes() {
        if escaped {
            escaped = false;
        } else if b == b'\\' && !single {
            escaped = true;
        } else if b == b'\'' && !double {
            single = !single;
        } else if b == b'"' && !single {
            double = !double;
        } else if b == b'#' && !single && !double && prev.is_none_or(|p| p == b' ' || p == b'\t') {
            return false;
        }
        prev = Some(b);
    }
    !single
}

fn parse_body(ctx: &LocCtx<'_>, start: usize, end: usize, loc: Loc, target_line: u32) -> Directive {
    let comment = ctx
        .text
        .get(loc.span.start as usize..loc.span.end as usize)
        .unwrap_or("")
        .to_string();
    let mut d = Directive {
        loc,
        target_line,
        target_end: target_line,
        rules: Vec::new(),
        until: None,
        reason: None,
        syntax_error: None,
        comment,
    };
    let body = ctx.text.get(start..end).unwrap_or("");
    let (head, reason) = match body.find("--") {
        Some(i) => (
            body.get(..i).unwrap_or(""),
            Some(body.get(i + 2..).unwrap_or("").trim()),
        ),
        None => (body, None),
    };
    d.reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
    // Tokens of the head with their byte offsets in the text.
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut tok_start = None;
    for (i, c) in head
        .char_indices()
        .chain(std::iter::once((head.len(), ' ')))
    {
        if c.is_whitespace() || c == ',' {
            if let Some(s) = tok_start.take() {
                tokens.push((start + s, head.get(s..i).unwrap_or("")));
            }
        } else if tok_start.is_none() {
            tok_start = Some(i);
        }
    }
    let loc_of = |offset: usize, tok: &str| ctx.loc_of(Span::new(offset, offset + tok.len()), "");
    let mut iter = tokens.into_iter();
    match iter.next() {
        Some((_, "allow")) => {}
        Some((_, other)) => {
            d.syntax_error = Some(format!(
                "`{other}` is not a directive; write `atlasgov-lint: allow CODE -- reason`"
            ));
            return d;
        }
        None => {
            d.syntax_error =
                Some("empty directive; write `atlasgov-lint: allow CODE -- reason`".to_string());
            return d;
        }
    }
    while let Some((offset, tok)) = iter.next() {
        if tok == "until" {
            match iter.next() {
                Some((o, date)) => d.until = Some((Date::parse(date), loc_of(o, date))),
                None => {
                    d.syntax_error =
                        Some("`until` needs a date, e.g. `until 2027-03-31`".to_string());
                    return d;
                }
            }
            continue;
        }
        if d.until.is_some() {
            d.syntax_error = Some(format!(
                "unexpected `{tok}` after the date; the reason goes after ` -- `"
            ));
            return d;
        }
        d.rules.push(Named {
            token: tok.to_string(),
            loc: loc_of(offset, tok),
            rule: rules::find(tok).map(|r| &r.meta),
        });
    }
    if d.rules.is_empty() {
        d.syntax_error = Some("`allow` names no rule; write `allow GOV004 -- reason`".to_string());
    }
    if let Some((None, _)) = &d.until {
        let written = ctx
            .text
            .get(
                d.until
                    .as_ref()
                    .map_or(0..0, |(_, l)| l.span.start as usize..l.span.end as usize),
            )
            .unwrap_or("");
        d.syntax_error = Some(format!(
            "`{written}` is not a date; write it as YYYY-MM-DD (e.g. 2027-03-31)"
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::LineIndex;

    fn scan_text(text: &str, comments: Comments) -> Vec<Directive> {
        scan_file("t.yaml", text, comments)
    }

    fn scan_file(path: &str, text: &str, comments: Comments) -> Vec<Directive> {
        let index = LineIndex::new(text);
        let ctx = LocCtx::new(0, std::path::Path::new(path), text, &index);
        scan(&ctx, comments)
    }

    fn span_text<'a>(text: &'a str, loc: &Loc) -> &'a str {
        text.get(loc.span.start as usize..loc.span.end as usize)
            .unwrap_or("")
    }

    #[test]
    fn trailing_and_standalone_directives() {
        let text = "a: 1\n# atlasgov-lint: allow GOV004, region-not-in-atlasgov until 2027-03-31 -- DR approved (SEC-1)\n# another comment\nregionName: X # atlasgov-lint: allow GOV003 -- reason\n";
        let d = scan_text(text, Comments::Hash);
        assert_eq!(d.len(), 2);
        let first = d.first().unwrap_or_else(|| panic!());
        assert_eq!(first.target_line, 4);
        assert_eq!(first.rules.len(), 2);
        assert_eq!(
            first.rules.get(1).and_then(|r| r.rule).map(|r| r.code),
            Some("GOV003")
        );
        assert_eq!(
            span_text(text, &first.rules.first().unwrap_or_else(|| panic!()).loc),
            "GOV004"
        );
        assert_eq!(
            first
                .until
                .as_ref()
                .and_then(|u| u.0)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2027-03-31")
        );
        assert_eq!(first.reason.as_deref(), Some("DR approved (SEC-1)"));
        assert!(first.syntax_error.is_none());
        assert!(span_text(text, &first.loc).starts_with("# atlasgov-lint: allow"));
        let second = d.get(1).unwrap_or_else(|| panic!());
        assert_eq!(second.target_line, 4);
        assert_eq!(second.loc.start.column, 15);
    }

    #[test]
    fn problems_are_recorded_not_fatal() {
        let d = scan_text("x: 1 # atlasgov-lint: allow GOV001\n", Comments::Hash);
        assert_eq!(d.first().map(|d| d.reason.is_none()), Some(true));
        let d = scan_text("x: 1 # atlasgov-lint: permit GOV001 -- r\n", Comments::Hash);
        assert!(
            d.first()
                .and_then(|d| d.syntax_error.clone())
                .is_some_and(|e| e.contains("`permit`"))
        );
        let d = scan_text(
            "x: 1 # atlasgov-lint: allow GOV001 until 2027-02-30 -- r\n",
            Comments::Hash,
        );
        assert!(
            d.first()
                .and_then(|d| d.syntax_error.clone())
                .is_some_and(|e| e.contains("`2027-02-30` is not a date"))
        );
        let d = scan_text("x: 1 # atlasgov-lint: allow -- r\n", Comments::Hash);
        assert!(d.first().and_then(|d| d.syntax_error.clone()).is_some());
        let d = scan_text("x: 1 # atlasgov-lint: allow GOV999 -- r\n", Comments::Hash);
        assert!(
            d.first()
                .is_some_and(|d| d.rules.first().is_some_and(|r| r.rule.is_none()))
        );
    }

    #[test]
    fn hostile_input_stays_linear() {
        // Many stacked directives (each would scan to the end of the file if done naively),
        // and one huge line full of markers.
        let stacked = "# atlasgov-lint: allow GOV001 -- r\n".repeat(100_000);
        let d = scan_text(&stacked, Comments::Hash);
        assert_eq!(d.len(), 100_000);
        assert_eq!(d.first().map(|d| d.target_line), Some(100_001));
        let line = "a #atlasgov-lint: ".repeat(200_000);
        let d = scan_text(&line, Comments::Hash);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn a_directive_above_a_continued_command_covers_all_its_lines() {
        let text = "set -e\n# atlasgov-lint: allow GOV002 -- load test\natlas clusters create a \\\n  --tier M10 \\\r\n  --members 3\necho done\n";
        let span = |d: Vec<Directive>| d.first().map(|d| (d.target_line, d.target_end));
        assert_eq!(
            span(scan_file("deploy.sh", text, Comments::Hash)),
            Some((3, 5))
        );
        // A line that is not continued: that line alone.
        let alone = "# atlasgov-lint: allow GOV002 -- x\ntier: M10\n";
        assert_eq!(span(scan_text(alone, Comments::Hash)), Some((2, 2)));
        // Not continued: an escaped backslash, a backslash in a comment; nor in YAML, where a
        // backslash continues nothing.
        for (path, second) in [
            ("a.sh", "echo \"creating\" \\\\\n"),
            ("a.sh", "echo creating # note \\\n"),
            ("dep.yaml", "note: share at \\\\fs01\\atlas\\\n"),
        ] {
            let text = format!("# atlasgov-lint: allow GOV002 -- x\n{second}tier: M10\n");
            assert_eq!(
                span(scan_file(path, &text, Comments::Hash)),
                Some((2, 2)),
                "{text}"
            );
        }
        // A Dockerfile's comment line inside a continued RUN is skipped, as Docker does.
        let docker = "FROM alpine\n# atlasgov-lint: allow GOV002 -- x\nRUN atlas clusters create a \\\n# a comment\n  --tier M10\nRUN echo next\n";
        assert_eq!(
            span(scan_file("Dockerfile", docker, Comments::Hash)),
            Some((3, 5))
        );
    }

    #[test]
    fn block_comments_hold_directives_in_hcl_and_json() {
        let hcl = "/* atlasgov-lint: allow GOV005 -- one line, SEC-2 */\nresource \"a\" \"b\" {}\n/*\n * atlasgov-lint: allow GOV005 -- in a block, SEC-3\n */\nresource \"c\" \"d\" {} /* atlasgov-lint: allow GOV002 -- after code */\n";
        let got: Vec<(u32, Option<String>)> = scan_text(hcl, Comments::HashAndSlashes)
            .iter()
            .map(|d| (d.target_line, d.reason.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, Some("one line, SEC-2".to_string())),
                (6, Some("in a block, SEC-3".to_string())),
                (6, Some("after code".to_string())),
            ]
        );
        // A block comment before code on its line: the directive is that line's; and a
        // directive above a line that starts with a comment before code covers that line.
        let targets = |text: &str, comments| -> Vec<u32> {
            scan_text(text, comments)
                .iter()
                .map(|d| d.target_line)
                .collect()
        };
        assert_eq!(
            targets(
                "/* atlasgov-lint: allow GOV001 -- same line */ provider_name = \"AZURE\"\n# atlasgov-lint: allow GOV001 -- above\n/* note */ provider_name = \"AZURE\"\n",
                Comments::HashAndSlashes,
            ),
            vec![1, 3]
        );
        // Lines ended by a carriage return alone are lines too.
        assert_eq!(
            targets(
                "# atlasgov-lint: allow GOV001 -- r\r# more\rproviderName: AZURE\r",
                Comments::Hash,
            ),
            vec![3]
        );
        // Not in YAML, where `/*` is text; not inside a string.
        assert!(
            scan_text(
                "x: /* atlasgov-lint: allow GOV001 -- r */\n",
                Comments::Hash
            )
            .is_empty()
        );
        assert!(
            scan_text(
                "a = \"/* atlasgov-lint: allow GOV001 -- r */\"\n",
                Comments::HashAndSlashes
            )
            .is_empty()
        );
    }

    #[test]
    fn only_real_comments() {
        assert!(scan_text("x: a#atlasgov-lint: allow GOV001 -- r\n", Comments::Hash).is_empty());
        assert!(scan_text("x: 'atlasgov-lint: allow GOV001 -- r'\n", Comments::Hash).is_empty());
        assert!(
            scan_text(
                "{\"a\": \"# atlasgov-lint: allow GOV001 -- r\"}",
                Comments::Slashes
            )
            .is_empty()
        );
        // Inside a string it is a value, not a comment; after a comma it is a comment.
        assert!(
            scan_text(
                "{\"tag\": \"see // atlasgov-lint: allow GOV002 -- r\", \"x\": 1}\n",
                Comments::Slashes
            )
            .is_empty()
        );
        assert!(
            scan_text(
                "a = \"x // atlasgov-lint: allow GOV001 -- r\"\n",
                Comments::HashAndSlashes
            )
            .is_empty()
        );
        assert_eq!(
            scan_text(
                "{\"a\": \"q\\\"\",// atlasgov-lint: allow GOV001 -- r\n}\n",
                Comments::Slashes
            )
            .len(),
            1
        );
        // JSON with comments: `//` after a value or alone above one; never `#`.
        let json = scan_text(
            "{\n  // atlasgov-lint: allow GOV006 -- r\n  // more\n  \"a\": 1, // atlasgov-lint: allow GOV001 -- s\n  \"b\": 2 # atlasgov-lint: allow GOV001 -- t\n}\n",
            Comments::Slashes,
        );
        let got: Vec<(u32, Option<String>)> = json
            .iter()
            .map(|d| (d.target_line, d.reason.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(4, Some("r".to_string())), (4, Some("s".to_string()))]
        );
        assert_eq!(
            scan_text(
                "a = 1 // atlasgov-lint: allow GOV001 -- r\n",
                Comments::HashAndSlashes
            )
            .len(),
            1
        );
        assert!(
            scan_text(
                "a = 1 // atlasgov-lint: allow GOV001 -- r\n",
                Comments::Hash
            )
            .is_empty()
        );
        let crlf = scan_text(
            "# atlasgov-lint: allow GOV001 -- r\r\nx: 1\r\n",
            Comments::Hash,
        );
        assert_eq!(
            crlf.first().and_then(|d| d.reason.clone()).as_deref(),
            Some("r")
        );
        assert_eq!(crlf.first().map(|d| d.target_line), Some(2));
    }
}
