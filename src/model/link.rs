//! Project linking: which project each resource belongs to.
//!
//! A resource names its project by id (`groupId`), or by nothing, in which case the project
//! body in the same file, the same directory, or the nearest ancestor directory (never above
//! the file's [`SourceFile::root`](super::SourceFile::root)) is its project. Several
//! candidates at the same level, or an id that matches no checked project, leave the project
//! unknown: rules that need it stay silent rather than guess. A format-scoped key
//! (`ProjectRef::Key`) reaches the single project carrying it, or else the one project all of
//! that key's aliases ([`super::KeyAlias`]) reach. Directories are compared as absolute paths
//! (relative ones against the current directory, `..` resolved), so a file given as `a.json`
//! and a project file found as `../../project.json` still meet.

use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt};

use super::{Model, Origin, ProjectRef};

/// A patch ([`super::Project::partial`]) is one only beside the full project it patches (one
/// with a key in common): alone, it is the project as written (a manifest that lacks a
/// required field is still what gets applied). A patch that sets `regionUsageRestrictions`
/// stays a candidate for linking, so that the base's and the overlay's values, which differ
/// by design, leave the project unknown rather than pick one.
fn settle_patches(model: &mut Model) {
    let full_keys: foldhash::HashSet<String> = model
        .projects
        .iter()
        .filter(|p| !p.partial)
        .flat_map(|p| p.keys.iter().cloned())
        .collect();
    for p in model.projects.iter_mut().filter(|p| p.partial) {
        if !p.keys.iter().any(|k| full_keys.contains(k)) {
            p.partial = false;
        }
    }
    // A base project that leaves the region usage to its overlays, two or more of which set
    // it (one per environment), is not itself what gets created: its patches are (and they
    // disagree by design). With a single such overlay the base may be rendered on its own too
    // (an overlay that patches nothing), so it stays a project.
    let mut patched_usage: HashMap<&str, usize> = HashMap::new();
    for p in model
        .projects
        .iter()
        .filter(|p| p.partial && p.region_usage.is_some())
    {
        for k in &p.keys {
            *patched_usage.entry(k.as_str()).or_default() += 1;
        }
    }
    let bases: Vec<usize> = model
        .projects
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            !p.partial
                && p.region_usage.is_none()
                && p.keys
                    .iter()
                    .any(|k| patched_usage.get(k.as_str()).is_some_and(|&n| n >= 2))
        })
        .map(|(i, _)| i)
        .collect();
    for i in bases {
        if let Some(p) = model.projects.get_mut(i) {
            p.partial = true;
        }
    }
}

/// Whether a project takes part in linking: not a patch, unless it sets region usage.
fn links_to(p: &super::Project) -> bool {
    !p.partial || p.region_usage.is_some()
}

