//! A team's own chart: templates under `templates/` that write Atlas objects, rendered from
//! the chart's values where an action only places a value.
//!
//! Read as the run reads any template (actions blanked, what they make unknown), then each
//! action that places one value of `.Values` is given that value from the chart's values
//! (`values.yaml`, then each override file beside it: `values-prod.yaml`), located where the
//! values file writes it, so a finding points at the values file that sets it:
//!
//! - `key: {{ .Values.a.b }}`, also quoted (`"{{ ... }}"`), with `quote`, `squote`,
//!   `toString`, `required "..."` or `default LITERAL` (the literal, located in the template,
//!   when the value is empty or missing, as Helm's `default` does), as arguments or after `|`;
//! - `key:` with `{{ toYaml .Values.a.b | nindent N }}` (or `indent`) alone on the line
//!   below it: the whole mapping or list.
//!
//! An `if` whose conditions each read one value is resolved first, as Helm renders it: the
//! branch taken stays, the others and the block's actions are blanked ([`prune`]), and the
//! deciding value is recorded as the condition of what the branch places ([`Decided`]).
//! Inside `range`, `with`, `define` or an `if` on anything else, and for every other action
//! (`.Release.Name`, `include`, a function that changes the value), the value stays unknown.
//! What a template hard-codes stays as written. The operator's own charts are rendered by
//! their templates' known shape instead (see `templates`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::{ChartFile, HelmRendering, defaults_of, is_values_name, merge_chain};
use crate::adapters::kubernetes::render::Note;
use crate::adapters::kubernetes::render::sources::Sources;
use crate::document::{Node, Span, Value};
use crate::model::{Loc, SourceFile, SourceMap};

/// Templates of one chart rendered at most (each values file renders them all).
const MAX_TEMPLATES: usize = 200;

/// Template renderings of one chart at most (templates times values files).
const MAX_RENDERED: usize = 1_000;

/// Render the Atlas templates of each chart among `by_dir` that is not one of the operator's
/// charts, once per values file (each override file beside `values.yaml`, else
/// `values.yaml` alone). The rendering's `replaces` are the templates: what each gives on
/// its own is replaced by what the renderings give.
pub(super) fn render(
    by_dir: &BTreeMap<PathBuf, ChartFile>,
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    notes: &mut Vec<Note>,
) -> Vec<HelmRendering> {
    let mut out = Vec::new();
    // The run's files that may be a chart's template or values file, by directory (absolute):
    // found once, not once per chart (a monorepo holds hundreds of charts).
    let mut by_parent: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    // A template is keyed by its chart's `templates/` (Helm renders its subdirectories too), a
    // values file by its own directory.
    for f in files.iter() {
        let key = match templates_dir_of(&f.path) {
            Some(up) => Some(up),
            None if is_values_name(&f.path) => Some(1),
            None => None,
        };
        if let Some(up) = key {
            let abs = sources.absolute(&f.path);
            if let Some(dir) = abs.ancestors().nth(up) {
                by_parent
                    .entry(dir.to_path_buf())
                    .or_default()
                    .push(f.path.clone());
            }
        }
    }
    let held = |dir: &Path| by_parent.get(dir).map(Vec::as_slice).unwrap_or_default();
    for (dir, chart) in by_dir {
        // A library chart renders nothing itself; a subchart is rendered by its parent, with
        // the parent's values under its name (not read: its templates are read alone).
        let subchart = dir.parent().is_some_and(|p| {
            p.file_name().is_some_and(|n| n == "charts")
                && p.parent().is_some_and(|parent| by_dir.contains_key(parent))
        });
        if chart.chart.is_some() || chart.library || subchart {
            continue;
        }
        let shown = &chart.shown;
        let templates = atlas_templates(dir, shown, sources, held(&dir.join("templates")), notes);
        if templates.is_empty() {
            continue;
        }
        let defaults = defaults_of(sources, shown);
        // Helm refuses a chart whose values.yaml does not parse, or is not a mapping: nothing
        // is rendered.
        if defaults
            .as_ref()
            .is_some_and(|d| values_doc(sources, files, d).is_none())
        {
            continue;
        }
        // What the templates read of `.Values`, by top-level key: a values file beside the
        // chart that sets none of it is another tool's (`exporter-values.yaml`), not this
        // chart's override.
        let read: BTreeSet<String> = templates
            .iter()
            .filter_map(|t| sources.text(t).ok())
            .flat_map(|t| top_level_keys(&t))
            .collect();
        // The run's values files beside the chart, and those on disk: a check of one file
        // renders the chart as a check of its directory does.
        let listed = sources
            .list(shown)
            .into_iter()
            .chain(sources.list(&shown.join("values")));
        let mut overrides: Vec<PathBuf> = held(dir)
            .iter()
            .chain(held(&dir.join("values")))
            .cloned()
            .chain(listed)
            .filter(|p| is_values_name(p) && beside(sources, dir, p))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !matches!(name, "values.yaml" | "values.yml")
            })
            .collect();
        overrides.sort_by_key(|p| sources.absolute(p));
        overrides.dedup_by_key(|p| sources.absolute(p));
        overrides.retain(|p| sets_any(sources, files, p, &read));
        let mut chains: Vec<PathBuf> = if overrides.is_empty() {
            defaults.iter().cloned().collect()
        } else {
            overrides
        };
        // Each values file renders every template: bounded, as a rendering is held until
        // the run's model is.
        let most = (MAX_RENDERED / templates.len().max(1)).max(1);
        if chains.len() > most {
            notes.push(Note {
                path: shown.clone(),
                reason: format!(
                    "{} values files render {} templates: past {MAX_RENDERED} template renderings, the values files after the {most}th (by name) are not rendered, nor judged",
                    chains.len(),
                    templates.len()
                ),
            });
            chains.truncate(most);
        }
        // Every file of `templates/` that reads `.Values` (partials and other kinds too):
        // where a value placed into an Atlas object is used besides.
        let under = shown.join("templates");
        let mut all_templates: Vec<PathBuf> = held(&dir.join("templates"))
            .iter()
            .cloned()
            .chain(sources.list_below(&under, TEMPLATE_DEPTH))
            .collect();
        all_templates.sort_by_key(|p| sources.absolute(p));
        all_templates.dedup_by_key(|p| sources.absolute(p));
        all_templates.retain(|p| sources.text(p).is_ok_and(|t| t.contains(".Values")));
        for values_path in chains {
            out.extend(render_with(
                sources,
                files,
                &templates,
                &all_templates,
                defaults.as_deref(),
                &values_path,
            ));
        }
    }
    out
}

