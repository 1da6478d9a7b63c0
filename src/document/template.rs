//! Unrendered Go/Helm templates (`{{ ... }}`) in YAML and JSON files.
//!
//! A Helm chart's `templates/` holds manifests with template actions in them; many do not
//! parse as YAML until rendered. Rather than skip them, [`blank`] replaces every action with
//! text of the same length that parses: an action alone on its line becomes spaces (an `{{- if
//! ... }}`, an `{{ include ... | nindent 4 }}`), one beside other text becomes `x`s (`name: {{
//! .Values.name }}`). Byte offsets do not move, so spans still point into the original file;
//! [`mark`] then tags every scalar that overlaps an action ([`TEMPLATE_TAG`]), which rules never
//! read as a value (the any-file adapter still reads the literal text around an action, as in
//! a connection string), and every value of a key repeated across branches (`{{ if }}` /
//! `{{ else }}`). What is left is what the template says literally, and that is what gets
//! checked (`providerName: AZURE` hard-coded in a chart).

use super::{Node, Span, TEMPLATE_TAG, Value};

/// The actions (`{{` to the matching `}}`) in `text`, or `None` if there are none or one is
/// never closed.
pub fn actions(text: &str) -> Option<Vec<Span>> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find("{{")) {
        let start = from + open;
        let close = text.get(start + 2..)?.find("}}")?;
        let end = start + 2 + close + 2;
        spans.push(Span::new(start, end));
        from = end;
    }
    (!spans.is_empty()).then_some(spans)
}

/// `text` with every action blanked (see the module docs), and the actions.
pub fn blank(text: &str) -> Option<(String, Vec<Span>)> {
    let spans = actions(text)?;
    let mut bytes = text.as_bytes().to_vec();
    let mut line_start = 0;
    // The first action that may reach the current line (actions are sorted and disjoint).
    let mut first = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        while spans
            .get(first)
            .is_some_and(|s| (s.end as usize) <= line_start)
        {
            first += 1;
        }
        let on_line = spans
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|s| (s.start as usize) < line_end);
        // Whether everything on this line outside actions is blank.
        let mut alone = true;
        let mut pos = line_start;
        for s in on_line.clone() {
            let (start, end) = (s.start as usize, s.end as usize);
            let between = text.get(pos..start.max(pos)).unwrap_or("");
            alone &= between.trim().is_empty();
            pos = pos.max(end);
        }
        if pos < line_end {
            alone &= text.get(pos..line_end).unwrap_or("").trim().is_empty();
        }
        let fill = if alone { b' ' } else { b'x' };
        for s in on_line {
            let (a, b) = (
                (s.start as usize).max(line_start),
                (s.end as usize).min(line_end),
            );
            for byte in bytes.iter_mut().take(b).skip(a) {
                if *byte != b'\n' && *byte != b'\r' {
                    *byte = fill;
                }
            }
        }
        line_start = line_end;
    }
    // Every byte of each action (all ASCII-delimited) became ASCII, so this cannot fail; if it
    // somehow did, there is nothing to check.
    String::from_utf8(bytes)
        .ok()
        .map(|blanked| (blanked, spans))
}

/// Whether an action (`actions` sorted) lies between two offsets: two occurrences of a key
/// with one between them are a template's branches (`{{ if }}` / `{{ else }}`); without one
/// they are a duplicate key like in any other file.
pub fn action_between(actions: &[Span], from: u32, to: u32) -> bool {
    let i = actions.partition_point(|a| a.end <= from);
    actions.get(i).is_some_and(|a| a.start < to)
}

