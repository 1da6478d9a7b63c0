//! A check's findings as LSP diagnostics: ranges in the client's encoding, related
//! locations, rule codes linked to their documentation.

use std::path::Path;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range,
};

use super::Document;
use super::text::{LineMap, path_to_uri, uri_to_path};
use crate::model::Loc;
use crate::outcome::Outcome;
use crate::paths;
use crate::report::rule_doc_url;
use crate::rules::{Finding, Severity};

/// Turns the findings of one check in a document into diagnostics.
pub(super) struct Render<'a> {
    pub(super) doc: &'a Document,
    /// The document's file id in the outcome.
    pub(super) file: u32,
    pub(super) map: LineMap<'a>,
    pub(super) outcome: &'a Outcome,
    /// What relative paths in the outcome (the config file's) are relative to.
    pub(super) cwd: &'a Path,
    pub(super) related_information: bool,
    /// Whether the client takes a workspace edit that creates a file (`documentChanges` with
    /// the `create` resource operation).
    pub(super) can_create_files: bool,
}

impl Render<'_> {
    fn location(&self, loc: &Loc) -> Option<Location> {
        let span = (loc.span.start as usize, loc.span.end as usize);
        if loc.file == self.file {
            return Some(Location {
                uri: self.doc.uri.clone(),
                range: self.map.range(span.0, span.1),
            });
        }
        let path = paths::absolute(self.outcome.path(loc.file), self.cwd);
        let uri = path_to_uri(&path)?;
        let range = match self.outcome.text(loc.file) {
            Some(text) => {
                let mut range = LineMap::new(text).range(span.0, span.1);
                // Editors do not show a file's byte order mark: line 1 starts after it.
                if text.starts_with('\u{FEFF}') {
                    for p in [&mut range.start, &mut range.end] {
                        if p.line == 0 {
                            p.character = p.character.saturating_sub(1);
                        }
                    }
                }
                range
            }
            // No text kept: the line and (character) column as found.
            None => {
                let at = |line: u32, column: u32| lsp_types::Position {
                    line: line.saturating_sub(1),
                    character: column.saturating_sub(1),
                };
                Range {
                    start: at(loc.start.line, loc.start.column),
                    end: at(loc.end.line, loc.end.column),
                }
            }
        };
        Some(Location { uri, range })
    }

    pub(super) fn diagnostic(&self, f: &Finding) -> Diagnostic {
        let range = self
            .map
            .range(f.loc.span.start as usize, f.loc.span.end as usize);
        let mut message = format!("{}\nhelp: {}", f.message, f.help);
        let mut related = Vec::new();
        for label in &f.related {
            match self.location(&label.loc) {
                Some(location) if self.related_information => {
                    related.push(DiagnosticRelatedInformation {
                        location,
                        message: label.message.clone(),
                    });
                }
                Some(location) => {
                    let p = location.range.start;
                    let path = uri_to_path(&location.uri).unwrap_or_default();
                    message.push_str(&format!(
                        "\nnote: {}: {}:{}:{}",
                        label.message,
                        path.display(),
                        p.line + 1,
                        p.character + 1
                    ));
                }
                None => message.push_str(&format!("\nnote: {}", label.message)),
            }
        }
        Diagnostic {
            range,
            severity: Some(match f.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(f.rule.code.to_string())),
            code_description: rule_doc_url(f.rule)
                .parse()
                .ok()
                .map(|href| CodeDescription { href }),
            source: Some("atlasgov-lint".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        }
    }
}
