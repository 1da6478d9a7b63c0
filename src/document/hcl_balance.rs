//! A bracket check that runs before `hcl-edit` sees a file.
//!
//! `hcl-edit` 0.10 backtracks exponentially on an expression that reaches the end of the file
//! inside nested brackets after a chain of binary operators (`a+a+a[a+a+a[...`: every level is
//! parsed twice, so 30 levels take minutes). Such a file is invalid HCL, and a hostile or
//! truncated one must not hang the run, so this lexer, linear in the input, finds unclosed
//! brackets, strings, template interpolations and heredocs first and reports the one that is
//! never closed, which is also a clearer message than an error at the end of the file.
//!
//! It tokenizes only what decides nesting: comments (`#`, `//`, `/* */`), quoted strings with
//! backslash escapes, template interpolations and directives (`${`, `%{`, with the `$${` and
//! `%%{` escapes), heredocs (`<<ID` / `<<-ID` up to a line holding `ID`), and `( [ {`.
//! It only ever refuses a file that `hcl-edit` refuses too (the HCL fuzz target asserts it),
//! and one that Terraform refuses and `hcl-edit` takes: a quoted string split over lines
//! ([`MULTI_LINE_STRING`]); on anything it does not understand it gives no verdict and
//! `hcl-edit` decides.

use super::{ParseError, Span};

/// The error for a quoted string that reaches the end of its line: the one refusal of this
/// check that `hcl-edit` does not make (Terraform does).
pub const MULTI_LINE_STRING: &str = "this string is not closed on its line: a quoted string cannot span lines (write `\\n` in it, or use a heredoc)";

#[derive(Clone, Copy)]
enum Frame<'a> {
    /// `(`, `[` or `{` at this offset, closed by the byte.
    Open { at: usize, close: u8 },
    /// `${` or `%{` at this offset, closed by `}`.
    Template { at: usize },
    /// A quoted string opened at this offset.
    Str { at: usize },
    /// A heredoc opened at this offset, ended by a line holding this delimiter; its first
    /// body line starts at `body`.
    Heredoc {
        at: usize,
        delim: &'a str,
        body: usize,
        /// Whether the first body line holds the delimiter (see [`check`]).
        first_is_delim: bool,
    },
}

/// `Err` with the unclosed or mismatched delimiter when `text` certainly does not parse as HCL;
/// `Ok` otherwise (including when this check cannot tell).
pub fn check(text: &str) -> Result<(), ParseError> {
    check_noting(text, None)
}

/// [`check`], noting in `comment_crs` the offsets of the carriage returns that stand alone (not
/// before `\n`) inside line comments (`#`, `//`). Terraform's scanner ends such a comment only
/// at `\n` (or `\r\n`), so the rest of that line is comment too; `hcl-edit` refuses the lone
/// `\r` ("expected newline or eof"), so the parser reads each as a space.
pub fn check_noting_comment_crs(
    text: &str,
    comment_crs: &mut Vec<usize>,
) -> Result<(), ParseError> {
    let mut notes = Notes::default();
    let result = check_noting(text, Some(&mut notes));
    *comment_crs = notes.comment_crs;
    result
}

/// The comments of a text (`#` and `//` to the end of the line, `/* */`), as byte ranges in
/// order: a `#`, `//` or `/*` in a string or a heredoc is text, in an interpolation's code a
/// comment. Up to where the text certainly does not parse, when it does not.
pub fn comments(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut notes = Notes::default();
    // The ranges are found whatever the verdict.
    let _ = check_noting(text, Some(&mut notes));
    notes.comments
}

/// What a scan notes besides its verdict.
#[derive(Default)]
struct Notes {
    /// See [`check_noting_comment_crs`].
    comment_crs: Vec<usize>,
    /// See [`comments`].
    comments: Vec<std::ops::Range<usize>>,
}

fn check_noting(text: &str, mut notes: Option<&mut Notes>) -> Result<(), ParseError> {
    // hcl-edit ends a heredoc whose first body line is its delimiter at the first later
    // delimiter line, or, when there is none, at that first line (an empty heredoc). The scan
    // takes the first reading and, when a heredoc stays open to the end of the file, scans
    // again with that heredoc empty.
    let mut empty: Vec<usize> = Vec::new();
    loop {
        if let Some(notes) = notes.as_deref_mut() {
            notes.comment_crs.clear();
            notes.comments.clear();
        }
        match scan(text, &empty, notes.as_deref_mut()) {
            Scan::Done(result) => return result,
            Scan::Again(at) if empty.len() < MAX_RESCANS && !empty.contains(&at) => empty.push(at),
            Scan::Again(_) => return Ok(()),
        }
    }
}

/// Rescans allowed for empty heredocs (each is one more linear pass); past that, no verdict.
const MAX_RESCANS: usize = 64;

