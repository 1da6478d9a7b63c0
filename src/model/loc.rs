//! Locations: where a model value was read from ([`Loc`]), the shared copies of recurring
//! pointers and values, and what an adapter needs to locate document nodes ([`LocCtx`]).

use arcstr::ArcStr;
use std::cell::RefCell;
use std::path::Path;

use foldhash::{HashSet, HashSetExt};

use super::{Field, FileId, Text};
use crate::document::{Cursor, LineCol, LineIndex, Span};

/// Where a value came from: file, byte span, line/column of both ends, and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    /// Shared among the locations with the same pointer ([`intern_pointer`]).
    pub pointer: ArcStr,
    /// Where the value was actually set, when it reached this place indirectly (a Terraform
    /// variable's default or a tfvars file, a CloudFormation parameter default). Reporters
    /// show it as a second label.
    pub via: Option<Box<Loc>>,
}

/// The same JSON pointers recur in every file of a kind (each cluster has
/// `/replicationSpecs/0/regionConfigs/0/regionName`): each thread keeps one shared copy of
/// each, so the model does not hold one string per value. Bounded: the table starts over
/// past [`MAX_INTERNED`] pointers (copies already handed out stay valid).
pub fn intern_pointer(pointer: &str) -> ArcStr {
    thread_local! {
        static POINTERS: RefCell<HashSet<ArcStr>> = RefCell::new(HashSet::new());
    }
    POINTERS.with(|table| intern_in(table, pointer))
}

/// Distinct strings kept per thread by [`intern_pointer`] and [`intern_value`].
const MAX_INTERNED: usize = 16_384;

/// Values shorter than this are shared like pointers ([`intern_value`]).
const MAX_INTERNED_VALUE: usize = 32;

/// Short values recur as much as pointers (`AWS`, `US_GOV_WEST_1`, `M30`, `ELECTABLE`): each
/// thread keeps one shared copy of each; longer values (names, ids, URLs) are not shared.
pub fn intern_value(value: &str) -> ArcStr {
    thread_local! {
        static VALUES: RefCell<HashSet<ArcStr>> = RefCell::new(HashSet::new());
    }
    if value.len() >= MAX_INTERNED_VALUE {
        return ArcStr::from(value);
    }
    VALUES.with(|table| intern_in(table, value))
}

fn intern_in(table: &RefCell<HashSet<ArcStr>>, s: &str) -> ArcStr {
    let Ok(mut table) = table.try_borrow_mut() else {
        return ArcStr::from(s);
    };
    if let Some(shared) = table.get(s) {
        return ArcStr::clone(shared);
    }
    if table.len() >= MAX_INTERNED {
        table.clear();
    }
    let shared = ArcStr::from(s);
    table.insert(ArcStr::clone(&shared));
    shared
}

/// How a value that a template action produces reads in the model (see [`LocCtx::text`]).
pub const TEMPLATE_VALUE: &str = "{{…}}";

/// What an adapter needs to turn document nodes into located model values.
#[derive(Clone, Copy)]
pub struct LocCtx<'a> {
    pub file: FileId,
    /// The file's path as walked (for format-scoped project keys such as `cfn:<path>:<id>`).
    pub path: &'a Path,
    pub text: &'a str,
    pub index: &'a LineIndex,
    /// The actions of an unrendered template (`{{ ... }}`) the document was read from, sorted;
    /// empty for any other file. An action where a mapping's entries go may produce keys.
    pub template_actions: &'a [Span],
    /// For a tree assembled from several files (a kustomize overlay's object, rendered from a
    /// base and its patches; a Helm chart's object, rendered from values files): where each of
    /// its nodes was written. Its spans are then not offsets into `text` (see [`SourceMap`]).
    pub sources: Option<&'a dyn SourceMap>,
}

/// Where the nodes of an assembled tree were written: its spans are offsets into a space that
/// stands for several files, and this says which file and which bytes of it each one is.
pub trait SourceMap {
    /// The location of the node at `span` of the assembled tree (reached at `pointer` in it):
    /// its file, its span and lines there, and its pointer in that file. `None` when the span
    /// belongs to no file (the caller then locates it as usual).
    fn loc(&self, span: Span, pointer: &str) -> Option<Loc>;
    /// The source text the bytes at `span` of the assembled tree are spelled by, when they
    /// lie on one stretch of one file (`None` otherwise: the caller then locates pieces of a
    /// value at the whole value).
    fn text_of(&self, span: Span) -> Option<&str>;
}

