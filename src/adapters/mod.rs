//! Format adapters: document trees in, normalized model out. Adapters recognise what a
//! document is and copy its values, with locations, into the model; they never decide what is
//! compliant.
//!
//! Each adapter names the byte strings (needles) at least one of which occurs in any file it
//! can read something from. One pass of a multi-pattern search over a file tells which
//! adapters apply: a file matching none is counted as checked without being parsed, and an
//! adapter whose needles are absent never walks the file's documents.

pub mod api;
mod api_bodies;
pub mod cloudformation;
pub mod generic;
pub mod kubernetes;
pub mod terraform;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::document::{Cursor, Node};
use crate::model::{LocCtx, Model};

/// One input format (or cross-format view) of the documents.
pub struct Adapter {
    pub name: &'static str,
    /// Byte strings one of which any document it reads contains.
    pub needles: &'static [&'static str],
    /// Whether the needles are matched exactly (the format's own names, such as an API group
    /// or a resource type prefix) or ASCII case-insensitively (keys and values that tools
    /// accept in any case).
    pub exact: bool,
    pub adapt: fn(&LocCtx<'_>, &Cursor<'_>, &mut Model),
}

/// Every adapter. Order matters only for the order of resources in the model.
pub static ALL: &[Adapter] = &[
    Adapter {
        name: "atlas-admin-api",
        needles: api::NEEDLES,
        exact: false,
        adapt: api::adapt,
    },
    Adapter {
        name: "cloudformation",
        needles: cloudformation::NEEDLES,
        exact: true,
        adapt: cloudformation::adapt,
    },
    Adapter {
        name: "any-file",
        needles: generic::NEEDLES,
        exact: false,
        adapt: generic::adapt,
    },
    Adapter {
        name: "kubernetes",
        needles: kubernetes::NEEDLES,
        exact: true,
        adapt: kubernetes::adapt,
    },
    Adapter {
        name: "terraform",
        needles: terraform::NEEDLES,
        exact: true,
        adapt: terraform::adapt,
    },
];

/// Which adapters apply to a text, as a bit set over [`ALL`] (empty: nothing to parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applicable(u64);

impl Applicable {
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn contains(self, index: usize) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }
}

/// Per adapter, a search that stops at its first needle: exact needles as SIMD substring
/// searches, the others in an ASCII case-insensitive automaton.
struct Prefilter {
    matchers: Vec<(usize, Matcher)>,
}

enum Matcher {
    Exact(Box<memchr::memmem::Finder<'static>>),
    Folded(AhoCorasick),
    /// Needles that did not compile: the adapter always applies.
    Always,
}

fn prefilter() -> &'static Prefilter {
    static PREFILTER: OnceLock<Prefilter> = OnceLock::new();
    PREFILTER.get_or_init(|| {
        let mut matchers = Vec::new();
        for (i, adapter) in ALL.iter().enumerate().take(64) {
            if adapter.exact {
                for needle in adapter.needles {
                    matchers.push((
                        i,
                        Matcher::Exact(Box::new(memchr::memmem::Finder::new(needle))),
                    ));
                }
            } else {
                // Leftmost-first lets the search run in the automaton's SIMD prefilter; a
                // contiguous NFA builds in microseconds (a run on one file pays for it).
                let matcher = AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostFirst)
                    .kind(Some(AhoCorasickKind::DFA))
                    .prefilter(false)
                    .build(adapter.needles)
                    .map_or(Matcher::Always, Matcher::Folded);
                matchers.push((i, matcher));
            }
        }
        Prefilter { matchers }
    })
}

/// The adapters whose needles occur in `text`.
pub fn applicable(text: &str) -> Applicable {
    let mut bits = 0u64;
    for (i, matcher) in &prefilter().matchers {
        if bits & (1 << i) != 0 {
            continue;
        }
        let found = match matcher {
            Matcher::Exact(finder) => finder.find(text.as_bytes()).is_some(),
            Matcher::Folded(ac) => ac.is_match(text),
            Matcher::Always => true,
        };
        if found {
            bits |= 1 << i;
        }
    }
    Applicable(bits)
}

/// Run the applicable adapters over one parsed document root.
pub fn adapt(ctx: &LocCtx<'_>, root: &Node, which: Applicable, out: &mut Model) {
    let cur = Cursor::root(root);
    for (i, adapter) in ALL.iter().enumerate() {
        if which.contains(i) {
            (adapter.adapt)(ctx, &cur, out);
        }
    }
}

/// Run the applicable adapters that read any file (not one format's shapes) over the root of
/// an HCL document; Terraform's own resources are read by [`terraform::module`].
pub fn adapt_hcl(ctx: &LocCtx<'_>, root: &Node, which: Applicable, out: &mut Model) {
    let cur = Cursor::root(root);
    for (i, adapter) in ALL.iter().enumerate() {
        if which.contains(i) && adapter.name == "any-file" {
            (adapter.adapt)(ctx, &cur, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_needles_of_different_adapters_all_apply() {
        let index = |name: &str| {
            ALL.iter()
                .position(|a| a.name == name)
                .unwrap_or(usize::MAX)
        };
        let which = applicable("apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\n");
        assert!(which.contains(index("kubernetes")), "{which:?}");
        assert!(which.contains(index("any-file")), "{which:?}");
        assert!(applicable("name: web\nimage: web:1\n").is_empty());
    }
}