/// Tag every scalar (and key) of `node` that overlaps an action (`actions` sorted, as
/// [`actions`] gives them) as [`TEMPLATE_TAG`]. A key that a mapping holds more than once
/// with an action between the occurrences is a template's branches (`{{ if }} providerName:
/// AWS {{ else }} providerName: GCP {{ end }}`): every value under it is tagged too, since
/// which one is rendered is unknown.
///
/// Likewise the items of a sequence with an `{{ else }}` between two of them: which items are
/// rendered is unknown (`{{ if .Values.gov }} - regionName: US_GOV_WEST_1 {{ else }} -
/// regionName: US_EAST_1 {{ end }}`), so every value in them is. (`text` is the unblanked
/// text the actions are spans of.)
pub fn mark(node: &mut Node, actions: &[Span], text: &str) {
    // What an action between list items does to the items: opens a block, divides it into
    // branches, or closes it.
    let word = |a: &Span| {
        text.get(a.start as usize..a.end as usize)
            .and_then(|t| t.strip_prefix("{{"))
            .map(|t| t.trim_start_matches('-').trim_start())
            .and_then(|t| t.split(|c: char| !c.is_ascii_alphabetic()).next())
            .unwrap_or("")
    };
    // The items of a list that belong to an `{{ if }}`/`{{ with }}` block with an `{{ else }}`
    // between its items: only one branch is rendered, so those items are alternatives. Only
    // actions between items count (an `else` inside an item is that item's own value).
    // `from`: where the list's own text starts (after its key), so that actions before it are
    // not read as the list's.
    let alternatives = |items: &[Node], from: u32| -> Vec<bool> {
        let mut alt = vec![false; items.len()];
        // Open blocks: (index of the first item inside, whether an `else` divides it).
        let mut open: Vec<(usize, bool)> = Vec::new();
        let mut prev_end = from;
        for (i, item) in items.iter().enumerate() {
            // The actions in the gap before item `i`.
            let from = actions.partition_point(|a| a.end <= prev_end);
            for a in actions
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|a| a.start < item.span.start)
                .filter(|a| a.start >= prev_end)
            {
                match word(a) {
                    "if" | "with" | "range" => open.push((i, false)),
                    "else" => {
                        if let Some(top) = open.last_mut() {
                            top.1 = true;
                        }
                    }
                    "end" => {
                        if let Some((first, true)) = open.pop() {
                            for x in alt.get_mut(first..i).unwrap_or_default() {
                                *x = true;
                            }
                        }
                    }
                    _ => {}
                }
            }
            prev_end = item.span.end;
        }
        // A block still open after the last item (its `end` follows the list): an `else`
        // after the last item divides nothing of the list.
        while let Some((first, divided)) = open.pop() {
            if divided {
                for x in alt.get_mut(first..).unwrap_or_default() {
                    *x = true;
                }
            }
        }
        alt
    };
    let overlaps = |span: Span| action_between(actions, span.start, span.end);
    // (node, everything under it is unknown, where its text starts: after its key)
    let root_start = node.span.start;
    let mut stack: Vec<(&mut Node, bool, u32)> = vec![(node, false, root_start)];
    while let Some((n, unknown, from)) = stack.pop() {
        match &mut n.value {
            Value::Seq(items) => {
                let alt = alternatives(items, from);
                stack.extend(items.iter_mut().zip(alt).map(|(item, alt)| {
                    let start = item.span.start;
                    (item, unknown || alt, start)
                }));
            }
            Value::Map(entries) => {
                // Each key's first and last occurrence.
                let mut seen: std::collections::HashMap<String, (u32, u32)> =
                    std::collections::HashMap::new();
                for e in entries.iter() {
                    if let Some(k) = e.key.scalar_text() {
                        let at = e.key.span.start;
                        seen.entry(k.to_string())
                            .and_modify(|(_, last)| *last = at)
                            .or_insert((at, at));
                    }
                }
                for e in entries.iter_mut() {
                    let repeated = e.key.scalar_text().is_some_and(|k| {
                        seen.get(k)
                            .is_some_and(|&(first, last)| action_between(actions, first, last))
                    });
                    if overlaps(e.key.span) {
                        e.key.tag = Some(arcstr::literal!(TEMPLATE_TAG));
                    }
                    let after_key = e.key.span.end;
                    stack.push((&mut e.value, unknown || repeated, after_key));
                }
            }
            _ => {
                if unknown || overlaps(n.span) {
                    n.tag = Some(arcstr::literal!(TEMPLATE_TAG));
                }
            }
        }
    }
}

/// Whether a document parsed from the unblanked text read an action as YAML structure: an
/// unquoted `key: {{ .Values.x }}` parses as a flow mapping (whose key is another), which is
/// valid YAML but means nothing; the template path ([`blank`], [`mark`]) reads it as an
/// unknown value instead. Actions inside quoted strings (`"{{ .Values.x }}"`, a Prometheus
/// alert's `{{ $value }}`) do not count: those documents are read as they are.
pub fn read_as_structure(roots: &[Node], actions: &[Span]) -> bool {
    let starts_action = |span: Span| {
        actions
            .binary_search_by_key(&span.start, |a| a.start)
            .is_ok()
    };
    let mut stack: Vec<&Node> = roots.iter().collect();
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Map(entries) => {
                if starts_action(n.span) {
                    return true;
                }
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_actions_read_as_structure_quoted_ones_do_not() {
        let parse = |text: &str| {
            let options = crate::document::Limits::default();
            let doc = crate::document::parse(text, crate::document::Syntax::Yaml, &options)
                .expect("parses as YAML");
            let actions = actions(text).expect("has actions");
            read_as_structure(&doc.roots, &actions)
        };
        assert!(parse(
            "spec:\n  regionUsageRestrictions: {{ .Values.usage }}\n"
        ));
        assert!(parse("a: [1, {{ .Values.x }}]\n"));
        assert!(!parse(
            "spec:\n  regionUsageRestrictions: \"{{ .Values.usage }}\"\n"
        ));
        assert!(!parse(
            "summary: 'value {{ $value }} over {a: 1}'\nb: {c: 1}\n"
        ));
    }

    #[test]
    fn actions_alone_on_a_line_become_blank_others_placeholders() {
        let text = "metadata:\n  name: {{ include \"x\" . }}\n  labels:\n    {{- include \"l\" . | nindent 4 }}\n{{- if .Values.on }}\nspec: {a: \"{{t}}\"}\n{{- end }}\n";
        let (blanked, spans) = blank(text).unwrap();
        assert_eq!(blanked.len(), text.len());
        assert_eq!(spans.len(), 5);
        assert_eq!(
            blanked,
            "metadata:\n  name: xxxxxxxxxxxxxxxxxxx\n  labels:\n                                    \n                    \nspec: {a: \"xxxxx\"}\n          \n"
        );
    }

    #[test]
    fn an_unclosed_action_or_none_gives_nothing() {
        assert!(blank("a: {{ b\n").is_none());
        assert!(blank("a: b\n").is_none());
        let text = "a: {{ \"é\" }}\n";
        assert!(blank(text).is_some_and(|(b, _)| b.len() == text.len() && b.is_ascii()));
    }
}
