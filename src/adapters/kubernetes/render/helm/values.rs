//! Helm's semantics of values, as the charts' templates see them: values files merged in
//! order, a template's `if` truth, and a dependency's `condition`.

use crate::document::{Node, Value};

/// Whether a dependency's `condition` (`atlas.enabled`; several paths separated by commas,
/// the first that is set decides) turns it off.
pub(super) fn disabled(values: &Node, condition: &str) -> bool {
    for path in condition.split(',') {
        let found = path.trim().split('.').try_fold(values, |n, k| n.get(k));
        if let Some(b) = found.and_then(Node::as_bool) {
            return !b;
        }
    }
    false
}

pub(super) fn merge_chain(base: Option<Node>, over: &Node) -> Node {
    match base {
        Some(mut b) => {
            coalesce(&mut b, over);
            b
        }
        None => over.clone(),
    }
}

/// Helm's merge of values: mappings merge key by key; anything else replaces; `null` deletes.
/// A key that both have is located where the later file writes it.
fn coalesce(base: &mut Node, over: &Node) {
    let (Value::Map(entries), Some(over_entries)) = (&mut base.value, over.as_map()) else {
        *base = over.clone();
        return;
    };
    for e in over_entries {
        let Some(key) = e.key.scalar_text() else {
            continue;
        };
        let at = entries
            .iter()
            .rposition(|b| b.key.scalar_text() == Some(key));
        match (at.and_then(|i| entries.get_mut(i)), &e.value.value) {
            (Some(_), Value::Null) => entries.retain(|b| b.key.scalar_text() != Some(key)),
            (None, Value::Null) => {}
            (Some(b), _) if b.value.as_map().is_some() && e.value.as_map().is_some() => {
                b.key = e.key.clone();
                coalesce(&mut b.value, &e.value);
            }
            (Some(b), _) => {
                b.key = e.key.clone();
                b.value = e.value.clone();
            }
            (None, _) => entries.push(e.clone()),
        }
    }
}

/// kustomize's `valuesMerge: merge` (`mergo.Merge` without override): `over`'s values fill
/// what `base` lacks or leaves empty (null, false, zero, an empty string or collection);
/// mappings merge key by key; anything `base` sets stays.
pub(super) fn fill_empty(base: &mut Node, over: &Node) {
    let (Value::Map(entries), Some(over_entries)) = (&mut base.value, over.as_map()) else {
        if !truthy(Some(base)) {
            *base = over.clone();
        }
        return;
    };
    for e in over_entries {
        let Some(key) = e.key.scalar_text() else {
            continue;
        };
        match entries
            .iter_mut()
            .rev()
            .find(|b| b.key.scalar_text() == Some(key))
        {
            Some(b) => fill_empty(&mut b.value, &e.value),
            None => entries.push(e.clone()),
        }
    }
}

/// Go templates' truth: absent, null, false, zero, empty strings and collections are false.
pub(super) fn truthy(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => !n.parse::<f64>().is_ok_and(|v| v == 0.0),
        Some(Value::Seq(s)) => !s.is_empty(),
        Some(Value::Map(m)) => !m.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::adapters::kubernetes::render::first_doc as doc;

    #[test]
    fn kustomize_merge_fills_only_what_is_unset_or_empty() {
        let mut base = doc("project: {create: false, name: ''}\nsize: M30\nlist: []\n");
        let over =
            doc("project: {create: true, name: billing, extra: 1}\nsize: M10\nlist: [a]\nnew: z\n");
        fill_empty(&mut base, &over);
        let get = |path: &[&str]| {
            path.iter()
                .try_fold(&base, |n, k| n.get(k))
                .map(|n| n.scalar_text().unwrap_or("(collection)").to_string())
        };
        assert_eq!(get(&["project", "create"]).as_deref(), Some("true"));
        assert_eq!(get(&["project", "name"]).as_deref(), Some("billing"));
        assert_eq!(get(&["project", "extra"]).as_deref(), Some("1"));
        assert_eq!(get(&["size"]).as_deref(), Some("M30"));
        assert_eq!(
            base.get("list").and_then(Node::as_seq).map(<[Node]>::len),
            Some(1)
        );
        assert_eq!(get(&["new"]).as_deref(), Some("z"));
    }

    #[test]
    fn values_merge_as_helm_merges_them() {
        let mut base = doc("a: {b: 1, c: [1, 2], d: {e: 1}}\nkeep: x\ngone: y\n");
        let over = doc("a: {c: [3], d: {f: 2}}\ngone: null\nnew: z\n");
        coalesce(&mut base, &over);
        let flat = |n: &Node| -> Vec<String> {
            n.as_map()
                .unwrap()
                .iter()
                .map(|e| e.key.scalar_text().unwrap().to_string())
                .collect()
        };
        assert_eq!(flat(&base), vec!["a", "keep", "new"]);
        let a = base.get("a").unwrap();
        assert_eq!(flat(a), vec!["b", "c", "d"]);
        assert_eq!(a.get("c").unwrap().as_seq().unwrap().len(), 1);
        assert_eq!(flat(a.get("d").unwrap()), vec!["e", "f"]);
        // A key both write is located where the later file writes it.
        let over_a = over.as_map().unwrap()[0].key.span;
        assert_eq!(base.as_map().unwrap()[0].key.span, over_a);
    }

    #[test]
    fn go_template_truth() {
        for (text, truth) in [
            ("x: true", true),
            ("x: false", false),
            ("x: null", false),
            ("x: ''", false),
            ("x: 0", false),
            ("x: 0.0", false),
            ("x: 2", true),
            ("x: []", false),
            ("x: {}", false),
            ("x: [1]", true),
            ("x: s", true),
        ] {
            assert_eq!(truthy(doc(text).get("x")), truth, "{text}");
        }
        assert!(!truthy(None));
        assert!(disabled(&doc("atlas: {enabled: false}"), "atlas.enabled"));
        assert!(!disabled(&doc("atlas: {enabled: true}"), "atlas.enabled"));
        assert!(!disabled(&doc("atlas: {}"), "atlas.enabled"));
        assert!(disabled(&doc("b: {on: false}"), "a.on, b.on"));
    }
}
