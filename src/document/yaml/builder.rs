//! The builder of the node tree, fed by saphyr's events (see [`super::parse_full`]) and by
//! the fast path (`super::fast`).

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, ScanError, Tag};

use super::alias::{Anchored, expand, placeholder, placeholder_id};
use super::merge::{MapFrame, is_merge_source};
use super::offsets::Offsets;
use super::scalar::{TagKind, classify_tag, scalar_value};
use super::spans::{after_properties, block_indicator, dash_before, quoted_end, trim_blank_end};
use crate::document::{Document, Entry, Limits, Node, ParseError, ParseWarning, Span, Value};

pub(super) enum Kind {
    Seq(Vec<Node>),
    Map(MapFrame),
}

/// An open collection.
pub(super) struct Frame {
    pub(super) kind: Kind,
    pub(super) start: usize,
    /// Furthest byte reached by the collection so far.
    pub(super) end: usize,
    pub(super) tag: Option<arcstr::ArcStr>,
    pub(super) anchor: usize,
    /// Nodes in this subtree (itself included), aliases counted at their expanded size.
    pub(super) size: usize,
    /// Height of the tallest child (0 if none or only scalars), aliases expanded.
    pub(super) child_height: usize,
    /// Whether the subtree holds alias placeholders.
    pub(super) has_alias: bool,
}