enum Scan {
    Done(Result<(), ParseError>),
    /// Scan again with the heredoc at this offset read as empty.
    Again(usize),
}

fn scan(text: &str, empty: &[usize], mut notes: Option<&mut Notes>) -> Scan {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let Some(&b) = bytes.get(i) else { break };
        let next = bytes.get(i + 1).copied();
        match stack.last().copied() {
            Some(Frame::Str { at }) => match b {
                b'\\' => i += 2,
                // Terraform refuses a quoted string split over lines ("Invalid multi-line
                // string"), which `hcl-edit` takes; read on, the quote that should have closed
                // it opens the next string, and the error lands lines away.
                // A lone `\r` ends a line too (Terraform: "Invalid multi-line string").
                b'\n' => return Scan::Done(Err(error(text, at, MULTI_LINE_STRING.to_string()))),
                b'\r' if next != Some(b'\n') => {
                    return Scan::Done(Err(error(text, at, MULTI_LINE_STRING.to_string())));
                }
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'$' | b'%' => i += template_start(bytes, i, &mut stack),
                _ => i += 1,
            },
            Some(Frame::Heredoc { delim, body, .. }) => {
                if i > body && at_line_start(bytes, i) && heredoc_ends(bytes, i, delim) {
                    stack.pop();
                    // Past the leading blanks and the delimiter.
                    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                        i += 1;
                    }
                    i += delim.len();
                    continue;
                }
                match b {
                    b'$' | b'%' => i += template_start(bytes, i, &mut stack),
                    _ => i += 1,
                }
            }
            // Code: the top level, inside brackets, or inside a template.
            _ => match b {
                b'#' => i = line_comment(bytes, i, notes.as_deref_mut()),
                b'/' if next == Some(b'/') => i = line_comment(bytes, i, notes.as_deref_mut()),
                b'/' if next == Some(b'*') => {
                    let end = find(bytes, i + 2, b"*/").map(|end| end + 2);
                    if let Some(notes) = notes.as_deref_mut() {
                        notes.comments.push(i..end.unwrap_or(bytes.len()));
                    }
                    match end {
                        Some(end) => i = end,
                        // An unterminated comment: any bracket still open is reported below.
                        None => break,
                    }
                }
                b'"' => {
                    stack.push(Frame::Str { at: i });
                    i += 1;
                }
                b'<' if next == Some(b'<') => match heredoc_start(text, i) {
                    // Read as empty (see `check`): past the delimiter on its first line.
                    Some(Ok((delim, body))) if empty.contains(&i) => {
                        i = body;
                        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                            i += 1;
                        }
                        i += delim.len();
                    }
                    Some(Ok((delim, body))) => {
                        stack.push(Frame::Heredoc {
                            at: i,
                            delim,
                            body,
                            first_is_delim: heredoc_ends(bytes, body, delim),
                        });
                        i = body;
                    }
                    Some(Err(())) => return Scan::Done(Ok(())),
                    None => i += 1,
                },
                b'(' => {
                    stack.push(Frame::Open { at: i, close: b')' });
                    i += 1;
                }
                b'[' => {
                    stack.push(Frame::Open { at: i, close: b']' });
                    i += 1;
                }
                b'{' => {
                    stack.push(Frame::Open { at: i, close: b'}' });
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    match stack.pop() {
                        Some(Frame::Open { close, .. }) if close == b => {}
                        Some(Frame::Template { .. }) if b == b'}' => {}
                        Some(Frame::Open { at, .. }) => {
                            return Scan::Done(Err(error(
                                text,
                                i,
                                format!(
                                    "`{}` here does not close the `{}` opened at {}",
                                    char::from(b),
                                    char::from(bytes.get(at).copied().unwrap_or(b'?')),
                                    position(text, at)
                                ),
                            )));
                        }
                        Some(Frame::Template { at }) => {
                            return Scan::Done(Err(error(
                                text,
                                i,
                                format!(
                                    "`{}` here does not close the template interpolation opened at {}",
                                    char::from(b),
                                    position(text, at)
                                ),
                            )));
                        }
                        _ => {
                            return Scan::Done(Err(error(
                                text,
                                i,
                                format!("`{}` here closes nothing", char::from(b)),
                            )));
                        }
                    }
                    i += 1;
                }
                _ => i += 1,
            },
        }
    }
    // A heredoc left open whose first line was its delimiter: hcl-edit reads it as empty.
    let reread = stack.iter().rev().find_map(|f| match f {
        Frame::Heredoc {
            at,
            first_is_delim: true,
            ..
        } => Some(*at),
        _ => None,
    });
    if let Some(at) = reread {
        return Scan::Again(at);
    }
    Scan::Done(match stack.last() {
        None => Ok(()),
        Some(Frame::Open { at, .. }) => Err(error(
            text,
            *at,
            format!(
                "`{}` is never closed",
                char::from(bytes.get(*at).copied().unwrap_or(b'?'))
            ),
        )),
        Some(Frame::Template { at }) => Err(error(
            text,
            *at,
            "this template interpolation is never closed with `}`".to_string(),
        )),
        Some(Frame::Str { at }) => Err(error(
            text,
            *at,
            "this string is never closed with `\"`".to_string(),
        )),
        Some(Frame::Heredoc { at, delim, .. }) => Err(error(
            text,
            *at,
            format!("this heredoc is never closed: no line holds `{delim}`"),
        )),
    })
}

