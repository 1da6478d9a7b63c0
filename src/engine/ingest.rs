//! One file, start to finish: pre-filter, parse, adapt (unrendered templates included), read
//! its suppression comments. Runs in parallel, one task per file; a panic fails the file, not
//! the run.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use super::Options;
use crate::adapters;
use crate::document::{self, Document, Entry, LineIndex, Node, Span, Syntax, Value};
use crate::model::{LocCtx, Model};
use crate::rules::{Finding, INVALID_SPEC};
use crate::source::Kind;
use crate::suppress::{self, Directive};

/// What one file contributed.
#[derive(Debug, Default)]
pub(super) struct FileResult {
    pub(super) model: Model,
    pub(super) findings: Vec<Finding>,
    pub(super) skipped: Option<String>,
    pub(super) directives: Vec<Directive>,
    pub(super) parse_failed: bool,
    /// Which adapters the pre-filter chose (computed once per file).
    pub(super) applicable: adapters::Applicable,
    /// Whether the file contributed anything (model values, findings, directives, values for
    /// a multi-file step): its text may be needed for snippets and fingerprints.
    pub(super) contributed: bool,
    /// The text, when it is kept for the whole run (in-memory buffers: the engine sets it). A
    /// file on disk keeps only a digest instead, and is read again at the end if it has
    /// findings ([`load_texts`]); a multi-file step holds the texts it reads until it is done.
    pub(super) text: Option<Arc<str>>,
    /// What the file gives the adapters' multi-file steps (see `adapters::multi_file`).
    pub(super) kept: Option<adapters::multi_file::Kept>,
    /// Whether a document of the file is in a format an adapter reads, found something or
    /// not (see `adapters::unread`).
    pub(super) recognized: bool,
    /// Where its secrets are, when the file parsed (see `document::secrets`); kept only
    /// for a file that contributed (its text may be shown).
    pub(super) secrets: Option<Vec<Span>>,
    /// Read from UTF-16: never edited (see `Outcome::utf16`).
    pub(super) utf16: bool,
}

impl FileResult {
    pub(super) fn skipped(reason: String) -> FileResult {
        FileResult {
            skipped: Some(reason),
            ..FileResult::default()
        }
    }
}

/// Parse and adapt one file, then read its `atlasgov-lint:` directives, and note whether it
/// contributed anything (its text may be needed for reporting).
pub(super) fn process_file(
    file: u32,
    path: &Path,
    text: &str,
    kind: Kind,
    options: &Options,
) -> FileResult {
    guarded(file, path, text, || {
        process_file_unguarded(file, path, text, kind, options)
    })
}

/// Run the work on one file so that a bug (a panic) fails that file, not the run: the other
/// files are still checked, and the file gets a GOV000 error, so the run cannot pass as if it
/// had been read. (The code denies `unwrap`, indexing and `panic!`; this is the net under it.)
fn guarded(file: u32, path: &Path, text: &str, work: impl FnOnce() -> FileResult) -> FileResult {
    let payload = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(result) => return result,
        Err(payload) => payload,
    };
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let index = LineIndex::new(text);
    let ctx = LocCtx::new(file, path, text, &index);
    FileResult {
        findings: vec![Finding::new(
            &INVALID_SPEC,
            &ctx.loc_of(Span::new(0, 0), ""),
            format!(
                "atlasgov-lint failed on this file (a bug: please report it): {what}; nothing in this file was checked"
            ),
            "report the file (or a copy without secrets) to the maintainers; until it is fixed, exclude it in the config",
        )],
        parse_failed: true,
        ..FileResult::default()
    }
}

/// How much of a JSON file's start is searched for the words of this tool's reports.
const REPORT_HEAD: usize = 256;

