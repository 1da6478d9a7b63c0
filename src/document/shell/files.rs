//! Where the shell text is in a Makefile and in a Dockerfile.
//!
//! - **Makefile**: the recipe lines of rules (a line that starts with a tab after a rule
//!   line, continued lines included), without the tab and the `@`, `-`, `+` prefixes; a
//!   rule's inline recipe (`target: ; command`). `define ... endef` bodies are not recipes.
//! - **Dockerfile**: the shell form of `RUN` (after its `--flag`s; the exec form `RUN [...]`
//!   is no shell text), the body of a here-document that is the whole `RUN` (`RUN <<EOF`),
//!   and `ENV` and `ARG` instructions, read as commands (`ENV NAME=value`). A Dockerfile whose
//!   escape character is a backtick (`# escape=``) is a Windows one, whose `RUN` lines are not
//!   POSIX shell: nothing is read from it.

use super::Dialect;

/// Shell text at `[start, end)` of a file, and how it reaches the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub start: usize,
    pub end: usize,
    pub dialect: Dialect,
}

/// The physical lines of `text`: `(start, end without the newline)`.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let s = start;
        start += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        (s, s + body.len())
    })
}

/// Whether a line ends with an odd number of backslashes (it continues on the next).
fn continues(line: &[u8], escape: u8) -> bool {
    let trimmed = if escape == b'\\' {
        line
    } else {
        line.trim_ascii_end()
    };
    trimmed.iter().rev().take_while(|&&b| b == escape).count() % 2 == 1
}

/// The recipes of a Makefile.
pub fn make_recipes(text: &str) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut in_rule = false;
    let mut defines = 0usize;
    let mut all = lines(text).peekable();
    while let Some((start, mut end)) = all.next() {
        // A logical line: continued physical lines joined.
        while continues(bytes.get(start..end).unwrap_or(&[]), b'\\') {
            match all.next() {
                Some((_, e)) => end = e,
                None => break,
            }
        }
        let line = text.get(start..end).unwrap_or("");
        let word = line.split_whitespace().next().unwrap_or("");
        if defines > 0 {
            if word == "endef" {
                defines -= 1;
            } else if line.split_whitespace().any(|w| w == "define") {
                defines += 1;
            }
            continue;
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            if in_rule {
                let skip = recipe
                    .bytes()
                    .take_while(|b| matches!(b, b'@' | b'-' | b'+' | b' ' | b'\t'))
                    .count();
                pieces.push(Piece {
                    start: start + 1 + skip,
                    end,
                    dialect: Dialect::Make,
                });
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if matches!(
            word,
            "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif"
        ) {
            continue;
        }
        if word == "define"
            || (matches!(word, "override" | "export" | "private")
                && line.split_whitespace().nth(1) == Some("define"))
        {
            defines = 1;
            in_rule = false;
            continue;
        }
        match rule_colon(line) {
            Some(colon) => {
                in_rule = true;
                // `target: prerequisites ; recipe`
                let after = line.get(colon + 1..).unwrap_or("");
                if let Some(semi) = after.find(';') {
                    let recipe_start = start + colon + 1 + semi + 1;
                    let skip = text
                        .get(recipe_start..end)
                        .unwrap_or("")
                        .bytes()
                        .take_while(|b| matches!(b, b'@' | b'-' | b'+' | b' ' | b'\t'))
                        .count();
                    pieces.push(Piece {
                        start: recipe_start + skip,
                        end,
                        dialect: Dialect::Make,
                    });
                }
            }
            None => in_rule = false,
        }
    }
    pieces
}

/// The offset of the colon that makes `line` a rule (`targets: prerequisites`), if it is one
/// rather than a variable assignment (`X = a:b`, `X := y`, `X ::= y`).
fn rule_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'=' if depth == 0 => return None,
            b':' if depth == 0 => {
                let rest = bytes.get(i + 1..).unwrap_or(&[]);
                let assignment =
                    rest.starts_with(b"=") || rest.starts_with(b":=") || rest.starts_with(b"::=");
                return (!assignment).then_some(i);
            }
            _ => {}
        }
    }
    None
}