/// At `$` or `%` inside a string or heredoc: pushes a template frame for `${` / `%{` and
/// returns how many bytes to skip (3 for the escapes `$${` / `%%{`).
fn template_start(bytes: &[u8], i: usize, stack: &mut Vec<Frame>) -> usize {
    let b = bytes.get(i).copied();
    match (bytes.get(i + 1).copied(), bytes.get(i + 2).copied()) {
        (Some(n), Some(b'{')) if Some(n) == b => 3,
        (Some(b'{'), _) => {
            stack.push(Frame::Template { at: i });
            2
        }
        _ => 1,
    }
}

/// `<<ID` or `<<-ID` followed by a line ending, as `hcl-edit` reads a heredoc start: the
/// delimiter and the offset of the first body line. `None` when this is no heredoc start,
/// `Some(Err)` when the delimiter is not plain ASCII (no verdict then).
#[allow(clippy::type_complexity)]
fn heredoc_start(text: &str, i: usize) -> Option<Result<(&str, usize), ()>> {
    let bytes = text.as_bytes();
    let mut j = i + 2;
    if bytes.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    match bytes.get(j) {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {}
        Some(c) if !c.is_ascii() => return Some(Err(())),
        _ => return None,
    }
    while let Some(c) = bytes.get(j) {
        if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-' {
            j += 1;
        } else if !c.is_ascii() {
            return Some(Err(()));
        } else {
            break;
        }
    }
    let delim = text.get(start..j)?;
    match (bytes.get(j), bytes.get(j + 1)) {
        (Some(b'\n'), _) => Some(Ok((delim, j + 1))),
        (Some(b'\r'), Some(b'\n')) => Some(Ok((delim, j + 2))),
        _ => None,
    }
}

/// Whether the heredoc body line at `i` is its end: blanks, the delimiter, then no identifier
/// character.
fn heredoc_ends(bytes: &[u8], mut i: usize, delim: &str) -> bool {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let d = delim.as_bytes();
    if bytes.get(i..i + d.len()) != Some(d) {
        return false;
    }
    match bytes.get(i + d.len()) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-' => false,
        // Any non-ASCII letter could continue the identifier: not an end, as hcl-edit reads it.
        Some(c) => c.is_ascii(),
    }
}

fn at_line_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || bytes.get(i - 1) == Some(&b'\n')
}

