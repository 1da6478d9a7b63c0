//! A mapping under construction: duplicate keys and merge keys (`<<`).

use std::collections::{HashMap, HashSet};

use crate::document::{Entry, Node, Span, Value};

/// A scalar key, for duplicate detection and merge overrides. Collections are never compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum KeyRef<'a> {
    Null,
    Bool(bool),
    Num(&'a str),
    Str(&'a str),
}

pub(super) fn key_ref(node: &Node) -> Option<KeyRef<'_>> {
    match &node.value {
        Value::Null => Some(KeyRef::Null),
        Value::Bool(b) => Some(KeyRef::Bool(*b)),
        Value::Number(n) => Some(KeyRef::Num(n)),
        Value::String(s) => Some(KeyRef::Str(s)),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum KeyOwned {
    Null,
    Bool(bool),
    Num(Box<str>),
    Str(Box<str>),
}

impl From<KeyRef<'_>> for KeyOwned {
    fn from(k: KeyRef<'_>) -> KeyOwned {
        match k {
            KeyRef::Null => KeyOwned::Null,
            KeyRef::Bool(b) => KeyOwned::Bool(b),
            KeyRef::Num(n) => KeyOwned::Num(n.into()),
            KeyRef::Str(s) => KeyOwned::Str(s.into()),
        }
    }
}

/// Maps with more entries than this get a hash index for duplicate detection.
pub(super) const LINEAR_KEYS: usize = 8;

#[derive(Default)]
pub(super) struct MapFrame {
    pub(super) entries: Vec<Entry>,
    /// The key whose value is being built.
    pub(super) key: Option<Node>,
    /// Whether `key` is a merge key (`<<`).
    pub(super) key_is_merge: bool,
    /// Merge sources: (position among `entries`, mapping or sequence of mappings).
    pub(super) merges: Vec<(usize, Node)>,
    /// Index of scalar keys once the map is large.
    pub(super) index: Option<HashMap<KeyOwned, Span>>,
}

impl MapFrame {
    /// The earlier occurrence of `key`, if any.
    pub(super) fn earlier(&mut self, key: &Node) -> Option<Span> {
        let k = key_ref(key)?;
        if self.entries.len() <= LINEAR_KEYS {
            return self
                .entries
                .iter()
                .find(|e| key_ref(&e.key) == Some(k))
                .map(|e| e.key.span);
        }
        let entries = &self.entries;
        let index = self.index.get_or_insert_with(|| {
            let mut m = HashMap::with_capacity(entries.len() * 2);
            for e in entries {
                if let Some(k) = key_ref(&e.key) {
                    m.entry(KeyOwned::from(k)).or_insert(e.key.span);
                }
            }
            m
        });
        index.get(&KeyOwned::from(k)).copied()
    }

    pub(super) fn push(&mut self, entry: Entry) {
        if let Some(index) = &mut self.index {
            if let Some(k) = key_ref(&entry.key) {
                index.entry(KeyOwned::from(k)).or_insert(entry.key.span);
            }
        }
        self.entries.push(entry);
    }

    /// The entries with the merge sources spliced in (explicit keys win, first merged wins).
    pub(super) fn into_entries(self) -> Vec<Entry> {
        if self.merges.is_empty() {
            return self.entries;
        }
        let mut seen: HashSet<KeyOwned> = self
            .entries
            .iter()
            .filter_map(|e| key_ref(&e.key).map(KeyOwned::from))
            .collect();
        let mut out = Vec::with_capacity(self.entries.len());
        let mut merges = self.merges.into_iter().peekable();
        for (i, entry) in self.entries.into_iter().enumerate() {
            while let Some((_, source)) = merges.next_if(|(pos, _)| *pos <= i) {
                splice(source, &mut seen, &mut out);
            }
            out.push(entry);
        }
        for (_, source) in merges {
            splice(source, &mut seen, &mut out);
        }
        out
    }
}

/// Append the entries of a merge source (a mapping or a sequence of mappings) not yet seen.
pub(super) fn splice(source: Node, seen: &mut HashSet<KeyOwned>, out: &mut Vec<Entry>) {
    let maps = match source.value {
        Value::Map(entries) => vec![entries],
        Value::Seq(items) => items
            .into_iter()
            .filter_map(|n| match n.value {
                Value::Map(entries) => Some(entries),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for entries in maps {
        for entry in entries {
            let fresh = match key_ref(&entry.key) {
                Some(k) => seen.insert(KeyOwned::from(k)),
                None => true,
            };
            if fresh {
                out.push(entry);
            }
        }
    }
}

pub(super) fn is_merge_source(node: &Node) -> bool {
    match &node.value {
        Value::Map(_) => true,
        Value::Seq(items) => items.iter().all(|n| matches!(n.value, Value::Map(_))),
        _ => false,
    }
}
