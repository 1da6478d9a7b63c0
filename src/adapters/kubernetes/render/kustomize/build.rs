//! `kustomize build`: resources, components, then the transformers in kustomize's order
//! (strategic-merge patches, `patches`, namespace, name prefix and suffix, labels,
//! annotations, JSON 6902 patches), and at the end the name references that `configurations`
//! declare, fixed to the names the transformers gave (`transform`: the transformers that act
//! on everything accumulated, and the configuration that steers them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::patch::{Merge, json_patch, strategic_merge};
use super::select::{PatchId, Selector, split_api_version};
use super::transform::{
    Accum, FieldSpec, NameRef, ensure, fix_name_references, path_mut, set_namespace,
};
use crate::adapters::kubernetes::other_kinds::OPERATOR_IMAGE;

use super::{Content, FILE_NAMES, Kustomization, Obj, Patch, is_atlas_group, is_remote};
use crate::adapters::kubernetes::render::Note;
use crate::adapters::kubernetes::render::sources::Sources;
use crate::document::{Node, Value};
use crate::model::{FileId, SourceFile};
use crate::paths::normalize;

/// Kustomizations nested deeper than this (overlay of overlay of ...) are not followed.
const MAX_DEPTH: usize = 32;

/// Kustomizations (each inclusion counts) and objects one rendering accumulates at most: a
/// lattice of bases that include each other's bases several times would otherwise grow
/// exponentially (kustomize refuses the duplicates it makes).
const MAX_WORK: usize = 10_000;

/// What an overlay renders.
pub(in crate::adapters::kubernetes::render) struct Rendering {
    /// The kustomization file (its id, and its directory as the run spells it).
    pub(in crate::adapters::kubernetes::render) file: FileId,
    pub(in crate::adapters::kubernetes::render) source: usize,
    pub(in crate::adapters::kubernetes::render) dir: PathBuf,
    /// The Atlas objects, in the rendering's span space.
    pub(in crate::adapters::kubernetes::render) objects: Vec<Obj>,
    /// Strategic-merge patches of Atlas kinds that matched nothing (kustomize fails on them):
    /// their source and document, read on their own like any manifest.
    pub(in crate::adapters::kubernetes::render) unmatched: Vec<(usize, Node)>,
    /// Every source the rendering read.
    pub(in crate::adapters::kubernetes::render) consumed: BTreeSet<usize>,
    /// Whether it names a remote resource (not fetched).
    #[cfg(test)]
    pub(in crate::adapters::kubernetes::render) remote: bool,
}

