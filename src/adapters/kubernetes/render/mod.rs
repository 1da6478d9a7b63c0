//! What Kubernetes tools render from several files: kustomize overlays (a base and its
//! patches) and Helm charts' values. Both are a multi-file step (see `adapters::multi_file`):
//! the files that say how to render (kustomization files, `Chart.yaml`, values files) are
//! kept during the per-file pass; once every file is read, each rendering is assembled (the
//! files it names are read again, or read for the first time when the run did not hold them,
//! as context) and its objects are adapted like any operator manifest, with every value
//! located where it was written.
//!
//! - `sources`: the files a rendering reads, and one span space for all of them.
//! - `kustomize`: `kubectl kustomize`, for the Atlas kinds.
//! - `helm`: the values files of the operator's charts (`atlas-deployment`, `atlas-basic`,
//!   `atlas-advanced`), as the charts' templates render them.

mod helm;
mod kustomize;
mod sources;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Scope, adapt, adapt_rendered};
use crate::document::{Cursor, Limits, LineIndex, Node};
use crate::model::{FileId, KeyAlias, LocCtx, Model, Origin, ProjectRef, SourceFile, SourceMap};
use sources::Sources;
pub(crate) use sources::{Access, List, Read};

/// A file kept for rendering: a kustomization, a chart's `Chart.yaml`, a values file.
#[derive(Debug)]
pub(crate) struct Kept {
    path: PathBuf,
    file: FileId,
    text: Arc<str>,
    root: Node,
}

/// Something a rendering could not do (a remote base it does not fetch, a patch that matches
/// nothing): what was not checked, and why.
#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub(crate) path: PathBuf,
    pub(crate) reason: String,
}

/// What the renderings give the run besides the model.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// Files read that the run did not hold (a base outside the checked paths): context.
    pub(crate) context: Vec<FileId>,
    /// The run's context files that a rendering starting from a checked file read (the
    /// patches beside a kustomization given alone): what that rendering finds there is
    /// reported, as when the overlay's directory is checked.
    pub(crate) reported: Vec<FileId>,
    /// Every file a rendering read (kustomize overlays' files, Helm values files).
    pub(crate) rendered: Vec<FileId>,
    pub(crate) notes: Vec<Note>,
    /// The texts of the files the renderings read, for snippets and suppressions.
    pub(crate) texts: Vec<(FileId, Arc<str>)>,
}

/// Whether a YAML file must be kept for rendering, by its name (and text).
pub(crate) fn wanted(path: &Path, text: &str) -> bool {
    kustomize::is_kustomization(path)
        || helm::is_chart_file(path)
        || helm::is_values_candidate(path, text)
        || helm::is_release_candidate(text)
        || kustomize::flux::is_candidate(text)
}

/// Keep a parsed file that [`wanted`] asked for.
pub(crate) fn keep(ctx: &LocCtx<'_>, root: Node) -> Option<Kept> {
    wanted(ctx.path, ctx.text).then(|| Kept {
        path: ctx.path.to_path_buf(),
        file: ctx.file,
        text: Arc::from(ctx.text),
        root,
    })
}