fn process_file_unguarded(
    file: u32,
    path: &Path,
    text: &str,
    kind: Kind,
    options: &Options,
) -> FileResult {
    // A report of this tool's left among the files (`-o results.sarif.json`) is not a spec.
    // Each format says what it is in its first lines (SARIF its schema, the JSON report
    // `findings`, GitLab's `check_name`): only the head is searched before reading it whole.
    let head = text
        .as_bytes()
        .get(..REPORT_HEAD)
        .unwrap_or(text.as_bytes());
    let report_words: [&[u8]; 3] = [b"sarif", b"\"findings\"", b"\"check_name\""];
    if kind.syntax == Syntax::Json
        && report_words
            .iter()
            .any(|w| memchr::memmem::find(head, w).is_some())
        && crate::outcome::is_report(text)
    {
        return FileResult::default();
    }
    // A PowerShell script is read by no adapter: one that uses Atlas is not checked, and
    // says so.
    if crate::source::is_powershell(path) {
        return FileResult {
            skipped: adapters::unread::powershell_reason(text).map(str::to_string),
            ..FileResult::default()
        };
    }
    // Nor is a program in Go, .NET or Java: its manifest says whether it uses Pulumi's Atlas
    // provider, and so is listed as not checked.
    if crate::source::is_program_manifest(path) {
        return FileResult {
            skipped: adapters::unread::pulumi_program_reason(text).map(str::to_string),
            ..FileResult::default()
        };
    }
    let mut result = process(file, path, text, kind.syntax, options);
    super::drop_unread_settings(&mut result.model, options);
    // Parts of the file an adapter could not read: nothing in them was checked.
    for part in std::mem::take(&mut result.model.unread) {
        result.findings.push(Finding::new(
            &INVALID_SPEC,
            &part.loc,
            part.message,
            part.help,
        ));
    }
    // A file kept for a multi-file step may name no Atlas field (a Terraform variables file),
    // but a value set there can be suppressed where it is set.
    if memchr::memmem::find(text.as_bytes(), suppress::MARKER.as_bytes()).is_some()
        && (result.kept.is_some() || !result.applicable.is_empty())
    {
        let index = LineIndex::new(text);
        let ctx = LocCtx::new(file, path, text, &index);
        result.directives = suppress::scan(&ctx, kind.comments);
        // In a program's code, a directive's text inside a string (a docstring, a template
        // over several lines) is no comment.
        let strings = match kind.syntax {
            Syntax::Js => document::js::strings(text),
            Syntax::Py => document::py::strings(text),
            _ => Vec::new(),
        };
        if !strings.is_empty() {
            result.directives.retain(|d| {
                let at = d.loc.span.start;
                let i = strings.partition_point(|s| s.end <= at);
                strings.get(i).is_none_or(|s| at < s.start)
            });
        }
    }
    // A file kept for a multi-file step (whose values become model values later, in that
    // step) may be where a value used elsewhere is written, and where its finding is reported.
    result.contributed = result.kept.is_some()
        || !result.model.is_empty()
        || !result.model.auth_mechanisms.is_empty()
        || !result.model.endpoints.is_empty()
        || !result.findings.is_empty()
        || !result.directives.is_empty();
    if !result.contributed {
        result.secrets = None;
    }
    // No silent pass: a file that names Atlas but that nothing could read is not checked.
    if !result.contributed
        && !result.recognized
        && result.kept.is_none()
        && result.skipped.is_none()
        && !result.applicable.is_empty()
    {
        if let Some(marker) = adapters::unread::atlas_marker(text) {
            result.skipped = Some(adapters::unread::reason(marker));
        }
    }
    result
}

/// Parse a template's blanked text (see `document::template`) and adapt it, its actions
/// unknowns. On a parse error nothing is adapted.
fn adapt_template(
    ctx: &LocCtx<'_>,
    blanked: &str,
    actions: &[Span],
    syntax: Syntax,
    options: &Options,
    which: adapters::Applicable,
    result: &mut FileResult,
) -> Result<(), document::ParseError> {
    let mut doc = document::parse(blanked, syntax, &options.limits)?;
    // The tree of the blanked text, the secrets' text as written (offsets are the same).
    if options.secrets {
        result.secrets = Some(secrets_of(&doc, ctx.text, syntax));
    }
    for root in &mut doc.roots {
        document::template::mark(root, actions, ctx.text);
    }
    let ctx = &LocCtx {
        template_actions: actions,
        ..*ctx
    };
    // Keys repeated across a template's branches (an action between them) are not duplicates
    // (`mark` made their values unknown); other repeats are, as in any file.
    doc.warnings.retain(|w| {
        w.related.is_none_or(|first| {
            !document::template::action_between(actions, first.start, w.span.start)
        })
    });
    adapt_documents(ctx, doc, which, result);
    Ok(())
}