struct Builder<'a, 'r> {
    sources: &'a mut Sources<'r>,
    files: &'a mut Vec<SourceFile>,
    notes: Vec<Note>,
    consumed: BTreeSet<usize>,
    unmatched: Vec<(usize, Node)>,
    /// Directories being built (absolute), to refuse cycles.
    stack: Vec<PathBuf>,
    /// Remote resources, and the kustomization naming each.
    remote: Vec<(String, PathBuf)>,
    /// Whether any patch names an Atlas kind, or a resource left out (outside the
    /// kustomization's directory) holds an Atlas object: the rendering is about Atlas.
    atlas_patch: bool,
    /// Fields of the kustomizations read that are not run, and where.
    not_run: Vec<(PathBuf, &'static str)>,
    /// Kustomizations and objects accumulated so far (see [`MAX_WORK`]).
    work: usize,
    /// Whether a bound ([`MAX_DEPTH`], [`MAX_WORK`]) left part of the rendering out: a patch
    /// that matches no object may patch one of those.
    partial: bool,
    /// Files outside a kustomization's directory may be read (see
    /// [`Kustomization::unrestricted`]).
    unrestricted: bool,
}

/// Render the kustomization `k` (a root: one no other kustomization of the run names).
pub(in crate::adapters::kubernetes::render) fn render(
    k: &Kustomization,
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    notes: &mut Vec<Note>,
) -> Rendering {
    let mut b = Builder {
        sources,
        files,
        notes: Vec::new(),
        consumed: BTreeSet::new(),
        unmatched: Vec::new(),
        stack: Vec::new(),
        remote: Vec::new(),
        atlas_patch: false,
        not_run: Vec::new(),
        work: 0,
        partial: false,
        unrestricted: k.unrestricted,
    };
    let abs = b.sources.absolute(&k.dir);
    b.stack.push(abs);
    let mut acc = Accum::default();
    b.accumulate(k, &mut acc, 0);
    fix_name_references(&mut acc);
    let objects: Vec<Obj> = acc.objs.into_iter().filter(Obj::is_kept).collect();
    let atlas = !objects.is_empty() || b.atlas_patch;
    let shown = |p: &Path| crate::paths::display_path(p);
    for (url, named_in) in &b.remote {
        if atlas || url.to_ascii_lowercase().contains("atlas") {
            notes.push(Note {
                path: PathBuf::from(url),
                reason: format!(
                    "a remote kustomize resource (named in {}): not fetched, so the overlay {} is judged on its local resources only",
                    shown(named_in),
                    shown(&k.dir)
                ),
            });
        }
    }
    if atlas {
        notes.append(&mut b.notes);
        for (path, what) in &b.not_run {
            notes.push(Note {
                path: path.clone(),
                reason: format!(
                    "`{what}` is not run, so what it changes in the overlay {} is not checked",
                    shown(&k.dir)
                ),
            });
        }
    }
    let file = b.sources.get(k.source).map_or(0, |s| s.file);
    Rendering {
        file,
        source: k.source,
        dir: k.dir.clone(),
        objects,
        unmatched: b.unmatched,
        consumed: b.consumed,
        #[cfg(test)]
        remote: !b.remote.is_empty(),
    }
}

impl Builder<'_, '_> {
    fn note(&mut self, path: &Path, reason: String) {
        self.notes.push(Note {
            path: path.to_path_buf(),
            reason,
        });
    }

    /// The kustomization file of a directory, if it has one.
    fn kustomization_in(&mut self, dir: &Path) -> Option<Kustomization> {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if !self.sources.is_file(&path) {
                continue;
            }
            let source = self.sources.load(&path, self.files).ok()?;
            let root = self.sources.get(source)?.roots.first()?.clone();
            return Some(Kustomization::read(dir, source, &root));
        }
        None
    }

    /// Add what `k` renders to `acc`: its resources (a directory's own rendering, merged in),
    /// its components (which work on everything accumulated), then its transformers.
    fn accumulate(&mut self, k: &Kustomization, acc: &mut Accum, depth: usize) {
        let kpath = self
            .sources
            .get(k.source)
            .map(|s| s.path.clone())
            .unwrap_or_default();
        if !self.charge(1, &kpath) {
            return;
        }
        self.consumed.insert(k.source);
        self.configurations(k, acc);
        for what in &k.not_run {
            self.not_run.push((kpath.clone(), what));
        }
        for r in &k.resources {
            let path = normalize(&k.dir.join(&r.value));
            if self.sources.is_file(&path) {
                if !self.unrestricted && !path.starts_with(normalize(&k.dir)) {
                    self.note(&kpath, format!("resource `{}` is outside the kustomization's directory, which kustomize refuses to read", r.value));
                    // An Atlas object left out: the overlay is about Atlas, and says so.
                    self.atlas_patch |= self
                        .sources
                        .text(&path)
                        .is_ok_and(|t| t.contains("atlas.mongodb.com"));
                    continue;
                }
                self.resource_file(&path, acc);
            } else if let Some(sub) = self.kustomization_in(&path) {
                let mut sub_acc = Accum::default();
                if self
                    .nested_into(&kpath, &r.value, &sub, depth, &mut sub_acc)
                    .is_some()
                {
                    acc.objs.extend(sub_acc.objs);
                    acc.config.name_refs.extend(sub_acc.config.name_refs);
                    acc.config.namespaces.extend(sub_acc.config.namespaces);
                }
            } else if is_remote(&r.value) {
                self.remote.push((r.value.clone(), kpath.clone()));
            } else {
                self.note(
                    &kpath,
                    format!(
                        "resource `{}` is neither a file nor a directory with a kustomization",
                        r.value
                    ),
                );
            }
        }
        for c in &k.components {
            let path = normalize(&k.dir.join(&c.value));
            match self.kustomization_in(&path) {
                Some(comp) => {
                    let _ = self.nested_into(&kpath, &c.value, &comp, depth, acc);
                }
                None if is_remote(&c.value) => self.remote.push((c.value.clone(), kpath.clone())),
                None => self.note(
                    &kpath,
                    format!("component `{}` has no kustomization file", c.value),
                ),
            }
        }
        self.transform(k, acc);
    }

