//! Applying patches to rendered objects, as kustomize does for kinds it has no schema for
//! (the Atlas kinds): strategic merge and RFC 6902 JSON patches.
//!
//! Strategic merge without a schema (`kyaml/yaml/merge2`): mappings merge key by key, a list
//! replaces the whole list (no merge by key), `key: null` deletes the key, a mapping with
//! `$patch: replace` replaces instead of merging and one with `$patch: delete` is deleted;
//! inside a mapping the target lacks, nulls are dropped; list items are copied as written.
//! Every node keeps the span it was read with, so a value a patch sets is located in the
//! patch, and one it leaves is located where the base wrote it.

use crate::document::{Entry, Node, Span, Value};

const DIRECTIVE: &str = "$patch";

/// A value of the object that a patch removed (`key: null` or `$patch: delete` in a strategic
/// merge, a JSON patch `remove`): the value is gone from the rendering, and this is where the
/// patch says so, for a finding the absence causes (a project without
/// `regionUsageRestrictions`) to point at.
#[derive(Debug, Clone)]
pub(in crate::adapters::kubernetes::render) struct Removal {
    /// The removed value's JSON pointer in the object.
    pub(in crate::adapters::kubernetes::render) pointer: String,
    /// The patch's key (strategic merge) or `path` (JSON patch), in the rendering's span space.
    pub(in crate::adapters::kubernetes::render) span: Span,
    /// The JSON pointer of that place in the patch's document.
    pub(in crate::adapters::kubernetes::render) at: String,
}

/// The keys of mapping `old` (at `pointer` in the object) that `new`, put in its place, lacks,
/// and so on inside the mappings both have: each a [`Removal`] at `span` (`at` in the patch).
fn vanished(
    old: &Node,
    new: &Node,
    pointer: &str,
    span: Span,
    at: &str,
    removed: &mut Vec<Removal>,
) {
    let Some(entries) = old.as_map() else {
        return;
    };
    for e in entries {
        let Some(key) = e.key.scalar_text() else {
            continue;
        };
        let inner = pointer_child(pointer, key);
        match new.get(key) {
            None => removed.push(Removal {
                pointer: inner,
                span,
                at: at.to_string(),
            }),
            Some(kept) => vanished(&e.value, kept, &inner, span, at, removed),
        }
    }
}

/// `pointer` with one more reference token (`~` and `/` escaped).
fn pointer_child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// What a strategic-merge patch document asks of the object it targets.
pub(super) enum Merge {
    Merged,
    /// `$patch: delete` at the top: the object is removed.
    Delete,
}

/// Merge patch document `patch` into object `obj`. The object's identity (`apiVersion`,
/// `kind`, `metadata.name`, `metadata.namespace`) is not changed. Each value of the object the
/// patch deletes is added to `removed`.
pub(super) fn strategic_merge(obj: &mut Node, patch: &Node, removed: &mut Vec<Removal>) -> Merge {
    if directive(patch) == Some("delete") {
        return Merge::Delete;
    }
    let Some(entries) = patch.as_map() else {
        return Merge::Merged;
    };
    for e in entries {
        let Some(key) = e.key.scalar_text() else {
            continue;
        };
        match key {
            "apiVersion" | "kind" => {}
            "metadata" => {
                let mut meta = e.value.clone();
                if let Value::Map(m) = &mut meta.value {
                    m.retain(|e| !matches!(e.key.scalar_text(), Some("name" | "namespace")));
                }
                merge_entry(obj, &e.key, &meta, "", removed);
            }
            _ => merge_entry(obj, &e.key, &e.value, "", removed),
        }
    }
    Merge::Merged
}

/// The `$patch` directive of a mapping.
fn directive(node: &Node) -> Option<&str> {
    node.get(DIRECTIVE).and_then(Node::scalar_text)
}

