//! Helpers several adapters share: located pieces of string scalars, the keys that name an
//! Atlas base URL, and the Admin API's shapes that other formats embed (a body's anchor and
//! project, region configs).

use crate::document::{Cursor, Node, Span, Value};
use crate::model::{
    ClusterSettings, Field, InstanceSize, Loc, LocCtx, Origin, ProjectRef, RegionConfig, SizeRole,
    Switch, Tag,
};

/// Where a new entry `key: value` would go in a JSON or YAML mapping, written in its syntax:
/// before its first key, on a line of its own indented like that key (a block mapping, or a
/// flow mapping or JSON object laid out one entry a line), or inline before it (`{a: 1}`).
/// `None` for an empty mapping, a mapping that already names the key (even as `null`: a second
/// entry would duplicate it), a tree assembled from other files or a template, and a first key
/// whose line holds anything but indentation and `- ` before it.
pub fn entry_slot(ctx: &LocCtx<'_>, map: &Cursor<'_>, key: &str, value: &str) -> Option<Switch> {
    if ctx.sources.is_some() || !ctx.template_actions.is_empty() {
        return None;
    }
    let entries = map.node.as_map()?;
    if entries.iter().any(|e| e.key.as_str() == Some(key)) {
        return None;
    }
    // Its first entry written in it: one a merge key (`<<: *defaults`) brings in is written
    // in the anchored mapping, where the new entry would change every mapping that merges it.
    let own = |span: Span| map.node.span.start <= span.start && span.end <= map.node.span.end;
    let first = entries.iter().find(|e| own(e.key.span))?;
    let text = ctx.text;
    let key_start = first.key.span.start as usize;
    // A mapping's span starts at its properties (a tag `!x`, an anchor `&a`), if any.
    let map_text = text.get(map.node.span.start as usize..)?;
    let flow = map_text
        .get(properties_len(map_text, "")..)?
        .starts_with('{');
    let quoted = text.get(key_start..)?.starts_with('"');
    let entry = if quoted {
        format!("\"{key}\": \"{value}\"")
    } else {
        format!("{key}: {value}")
    };
    let line_start = text.get(..key_start)?.rfind('\n').map_or(0, |i| i + 1);
    // A byte order mark before the first line stays first.
    let line_start = if line_start == 0 && text.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        line_start
    };
    let before = text.get(line_start..key_start)?;
    let own_line = before.trim_start_matches([' ', '\t', '-']).is_empty();
    // (Known from the file's line index: a scan of the text for each project of a file of
    // thousands was most of the run.)
    let eol = if ctx.index.crlf() { "\r\n" } else { "\n" };
    // A suppression comment right above the first key covers the key's line: the key keeps
    // it (and the comment lines around it) right above it. (The marker is the suppression
    // comments' own; adapters read no suppression, they only keep its place.)
    let comments_start = (!flow && own_line)
        .then(|| comments_above(text, line_start))
        .flatten()
        .filter(|&start| {
            text.get(start..line_start)
                .is_some_and(|c| c.contains("atlasgov-lint:"))
        });
    if let Some(comments_start) = comments_start {
        let item = before.contains("- ");
        if !item {
            // Above the comments, indented like the key.
            return Some(Switch {
                loc: ctx.loc_of(Span::new(comments_start, comments_start), &map.pointer),
                expected: "".into(),
                text: format!("{before}{entry}{eol}"),
            });
        }
        // A list item's first key cannot move: after the first entry, when it is one line.
        let value_end = first.value.span.end as usize;
        let line_end = text
            .get(key_start..)?
            .find(['\r', '\n'])
            .map_or(text.len(), |i| key_start + i);
        let one_line = value_end <= line_end
            && !matches!(first.value.value, Value::Map(_) | Value::Seq(_))
            && !text.get(value_end..line_end)?.contains('#');
        if !one_line {
            return None;
        }
        return Some(Switch {
            loc: ctx.loc_of(Span::new(line_end, line_end), &map.pointer),
            expected: "".into(),
            text: format!("{eol}{}{entry}", " ".repeat(before.len())),
        });
    }
    let insert = match (flow, own_line) {
        (_, true) if before.contains("- ") && flow => return None,
        (true, true) => format!("{entry},{eol}{before}"),
        (true, false) => format!("{entry}, "),
        (false, true) => format!("{entry}{eol}{}", " ".repeat(before.len())),
        (false, false) => return None,
    };
    Some(Switch {
        loc: ctx.loc_of(Span::new(key_start, key_start), &map.pointer),
        expected: "".into(),
        text: insert,
    })
}