/// Parse and adapt one file.
pub(super) fn process(
    file: u32,
    path: &Path,
    text: &str,
    syntax: Syntax,
    options: &Options,
) -> FileResult {
    let mut which = adapters::applicable(text);
    // A settings file's lines (`.env`, `.properties`) are values to judge, never an Atlas
    // body: `type=DATADOG` there is no integration.
    if matches!(syntax, Syntax::Shell(d) if d.is_settings()) {
        which = which.settings_only();
    }
    let mut result = FileResult {
        applicable: which,
        ..FileResult::default()
    };
    // Some files matter to other files (a Terraform module's variables and tfvars).
    let interest = adapters::multi_file::interest(path, syntax, text);
    // A JavaScript, TypeScript or Python module is read only as a Pulumi program's code: any other
    // is not a spec, whatever words it holds.
    if matches!(syntax, Syntax::Js | Syntax::Py) && !interest.parse {
        return FileResult::default();
    }
    if which.is_empty() && !interest.parse {
        // A Terraform file of other resources may use the Atlas configuration's variables.
        if matches!(syntax, Syntax::Hcl | Syntax::Json) {
            result.kept = adapters::multi_file::references_only(file, path, text);
        }
        return result;
    }
    let index = LineIndex::new(text);
    let ctx = LocCtx::new(file, path, text, &index);
    let parsed = document::parse(text, syntax, &options.limits);
    if let (Ok(doc), true) = (&parsed, options.secrets) {
        result.secrets = Some(secrets_of(doc, text, syntax));
    }
    match parsed {
        Ok(doc) if adapters::multi_file::reads_whole_file(path, syntax) => {
            // Read by a multi-file step, whatever it holds (a Terraform JSON file that uses
            // the Atlas provider: its comments and trailing commas, which Terraform refuses,
            // are reported).
            result.recognized = true;
            if memchr::memmem::find(text.as_bytes(), b"mongodbatlas").is_some() {
                report_warnings(
                    &ctx,
                    doc.warnings.iter().filter(|w| w.help.is_some()),
                    &mut result,
                );
            }
            if let Some(root) = doc
                .roots
                .first()
                .filter(|_| !matches!(syntax, Syntax::Js | Syntax::Py))
            {
                adapters::adapt_literals(&ctx, root, which, &mut result.model);
            }
            result.kept = doc
                .roots
                .into_iter()
                .next()
                .and_then(|root| adapters::multi_file::keep(&ctx, root, index.clone()));
        }
        // A settings file in JSON (`terraform.tfvars.json`): kept for its multi-file step, and
        // a JSON file like any other for the any-file adapter.
        Ok(doc) if interest.parse => {
            result.kept = doc
                .roots
                .first()
                .cloned()
                .and_then(|root| adapters::multi_file::keep(&ctx, root, index.clone()));
            adapt_documents(&ctx, doc, which, &mut result);
        }
        Ok(doc) => {
            // An unquoted action (`region: {{ .Values.region }}`) parses as a flow mapping:
            // read such a file as the template it is.
            let template = (syntax.may_be_template()
                && memchr::memmem::find(text.as_bytes(), b"{{").is_some())
            .then(|| document::template::blank(text))
            .flatten()
            .filter(|(_, actions)| document::template::read_as_structure(&doc.roots, actions));
            match template {
                Some((blanked, actions))
                    if adapt_template(
                        &ctx,
                        &blanked,
                        &actions,
                        syntax,
                        options,
                        which,
                        &mut result,
                    )
                    .is_ok() => {}
                _ => adapt_documents(&ctx, doc, which, &mut result),
            }
        }
        Err(err) if matches!(syntax, Syntax::Js | Syntax::Py) => {
            result.skipped = Some(format!(
                "a Pulumi program's code that was not read: {}",
                err.message
            ));
        }
        Err(err) => {
            // Files that name no Atlas field are not Atlas specs; but a settings file the
            // format loads by itself that does not parse would leave its values unseen (a
            // Terraform module's variables at their defaults; Terraform itself refuses it).
            if which.is_empty() && !interest.settings_file {
                return result;
            }
            // Nor are files that hold only the common words of the adapters' needles
            // (`username`, `orgId`): a broken CI workflow, a Rails `database.yml`.
            // A Terragrunt configuration is one only of the modules it may run: one that does
            // not parse and names no Atlas format is another module's (a VPC's).
            let settings_file =
                interest.settings_file && !adapters::terraform::module::is_terragrunt(path);
            if !settings_file && !adapters::unread::names_atlas(text) {
                return result;
            }
            // `mongoexport` output and event logs: JSON Lines, data rather than a spec.
            if syntax == Syntax::Json && adapters::unread::is_json_lines(text, &options.limits) {
                return result;
            }
            // An unrendered template (a Helm chart's manifest): what it says literally is
            // checked, its actions are unknowns (see `document::template`).
            let mut err = err;
            if syntax.may_be_template() {
                if let Some((blanked, actions)) = document::template::blank(text) {
                    match adapt_template(
                        &ctx,
                        &blanked,
                        &actions,
                        syntax,
                        options,
                        which,
                        &mut result,
                    ) {
                        Ok(()) => return result,
                        Err(e) => {
                            let line = |at: u32| index.line_col(text, at).line;
                            // An action on the failing line or the one above it is the
                            // likely cause; an error elsewhere is the file's own.
                            let at = line(e.span.start);
                            let near = |a: &Span| {
                                (line(a.start)..=line(a.end).saturating_add(1)).contains(&at)
                            };
                            if actions.iter().any(near) {
                                result.skipped = Some(
                                    "an unrendered template ({{ }}) that does not parse as it \
                                     stands: render it (e.g. `helm template`) and check the output"
                                        .to_string(),
                                );
                                return result;
                            }
                            err = e;
                        }
                    }
                }
            }
            if syntax.may_be_template()
                && adapters::unread::neutral_placeholders(text)
                    .is_some_and(|t| document::parse(&t, syntax, &options.limits).is_ok())
            {
                result.skipped = Some(
                    "an unrendered template (`${NAME}` placeholders, as `envsubst` fills them) \
                     that does not parse as it stands: render it and check the output"
                        .to_string(),
                );
                return result;
            }
            if syntax.may_be_template() && adapters::unread::has_statement_template(text) {
                result.skipped = Some(
                    "an unrendered template (ERB `<% %>` or Jinja `{% %}`) that does not parse as \
                     it stands: render it and check the output"
                        .to_string(),
                );
                return result;
            }
            // A file named on the command line in no format the tool reads (a README, a
            // Go file: read as YAML, the fallback) is not a broken spec: it is one nothing
            // reads, said so when it names an Atlas format.
            if crate::source::kind(path).is_none()
                && path.as_os_str() != crate::outcome::Buffer::STDIN_NAME
            {
                if let Some(marker) = adapters::unread::atlas_marker(text) {
                    result.skipped = Some(adapters::unread::reason(marker));
                }
                return result;
            }
            result.parse_failed = true;
            let span = clamp(err.span, text.len());
            result.findings.push(Finding::new(
                &INVALID_SPEC,
                &ctx.loc_of(span, ""),
                if which.is_empty() {
                    format!(
                        "this variables file does not parse, so the values it sets were not read: {}",
                        err.message
                    )
                } else {
                    format!(
                        "this file looks like an Atlas spec but does not parse: {}",
                        err.message
                    )
                },
                match syntax {
                    Syntax::Json => "fix the JSON syntax; nothing in this file was checked",
                    Syntax::Yaml => "fix the YAML syntax; nothing in this file was checked",
                    Syntax::Hcl => "fix the HCL syntax; nothing in this file was checked",
                    Syntax::Shell(_) => "fix the shell syntax; nothing in this file was checked",
                    Syntax::Js | Syntax::Py => "nothing in this file was checked",
                },
            ));
        }
    }
    result
}

