//! Code actions: the quick fix of a diagnostic (kind `quickfix`; an unsafe one says so in its
//! title and is never preferred), "suppress with a reason" (an `atlasgov-lint:` comment on the
//! line above, where the file's syntax has comments), and `source.fixAll.atlasgov-lint`: the
//! safe fixes of the document. Ranges are in the client's position encoding (UTF-16).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit as LspEdit, Uri, WorkspaceEdit,
};

use super::diagnostics::Render;
use super::text::{LineMap, path_to_uri};
use crate::fix::{self, TextEdit};
use crate::paths;
use crate::rules::Finding;
use crate::rules::fix::Applicability;
use crate::source::{self, Comments};

/// The kind of the action that applies every safe fix of a document.
pub const FIX_ALL: &str = "source.fixAll.atlasgov-lint";

/// Whether a client that asked `only` these kinds wants actions of `kind` (kinds nest by
/// dots: `source` covers `source.fixAll.atlasgov-lint`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

fn overlaps(a: &Range, b: &Range) -> bool {
    a.start.line <= b.end.line && b.start.line <= a.end.line
}

/// The actions for the diagnostics of `render`'s document that touch `range`.
pub(super) fn code_actions(
    render: &Render<'_>,
    range: &Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let outcome = render.outcome;
    let findings: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.loc.file == render.file)
        .collect();
    let kind = source::kind_for(&render.doc.path, &render.doc.text);
    for f in &findings {
        let diagnostic = render.diagnostic(f);
        if !overlaps(&diagnostic.range, range) {
            continue;
        }
        if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
            if let Some((fx, edits)) = fix::of(outcome, f) {
                let title = match (fx.applicability, &fx.reason) {
                    (Applicability::Safe, _) => format!("Fix {}: {}", f.rule.code, fx.message),
                    (Applicability::Unsafe, Some(reason)) => {
                        format!("Fix {} (unsafe: {reason}): {}", f.rule.code, fx.message)
                    }
                    (Applicability::Unsafe, None) => {
                        format!("Fix {} (unsafe): {}", f.rule.code, fx.message)
                    }
                };
                if let Some(edit) = workspace_edit(render, &edits) {
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diagnostic.clone()]),
                        edit: Some(edit),
                        is_preferred: Some(fx.applicability == Applicability::Safe),
                        ..CodeAction::default()
                    }));
                }
            }
            // JSON: an Atlas body or template cannot hold a comment, so the config says it.
            if kind.comments != Comments::Slashes {
                if let Some(edit) = suppression(render, f, kind.syntax) {
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!("Suppress {} on this line (with a reason)", f.rule.code),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diagnostic]),
                        edit: Some(edit),
                        ..CodeAction::default()
                    }));
                }
            } else if let Some(edit) = exception(render, f) {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!(
                        "Add a config exception for {} here (with a reason)",
                        f.rule.code
                    ),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic]),
                    edit: Some(edit),
                    ..CodeAction::default()
                }));
            }
        }
    }
    if wanted(only, FIX_ALL) && (only.is_some() || !out.is_empty()) {
        let plan = fix::plan(outcome, Applicability::Safe);
        let edits: Vec<TextEdit> = plan.edits.get(&render.file).cloned().unwrap_or_default();
        if !edits.is_empty() {
            if let Some(edit) = workspace_edit(render, &edits) {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: "Fix all safe atlasgov-lint findings".to_string(),
                    kind: Some(CodeActionKind::from(FIX_ALL.to_string())),
                    edit: Some(edit),
                    ..CodeAction::default()
                }));
            }
        }
    }
    out
}