/// Merge `value` under `key` into mapping `dst`, whose pointer in the object is `path`
/// (bounded by the parsers' depth limit).
fn merge_entry(dst: &mut Node, key: &Node, value: &Node, path: &str, removed: &mut Vec<Removal>) {
    let Value::Map(entries) = &mut dst.value else {
        return;
    };
    let Some(name) = key.scalar_text() else {
        return;
    };
    let at = entries
        .iter()
        .rposition(|e| e.key.scalar_text() == Some(name));
    let delete = matches!(value.value, Value::Null) || directive(value) == Some("delete");
    match (at, delete) {
        (Some(_), true) => {
            entries.retain(|e| e.key.scalar_text() != Some(name));
            let pointer = pointer_child(path, name);
            removed.push(Removal {
                at: pointer.clone(),
                pointer,
                span: key.span,
            });
        }
        (None, true) => {}
        (Some(i), false) => {
            let Some(existing) = entries.get_mut(i) else {
                return;
            };
            let both_maps = existing.value.as_map().is_some() && value.as_map().is_some();
            let both_lists = existing.value.as_seq().is_some() && value.as_seq().is_some();
            if both_lists && MERGED_BY_NAME.contains(&name) {
                merge_by_name(existing, value, &pointer_child(path, name), removed);
            } else if both_maps && directive(value) != Some("replace") {
                for e in value.as_map().unwrap_or_default() {
                    if e.key.scalar_text() != Some(DIRECTIVE) {
                        let path = pointer_child(path, name);
                        merge_entry(&mut existing.value, &e.key, &e.value, &path, removed);
                    }
                }
            } else {
                // A mapping replaced (`$patch: replace`, or a value of another kind): what
                // the base had and the patch does not is removed too.
                let new = added(value);
                let at = pointer_child(path, name);
                vanished(&existing.value, &new, &at, key.span, &at, removed);
                existing.value = new;
            }
        }
        (None, false) => entries.push(Entry {
            key: key.clone(),
            value: added(value),
        }),
    }
}

/// The lists of a pod's spec that a strategic merge merges item by item, matched by `name`
/// (their patch merge key in Kubernetes' schema), rather than replaces.
const MERGED_BY_NAME: &[&str] = &["containers", "initContainers"];

/// Merge the items of list `value` into list `dst` (at `path`) by their `name`, as a
/// strategic merge orders them: the patch's items first, in its order (an item of a name the
/// list has merged into it key by key, a new one as written), then the list's other items; an
/// item with `$patch: delete` removes the one of its name.
fn merge_by_name(dst: &mut Entry, value: &Node, path: &str, removed: &mut Vec<Removal>) {
    let Value::Seq(items) = &mut dst.value.value else {
        return;
    };
    // `- $patch: replace` among the items: the list is the patch's other items.
    let patch = value.as_seq().unwrap_or_default();
    if patch
        .iter()
        .any(|p| p.as_map().is_some_and(|m| m.len() == 1) && directive(p) == Some("replace"))
    {
        *items = patch
            .iter()
            .filter(|p| directive(p) != Some("replace"))
            .map(added)
            .collect();
        return;
    }
    let mut old: Vec<Option<Node>> = std::mem::take(items).into_iter().map(Some).collect();
    let name_of = |n: &Node| {
        n.get("name")
            .and_then(Node::scalar_text)
            .map(str::to_string)
    };
    let mut merged = Vec::new();
    for p in value.as_seq().unwrap_or_default() {
        let name = name_of(p);
        let at = name.as_ref().and_then(|name| {
            old.iter()
                .position(|o| o.as_ref().and_then(name_of).as_ref() == Some(name))
        });
        let delete = directive(p) == Some("delete");
        match (at, delete) {
            (Some(j), true) => {
                if let Some(Some(gone)) = old.get_mut(j).map(Option::take) {
                    let pointer = pointer_child(path, &j.to_string());
                    removed.push(Removal {
                        at: pointer.clone(),
                        pointer,
                        span: gone.span,
                    });
                }
            }
            (None, true) => {}
            (Some(j), false) => {
                let Some(Some(mut item)) = old.get_mut(j).map(Option::take) else {
                    continue;
                };
                let item_path = pointer_child(path, &j.to_string());
                for e in p.as_map().unwrap_or_default() {
                    if e.key.scalar_text() != Some(DIRECTIVE) {
                        merge_entry(&mut item, &e.key, &e.value, &item_path, removed);
                    }
                }
                merged.push(item);
            }
            (None, false) => merged.push(added(p)),
        }
    }
    merged.extend(old.into_iter().flatten());
    *items = merged;
}

