//! Data files a configuration decodes: `yamldecode(file("${path.module}/clusters.yaml"))`,
//! `jsondecode(file("clusters.json"))`. A team that keeps its clusters in such a file changes
//! them there, so their values are judged there: the file is read (through the run's reader:
//! a buffer's text when one has the path, else the file on disk) and parsed once, and the
//! decoded value is the file's tree, every scalar located where the file writes it.
//!
//! Which files: those named by a `file(...)` call directly inside `yamldecode(...)` or
//! `jsondecode(...)`, written as one string of literal text and `${path.module}` (a path
//! that a variable or another function computes is not followed). A relative path without
//! `path.module` is relative to the directory Terraform runs in: read for a root module (its
//! own directory), not guessed for a module another calls (see `World::decoded`).
//!
//! A file Terraform's decoder refuses (one that does not parse, strict JSON's and YAML's
//! differences from this project's readers: see [`decodes`]) is read but has no value: the
//! call fails, as in Terraform, and `try()` takes its fallback.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::document::{self, Limits, LineIndex, Node, Syntax};
use crate::model::{FileId, SourceFile};
use crate::paths;

/// Most data files one run reads for its configurations.
const MAX_DATA_FILES: usize = 1024;

/// A data file read for the configurations that decode it.
#[derive(Debug)]
pub struct DataFile {
    pub(super) file: FileId,
    pub(super) path: PathBuf,
    pub(super) text: Arc<str>,
    pub(super) index: LineIndex,
    /// Its one document; `None` when Terraform's decoder refuses the file (see
    /// [`decodes`]): `try(yamldecode(file(...)), fallback)` then takes the fallback.
    pub(super) root: Option<Node>,
    /// Whether it is YAML (for `yamldecode`) rather than JSON (`jsondecode`, which YAML reads
    /// too).
    pub(super) yaml: bool,
    /// Its anchored nodes that aliases use elsewhere (a fix there changes every alias).
    aliased: Vec<document::Aliased>,
}

/// The data files of a run, by absolute path.
#[derive(Debug, Default)]
pub struct DataFiles {
    by_path: HashMap<PathBuf, DataFile>,
    /// Files read here that the run did not hold: added to it as context.
    pub added: Vec<FileId>,
}

impl DataFiles {
    pub(super) fn get(&self, abs: &Path) -> Option<&DataFile> {
        self.by_path.get(abs)
    }

    /// The anchored nodes of the data files that aliases use elsewhere, for fixes (see
    /// [`crate::model::Aliased`]).
    pub fn aliased(&self) -> Vec<crate::model::Aliased> {
        let mut out = Vec::new();
        for d in self.by_path.values() {
            let ctx = crate::model::LocCtx::new(d.file, &d.path, &d.text, &d.index);
            out.extend(d.aliased.iter().map(|a| crate::model::Aliased {
                file: d.file,
                span: a.anchored,
                uses: a.uses.iter().map(|u| ctx.loc_of(*u, "")).collect(),
            }));
        }
        out.sort_by_key(|a| (a.file, a.span.start));
        out
    }

    /// The texts read, for snippets and suppression comments.
    pub fn texts(&self) -> Vec<(FileId, Arc<str>)> {
        let mut out: Vec<(FileId, Arc<str>)> = self
            .by_path
            .values()
            .map(|d| (d.file, Arc::clone(&d.text)))
            .collect();
        out.sort_by_key(|(f, _)| *f);
        out
    }
}