/// Whether `path` is a values file of the chart in `dir`: directly in it, or in its
/// `values/` directory.
fn beside(sources: &Sources<'_>, dir: &Path, path: &Path) -> bool {
    let abs = sources.absolute(path);
    let parent = abs.parent();
    parent == Some(dir) || parent == Some(dir.join("values").as_path())
}

/// The top-level keys of `.Values` a template reads (`cluster` of `.Values.cluster.tier`).
fn top_level_keys(text: &str) -> Vec<String> {
    text.match_indices(".Values.")
        .filter_map(|(at, m)| {
            let rest = text.get(at + m.len()..)?;
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (len > 0)
                .then(|| rest.get(..len).map(str::to_string))
                .flatten()
        })
        .collect()
}

/// Whether the values file at `path` sets one of the top-level keys `read`.
fn sets_any(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    path: &Path,
    read: &BTreeSet<String>,
) -> bool {
    let Some(doc) = sources
        .load(path, files)
        .ok()
        .and_then(|s| sources.doc(s, 0))
    else {
        return false;
    };
    doc.as_map()
        .unwrap_or_default()
        .iter()
        .any(|e| e.key.scalar_text().is_some_and(|k| read.contains(k)))
}

/// How many levels of directories in `templates/` are searched for templates (Helm renders
/// every file below it; charts nest a level or two).
const TEMPLATE_DEPTH: usize = 8;

/// How many levels above `path` its chart's `templates/` directory is (1: `path` is directly
/// in it), when a directory of that name is among its nearest [`TEMPLATE_DEPTH`] ancestors.
fn templates_dir_of(path: &Path) -> Option<usize> {
    path.ancestors()
        .skip(1)
        .take(TEMPLATE_DEPTH)
        .position(|a| a.file_name().is_some_and(|n| n == "templates"))
        .map(|i| i + 1)
}

/// The chart's templates that Helm renders (the YAML files in `templates/` and its
/// subdirectories, as the run spells them when it holds them; not a partial named `_*`, nor
/// one its `.helmignore` leaves out) and that name an Atlas API group.
fn atlas_templates(
    dir: &Path,
    shown: &Path,
    sources: &mut Sources<'_>,
    held: &[PathBuf],
    notes: &mut Vec<Note>,
) -> Vec<PathBuf> {
    let under = shown.join("templates");
    let ignored = helmignore(dir, shown, sources);
    let rendered = |p: &Path| {
        let yaml = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let partial = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('_'));
        yaml && !partial
    };
    let writes_atlas = |sources: &mut Sources<'_>, p: &Path| {
        sources.text(p).is_ok_and(|t| {
            t.contains("{{")
                && (t.contains("atlas.mongodb.com/") || t.contains("atlas.generated.mongodb.com/"))
        })
    };
    let held: Vec<PathBuf> = held.iter().filter(|p| rendered(p)).cloned().collect();
    // The run holds templates of the chart, none of them Atlas's: nothing to render, and no
    // need to list the directory (a monorepo holds hundreds of such charts).
    if !held.is_empty() && !held.iter().any(|p| writes_atlas(sources, p)) {
        return Vec::new();
    }
    let held_abs: BTreeSet<PathBuf> = held.iter().map(|p| sources.absolute(p)).collect();
    // A check of one file reads the rest of the chart from disk.
    let listed = sources
        .list_below(&under, TEMPLATE_DEPTH)
        .into_iter()
        .filter(|p| rendered(p) && !held_abs.contains(&sources.absolute(p)));
    let mut found: Vec<PathBuf> = held.into_iter().chain(listed).collect();
    found.sort_by_key(|p| sources.absolute(p));
    found.dedup_by_key(|p| sources.absolute(p));
    if let Some(ignored) = ignored {
        found.retain(|p| {
            let abs = sources.absolute(p);
            let within = abs.strip_prefix(dir).unwrap_or(&abs);
            !ignored
                .matched_path_or_any_parents(within, false)
                .is_ignore()
        });
    }
    found.retain(|p| writes_atlas(sources, p));
    if found.len() > MAX_TEMPLATES {
        notes.push(Note {
            path: under.clone(),
            reason: format!(
                "more than {MAX_TEMPLATES} templates write Atlas objects: those past the {MAX_TEMPLATES}th (by name) are read on their own, not rendered from the chart's values"
            ),
        });
        found.truncate(MAX_TEMPLATES);
    }
    found
}

/// The chart's `.helmignore` (gitignore patterns, relative to the chart's directory).
fn helmignore(
    dir: &Path,
    shown: &Path,
    sources: &mut Sources<'_>,
) -> Option<ignore::gitignore::Gitignore> {
    let text = sources.text(&shown.join(".helmignore")).ok()?;
    let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
    for line in text.lines() {
        // A pattern the matcher refuses matches nothing.
        let _ = builder.add_line(None, line);
    }
    builder.build().ok()
}