/// Whether a value is a real Atlas object id (24 hex digits) rather than a placeholder.
pub fn is_object_id(value: &str) -> bool {
    value.len() == 24 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Resolve every resource's [`Origin::project`].
pub fn link(model: &mut Model) {
    settle_patches(model);
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in model.projects.iter().enumerate() {
        if let Some(id) = &p.id {
            by_id
                .entry(id.as_str().to_ascii_lowercase())
                .or_default()
                .push(i);
        }
    }
    // A patch of a project (`Project::partial`) is never a resource's project: the project
    // it patches is.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in model
        .projects
        .iter()
        .enumerate()
        .filter(|(_, p)| links_to(p))
    {
        for key in &p.keys {
            by_key.entry(key.as_str()).or_default().push(i);
        }
    }
    // Each file's directory and root as absolute paths, for the files that need them.
    // Files of one directory and root share one pair (most of a walk's files have a sibling).
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut last: Option<(&Path, &Path, usize)> = None;
    let mut places: Vec<Option<usize>> = vec![None; model.files.len()];
    let project_files = model.projects.iter().map(|p| p.origin.file());
    let alias_files = model.key_aliases.iter().map(|a| a.via.file());
    let resource_files = model_origins(model).map(Origin::file);
    for file in project_files.chain(alias_files).chain(resource_files) {
        let (Some(slot), Some(f)) = (
            places.get_mut(file as usize),
            model.files.get(file as usize),
        ) else {
            continue;
        };
        if slot.is_none() {
            let parent = f.path.parent().unwrap_or(Path::new(""));
            let pair = match last {
                Some((p, r, pair))
                    if p.as_os_str() == parent.as_os_str()
                        && r.as_os_str() == f.root.as_os_str() =>
                {
                    pair
                }
                _ => {
                    let dir = crate::paths::absolute(parent, &cwd);
                    pairs.push((dir, crate::paths::absolute(&f.root, &cwd)));
                    pairs.len() - 1
                }
            };
            last = Some((parent, &f.root, pair));
            *slot = Some(pair);
        }
    }
    let pair_of = |file: u32| places.get(file as usize).copied().flatten();
    let place = |file: u32| pairs.get(pair_of(file)?);
    let projects = &model.projects;
    let one = |found: Option<&Vec<usize>>| one_project(projects, found);
    // Projects per directory and per file.
    let mut by_dir: HashMap<&Path, Vec<usize>> = HashMap::new();
    let mut by_file: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, p) in model
        .projects
        .iter()
        .enumerate()
        .filter(|(_, p)| links_to(p))
    {
        let file = p.origin.file();
        by_file.entry(file).or_default().push(i);
        if let Some((dir, _)) = place(file) {
            by_dir.entry(dir.as_path()).or_default().push(i);
        }
    }
    // The project a file of each (directory, root) pair takes from the directories: its own,
    // else the nearest above it within the root.
    let from_dirs: Vec<Option<usize>> = pairs
        .iter()
        .map(|(dir, root)| {
            if !dir.starts_with(root) {
                // A root that does not hold the file: only its own directory counts.
                return one(by_dir.get(dir.as_path()));
            }
            for d in dir.ancestors() {
                if let Some(found) = by_dir.get(d) {
                    return one(Some(found));
                }
                if d == root.as_path() {
                    break;
                }
            }
            None
        })
        .collect();
    // Among several projects that carry one key (the same operator project name in one
    // directory per environment), the one nearest the reference: in its file, else in its
    // directory, else in the nearest directory above it within its root, as directory linking
    // finds a project. Never a patch: a patch that sets region usage disagrees with its base
    // by design, and the project stays unknown.
    // For each key that several projects carry: those projects by file and by directory, so
    // that finding the nearest is a lookup per directory, not a pass over them all for each
    // reference (thousands of environments naming their project alike).
    let key_places: HashMap<&str, KeyPlaces<'_>> = by_key
        .iter()
        .filter(|(_, found)| found.len() > 1)
        .map(|(&key, found)| {
            let mut places = KeyPlaces {
                full: found
                    .iter()
                    .all(|&i| projects.get(i).is_some_and(|p| !p.partial)),
                by_file: HashMap::new(),
                by_dir: HashMap::new(),
            };
            for &i in found {
                let Some(file) = projects.get(i).map(|p| p.origin.file()) else {
                    continue;
                };
                places.by_file.entry(file).or_default().push(i);
                if let Some((dir, _)) = place(file) {
                    places.by_dir.entry(dir.as_path()).or_default().push(i);
                }
            }
            (key, places)
        })
        .collect();
    let nearest = |key: &str, file: u32| -> Option<usize> {
        let places = key_places.get(key)?;
        if !places.full {
            return None;
        }
        if let Some(here) = places.by_file.get(&file) {
            return one(Some(here));
        }
        let (dir, root) = place(file)?;
        // A root that does not hold the file: only its own directory counts.
        let within = dir.starts_with(root);
        for d in dir.ancestors() {
            if let Some(here) = places.by_dir.get(d) {
                return one(Some(here));
            }
            if !within || d == root.as_path() {
                break;
            }
        }
        None
    };
    let direct = |origin: &Origin| -> Option<usize> {
        match &origin.project_ref {
            ProjectRef::Id(id) if is_object_id(id.as_str()) => {
                one(by_id.get(&id.as_str().to_ascii_lowercase()))
            }
            // An id that is no Atlas id (`${PROJECT_ID}`, `<project-id>`): some project this
            // run cannot name, not the directory's.
            ProjectRef::Id(_) => None,
            ProjectRef::Directory => {
                if let Some(found) = by_file.get(&origin.file()) {
                    return one(Some(found));
                }
                from_dirs.get(pair_of(origin.file())?).copied().flatten()
            }
            ProjectRef::Key(key) => {
                let found = by_key.get(key.as_str());
                one(found).or_else(|| nearest(key.as_str(), origin.file()))
            }
            ProjectRef::Unknown => None,
        }
    };
    let mut aliases: HashMap<&str, Vec<&Origin>> = HashMap::new();
    for alias in &model.key_aliases {
        aliases
            .entry(alias.key.as_str())
            .or_default()
            .push(&alias.via);
    }
    // A key no project carries reaches the project all of its aliases agree on (one level:
    // an alias's own reference is resolved directly, so aliases cannot loop).
    let by_alias = |key: &str| -> Option<usize> {
        let vias = aliases.get(key)?;
        let mut found = vias.iter().map(|via| direct(via));
        let first = found.next()??;
        found.all(|p| p == Some(first)).then_some(first)
    };
    // A key for one instance of something repeated (`KEY["gov"]`) that no project carries
    // reaches what the plain key does (an instance whose key was not known when it was read).
    let by_instance = |key: &str| -> Option<usize> {
        let base = instance_base(key)?;
        one(by_key.get(base)).or_else(|| by_alias(base))
    };
    let resolve = |origin: &Origin| -> Option<usize> {
        match &origin.project_ref {
            ProjectRef::Key(key) if !by_key.contains_key(key.as_str()) => {
                by_alias(key).or_else(|| by_instance(key))
            }
            _ => direct(origin),
        }
    };
    let links: Vec<Option<usize>> = model_origins(model).map(resolve).collect();
    let targets: Vec<Option<usize>> = model
        .restore_jobs
        .iter()
        .map(|job| {
            let id = job.target.as_ref()?;
            // An Atlas id (a placeholder or a template's value is none), or a format-scoped
            // project key (a Terraform or CloudFormation reference, also one to another
            // resource's project).
            if is_object_id(id.as_str()) {
                one(by_id.get(&id.as_str().to_ascii_lowercase()))
            } else if by_key.contains_key(id.as_str()) {
                one(by_key.get(id.as_str()))
            } else {
                by_alias(id.as_str()).or_else(|| by_instance(id.as_str()))
            }
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

/// The one project among `found` (indexes into `projects`): the only one, or, when several
/// records carry the same Atlas project id and agree on its partition, the first of them. An
/// id names exactly one project, and a repository often holds it more than once (a plan beside
/// the state it was made from, a state snapshot, an `atlas projects describe` output beside
/// the body): those are copies, not a choice. Otherwise several projects leave it unknown.
/// The projects that carry one key, by file and by directory (see `nearest` in [`link`]).
struct KeyPlaces<'a> {
    /// Whether none of them is a patch (a patch is never the nearest).
    full: bool,
    by_file: HashMap<u32, Vec<usize>>,
    by_dir: HashMap<&'a Path, Vec<usize>>,
}

fn one_project(projects: &[super::Project], found: Option<&Vec<usize>>) -> Option<usize> {
    let found = found?;
    let (&first, rest) = found.split_first()?;
    if rest.is_empty() {
        return Some(first);
    }
    let key = |i: usize| {
        let p = projects.get(i)?;
        let id = p.id.as_ref().filter(|id| is_object_id(id.as_str()))?;
        let partition =
            super::partition::project_partition(p.region_usage.as_ref().map(|u| u.as_str()));
        Some((id.as_str().to_ascii_lowercase(), partition))
    };
    let first_key = key(first)?;
    rest.iter()
        .all(|&i| key(i).as_ref() == Some(&first_key))
        .then_some(first)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::document::{LineCol, Span};
    use crate::model::{CopySetting, KeyAlias, Loc, Project, Text};

    fn loc() -> Loc {
        Loc {
            file: 0,
            span: Span::default(),
            start: LineCol::default(),
            end: LineCol::default(),
            pointer: "".into(),
            via: None,
        }
    }

    fn origin(project_ref: ProjectRef) -> Origin {
        Origin {
            body: loc(),
            project_ref,
            project: None,
        }
    }

    fn project(key: &str) -> Project {
        Project {
            origin: origin(ProjectRef::Unknown),
            name: None,
            id: None,
            region_usage: None,
            region_usage_field: "regionUsageRestrictions",
            region_usage_choice: None,
            region_usage_removed: None,
            region_usage_slot: None,
            keys: vec![key.to_string()],
            tags: Vec::new(),
            partial: false,
        }
    }

    fn copy(key: &str) -> CopySetting {
        CopySetting {
            origin: origin(ProjectRef::Key(key.to_string())),
            cloud_provider: None,
            region: None,
        }
    }

    fn alias(key: &str, project_key: &str) -> KeyAlias {
        KeyAlias {
            key: key.to_string(),
            via: origin(ProjectRef::Key(project_key.to_string())),
        }
    }

    #[test]
    fn a_key_reaches_the_project_its_aliases_agree_on() {
        let mut model = Model {
            projects: vec![project("k8s:a/gov"), project("k8s:a/std")],
            copy_settings: vec![copy("s1"), copy("s2"), copy("s3")],
            key_aliases: vec![
                alias("s1", "k8s:a/gov"),
                alias("s1", "k8s:a/gov"),
                alias("s2", "k8s:a/gov"),
                alias("s2", "k8s:a/std"),
                // An alias to a key that is itself only an alias is not followed.
                alias("s3", "s1"),
            ],
            ..Model::default()
        };
        link(&mut model);
        let linked: Vec<Option<usize>> = model
            .copy_settings
            .iter()
            .map(|c| c.origin.project)
            .collect();
        assert_eq!(linked, vec![Some(0), None, None]);
    }

    #[test]
    fn copies_of_one_project_are_one_project() {
        let id = "6650f1a2b3c4d5e6f7a8b9c0";
        let with = |usage: Option<&str>| {
            let mut p = project("k");
            p.id = Some(Text {
                value: id.into(),
                loc: loc(),
            });
            p.region_usage = usage.map(|u| Text {
                value: u.into(),
                loc: loc(),
            });
            p
        };
        let by_id = CopySetting {
            origin: origin(ProjectRef::Id(Box::new(Text {
                value: id.into(),
                loc: loc(),
            }))),
            cloud_provider: None,
            region: None,
        };
        let linked = |projects: Vec<Project>| {
            let mut model = Model {
                projects,
                copy_settings: vec![by_id.clone()],
                ..Model::default()
            };
            link(&mut model);
            model.copy_settings[0].origin.project
        };
        // A plan beside its state: the same project twice.
        let gov = Some("GOV_REGIONS_ONLY");
        assert_eq!(linked(vec![with(gov), with(gov)]), Some(0));
        // Records that disagree on the partition are not copies: unknown.
        assert_eq!(linked(vec![with(gov), with(None)]), None);
        assert_eq!(linked(vec![with(gov)]), Some(0));
    }
}

/// The key of what an instance key (`KEY["name"]`, one instance of something repeated) is an
/// instance of: `KEY`.
pub fn instance_base(key: &str) -> Option<&str> {
    if !key.ends_with("\"]") {
        return None;
    }
    let open = key.rfind("[\"")?;
    key.get(..open).filter(|base| !base.is_empty())
}

#[cfg(test)]
mod instance_tests {
    use super::instance_base;

    #[test]
    fn instance_keys_name_their_base() {
        assert_eq!(
            instance_base(r#"tf:a:mongodbatlas_project.env["gov"]"#),
            Some("tf:a:mongodbatlas_project.env")
        );
        assert_eq!(instance_base("tf:a:mongodbatlas_project.env"), None);
        assert_eq!(instance_base(r#"["x"]"#), None);
    }
}