/// Where the secrets of a parsed file are (sorted, merged): found on its trees, or for a
/// script (whose tree is its command lines) on its lines.
pub(super) fn secrets_of(doc: &Document, text: &str, syntax: Syntax) -> Vec<Span> {
    let mut out = Vec::new();
    if !document::secrets::worth_searching(text) {
        return out;
    }
    match syntax {
        Syntax::Shell(dialect) => {
            document::secrets::collect_lines_of(text, dialect.is_settings(), &mut out)
        }
        Syntax::Json | Syntax::Yaml | Syntax::Hcl | Syntax::Js | Syntax::Py => {
            for root in &doc.roots {
                document::secrets::collect(root, text, &mut out);
            }
        }
    }
    document::secrets::normalize(&mut out);
    out
}

/// Adapt the documents of a parsed YAML or JSON file, and report the duplicate keys of those
/// that are Atlas specs.
fn adapt_documents(
    ctx: &LocCtx<'_>,
    doc: Document,
    which: adapters::Applicable,
    result: &mut FileResult,
) {
    // Anchored nodes used again through aliases, for fixes (a file that gives nothing keeps
    // none: see `FileResult::contributed`).
    for a in &doc.aliased {
        result.model.aliased.push(crate::model::Aliased {
            file: ctx.file,
            span: a.anchored,
            uses: a.uses.iter().map(|u| ctx.loc_of(*u, "")).collect(),
        });
    }
    // Documents that gave the model something: only their duplicate keys are
    // reported (a ConfigMap beside an AtlasProject in one stream is not an Atlas body).
    let mut atlas_docs: Vec<Span> = Vec::new();
    for root in &doc.roots {
        let mut part = Model::default();
        adapters::adapt(ctx, root, which, &mut part);
        // A document that gave nothing: is it in a format an adapter reads at all?
        let recognized = part.is_empty().then(|| adapters::unread::recognized(root));
        // Only a file that gives nothing needs to say whether it was read at all.
        result.recognized |= recognized == Some(true);
        // A document that names Atlas in a shape no adapter reads, in a stream whose other
        // documents were read: the file is not wholly checked, so it is listed as skipped
        // (its other findings stand).
        if recognized == Some(false) && doc.roots.len() > 1 && result.skipped.is_none() {
            let own = ctx
                .text
                .get(root.span.start as usize..root.span.end as usize)
                .unwrap_or("");
            if let Some(marker) = adapters::unread::atlas_marker(own) {
                let line = ctx.loc_of(root.span, "").start.line;
                result.skipped = Some(adapters::unread::document_reason(marker, line));
            }
        }
        let has_duplicates = || {
            doc.warnings
                .iter()
                .any(|w| w.related.is_some() && within(root.span, w.span))
        };
        // The rules read the last of duplicate keys. A document that is Atlas only
        // when the first one wins (`kind: AtlasDeployment` ... `kind: ConfigMap`) must
        // not pass unseen: its duplicates are reported too.
        if !part.is_empty() || (has_duplicates() && is_atlas_first_wins(ctx, root, which)) {
            atlas_docs.push(root.span);
        }
        result.model.extend(part);
    }
    // A JSON file's one document owns what is outside its root too (a header comment).
    let whole_file = doc.roots.len() == 1 && !atlas_docs.is_empty();
    let in_atlas_doc = |s: Span| whole_file || atlas_docs.iter().any(|d| within(*d, s));
    report_warnings(
        ctx,
        doc.warnings.iter().filter(|w| in_atlas_doc(w.span)),
        result,
    );
}

