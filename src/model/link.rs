//! Project linking: which project each resource belongs to.
//!
//! A resource names its project by id (`groupId`), or by nothing, in which case the project
//! body in the same file, the same directory, or the nearest ancestor directory (never above
//! the command-line argument it was found under) is its project. Several candidates at the
//! same level, or an id that matches no checked project, leave the project unknown: rules that
//! need it stay silent rather than guess.

use std::collections::HashMap;
use std::path::Path;

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
    // Projects per directory and per file.
    let mut by_dir: HashMap<&Path, Vec<usize>> = HashMap::new();
    let mut by_file: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, p) in model.projects.iter().enumerate() {
        let file = p.origin.file();
        by_file.entry(file).or_default().push(i);
        if let Some(dir) = model.files.get(file as usize).and_then(|f| f.path.parent()) {
            by_dir.entry(dir).or_default().push(i);
        }
    }
    let resolve = |origin: &Origin| -> Option<usize> {
        match &origin.project_ref {
            ProjectRef::Id(id) if is_object_id(id.as_str()) => {
                single(by_id.get(&id.as_str().to_ascii_lowercase()))
            }
            ProjectRef::Id(_) | ProjectRef::Directory => {
                let file = model.files.get(origin.file() as usize)?;
                if let Some(found) = by_file.get(&origin.file()) {
                    return single(Some(found));
                }
                let mut dir = file.path.parent();
                while let Some(d) = dir {
                    if let Some(found) = by_dir.get(d) {
                        return single(Some(found));
                    }
                    if d == file.root.as_path() || d.as_os_str().is_empty() {
                        break;
                    }
                    dir = d.parent();
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
