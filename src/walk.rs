//! Finding the files: the given paths, walked with `.gitignore` respected.

use std::path::{Path, PathBuf};

/// A file to check.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// The argument it was found under: the directory itself, or for a file argument, the
    /// directory holding it. Directory linking never looks above it.
    pub root: PathBuf,
}

/// A path that could not be walked (a symlink loop, an unreadable directory).
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

/// Whether a file name has one of the extensions the tool reads.
pub fn is_spec_name(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "yaml" | "yml" | "tf" | "tfvars")
    )
}

/// Collect the files under `paths` (which must exist), sorted, without duplicates.
/// A file named on the command line is checked whatever its extension.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<WalkProblem>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for arg in paths {
        if !arg.is_dir() {
            let root = arg.parent().map(Path::to_path_buf).unwrap_or_default();
            inputs.push(Input {
                path: arg.clone(),
                root,
            });
            continue;
        }
        let walker = ignore::WalkBuilder::new(arg)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) && is_spec_name(e.path()) {
                        inputs.push(Input {
                            path: e.into_path(),
                            root: arg.clone(),
                        });
                    }
                }
                Err(err) => problems.push(WalkProblem {
                    path: walk_error_path(&err).unwrap_or_else(|| arg.clone()),
                    message: err.to_string(),
                }),
            }
        }
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs.dedup_by(|a, b| a.path == b.path);
    (inputs, problems)
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}
