//! Users' rules: the policies a run loaded (see `crate::policy`), registered here so that
//! every place that reads a rule reference (config levels, `--select`, suppression comments,
//! baselines, `explain`) knows their codes like the built-in ones.
//!
//! Policies are loaded once per process, before any of those places runs; their metadata
//! lives for the rest of it. Registering the same code again replaces what the code stands
//! for (a server that loads its policies again), and never adds a second entry.

use std::sync::RwLock;

use super::Rule;

struct Entry {
    rule: &'static Rule,
    url: Option<&'static str>,
}

static REGISTERED: RwLock<Vec<Entry>> = RwLock::new(Vec::new());

/// Make a policy's rule known by its code.
pub fn register(rule: &'static Rule, url: Option<&'static str>) {
    let Ok(mut all) = REGISTERED.write() else {
        return;
    };
    match all
        .iter_mut()
        .find(|e| e.rule.meta.code.eq_ignore_ascii_case(rule.meta.code))
    {
        Some(e) => *e = Entry { rule, url },
        None => all.push(Entry { rule, url }),
    }
    all.sort_by(|a, b| a.rule.meta.code.cmp(b.rule.meta.code));
}

/// Every registered policy rule, sorted by code.
pub fn all() -> Vec<&'static Rule> {
    REGISTERED
        .read()
        .map(|all| all.iter().map(|e| e.rule).collect())
        .unwrap_or_default()
}

/// The documentation URL a policy's metadata gives, if any.
pub fn url(code: &str) -> Option<&'static str> {
    REGISTERED.read().ok().and_then(|all| {
        all.iter()
            .find(|e| e.rule.meta.code == code)
            .and_then(|e| e.url)
    })
}

/// Whether a code belongs to the built-in namespace (`GOVnnn`), which policies cannot use.
pub fn is_builtin_code(code: &str) -> bool {
    code.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("GOV"))
}