/// One values file's rendering of the templates.
fn render_with(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    templates: &[PathBuf],
    all_templates: &[PathBuf],
    defaults: Option<&Path>,
    values_path: &Path,
) -> Option<HelmRendering> {
    let mut consumed = BTreeSet::new();
    let (own, over) = values_doc(sources, files, values_path)?;
    consumed.insert(own);
    let file = sources.get(own)?.file;
    let base = defaults
        .filter(|d| sources.absolute(d) != sources.absolute(values_path))
        .and_then(|d| values_doc(sources, files, d))
        .map(|(d, doc)| {
            consumed.insert(d);
            doc
        });
    let values = merge_chain(base, &over);
    let mut objects = Vec::new();
    let mut replaces = BTreeSet::new();
    let mut decided = Vec::new();
    // Each value placed: its template, the placing action, the value and its path.
    let mut placements: Vec<(PathBuf, Span, Span, String)> = Vec::new();
    for path in templates {
        // The branches these values decide, taken or left out as Helm would render them.
        let pruned = sources
            .text(path)
            .ok()
            .and_then(|text| prune(&text, &values));
        let loaded = match &pruned {
            Some(p) => sources.load_template_as(path, files, &p.text),
            None => sources.load_template(path, files),
        };
        let Ok((source, actions)) = loaded else {
            continue;
        };
        let (Some(text), Some(at)) = (
            sources.get(source).map(|s| s.text.clone()),
            sources.base(source),
        ) else {
            continue;
        };
        consumed.insert(source);
        replaces.insert(source);
        let count = sources.get(source).map_or(0, |s| s.roots.len());
        let taken = pruned.map(|p| p.taken).unwrap_or_default();
        let filler = Filler::new(&text, &actions, at, &values, taken);
        for i in 0..count {
            let Some(mut doc) = sources.doc(source, i) else {
                continue;
            };
            filler.fill(&mut doc, 0);
            objects.push(doc);
        }
        decided.append(&mut filler.decided.borrow_mut());
        placements.extend(
            filler
                .placements
                .take()
                .into_iter()
                .map(|(action, value, at)| (sources.absolute(path), action, value, at)),
        );
    }
    let uses = other_uses(sources, files, all_templates, &placements);
    Some(HelmRendering {
        file,
        path: values_path.to_path_buf(),
        objects,
        consumed,
        replaces,
        decided,
        uses,
    })
}

/// The references to `.Values` paths in a template's actions (`{{ ... }}`, not `{{/* ... */}}`
/// comments, not the text around them): `.Values.a.b` and `index .Values "a" "b"`, each with
/// where it is and its path (`a.b`); `.Values` whole (`toYaml .Values`) with the empty path.
/// An `if` on one value alone (`{{ if .Values.a.b }}`) reads only whether it is set, which a
/// fix (another value, set too) does not change: left out.
fn value_references(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for action in crate::document::template::actions(text).unwrap_or_default() {
        let words = action_words(text, action);
        if words.first().is_some_and(|w| w.starts_with("/*")) {
            continue;
        }
        if let ["if", only] = words.as_slice() {
            let only = only.trim_start_matches('$');
            if only == ".Values" || only.starts_with(".Values.") {
                continue;
            }
        }
        let base = action.start as usize + 2;
        let inner = text
            .get(base..(action.end as usize).saturating_sub(2))
            .unwrap_or("");
        for (i, m) in inner.match_indices(".Values.") {
            let rest = inner.get(i + m.len()..).unwrap_or("");
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let used = rest.get(..len).unwrap_or("").trim_end_matches('.');
            if !used.is_empty() {
                out.push((base + i, base + i + m.len() + used.len(), used.to_string()));
            }
        }
        // `.Values` whole (`toYaml .Values`, `with .Values`, `range ... := .Values`): every
        // value, the empty path. Not `index .Values "a"` (below).
        for (i, m) in inner.match_indices(".Values") {
            let rest = inner.get(i + m.len()..).unwrap_or("");
            let whole =
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            let indexed = inner.get(..i).unwrap_or("").trim_end().ends_with("index")
                && rest.trim_start().starts_with('"');
            if whole && !indexed {
                out.push((base + i, base + i + m.len(), String::new()));
            }
        }
        // `index .Values "a" "b"`: the quoted keys after it.
        for (i, m) in inner.match_indices("index .Values") {
            let rest = inner.get(i + m.len()..).unwrap_or("");
            let mut keys = Vec::new();
            let mut tail = rest.trim_start();
            // What is left after the last key's closing quote.
            let mut after = rest.len();
            while let Some(quoted) = tail.strip_prefix('"') {
                let Some(end) = quoted.find('"') else { break };
                keys.push(quoted.get(..end).unwrap_or(""));
                let next = quoted.get(end + 1..).unwrap_or("");
                after = next.len();
                tail = next.trim_start();
            }
            if !keys.is_empty() {
                let len = rest.len() - after;
                out.push((base + i, base + i + m.len() + len, keys.join(".")));
            }
        }
    }
    out
}

/// Templates of one chart searched for the uses of its values at most.
const MAX_USE_TEMPLATES: usize = 200;

