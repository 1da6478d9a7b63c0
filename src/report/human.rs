//! Human output: miette's graphical reports with the source snippet, then a summary line.

use crate::document::Span;
use std::collections::HashMap;
use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use super::redact;
use super::terminal;
use crate::outcome::Outcome;
use crate::paths::display_path;
use crate::rules::{Finding, Severity as RuleSeverity};

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// What to print besides the findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Only the findings: no notes, no summary.
    pub quiet: bool,
    /// List every suppression with its reason, expiry, place and what it suppressed.
    pub show_suppressed: bool,
    /// Draw with ASCII only (a terminal or locale that cannot show box-drawing characters).
    pub ascii: bool,
}

/// A file's masked text made drawable ([`terminal::Drawable`]: control characters escaped,
/// lines over [`MAX_SNIPPET_LINE`] replaced by a note) with its line starts, built once per
/// file so that drawing a snippet costs the size of the snippet, not of the file (miette's own
/// `SourceCode` for strings scans from the start of the text for every label: quadratic on a
/// file with many findings). Spans of the original text go through [`Source::span`].
struct Source {
    drawable: terminal::Drawable,
    /// Starts of lines as miette counts them (after `\n`, `\r\n` or a lone `\r`).
    starts: Vec<usize>,
}

impl Source {
    fn new(text: String) -> Source {
        let drawable = terminal::Drawable::new(text, MAX_SNIPPET_LINE);
        let bytes = drawable.text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(p) = memchr::memchr2(b'\n', b'\r', bytes.get(i..).unwrap_or(&[])) {
            let at = i + p;
            let next = if bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(next);
            i = next;
        }
        Source { drawable, starts }
    }

    /// Whether the line holding byte `offset` (of the original text) is too long to draw.
    fn long_line(&self, offset: usize) -> bool {
        self.drawable.elided(offset)
    }

    /// A span of the original text, as miette reads it in the drawn text: (offset, length).
    fn span(&self, span: Span) -> (usize, usize) {
        let start = self.drawable.offset(span.start as usize);
        let end = self.drawable.offset(span.end as usize);
        (start, end.saturating_sub(start))
    }
}

/// A span as miette reads it: in the drawn text when there is one (without one, nothing is
/// drawn and the span is unused).
fn drawn_span(source: Option<&Source>, span: Span) -> (usize, usize) {
    source.map_or((span.start as usize, span.len()), |s| s.span(span))
}

/// A [`Source`] under a name, as miette reads it.
struct Snippet<'a> {
    name: &'a str,
    source: &'a Source,
}

/// Lines of context miette draws around each label.
const CONTEXT_LINES: usize = 1;

/// Whether miette draws a label above a finding in the finding's own snippet: it merges two
/// labels' contexts when the first one's reaches the second's (its test, on the same reader).
fn same_snippet(source: &Source, name: &str, above: Span, finding: Span) -> bool {
    let snippet = Snippet { name, source };
    let read = |span: Span| {
        let (offset, len) = source.span(span);
        snippet.read_span(
            &SourceSpan::new(offset.into(), len),
            CONTEXT_LINES,
            CONTEXT_LINES,
        )
    };
    match (read(above), read(finding)) {
        (Ok(a), Ok(b)) => a.line() + a.line_count() >= b.line(),
        _ => false,
    }
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // Let miette's own reader work on a window that starts at a line boundary a little
        // before the context it needs (it stops by itself after the context that follows),
        // then move its answer back to file coordinates: from a line start, its result is the
        // same as from the start of the file, shifted by the lines before the window.
        let starts = &self.source.starts;
        let line = starts
            .partition_point(|&s| s <= span.offset())
            .saturating_sub(1);
        let first = line.saturating_sub(context_lines_before + 1);
        let base = starts.get(first).copied().unwrap_or(0);
        let window = self
            .source
            .drawable
            .text
            .as_bytes()
            .get(base..)
            .ok_or(MietteError::OutOfBounds)?;
        let shifted = SourceSpan::new(span.offset().saturating_sub(base).into(), span.len());
        let inner = window.read_span(&shifted, context_lines_before, context_lines_after)?;
        // miette counts the column (which it gives only without lines before: the header's
        // `file:line:column`) in bytes; every other output counts characters.
        let column = if context_lines_before == 0 {
            let line_start = starts.get(line).copied().unwrap_or(0);
            self.source
                .drawable
                .text
                .get(line_start..span.offset())
                // A byte order mark is not a column (as the line index counts).
                .map(|before| before.strip_prefix('\u{FEFF}').unwrap_or(before))
                .map_or(inner.column(), |before| before.chars().count())
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + first,
            column,
            inner.line_count() + first,
        )))
    }
}