/// The parser's warnings in an Atlas spec, as GOV000 findings.
fn report_warnings<'w>(
    ctx: &LocCtx<'_>,
    warnings: impl Iterator<Item = &'w document::ParseWarning>,
    result: &mut FileResult,
) {
    for w in warnings {
        let mut finding = Finding::new(
            &INVALID_SPEC,
            &ctx.loc_of(w.span, ""),
            w.message.clone(),
            w.help.unwrap_or(if w.related.is_some() {
                "remove the duplicate so that every tool reads the same value"
            } else {
                "fix this so that every tool reads the same value"
            }),
        );
        if let Some(related) = w.related {
            finding = finding.with_label(&ctx.loc_of(related, ""), "first occurrence");
        }
        result.findings.push(finding);
    }
}

fn within(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Whether a document gives the model anything when the first of duplicate keys wins.
fn is_atlas_first_wins(ctx: &LocCtx<'_>, root: &Node, which: adapters::Applicable) -> bool {
    let mut part = Model::default();
    adapters::adapt(ctx, &first_wins(root), which, &mut part);
    !part.is_empty()
}

/// A copy of a tree in which every mapping keeps only the first of duplicate keys. Recursion
/// is bounded by the parsers' depth limit.
fn first_wins(node: &Node) -> Node {
    let value = match &node.value {
        Value::Map(entries) => {
            let mut seen = HashSet::new();
            Value::Map(
                entries
                    .iter()
                    .filter(|e| e.key.scalar_text().is_none_or(|k| seen.insert(k)))
                    .map(|e| Entry {
                        key: e.key.clone(),
                        value: first_wins(&e.value),
                    })
                    .collect(),
            )
        }
        Value::Seq(items) => Value::Seq(items.iter().map(first_wins).collect()),
        other => other.clone(),
    };
    Node {
        value,
        span: node.span,
        tag: node.tag.clone(),
    }
}

fn clamp(span: Span, len: usize) -> Span {
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    Span {
        start: span.start.min(len),
        end: span.end.min(len).max(span.start.min(len)),
    }
}

#[cfg(test)]
mod guard_tests {
    use super::*;

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_on_one_file_is_a_finding_on_that_file() {
        let result = guarded(3, Path::new("x.yaml"), "a: b\n", || panic!("boom"));
        assert_eq!(result.findings.len(), 1);
        let f = result
            .findings
            .first()
            .map(|f| (f.rule.code, f.loc.file, f.message.clone()));
        assert_eq!(
            f,
            Some((
                "GOV000",
                3,
                "atlasgov-lint failed on this file (a bug: please report it): boom; nothing in this file was checked".to_string()
            ))
        );
        assert!(result.parse_failed);
        let fine = guarded(0, Path::new("x.yaml"), "", FileResult::default);
        assert!(fine.findings.is_empty());
    }
}