/// Where the chart's templates (`all_templates`: every file of `templates/`, partials and
/// templates of other kinds too) use a placed value besides placing it: a reference to its
/// path in `.Values`, to a path inside it, or to a mapping that holds it (`toYaml
/// .Values.datadog`), outside every action that places it. Each is the value (in the span
/// space) and the use's location.
fn other_uses(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    all_templates: &[PathBuf],
    placements: &[(PathBuf, Span, Span, String)],
) -> Vec<(Span, Loc)> {
    let mut out = Vec::new();
    if placements.is_empty() {
        return out;
    }
    // The placing actions of each template, sorted (actions do not overlap); the values by
    // their path, and by each path that holds them (`datadog` holds `datadog.region`).
    let mut actions: HashMap<&Path, Vec<Span>> = HashMap::new();
    let mut at_path: HashMap<&str, Vec<Span>> = HashMap::new();
    let mut under: HashMap<&str, Vec<Span>> = HashMap::new();
    for (template, action, value, path) in placements {
        actions.entry(template.as_path()).or_default().push(*action);
        at_path.entry(path.as_str()).or_default().push(*value);
        let mut prefix_end = Some(path.len());
        while let Some(end) = prefix_end {
            if let Some(prefix) = path.get(..end) {
                under.entry(prefix).or_default().push(*value);
            }
            prefix_end = path.get(..end).and_then(|p| p.rfind('.'));
        }
    }
    for spans in actions.values_mut() {
        spans.sort_by_key(|s| s.start);
    }
    for template in all_templates.iter().take(MAX_USE_TEMPLATES) {
        let Ok(text) = sources.text(template) else {
            continue;
        };
        let abs = sources.absolute(template);
        let placing_here = actions.get(abs.as_path());
        let mut source = None;
        for (at, end, used) in value_references(&text) {
            // An action that places a value is read into the model where it places it.
            let placing = placing_here.is_some_and(|spans| {
                let i = spans.partition_point(|a| (a.start as usize) <= at);
                i.checked_sub(1)
                    .and_then(|i| spans.get(i))
                    .is_some_and(|a| end <= a.end as usize)
            });
            if placing {
                continue;
            }
            // The values at the path used or under it, and those at a path that holds it
            // (a part of a placed mapping).
            // The whole of `.Values` holds every placed value.
            let mut values: Vec<Span> = if used.is_empty() {
                let mut all: Vec<Span> = at_path.values().flatten().copied().collect();
                all.sort_by_key(|s| (s.start, s.end));
                all
            } else {
                under.get(used.as_str()).cloned().unwrap_or_default()
            };
            let mut prefix_end = used.rfind('.');
            while let Some(e) = prefix_end {
                let prefix = used.get(..e).unwrap_or("");
                values.extend(at_path.get(prefix).into_iter().flatten().copied());
                prefix_end = prefix.rfind('.');
            }
            if values.is_empty() {
                continue;
            }
            if source.is_none() {
                source = Some(sources.load_text(template, files));
            }
            let Some(Some(base)) = source.flatten().map(|s| sources.base(s)) else {
                continue;
            };
            let (Ok(start), Ok(stop)) = (u32::try_from(at), u32::try_from(end)) else {
                continue;
            };
            let (Some(start), Some(stop)) = (base.checked_add(start), base.checked_add(stop))
            else {
                continue;
            };
            if let Some(loc) = sources.loc(Span { start, end: stop }, "") {
                out.extend(values.into_iter().map(|v| (v, loc.clone())));
            }
        }
    }
    out
}

/// A values file's source and its values, in the span space: an empty file (or one of
/// comments only) is no values, as Helm reads it; `None` when it does not parse or holds
/// anything but a mapping (Helm refuses it).
fn values_doc(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    path: &Path,
) -> Option<(usize, Node)> {
    let source = sources.load(path, files).ok()?;
    let doc = match sources.doc(source, 0) {
        Some(doc) => doc,
        None => {
            let at = sources.base(source)?;
            Node::new(Value::Map(Vec::new()), Span { start: at, end: at })
        }
    };
    matches!(doc.value, Value::Map(_) | Value::Null).then(|| {
        let doc = if matches!(doc.value, Value::Null) {
            Node::new(Value::Map(Vec::new()), doc.span)
        } else {
            doc
        };
        (source, doc)
    })
}

/// Deepest nesting filled in (deeper trees keep their unknowns).
const MAX_DEPTH: usize = 64;

/// Fills in one template's documents (in the span space) from merged values.
struct Filler<'a> {
    /// The template's text, as written.
    text: &'a str,
    /// Its actions, as spans of the text (sorted).
    actions: &'a [Span],
    /// For each action, whether what it writes is rendered for sure: outside every block the
    /// text still has (see [`renders`]).
    renders: Vec<bool>,
    /// Where the text starts in the span space.
    base: u32,
    values: &'a Node,
    /// The branches a value decided that the rendering takes (their blocks are left out of
    /// the text it reads, see [`prune`]), as ranges of the text.
    taken: Vec<Taken<'a>>,
    /// The values placed in a branch a value decided, as [`Decided`].
    decided: std::cell::RefCell<Vec<Decided>>,
    /// Each value placed from the values: the placing action (a span of the text), the value
    /// (in the span space) and its path in `.Values` (`datadog.region`).
    placements: std::cell::RefCell<Vec<(Span, Span, String)>>,
}

/// A value placed in the branch of an `if` that another value decided (in the span space): a
/// finding about it depends on that value (see `model::Condition`).
pub(in crate::adapters::kubernetes::render) struct Decided {
    /// The value placed.
    pub(in crate::adapters::kubernetes::render) part: Span,
    /// The value that decided, where it is written, and the action that reads it.
    pub(in crate::adapters::kubernetes::render) setting: Node,
    pub(in crate::adapters::kubernetes::render) used: Span,
}

