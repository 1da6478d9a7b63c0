//! Scalars: tags and the core schema.

use std::borrow::Cow;

use saphyr_parser::{ScalarStyle, Tag};

use crate::document::Value;

/// How a tag affects a node.
pub(super) enum TagKind {
    /// A local tag (`!Ref`), without the `!`.
    Local(arcstr::ArcStr),
    /// A YAML core-schema tag (`!!str`), the suffix.
    Core(String),
    /// Anything else: the non-specific `!`, global tags, `%TAG`-declared handles.
    Other,
}

pub(super) const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// The tags of the YAML core schema and of the YAML 1.1 type repository.
pub(super) const KNOWN_CORE: &[&str] = &[
    "str",
    "int",
    "float",
    "bool",
    "null",
    "seq",
    "map",
    "binary",
    "timestamp",
    "set",
    "omap",
    "pairs",
    "merge",
    "value",
    "yaml",
];

/// A `!!` tag: a known type applies to the scalar; an unknown one (`!!Ref`, a typo of `!Ref`
/// that some tools accept) is kept as the local tag `!Ref` so that it is never mistaken for
/// plain text.
pub(super) fn core_tag(suffix: &str) -> TagKind {
    if KNOWN_CORE.contains(&suffix) || suffix.is_empty() {
        TagKind::Core(suffix.to_string())
    } else {
        TagKind::Local(format!("!{suffix}").into())
    }
}

pub(super) fn classify_tag(tag: &Tag) -> TagKind {
    if tag.handle == "!" {
        return TagKind::Local(tag.suffix.as_str().into());
    }
    if tag.handle == CORE_PREFIX {
        return core_tag(&tag.suffix);
    }
    if tag.handle.is_empty() {
        // Verbatim tags (`!<...>`) arrive with the whole tag as the suffix.
        if let Some(core) = tag.suffix.strip_prefix(CORE_PREFIX) {
            return core_tag(core);
        }
        if let Some(local) = tag.suffix.strip_prefix('!') {
            if !local.is_empty() {
                return TagKind::Local(local.into());
            }
        }
    }
    TagKind::Other
}

/// YAML 1.2 core schema resolution of a plain scalar.
pub(crate) fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_core_number(s) => Value::Number(s.into()),
        _ => Value::String(s.into()),
    }
}

pub(super) fn all_digits(s: &str, radix: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
}

/// Core schema int (`[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`) or float.
pub(super) fn is_core_number(s: &str) -> bool {
    // Every form starts with a digit, a sign or a dot (most scalars are words: decided here).
    if !matches!(s.as_bytes().first(), Some(b'0'..=b'9' | b'-' | b'+' | b'.')) {
        return false;
    }
    if let Some(rest) = s.strip_prefix("0o") {
        return all_digits(rest, 8);
    }
    if let Some(rest) = s.strip_prefix("0x") {
        return all_digits(rest, 16);
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // [0-9]+ ( . [0-9]* )? | . [0-9]+   then   ( [eE] [-+]? [0-9]+ )?
    let mut it = body.bytes().peekable();
    let mut int_digits = 0usize;
    while it.next_if(u8::is_ascii_digit).is_some() {
        int_digits += 1;
    }
    let mut frac_digits = 0usize;
    if it.next_if_eq(&b'.').is_some() {
        while it.next_if(u8::is_ascii_digit).is_some() {
            frac_digits += 1;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if it.next_if(|c| matches!(c, b'e' | b'E')).is_some() {
        let _ = it.next_if(|c| matches!(c, b'-' | b'+'));
        let mut exp_digits = 0usize;
        while it.next_if(u8::is_ascii_digit).is_some() {
            exp_digits += 1;
        }
        if exp_digits == 0 {
            return false;
        }
    }
    it.next().is_none()
}

/// Value of a scalar given its style and tag.
pub(super) fn scalar_value(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&TagKind>) -> Value {
    match tag {
        None if style == ScalarStyle::Plain => resolve_plain(&text),
        Some(TagKind::Core(suffix)) => match suffix.as_str() {
            "null" => Value::Null,
            "bool" => match &*text {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                _ => Value::String(text.into()),
            },
            "int" | "float" if is_core_number(&text) => Value::Number(text.into()),
            _ => Value::String(text.into()),
        },
        _ => Value::String(text.into()),
    }
}