/// The shell text and the `ENV`/`ARG` instructions of a Dockerfile.
pub fn docker_instructions(text: &str) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let escape = docker_escape(text);
    if escape == b'`' {
        return Vec::new();
    }
    let mut pieces = Vec::new();
    let mut all = lines(text).peekable();
    while let Some((start, mut end)) = all.next() {
        let line = text.get(start..end).unwrap_or("");
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // The instruction's lines: continued lines, blank and comment lines inside dropped.
        let mut last = (start, end);
        while continues(bytes.get(last.0..last.1).unwrap_or(&[]), escape) {
            let Some((s, e)) = all.next() else { break };
            end = e;
            let inner = text.get(s..e).unwrap_or("").trim_start();
            if !(inner.is_empty() || inner.starts_with('#')) {
                last = (s, e);
            }
        }
        let kw_start = start + (line.len() - trimmed.len());
        let keyword_len = trimmed
            .find(|c: char| c.is_whitespace())
            .unwrap_or(trimmed.len());
        let keyword = trimmed.get(..keyword_len).unwrap_or("");
        let mut rest_start = kw_start + keyword_len;
        let logical = text.get(rest_start..end).unwrap_or("");
        let heredocs = heredoc_delimiters(logical);
        if keyword.eq_ignore_ascii_case("RUN") {
            // `--mount=...`, `--network=...`: flags of RUN, not of the command.
            loop {
                let rest = text.get(rest_start..end).unwrap_or("");
                let blank = rest.len() - rest.trim_start().len();
                let after = rest.get(blank..).unwrap_or("");
                if !after.starts_with("--") {
                    rest_start += blank;
                    break;
                }
                let flag_len = after
                    .find(|c: char| c.is_whitespace())
                    .unwrap_or(after.len());
                rest_start += blank + flag_len;
            }
            let rest = text.get(rest_start..end).unwrap_or("");
            if rest.starts_with("<<") {
                // `RUN <<EOF`: the here-document is the script.
                if let Some(body) = heredoc_body(text, end, heredocs.first()) {
                    pieces.push(Piece {
                        start: body.0,
                        end: body.1,
                        dialect: Dialect::Sh,
                    });
                }
            } else if !rest.starts_with('[') {
                pieces.push(Piece {
                    start: rest_start,
                    end,
                    dialect: Dialect::Docker,
                });
            }
        } else if keyword.eq_ignore_ascii_case("ENV") || keyword.eq_ignore_ascii_case("ARG") {
            pieces.push(Piece {
                start: kw_start,
                end,
                dialect: Dialect::Docker,
            });
        }
        // Here-document bodies are not instructions.
        for delim in &heredocs {
            for (s, e) in all.by_ref() {
                let body_line = text.get(s..e).unwrap_or("");
                if body_line.trim_start_matches('\t') == delim.0.as_str() {
                    break;
                }
            }
        }
    }
    pieces
}

/// The escape character of a Dockerfile (`# escape=` parser directive, default `\`).
fn docker_escape(text: &str) -> u8 {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let directive = directive.trim();
        if let Some((name, value)) = directive.split_once('=') {
            if name.trim().eq_ignore_ascii_case("escape") {
                return value.trim().bytes().next().unwrap_or(b'\\');
            }
        } else {
            // A comment that is no directive ends the directives.
            break;
        }
    }
    b'\\'
}

/// The delimiters of the here-documents an instruction opens (`<<EOF`, `<<-"EOF"`), with
/// whether tabs are stripped.
fn heredoc_delimiters(instruction: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut rest = instruction;
    while let Some(i) = rest.find("<<") {
        let after = rest.get(i + 2..).unwrap_or("");
        if after.starts_with('<') {
            rest = after.get(1..).unwrap_or("");
            continue;
        }
        let strip = after.starts_with('-');
        let after = if strip {
            after.get(1..).unwrap_or("")
        } else {
            after
        };
        let word: String = after
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '>' | '<'))
            .filter(|c| !matches!(c, '"' | '\''))
            .collect();
        if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            found.push((word, strip));
        }
        rest = after;
    }
    found
}

/// The body of a here-document that starts after `line_end`: `(start, end)` of its lines.
fn heredoc_body(
    text: &str,
    line_end: usize,
    delim: Option<&(String, bool)>,
) -> Option<(usize, usize)> {
    let (delim, _) = delim?;
    let body_start = text.get(line_end..)?.find('\n').map(|i| line_end + i + 1)?;
    for (s, e) in lines(text.get(body_start..)?) {
        let line = text.get(body_start + s..body_start + e).unwrap_or("");
        if line.trim_start_matches('\t') == delim.as_str() {
            return Some((body_start, body_start + s));
        }
    }
    Some((body_start, text.len()))
}
