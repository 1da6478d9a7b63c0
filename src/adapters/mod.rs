//! Format adapters: document trees in, normalized model out. Adapters recognise what a
//! document is and copy its values, with locations, into the model; they never decide what is
//! compliant.
//!
//! Each adapter names the byte strings (needles) at least one of which occurs in any file it
//! can read something from. One pass of a multi-pattern search over a file tells which
//! adapters apply: a file matching none is counted as checked without being parsed, and an
//! adapter whose needles are absent never walks the file's documents.

pub mod any_file;
pub mod api;
mod api_bodies;
pub mod atlas_cli;
pub mod cloudformation;
mod common;
pub mod context;
pub mod kubernetes;
pub mod multi_file;
pub mod pulumi;
pub mod terraform;
pub mod unread;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

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
        needles: any_file::NEEDLES,
        exact: false,
        adapt: any_file::adapt,
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
    Adapter {
        name: "atlas-cli",
        needles: atlas_cli::NEEDLES,
        exact: true,
        adapt: atlas_cli::adapt,
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

    /// Only the adapters that read settings wherever they are (connection strings, base
    /// URLs, the Atlas CLI's service variable), not those that read a format's bodies: for a
    /// file of `KEY=value` lines.
    pub fn settings_only(self) -> Applicable {
        let mut kept = 0u64;
        for (i, adapter) in ALL.iter().enumerate() {
            if matches!(adapter.name, "any-file" | "atlas-cli") && self.contains(i) {
                kept |= 1 << i;
            }
        }
        Applicable(kept)
    }
}

/// Per adapter, a search that stops at its first needle: exact needles as SIMD substring
/// searches, the others in an ASCII case-insensitive automaton.
struct Prefilter {
    matchers: Vec<(usize, Matcher)>,
    /// Strings one of which every exact needle contains (see [`EXACT_GATES`]), searched
    /// first: a file without any (most files: an Admin API body, unrelated YAML) skips the
    /// exact needles' searches, two whole-file scans instead of one per needle. Empty when
    /// some exact needle contains none of them.
    gates: Vec<memchr::memmem::Finder<'static>>,
    /// The longest folded needle's length less one: how far consecutive windows of the
    /// lowercased text overlap, so that every occurrence lies whole in one of them.
    fold_overlap: usize,
}

/// The case-insensitive needles ([`Matcher::Folded`]) are lowercase, and searched for exactly
/// in the text lowercased one window of this many bytes at a time: an exact search is several
/// times faster than an ASCII case-insensitive one (its automaton gets a SIMD prefilter, which
/// case-insensitive needles defeat), the answers are the same, and the copy stays small
/// however large the file.
const FOLD_WINDOW: usize = 64 * 1024;

/// What the exact needles (the formats' own names: `mongodbatlas`, `MongoDB::Atlas::`,
/// `atlas.mongodb.com/v1`, `MONGODB_ATLAS_SERVICE`, ...) have in common.
const EXACT_GATES: &[&str] = &["tlas", "TLAS"];

/// A needle found ASCII case-insensitively by a SIMD search for one of its bytes (both cases)
/// and a comparison around each hit: for an adapter with few needles that are rarely present,
/// several times faster over a whole file than an automaton.
struct Anchored {
    /// Lowercase.
    needle: Vec<u8>,
    /// Index in `needle` of the byte searched for.
    at: usize,
}

impl Anchored {
    fn new(needle: &str) -> Anchored {
        let needle = needle.to_ascii_lowercase().into_bytes();
        // The byte least common in spec text (non-letters first, then rare letters).
        const RARE: &[u8] = b"$._-/:qjzxkvwybfghpumcldiontsrae";
        let rank = |b: &u8| RARE.iter().position(|r| r == b).unwrap_or(0);
        let at = needle
            .iter()
            .enumerate()
            .min_by_key(|(_, b)| rank(b))
            .map_or(0, |(i, _)| i);
        Anchored { needle, at }
    }

    fn is_match(&self, text: &[u8]) -> bool {
        let Some(&anchor) = self.needle.get(self.at) else {
            return true;
        };
        let upper = anchor.to_ascii_uppercase();
        memchr::memchr2_iter(anchor, upper, text).any(|hit| {
            hit.checked_sub(self.at)
                .and_then(|start| text.get(start..start + self.needle.len()))
                .is_some_and(|window| window.eq_ignore_ascii_case(&self.needle))
        })
    }
}

/// Adapters with at most this many case-insensitive needles search them one by one
/// ([`Anchored`]); more go into one automaton.
const MAX_ANCHORED: usize = 4;