struct Rendered<'a> {
    message: String,
    code: String,
    severity: Severity,
    help: String,
    source: Option<Snippet<'a>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Render every finding and the summary line.
pub fn render(outcome: &Outcome, style: Style) -> String {
    render_with(outcome, style, &Options::default())
}

/// Render the findings, then (unless quiet) notes and the summary line, and on request the
/// list of suppressions.
pub fn render_with(outcome: &Outcome, style: Style, options: &Options) -> String {
    let theme = match (style.color, options.ascii) {
        (true, false) => GraphicalTheme::unicode(),
        (false, false) => GraphicalTheme::unicode_nocolor(),
        (true, true) => GraphicalTheme::ascii(),
        (false, true) => GraphicalTheme::none(),
    };
    let handler = || {
        GraphicalReportHandler::new_themed(theme.clone())
            .with_width(style.width)
            .with_context_lines(CONTEXT_LINES)
    };
    // Each file with findings masked and indexed once, on every thread.
    let mut files: Vec<u32> = outcome.findings.iter().map(|f| f.loc.file).collect();
    files.sort_unstable();
    files.dedup();
    // The run keeps (or reads again) the text of every file with findings, unless the file
    // changed since it was checked: then no snippet rather than a wrong one.
    let loaded: HashMap<u32, Option<Source>> = super::parts(&files, 16, |_, chunk| {
        chunk
            .iter()
            .map(|&file| (file, redact::masked(outcome, file).map(Source::new)))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    // Each finding drawn on its own, on every thread, in order.
    let mut out = super::parts(&outcome.findings, 64, |_, chunk| {
        let handler = handler();
        let mut out = String::new();
        for f in chunk {
            finding(outcome, f, &loaded, &handler, &mut out);
        }
        out
    })
    .concat();
    if options.show_suppressed {
        out.push_str(&suppression_list(outcome));
    }
    if options.quiet {
        return out;
    }
    if outcome.findings.len() > super::statistics::TABLE_THRESHOLD {
        out.push_str(&super::statistics::by_rule(outcome));
        out.push('\n');
    }
    out.push_str(&super::footer(outcome, true));
    out
}

/// Draw one finding (its snippet, or its position when none can be drawn, then the notes of
/// its labels that are not in the snippet) and a blank line.
fn finding(
    outcome: &Outcome,
    f: &Finding,
    loaded: &HashMap<u32, Option<Source>>,
    handler: &GraphicalReportHandler,
    out: &mut String,
) {
    let source = loaded.get(&f.loc.file).and_then(Option::as_ref);
    let path = shown_path(outcome, f.loc.file);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(short_label(f)),
        drawn_span(source, f.loc.span),
    )];
    // Labels on lines too long to draw are named in a note, like those in other files. So
    // are labels far above the finding: miette draws them in a snippet of their own, first,
    // and the first location a reader (or a terminal's link) meets must be the finding's.
    let drawable = |l: &&crate::rules::Label| {
        l.loc.file == f.loc.file
            && source.is_some_and(|s| {
                !s.long_line(l.loc.span.start as usize)
                    && (l.loc.span.start >= f.loc.span.start
                        || same_snippet(s, &path, l.loc.span, f.loc.span))
            })
    };
    for l in f.related.iter().filter(drawable) {
        labels.push(LabeledSpan::new_with_span(
            Some(terminal::line(&l.message).into_owned()),
            drawn_span(source, l.loc.span),
        ));
    }
    let title = format!("{}:{}:{}", path, f.loc.start.line, f.loc.start.column);
    // Minified files put everything on one line: drawing it would flood the terminal, so
    // such findings are shown by position only (JSON output has the exact columns).
    let source = source.filter(|s| !s.long_line(f.loc.span.start as usize));
    let diag = Rendered {
        message: terminal::line(&f.message).into_owned(),
        code: format!("{} {}", f.rule.code, f.rule.name),
        severity: match f.severity {
            RuleSeverity::Error => Severity::Error,
            RuleSeverity::Warning => Severity::Warning,
        },
        help: help_with_fix(outcome, f),
        source: source.map(|source| Snippet {
            name: &path,
            source,
        }),
        labels,
    };
    if diag.source.is_none() {
        out.push_str(&title);
        out.push('\n');
    }
    let mut buf = String::new();
    if handler.render_report(&mut buf, &diag).is_err() {
        buf = format!("{title}: {} [{}]\n", diag.message, f.rule.code);
    }
    out.push_str(&buf);
    // Labels in other files (or on lines too long to draw) are not in this snippet: name
    // them.
    let shown = diag.source.is_some();
    for l in f
        .related
        .iter()
        .filter(|l| !shown || !drawable(l))
        .filter(|l| shown || l.loc.file != f.loc.file)
    {
        out.push_str(&format!(
            "  note: {}: {}:{}:{}\n",
            terminal::line(&l.message),
            shown_path(outcome, l.loc.file),
            l.loc.start.line,
            l.loc.start.column
        ));
    }
    out.push('\n');
}