/// The paths (relative to the configuration file's directory) that `text` decodes with
/// `yamldecode(file(...))` or `jsondecode(file(...))`; `${path.module}/` is the directory.
pub(super) fn decoded_paths(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for decode in ["yamldecode", "jsondecode"] {
        let mut rest = text;
        while let Some(at) = rest.find(decode) {
            let after = rest.get(at + decode.len()..).unwrap_or("");
            rest = after;
            let Some(arg) = after
                .trim_start()
                .strip_prefix('(')
                .map(str::trim_start)
                .and_then(|a| a.strip_prefix("file"))
                .map(str::trim_start)
                .and_then(|a| a.strip_prefix('('))
                .map(str::trim_start)
                .and_then(|a| a.strip_prefix('"'))
            else {
                continue;
            };
            let Some(end) = arg.find('"') else { continue };
            let Some(path) = arg.get(..end).and_then(relative_of) else {
                continue;
            };
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// A written path as one relative to the module's directory: `${path.module}/x.yaml` or
/// `x.yaml`, with no other interpolation or escape.
pub(super) fn relative_of(written: &str) -> Option<String> {
    let rest = match written.strip_prefix("${path.module}") {
        Some(rest) => rest.strip_prefix('/')?,
        None => written,
    };
    let plain = !rest.is_empty()
        && !rest.contains("${")
        && !rest.contains("%{")
        && !rest.contains('\\')
        && !Path::new(rest).is_absolute();
    plain.then(|| rest.to_string())
}

/// Read and parse the data files `wanted` (each an absolute path and the path as the run
/// spells it), each once: a file of the run keeps its id, another is added to `files` as
/// context. A file that cannot be read is left out (its decoded value stays unknown: it may
/// be made before `terraform plan` runs).
pub fn read(
    mut wanted: Vec<(PathBuf, PathBuf)>,
    files: &mut Vec<SourceFile>,
    read: &dyn Fn(&Path) -> Result<Arc<str>, String>,
    limits: &Limits,
    cwd: &Path,
) -> DataFiles {
    wanted.sort();
    wanted.dedup_by(|a, b| a.0 == b.0);
    wanted.truncate(MAX_DATA_FILES);
    let mut data = DataFiles::default();
    if wanted.is_empty() {
        return data;
    }
    let run: HashMap<PathBuf, FileId> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                paths::absolute(&f.path, cwd),
                FileId::try_from(i).unwrap_or(FileId::MAX),
            )
        })
        .collect();
    for (abs, shown) in wanted {
        let kind = crate::source::kind_or_yaml(&abs);
        let yaml = match kind.syntax {
            Syntax::Yaml => true,
            Syntax::Json => false,
            _ => continue,
        };
        let Ok(text) = read(&abs) else { continue };
        let (root, aliased) = match document::parse(&text, kind.syntax, limits) {
            Ok(doc) => match <[Node; 1]>::try_from(doc.roots) {
                Ok([root]) if decodes(&text, yaml, &root) => (Some(root), doc.aliased),
                _ => (None, Vec::new()),
            },
            Err(_) => (None, Vec::new()),
        };
        let file = match run.get(&abs) {
            Some(file) => *file,
            None => {
                let file = FileId::try_from(files.len()).unwrap_or(FileId::MAX);
                files.push(SourceFile {
                    path: shown.clone(),
                    root: Arc::from(shown.parent().unwrap_or(Path::new(""))),
                });
                data.added.push(file);
                file
            }
        };
        let index = LineIndex::new(&text);
        data.by_path.insert(
            abs,
            DataFile {
                file,
                path: shown,
                text,
                index,
                root,
                yaml,
                aliased,
            },
        );
    }
    data
}

/// Whether Terraform's decoder reads what this project's more lenient readers do: `jsondecode`
/// takes strict JSON only (no comments, trailing commas or byte order mark), `yamldecode`
/// no tags of its own (`!Ref`).
fn decodes(text: &str, yaml: bool, root: &Node) -> bool {
    if yaml {
        !any_tag(root, 0)
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    }
}

fn any_tag(node: &Node, depth: usize) -> bool {
    if node.tag.is_some() || depth > 256 {
        return true;
    }
    match &node.value {
        document::Value::Seq(items) => items.iter().any(|i| any_tag(i, depth + 1)),
        document::Value::Map(entries) => entries
            .iter()
            .any(|e| any_tag(&e.key, depth + 1) || any_tag(&e.value, depth + 1)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_paths_are_literal_paths_in_the_module() {
        let text = r#"
locals {
  clusters = yamldecode(file("${path.module}/clusters.yaml"))
  same     = yamldecode( file ( "${path.module}/clusters.yaml" ) )
  json     = jsondecode(file("config/db.json"))
  env      = yamldecode(file("${path.module}/envs/${var.env}.yaml"))
  root     = yamldecode(file("${path.root}/x.yaml"))
  abs      = yamldecode(file("/etc/x.yaml"))
  plain    = file("${path.module}/notes.txt")
  templ    = yamldecode(templatefile("${path.module}/t.yaml", {}))
}
"#;
        assert_eq!(decoded_paths(text), ["clusters.yaml", "config/db.json"]);
    }
}