impl<'a> Filler<'a> {
    fn new(
        text: &'a str,
        actions: &'a [Span],
        base: u32,
        values: &'a Node,
        taken: Vec<Taken<'a>>,
    ) -> Filler<'a> {
        let renders = renders(text, actions);
        Filler {
            text,
            actions,
            renders,
            base,
            values,
            taken,
            decided: std::cell::RefCell::new(Vec::new()),
            placements: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Note that `part`, placed by the action at `offset`, is there because of the values
    /// that decided its branches.
    fn placed_at(&self, offset: usize, part: Span) {
        let taken = self
            .taken
            .iter()
            .filter(|t| t.from <= offset && offset < t.to)
            .map(|t| &t.decider);
        for d in taken {
            self.decided.borrow_mut().push(Decided {
                part,
                setting: d.value.clone(),
                used: Span {
                    start: d.action.start + self.base,
                    end: d.action.end + self.base,
                },
            });
        }
    }

    fn fill(&self, node: &mut Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if node.is_template() && !matches!(node.value, Value::Map(_) | Value::Seq(_)) {
            match self.scalar(node.span) {
                Some((value, offset)) => {
                    self.placed_at(offset, value.span);
                    *node = value;
                }
                // Unknown, and named as written (`{{ .Release.Name }}-db`) where a message
                // names it, as when the template is read on its own.
                None => {
                    if let Some((_, written)) = self.text_of(node.span) {
                        node.value = Value::String(written.trim().into());
                    }
                }
            }
            return;
        }
        match &mut node.value {
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    if matches!(e.value.value, Value::Null) {
                        if let Some((block, offset)) = self.block_below(&e.key) {
                            self.placed_at(offset, block.span);
                            e.value = block;
                            continue;
                        }
                    }
                    self.fill(&mut e.value, depth + 1);
                }
            }
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    self.fill(item, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// The text of a span of the span space, in the template.
    fn text_of(&self, span: Span) -> Option<(usize, &str)> {
        let start = span.start.checked_sub(self.base)? as usize;
        let end = span.end.checked_sub(self.base)? as usize;
        Some((start, self.text.get(start..end)?))
    }

    /// The action that starts at `offset` of the text, if it is rendered for sure.
    fn rendered_action(&self, offset: usize) -> Option<Span> {
        let i = self
            .actions
            .partition_point(|a| (a.start as usize) < offset);
        let action = *self.actions.get(i)?;
        (action.start as usize == offset && self.renders.get(i) == Some(&true)).then_some(action)
    }

    /// The value a scalar written as one action that places a value gets (`{{ .Values.x }}`,
    /// quoted or not).
    fn scalar(&self, span: Span) -> Option<(Node, usize)> {
        let (start, written) = self.text_of(span)?;
        let trimmed = written.trim();
        let inner = trimmed
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .or_else(|| {
                trimmed
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''))
            })
            .unwrap_or(trimmed);
        let offset = start + written.find(inner)?;
        let action = self.rendered_action(offset)?;
        if action.len() != inner.len() {
            return None;
        }
        let placed = placed(self.text, action)?;
        if placed.yaml {
            return None;
        }
        let value = match lookup(self.values, &placed.path) {
            Some(v) if is_scalar(v) && !empty(v) => {
                self.placements
                    .borrow_mut()
                    .push((action, v.span, placed.path.join(".")));
                Some(v.clone())
            }
            Some(v) if !is_scalar(v) && !empty(v) => None,
            _ => placed.default.map(|(literal, at)| {
                let at = self.base + u32::try_from(at).ok()?;
                let len = u32::try_from(literal.len()).ok()?;
                let value = if literal.parse::<f64>().is_ok() {
                    Value::Number(literal.into())
                } else if literal == "true" || literal == "false" {
                    Value::Bool(literal == "true")
                } else {
                    Value::String(literal.into())
                };
                Some(Node::new(
                    value,
                    Span {
                        start: at,
                        end: at + len,
                    },
                ))
            })?,
        };
        value.map(|v| (v, action.start as usize))
    }

    /// What `{{ toYaml .Values.x | nindent N }}` alone on the line below `key:` gives it
    /// (with the action's offset).
    fn block_below(&self, key: &Node) -> Option<(Node, usize)> {
        let key_end = key.span.end.checked_sub(self.base)?;
        let i = self.actions.partition_point(|a| a.start < key_end);
        let action = *self.actions.get(i)?;
        let between = self.text.get(key_end as usize..action.start as usize)?;
        let (colon, rest) = between.split_once(':')?;
        let line_after = self
            .text
            .get(action.end as usize..)
            .map(|t| t.split('\n').next().unwrap_or(""))?;
        if !colon.trim().is_empty()
            || !rest.trim().is_empty()
            || !rest.contains('\n')
            || !line_after.trim().is_empty()
        {
            return None;
        }
        self.rendered_action(action.start as usize)?;
        let placed = placed(self.text, action)?;
        // The block must land below the key: indented deeper than the key's own column.
        let key_start = key.span.start.checked_sub(self.base)? as usize;
        let key_column = key_start
            - self
                .text
                .get(..key_start)
                .and_then(|t| t.rfind('\n'))
                .map_or(0, |n| n + 1);
        if !placed.yaml || placed.indent.is_none_or(|n| n <= key_column) {
            return None;
        }
        let block = lookup(self.values, &placed.path).filter(|v| !is_scalar(v) && !empty(v))?;
        self.placements
            .borrow_mut()
            .push((action, block.span, placed.path.join(".")));
        Some((block.clone(), action.start as usize))
    }
}

/// Whether each action is outside every block of the text: the blocks values decide are
/// resolved before ([`prune`]), so a block left is one whose branch is unknown (`range`,
/// `with`, `define`, `block`, or an `if` on anything but one value).
fn renders(text: &str, actions: &[Span]) -> Vec<bool> {
    let mut depth = 0usize;
    actions
        .iter()
        .map(|a| {
            match action_word(text, *a) {
                "if" | "range" | "with" | "define" | "block" => depth += 1,
                "end" => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        })
        .collect()
}

/// The first word of an action (`if` of `{{- if .Values.x }}`).
fn action_word(text: &str, action: Span) -> &str {
    action_words(text, action).into_iter().next().unwrap_or("")
}

/// The words of an action, without its delimiters and trim markers.
fn action_words(text: &str, action: Span) -> Vec<&str> {
    text.get(action.start as usize + 2..(action.end as usize).saturating_sub(2))
        .unwrap_or("")
        .trim_matches('-')
        .split_whitespace()
        .collect()
}

/// A value that decided which branch of an `if` renders (`dr.enabled` of `{{ if
/// .Values.dr.enabled }}`), and the action that reads it.
#[derive(Clone)]
struct Decider<'v> {
    value: &'v Node,
    action: Span,
}

/// A template's text with the `if` blocks that values decide resolved, as Helm renders them:
/// the branches not taken blanked, and the block's own actions too (so that what the taken
/// branch writes reads as if no block were there: a key written in both branches is one key).
struct Pruned<'v> {
    text: String,
    /// The taken branches, with the value that decided each.
    taken: Vec<Taken<'v>>,
}