/// Notes about the baseline (entries gone, file written).
pub fn notes(outcome: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    let r = &outcome.filtered;
    if r.baseline_gone > 0 {
        out.push(format!(
            "{} no longer {}; rewrite the baseline with --write-baseline to drop {}",
            plural(r.baseline_gone, "baseline entry").replace("entrys", "entries"),
            if r.baseline_gone == 1 {
                "occurs"
            } else {
                "occur"
            },
            if r.baseline_gone == 1 { "it" } else { "them" },
        ));
    }
    if let Some(w) = &r.written {
        let mut note = format!(
            "wrote baseline {} ({}",
            display_path(&w.path),
            plural(w.entries, "entry").replace("entrys", "entries")
        );
        if w.removed > 0 {
            note.push_str(&format!(
                "; removed {} that no longer {}",
                w.removed,
                if w.removed == 1 { "occurs" } else { "occur" }
            ));
        }
        note.push(')');
        if w.not_added > 0 {
            note.push_str(&format!(
                "; {} not added (a baseline only shrinks; --allow-new adds them)",
                plural(w.not_added, "new finding")
            ));
        }
        out.push(note);
    }
    out
}

/// `--show-suppressed`: every suppression, where it is, why, until when, and what it hid.
pub fn suppression_list(outcome: &Outcome) -> String {
    use crate::outcome::{Origin, Status};
    let list = &outcome.filtered.suppressions;
    let mut out = format!("Suppressions ({}):\n", list.len());
    if list.is_empty() {
        out.push_str("  none\n");
    }
    for s in list {
        let codes: Vec<&str> = s.rules.iter().map(|r| r.code).collect();
        let place = format!(
            "{}:{}:{}",
            shown_path(outcome, s.loc.file),
            s.loc.start.line,
            s.loc.start.column
        );
        let what = match &s.origin {
            Origin::Inline => format!("allow {}", codes.join(", ")),
            Origin::Exception { file, pointer } => {
                format!("exception {} for `{file}` at `{pointer}`", codes.join(", "))
            }
        };
        out.push_str(&format!("  {place}: {}\n", terminal::line(&what)));
        out.push_str(&format!(
            "    reason: {}\n",
            terminal::line(s.reason.as_deref().unwrap_or("(none)"))
        ));
        out.push_str(&format!(
            "    until: {}\n",
            s.until.map_or("(no expiry)".to_string(), |d| d.to_string())
        ));
        let status = match s.status {
            Status::Active if s.suppressed.is_empty() => "active, suppressed nothing".to_string(),
            Status::Active => format!(
                "active, suppressed {}",
                plural(s.suppressed.len(), "finding")
            ),
            Status::NoReason => "not applied: no reason given".to_string(),
            Status::Expired => "not applied: expired".to_string(),
            Status::Invalid => "not applied: cannot be read".to_string(),
            Status::Forbidden => "not applied: the rule cannot be suppressed".to_string(),
        };
        out.push_str(&format!("    status: {status}\n"));
        for f in &s.suppressed {
            out.push_str(&format!(
                "      {}:{}:{} {} {}: {}\n",
                shown_path(outcome, f.loc.file),
                f.loc.start.line,
                f.loc.start.column,
                f.rule.code,
                f.rule.name,
                terminal::line(&f.message)
            ));
        }
    }
    out.push('\n');
    out
}

