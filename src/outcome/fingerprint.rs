//! Fingerprints of findings that survive unrelated edits: they are derived from the rule code,
//! the file, the JSON pointer and the offending value, never from line or column numbers, so
//! inserting lines above a finding (or re-indenting it) keeps its fingerprint. For a value
//! used in one place and written in another, they are those of the use, wherever the finding
//! is reported ([`Finding::identity`]).
//!
//! The hash is 128-bit FNV-1a: fixed by its definition (unlike `std`'s hasher, which may change
//! between Rust releases), so fingerprints written into a baseline today still match tomorrow.
//! When two findings would share a fingerprint (the same value at the same pointer in two
//! documents of one YAML stream), the second and later ones get their occurrence number mixed
//! in, in output order.

use std::collections::HashMap;

use crate::outcome::Outcome;
use crate::rules::Finding;

const FNV_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

/// 128-bit FNV-1a of `parts`, each followed by a 0xFF separator (a byte UTF-8 never contains).
pub fn fnv128(parts: &[&str]) -> u128 {
    let mut h = FNV_OFFSET;
    for part in parts {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0xFFu8)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// The offending value as written, for fingerprinting: the source text under the span of
/// the finding's [`Finding::identity`] (the use, also when the finding is reported where the
/// value was written), without surrounding whitespace and quotes (so re-quoting a value is
/// not a change).
pub fn offending_value<'a>(outcome: &'a Outcome, finding: &Finding) -> &'a str {
    let loc = finding.identity();
    let Some(text) = outcome.text(loc.file) else {
        return "";
    };
    let span = loc.span;
    let value = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("")
        .trim();
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

/// Fingerprints for `findings` (in their order), with `path_of` giving the file as it should
/// be recorded (relative to the baseline's directory, or as displayed).
pub fn fingerprints<'f>(
    outcome: &Outcome,
    findings: impl IntoIterator<Item = &'f Finding>,
    path_of: impl Fn(u32) -> String,
) -> Vec<String> {
    let mut seen: HashMap<u128, u32> = HashMap::new();
    findings
        .into_iter()
        .map(|f| {
            let loc = f.identity();
            let path = path_of(loc.file);
            let base = fnv128(&[
                f.rule.code,
                &path,
                &loc.pointer,
                offending_value(outcome, f),
            ]);
            let n = seen.entry(base).or_insert(0);
            *n += 1;
            let h = if *n == 1 {
                base
            } else {
                fnv128(&[&format!("{base:032x}"), &n.to_string()])
            };
            format!("{h:032x}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv128_is_the_published_function() {
        // FNV-1a 128 of the empty string is the offset basis; of "a" a known constant.
        let mut h = FNV_OFFSET;
        h ^= u128::from(b'a');
        h = h.wrapping_mul(FNV_PRIME);
        assert_eq!(format!("{h:032x}"), "d228cb696f1a8caf78912b704e4a8964");
        assert_ne!(fnv128(&["ab", "c"]), fnv128(&["a", "bc"]));
    }
}