impl<'a> LocCtx<'a> {
    /// The context of a file's document (not an unrendered template's: see
    /// [`LocCtx::template_actions`]).
    pub fn new(file: FileId, path: &'a Path, text: &'a str, index: &'a LineIndex) -> Self {
        LocCtx {
            file,
            path,
            text,
            index,
            template_actions: &[],
            sources: None,
        }
    }

    /// The location of a node.
    pub fn loc(&self, cur: &Cursor<'_>) -> Loc {
        self.loc_of(cur.node.span, &cur.pointer)
    }

    pub fn loc_of(&self, span: Span, pointer: &str) -> Loc {
        if let Some(loc) = self.sources.and_then(|s| s.loc(span, pointer)) {
            return loc;
        }
        let (start, end) = self.index.span_line_cols(self.text, span);
        Loc {
            file: self.file,
            span,
            start,
            end,
            pointer: intern_pointer(pointer),
            via: None,
        }
    }

    /// Whether a template action that stands where entries go lies in `from..to`: alone on its
    /// line (`{{- toYaml .Values.spec | nindent 2 }}`), or in a key's place (`{{ .Values.key
    /// }}: GOV_REGIONS_ONLY`), so it may produce what is missing. An action in a value's place
    /// (`name: {{ .Values.name }}`) produces that value only.
    pub fn entries_action_within(&self, from: u32, to: u32) -> bool {
        let i = self.template_actions.partition_point(|a| a.end <= from);
        self.template_actions
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|a| a.start < to)
            .any(|a| {
                let (start, end) = (a.start as usize, a.end as usize);
                let line_start = self
                    .text
                    .get(..start)
                    .and_then(|b| b.rfind('\n'))
                    .map_or(0, |i| i + 1);
                let before = self.text.get(line_start..start).unwrap_or("");
                let after = self.text.get(end..).unwrap_or("");
                let after = after.split('\n').next().unwrap_or("").trim_start();
                before.trim().is_empty()
                    && (after.is_empty() || after.starts_with("{{") || after.starts_with(':'))
            })
    }

    /// A scalar node as located text (`None` for null, sequences and mappings). A scalar that
    /// an unrendered template action produces (`region: {{ .Values.region }}`) is present but
    /// unknown: it reads as its source (or [`TEMPLATE_VALUE`]), which no rule takes for a real
    /// value (and which is never absent, so "not set" findings do not fire on it).
    pub fn text(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        let cur = cur?;
        let value = match cur.text() {
            Some(value) => intern_value(value),
            // As written (`{{ .Values.region }}`), so a message that names it reads right; it
            // is no region, tier or enum value any rule knows.
            None if cur.node.is_template() => {
                let span = cur.node.span;
                // A rendering's node holds its source itself (its spans are not offsets into
                // `text`); a template read on its own holds the blanked text.
                let own = match &cur.node.value {
                    crate::document::Value::String(s) if s.contains("{{") => Some(&**s),
                    _ => None,
                };
                let source = own
                    .or_else(|| self.text.get(span.start as usize..span.end as usize))
                    .map(|s| s.trim().trim_matches(['"', '\'']))
                    .filter(|s| s.contains("{{") && s.len() <= 200)
                    .unwrap_or(TEMPLATE_VALUE);
                intern_value(source)
            }
            None => return None,
        };
        Some(Field {
            value,
            loc: self.loc(&cur),
        })
    }
}

#[cfg(test)]
mod intern_tests {
    use super::*;

    #[test]
    fn equal_pointers_share_one_copy() {
        let a = intern_pointer("/replicationSpecs/0/regionConfigs/0/regionName");
        let b = intern_pointer("/replicationSpecs/0/regionConfigs/0/regionName");
        assert!(ArcStr::ptr_eq(&a, &b));
        assert_eq!(&*a, "/replicationSpecs/0/regionConfigs/0/regionName");
        assert!(!ArcStr::ptr_eq(&a, &intern_pointer("/name")));
        // Past the bound the table starts over; what was handed out stays valid.
        for i in 0..MAX_INTERNED + 1 {
            intern_pointer(&format!("/k{i}"));
        }
        assert_eq!(&*a, "/replicationSpecs/0/regionConfigs/0/regionName");
    }

    #[test]
    fn short_values_are_shared_long_ones_are_not() {
        assert!(ArcStr::ptr_eq(
            &intern_value("US_GOV_WEST_1"),
            &intern_value("US_GOV_WEST_1")
        ));
        let long = "a".repeat(MAX_INTERNED_VALUE);
        assert!(!ArcStr::ptr_eq(&intern_value(&long), &intern_value(&long)));
        assert_eq!(&*intern_value(&long), long);
    }
}