/// A taken branch (`from`..`to` of the text) and the value that decided it.
struct Taken<'v> {
    from: usize,
    to: usize,
    decider: Decider<'v>,
}

/// Resolve the `if` blocks of `text` whose branches are decided by values (each condition
/// one value, see [`condition`]; the taken branch's and those before it known), outside
/// `range`, `with`, `define` and `block` (which rebind `.`); `None` when there is none.
fn prune<'v>(text: &str, values: &'v Node) -> Option<Pruned<'v>> {
    let actions = crate::document::template::actions(text)?;
    /// An open block: its kind, and for an `if`, each branch so far: the action that opens
    /// it, and its condition (`Some(true)` for `else`) with the value that decides it.
    struct Open<'v> {
        rebinds: bool,
        branches: Vec<(Span, Option<bool>, Option<Decider<'v>>)>,
    }
    let mut stack: Vec<Open<'v>> = Vec::new();
    let mut bytes = text.as_bytes().to_vec();
    let blank = |bytes: &mut Vec<u8>, from: usize, to: usize| {
        for b in bytes.iter_mut().take(to).skip(from) {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    let mut taken = Vec::new();
    for a in &actions {
        let words = action_words(text, *a);
        let rebound = stack.iter().any(|o| o.rebinds);
        match words.split_first() {
            Some((&"if", cond)) => {
                let (known, decider) = if rebound {
                    (None, None)
                } else {
                    condition(cond, values, *a)
                };
                stack.push(Open {
                    rebinds: false,
                    branches: vec![(*a, known, decider)],
                });
            }
            Some((&("range" | "with" | "define" | "block"), _)) => stack.push(Open {
                rebinds: true,
                branches: Vec::new(),
            }),
            Some((&"else", rest)) => {
                if let Some(open) = stack.last_mut().filter(|o| !o.rebinds) {
                    let (known, decider) = match rest.split_first() {
                        None => (Some(true), None),
                        Some((&"if", cond)) if !rebound => condition(cond, values, *a),
                        Some(_) => (None, None),
                    };
                    open.branches.push((*a, known, decider));
                }
            }
            Some((&"end", _)) => {
                let Some(open) = stack.pop() else { continue };
                if open.rebinds {
                    continue;
                }
                // The first branch whose condition holds, when every one before it is known
                // not to; none taken when all are known not to.
                let mut chosen = None;
                let mut decided = true;
                for (i, (_, known, _)) in open.branches.iter().enumerate() {
                    match known {
                        Some(true) => {
                            chosen = Some(i);
                            break;
                        }
                        Some(false) => {}
                        None => {
                            decided = false;
                            break;
                        }
                    }
                }
                if !decided {
                    continue;
                }
                let ends: Vec<usize> = open
                    .branches
                    .iter()
                    .skip(1)
                    .map(|(s, _, _)| s.start as usize)
                    .chain([a.start as usize])
                    .collect();
                // Every value that decided, up to the taken branch: the conditions that did
                // not hold decided too.
                let deciders: Vec<Decider<'v>> = open
                    .branches
                    .iter()
                    .take(chosen.map_or(open.branches.len(), |c| c + 1))
                    .filter_map(|(_, _, d)| d.clone())
                    .collect();
                for (i, ((opening, _, _), end)) in open.branches.iter().zip(ends).enumerate() {
                    let body = opening.end as usize;
                    blank(&mut bytes, opening.start as usize, body);
                    if Some(i) == chosen {
                        taken.extend(deciders.iter().map(|d| Taken {
                            from: body,
                            to: end,
                            decider: d.clone(),
                        }));
                    } else {
                        blank(&mut bytes, body, end);
                    }
                }
                blank(&mut bytes, a.start as usize, a.end as usize);
            }
            _ => {}
        }
    }
    let pruned = String::from_utf8(bytes).ok()?;
    (pruned != text).then_some(Pruned {
        text: pruned,
        taken,
    })
}

/// An `if` condition that reads one value: `.Values.x` or `not .Values.x` (Go templates'
/// truth), with the value when it is set; `None` for any other.
fn condition<'v>(
    words: &[&str],
    values: &'v Node,
    action: Span,
) -> (Option<bool>, Option<Decider<'v>>) {
    let (negate, path) = match words {
        [path] => (false, *path),
        ["not", path] => (true, *path),
        _ => return (None, None),
    };
    let Some(path) = values_path(path) else {
        return (None, None);
    };
    let value = lookup(values, &path);
    (
        Some(super::values::truthy(value) != negate),
        value.map(|value| Decider { value, action }),
    )
}

/// What an action places: a value of `.Values` at `path`, with a default (its literal and
/// where the literal starts in the text), or the YAML of one (`toYaml`).
struct Placed<'t> {
    path: Vec<&'t str>,
    default: Option<(&'t str, usize)>,
    yaml: bool,
    /// The indentation `nindent` / `indent` gives the YAML.
    indent: Option<usize>,
}

/// A word of an action, with where it starts in the text; `quoted` for a string literal
/// (the word is its contents).
struct Word<'t> {
    text: &'t str,
    at: usize,
    quoted: bool,
}

