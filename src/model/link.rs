//! Project linking: which project each resource belongs to.
//!
//! A resource names its project by id (`groupId`), or by nothing, in which case the project
//! body in the same file, the same directory, or the nearest ancestor directory (never above
//! the file's [`SourceFile::root`](super::SourceFile::root)) is its project. Several
//! candidates at the same level, or an id that matches no checked project, leave the project
//! unknown: rules that need it stay silent rather than guess. Directories are compared as
//! absolute paths (relative ones against the current directory, `..` resolved), so a file
//! given as `a.json` and a project file found as `../../project.json` still meet.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Model, Origin, ProjectRef};

/// Whether a value is a real Atlas object id (24 hex digits) rather than a placeholder.
pub fn is_object_id(value: &str) -> bool {
    value.len() == 24 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Resolve every resource's [`Origin::project`].
pub fn link(model: &mut Model) {
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in model.projects.iter().enumerate() {
        if let Some(id) = &p.id {
            by_id
                .entry(id.as_str().to_ascii_lowercase())
                .or_default()
                .push(i);
        }
    }
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in model.projects.iter().enumerate() {
        for key in &p.keys {
            by_key.entry(key.as_str()).or_default().push(i);
        }
    }
    // Each file's directory and root as absolute paths, for the files that need them.
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut places: Vec<Option<(PathBuf, PathBuf)>> = vec![None; model.files.len()];
    let project_files = model.projects.iter().map(|p| p.origin.file());
    for file in project_files.chain(model_origins(model).map(Origin::file)) {
        let (Some(slot), Some(f)) = (
            places.get_mut(file as usize),
            model.files.get(file as usize),
        ) else {
            continue;
        };
        if slot.is_none() {
            let dir = crate::walk::absolute(f.path.parent().unwrap_or(Path::new("")), &cwd);
            *slot = Some((dir, crate::walk::absolute(&f.root, &cwd)));
        }
    }
    let place = |file: u32| places.get(file as usize).and_then(Option::as_ref);
    // Projects per directory and per file.
    let mut by_dir: HashMap<&Path, Vec<usize>> = HashMap::new();
    let mut by_file: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, p) in model.projects.iter().enumerate() {
        let file = p.origin.file();
        by_file.entry(file).or_default().push(i);
        if let Some((dir, _)) = place(file) {
            by_dir.entry(dir.as_path()).or_default().push(i);
        }
    }
    let resolve = |origin: &Origin| -> Option<usize> {
        match &origin.project_ref {
            ProjectRef::Id(id) if is_object_id(id.as_str()) => {
                single(by_id.get(&id.as_str().to_ascii_lowercase()))
            }
            ProjectRef::Id(_) | ProjectRef::Directory => {
                if let Some(found) = by_file.get(&origin.file()) {
                    return single(Some(found));
                }
                let (dir, root) = place(origin.file())?;
                if !dir.starts_with(root) {
                    // A root that does not hold the file: only its own directory counts.
                    return single(by_dir.get(dir.as_path()));
                }
                for d in dir.ancestors() {
                    if let Some(found) = by_dir.get(d) {
                        return single(Some(found));
                    }
                    if d == root.as_path() {
                        break;
                    }
                }
                None
            }
            ProjectRef::Key(key) => single(by_key.get(key.as_str())),
            ProjectRef::Unknown => None,
        }
    };
    let links: Vec<Option<usize>> = model_origins(model).map(resolve).collect();
    let targets: Vec<Option<usize>> = model
        .restore_jobs
        .iter()
        .map(|job| {
            let id = job.target.as_ref()?;
            single(by_id.get(&id.as_str().to_ascii_lowercase()))
        })
        .collect();
    for (origin, link) in model.origins_mut().zip(links) {
        origin.project = link;
    }
    for (job, target) in model.restore_jobs.iter_mut().zip(targets) {
        job.target_project = target;
    }
}

/// The same origins, in the same order, as [`Model::origins_mut`].
fn model_origins(model: &Model) -> impl Iterator<Item = &Origin> {
    model
        .clusters
        .iter()
        .map(|r| &r.origin)
        .chain(model.database_users.iter().map(|r| &r.origin))
        .chain(model.alert_configs.iter().map(|r| &r.origin))
        .chain(model.integrations.iter().map(|r| &r.origin))
        .chain(model.restore_jobs.iter().map(|r| &r.origin))
        .chain(model.copy_settings.iter().map(|r| &r.origin))
        .chain(model.containers.iter().map(|r| &r.origin))
        .chain(model.peerings.iter().map(|r| &r.origin))
        .chain(model.private_endpoints.iter().map(|r| &r.origin))
        .chain(model.encryption_at_rest.iter().map(|r| &r.origin))
        .chain(model.products.iter().map(|r| &r.origin))
}

fn single(found: Option<&Vec<usize>>) -> Option<usize> {
    match found.map(Vec::as_slice) {
        Some([one]) => Some(*one),
        _ => None,
    }
}