/// Where the run of `#` comment lines that ends right above the line starting at
/// `line_start` starts; `None` when the line above is not a comment.
fn comments_above(text: &str, line_start: usize) -> Option<usize> {
    let mut start = None;
    let mut at = line_start;
    while at > 0 {
        let above = text.get(..at - 1)?;
        let from = above.rfind('\n').map_or(0, |i| i + 1);
        let line = text.get(from..at)?.trim();
        if !line.starts_with('#') {
            break;
        }
        start = Some(from);
        at = from;
    }
    start
}

/// Keys whose string value is the base URL of the Atlas a tool talks to.
pub(crate) const URL_KEYS: &[&str] = &[
    "baseurl",
    "base_url",
    "atlasuri",
    "atlas_uri",
    "atlasdomain",
    "atlas_domain",
    "ops_manager_url",
    "opsmanagerurl",
    "mongodb_atlas_base_url",
    "apibaseurl",
    "api_base_url",
    "mongodb_atlas_ops_manager_url",
];

/// A value a tool fills in later: `${ORG_ID}`, `{{ .orgId }}`, `<org-id>`, `%ORG_ID%`.
pub(crate) fn is_placeholder(value: &str) -> bool {
    value.contains(['$', '{', '<', '%'])
}

/// Whether a key names a base URL setting (this adapter reports a commercial URL under it).
pub(crate) fn is_url_key(key: &str) -> bool {
    URL_KEYS.contains(&key.to_ascii_lowercase().as_str())
}

/// A piece of a string scalar (a subslice of the scalar's value) as located text: see
/// [`Locator`]. For one piece; several pieces of one scalar go through one `Locator`.
pub(crate) fn sub_text(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    piece: &str,
) -> Option<crate::model::Text> {
    Locator::new(ctx, cur).text(piece)
}