/// A value the target did not have, as the merge adds it: in mappings, nulls and deleted
/// mappings are dropped and `$patch: replace` is just the mapping; lists are as written.
fn added(value: &Node) -> Node {
    match &value.value {
        Value::Map(entries) => Node {
            value: Value::Map(
                entries
                    .iter()
                    .filter(|e| {
                        e.key.scalar_text() != Some(DIRECTIVE)
                            && !matches!(e.value.value, Value::Null)
                            && directive(&e.value) != Some("delete")
                    })
                    .map(|e| Entry {
                        key: e.key.clone(),
                        value: added(&e.value),
                    })
                    .collect(),
            ),
            span: value.span,
            tag: value.tag.clone(),
        },
        _ => value.clone(),
    }
}

/// Apply RFC 6902 operations (a sequence of `{op, path, value, from}`) to `obj`, in order.
/// Stops at the first operation that cannot apply (kustomize fails the build there), and
/// says why. Each value a `remove` takes is added to `removed`.
pub(super) fn json_patch(
    obj: &mut Node,
    ops: &Node,
    removed: &mut Vec<Removal>,
) -> Result<(), String> {
    for (n, op) in ops.as_seq().unwrap_or_default().iter().enumerate() {
        let kind = op.get("op").and_then(Node::as_str).unwrap_or("");
        let path_node = op.get("path");
        let path = path_node
            .and_then(Node::as_str)
            .ok_or_else(|| format!("a `{kind}` operation without a path"))?;
        let tokens = pointer_tokens(path)?;
        match kind {
            "add" | "replace" => {
                let value = op
                    .get("value")
                    .ok_or_else(|| format!("`{kind} {path}` without a value"))?;
                let key_span = path_node.map(|p| p.span).unwrap_or(value.span);
                // What a value put in place of a mapping lacks is removed (`add` to an array
                // inserts: nothing is replaced there).
                let parent_is_map = tokens
                    .split_last()
                    .and_then(|(_, parents)| get(obj, parents))
                    .is_some_and(|p| p.as_map().is_some());
                let replaced = if kind == "replace" || parent_is_map {
                    get(obj, &tokens)
                } else {
                    None
                };
                if let (Some(old), Some(p)) = (replaced, path_node) {
                    vanished(old, value, path, p.span, &format!("/{n}/path"), removed);
                }
                set(obj, &tokens, value.clone(), kind == "add", key_span)
                    .ok_or_else(|| format!("`{kind} {path}`: no such place in the object"))?;
            }
            "remove" => {
                take(obj, &tokens).ok_or_else(|| format!("`remove {path}`: no such value"))?;
                if let Some(p) = path_node {
                    removed.push(Removal {
                        pointer: path.to_string(),
                        span: p.span,
                        at: format!("/{n}/path"),
                    });
                }
            }
            "move" | "copy" => {
                let from = op
                    .get("from")
                    .and_then(Node::as_str)
                    .ok_or_else(|| format!("`{kind} {path}` without `from`"))?;
                let from_tokens = pointer_tokens(from)?;
                let value = if kind == "move" {
                    take(obj, &from_tokens)
                } else {
                    get(obj, &from_tokens).cloned()
                }
                .ok_or_else(|| format!("`{kind}` from `{from}`: no such value"))?;
                let key_span = path_node.map(|p| p.span).unwrap_or(value.span);
                set(obj, &tokens, value, true, key_span)
                    .ok_or_else(|| format!("`{kind} {path}`: no such place in the object"))?;
            }
            "test" => {
                let expected = op.get("value");
                let found = get(obj, &tokens);
                if !same(found, expected) {
                    return Err(format!("`test {path}` does not hold"));
                }
            }
            other => return Err(format!("unknown JSON patch operation `{other}`")),
        }
    }
    Ok(())
}

/// The reference tokens of a JSON pointer (`~1` is `/`, `~0` is `~`).
fn pointer_tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("`{pointer}` is not a JSON pointer"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn child<'n>(node: &'n Node, token: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(_) => node.get(token),
        Value::Seq(items) => items.get(token.parse::<usize>().ok()?),
        _ => None,
    }
}