const MAX_SNIPPET_LINE: usize = 240;

/// The help, and the fix when one can be made, with the flag that makes it.
fn help_with_fix(outcome: &Outcome, f: &Finding) -> String {
    let help = terminal::line(&f.help).into_owned();
    let Some((fix, _)) = crate::fix::of(outcome, f) else {
        return help;
    };
    let how = match (&fix.reason, fix.applicability) {
        (Some(reason), _) => format!("unsafe fix, {}: {reason}", fix.applicability.flag()),
        (None, a) => format!("{} fix, {}", a.as_str(), a.flag()),
    };
    format!(
        "{help}\nfix ({}): {}",
        terminal::line(&how),
        terminal::line(&fix.message)
    )
}

/// A file's path as shown on a terminal.
fn shown_path(outcome: &Outcome, file: u32) -> String {
    terminal::line(&display_path(outcome.path(file))).into_owned()
}

fn short_label(f: &Finding) -> String {
    match f.severity {
        RuleSeverity::Error | RuleSeverity::Warning => f.rule.name.to_string(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `3 errors, 1 warning in 2 files; 41 files checked`.
pub fn summary(outcome: &Outcome) -> String {
    let files_with: std::collections::BTreeSet<u32> =
        outcome.findings.iter().map(|f| f.loc.file).collect();
    let checked = plural(outcome.files_checked, "file");
    let mut line = if outcome.findings.is_empty() {
        format!("No problems found; {checked} checked")
    } else {
        format!(
            "{}, {} in {}; {checked} checked",
            plural(outcome.errors(), "error"),
            plural(outcome.warnings(), "warning"),
            plural(files_with.len(), "file"),
        )
    };
    if !outcome.skipped.is_empty() {
        line.push_str(&format!(", {} skipped", outcome.skipped.len()));
    }
    let suppressed = outcome.filtered.suppressed();
    let baselined = outcome.filtered.baselined;
    let mut hidden = Vec::new();
    if suppressed > 0 {
        hidden.push(format!("{suppressed} suppressed"));
    }
    if baselined > 0 {
        hidden.push(format!("{baselined} baselined"));
    }
    if !hidden.is_empty() {
        line.push_str(&format!("; {}", hidden.join(", ")));
    }
    let (safe, unsafe_) = crate::fix::fixable(outcome);
    match (safe, unsafe_) {
        (0, 0) => {}
        (0, n) => line.push_str(&format!("; {n} fixable with --fix --unsafe-fixes")),
        (n, 0) => line.push_str(&format!("; {n} fixable with --fix")),
        (n, m) => line.push_str(&format!(
            "; {n} fixable with --fix ({m} more with --unsafe-fixes)"
        )),
    }
    line
}
