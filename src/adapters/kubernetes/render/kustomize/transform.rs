//! The transformers that act on everything accumulated, and the configuration that steers
//! them: the `namespace` transformer (with the `namespace` field specs of `configurations`),
//! and the name references that `nameReference` field specs declare, fixed once every
//! transformer has run. Paths of keys are read and written here too.

use super::Obj;
use crate::document::{Entry, Node, Span, Value};

/// Kinds kustomize never puts in a namespace (the cluster-scoped kinds of its built-in
/// schema that a kustomization holds in practice).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
];

/// A field spec of a `configurations` file: which kinds, which path (`spec/projectRef/name`;
/// `[]` after a segment: each item of a list there).
pub(super) struct FieldSpec {
    pub(super) kind: Option<String>,
    pub(super) group: Option<String>,
    pub(super) path: Vec<String>,
    pub(super) create: bool,
}

impl FieldSpec {
    pub(super) fn read(node: &Node) -> Option<FieldSpec> {
        let text = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
        Some(FieldSpec {
            kind: text("kind"),
            group: text("group"),
            path: text("path")?
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            create: node.get("create").and_then(Node::as_bool) == Some(true),
        })
    }

    fn applies_to(&self, obj: &Obj) -> bool {
        self.kind.as_ref().is_none_or(|k| *k == obj.kind)
            && self.group.as_ref().is_none_or(|g| *g == obj.group)
    }
}

/// A `nameReference` entry: fields of other objects that name an object of this kind.
pub(super) struct NameRef {
    pub(super) kind: String,
    pub(super) group: Option<String>,
    pub(super) specs: Vec<FieldSpec>,
}

/// The transformer configuration gathered from `configurations` files (a kustomization's own
/// and its bases').
#[derive(Default)]
pub(super) struct Config {
    pub(super) name_refs: Vec<NameRef>,
    pub(super) namespaces: Vec<FieldSpec>,
}

/// Objects accumulated so far, and the configuration that applies to them.
#[derive(Default)]
pub(super) struct Accum {
    pub(super) objs: Vec<Obj>,
    pub(super) config: Config,
}

/// The `namespace` transformer: every namespaced object, and the fields the configuration's
/// namespace field specs name.
pub(super) fn set_namespace(acc: &mut Accum, ns: &Node) {
    let Some(name) = ns.scalar_text().map(str::to_string) else {
        return;
    };
    for obj in &mut acc.objs {
        if !obj.is_atlas() && CLUSTER_SCOPED.contains(&obj.kind.as_str()) {
            continue;
        }
        ensure(
            &mut obj.node,
            &["metadata", "namespace"],
            ns.clone(),
            ns.span,
        );
        let current = obj.current().0.to_string();
        obj.ids.push((current, name.clone()));
        let specs: Vec<&FieldSpec> = acc
            .config
            .namespaces
            .iter()
            .filter(|s| s.applies_to(obj))
            .collect();
        for spec in specs {
            let path: Vec<&str> = spec.path.iter().map(String::as_str).collect();
            if spec.create {
                ensure(&mut obj.node, &path, ns.clone(), ns.span);
            } else if let Some(node) = path_mut(&mut obj.node, &path) {
                *node = Node {
                    value: ns.value.clone(),
                    span: node.span,
                    tag: None,
                };
            }
        }
    }
}

/// Kustomize's back references: a field that `nameReference` says names an object of a kind,
/// and that holds a name the object had, gets the object's final name.
pub(super) fn fix_name_references(acc: &mut Accum) {
    let mut renames: Vec<(usize, Vec<String>, String)> = Vec::new();
    for nr in &acc.config.name_refs {
        for (x, referrer) in acc.objs.iter().enumerate() {
            for spec in nr.specs.iter().filter(|s| s.applies_to(referrer)) {
                let path: Vec<&str> = spec.path.iter().map(String::as_str).collect();
                let Some(value) = path_get(&referrer.node, &path).and_then(Node::as_str) else {
                    continue;
                };
                let candidates: Vec<&Obj> = acc
                    .objs
                    .iter()
                    .filter(|o| {
                        o.kind == nr.kind
                            && nr.group.as_ref().is_none_or(|g| *g == o.group)
                            && o.ids.iter().any(|(n, _)| n == value)
                    })
                    .collect();
                let chosen = match candidates.as_slice() {
                    [one] => Some(*one),
                    many => {
                        let same_ns: Vec<&&Obj> = many
                            .iter()
                            .filter(|o| o.current().1 == referrer.current().1)
                            .collect();
                        match same_ns.as_slice() {
                            [one] => Some(**one),
                            _ => None,
                        }
                    }
                };
                if let Some(target) = chosen {
                    let name = target.current().0;
                    if name != value {
                        renames.push((x, spec.path.clone(), name.to_string()));
                    }
                }
            }
        }
    }
    for (x, path, name) in renames {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        if let Some(node) = acc
            .objs
            .get_mut(x)
            .and_then(|o| path_mut(&mut o.node, &path))
        {
            node.value = Value::String(name.into());
        }
    }
}

/// The node at a path of keys (a `[]` suffix is not followed here).
pub(super) fn path_get<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(node, |n, k| n.get(k))
}

pub(super) fn path_mut<'n>(node: &'n mut Node, path: &[&str]) -> Option<&'n mut Node> {
    let mut n = node;
    for k in path {
        let Value::Map(entries) = &mut n.value else {
            return None;
        };
        n = entries
            .iter_mut()
            .rev()
            .find(|e| e.key.scalar_text() == Some(k))
            .map(|e| &mut e.value)?;
    }
    Some(n)
}

/// Set the value at a path of keys, creating the mappings on the way (their keys located at
/// `at`). A scalar on the way is left alone.
pub(super) fn ensure(node: &mut Node, path: &[&str], value: Node, at: Span) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut n = node;
    for k in parents {
        let Value::Map(entries) = &mut n.value else {
            return;
        };
        let i = match entries.iter().rposition(|e| e.key.scalar_text() == Some(k)) {
            Some(i) => i,
            None => {
                entries.push(Entry {
                    key: Node::new(Value::String((*k).into()), at),
                    value: Node::new(Value::Map(Vec::new()), at),
                });
                entries.len() - 1
            }
        };
        let Some(e) = entries.get_mut(i) else { return };
        if matches!(e.value.value, Value::Null) {
            e.value = Node::new(Value::Map(Vec::new()), at);
        }
        n = &mut e.value;
    }
    let Value::Map(entries) = &mut n.value else {
        return;
    };
    match entries
        .iter_mut()
        .rev()
        .find(|e| e.key.scalar_text() == Some(last))
    {
        Some(e) => e.value = value,
        None => entries.push(Entry {
            key: Node::new(Value::String((*last).into()), at),
            value,
        }),
    }
}
