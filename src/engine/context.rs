//! Project roots and context files: what a check reads besides its inputs so that project
//! linking can reach the projects of the directories above a checked file.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{Context, Options, ProjectRoot};
use crate::outcome::Buffer;
use crate::paths;
use crate::source::walk::{self, Input};

/// The project root of a path given (absolute), per [`ProjectRoot`]; `None` where linking
/// stays within the path itself.
fn project_root_of(abs: &Path, project_root: &ProjectRoot, cwd: &Path) -> Option<PathBuf> {
    let root = match project_root {
        ProjectRoot::Argument => return None,
        ProjectRoot::Repository => paths::repository_root(abs)?,
        ProjectRoot::Dir(dir) => paths::absolute(dir, cwd),
    };
    abs.starts_with(&root).then_some(root)
}

/// Raise the inputs' roots to their project root and list the context files: the spec files
/// directly in each directory from a path given up to its root (strictly above a directory
/// given, which is walked anyway), other than the inputs and buffers.
pub(super) fn link_context(
    paths: &[PathBuf],
    inputs: &mut [Input],
    buffers: &[Buffer],
    options: &Options,
) -> Context {
    let (cwd, project_root) = (&options.cwd, &options.project_root);
    // Inputs from a directory argument have it as their root; a file argument is its own path.
    let mut roots: HashMap<&Path, PathBuf> = HashMap::new();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut buffer_roots = Vec::new();
    let given = paths.iter().filter(|p| match project_root {
        ProjectRoot::Repository => !p.is_dir(),
        _ => true,
    });
    let named = buffers
        .iter()
        .map(|b| &b.path)
        .filter(|p| p.as_os_str() != Buffer::STDIN_NAME);
    let all = given.map(|p| (p, false)).chain(named.map(|p| (p, true)));
    for (path, is_buffer) in all {
        let abs = paths::absolute(path, cwd);
        let Some(root) = project_root_of(&abs, project_root, cwd) else {
            continue;
        };
        for dir in abs.ancestors().skip(1) {
            if !dir.starts_with(&root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
        if is_buffer {
            buffer_roots.push(root);
        } else {
            roots.insert(path.as_path(), root);
        }
    }
    if dirs.is_empty() {
        return Context::default();
    }
    for input in inputs.iter_mut() {
        let root = roots
            .get(input.path.as_path())
            .or_else(|| roots.get(input.root.as_path()));
        if let Some(root) = root {
            input.root = root.clone();
        }
    }
    let checked: HashSet<PathBuf> = inputs
        .iter()
        .map(|i| &i.path)
        .chain(buffers.iter().map(|b| &b.path))
        .map(|p| paths::absolute(p, cwd))
        .collect();
    Context {
        files: context_files(&dirs, &checked, Some(cwd)),
        roots: buffer_roots,
    }
}

/// The spec files directly in `dirs` that are not in `checked` (absolute paths), as context
/// inputs: with paths relative to `cwd` (`../project.yaml` when above it), which must be the
/// process's current directory, or absolute when `cwd` is `None`.
fn context_files(
    dirs: &BTreeSet<PathBuf>,
    checked: &HashSet<PathBuf>,
    cwd: Option<&Path>,
) -> Vec<Input> {
    let mut files = Vec::new();
    for path in walk::spec_files_in(dirs.iter().map(PathBuf::as_path)) {
        let abs = match cwd {
            Some(cwd) => paths::absolute(&path, cwd),
            None => path,
        };
        if checked.contains(&abs) {
            continue;
        }
        files.push(Input {
            path: cwd.map_or_else(|| abs.clone(), |cwd| paths::relative(&abs, cwd)),
            root: abs.parent().map(Path::to_path_buf).unwrap_or_default(),
        });
    }
    files
}

/// The context of one file being edited (absolute `path`), for a language server: the spec
/// files of its directory and each ancestor up to `root` (absolute), other than the file
/// itself (and other than the config file and what the config excludes), with absolute paths.
pub fn context_of(path: &Path, root: &Path, options: &Options) -> Context {
    let cwd = &options.cwd;
    let mut dirs = BTreeSet::new();
    if path.starts_with(root) {
        for dir in path.ancestors().skip(1) {
            if !dir.starts_with(root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
    }
    let checked = HashSet::from([path.to_path_buf()]);
    let mut files = context_files(&dirs, &checked, None);
    files.retain(|i| {
        i.path.file_name() != Some(std::ffi::OsStr::new(crate::config::FILE_NAME))
            && options.config.as_ref().is_none_or(|config| {
                !config.is_excluded(cwd, &i.path) && !config.is_file(cwd, &i.path)
            })
    });
    Context {
        files,
        roots: vec![root.to_path_buf()],
    }
}