/// Render everything kept, replace what the files it reads gave on their own by what the
/// renderings give, and say what else the run must know.
/// `context` holds the run's context files: a rendering that starts from one (the overlay of
/// a patch checked alone) reports nothing about the files it reads besides.
pub(crate) fn finish(
    kept: &[Kept],
    files: &mut Vec<SourceFile>,
    out: &mut Model,
    access: Access<'_>,
    limits: Limits,
    context: &HashSet<FileId>,
    cwd: &Path,
) -> Rendered {
    if kept.is_empty() {
        return Rendered::default();
    }
    let mut sources = Sources::new(files, access, limits, cwd);
    let mut notes = Vec::new();
    let renderings = kustomize::render_roots(kept, &mut sources, files, &mut notes);
    // Overlays of one chain are each rendered (an overlay another builds on is applied on
    // its own too): what one says of a file, another may say again. Once each.
    let mut said = HashSet::new();
    notes.retain(|n: &Note| said.insert((n.path.clone(), n.reason.clone())));
    let consumed: HashSet<usize> = renderings
        .iter()
        .flat_map(|r| r.consumed.iter().copied())
        .collect();
    let consumed_files: HashSet<FileId> = consumed
        .iter()
        .filter_map(|&i| sources.get(i))
        .map(|s| s.file)
        .collect();
    out.remove_resources_of(&consumed_files);
    // The operator's endpoints (its `--atlas-domain`, or its absence) in the workloads of
    // these files: the renderings give them again, as applied.
    if !consumed_files.is_empty() {
        out.endpoints.retain(|e| {
            !(consumed_files.contains(&e.url.loc.file)
                && crate::adapters::kubernetes::other_kinds::is_operator_endpoint(e))
        });
    }
    let empty = LineIndex::default();
    for r in &renderings {
        let scope = Scope {
            id: format!("kustomize:{}", crate::paths::display_path(&r.dir)),
            fallback: true,
        };
        let ctx = rendered_ctx(r.file, &r.dir, &empty, &sources);
        let mut part = Model::default();
        for obj in &r.objects {
            let before = part.projects.len();
            adapt_rendered(&ctx, &Cursor::root(&obj.node), &scope, &mut part);
            if let Some(added) = part.projects.get_mut(before..) {
                mark_region_usage_removed(&ctx, obj, added);
            }
        }
        let anchor = sources.start_of(r.source);
        fallback_aliases(&mut part, &scope, anchor);
        out.extend(part);
    }
    let charts = helm::render(kept, &mut sources, files, &mut notes);
    // A team's own chart: its templates read on their own give way to their renderings.
    let replaced: HashSet<FileId> = charts
        .iter()
        .flat_map(|h| h.replaces.iter())
        .filter_map(|&i| sources.get(i))
        .map(|s| s.file)
        .collect();
    out.remove_resources_of(&replaced);
    for (i, h) in charts.iter().enumerate() {
        // A team's own chart may name a project applied from elsewhere, as its templates did
        // read on their own; the operator's charts name theirs after the release.
        let own = h.replaces.first();
        let scope = Scope {
            id: format!("helm:{}#{i}", crate::paths::display_path(&h.path)),
            fallback: own.is_some(),
        };
        let ctx = rendered_ctx(h.file, &h.path, &empty, &sources);
        let mut part = Model::default();
        for obj in &h.objects {
            adapt_rendered(&ctx, &Cursor::root(obj), &scope, &mut part);
        }
        match own {
            Some(&template) => {
                fallback_aliases(&mut part, &scope, sources.start_of(template));
                // A value the templates also use where nothing is read: a fix of it changes
                // that use too.
                for (value, used) in &h.uses {
                    if let Some(written) = sources.loc(*value, "") {
                        part.written_notes.push(crate::model::WrittenNote::at(
                            &written,
                            crate::model::Note::UsedAt(used.clone()),
                        ));
                    }
                }
                part.conditions.extend(h.decided.iter().filter_map(|d| {
                    // The value placed, where it is written; the deciding value where the
                    // template reads it, and where it is written.
                    let placed = sources.loc(d.part, "")?;
                    let mut setting = ctx.text(Some(Cursor::root(&d.setting)))?;
                    let mut used = sources.loc(d.used, "")?;
                    used.via = Some(Box::new(setting.loc));
                    setting.loc = used;
                    Some(crate::model::Condition {
                        file: placed.file,
                        span: placed.span,
                        setting,
                    })
                }));
            }
            // The operator's charts cannot set a project's region usage.
            None => {
                for p in &mut part.projects {
                    p.region_usage_field = helm::REGION_USAGE_FIELD;
                    p.region_usage_choice = Some(crate::model::UsageChoice {
                        either: helm::REGION_USAGE_CHOICE,
                        gov: Some(helm::REGION_USAGE_CHOICE),
                    });
                }
            }
        }
        out.extend(part);
    }
    // Patches that matched nothing are read on their own, once each.
    let mut seen = HashSet::new();
    for r in &renderings {
        for (source, doc) in &r.unmatched {
            if !seen.insert((*source, doc.span.start)) {
                continue;
            }
            let Some(s) = sources.get(*source) else {
                continue;
            };
            let ctx = rendered_ctx(s.file, &s.path, &empty, &sources);
            adapt(&ctx, &Cursor::root(doc), out);
        }
    }
    // A file read only for renderings is context, unless a rendering that starts from a
    // checked file (not context) read it: what that rendering finds there is reported.
    let reported: HashSet<FileId> = renderings
        .iter()
        .filter(|r| !context.contains(&r.file))
        .flat_map(|r| r.consumed.iter())
        // A team's own chart reports what a checked file holds only: a template or values
        // file it read besides stays context (a values override given alone is judged, not
        // the templates it is rendered with).
        .chain(
            charts
                .iter()
                .filter(|h| !context.contains(&h.file) && h.replaces.is_empty())
                .flat_map(|h| h.consumed.iter()),
        )
        .filter_map(|&i| sources.get(i))
        .map(|s| s.file)
        .collect();
    let read: HashSet<usize> = consumed
        .into_iter()
        .chain(charts.iter().flat_map(|h| h.consumed.iter().copied()))
        .collect();
    // A kustomization given alone renders as its directory does: the patches beside it (read
    // as context) are reported on too. A Helm values override given alone reports only itself.
    let mut reported_context: Vec<FileId> = renderings
        .iter()
        .filter(|r| !context.contains(&r.file))
        .flat_map(|r| r.consumed.iter())
        .filter_map(|&i| sources.get(i))
        .map(|s| s.file)
        .filter(|f| context.contains(f))
        .collect();
    reported_context.sort_unstable();
    reported_context.dedup();
    Rendered {
        context: sources
            .added
            .iter()
            .copied()
            .filter(|f| !reported.contains(f))
            .collect(),
        reported: reported_context,
        rendered: {
            let mut files: Vec<FileId> = read
                .iter()
                .filter_map(|&i| sources.get(i))
                .map(|s| s.file)
                .collect();
            files.sort_unstable();
            files.dedup();
            files
        },
        notes,
        texts: sources.texts(read.into_iter()),
    }
}