    /// Accumulate `sub` (a base or a component) into `acc`, refusing cycles and depth.
    fn nested_into(
        &mut self,
        kpath: &Path,
        name: &str,
        sub: &Kustomization,
        depth: usize,
        acc: &mut Accum,
    ) -> Option<()> {
        let abs = self.sources.absolute(&sub.dir);
        if self.stack.contains(&abs) {
            self.note(
                kpath,
                format!("`{name}` includes itself (a cycle, which kustomize refuses)"),
            );
            return None;
        }
        if depth >= MAX_DEPTH {
            self.partial = true;
            self.note(
                kpath,
                format!(
                    "`{name}` is nested more than {MAX_DEPTH} kustomizations deep: not followed"
                ),
            );
            return None;
        }
        self.stack.push(abs);
        self.accumulate(sub, acc, depth + 1);
        self.stack.pop();
        Some(())
    }

    /// The objects of a resource file (`List`s expanded). A file that names no Atlas API
    /// group, nor the operator's image or domain flag, is not parsed: nothing in it is
    /// Atlas's.
    fn resource_file(&mut self, path: &Path, acc: &mut Accum) {
        let Ok(text) = self.sources.text(path) else {
            return;
        };
        if !text.contains("atlas.mongodb.com/")
            && !text.contains("atlas.generated.mongodb.com/")
            && !text.contains("atlas-domain")
            && !text.to_ascii_lowercase().contains(OPERATOR_IMAGE)
        {
            return;
        }
        let Ok(source) = self.sources.load(path, self.files) else {
            return;
        };
        self.consumed.insert(source);
        let count = self.sources.get(source).map_or(0, |s| s.roots.len());
        let docs: Vec<Node> = (0..count)
            .filter_map(|i| self.sources.doc(source, i))
            .collect();
        for doc in docs {
            let before = acc.objs.len();
            push_objects(doc, &mut acc.objs, 0);
            if !self.charge(acc.objs.len() - before, path) {
                acc.objs.truncate(before);
                return;
            }
        }
    }

    /// Count `n` units of work; false (and a note, once) past [`MAX_WORK`].
    fn charge(&mut self, n: usize, at: &Path) -> bool {
        if self.work > MAX_WORK {
            return false;
        }
        self.work = self.work.saturating_add(n);
        if self.work > MAX_WORK {
            self.partial = true;
            self.note(
                at,
                format!("the rendering includes more than {MAX_WORK} kustomizations and objects: the rest is not rendered"),
            );
            return false;
        }
        true
    }