enum Matcher {
    Anchored(Vec<Anchored>),
    Exact(Box<memchr::memmem::Finder<'static>>),
    /// Lowercase needles, searched for exactly in the lowercased text ([`FOLD_WINDOW`]).
    Folded(AhoCorasick),
    /// Needles that did not compile: the adapter always applies.
    Always,
}

/// How many files the run will read, when the caller knows ([`expect_files`]).
static EXPECTED_FILES: AtomicUsize = AtomicUsize::new(0);

/// Tell the pre-filter how many files the run will read, before the first one: a run over
/// many files gets automata that take a millisecond to build and scan faster; a run over a
/// few (a pre-commit hook, an editor) gets automata that build in microseconds. The answers
/// are the same either way. A run starts here, so it also starts the budget of Terraform trees
/// held until modules are evaluated ([`terraform::module::start_run`]).
pub fn expect_files(n: usize) {
    EXPECTED_FILES.store(n, Ordering::Relaxed);
    terraform::module::start_run();
}

/// From this many files on, the pre-filter's automata are DFAs.
const DFA_MIN_FILES: usize = 64;

fn prefilter() -> &'static Prefilter {
    static PREFILTER: OnceLock<Prefilter> = OnceLock::new();
    PREFILTER.get_or_init(|| {
        build_prefilter(if EXPECTED_FILES.load(Ordering::Relaxed) >= DFA_MIN_FILES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        })
    })
}

fn build_prefilter(kind: AhoCorasickKind) -> Prefilter {
    let mut matchers = Vec::new();
    let mut gated = true;
    let mut fold_overlap = 0;
    for (i, adapter) in ALL.iter().enumerate().take(64) {
        if adapter.exact {
            gated &= adapter
                .needles
                .iter()
                .all(|n| EXACT_GATES.iter().any(|g| n.contains(g)));
            for needle in adapter.needles {
                matchers.push((
                    i,
                    Matcher::Exact(Box::new(memchr::memmem::Finder::new(needle))),
                ));
            }
        } else if adapter.needles.len() <= MAX_ANCHORED {
            matchers.push((
                i,
                Matcher::Anchored(adapter.needles.iter().map(|n| Anchored::new(n)).collect()),
            ));
        } else {
            // Lowercase needles, matched exactly in lowercased text ([`FOLD_WINDOW`]).
            let lower = adapter.needles.iter().map(|n| n.to_ascii_lowercase());
            let matcher = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(kind))
                .build(lower)
                .map_or(Matcher::Always, Matcher::Folded);
            matchers.push((i, matcher));
            let longest = adapter.needles.iter().map(|n| n.len()).max().unwrap_or(0);
            fold_overlap = fold_overlap.max(longest.saturating_sub(1));
        }
    }
    let gates = if gated {
        EXACT_GATES
            .iter()
            .map(|g| memchr::memmem::Finder::new(g).into_owned())
            .collect()
    } else {
        Vec::new()
    };
    Prefilter {
        matchers,
        gates,
        fold_overlap,
    }
}

/// The adapters whose needles occur in `text`.
pub fn applicable(text: &str) -> Applicable {
    applicable_with(prefilter(), text)
}

fn applicable_with(filter: &Prefilter, text: &str) -> Applicable {
    let mut bits = 0u64;
    let exact_possible = filter.gates.is_empty()
        || filter
            .gates
            .iter()
            .any(|g| g.find(text.as_bytes()).is_some());
    let mut folded = false;
    for (i, matcher) in &filter.matchers {
        if bits & (1 << i) != 0 {
            continue;
        }
        let found = match matcher {
            Matcher::Exact(finder) => exact_possible && finder.find(text.as_bytes()).is_some(),
            Matcher::Folded(_) => {
                folded = true;
                false
            }
            Matcher::Anchored(needles) => needles.iter().any(|n| n.is_match(text.as_bytes())),
            Matcher::Always => true,
        };
        if found {
            bits |= 1 << i;
        }
    }
    if folded {
        bits |= folded_bits(filter, text.as_bytes(), bits);
    }
    Applicable(bits)
}