fn child_mut<'n>(node: &'n mut Node, token: &str) -> Option<&'n mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|e| e.key.scalar_text() == Some(token))
            .map(|e| &mut e.value),
        Value::Seq(items) => items.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    }
}

fn get<'n>(node: &'n Node, tokens: &[String]) -> Option<&'n Node> {
    tokens.iter().try_fold(node, |n, t| child(n, t))
}

/// The value at JSON pointer `pointer` of `node` (`None`: not there, or not a pointer).
pub(super) fn at<'n>(node: &'n Node, pointer: &str) -> Option<&'n Node> {
    get(node, &pointer_tokens(pointer).ok()?)
}

fn parent_mut<'n>(node: &'n mut Node, tokens: &[String]) -> Option<(&'n mut Node, String)> {
    let (last, parents) = tokens.split_last()?;
    let mut n = node;
    for t in parents {
        n = child_mut(n, t)?;
    }
    Some((n, last.clone()))
}

/// Set the value at `tokens`: `add` inserts into a list (at an index or `-`, the end) or sets
/// a key; `replace` needs the value to exist. A key it adds is located at `key_span`.
fn set(
    obj: &mut Node,
    tokens: &[String],
    value: Node,
    add: bool,
    key_span: crate::document::Span,
) -> Option<()> {
    let (parent, last) = parent_mut(obj, tokens)?;
    match &mut parent.value {
        Value::Map(entries) => {
            match entries
                .iter_mut()
                .rev()
                .find(|e| e.key.scalar_text() == Some(&last))
            {
                Some(e) => e.value = value,
                None if add => entries.push(Entry {
                    key: Node::new(Value::String(last.into()), key_span),
                    value,
                }),
                None => return None,
            }
        }
        Value::Seq(items) => {
            if add {
                let at = if last == "-" {
                    items.len()
                } else {
                    last.parse::<usize>().ok().filter(|i| *i <= items.len())?
                };
                items.insert(at, value);
            } else {
                *items.get_mut(last.parse::<usize>().ok()?)? = value;
            }
        }
        _ => return None,
    }
    Some(())
}

/// Remove and return the value at `tokens`.
fn take(obj: &mut Node, tokens: &[String]) -> Option<Node> {
    let (parent, last) = parent_mut(obj, tokens)?;
    match &mut parent.value {
        Value::Map(entries) => {
            let i = entries
                .iter()
                .rposition(|e| e.key.scalar_text() == Some(&last))?;
            Some(entries.remove(i).value)
        }
        Value::Seq(items) => {
            let i = last.parse::<usize>().ok().filter(|i| *i < items.len())?;
            Some(items.remove(i))
        }
        _ => None,
    }
}

