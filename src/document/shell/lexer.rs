//! The lexer behind [`commands_in`]: quotes, escapes, continuations, here-documents and
//! substitutions, one byte at a time.

use super::*;

/// The commands of `b` from `pos` (see [`commands_in`]).
pub(super) fn run(b: &[u8], pos: usize, dialect: Dialect) -> Result<Vec<Command>, ParseError> {
    run_with_bodies(b, pos, dialect).map(|(commands, _)| commands)
}

/// [`run`], with the spans of the here-documents' bodies (their lines, without the line that
/// ends each).
pub(super) fn run_with_bodies(
    b: &[u8],
    pos: usize,
    dialect: Dialect,
) -> Result<(Vec<Command>, Vec<Span>), ParseError> {
    let mut lexer = Lexer {
        b,
        pos,
        dialect,
        out: Vec::new(),
        heredocs: Vec::new(),
        bodies: Vec::new(),
        backticks: false,
    };
    lexer.list(0, Stop::End)?;
    Ok((lexer.out, lexer.bodies))
}

/// Where a list of commands ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The end of the text.
    End,
    /// `)` (a command substitution `$(`, a subshell).
    Paren,
    /// A backtick (a `` `...` `` substitution).
    Backtick,
}

/// A here-document waiting for the end of its line: its delimiter, and whether leading tabs
/// are stripped (`<<-`).
struct Heredoc {
    delim: Vec<u8>,
    strip_tabs: bool,
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    dialect: Dialect,
    out: Vec<Command>,
    heredocs: Vec<Heredoc>,
    /// The bodies of the here-documents skipped.
    bodies: Vec<Span>,
    /// Whether the innermost substitution being read is a `` `...` `` one: an unescaped
    /// backtick ends it (nested ones are escaped).
    backticks: bool,
}

/// A word being read.
struct WordBuf {
    value: Vec<u8>,
    start: usize,
    end: usize,
    marks: Vec<(u32, u32)>,
    unknown: Vec<(u32, u32)>,
    /// The text offset the next value byte continues from without a new mark.
    next: Option<usize>,
}

impl WordBuf {
    fn new(start: usize) -> WordBuf {
        WordBuf {
            value: Vec::new(),
            start,
            end: start,
            marks: Vec::new(),
            unknown: Vec::new(),
            next: None,
        }
    }

    /// Append the byte at text offset `at`.
    fn push(&mut self, byte: u8, at: usize) {
        if self.next != Some(at) {
            self.marks.push((to_u32(self.value.len()), to_u32(at)));
        }
        self.value.push(byte);
        self.next = Some(at + 1);
    }

    /// Append text `[from, to)` as an expansion (unknown, kept as written).
    fn push_unknown(&mut self, bytes: &[u8], from: usize, to: usize) {
        let start = self.value.len();
        for at in from..to {
            if let Some(&b) = bytes.get(at) {
                self.push(b, at);
            }
        }
        let end = self.value.len();
        match self.unknown.last_mut() {
            Some(last) if last.1 == to_u32(start) => last.1 = to_u32(end),
            _ => self.unknown.push((to_u32(start), to_u32(end))),
        }
    }

    fn finish(self) -> Word {
        Word {
            value: String::from_utf8(self.value)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            span: Span::new(self.start, self.end),
            marks: self.marks,
            unknown: self.unknown,
        }
    }
}

/// Bytes that end an unquoted word.
fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