    /// Load the `configurations` files of `k` into `acc`.
    fn configurations(&mut self, k: &Kustomization, acc: &mut Accum) {
        for c in &k.configurations {
            let path = normalize(&k.dir.join(&c.value));
            let Ok(source) = self.sources.load(&path, self.files) else {
                continue;
            };
            self.consumed.insert(source);
            let Some(root) = self.sources.get(source).and_then(|s| s.roots.first()) else {
                continue;
            };
            for nr in root
                .get("nameReference")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let Some(kind) = nr.get("kind").and_then(Node::as_str) else {
                    continue;
                };
                acc.config.name_refs.push(NameRef {
                    kind: kind.to_string(),
                    group: nr.get("group").and_then(Node::as_str).map(str::to_string),
                    specs: nr
                        .get("fieldSpecs")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(FieldSpec::read)
                        .collect(),
                });
            }
            for spec in root
                .get("namespace")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                acc.config.namespaces.extend(FieldSpec::read(spec));
            }
        }
    }

    /// The documents of a patch, in the span space, with their source.
    fn patch_docs(&mut self, k: &Kustomization, patch: &Patch) -> Vec<(usize, Node)> {
        match &patch.content {
            Content::Path(rel) => {
                let path = normalize(&k.dir.join(rel));
                let kpath = self
                    .sources
                    .get(k.source)
                    .map(|s| s.path.clone())
                    .unwrap_or_default();
                if !self.unrestricted && !path.starts_with(normalize(&k.dir)) {
                    self.note(&kpath, format!("patch `{rel}` is outside the kustomization's directory, which kustomize refuses to read"));
                    return Vec::new();
                }
                match self.sources.load(&path, self.files) {
                    Ok(source) => {
                        self.consumed.insert(source);
                        let count = self.sources.get(source).map_or(0, |s| s.roots.len());
                        (0..count)
                            .filter_map(|i| self.sources.doc(source, i))
                            .map(|d| (source, d))
                            .collect()
                    }
                    Err(reason) => {
                        self.note(&kpath, format!("patch `{rel}`: {reason}"));
                        Vec::new()
                    }
                }
            }
            Content::Inline(node, pointer) => {
                let source = patch.source.unwrap_or(k.source);
                match self.sources.fragment(source, node, pointer) {
                    Ok(docs) => docs.into_iter().map(|d| (source, d)).collect(),
                    Err(reason) => {
                        let kpath = self
                            .sources
                            .get(source)
                            .map(|s| s.path.clone())
                            .unwrap_or_default();
                        self.note(&kpath, format!("inline patch at {pointer}: {reason}"));
                        Vec::new()
                    }
                }
            }
        }
    }

    /// Run `k`'s transformers over `acc`, in kustomize's order.
    fn transform(&mut self, k: &Kustomization, acc: &mut Accum) {
        let kpath = self
            .sources
            .get(k.source)
            .map(|s| s.path.clone())
            .unwrap_or_default();
        for patch in &k.patches_strategic_merge {
            for (source, doc) in self.patch_docs(k, patch) {
                self.strategic(source, &doc, None, acc);
            }
        }
        for patch in &k.patches {
            let docs = self.patch_docs(k, patch);
            for (source, doc) in docs {
                if doc.as_seq().is_some() {
                    self.json6902(&kpath, &doc, patch.target.as_ref(), acc);
                } else {
                    self.strategic(source, &doc, patch.target.as_ref(), acc);
                }
            }
        }
        if let Some(ns) = &k.namespace {
            let ns = self
                .sources
                .node(k.namespace_source.unwrap_or(k.source), ns);
            set_namespace(acc, &ns);
        }
        if k.name_prefix.is_some() || k.name_suffix.is_some() {
            let text = |n: &Option<Node>| {
                n.as_ref()
                    .and_then(Node::scalar_text)
                    .unwrap_or("")
                    .to_string()
            };
            let (prefix, suffix) = (text(&k.name_prefix), text(&k.name_suffix));
            for obj in &mut acc.objs {
                let name = format!("{prefix}{}{suffix}", obj.current().0);
                let ns = obj.current().1.to_string();
                if let Some(node) = path_mut(&mut obj.node, &["metadata", "name"]) {
                    node.value = Value::String(name.clone().into());
                }
                obj.ids.push((name, ns));
            }
        }
        for (field, pairs) in [("labels", &k.labels), ("annotations", &k.annotations)] {
            if pairs.is_empty() {
                continue;
            }
            let pairs: Vec<(Node, Node)> = pairs
                .iter()
                .map(|(key, value)| {
                    (
                        self.sources.node(k.source, key),
                        self.sources.node(k.source, value),
                    )
                })
                .collect();
            for obj in &mut acc.objs {
                for (key, value) in &pairs {
                    if let Some(name) = key.scalar_text() {
                        ensure(
                            &mut obj.node,
                            &["metadata", field, name],
                            value.clone(),
                            key.span,
                        );
                    }
                }
            }
        }
        for patch in &k.patches_json6902 {
            for (_, doc) in self.patch_docs(k, patch) {
                self.json6902(&kpath, &doc, patch.target.as_ref(), acc);
            }
        }
    }

    /// A strategic-merge patch document: to the target's objects, or to the object it names.
    fn strategic(&mut self, source: usize, doc: &Node, target: Option<&Selector>, acc: &mut Accum) {
        let atlas_doc = doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| is_atlas_group(&split_api_version(v).0));
        self.atlas_patch |= atlas_doc;
        let picked: Vec<usize> = match target {
            Some(sel) => (0..acc.objs.len())
                .filter(|&i| acc.objs.get(i).is_some_and(|o| sel.matches(o)))
                .collect(),
            None => {
                let Some(id) = PatchId::read(doc) else {
                    return;
                };
                let found: Vec<usize> = (0..acc.objs.len())
                    .filter(|&i| acc.objs.get(i).is_some_and(|o| id.matches(o)))
                    .collect();
                if found.is_empty() && atlas_doc {
                    let kpath = self
                        .sources
                        .get(source)
                        .map(|s| s.path.clone())
                        .unwrap_or_default();
                    // Past a bound the rendering holds only part of the objects: the one
                    // patched may be among those left out, and kustomize would not fail.
                    let why = if self.partial {
                        format!(
                            "this patch of {} matches no object the rendering holds (a bound left part of it out: {MAX_DEPTH} nested kustomizations, {MAX_WORK} kustomizations and objects): it is checked on its own",
                            id.describe()
                        )
                    } else {
                        format!(
                            "this patch of {} matches no object of the overlay (kustomize fails on it): it is checked on its own",
                            id.describe()
                        )
                    };
                    self.note(&kpath, why);
                    self.unmatched.push((source, doc.clone()));
                }
                found
            }
        };
        let mut deleted = Vec::new();
        for i in picked {
            if let Some(obj) = acc.objs.get_mut(i) {
                if let Merge::Delete = strategic_merge(&mut obj.node, doc, &mut obj.removed) {
                    deleted.push(i);
                }
            }
        }
        for i in deleted.into_iter().rev() {
            if i < acc.objs.len() {
                acc.objs.remove(i);
            }
        }
    }

    /// A JSON 6902 patch (a sequence of operations) to the target's objects.
    fn json6902(&mut self, kpath: &Path, ops: &Node, target: Option<&Selector>, acc: &mut Accum) {
        let Some(sel) = target else {
            self.note(
                kpath,
                "a JSON 6902 patch without a target (kustomize refuses it)".to_string(),
            );
            return;
        };
        let mut failures = Vec::new();
        for obj in acc.objs.iter_mut().filter(|o| sel.matches(o)) {
            self.atlas_patch |= obj.is_atlas();
            if let Err(e) = json_patch(&mut obj.node, ops, &mut obj.removed) {
                failures.push(format!(
                    "a JSON 6902 patch of {} {} fails: {e} (kustomize stops there)",
                    obj.kind,
                    obj.current().0
                ));
            }
        }
        for f in failures {
            self.note(kpath, f);
        }
    }
}

/// The objects of a document: the document, or each item of a `List`.
fn push_objects(doc: Node, out: &mut Vec<Obj>, depth: usize) {
    let is_list = doc
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && doc.get("items").and_then(Node::as_seq).is_some();
    if is_list {
        if depth < 8 {
            if let Value::Map(entries) = doc.value {
                for e in entries {
                    if e.key.scalar_text() == Some("items") {
                        if let Value::Seq(items) = e.value.value {
                            for item in items {
                                push_objects(item, out, depth + 1);
                            }
                        }
                    }
                }
            }
        }
        return;
    }
    out.extend(Obj::new(doc));
}
