//! What the terminal can show: colour, and characters beyond ASCII.

use std::ffi::OsString;

/// Whether text beyond ASCII (miette's box drawing) can be shown: not under `TERM=dumb`, and
/// not when the locale is set and names another character set than UTF-8. The locale is the
/// first of `LC_ALL`, `LC_CTYPE` and `LANG` that is set and not empty, as the C library picks
/// it; with none set, Unicode is assumed (terminals and CI logs read UTF-8).
pub fn unicode(var: impl Fn(&str) -> Option<OsString>) -> bool {
    if dumb(&var) {
        return false;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .into_iter()
        .filter_map(&var)
        .find(|v| !v.is_empty());
    match locale {
        None => true,
        Some(v) => {
            let v = v.to_string_lossy().to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        }
    }
}

/// Whether colour is welcome when no `--color` choice was made: standard output is a
/// terminal, `NO_COLOR` is unset or empty, and the terminal is not `TERM=dumb`.
pub fn color(var: impl Fn(&str) -> Option<OsString>, is_terminal: bool) -> bool {
    is_terminal && var("NO_COLOR").is_none_or(|v| v.is_empty()) && !dumb(&var)
}

fn dumb(var: &impl Fn(&str) -> Option<OsString>) -> bool {
    var("TERM").is_some_and(|t| t == "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn locale_and_term_decide_unicode() {
        assert!(unicode(env(&[])));
        assert!(unicode(env(&[("LANG", "en_US.UTF-8")])));
        assert!(unicode(env(&[("LANG", "C.utf8")])));
        assert!(!unicode(env(&[("LANG", "C")])));
        assert!(!unicode(env(&[("LANG", "POSIX")])));
        assert!(!unicode(env(&[("LANG", "en_US.ISO-8859-1")])));
        // LC_ALL wins over LANG, an empty one does not count.
        assert!(!unicode(env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])));
        assert!(unicode(env(&[("LC_ALL", ""), ("LANG", "en_US.UTF-8")])));
        assert!(unicode(env(&[("LC_CTYPE", "C.UTF-8"), ("LANG", "C")])));
        assert!(!unicode(env(&[("TERM", "dumb"), ("LANG", "en_US.UTF-8")])));
        assert!(unicode(env(&[("TERM", "xterm-256color")])));
    }

    #[test]
    fn colour_needs_a_terminal_and_no_objection() {
        assert!(color(env(&[]), true));
        assert!(!color(env(&[]), false));
        assert!(!color(env(&[("NO_COLOR", "1")]), true));
        assert!(color(env(&[("NO_COLOR", "")]), true));
        assert!(!color(env(&[("TERM", "dumb")]), true));
    }
}
