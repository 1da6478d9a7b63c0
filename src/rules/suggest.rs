//! "Did you mean ...?": the rules (or the words) a misspelled reference may have meant.
//!
//! Every place that reads a rule reference (`--select`, `--ignore`, `explain`, the config's
//! rule keys, `unsuppressible` and exception `rule:` values, suppression comments) offers the
//! same suggestions: a code with the number written another way (`GOV2`, `gov02`), a name or a
//! word of a name it starts (`azure`, `tier-below-m2`), else the codes and names within a small
//! edit distance (`GOV02`, `partiton-mismatch`).

use super::{RuleMeta, every};

/// At most this many suggestions are offered at once.
const MAX: usize = 3;
/// A prefix shorter than this matches too much to mean anything.
const MIN_PREFIX: usize = 3;

/// The rules `word` may have meant, best first (none when nothing is close).
pub fn rules(word: &str) -> Vec<&'static RuleMeta> {
    let word = word.trim().to_ascii_lowercase();
    if word.is_empty() {
        return Vec::new();
    }
    let metas: Vec<&'static RuleMeta> = every().map(|r| &r.meta).collect();
    // `GOV2`, `gov0002`: the same number.
    if let Some(n) = code_number(&word) {
        let same: Vec<_> = metas
            .iter()
            .copied()
            .filter(|m| code_number(&m.code.to_ascii_lowercase()) == Some(n))
            .collect();
        if !same.is_empty() {
            return same;
        }
    }
    // A name that the word starts, else a word of a name.
    if word.len() >= MIN_PREFIX {
        for starts in [|name: &str, word: &str| name.starts_with(word), word_starts] {
            let found: Vec<_> = metas
                .iter()
                .copied()
                .filter(|m| starts(m.name, &word))
                .collect();
            if !found.is_empty() {
                return found.into_iter().take(MAX).collect();
            }
        }
    }
    // Codes are all alike: one edit away at most (`GOV02`), or every code would be close.
    let scored = metas.iter().copied().filter_map(|m| {
        let code = Some(distance(&word, &m.code.to_ascii_lowercase())).filter(|&d| d <= 1);
        let name = Some(distance(&word, m.name)).filter(|&d| d <= allowed(&word));
        code.into_iter().chain(name).min().map(|d| (d, m))
    });
    nearest(scored)
}

/// `did you mean GOV002 tier-below-m20?` (or `A or B?`) for `word`, if a rule is close.
pub fn rule_hint(word: &str) -> Option<String> {
    let found = rules(word);
    let names: Vec<String> = found
        .iter()
        .map(|m| format!("{} {}", m.code, m.name))
        .collect();
    or_list(&names).map(|list| format!("did you mean {list}?"))
}

/// What to say about a reference that names no rule: the rules it may have meant, and where
/// the list is.
pub fn unknown_rule_help(word: &str) -> String {
    let list = "`atlasgov-lint rules` lists the codes and names";
    match rule_hint(word) {
        Some(hint) => format!("{hint} {list}"),
        None => list.to_string(),
    }
}

/// The closest of `candidates` to `word` (a word it starts, else within a small edit
/// distance), for settings whose valid values are a short list.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return None;
    }
    if lower.len() >= MIN_PREFIX {
        let mut starts = candidates
            .iter()
            .filter(|c| c.to_ascii_lowercase().starts_with(&lower));
        if let (Some(only), None) = (starts.next(), starts.next()) {
            return Some(only);
        }
    }
    let scored = candidates.iter().filter_map(|c| {
        let d = distance(&lower, &c.to_ascii_lowercase());
        (d <= allowed(&lower)).then_some((d, *c))
    });
    match nearest(scored).as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// `did you mean `x`?` for `word` among `candidates`, if one is close.