/// Locates pieces of one string scalar in its source. The location is the piece itself where
/// the source spells it literally, and the same occurrence of it (so `SCRAM-SHA-1` in a script
/// line points at that line, not at a comment above that mentions it); otherwise (escapes in
/// the way) the whole scalar. Pieces asked for in order cost time linear in the scalar
/// altogether: the value and source positions after the last piece found are kept aligned.
pub(crate) struct Locator<'a> {
    ctx: &'a LocCtx<'a>,
    cur: &'a Cursor<'a>,
    value: &'a str,
    source: &'a str,
    /// `value[..vpos]` is spelled by `source[base..spos]`.
    vpos: usize,
    spos: usize,
    /// Where the value's spelling starts in `source`: after a YAML node's properties (its tag
    /// `!x`, its anchor `&a`), which its span holds and which may spell anything.
    base: usize,
    /// A piece was not found as spelled: the rest get the whole scalar.
    lost: bool,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(ctx: &'a LocCtx<'a>, cur: &'a Cursor<'a>) -> Locator<'a> {
        let span = cur.node.span;
        let value = match &cur.node.value {
            Value::String(v) => v,
            _ => "",
        };
        // A rendering's tree (no text of its own) is spelled by its files' texts.
        let source = match ctx.sources {
            Some(sources) if ctx.text.is_empty() => sources.text_of(span),
            _ => ctx.text.get(span.start as usize..span.end as usize),
        }
        .unwrap_or("");
        let base = properties_len(source, value);
        Locator {
            ctx,
            cur,
            value,
            source,
            vpos: 0,
            spos: base,
            base,
            lost: false,
        }
    }

    /// A locator for text that `cur` holds encoded (a Kubernetes Secret's base64 `data`):
    /// every piece is located at the whole scalar, where its value is not spelled, so no fix
    /// edits it.
    pub(crate) fn encoded(ctx: &'a LocCtx<'a>, cur: &'a Cursor<'a>) -> Locator<'a> {
        Locator {
            lost: true,
            ..Locator::new(ctx, cur)
        }
    }

    /// A locator for a value read from its own spelling, [`Locator::source`] (an HCL template
    /// or heredoc, whose node holds its source text, cut short when long): each piece of that
    /// text is where it is.
    pub(crate) fn spelled(ctx: &'a LocCtx<'a>, cur: &'a Cursor<'a>) -> Locator<'a> {
        let located = Locator::new(ctx, cur);
        Locator {
            value: located.source,
            base: 0,
            spos: 0,
            ..located
        }
    }

    /// The text of the value's whole span in the file.
    pub(crate) fn source(&self) -> &'a str {
        self.source
    }

    pub(crate) fn text(&mut self, piece: &str) -> Option<crate::model::Text> {
        let found = self.find(piece);
        let loc = match found {
            Some(offset) => {
                let start = self.cur.node.span.start as usize + offset;
                self.ctx.loc_of(
                    crate::document::Span::new(start, start + piece.len()),
                    &self.cur.pointer,
                )
            }
            None => self.ctx.loc(self.cur),
        };
        Some(Field {
            value: crate::model::intern_value(piece),
            loc,
        })
    }

    /// Whether `len` bytes at `at` in the source overlap an unrendered template's action
    /// (`{{ ... }}`), which the value does not hold (it was blanked before parsing): text
    /// spelled there is not the value's.
    fn in_action(&self, at: usize, len: usize) -> bool {
        let start = self.cur.node.span.start as usize + at;
        let (start, end) = (start as u32, (start + len) as u32);
        crate::document::template::action_between(self.ctx.template_actions, start, end)
    }

    /// The offset of `piece` in the source, if it is spelled there.
    fn find(&mut self, piece: &str) -> Option<usize> {
        if piece.is_empty() || self.lost {
            return None;
        }
        let offset = (piece.as_ptr() as usize)
            .checked_sub(self.value.as_ptr() as usize)
            .filter(|o| o + piece.len() <= self.value.len());
        let Some(offset) = offset else {
            // Not a piece of the value: its first spelling, if any.
            let source = self.source.get(self.base..)?;
            return source
                .match_indices(piece)
                .map(|(at, _)| self.base + at)
                .find(|&at| !self.in_action(at, piece.len()));
        };
        if offset < self.vpos {
            self.vpos = 0;
            self.spos = self.base;
        }
        let before = self.value.get(self.vpos..offset)?.matches(piece).count();
        let found = self
            .source
            .get(self.spos..)?
            .match_indices(piece)
            .map(|(o, _)| self.spos + o)
            .filter(|&at| !self.in_action(at, piece.len()))
            .nth(before);
        // The same occurrence only when what comes just before it is the same too (ignoring
        // spaces and line breaks, which folding changes): where the value and its source part
        // ways (a template action blanked, text the source has twice), the nth spelling may
        // be another one, whose edit would change the wrong text.
        let found = found.filter(|&at| {
            let value_before: Vec<char> =
                tail(self.value.get(self.vpos..offset).unwrap_or("")).collect();
            tail(self.source.get(self.spos..at).unwrap_or(""))
                .take(value_before.len())
                .eq(value_before.iter().copied())
        });
        match found {
            Some(at) => {
                self.vpos = offset + piece.len();
                self.spos = at + piece.len();
            }
            None => self.lost = true,
        }
        found
    }
}