fn unterminated(what: &str, at: usize) -> ParseError {
    ParseError {
        message: format!("unterminated {what}"),
        span: Span::new(at, at + 1),
    }
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.b
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s))
    }

    /// A line continuation at the current position (`\` then a newline, possibly CRLF): its
    /// length, or 0. In a Dockerfile, blanks between the backslash and the line's end too:
    /// Docker joins the lines before the shell sees them.
    fn continuation(&self) -> usize {
        let blanks = match self.dialect {
            Dialect::Docker => (1..)
                .take_while(|&i| matches!(self.peek(i), Some(b' ' | b'\t')))
                .count(),
            _ => 0,
        };
        if self.dialect == Dialect::Jenkins {
            return self.groovy_continuation();
        }
        match (self.peek(0), self.peek(1 + blanks), self.peek(2 + blanks)) {
            (Some(b'\\'), Some(b'\n'), _) => 2 + blanks,
            (Some(b'\\'), Some(b'\r'), Some(b'\n')) => 3 + blanks,
            _ => 0,
        }
    }

    /// A line continuation in a Jenkins `sh` step's Groovy string, at the start of a run of
    /// backslashes that ends its line: Groovy gives the shell one backslash for each `\\`
    /// and removes a lone `\` with the line break, so the command goes on when the run is
    /// odd (Groovy joins the lines) or is an odd number of pairs (the shell's backslash
    /// escapes the line break). Inside a run, none: its pairs are escapes.
    fn groovy_continuation(&self) -> usize {
        if self.pos > 0 && self.b.get(self.pos - 1) == Some(&b'\\') {
            return 0;
        }
        let run = (0..).take_while(|&i| self.peek(i) == Some(b'\\')).count();
        let line_break = match (self.peek(run), self.peek(run + 1)) {
            (Some(b'\n'), _) => 1,
            (Some(b'\r'), Some(b'\n')) => 2,
            _ => return 0,
        };
        if run % 2 == 1 || (run / 2) % 2 == 1 {
            run + line_break
        } else {
            0
        }
    }

    /// Skip a line continuation of `len` bytes and what the dialect removes after it.
    fn skip_continuation(&mut self, len: usize) {
        self.pos += len;
        match self.dialect {
            // Make removes the recipe prefix (a tab) of a continued recipe line.
            Dialect::Make => {
                if self.peek(0) == Some(b'\t') {
                    self.pos += 1;
                }
            }
            // Docker drops blank and comment lines inside a continued instruction.
            Dialect::Docker => loop {
                let line_end = self
                    .b
                    .get(self.pos..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                    .map(|i| self.pos + i);
                let line = self.b.get(self.pos..line_end.unwrap_or(self.b.len()));
                let trimmed = line.map(|l| l.trim_ascii_start()).unwrap_or(&[]);
                let drop = trimmed.is_empty() || trimmed.starts_with(b"#");
                match line_end {
                    Some(end) if drop => self.pos = end + 1,
                    _ => break,
                }
            },
            Dialect::Sh | Dialect::Env | Dialect::Jenkins | Dialect::Properties => {}
        }
    }

    /// Read commands until `stop` (consumed) or the end of the text.
    fn list(&mut self, depth: u32, stop: Stop) -> Result<(), ParseError> {
        let opened = self.pos.saturating_sub(1);
        let mut words: Vec<Word> = Vec::new();
        let finish = |words: &mut Vec<Word>, out: &mut Vec<Command>| {
            if let (Some(first), Some(last)) = (words.first(), words.last()) {
                let span = Span {
                    start: first.span.start,
                    end: last.span.end,
                };
                out.push(Command {
                    words: std::mem::take(words),
                    span,
                    depth,
                });
            }
        };
        loop {
            let Some(b) = self.peek(0) else {
                finish(&mut words, &mut self.out);
                return match stop {
                    Stop::End => Ok(()),
                    Stop::Paren => Err(unterminated("`(`", opened)),
                    Stop::Backtick => Err(unterminated("backtick", opened)),
                };
            };
            let cont = self.continuation();
            if cont > 0 {
                self.skip_continuation(cont);
                continue;
            }
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    finish(&mut words, &mut self.out);
                    self.pos += 1;
                    self.skip_heredocs();
                }
                b'#' => self.skip_comment(),
                b';' | b'&' | b'|' => {
                    finish(&mut words, &mut self.out);
                    self.pos += 1;
                    // `&&`, `||`, `;;`, `|&`, `;&`: one operator.
                    if matches!(self.peek(0), Some(b'&' | b'|' | b';')) {
                        self.pos += 1;
                    }
                }
                b'(' => {
                    finish(&mut words, &mut self.out);
                    self.pos += 1;
                    if depth < MAX_DEPTH {
                        self.list(depth, Stop::Paren)?;
                    } else {
                        self.skip_balanced(b'(', b')', self.pos - 1)?;
                    }
                }
                b')' if stop == Stop::Paren => {
                    finish(&mut words, &mut self.out);
                    self.pos += 1;
                    return Ok(());
                }
                // A `)` that closes nothing (a `case` pattern): an operator.
                b')' => {
                    finish(&mut words, &mut self.out);
                    self.pos += 1;
                }
                b'`' if stop == Stop::Backtick => {
                    finish(&mut words, &mut self.out);
                    self.pos += 1;
                    return Ok(());
                }
                b'<' | b'>' if matches!(self.peek(1), Some(b'(')) => {
                    // Process substitution: a word of its own.
                    let w = self.word(depth)?;
                    words.push(w);
                }
                b'<' | b'>' => self.redirection(depth)?,
                b'0'..=b'9' if self.is_fd_redirection() => self.redirection(depth)?,
                _ => {
                    let w = self.word(depth)?;
                    if w.value.is_empty() && w.span.is_empty() {
                        // Nothing read (cannot happen for a non-meta byte); step over it.
                        self.pos += 1;
                    } else {
                        words.push(w);
                    }
                }
            }
        }
    }

    /// A comment, to the line's end; inside `` `...` `` to the closing backtick too (the shell
    /// finds the substitution's end before it reads what is inside: `` `# a note` `` is a
    /// comment, the idiom for commenting continued lines).
    fn skip_comment(&mut self) {
        while let Some(b) = self.peek(0) {
            if b == b'\n' || (b == b'`' && self.backticks) {
                break;
            }
            if b == b'\\' && self.backticks && self.peek(1) == Some(b'`') {
                self.pos += 1;
            }
            self.pos += 1;
        }
    }

    /// Whether digits at the current position are a file descriptor before `<` or `>`.
    fn is_fd_redirection(&self) -> bool {
        let mut i = 0;
        while self.peek(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
        matches!(self.peek(i), Some(b'<' | b'>'))
    }

    /// A redirection and its target (neither is a word of the command). A here-document's
    /// body is skipped at the end of its line.
    fn redirection(&mut self, depth: u32) -> Result<(), ParseError> {
        while self.peek(0).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let heredoc = self.starts_with(b"<<") && !self.starts_with(b"<<<");
        let strip_tabs = self.starts_with(b"<<-");
        // The operator: `<`, `>`, `<<`, `<<-`, `<<<`, `>>`, `<&`, `>&`, `<>`, `>|`, `&>` forms.
        let mut n = 1;
        while n < 3 && matches!(self.peek(n), Some(b'<' | b'>' | b'&' | b'|' | b'-')) {
            n += 1;
        }
        self.pos += n;
        while matches!(self.peek(0), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        if self
            .peek(0)
            .is_none_or(|b| is_meta(b) && b != b'<' && b != b'>')
        {
            return Ok(());
        }
        let target = self.word(depth)?;
        if heredoc {
            self.heredocs.push(Heredoc {
                delim: target.value.into_bytes(),
                strip_tabs,
            });
        }
        Ok(())
    }

    /// After a newline: skip the bodies of the here-documents opened on the line it ends.
    fn skip_heredocs(&mut self) {
        for doc in std::mem::take(&mut self.heredocs) {
            let start = self.pos;
            loop {
                let body = Span::new(start, self.pos);
                let Some(rest) = self.b.get(self.pos..).filter(|r| !r.is_empty()) else {
                    // Never ended: the body runs to the end of the text.
                    if !body.is_empty() {
                        self.bodies.push(body);
                    }
                    return;
                };
                let len = rest.iter().position(|&b| b == b'\n');
                let line = rest.get(..len.unwrap_or(rest.len())).unwrap_or(&[]);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let line = if doc.strip_tabs {
                    let tabs = line.iter().take_while(|&&b| b == b'\t').count();
                    line.get(tabs..).unwrap_or(&[])
                } else {
                    line
                };
                let done = line == doc.delim.as_slice();
                self.pos = match len {
                    Some(len) => self.pos + len + 1,
                    None => self.b.len(),
                };
                if done {
                    if !body.is_empty() {
                        self.bodies.push(body);
                    }
                    break;
                }
            }
        }
    }

    /// Skip to the `close` that balances the `open` before the current position (quotes
    /// respected), as an unknown value. `at` is where the construct opened (for the error).
    fn skip_balanced(&mut self, open: u8, close: u8, at: usize) -> Result<(), ParseError> {
        let mut level = 1usize;
        while let Some(b) = self.peek(0) {
            match b {
                b'\\' => self.pos += 2,
                b'\'' => {
                    self.pos += 1;
                    self.skip_until(b'\'', self.pos - 1)?;
                }
                b'"' => {
                    self.pos += 1;
                    self.skip_double_quoted(self.pos - 1)?;
                }
                b if b == open => {
                    level += 1;
                    self.pos += 1;
                }
                b if b == close => {
                    level -= 1;
                    self.pos += 1;
                    if level == 0 {
                        return Ok(());
                    }
                }
                _ => self.pos += 1,
            }
        }
        Err(unterminated(if open == b'{' { "`${`" } else { "`$(`" }, at))
    }

    fn skip_until(&mut self, end: u8, at: usize) -> Result<(), ParseError> {
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            if b == end {
                return Ok(());
            }
        }
        Err(unterminated("quote", at))
    }

    fn skip_double_quoted(&mut self, at: usize) -> Result<(), ParseError> {
        while let Some(b) = self.peek(0) {
            match b {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => self.pos += 1,
            }
        }
        Err(unterminated("quote", at))
    }

    /// One word, from the current position (which holds no blank or operator, except the `<`
    /// or `>` of a process substitution).
    fn word(&mut self, depth: u32) -> Result<Word, ParseError> {
        let mut w = WordBuf::new(self.pos);
        // A leading unquoted `~` is the home directory.
        if self.peek(0) == Some(b'~') {
            let at = self.pos;
            self.pos += 1;
            w.push_unknown(self.b, at, at + 1);
        }
        while let Some(b) = self.peek(0) {
            let cont = self.continuation();
            if cont > 0 {
                self.skip_continuation(cont);
                continue;
            }
            match b {
                b'`' if self.backticks => break,
                b'<' | b'>' if self.peek(1) == Some(b'(') && w.value.is_empty() => {
                    let at = self.pos;
                    self.pos += 2;
                    self.substitution(depth, Stop::Paren, at)?;
                    w.push_unknown(self.b, at, self.pos);
                }
                b if is_meta(b) => break,
                b'\\' => {
                    self.pos += 1;
                    if let Some(c) = self.peek(0) {
                        w.push(c, self.pos);
                        self.pos += 1;
                    }
                }
                b'\'' => {
                    let at = self.pos;
                    self.pos += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err(unterminated("quote", at)),
                            Some(b'\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(c) => {
                                w.push(c, self.pos);
                                self.pos += 1;
                            }
                        }
                    }
                }
                b'"' => {
                    let at = self.pos;
                    self.pos += 1;
                    self.double_quoted(&mut w, depth, at)?;
                }
                b'$' => self.dollar(&mut w, depth, false)?,
                b'`' => self.backtick(&mut w, depth)?,
                _ => {
                    w.push(b, self.pos);
                    self.pos += 1;
                }
            }
        }
        w.end = self.pos;
        Ok(w.finish())
    }

    /// A `` `...` `` command substitution (at the backtick): its output is unknown.
    fn backtick(&mut self, w: &mut WordBuf, depth: u32) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 1;
        self.substitution(depth, Stop::Backtick, start)?;
        w.push_unknown(self.b, start, self.pos);
        Ok(())
    }

    /// Inside `"..."` (the opening quote at `at` consumed), up to and including the closing
    /// quote.
    fn double_quoted(&mut self, w: &mut WordBuf, depth: u32, at: usize) -> Result<(), ParseError> {
        loop {
            let Some(b) = self.peek(0) else {
                return Err(unterminated("quote", at));
            };
            let cont = self.continuation();
            if cont > 0 {
                self.skip_continuation(cont);
                continue;
            }
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' if matches!(self.peek(1), Some(b'$' | b'`' | b'"' | b'\\')) => {
                    self.pos += 1;
                    if let Some(c) = self.peek(0) {
                        w.push(c, self.pos);
                    }
                    self.pos += 1;
                }
                b'$' => self.dollar(w, depth, true)?,
                b'`' => self.backtick(w, depth)?,
                _ => {
                    w.push(b, self.pos);
                    self.pos += 1;
                }
            }
        }
    }

    /// Commands inside a substitution opened at `at` (its opening consumed), up to and
    /// including its end; too deep, it is skipped whole.
    fn substitution(&mut self, depth: u32, stop: Stop, at: usize) -> Result<(), ParseError> {
        if depth < MAX_DEPTH {
            // The body's own here-documents are its own.
            let outer = std::mem::take(&mut self.heredocs);
            let backticks = std::mem::replace(&mut self.backticks, stop == Stop::Backtick);
            let result = self.list(depth + 1, stop);
            self.heredocs = outer;
            self.backticks = backticks;
            return result;
        }
        match stop {
            Stop::Backtick => self.skip_until(b'`', at),
            _ => self.skip_balanced(b'(', b')', at),
        }
    }

    /// A `$` at the current position: an expansion (unknown), or a literal `$`.
    fn dollar(&mut self, w: &mut WordBuf, depth: u32, quoted: bool) -> Result<(), ParseError> {
        let at = self.pos;
        if self.dialect == Dialect::Make {
            match self.peek(1) {
                // `$$` is the shell's `$`: what follows is read as the shell would.
                Some(b'$') => {
                    self.pos += 1;
                    return self.shell_dollar(w, depth, quoted, at);
                }
                Some(open @ (b'(' | b'{')) => {
                    self.pos += 2;
                    let close = if open == b'(' { b')' } else { b'}' };
                    self.skip_balanced(open, close, at)?;
                    w.push_unknown(self.b, at, self.pos);
                    return Ok(());
                }
                Some(c) if !is_meta(c) && c != b'"' && c != b'\'' => {
                    self.pos += 2;
                    w.push_unknown(self.b, at, self.pos);
                    return Ok(());
                }
                _ => {}
            }
        }
        self.shell_dollar(w, depth, quoted, at)
    }

    /// The shell's `$` at the current position; the expansion's text starts at `from` (a
    /// Makefile's `$$` is two bytes).
    fn shell_dollar(
        &mut self,
        w: &mut WordBuf,
        depth: u32,
        quoted: bool,
        from: usize,
    ) -> Result<(), ParseError> {
        let at = self.pos;
        match self.peek(1) {
            Some(b'(') if self.peek(2) == Some(b'(') => {
                // Arithmetic `$((...))`.
                self.pos += 3;
                self.skip_balanced(b'(', b')', at)?;
                if self.peek(0) == Some(b')') {
                    self.pos += 1;
                }
                w.push_unknown(self.b, from, self.pos);
            }
            Some(b'(') => {
                self.pos += 2;
                self.substitution(depth, Stop::Paren, at)?;
                w.push_unknown(self.b, from, self.pos);
            }
            Some(b'{') => {
                self.pos += 2;
                self.skip_balanced(b'{', b'}', at)?;
                w.push_unknown(self.b, from, self.pos);
            }
            Some(b'\'') if !quoted => {
                // `$'...'`: backslash escapes, otherwise literal.
                self.pos += 2;
                loop {
                    match self.peek(0) {
                        None => return Err(unterminated("quote", at)),
                        Some(b'\'') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let escaped = self.peek(1).map(|c| match c {
                                b'n' => b'\n',
                                b't' => b'\t',
                                b'r' => b'\r',
                                other => other,
                            });
                            if let Some(c) = escaped {
                                w.push(c, self.pos);
                            }
                            self.pos += 2;
                        }
                        Some(c) => {
                            w.push(c, self.pos);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some(b'"') if !quoted => {
                // `$"..."`: a translated string, read as `"..."`.
                self.pos += 2;
                self.double_quoted(w, depth, at + 1)?;
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.pos += 1;
                while self
                    .peek(0)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    self.pos += 1;
                }
                w.push_unknown(self.b, from, self.pos);
            }
            Some(b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') => {
                self.pos += 2;
                w.push_unknown(self.b, from, self.pos);
            }
            _ => {
                w.push(b'$', self.pos);
                self.pos += 1;
            }
        }
        Ok(())
    }
}