// `WorkspaceEdit::changes` is keyed by `Uri`, whose parsed parts are cached in cells that
// never change its hash or equality.
#[allow(clippy::mutable_key_type)]
/// Byte edits as a workspace edit: the document's by the editor's text, other files' by
/// their text on disk.
fn workspace_edit(render: &Render<'_>, edits: &[TextEdit]) -> Option<WorkspaceEdit> {
    let mut changes: HashMap<Uri, Vec<LspEdit>> = HashMap::new();
    for e in edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        let (uri, range) = if e.file == render.file {
            (render.doc.uri.clone(), render.map.range(start, end))
        } else {
            let text = render.outcome.text(e.file)?;
            let path = paths::absolute(render.outcome.path(e.file), render.cwd);
            let mut range = LineMap::new(text).range(start, end);
            // Editors do not show a file's byte order mark: line 1 starts after it.
            if text.starts_with('\u{FEFF}') {
                for p in [&mut range.start, &mut range.end] {
                    if p.line == 0 {
                        p.character = p.character.saturating_sub(1);
                    }
                }
            }
            (path_to_uri(&path)?, range)
        };
        changes.entry(uri).or_default().push(LspEdit {
            range,
            new_text: e.new.clone(),
        });
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

#[allow(clippy::mutable_key_type)]
/// An `atlasgov-lint: allow` comment on a line of its own above the finding's line, indented
/// like it, for the user to complete with the reason.
fn suppression(
    render: &Render<'_>,
    f: &Finding,
    syntax: crate::document::Syntax,
) -> Option<WorkspaceEdit> {
    let text = render.doc.text.as_str();
    let start = f.loc.span.start as usize;
    let line_start = comment_place(text, start, syntax)?;
    let line = text.get(line_start..).unwrap_or("");
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // A line that starts with the byte order mark keeps it first.
    let at = if line_start == 0 && text.starts_with('\u{FEFF}') {
        3
    } else {
        line_start
    };
    let comment = format!(
        "{indent}# {} allow {} -- {}{eol}",
        crate::suppress::MARKER,
        f.rule.code,
        crate::suppress::PLACEHOLDER_REASON,
    );
    let position = render.map.position(at);
    let mut changes = HashMap::new();
    changes.insert(
        render.doc.uri.clone(),
        vec![LspEdit {
            range: Range {
                start: position,
                end: position,
            },
            new_text: comment,
        }],
    );
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// Where a line of its own above the finding's line is a comment that covers it: the start of
/// the line the comment goes above. That is the first line of the command a trailing
/// backslash continues onto the finding's line (a comment between them would end the command;
/// the directive covers the whole command). `None` where a `#` line would not be a comment
/// but part of a value: inside a YAML block scalar (except the literal script of a CI step,
/// `run: |`, `script: |`, where it is a shell comment), inside a Terraform heredoc.
fn comment_place(text: &str, at: usize, syntax: crate::document::Syntax) -> Option<usize> {
    use crate::document::Syntax;
    let line_start_of = |i: usize| {
        text.get(..i)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |n| n + 1)
    };
    let mut start = line_start_of(at);
    match crate::suppress::continuation_dialect(syntax) {
        // The comment goes above the command's first line (it covers the whole command).
        Some(dialect) => start = crate::suppress::command_start(text, start, dialect),
        // Elsewhere a directive covers one line: a continued command's later line (in a CI
        // step's script) cannot take one.
        None => {
            let continued = start
                .checked_sub(1)
                .and_then(|end| text.get(line_start_of(end)..end))
                .is_some_and(|l| crate::suppress::continues(l.trim_end_matches('\r')));
            if continued {
                return None;
            }
        }
    }
    let lines: Vec<&str> = text.get(..start).unwrap_or("").split('\n').collect();
    let indent_of = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    match syntax {
        Syntax::Yaml => {
            let own = text.get(start..).unwrap_or("");
            let own_line = own.split('\n').next().unwrap_or("").trim_end_matches('\r');
            // The lines above that are less indented than everything below them: the line's
            // ancestors. One that opens a block scalar holds the line as text.
            let mut min_indent = indent_of(own);
            let mut in_script = false;
            let script = ["run", "script", "before_script", "after_script", "command"];
            let mut i = lines.len();
            while i > 0 && min_indent > 0 {
                i -= 1;
                let l = lines.get(i).copied().unwrap_or("").trim_end_matches('\r');
                if l.trim().is_empty() || indent_of(l) >= min_indent {
                    continue;
                }
                min_indent = indent_of(l);
                if let Some((literal, key)) = block_scalar_header(l) {
                    // An item of a list of scripts (GitLab's `script:` with `- |` items): the
                    // list's key decides.
                    let key = if key.is_empty() {
                        lines
                            .get(..i)
                            .unwrap_or(&[])
                            .iter()
                            .rev()
                            .map(|p| p.trim_end_matches('\r'))
                            .find(|p| !p.trim().is_empty() && indent_of(p) < indent_of(l))
                            .and_then(|p| p.trim().trim_start_matches("- ").strip_suffix(':'))
                            .unwrap_or("")
                    } else {
                        key
                    };
                    if !(literal && script.contains(&key)) {
                        return None;
                    }
                    in_script = true;
                    break;
                }
            }
            // Outside a script, a comment line goes only above an entry's first line (not
            // between the lines of a multi-line plain or quoted scalar).
            if !in_script && !yaml_entry_start(own_line.trim_start()) {
                return None;
            }
        }
        Syntax::Hcl => {
            // Inside a heredoc (`<<EOT` ... `EOT`) every line is text.
            let mut closing: Option<String> = None;
            for l in &lines {
                let t = l.trim();
                match &closing {
                    Some(id) if t == id => closing = None,
                    Some(_) => {}
                    None => {
                        if let Some(i) = t.rfind("<<") {
                            let id = t.get(i + 2..).unwrap_or("").trim_start_matches('-');
                            if !id.is_empty()
                                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                            {
                                closing = Some(id.to_string());
                            }
                        }
                    }
                }
            }
            if closing.is_some() {
                return None;
            }
        }
        _ => {}
    }
    Some(start)
}

/// A file name as a config glob that matches only itself: glob syntax escaped (`dd[prod].json`
/// is `dd\[prod\].json`).
fn glob_literal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '[' | ']' | '*' | '?' | '{' | '}' | '\\' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether a YAML line starts an entry (a key, a sequence item, a flow collection), so a
/// comment line may go above it.
fn yaml_entry_start(line: &str) -> bool {
    if line.starts_with("- ") || line == "-" || line.starts_with(['{', '[']) {
        return true;
    }
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    let key_end = code
        .find(": ")
        .or_else(|| code.ends_with(':').then(|| code.len() - 1));
    key_end.is_some_and(|i| {
        let key = code.get(..i).unwrap_or("");
        let quoted = (key.starts_with('"') && key.ends_with('"') && key.len() >= 2)
            || (key.starts_with('\'') && key.ends_with('\'') && key.len() >= 2);
        quoted || !key.contains(['"', '\'', ' '])
    })
}

/// A YAML line that opens a block scalar (`key: |`, `key: >-`, `- |2`): whether it is literal
/// (`|`) and its key (empty for a sequence item).
fn block_scalar_header(line: &str) -> Option<(bool, &str)> {
    let code = match line.find(" #") {
        Some(i) => line.get(..i).unwrap_or(line),
        None => line,
    }
    .trim_end();
    let indicator = code
        .rsplit([' ', '\t'])
        .next()
        .filter(|w| w.starts_with(['|', '>']))?;
    if !indicator
        .chars()
        .skip(1)
        .all(|c| c.is_ascii_digit() || c == '+' || c == '-')
    {
        return None;
    }
    let head = code.get(..code.len() - indicator.len())?.trim_end();
    let key = if let Some(k) = head.strip_suffix(':') {
        k.trim().trim_start_matches("- ").trim_matches(['"', '\''])
    } else if head.trim() == "-" || head.trim().is_empty() {
        ""
    } else {
        return None;
    };
    Some((indicator.starts_with('|'), key))
}

#[allow(clippy::mutable_key_type)]
/// An entry of the workspace config's `exceptions` for a finding in a file without comments
/// (JSON): its file (relative to the config's directory), the value's pointer and the rule, and
/// a reason for the user to complete. Appended to the config's block list `exceptions:`, or as
/// a new `exceptions:` at its end; the config is created when there is none. `None` when the
/// config writes `exceptions` another way (a flow list) or cannot be read.
fn exception(render: &Render<'_>, f: &Finding) -> Option<WorkspaceEdit> {
    let config = crate::config::discover(render.cwd)
        .unwrap_or_else(|| render.cwd.join(crate::config::FILE_NAME));
    let config = paths::absolute(&config, render.cwd);
    let dir = config.parent()?;
    let file = paths::absolute(&render.doc.path, render.cwd);
    let relative = file.strip_prefix(dir).ok()?;
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let entry = |indent: &str| {
        format!(
            "{indent}- file: {}\n{indent}  pointer: {}\n{indent}  rule: {}\n{indent}  reason: {}\n",
            quote(&glob_literal(&relative.to_string_lossy())),
            quote(&f.loc.pointer),
            f.rule.code,
            quote(crate::suppress::PLACEHOLDER_REASON),
        )
    };
    let uri = path_to_uri(&config)?;
    let mut changes = HashMap::new();
    if !config.exists() {
        // A new config needs a file created, which the client must say it can do.
        if !render.can_create_files {
            return None;
        }
        // A new config: `changes` on a file that does not exist is refused by editors, so the
        // text goes in through a create operation.
        let create = lsp_types::DocumentChangeOperation::Op(lsp_types::ResourceOp::Create(
            lsp_types::CreateFile {
                uri: uri.clone(),
                options: None,
                annotation_id: None,
            },
        ));
        let text = lsp_types::DocumentChangeOperation::Edit(lsp_types::TextDocumentEdit {
            text_document: lsp_types::OptionalVersionedTextDocumentIdentifier {
                uri,
                version: None,
            },
            edits: vec![lsp_types::OneOf::Left(LspEdit {
                range: Range::default(),
                new_text: format!("exceptions:\n{}", entry("  ")),
            })],
        });
        return Some(WorkspaceEdit {
            document_changes: Some(lsp_types::DocumentChanges::Operations(vec![create, text])),
            ..WorkspaceEdit::default()
        });
    }
    let text = source::read_limited(&config, source::CONFIG_LIMIT, "config files").ok()?;
    let map = LineMap::new(&text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let key = lines.iter().position(|l| {
        l.strip_prefix("exceptions:")
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
    });
    let (at, new_text) = match key {
        None => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            (text.len(), format!("{sep}exceptions:\n{}", entry("  ")))
        }
        Some(k) => {
            let rest = lines.get(k)?.trim_start_matches("exceptions:");
            let rest = rest.split('#').next().unwrap_or("").trim();
            if !rest.is_empty() {
                return None;
            }
            // After the key's line, indented like the list's items (two spaces if none yet).
            let offset: usize = lines.iter().take(k + 1).map(|l| l.len()).sum();
            let indent: String = lines
                .get(k + 1)
                .filter(|l| l.trim_start().starts_with('-'))
                .map(|l| l.chars().take_while(|c| *c == ' ').collect())
                .unwrap_or_else(|| "  ".to_string());
            let sep = if offset > 0 && !text.get(..offset)?.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            (offset, format!("{sep}{}", entry(&indent)))
        }
    };
    // Offered only when the config still reads after the edit, with one exception more (a
    // config written as JSON, ended by `...`, or with a quoted `"exceptions":` key would not).
    let mut edited = text.clone();
    if at > edited.len() || !edited.is_char_boundary(at) {
        return None;
    }
    edited.insert_str(at, &new_text);
    let before = crate::config::parse(&text, config.clone(), dir.to_path_buf()).ok()?;
    let after = crate::config::parse(&edited, config.clone(), dir.to_path_buf()).ok()?;
    if after.exceptions.len() != before.exceptions.len() + 1 {
        return None;
    }
    let position = map.position(at);
    changes.insert(
        uri,
        vec![LspEdit {
            range: Range {
                start: position,
                end: position,
            },
            new_text,
        }],
    );
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}