/// A project the object renders without `regionUsageRestrictions` because a patch removed it
/// (and no later patch set it again): where the patch did (see
/// [`crate::model::Project::region_usage_removed`]).
fn mark_region_usage_removed(
    ctx: &LocCtx<'_>,
    obj: &kustomize::Obj,
    projects: &mut [crate::model::Project],
) {
    let gone = obj
        .removed
        .iter()
        .rev()
        .find(|r| REGION_USAGE_POINTERS.contains(&r.pointer.as_str()) && obj.lacks(&r.pointer));
    let Some(gone) = gone else {
        return;
    };
    for p in projects
        .iter_mut()
        .filter(|p| p.region_usage.is_none() && !p.partial)
    {
        p.region_usage_removed = Some(ctx.loc_of(gone.span, &gone.at));
    }
}

/// Where a project object keeps its region usage: an `AtlasProject`'s spec, a generated
/// `Group`'s versioned entry.
const REGION_USAGE_POINTERS: [&str; 2] = [
    "/spec/regionUsageRestrictions",
    "/spec/v20250312/entry/regionUsageRestrictions",
];

/// The first document of a YAML text (for tests).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn first_doc(text: &str) -> Node {
    crate::document::yaml::parse(text, &Limits::default())
        .unwrap()
        .roots
        .into_iter()
        .next()
        .unwrap()
}

/// The context that locates the nodes of a rendering's span space.
fn rendered_ctx<'a>(
    file: FileId,
    path: &'a Path,
    index: &'a LineIndex,
    sources: &'a Sources<'_>,
) -> LocCtx<'a> {
    LocCtx {
        file,
        path,
        text: "",
        index,
        template_actions: &[],
        sources: Some(sources),
    }
}

/// A reference of a kustomize rendering that no project of the rendering answers may name a
/// project applied from elsewhere: its key reaches the plain key (see [`Scope::fallback`]).
fn fallback_aliases(part: &mut Model, scope: &Scope, anchor: Option<crate::model::Loc>) {
    let Some(anchor) = anchor else { return };
    let suffix = format!("@{}", scope.id);
    let mut added = HashSet::new();
    let mut aliases = Vec::new();
    for origin in part.origins_mut() {
        let ProjectRef::Key(key) = &origin.project_ref else {
            continue;
        };
        let Some(plain) = key.strip_suffix(&suffix) else {
            continue;
        };
        if added.contains(key) {
            continue;
        }
        added.insert(key.clone());
        aliases.push((key.clone(), plain.to_string()));
    }
    for (key, plain) in aliases {
        let carried = part.projects.iter().any(|p| p.keys.contains(&key))
            || part.key_aliases.iter().any(|a| a.key == key);
        if !carried {
            part.key_aliases.push(KeyAlias {
                key,
                via: Origin {
                    body: anchor.clone(),
                    project_ref: ProjectRef::Key(plain),
                    project: None,
                },
            });
        }
    }
}