/// The bits of the [`Matcher::Folded`] adapters not in `bits` whose needles occur in `text`
/// in any ASCII case: each window of the lowercased text ([`FOLD_WINDOW`]) is searched for the
/// adapters not found yet.
fn folded_bits(filter: &Prefilter, text: &[u8], mut bits: u64) -> u64 {
    let pending = |bits: u64| {
        filter
            .matchers
            .iter()
            .any(|(i, m)| matches!(m, Matcher::Folded(_)) && bits & (1 << i) == 0)
    };
    thread_local! {
        // One window per thread, reused from file to file.
        static WINDOW: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    WINDOW.with(|window| {
        let mut window = window.borrow_mut();
        let mut start = 0;
        while start < text.len() && pending(bits) {
            let end = text.len().min(start + FOLD_WINDOW + filter.fold_overlap);
            window.clear();
            window.extend_from_slice(text.get(start..end).unwrap_or_default());
            window.make_ascii_lowercase();
            for (i, matcher) in &filter.matchers {
                if let Matcher::Folded(ac) = matcher {
                    if bits & (1 << i) == 0 && ac.is_match(window.as_slice()) {
                        bits |= 1 << i;
                    }
                }
            }
            if end == text.len() {
                break;
            }
            start += FOLD_WINDOW;
        }
    });
    bits
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
/// a document whose format is read by a multi-file step ([`multi_file::reads_whole_file`]):
/// only its literal strings are read here (and, by the Atlas CLI's adapter, the commands a
/// Terraform provisioner runs).
pub fn adapt_literals(ctx: &LocCtx<'_>, root: &Node, which: Applicable, out: &mut Model) {
    let cur = Cursor::root(root);
    for (i, adapter) in ALL.iter().enumerate() {
        if which.contains(i) && matches!(adapter.name, "any-file" | "atlas-cli") {
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

    #[test]
    fn every_exact_needle_passes_the_gate_and_is_found_alone() {
        let filter = build_prefilter(AhoCorasickKind::ContiguousNFA);
        assert!(!filter.gates.is_empty(), "an exact needle contains no gate");
        for (i, adapter) in ALL.iter().enumerate() {
            for needle in adapter.needles.iter().filter(|_| adapter.exact) {
                let text = format!("x: 1\n# {needle}\n");
                assert!(applicable_with(&filter, &text).contains(i), "{needle}");
            }
        }
        let plain = "{\"name\": \"orders\", \"regionConfigs\": []}";
        let which = applicable_with(&filter, plain);
        for (i, adapter) in ALL.iter().enumerate() {
            assert_eq!(
                which.contains(i),
                !adapter.exact && i == 0,
                "{}",
                adapter.name
            );
        }
    }

    #[test]
    fn anchored_needles_match_like_an_automaton() {
        let needles = [
            "authMechanism",
            "echanisms",
            "mongodb.com",
            "mongodbgov.com",
        ];
        let anchored: Vec<Anchored> = needles.iter().map(|n| Anchored::new(n)).collect();
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(needles)
            .unwrap();
        for text in [
            "",
            "mongodb.co",
            "x MONGODB.COM",
            ".com mongodbgov.COM",
            "echanism",
            "MeChAnIsMs",
            "uri: mongodb+srv://u@c.mongodbgov.com/?authMechanism=SCRAM-SHA-1",
            "authmechanisM",
            "m.com mongodb mongodb.",
            "éauthMechanism",
        ] {
            let found = anchored.iter().any(|n| n.is_match(text.as_bytes()));
            assert_eq!(found, automaton.is_match(text), "{text}");
        }
    }

    #[test]
    fn folded_needles_are_found_in_any_case_wherever_the_windows_cut() {
        let filter = build_prefilter(AhoCorasickKind::DFA);
        let folded: Vec<(usize, AhoCorasick)> = ALL
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.exact)
            .map(|(i, a)| {
                let ac = AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(a.needles)
                    .unwrap();
                (i, ac)
            })
            .collect();
        assert!(folded.len() >= 2);
        let mut checked = 0;
        for (_, adapter) in ALL.iter().enumerate().filter(|(_, a)| !a.exact) {
            for needle in adapter.needles {
                let shouted = needle.to_ascii_uppercase();
                // The needle starting before, across and after the first window's end, and at
                // the very end of the text.
                for at in (FOLD_WINDOW - needle.len() - 1)..=(FOLD_WINDOW + 1) {
                    for tail in [0, 7] {
                        let text = format!("{}{shouted}{}", "x".repeat(at), "y".repeat(tail));
                        let which = applicable_with(&filter, &text);
                        for (i, reference) in &folded {
                            assert_eq!(
                                which.contains(*i),
                                reference.is_match(&text),
                                "{needle} at {at}"
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100);
        // Nothing is found in a text without needles, however long.
        let plain = "name: web\n".repeat(3 * FOLD_WINDOW / 10);
        assert!(applicable_with(&filter, &plain).is_empty());
    }

    #[test]
    fn both_automaton_kinds_give_the_same_answers() {
        let (dfa, nfa) = (
            build_prefilter(AhoCorasickKind::DFA),
            build_prefilter(AhoCorasickKind::ContiguousNFA),
        );
        let mut todo = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        let mut files = 0;
        while let Some(path) = todo.pop() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                todo.extend(entries.flatten().map(|e| e.path()));
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                files += 1;
                let which = applicable_with(&dfa, &text);
                assert_eq!(which, applicable_with(&nfa, &text), "{}", path.display());
            }
        }
        assert!(files > 100);
        for text in [
            "AUTHMECHANISM=x",
            "Atlas.MongoDB.com",
            "providername: x",
            "",
        ] {
            assert_eq!(
                applicable_with(&dfa, text),
                applicable_with(&nfa, text),
                "{text}"
            );
        }
    }
}