/// Read an action that places one value (see the module docs); `None` for any other.
fn placed(text: &str, action: Span) -> Option<Placed<'_>> {
    let (start, end) = (action.start as usize, action.end as usize);
    let whole = text.get(start..end)?;
    let inner_start = start + 2 + usize::from(whole.get(2..3) == Some("-"));
    let inner_end = end
        - 2
        - usize::from(whole.len() >= 5 && whole.get(whole.len() - 3..whole.len() - 2) == Some("-"));
    let stages = split_stages(text, inner_start, inner_end)?;
    let mut path = None;
    let mut default = None;
    let mut yaml = false;
    // Whether a function has turned the value into text already (`default` then sees that).
    let mut converted = false;
    let mut indent = None;
    for (n, words) in stages.iter().enumerate() {
        let (first, args) = words.split_first()?;
        let is_path = |w: &Word<'_>| !w.quoted && values_path(w.text).is_some();
        if n == 0 && args.is_empty() && is_path(first) {
            path = values_path(first.text);
            continue;
        }
        // The value is the last argument of the first stage, the piped value after it.
        let literals = if n == 0 {
            let (last, rest) = args.split_last()?;
            if !is_path(last) {
                return None;
            }
            path = values_path(last.text);
            rest
        } else {
            args
        };
        match (first.text, literals) {
            ("quote" | "squote" | "toString" | "trim", []) => converted = true,
            ("required", [msg]) if msg.quoted && default.is_none() => converted = true,
            // One `default`, on the value itself (`toString` of nothing is `<nil>`, which a
            // later `default` keeps; a second `default` sees the first one's literal).
            ("default", [lit])
                if (lit.quoted || is_literal(lit.text)) && default.is_none() && !converted =>
            {
                default = Some((lit.text, lit.at));
            }
            ("toYaml", []) if n == 0 => yaml = true,
            ("nindent" | "indent", [count]) if yaml && count.text.parse::<usize>().is_ok() => {
                indent = count.text.parse().ok();
            }
            _ => return None,
        }
    }
    Some(Placed {
        path: path?,
        default,
        yaml,
        indent,
    })
}

/// `.Values.a.b` (or `$.Values.a.b`) as its path of keys.
fn values_path(word: &str) -> Option<Vec<&str>> {
    let rest = word
        .strip_prefix(".Values.")
        .or_else(|| word.strip_prefix("$.Values."))?;
    let keys: Vec<&str> = rest.split('.').collect();
    keys.iter()
        .all(|k| {
            k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .then_some(keys)
}

/// A bare literal argument: a number or a boolean.
fn is_literal(word: &str) -> bool {
    word.parse::<f64>().is_ok() || word == "true" || word == "false"
}

/// The stages of a pipeline (split at `|` outside string literals), each its words; `None`
/// when a literal is not closed or holds an escape.
fn split_stages(text: &str, start: usize, end: usize) -> Option<Vec<Vec<Word<'_>>>> {
    let bytes = text.as_bytes();
    let mut stages = vec![Vec::new()];
    let mut i = start;
    while i < end {
        let c = *bytes.get(i)?;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'|' => {
                stages.push(Vec::new());
                i += 1;
            }
            b'"' | b'`' => {
                let close = text.get(i + 1..end)?.find(char::from(c))? + i + 1;
                let contents = text.get(i + 1..close)?;
                if c == b'"' && contents.contains('\\') {
                    return None;
                }
                stages.last_mut()?.push(Word {
                    text: contents,
                    at: i + 1,
                    quoted: true,
                });
                i = close + 1;
            }
            _ => {
                let len = text
                    .get(i..end)?
                    .find([' ', '\t', '\n', '\r', '|', '"', '`'])
                    .unwrap_or(end - i);
                stages.last_mut()?.push(Word {
                    text: text.get(i..i + len)?,
                    at: i,
                    quoted: false,
                });
                i += len;
            }
        }
    }
    (!stages.iter().any(Vec::is_empty)).then_some(stages)
}

fn lookup<'v>(values: &'v Node, path: &[&str]) -> Option<&'v Node> {
    path.iter().try_fold(values, |n, k| n.get(k))
}

fn is_scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Map(_) | Value::Seq(_))
}