pub(super) struct Builder<'a> {
    pub(super) text: &'a str,
    pub(super) limits: &'a Limits,
    pub(super) offsets: Offsets<'a>,
    pub(super) doc: Document,
    pub(super) stack: Vec<Frame>,
    pub(super) anchors: HashMap<usize, Anchored>,
    /// Anchor ids in the order their nodes were completed (an anchored node can only hold
    /// aliases to anchors completed before it).
    pub(super) anchor_order: Vec<usize>,
    /// Nodes materialized in the current document (aliases count their full size).
    pub(super) count: usize,
    /// Nodes copied into the anchor table in the current document, at their expanded size.
    pub(super) anchor_copies: usize,
    /// Whether the current document holds alias placeholders.
    pub(super) has_alias: bool,
    /// Index in `doc.roots` of the current document's root, once delivered.
    pub(super) root: Option<usize>,
    /// Byte end of the previous event (for finding block scalar indicators).
    pub(super) prev_end: usize,
    /// For each anchor an alias used: its entry in `doc.aliased`.
    pub(super) aliased_at: HashMap<usize, usize>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(text: &'a str, limits: &'a Limits) -> Builder<'a> {
        Builder {
            text,
            limits,
            offsets: Offsets::new(text),
            doc: Document::default(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            anchor_order: Vec::new(),
            count: 0,
            anchor_copies: 0,
            has_alias: false,
            root: None,
            prev_end: 0,
            aliased_at: HashMap::new(),
        }
    }

    pub(super) fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    pub(super) fn scan_error(&mut self, e: &ScanError) -> ParseError {
        let start = self.offsets.byte(e.marker().index());
        let width = self
            .text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        // saphyr caps flow nesting at 255 levels, and its scanner looks ahead far enough that
        // `[[[[...` fails before the builder sees any collection: say it in our own words.
        let message = if e.info() == "recursion limit exceeded" {
            "nesting deeper than 255 levels".to_string()
        } else {
            e.info().to_string()
        };
        ParseError {
            message,
            span: Span::new(start, start + width),
        }
    }

    pub(super) fn error(message: String, start: usize, end: usize) -> ParseError {
        ParseError {
            message,
            span: Span::new(start, end),
        }
    }

    pub(super) fn event(
        &mut self,
        event: Event<'_>,
        span: saphyr_parser::Span,
    ) -> Result<(), ParseError> {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        let result = match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => Ok(()),
            Event::DocumentStart(_) => {
                self.start_document();
                Ok(())
            }
            Event::DocumentEnd => self.end_document(end),
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), start, end)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Kind::Seq(Vec::new()), anchor, tag.as_deref(), start, end)
            }
            Event::MappingStart(anchor, tag) => self.open(
                Kind::Map(MapFrame::default()),
                anchor,
                tag.as_deref(),
                start,
                end,
            ),
            Event::SequenceEnd => self.close(b']', start, end),
            Event::MappingEnd => self.close(b'}', start, end),
            Event::Alias(id) => self.alias(id, start, end),
        };
        self.prev_end = self.prev_end.max(end);
        result
    }

    pub(super) fn start_document(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.anchor_order.clear();
        self.aliased_at.clear();
        self.count = 0;
        self.anchor_copies = 0;
        self.has_alias = false;
        self.root = None;
    }

    /// Check the document is closed and expand its aliases.
    pub(super) fn end_document(&mut self, end: usize) -> Result<(), ParseError> {
        if let Some(frame) = self.stack.last() {
            return Err(Self::error(
                "document ended inside a collection".to_string(),
                frame.start,
                end,
            ));
        }
        if !self.has_alias {
            return Ok(());
        }
        // Expand the anchored nodes in completion order, so that each one only meets
        // placeholders of anchors already expanded.
        for id in std::mem::take(&mut self.anchor_order) {
            let Some(mut anchored) = self.anchors.remove(&id) else {
                continue;
            };
            if anchored.has_alias {
                expand(&mut anchored.node, &self.anchors);
                anchored.has_alias = false;
            }
            self.anchors.insert(id, anchored);
        }
        if let Some(root) = self.root.and_then(|i| self.doc.roots.get_mut(i)) {
            expand(root, &self.anchors);
        }
        self.has_alias = false;
        Ok(())
    }

    pub(super) fn count_node(&mut self, start: usize, end: usize) -> Result<(), ParseError> {
        self.count += 1;
        if self.count > self.limits.max_nodes {
            return Err(Self::error(
                format!("document has more than {} nodes", self.limits.max_nodes),
                start,
                end,
            ));
        }
        Ok(())
    }

    pub(super) fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        mut start: usize,
        mut end: usize,
    ) -> Result<(), ParseError> {
        if self.stack.is_empty()
            && value.is_empty()
            && style == ScalarStyle::Plain
            && anchor == 0
            && tag.is_none()
        {
            // An empty document: no root (see the module docs).
            return Ok(());
        }
        self.count_node(start, end)?;
        // A scalar is located at its content, not at its anchor or core tag (`&size M10`,
        // `!!str M10`): the value a finding points at and a fix replaces. A local tag is part
        // of what the node means (CloudFormation's `!Ref Name`), so it stays in the span.
        let tag = tag.map(classify_tag);
        if anchor != 0 || tag.is_some() {
            let tags = !matches!(tag, Some(TagKind::Local(_)));
            start = after_properties(self.bytes(), start, end, tags);
        }
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            if anchor == 0 && tag.is_none() {
                if let Some(indicator) = block_indicator(self.bytes(), self.prev_end, start) {
                    start = indicator;
                }
            }
            end = trim_blank_end(self.bytes(), start, end);
        }
        if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
            // saphyr's span runs on over blanks and a comment after the closing quote.
            end = quoted_end(self.bytes(), start, end);
        }
        let is_merge = style == ScalarStyle::Plain && tag.is_none() && value == "<<";
        let value = scalar_value(value, style, tag.as_ref());
        let node = Node {
            value,
            span: Span::new(start, end),
            tag: match tag {
                Some(TagKind::Local(t)) => Some(t),
                _ => None,
            },
        };
        if anchor != 0 {
            self.remember(anchor, &node, 1, 0, false)?;
        }
        self.deliver(node, 1, 0, is_merge, false)
    }

    pub(super) fn open(
        &mut self,
        kind: Kind,
        anchor: usize,
        tag: Option<&Tag>,
        mut start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Self::error(
                format!("nesting deeper than {} levels", self.limits.max_depth),
                start,
                end,
            ));
        }
        self.count_node(start, end)?;
        let parent_is_map = matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map(_),
                ..
            })
        );
        if matches!(kind, Kind::Seq(_)) && anchor == 0 && tag.is_none() && parent_is_map {
            // An indentless sequence (`key:\n- a`) starts after its first `-`: move back to it.
            if let Some(dash) = dash_before(self.bytes(), start) {
                start = dash;
            }
        }
        let tag = match tag.map(classify_tag) {
            Some(TagKind::Local(t)) => Some(t),
            _ => None,
        };
        self.stack.push(Frame {
            kind,
            start,
            end: end.max(start),
            tag,
            anchor,
            size: 1,
            child_height: 0,
            has_alias: false,
        });
        Ok(())
    }

    pub(super) fn close(
        &mut self,
        bracket: u8,
        start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Err(Self::error(
                "collection end without a start".to_string(),
                start,
                end,
            ));
        };
        // A flow collection ends at its closing bracket; a block one at its last child.
        let closing = end == start + 1 && self.bytes().get(start) == Some(&bracket);
        let stop = if closing {
            frame.end.max(end)
        } else {
            frame.end
        };
        let value = match frame.kind {
            Kind::Seq(items) => Value::Seq(items),
            Kind::Map(mut map) => {
                if let Some(key) = map.key.take() {
                    // Cannot happen with saphyr (every key gets a value); keep the key anyway.
                    let at = key.span.end as usize;
                    map.push(Entry {
                        key,
                        value: Node::new(Value::Null, Span::new(at, at)),
                    });
                }
                Value::Map(map.into_entries())
            }
        };
        let node = Node {
            value,
            span: Span::new(frame.start, stop),
            tag: frame.tag,
        };
        let height = frame.child_height + 1;
        if frame.anchor != 0 {
            self.remember(frame.anchor, &node, frame.size, height, frame.has_alias)?;
        }
        self.deliver(node, frame.size, height, false, frame.has_alias)
    }

    pub(super) fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
        let Some(anchored) = self.anchors.get(&id) else {
            let message = if self.stack.iter().any(|f| f.anchor == id) {
                "alias refers to a node that contains it (recursive alias)"
            } else {
                "alias refers to an unknown anchor"
            };
            return Err(Self::error(message.to_string(), start, end));
        };
        let (size, height) = (anchored.size, anchored.height);
        if self.count.saturating_add(size) > self.limits.max_nodes {
            return Err(Self::error(
                format!(
                    "alias expansion exceeds {} nodes (billion laughs?)",
                    self.limits.max_nodes
                ),
                start,
                end,
            ));
        }
        if self.stack.len() + height > self.limits.max_depth {
            return Err(Self::error(
                format!("nesting deeper than {} levels", self.limits.max_depth),
                start,
                end,
            ));
        }
        self.count += size;
        self.has_alias = true;
        // Where the anchored node is used again (bounded: each alias counts its node size
        // against the document's node limit above).
        let use_span = Span::new(start, end);
        match self
            .aliased_at
            .get(&id)
            .and_then(|&i| self.doc.aliased.get_mut(i))
        {
            Some(entry) => entry.uses.push(use_span),
            None => {
                self.aliased_at.insert(id, self.doc.aliased.len());
                self.doc.aliased.push(crate::document::Aliased {
                    anchored: anchored.node.span,
                    uses: vec![use_span],
                });
            }
        }
        // Keys and merge values are needed now (duplicate detection, merging): clone the
        // anchored node's top level. Anything else waits for the end of the document.
        let needed_now = match self.stack.last() {
            Some(Frame {
                kind: Kind::Map(map),
                ..
            }) => map.key.is_none() || map.key_is_merge,
            _ => false,
        };
        let (node, has_alias) = if needed_now {
            (anchored.node.clone(), anchored.has_alias)
        } else {
            (placeholder(id, Span::new(start, end)), true)
        };
        self.deliver(node, size, height, false, has_alias)
    }

    /// Record an anchored node (a copy), bounded like alias expansion.
    pub(super) fn remember(
        &mut self,
        id: usize,
        node: &Node,
        size: usize,
        height: usize,
        has_alias: bool,
    ) -> Result<(), ParseError> {
        self.anchor_copies = self.anchor_copies.saturating_add(size);
        if self.anchor_copies > self.limits.max_nodes {
            return Err(Self::error(
                format!(
                    "anchored nodes exceed {} nodes in total (nested anchors?)",
                    self.limits.max_nodes
                ),
                node.span.start as usize,
                node.span.end as usize,
            ));
        }
        self.anchors.insert(
            id,
            Anchored {
                node: node.clone(),
                size,
                height,
                has_alias,
            },
        );
        self.anchor_order.push(id);
        Ok(())
    }

    /// Replace placeholders among the items of a merge value by their anchored mappings.
    pub(super) fn resolve_merge_items(&self, node: &mut Node) {
        if let Value::Seq(items) = &mut node.value {
            for item in items.iter_mut() {
                if let Some(anchored) = placeholder_id(item).and_then(|id| self.anchors.get(&id)) {
                    *item = anchored.node.clone();
                }
            }
        }
    }

    /// Hand a finished node to the open collection, or make it a document root.
    pub(super) fn deliver(
        &mut self,
        mut node: Node,
        size: usize,
        height: usize,
        is_merge: bool,
        has_alias: bool,
    ) -> Result<(), ParseError> {
        let merge_value = matches!(
            self.stack.last(),
            Some(Frame { kind: Kind::Map(map), .. }) if map.key.is_some() && map.key_is_merge
        );
        if merge_value && has_alias {
            self.resolve_merge_items(&mut node);
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(self.doc.roots.len());
            self.doc.roots.push(node);
            return Ok(());
        };
        frame.size += size;
        frame.child_height = frame.child_height.max(height);
        frame.end = frame.end.max(node.span.end as usize);
        frame.has_alias |= has_alias;
        match &mut frame.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(map) => match map.key.take() {
                None => {
                    map.key_is_merge = is_merge;
                    if !is_merge {
                        if let Some(earlier) = map.earlier(&node) {
                            let name = node.scalar_text().unwrap_or("null");
                            self.doc.warnings.push(ParseWarning {
                                message: format!(
                                    "duplicate key `{name}`: consumers disagree on which value wins"
                                ),
                                span: node.span,
                                related: Some(earlier),
                                help: None,
                            });
                        }
                    }
                    map.key = Some(node);
                }
                Some(key) => {
                    if map.key_is_merge && is_merge_source(&node) {
                        map.merges.push((map.entries.len(), node));
                    } else {
                        if map.key_is_merge {
                            self.doc.warnings.push(ParseWarning {
                                message: "merge key `<<` needs a mapping or a sequence of \
                                          mappings; kept as an ordinary key"
                                    .to_string(),
                                span: node.span,
                                related: Some(key.span),
                                help: None,
                            });
                        }
                        map.push(Entry { key, value: node });
                    }
                    map.key_is_merge = false;
                }
            },
        }
        Ok(())
    }
}
