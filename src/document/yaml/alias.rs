//! Anchors and aliases: anchored nodes and the placeholders that stand in for aliases until
//! the document is complete.

use std::collections::HashMap;

use crate::document::{Node, Span, Value};

/// An anchored node, with its expanded size and height so aliases can be refused before
/// anything is cloned. Until the document ends, `node` may hold alias placeholders.
pub(super) struct Anchored {
    pub(super) node: Node,
    pub(super) size: usize,
    pub(super) height: usize,
    pub(super) has_alias: bool,
}

/// Aliases are not cloned when they are met: a placeholder takes their place (a `Null` node
/// whose tag is this character followed by the anchor id; saphyr never yields it in a tag), and
/// placeholders are replaced once the document is complete and within its limits. Billion laughs
/// is thus refused after reading a few lines, before any expansion.
pub(super) const PLACEHOLDER: char = '\u{0}';

pub(super) fn placeholder(id: usize, span: Span) -> Node {
    Node {
        value: Value::Null,
        span,
        tag: Some(format!("{PLACEHOLDER}{id}").into()),
    }
}

pub(super) fn placeholder_id(node: &Node) -> Option<usize> {
    match (&node.value, &node.tag) {
        (Value::Null, Some(tag)) => tag.strip_prefix(PLACEHOLDER)?.parse().ok(),
        _ => None,
    }
}

/// Replace every placeholder under `root` by a clone of its (fully expanded) anchored node.
/// Iterative: the tree may be as deep as the limits allow.
pub(super) fn expand(root: &mut Node, anchors: &HashMap<usize, Anchored>) {
    let mut todo: Vec<&mut Node> = vec![root];
    while let Some(node) = todo.pop() {
        if let Some(id) = placeholder_id(node) {
            *node = match anchors.get(&id) {
                Some(anchored) => anchored.node.clone(),
                // Cannot happen: every alias was checked against the table.
                None => Node::new(Value::Null, node.span),
            };
            continue;
        }
        match &mut node.value {
            Value::Seq(items) => todo.extend(items.iter_mut()),
            Value::Map(entries) => {
                for entry in entries.iter_mut() {
                    todo.push(&mut entry.key);
                    todo.push(&mut entry.value);
                }
            }
            _ => {}
        }
    }
}