/// Whether two values are equal as JSON (spans aside).
fn same(a: Option<&Node>, b: Option<&Node>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (&a.value, &b.value) {
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter().all(|e| {
                        e.key
                            .scalar_text()
                            .is_some_and(|k| same(Some(&e.value), b.get(k)))
                    })
            }
            (Value::Seq(x), Value::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(Some(p), Some(q)))
            }
            (Value::Null, Value::Null) => true,
            _ => a.scalar_text().is_some() && a.scalar_text() == b.scalar_text(),
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::adapters::kubernetes::render::first_doc as doc;

    /// A tree as flow-style text (keys in order), spans aside.
    fn flow(n: &Node) -> String {
        match &n.value {
            Value::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|e| format!("{}: {}", e.key.scalar_text().unwrap_or(""), flow(&e.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Seq(s) => format!("[{}]", s.iter().map(flow).collect::<Vec<_>>().join(", ")),
            Value::Null => "null".into(),
            _ => n.scalar_text().unwrap_or("").to_string(),
        }
    }

    /// A pod's containers merge by name, in the order `kubectl kustomize` gives them (the
    /// patch's first, then the others); their `args` are replaced.
    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut obj = doc(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: op}\nspec:\n  template:\n    spec:\n      initContainers: [{name: init, image: busybox}]\n      containers:\n        - {name: proxy, image: rbac}\n        - {name: manager, image: op, args: [--leader-elect]}\n",
        );
        let patch = doc(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: op}\nspec:\n  template:\n    spec:\n      initContainers: [{name: init, $patch: delete}]\n      containers:\n        - {name: sidecar, image: s}\n        - {name: manager, args: [--atlas-domain=x]}\n",
        );
        let mut removed = Vec::new();
        strategic_merge(&mut obj, &patch, &mut removed);
        assert_eq!(
            flow(&obj),
            "{apiVersion: apps/v1, kind: Deployment, metadata: {name: op}, spec: {template: {spec: {initContainers: [], containers: [{name: sidecar, image: s}, {name: manager, image: op, args: [--atlas-domain=x]}, {name: proxy, image: rbac}]}}}}"
        );
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].pointer, "/spec/template/spec/initContainers/0");
    }

    #[test]
    fn strategic_merge_replaces_lists_deletes_nulls_and_obeys_directives() {
        let mut obj = doc(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: db, labels: {a: b}}\nspec:\n  projectRef: {name: p}\n  backupRef: {name: s}\n  deploymentSpec:\n    name: db\n    mongoDBMajorVersion: '7.0'\n    replicationSpecs: [{regionConfigs: [{regionName: US_GOV_WEST_1}, {regionName: US_GOV_EAST_1}]}]\n",
        );
        let patch = doc(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: other, labels: {c: d}}\nspec:\n  backupRef: {$patch: delete}\n  projectRef: {$patch: replace, namespace: n}\n  deploymentSpec:\n    mongoDBMajorVersion: null\n    replicationSpecs: [{regionConfigs: [{regionName: US_EAST_1, x: null}]}]\n  added: {a: 1, b: null, c: {$patch: delete}}\n",
        );
        let path = |n: &Node, keys: &[&str]| {
            keys.iter()
                .fold(n.clone(), |n, k| n.get(k).unwrap().clone())
        };
        let name_span = path(&obj, &["spec", "deploymentSpec", "name"]).span;
        let patched_span = path(&patch, &["spec", "deploymentSpec", "replicationSpecs"]).span;
        assert!(matches!(
            strategic_merge(&mut obj, &patch, &mut Vec::new()),
            Merge::Merged
        ));
        assert_eq!(
            flow(&obj),
            "{apiVersion: atlas.mongodb.com/v1, kind: AtlasDeployment, metadata: {name: db, labels: {a: b, c: d}}, spec: {projectRef: {namespace: n}, deploymentSpec: {name: db, replicationSpecs: [{regionConfigs: [{regionName: US_EAST_1, x: null}]}]}, added: {a: 1}}}"
        );
        // The value a patch sets keeps the patch's span; the rest keeps the base's.
        assert_eq!(
            path(&obj, &["spec", "deploymentSpec", "name"]).span,
            name_span
        );
        assert_eq!(
            path(&obj, &["spec", "deploymentSpec", "replicationSpecs"]).span,
            patched_span
        );
        let delete = doc("apiVersion: v1\nkind: X\nmetadata: {name: a}\n$patch: delete\n");
        assert!(matches!(
            strategic_merge(&mut obj, &delete, &mut Vec::new()),
            Merge::Delete
        ));
    }

    /// What a patch removes is recorded with the place it says so: the key a strategic merge
    /// sets to null or deletes (with the pointer below nested mappings), the `path` of a JSON
    /// patch `remove`; a null for a key the object lacks removes nothing.
    #[test]
    fn removals_are_recorded_where_the_patch_says_them() {
        let mut obj = doc(
            "kind: AtlasProject\nmetadata: {name: p}\nspec:\n  name: p\n  regionUsageRestrictions: GOV_REGIONS_ONLY\n  settings: {a/b: 1, keep: 2}\n",
        );
        let patch = doc(
            "kind: AtlasProject\nmetadata: {name: p}\nspec:\n  regionUsageRestrictions: null\n  absent: null\n  settings: {a/b: {$patch: delete}}\n",
        );
        let key_span = patch.get("spec").unwrap().as_map().unwrap()[0].key.span;
        let mut removed = Vec::new();
        strategic_merge(&mut obj, &patch, &mut removed);
        let got: Vec<(&str, &str)> = removed
            .iter()
            .map(|r| (r.pointer.as_str(), r.at.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "/spec/regionUsageRestrictions",
                    "/spec/regionUsageRestrictions"
                ),
                ("/spec/settings/a~1b", "/spec/settings/a~1b"),
            ]
        );
        assert_eq!(removed[0].span, key_span);
        let mut obj = doc("spec:\n  name: p\n  regionUsageRestrictions: GOV_REGIONS_ONLY\n");
        let ops = doc(
            "- {op: test, path: /spec/name, value: p}\n- {op: remove, path: /spec/regionUsageRestrictions}\n",
        );
        let path_span = ops.as_seq().unwrap()[1].get("path").unwrap().span;
        let mut removed = Vec::new();
        json_patch(&mut obj, &ops, &mut removed).unwrap();
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].pointer, "/spec/regionUsageRestrictions");
        assert_eq!(removed[0].at, "/1/path");
        assert_eq!(removed[0].span, path_span);
        // A mapping replaced whole: what it had and the new one lacks, at the patch's key or
        // path; an `add` into an array replaces nothing.
        let base =
            "spec:\n  name: p\n  regionUsageRestrictions: GOV_REGIONS_ONLY\n  list: [{a: 1}]\n";
        let mut obj = doc(base);
        let patch = doc("spec:\n  $patch: replace\n  name: p\n");
        let mut removed = Vec::new();
        strategic_merge(&mut obj, &patch, &mut removed);
        let pointers: Vec<&str> = removed.iter().map(|r| r.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec!["/spec/regionUsageRestrictions", "/spec/list"]
        );
        assert_eq!(removed[0].span, patch.as_map().unwrap()[0].key.span);
        let mut obj = doc(base);
        let ops = doc(
            "- {op: replace, path: /spec, value: {name: p, list: []}}\n- {op: add, path: /spec/list/0, value: {b: 2}}\n",
        );
        let mut removed = Vec::new();
        json_patch(&mut obj, &ops, &mut removed).unwrap();
        let pointers: Vec<(&str, &str)> = removed
            .iter()
            .map(|r| (r.pointer.as_str(), r.at.as_str()))
            .collect();
        assert_eq!(pointers, vec![("/spec/regionUsageRestrictions", "/0/path")]);
    }

    #[test]
    fn json_patches_add_replace_remove_move_copy_and_test() {
        let mut obj = doc("spec:\n  list: [a, b]\n  map: {k: v}\n");
        let ops = doc(
            "- {op: add, path: /spec/list/-, value: c}\n- {op: add, path: /spec/list/0, value: z}\n- {op: replace, path: /spec/map/k, value: w}\n- {op: add, path: /spec/map/new, value: {x: 1}}\n- {op: remove, path: /spec/list/1}\n- {op: copy, from: /spec/map/k, path: /spec/copied}\n- {op: move, from: /spec/map/new, path: /spec/moved}\n- {op: test, path: /spec/copied, value: w}\n- {op: add, path: /spec/a~1b, value: slash}\n",
        );
        json_patch(&mut obj, &ops, &mut Vec::new()).unwrap();
        assert_eq!(
            flow(&obj),
            "{spec: {list: [z, b, c], map: {k: w}, copied: w, moved: {x: 1}, a/b: slash}}"
        );
        for (ops, error) in [
            (
                "- {op: replace, path: /spec/nope, value: 1}",
                "`replace /spec/nope`: no such place in the object",
            ),
            (
                "- {op: remove, path: /spec/list/9}",
                "`remove /spec/list/9`: no such value",
            ),
            (
                "- {op: test, path: /spec/copied, value: x}",
                "`test /spec/copied` does not hold",
            ),
            (
                "- {op: add, path: spec, value: 1}",
                "`spec` is not a JSON pointer",
            ),
            (
                "- {op: frobnicate, path: /a}",
                "unknown JSON patch operation `frobnicate`",
            ),
            (
                "- {op: add, path: /spec/list/7, value: 1}",
                "`add /spec/list/7`: no such place in the object",
            ),
        ] {
            assert_eq!(
                json_patch(&mut obj, &doc(ops), &mut Vec::new()),
                Err(error.to_string()),
                "{ops}"
            );
        }
    }
}