/// Empty as Helm's `default` sees it: null, false, zero, an empty string or collection.
fn empty(node: &Node) -> bool {
    !super::values::truthy(Some(node))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(action: &str) -> Option<(Vec<String>, Option<String>, bool)> {
        let text = format!("x: {action}");
        let span = Span::new(3, text.len());
        placed(&text, span).map(|p| {
            (
                p.path.iter().map(|s| (*s).to_string()).collect(),
                p.default.map(|(d, _)| d.to_string()),
                p.yaml,
            )
        })
    }

    #[test]
    fn actions_that_place_one_value_are_read() {
        let m30 = Some("M30");
        for (action, path, default, yaml) in [
            (
                "{{ .Values.atlas.region }}",
                &["atlas", "region"][..],
                None,
                false,
            ),
            ("{{- .Values.region -}}", &["region"], None, false),
            ("{{ .Values.region | quote }}", &["region"], None, false),
            ("{{ quote .Values.region }}", &["region"], None, false),
            (
                "{{ .Values.tier | default \"M30\" | quote }}",
                &["tier"],
                m30,
                false,
            ),
            ("{{ default \"M30\" .Values.tier }}", &["tier"], m30, false),
            (
                "{{ required \"set the region\" .Values.region }}",
                &["region"],
                None,
                false,
            ),
            ("{{ $.Values.region }}", &["region"], None, false),
            (
                "{{- toYaml .Values.deployment.spec | nindent 4 }}",
                &["deployment", "spec"],
                None,
                true,
            ),
        ] {
            let expected = (
                path.iter().map(|s| (*s).to_string()).collect::<Vec<_>>(),
                default.map(str::to_string),
                yaml,
            );
            assert_eq!(read(action), Some(expected), "{action}");
        }
    }

    /// Whether each value action of `text` is rendered, with `values`.
    /// (The blocks values decide resolved first, as a rendering does: `Some(true)` placed,
    /// `Some(false)` left out with its branch, `None` in a block left unknown.)
    fn rendered(text: &str, values: &str) -> Vec<Option<bool>> {
        let values = crate::adapters::kubernetes::render::first_doc(values);
        let pruned = prune(text, &values).map_or_else(|| text.to_string(), |p| p.text);
        let kept = crate::document::template::actions(&pruned).unwrap_or_default();
        let states = renders(&pruned, &kept);
        crate::document::template::actions(text)
            .unwrap()
            .iter()
            .filter(|a| {
                text.get(a.start as usize..a.end as usize)
                    .is_some_and(|t| t.contains(".Values.x"))
            })
            .map(|a| match kept.iter().position(|k| k.start == a.start) {
                Some(i) => states.get(i).copied().and_then(|out| out.then_some(true)),
                None => Some(false),
            })
            .collect()
    }

    #[test]
    fn values_in_blocks_helm_may_not_render_are_not_placed() {
        let values = "on: true\noff: false\nlist: []";
        // Outside every block, and in the branch an `if` on a plain value takes.
        assert_eq!(rendered("a: {{ .Values.x }}", values), vec![Some(true)]);
        assert_eq!(
            rendered(
                "{{ if .Values.on }}a: {{ .Values.x }}{{ else }}b: {{ .Values.x }}{{ end }}",
                values
            ),
            vec![Some(true), Some(false)]
        );
        assert_eq!(
            rendered(
                "{{- if not .Values.on }}a: {{ .Values.x }}{{- else if .Values.off }}b: {{ .Values.x }}{{ else }}c: {{ .Values.x }}{{ end }}",
                values
            ),
            vec![Some(false), Some(false), Some(true)]
        );
        // A condition that is not one value, and the blocks that rebind `.` or are not
        // rendered where they are written: unknown, also in a nested `if`.
        for text in [
            "{{ if eq .Values.on true }}a: {{ .Values.x }}{{ end }}",
            "{{ range .Values.list }}a: {{ .Values.x }}{{ end }}",
            "{{ with .Values.on }}a: {{ .Values.x }}{{ end }}",
            "{{ define \"t\" }}a: {{ .Values.x }}{{ end }}",
            "{{ range .Values.list }}{{ if .Values.on }}a: {{ .Values.x }}{{ end }}{{ end }}",
        ] {
            assert_eq!(rendered(text, values), vec![None], "{text}");
        }
        // After the block closes, known again.
        assert_eq!(
            rendered("{{ if .Values.off }}{{ end }}a: {{ .Values.x }}", values),
            vec![Some(true)]
        );
    }

    #[test]
    fn blocks_values_decide_are_resolved_as_helm_renders_them() {
        let values = crate::adapters::kubernetes::render::first_doc("on: true\noff: false\n");
        let text = "a:\n{{- if .Values.on }}\n  b: 1\n{{- else }}\n  b: 2\n{{- end }}\nc: {{ if .Values.off }}x{{ end }}\n";
        let pruned = prune(text, &values).unwrap();
        assert_eq!(pruned.text.len(), text.len());
        // The taken branch stays as written; the other, and the block's actions, are blanks.
        assert!(pruned.text.contains("  b: 1"));
        assert!(!pruned.text.contains("b: 2"));
        assert!(!pruned.text.contains("{{") && !pruned.text.contains('x'));
        // The taken branch is recorded with the value that decided it.
        assert_eq!(pruned.taken.len(), 1);
        let taken = &pruned.taken[0];
        assert_eq!(text.get(taken.from..taken.to), Some("\n  b: 1\n"));
        // Blocks in `range` (which rebinds `.`) and conditions on anything but one value are
        // left as they are.
        for text in [
            "{{ range .Values.list }}{{ if .Values.on }}a: 1{{ end }}{{ end }}",
            "{{ if eq .Values.on true }}a: 1{{ end }}",
            "{{ if .Values.missing.deep }}a: 1{{ else if and .Values.on .Values.off }}a: 2{{ end }}",
        ] {
            assert!(prune(text, &values).is_none(), "{text}");
        }
    }

    #[test]
    fn one_default_on_the_value_itself() {
        assert!(read("{{ .Values.tier | default \"M30\" | default \"M10\" }}").is_none());
        assert!(read("{{ .Values.tier | toString | default \"M30\" }}").is_none());
        assert!(read("{{ required \"x\" .Values.tier | default \"M30\" }}").is_none());
    }

    #[test]
    fn other_actions_are_unknown() {
        for action in [
            "{{ .Release.Name }}",
            "{{ .Values.region | upper }}",
            "{{ include \"chart.region\" . }}",
            "{{ printf \"%s-x\" .Values.region }}",
            "{{ .Values.region }}{{ .Values.suffix }}",
            "{{ if .Values.gov }}",
            "{{ .Values.regions.0 }}",
            "{{ index .Values \"region\" }}",
            "{{ .Values.region | default \"a\\\"b\" }}",
            "{{ toYaml .Values.spec | nindent x }}",
            "{{ .Values.spec | nindent 4 }}",
            "{{ }}",
            "{{ .Values.region | }}",
        ] {
            assert!(read(action).is_none(), "{action}");
        }
    }

    #[test]
    fn uses_of_values_are_found_in_actions() {
        let paths = |text: &str| -> Vec<String> {
            value_references(text)
                .into_iter()
                .map(|(start, end, path)| format!("{path}@{}", &text[start..end]))
                .collect()
        };
        assert_eq!(
            paths("a: {{ .Values.atlas.tier | quote }}"),
            ["atlas.tier@.Values.atlas.tier"]
        );
        // All of `.Values`: every value is used.
        assert_eq!(paths("{{ toYaml .Values | nindent 2 }}"), ["@.Values"]);
        assert_eq!(paths("{{- with $.Values }}{{ end }}"), ["@.Values"]);
        assert_eq!(
            paths(r#"{{ index .Values "atlas" "tier" }}"#),
            [r#"atlas.tier@index .Values "atlas" "tier""#]
        );
        // Whether a value is set, a comment, text outside actions: no use.
        assert!(paths("{{ if .Values }}x{{ end }}{{ if $.Values.a }}y{{ end }}").is_empty());
        assert!(paths("{{/* .Values.a */}} .Values.b").is_empty());
    }
}
