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

use aho_corasick::AhoCorasick;

use crate::document::{Cursor, Node};
use crate::model::{LocCtx, Model};

/// One input format (or cross-format view) of the documents.
pub struct Adapter {
    pub name: &'static str,
    /// Byte strings (ASCII case-insensitive) one of which any document it reads contains.
    pub needles: &'static [&'static str],
    pub adapt: fn(&LocCtx<'_>, &Cursor<'_>, &mut Model),
}

/// Every adapter. Order matters only for the order of resources in the model.
pub static ALL: &[Adapter] = &[
    Adapter {
        name: "atlas-admin-api",
        needles: api::NEEDLES,
        adapt: api::adapt,
    },
    Adapter {
        name: "cloudformation",
        needles: cloudformation::NEEDLES,
        adapt: cloudformation::adapt,
    },
    Adapter {
        name: "any-file",
        needles: generic::NEEDLES,
        adapt: generic::adapt,
    },
    Adapter {
        name: "kubernetes",
        needles: kubernetes::NEEDLES,
        adapt: kubernetes::adapt,
    },
    Adapter {
        name: "terraform",
        needles: terraform::NEEDLES,
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

struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Pattern index to adapter index.
    owner: Vec<usize>,
}

fn prefilter() -> &'static Prefilter {
    static PREFILTER: OnceLock<Prefilter> = OnceLock::new();
    PREFILTER.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (i, adapter) in ALL.iter().enumerate() {
            for needle in adapter.needles {
                patterns.push(*needle);
                owner.push(i);
            }
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(patterns)
            .ok();
        Prefilter { automaton, owner }
    })
}

/// The adapters whose needles occur in `text`. One pass; stops once every adapter applies.
pub fn applicable(text: &str) -> Applicable {
    let all = if ALL.len() >= 64 {
        u64::MAX
    } else {
        (1u64 << ALL.len()) - 1
    };
    let filter = prefilter();
    let Some(ac) = &filter.automaton else {
        return Applicable(all);
    };
    let mut bits = 0u64;
    // Overlapping matches: needles of different adapters overlap (`atlas.mongodb.com/v1`
    // contains `mongodb.com`), and a non-overlapping search would report only one of them.
    for m in ac.find_overlapping_iter(text) {
        if let Some(&i) = filter.owner.get(m.pattern().as_usize()) {
            bits |= 1 << i.min(63);
        }
        if bits == all {
            break;
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