/// The offset of the line ending after `i` (or the end of the text).
/// Past a line comment that starts at `i` (to its `\n`), noting its lone carriage returns.
fn line_comment(bytes: &[u8], i: usize, notes: Option<&mut Notes>) -> usize {
    let end = line_end(bytes, i);
    if let Some(notes) = notes {
        notes.comments.push(i..end);
        let comment = bytes.get(i..end).unwrap_or_default();
        // Lone in the whole text: the comment's last byte may be the `\r` of a `\r\n`.
        notes.comment_crs.extend(
            memchr::memchr_iter(b'\r', comment)
                .map(|at| i + at)
                .filter(|&at| bytes.get(at + 1) != Some(&b'\n')),
        );
    }
    end
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(bytes.len(), |p| i + p)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// `line:column` (1-based, columns in characters) of a byte offset.
fn position(text: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{line}:{column}")
}

fn error(text: &str, at: usize, message: String) -> ParseError {
    // Every position pushed or reported holds an ASCII byte, so `at + 1` is a char boundary;
    // the fallback keeps that true for any future caller.
    let end = if text.is_char_boundary(at + 1) {
        at + 1
    } else {
        at
    };
    ParseError {
        message,
        span: Span::new(at, end),
    }
}

#[cfg(test)]
mod tests {
    use super::{MULTI_LINE_STRING, check};

    fn verdict(text: &str) -> Option<String> {
        check(text)
            .err()
            .map(|e| format!("{}..{} {}", e.span.start, e.span.end, e.message))
    }

    #[test]
    fn valid_hcl_passes() {
        for text in [
            "a = 1\n",
            "resource \"x\" \"y\" {\n  b = [1, {c = \"}\"}]\n}\n",
            "a = \"${f(\"]\")} $${ %%{ \\\" \"\n",
            "a = <<EOF\n  [ { ${x} ( \nEOF\n",
            "a = <<-EOT\n  {\n    EOT\n",
            "a = [<<EOF\nEOFX\nEOF\n, 1]\n",
            "a = <<EOF\r\n]\r\nEOF\r\n",
            "a = 1 # ]\nb = 2 // }\nc = /* ) */ 3\n",
            "a = \"%{ for x in y }${x}%{ endfor ~}\"\n",
            "a = b < <<EOF\nx\nEOF\n",
            "a = <<EOF\nEOF",
        ] {
            assert_eq!(verdict(text), None, "{text:?}");
            assert!(hcl_edit::parser::parse_body(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn a_quoted_string_split_over_lines_is_refused_as_terraform_refuses_it() {
        // `hcl-edit` takes it; Terraform says "Invalid multi-line string". Reported at the
        // quote left open, not at the later quote that would close a string read on.
        let text = "a = \"line\nbreak ]\"\n";
        assert!(hcl_edit::parser::parse_body(text).is_ok());
        assert_eq!(
            verdict(text).as_deref(),
            Some(format!("4..5 {MULTI_LINE_STRING}").as_str())
        );
        let text = "p {\n  name = \"orders\n  org = \"x\"\n  usage = \"GOV\"\n}\n";
        assert_eq!(
            verdict(text).as_deref(),
            Some(format!("13..14 {MULTI_LINE_STRING}").as_str())
        );
        // A line break inside an interpolation is code, not the string.
        assert_eq!(verdict("a = \"x ${ 1 +\n 2 } y\"\n"), None);
        // In a heredoc too.
        assert_eq!(
            verdict("a = <<EOF\n${ \"x\ny\" }\nEOF\n").as_deref(),
            Some(format!("13..14 {MULTI_LINE_STRING}").as_str())
        );
    }

    #[test]
    fn unclosed_and_mismatched_are_reported() {
        for text in [
            "a = b+b+b[c+c+c[",
            "x {\n  a = [1, 2}\n",
            "a = 1 }\n",
            "a = \"abc\n",
            "a = \"${b\"\n",
            "a = <<EOF\nbody\n",
            "a = [ /* ] */",
        ] {
            assert!(hcl_edit::parser::parse_body(text).is_err(), "{text:?}");
        }
        assert_eq!(
            verdict("a = b+b+b[c+c+c[").as_deref(),
            Some("15..16 `[` is never closed")
        );
        assert_eq!(
            verdict("x {\n  a = [1, 2}\n").as_deref(),
            Some("15..16 `}` here does not close the `[` opened at 2:7")
        );
        assert_eq!(
            verdict("a = 1 }\n").as_deref(),
            Some("6..7 `}` here closes nothing")
        );
        assert_eq!(
            verdict("a = \"abc").as_deref(),
            Some("4..5 this string is never closed with `\"`")
        );
        assert_eq!(
            verdict("a = \"abc\n").as_deref(),
            Some(format!("4..5 {MULTI_LINE_STRING}").as_str())
        );
        assert_eq!(
            verdict("a = \"${b\"\n").as_deref(),
            Some(format!("8..9 {MULTI_LINE_STRING}").as_str())
        );
        assert_eq!(
            verdict("a = <<EOF\nbody\n").as_deref(),
            Some("4..5 this heredoc is never closed: no line holds `EOF`")
        );
        assert_eq!(
            verdict("a = [ /* ] */").as_deref(),
            Some("4..5 `[` is never closed")
        );
    }

    #[test]
    fn a_delimiter_on_the_first_heredoc_line_is_read_as_hcl_edit_reads_it() {
        // Found by fuzzing: hcl-edit reads ` true` right after `<<-true` as heredoc text (the
        // heredoc then ends at a later `true` line), so the lexer must not end it there.
        let text = "a = <<-true\n true\nb = \"\n  true\n";
        assert_eq!(verdict(text), None);
        assert!(hcl_edit::parser::parse_body(text).is_ok());
        // With no later delimiter line the heredoc is empty, and what follows is code again.
        for (text, refused) in [
            ("a = <<EOF\nEOF", false),
            ("a = <<EOF\nEOF\nb = [1]\n", false),
            ("a = <<EOF\nEOF\nb = [1\n", true),
            ("a = <<EOF\n  EOF\nb = (\"x\")\nc = <<X\nX\n", false),
        ] {
            assert_eq!(verdict(text).is_some(), refused, "{text:?}");
            assert_eq!(
                hcl_edit::parser::parse_body(text).is_err(),
                refused,
                "{text:?}"
            );
        }
    }

    #[test]
    fn unknown_heredoc_delimiters_give_no_verdict() {
        assert_eq!(verdict("a = [<<é\n"), None);
    }
}
