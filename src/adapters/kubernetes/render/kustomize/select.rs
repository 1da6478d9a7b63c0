//! Which objects a patch applies to: kustomize's `target` selectors (anchored regular
//! expressions for group, version, kind, name and namespace; label and annotation selectors)
//! and the identity of a patch that has no target.

use regex_automata::meta::Regex;

use super::Obj;
use crate::document::Node;

/// A pattern of a selector: kustomize anchors it (`^(?:...)$`).
pub(super) enum Pattern {
    Literal(String),
    Regex(Box<Regex>),
    /// A pattern that does not compile matches nothing (kustomize refuses it).
    Never,
}

impl Pattern {
    fn new(text: &str) -> Pattern {
        let literal = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'));
        if literal {
            return Pattern::Literal(text.to_string());
        }
        match Regex::new(&format!("^(?:{text})$")) {
            Ok(re) => Pattern::Regex(Box::new(re)),
            Err(_) => Pattern::Never,
        }
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Literal(l) => l == text,
            Pattern::Regex(re) => re.is_match(text),
            Pattern::Never => false,
        }
    }
}

/// One requirement of a label selector (`app=db`, `tier!=web`, `env in (a,b)`, `canary`,
/// `!canary`).
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// A patch's `target`.
#[derive(Default)]
pub(super) struct Selector {
    group: Option<Pattern>,
    version: Option<Pattern>,
    kind: Option<Pattern>,
    name: Option<Pattern>,
    namespace: Option<Pattern>,
    labels: Option<Vec<Requirement>>,
    annotations: Option<Vec<Requirement>>,
}

impl Selector {
    /// The `target` mapping of a patch entry.
    pub(super) fn read(target: &Node) -> Selector {
        let pattern = |key: &str| {
            target
                .get(key)
                .and_then(Node::scalar_text)
                .filter(|t| !t.is_empty())
                .map(Pattern::new)
        };
        let requirements = |key: &str| {
            target
                .get(key)
                .and_then(Node::scalar_text)
                .filter(|t| !t.is_empty())
                .map(requirements)
        };
        Selector {
            group: pattern("group"),
            version: pattern("version"),
            kind: pattern("kind"),
            name: pattern("name"),
            namespace: pattern("namespace"),
            labels: requirements("labelSelector"),
            annotations: requirements("annotationSelector"),
        }
    }

    /// Whether the selector picks `obj`: its group, version and kind, any name and namespace
    /// it has had (kustomize matches what a base called an object as well as what an overlay
    /// renamed it to), its labels and annotations.
    pub(super) fn matches(&self, obj: &Obj) -> bool {
        let field = |p: &Option<Pattern>, v: &str| p.as_ref().is_none_or(|p| p.is_match(v));
        field(&self.group, &obj.group)
            && field(&self.version, &obj.version)
            && field(&self.kind, &obj.kind)
            && self
                .name
                .as_ref()
                .is_none_or(|p| obj.ids.iter().any(|(n, _)| p.is_match(n)))
            && self.namespace.as_ref().is_none_or(|p| {
                obj.ids
                    .iter()
                    .any(|(_, ns)| p.is_match(if ns.is_empty() { "default" } else { ns }))
            })
            && self.labels.as_ref().is_none_or(|r| {
                satisfied(r, obj.node.get("metadata").and_then(|m| m.get("labels")))
            })
            && self.annotations.as_ref().is_none_or(|r| {
                satisfied(
                    r,
                    obj.node.get("metadata").and_then(|m| m.get("annotations")),
                )
            })
    }
}

/// A Kubernetes label selector, as far as it is understood; a requirement that cannot be read
/// selects nothing.
fn requirements(text: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(text.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or(""));
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let set = |rest: &str| -> Vec<String> {
            rest.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .map(|v| v.trim().to_string())
                .collect()
        };
        let req = if let Some((k, v)) = part.split_once("!=") {
            Requirement::NotEquals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            Requirement::Equals(k.trim().into(), v.trim().into())
        } else if let Some((k, rest)) = part.split_once(" notin ") {
            Requirement::NotIn(k.trim().into(), set(rest))
        } else if let Some((k, rest)) = part.split_once(" in ") {
            Requirement::In(k.trim().into(), set(rest))
        } else if let Some(k) = part.strip_prefix('!') {
            Requirement::Absent(k.trim().into())
        } else if part.chars().all(|c| !c.is_whitespace()) {
            Requirement::Exists(part.into())
        } else {
            // Unreadable: matches nothing.
            Requirement::In(String::new(), Vec::new())
        };
        out.push(req);
    }
    out
}

fn satisfied(requirements: &[Requirement], labels: Option<&Node>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Node::scalar_text);
    requirements.iter().all(|r| match r {
        Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
        Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
        Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
        Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
        Requirement::Exists(k) => get(k).is_some(),
        Requirement::Absent(k) => get(k).is_none(),
    })
}

/// The identity a patch without a target names: its group, version, kind, name and namespace
/// (none: the default one).
pub(super) struct PatchId {
    group: String,
    version: String,
    kind: String,
    name: String,
    namespace: String,
}

impl PatchId {
    pub(super) fn read(doc: &Node) -> Option<PatchId> {
        let (group, version) = split_api_version(doc.get("apiVersion")?.as_str()?);
        let metadata = doc.get("metadata");
        Some(PatchId {
            group,
            version,
            kind: doc.get("kind")?.as_str()?.to_string(),
            name: metadata?.get("name")?.as_str()?.to_string(),
            namespace: metadata
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
        })
    }

    /// Whether `obj` is, or was before a transformation, the object this patch names.
    pub(super) fn matches(&self, obj: &Obj) -> bool {
        let ns = |n: &str| {
            if n.is_empty() {
                "default".to_string()
            } else {
                n.to_string()
            }
        };
        obj.group == self.group
            && obj.version == self.version
            && obj.kind == self.kind
            && obj
                .ids
                .iter()
                .any(|(n, s)| *n == self.name && ns(s) == ns(&self.namespace))
    }

    pub(super) fn describe(&self) -> String {
        let ns = if self.namespace.is_empty() {
            String::new()
        } else {
            format!(" in namespace {}", self.namespace)
        };
        format!("{} {}{ns}", self.kind, self.name)
    }
}

/// `group/version` (or a core `version`).
pub(super) fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}