/// The length of the YAML node properties (a tag `!x`, an anchor `&a`, each followed by white
/// space) that `source` starts with before `value`'s spelling (`""` for a collection); 0 when
/// it starts with the value.
fn properties_len(source: &str, value: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = source.get(at..).unwrap_or("");
        let Some(first @ ('!' | '&')) = rest.chars().next() else {
            return at;
        };
        if value.starts_with(first) {
            return at;
        }
        let token = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let spaces = rest
            .get(token..)
            .unwrap_or("")
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len() - token);
        at += token + spaces;
    }
}

/// How many characters before a piece (spaces and line breaks aside) must read the same in a
/// scalar's value and its source for the piece to be located there (see [`Locator`]).
const CONTEXT: usize = 8;

/// The last [`CONTEXT`] characters of `s` that are not whitespace or a backslash (an escape in
/// the source: `\"` is `"` in the value), last first.
fn tail(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .rev()
        .filter(|c| !c.is_whitespace() && *c != '\\')
        .take(CONTEXT)
}

/// A short location standing for a whole body: its `name` key, else its first key.
pub(crate) fn anchor(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Loc {
    let first_key = cur
        .node
        .as_map()
        .and_then(|m| m.first())
        .and_then(|e| e.key.scalar_text());
    match cur
        .key("name")
        .or_else(|| first_key.and_then(|k| cur.key(k)))
    {
        Some(k) => ctx.loc(&k),
        None => ctx.loc(cur),
    }
}

pub(crate) fn origin(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Origin {
    let project_ref = match ctx.text(cur.get("groupId")) {
        Some(id) => ProjectRef::Id(Box::new(id)),
        None => ProjectRef::Directory,
    };
    Origin {
        body: anchor(ctx, cur),
        project_ref,
        project: None,
    }
}

/// One `regionConfigs[]` element (also the shape of Kubernetes and generated cluster specs).
pub(crate) fn region_config(ctx: &LocCtx<'_>, rc: &Cursor<'_>) -> RegionConfig {
    let mut sizes = Vec::new();
    for (key, role) in [
        ("electableSpecs", SizeRole::Electable),
        ("readOnlySpecs", SizeRole::ReadOnly),
        ("analyticsSpecs", SizeRole::Analytics),
    ] {
        let Some(spec) = rc.node.get(key) else {
            continue;
        };
        // A spec with `nodeCount: 0` deploys no node of that size.
        if spec.get("nodeCount").and_then(|n| n.scalar_text()) == Some("0") {
            continue;
        }
        if let Some(value) = ctx.text(rc.path(&[key, "instanceSize"])) {
            sizes.push(InstanceSize { role, value });
        }
    }
    for key in ["autoScaling", "analyticsAutoScaling"] {
        for (field, role) in [
            ("minInstanceSize", SizeRole::AutoScalingMin),
            ("maxInstanceSize", SizeRole::AutoScalingMax),
        ] {
            if let Some(value) = ctx.text(rc.path(&[key, "compute", field])) {
                sizes.push(InstanceSize { role, value });
            }
        }
    }
    RegionConfig {
        provider: ctx.text(rc.get("providerName")),
        backing_provider: ctx.text(rc.get("backingProviderName")).map(Box::new),
        region: ctx.text(rc.get("regionName")),
        sizes,
    }
}

/// A legacy cluster's regions: its `providerSettings`, then one per key of its `regionsConfig`
/// maps (keyed by region name), with the provider of the settings.
pub(crate) fn legacy_regions<'a>(
    ctx: &LocCtx<'_>,
    settings: Option<&Cursor<'a>>,
    keyed: impl Iterator<Item = Cursor<'a>>,
) -> Vec<RegionConfig> {
    let first = settings
        .map(|s| legacy_provider_settings(ctx, s))
        .unwrap_or_default();
    let mut regions = Vec::new();
    for map in keyed {
        for (key, _) in map.entries() {
            regions.push(RegionConfig {
                provider: first.provider.clone(),
                backing_provider: first.backing_provider.clone(),
                region: ctx.text(Some(key)),
                sizes: Vec::new(),
            });
        }
    }
    regions.insert(0, first);
    regions
}

/// A legacy `providerSettings` (the Admin API's legacy cluster body, the operator 1.x
/// `deploymentSpec`): provider, region, instance size and auto-scaling minimum.
fn legacy_provider_settings(ctx: &LocCtx<'_>, s: &Cursor<'_>) -> RegionConfig {
    let mut first = RegionConfig {
        provider: ctx.text(s.get("providerName")),
        backing_provider: ctx.text(s.get("backingProviderName")).map(Box::new),
        region: ctx.text(s.get("regionName")),
        sizes: Vec::new(),
    };
    if let Some(size) = ctx.text(s.get("instanceSizeName")) {
        first.sizes.push(InstanceSize {
            role: SizeRole::Instance,
            value: size,
        });
    }
    for (key, role) in [
        ("minInstanceSize", SizeRole::AutoScalingMin),
        ("maxInstanceSize", SizeRole::AutoScalingMax),
    ] {
        if let Some(value) = ctx.text(s.path(&["autoScaling", "compute", key])) {
            first.sizes.push(InstanceSize { role, value });
        }
    }
    first
}

/// The settings of an Admin API cluster body (also the operator's `deploymentSpec` and a
/// generated `Cluster`'s entry, which have its shape): what policies read and no rule judges.
pub(crate) fn cluster_settings(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> ClusterSettings {
    let disk = ctx
        .text(body.get("diskSizeGB"))
        .or_else(|| ctx.text(region_disk_size(body)));
    ClusterSettings {
        backup_enabled: ctx
            .text(body.get("backupEnabled"))
            .or_else(|| ctx.text(body.get("providerBackupEnabled"))),
        pit_enabled: ctx.text(body.get("pitEnabled")),
        termination_protection: ctx.text(body.get("terminationProtectionEnabled")),
        disk_size_gb: disk,
        mongodb_version: ctx.text(body.get("mongoDBMajorVersion")),
        tags: tags(ctx, body),
    }
}

/// The first `electableSpecs.diskSizeGB` of the region configs that is a value, found on the
/// nodes (a cursor, with its pointer, is made for that one only).
fn region_disk_size<'a>(body: &Cursor<'a>) -> Option<Cursor<'a>> {
    let specs = body.get("replicationSpecs")?;
    for (i, spec) in specs.node.as_seq()?.iter().enumerate() {
        let Some(configs) = spec.get("regionConfigs").and_then(Node::as_seq) else {
            continue;
        };
        for (j, rc) in configs.iter().enumerate() {
            let disk = rc.get("electableSpecs").and_then(|e| e.get("diskSizeGB"));
            if disk.is_some_and(|d| d.scalar_text().is_some() || d.is_template()) {
                return specs
                    .item(i)?
                    .get("regionConfigs")?
                    .item(j)?
                    .path(&["electableSpecs", "diskSizeGB"]);
            }
        }
    }
    None
}

/// `tags: [{key, value}]` of an Admin API body (a project's, a cluster's; the operator's
/// `deploymentSpec` has the same shape).
pub(crate) fn tags(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> Vec<Tag> {
    body.get("tags")
        .iter()
        .flat_map(|t| t.items())
        .filter_map(|t| {
            Some(Tag {
                key: ctx.text(t.get("key"))?,
                value: ctx.text(t.get("value")),
            })
        })
        .collect()
}

/// The text of an HCL template's source inside its quotes, or of a heredoc between its
/// marker lines: a piece of `source`, so what is found there is located in it.
pub(crate) fn template_body(source: &str) -> &str {
    let trimmed = source.trim();
    if trimmed.starts_with("<<") {
        let start = source.find('\n').map_or(source.len(), |i| i + 1);
        let end = source.trim_end().rfind('\n').unwrap_or(start).max(start);
        return source.get(start..end).unwrap_or("");
    }
    let lead = source.len() - source.trim_start().len();
    let inner = trimmed
        .strip_prefix('"')
        .map(|t| t.strip_suffix('"').unwrap_or(t));
    match inner {
        Some(inner) => source.get(lead + 1..lead + 1 + inner.len()).unwrap_or(""),
        None => source,
    }
}
