//! Unrendered Go/Helm templates (`{{ ... }}`) in YAML and JSON files.
//!
//! A Helm chart's `templates/` holds manifests with template actions in them; many do not
//! parse as YAML until rendered. Rather than skip them, [`blank`] replaces every action with
//! text of the same length that parses: an action alone on its line becomes spaces (an `{{- if
//! ... }}`, an `{{ include ... | nindent 4 }}`), one beside other text becomes `x`s (`name: {{
//! .Values.name }}`). Byte offsets do not move, so spans still point into the original file;
//! [`mark`] then tags every scalar that overlaps an action as a non-literal expression, which
//! rules never read as a value. What is left is what the template says literally, and that is
//! what gets checked (`providerName: AZURE` hard-coded in a chart).

use super::{EXPR_TAG, Node, Span, Value};

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
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        // Whether everything on this line outside actions is blank.
        let mut alone = true;
        let mut pos = line_start;
        let on_line = |s: &&Span| (s.start as usize) < line_end && s.end as usize > line_start;
        for s in spans.iter().filter(on_line) {
            let (start, end) = (s.start as usize, s.end as usize);
            let between = text.get(pos..start.max(pos)).unwrap_or("");
            alone &= between.trim().is_empty();
            pos = pos.max(end);
        }
        if pos < line_end {
            alone &= text.get(pos..line_end).unwrap_or("").trim().is_empty();
        }
        let fill = if alone { b' ' } else { b'x' };
        for s in spans.iter().filter(on_line) {
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

/// Tag every scalar (and key) of `node` that overlaps an action as a non-literal expression.
pub fn mark(node: &mut Node, actions: &[Span]) {
    let overlaps = |span: Span| {
        actions
            .iter()
            .any(|a| a.start < span.end && a.end > span.start)
    };
    let mut stack: Vec<&mut Node> = vec![node];
    while let Some(n) = stack.pop() {
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    if overlaps(e.key.span) {
                        e.key.tag = Some(EXPR_TAG.into());
                    }
                    stack.push(&mut e.value);
                }
            }
            _ => {
                if overlaps(n.span) {
                    n.tag = Some(EXPR_TAG.into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