pub fn hint(word: &str, candidates: &[&str]) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidates at the smallest distance (at most [`MAX`]), in their order.
fn nearest<T>(scored: impl Iterator<Item = (usize, T)>) -> Vec<T> {
    let scored: Vec<(usize, T)> = scored.collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
        return Vec::new();
    };
    scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, t)| t)
        .take(MAX)
        .collect()
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> Option<String> {
    match items {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

/// The edits a word of this length may be away from what it meant.
fn allowed(word: &str) -> usize {
    match word.chars().count() {
        0..=4 => 1,
        5..=10 => 2,
        _ => 3,
    }
}

/// The number of a code written `gov<digits>` (any number of leading zeros).
fn code_number(lower: &str) -> Option<u32> {
    let digits = lower.strip_prefix("gov")?;
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether `word` starts `name` or one of its `-`-separated words (`archive` starts the second
/// word of `online-archive`).
fn word_starts(name: &str, word: &str) -> bool {
    name.starts_with(word)
        || name
            .match_indices('-')
            .any(|(i, _)| name.get(i + 1..).is_some_and(|rest| rest.starts_with(word)))
}

/// Optimal string alignment distance (Levenshtein plus transpositions of neighbours), by
/// characters; words longer than a rule reference are not compared.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let width = b.len() + 1;
    // Rows i-2, i-1 and i of the table.
    let mut before: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur: Vec<usize> = vec![0; width];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX);
            let mut d = (at(&prev, j + 1) + 1)
                .min(at(&cur, j) + 1)
                .min(at(&prev, j) + cost);
            let swapped =
                i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) && ca != cb;
            if swapped {
                d = d.min(at(&before, j - 1) + 1);
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = d;
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(word: &str) -> Vec<&'static str> {
        rules(word).iter().map(|m| m.code).collect()
    }

    #[test]
    fn the_issues_examples() {
        assert_eq!(codes("azure"), ["GOV001"]);
        assert_eq!(codes("tier-below-m2"), ["GOV002"]);
        assert_eq!(codes("GOV02"), ["GOV002"]);
        assert_eq!(
            rule_hint("GOV02").as_deref(),
            Some("did you mean GOV002 tier-below-m20?")
        );
    }

    #[test]
    fn codes_names_and_words() {
        assert_eq!(codes("gov2"), ["GOV002"]);
        assert_eq!(codes("GOV0101"), ["GOV101"]);
        assert_eq!(codes("partiton-mismatch"), ["GOV004"]);
        assert_eq!(codes("azure-provdier"), ["GOV001"]);
        assert_eq!(codes("archive"), ["GOV011"]);
        // A whole name it starts wins over the words of other names.
        assert_eq!(codes("partition"), ["GOV004"]);
        assert_eq!(codes("partitions"), ["GOV009", "GOV012", "GOV013"]);
        assert_eq!(codes("scram"), ["GOV006"]);
        // Two codes one digit away: both are offered.
        assert_eq!(codes("GOV042"), ["GOV002", "GOV012"]);
        assert_eq!(
            rule_hint("GOV042").as_deref(),
            Some("did you mean GOV002 tier-below-m20 or GOV012 peering-across-partitions?")
        );
        // A prefix of many names offers the first few, never all.
        assert!(codes("suppression").len() <= MAX);
        // Nothing close: nothing offered.
        assert!(codes("GOV999").is_empty());
        assert!(codes("kubernetes").is_empty());
        assert!(codes("").is_empty());
        assert!(rule_hint("x").is_none());
    }

    #[test]
    fn closest_words() {
        let levels = ["off", "warning", "error"];
        assert_eq!(closest("warn", &levels), Some("warning"));
        assert_eq!(closest("erorr", &levels), Some("error"));
        assert_eq!(closest("Error", &levels), Some("error"));
        assert_eq!(closest("sometimes", &levels), None);
        let keys = ["rules", "exclude", "fail-on"];
        assert_eq!(closest("exlude", &keys), Some("exclude"));
        assert_eq!(closest("fail_on", &keys), Some("fail-on"));
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(
            hint("rule", &keys).as_deref(),
            Some("did you mean `rules`?")
        );
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance(&"a".repeat(100), "a"), usize::MAX);
    }
}
