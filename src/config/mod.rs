//! `.atlasgov-lint.yaml`: severities per rule and per path, excluded paths, the region usage
//! assumed for resources whose project is unknown, the failure threshold, and the policy on
//! suppressions (codes that cannot be suppressed, exceptions for files without comments).
//!
//! The file is read with the project's own YAML parser, so every error names the config file's
//! line and column, and lists the valid choices. Nothing here judges specs: the filtering stage
//! ([`crate::filter`]) applies the settings to findings, and the one setting rules consult
//! (`default-region-usage`) reaches them through the model.

use std::path::{Path, PathBuf};

use crate::paths::{display_relative, normalize, relative_to};
use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::date::Date;
use crate::document::{self, Cursor, Limits, LineCol, LineIndex, Span};
use crate::rules::{self, suppression};
use crate::rules::{RuleMeta, Severity};

/// The name of the config file looked for in the current directory and its parents.
pub const FILE_NAME: &str = ".atlasgov-lint.yaml";

const TOP_KEYS: &[&str] = &[
    "rules",
    "exclude",
    "overrides",
    "default-region-usage",
    "fail-on",
    "unsuppressible",
    "exceptions",
];
const LEVELS: &str = "off, warning, error";
const REGION_USAGES: &[&str] = &["GOV_REGIONS_ONLY", "COMMERCIAL_FEDRAMP_REGIONS_ONLY"];

/// A place in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pos {
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    pub pointer: String,
}

/// A config value with the place it was written.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub pos: Pos,
}

/// A rule's level: `None` is `off`.
pub type Level = Option<Severity>;

/// A rule's level as set in the config.
#[derive(Debug, Clone)]
pub struct RuleLevel {
    pub rule: &'static RuleMeta,
    pub level: Level,
}

/// Glob patterns, matched against paths relative to the config file's directory.
///
/// Like `.gitignore`: a pattern without a `/` (other than a trailing one) matches a file or
/// directory name at any depth; a pattern with one is anchored at the config's directory; a
/// pattern that matches a directory matches everything under it. `*` does not cross `/`, `**`
/// does.
#[derive(Debug, Clone)]
pub struct Globs {
    pub patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    fn build(patterns: &[Setting<String>]) -> Result<Globs, (Pos, String)> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            builder.add(compile(&p.value).map_err(|e| (p.pos.clone(), e))?);
        }
        let set = builder.build().map_err(|e| {
            let pos = patterns.first().map(|p| p.pos.clone()).unwrap_or(Pos {
                span: Span::default(),
                start: LineCol::default(),
                end: LineCol::default(),
                pointer: String::new(),
            });
            (pos, e.to_string())
        })?;
        Ok(Globs {
            patterns: patterns.iter().map(|p| p.value.clone()).collect(),
            set,
        })
    }

    /// Whether `rel` (a `/`-separated relative path) or one of its parent directories matches.
    pub fn matches(&self, rel: &str) -> bool {
        let mut path = rel;
        loop {
            if self.set.is_match(path) {
                return true;
            }
            match path.rfind('/') {
                Some(i) => path = path.get(..i).unwrap_or(""),
                None => return false,
            }
        }
    }
}

fn compile(pattern: &str) -> Result<Glob, String> {
    let trimmed = pattern.trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(format!("`{pattern}` is not a usable glob pattern"));
    }
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    let full = if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    GlobBuilder::new(&full)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))
}

/// `overrides` entry: levels for the files matching `files`.
#[derive(Debug, Clone)]
pub struct Override {
    pub files: Globs,
    pub rules: Vec<RuleLevel>,
}

/// `exceptions` entry: a suppression for files that cannot carry comments (JSON).
#[derive(Debug, Clone)]
pub struct Exception {
    pub file: Globs,
    /// RFC 6901 pointer; the exception covers the value there and everything under it.
    pub pointer: String,
    pub rule: &'static RuleMeta,
    /// Where the exception names its rule (reported when it is unused).
    pub rule_pos: Pos,
    /// The exception as a whole (its first key).
    pub pos: Pos,
    pub reason: Option<String>,
    pub until: Option<Setting<Date>>,
}

/// A loaded config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The path as shown in messages (relative to the current directory when under it).
    pub path: PathBuf,
    /// Absolute directory that glob patterns are relative to.
    pub dir: PathBuf,
    pub text: Arc<str>,
    pub rules: Vec<RuleLevel>,
    pub exclude: Option<Globs>,
    pub overrides: Vec<Override>,
    /// The region usage assumed for resources whose project is unknown.
    pub default_region_usage: Option<Setting<String>>,
    pub fail_on: Option<Severity>,
    pub unsuppressible: Vec<&'static RuleMeta>,
    pub exceptions: Vec<Exception>,
}

/// A problem with the config file, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

impl Config {
    /// Whether a file is excluded from checking.
    pub fn is_excluded(&self, cwd: &Path, path: &Path) -> bool {
        match (&self.exclude, relative_to(&self.dir, cwd, path)) {
            (Some(globs), Some(rel)) => globs.matches(&rel),
            _ => false,
        }
    }

    /// Whether `path` is this config file.
    pub fn is_file(&self, cwd: &Path, path: &Path) -> bool {
        normalize(&cwd.join(path)) == normalize(&cwd.join(&self.path))
    }

    /// The path of a file relative to the config's directory (`None` when outside it).
    pub fn relative(&self, cwd: &Path, path: &Path) -> Option<String> {
        relative_to(&self.dir, cwd, path)
    }
}

/// Find the config file: `.atlasgov-lint.yaml` in `start` or the nearest parent, stopping at
/// the repository root (a directory holding `.git`).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Read and validate a config file. `cwd` is the current directory (for relative paths).
pub fn load(path: &Path, cwd: &Path) -> Result<Config, Vec<ConfigError>> {
    let shown = display_relative(cwd, path);
    let err = |message: String| {
        vec![ConfigError {
            path: shown.clone(),
            line: 0,
            column: 0,
            message,
        }]
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let text = crate::source::decode(bytes).map_err(err)?;
    let abs = normalize(&cwd.join(path));
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, PathBuf::from(&shown), dir)
}

/// Parse config text. `path` is for messages, `dir` the absolute directory globs are
/// relative to.
pub fn parse(text: &str, path: PathBuf, dir: PathBuf) -> Result<Config, Vec<ConfigError>> {
    let index = LineIndex::new(text);
    let mut p = Parser {
        text,
        index: &index,
        path: crate::paths::display_path(&path),
        errors: Vec::new(),
    };
    let mut config = Config {
        path,
        dir,
        text: Arc::from(text),
        rules: Vec::new(),
        exclude: None,
        overrides: Vec::new(),
        default_region_usage: None,
        fail_on: None,
        unsuppressible: Vec::new(),
        exceptions: Vec::new(),
    };
    let doc = match document::yaml::parse(text, &Limits::default()) {
        Ok(doc) => doc,
        Err(e) => {
            p.error_at(e.span, format!("not valid YAML: {}", e.message));
            return Err(p.errors);
        }
    };
    for w in &doc.warnings {
        p.error_at(w.span, w.message.clone());
    }
    let root = match doc.roots.as_slice() {
        [] => return finish(p, config),
        [root] => root,
        [_, second, ..] => {
            p.error_at(
                second.span,
                "the config file must hold one YAML document".into(),
            );
            return Err(p.errors);
        }
    };
    if matches!(root.value, document::Value::Null) {
        return finish(p, config);
    }
    let root = Cursor::root(root);
    if root.node.as_map().is_none() {
        p.error(
            &root,
            "the config file must be a mapping of settings".into(),
        );
        return Err(p.errors);
    }
    for (key, value) in root.entries() {
        let name = key.text().unwrap_or("");
        match name {
            "rules" => config.rules = p.rule_levels(&value),
            "exclude" => {
                let globs = p.strings(&value);
                config.exclude = p.globs(&value, &globs);
            }
            "overrides" => {
                for item in p.seq(&value) {
                    if let Some(o) = p.override_entry(&item) {
                        config.overrides.push(o);
                    }
                }
            }
            "default-region-usage" => {
                if let Some(v) = p.choice(&value, REGION_USAGES) {
                    config.default_region_usage = Some(v);
                }
            }
            "fail-on" => {
                config.fail_on = p.choice(&value, &["error", "warning"]).map(|s| {
                    if s.value == "warning" {
                        Severity::Warning
                    } else {
                        Severity::Error
                    }
                });
            }
            "unsuppressible" => {
                for s in p.strings(&value) {
                    if let Some(rule) = p.rule(&s) {
                        config.unsuppressible.push(rule);
                    }
                }
            }
            "exceptions" => {
                let items: Vec<Cursor<'_>> = p.seq(&value);
                for item in items {
                    if let Some(e) = p.exception(&item) {
                        config.exceptions.push(e);
                    }
                }
            }
            _ => p.unknown_key(&key, name, TOP_KEYS),
        }
    }
    // Exceptions that the same file forbids.
    for e in &config.exceptions {
        if config.unsuppressible.iter().any(|r| r.code == e.rule.code) {
            p.errors.push(p.err_pos(
                &e.rule_pos,
                format!(
                    "{} is listed under `unsuppressible`, so no exception may suppress it",
                    e.rule.code
                ),
            ));
        }
    }
    finish(p, config)
}

fn finish(p: Parser<'_>, config: Config) -> Result<Config, Vec<ConfigError>> {
    if p.errors.is_empty() {
        Ok(config)
    } else {
        let mut errors = p.errors;
        errors.sort_by_key(|e| (e.line, e.column));
        errors.dedup();
        Err(errors)
    }
}

struct Parser<'a> {
    text: &'a str,
    index: &'a LineIndex,
    path: String,
    errors: Vec<ConfigError>,
}

impl Parser<'_> {
    fn pos(&self, cur: &Cursor<'_>) -> Pos {
        let span = cur.node.span;
        Pos {
            span,
            start: self.index.line_col(self.text, span.start),
            end: self.index.line_col(self.text, span.end),
            pointer: cur.pointer.clone(),
        }
    }

    fn err_pos(&self, pos: &Pos, message: String) -> ConfigError {
        ConfigError {
            path: self.path.clone(),
            line: pos.start.line,
            column: pos.start.column,
            message,
        }
    }

    fn error(&mut self, cur: &Cursor<'_>, message: String) {
        let e = self.err_pos(&self.pos(cur), message);
        self.errors.push(e);
    }

    fn error_at(&mut self, span: Span, message: String) {
        let start = self.index.line_col(self.text, span.start);
        self.errors.push(ConfigError {
            path: self.path.clone(),
            line: start.line,
            column: start.column,
            message,
        });
    }

    fn unknown_key(&mut self, key: &Cursor<'_>, name: &str, valid: &[&str]) {
        let at = if key.pointer.rsplit('/').count() > 2 {
            format!(" in `{}`", parent_pointer(&key.pointer))
        } else {
            String::new()
        };
        self.error(
            key,
            format!("unknown key `{name}`{at}; valid keys: {}", valid.join(", ")),
        );
    }

    fn string(&mut self, cur: &Cursor<'_>) -> Option<Setting<String>> {
        match cur.node.scalar_text() {
            Some(s) => Some(Setting {
                value: s.to_string(),
                pos: self.pos(cur),
            }),
            None => {
                self.error(cur, format!("`{}` must be a string", cur.pointer));
                None
            }
        }
    }

    fn seq<'c>(&mut self, cur: &Cursor<'c>) -> Vec<Cursor<'c>> {
        if cur.node.as_seq().is_none() {
            self.error(cur, format!("`{}` must be a list", cur.pointer));
            return Vec::new();
        }
        cur.items().collect()
    }

    fn strings(&mut self, cur: &Cursor<'_>) -> Vec<Setting<String>> {
        let items = self.seq(cur);
        items.iter().filter_map(|i| self.string(i)).collect()
    }

    fn globs(&mut self, cur: &Cursor<'_>, patterns: &[Setting<String>]) -> Option<Globs> {
        match Globs::build(patterns) {
            Ok(g) => Some(g),
            Err((pos, message)) => {
                let e = self.err_pos(&pos, message);
                self.errors.push(e);
                let _ = cur;
                None
            }
        }
    }

    fn choice(&mut self, cur: &Cursor<'_>, valid: &[&str]) -> Option<Setting<String>> {
        let s = self.string(cur)?;
        if valid.contains(&s.value.as_str()) {
            Some(s)
        } else {
            self.error(
                cur,
                format!(
                    "`{}`: `{}` is not a valid value; valid values: {}",
                    cur.pointer.trim_start_matches('/'),
                    s.value,
                    valid.join(", ")
                ),
            );
            None
        }
    }

    fn rule(&mut self, s: &Setting<String>) -> Option<&'static RuleMeta> {
        match rules::find(&s.value) {
            Some(r) => Some(&r.meta),
            None => {
                let e = self.err_pos(
                    &s.pos,
                    format!(
                        "unknown rule `{}`; `atlasgov-lint rules` lists the codes and names",
                        s.value
                    ),
                );
                self.errors.push(e);
                None
            }
        }
    }

    fn rule_levels(&mut self, cur: &Cursor<'_>) -> Vec<RuleLevel> {
        let mut out = Vec::new();
        if cur.node.as_map().is_none() {
            self.error(
                cur,
                format!(
                    "`{}` must be a mapping of rule code or name to one of: {LEVELS}",
                    cur.pointer
                ),
            );
            return out;
        }
        for (key, value) in cur.entries() {
            let Some(name) = self.string(&key) else {
                continue;
            };
            let Some(rule) = self.rule(&name) else {
                continue;
            };
            let level = match value.node.scalar_text() {
                Some("off") => None,
                Some("warning") => Some(Severity::Warning),
                Some("error") => Some(Severity::Error),
                other => {
                    self.error(
                        &value,
                        format!(
                            "`{}` is not a level for {}; valid levels: {LEVELS}",
                            other.unwrap_or("(not a string)"),
                            rule.code
                        ),
                    );
                    continue;
                }
            };
            if level.is_none() && rule.code == crate::rules::INVALID_SPEC.meta.code {
                self.error(
                    &value,
                    format!(
                        "{} cannot be turned off: a file that does not parse was not checked at all",
                        rule.code
                    ),
                );
                continue;
            }
            out.push(RuleLevel { rule, level });
        }
        out
    }

    fn override_entry(&mut self, cur: &Cursor<'_>) -> Option<Override> {
        if cur.node.as_map().is_none() {
            self.error(
                cur,
                "each override must be a mapping with `files` and `rules`".into(),
            );
            return None;
        }
        let mut files = None;
        let mut rules = None;
        for (key, value) in cur.entries() {
            match key.text().unwrap_or("") {
                "files" => {
                    let patterns = self.strings(&value);
                    files = self.globs(&value, &patterns);
                }
                "rules" => rules = Some(self.rule_levels(&value)),
                other => self.unknown_key(&key, other, &["files", "rules"]),
            }
        }
        if cur.get("files").is_none() {
            self.error(cur, "this override has no `files` list".into());
        }
        if cur.get("rules").is_none() {
            self.error(cur, "this override has no `rules` mapping".into());
        }
        Some(Override {
            files: files?,
            rules: rules?,
        })
    }

    fn exception(&mut self, cur: &Cursor<'_>) -> Option<Exception> {
        const KEYS: &[&str] = &["file", "pointer", "rule", "reason", "until"];
        if cur.node.as_map().is_none() {
            self.error(
                cur,
                format!(
                    "each exception must be a mapping with keys {}",
                    KEYS.join(", ")
                ),
            );
            return None;
        }
        let mut ok = true;
        for (key, _) in cur.entries() {
            let name = key.text().unwrap_or("");
            if !KEYS.contains(&name) {
                self.unknown_key(&key, name, KEYS);
                ok = false;
            }
        }
        let required = |p: &mut Self, key: &str| -> Option<Setting<String>> {
            match cur.get(key) {
                Some(v) => p.string(&v),
                None => {
                    p.error(cur, format!("this exception has no `{key}`"));
                    None
                }
            }
        };
        let file = required(self, "file");
        let pointer = required(self, "pointer");
        let rule_s = required(self, "rule");
        let file = file.and_then(|f| self.globs(cur, std::slice::from_ref(&f)));
        if let Some(p) = &pointer {
            if !(p.value.is_empty() || p.value.starts_with('/')) {
                let e = self.err_pos(
                    &p.pos,
                    format!(
                        "`{}` is not a JSON pointer: it must be empty or start with `/` (e.g. /replicationSpecs/0/regionConfigs/1/regionName)",
                        p.value
                    ),
                );
                self.errors.push(e);
                ok = false;
            }
        }
        let rule = rule_s.as_ref().and_then(|r| self.rule(r));
        if let (Some(rule), Some(r)) = (rule, &rule_s) {
            if let Some(why) = suppression::unsuppressible_reason(rule) {
                let e = self.err_pos(&r.pos, format!("{} cannot be suppressed: {why}", rule.code));
                self.errors.push(e);
                ok = false;
            }
        }
        let reason = match cur.get("reason") {
            Some(v) => self
                .string(&v)
                .map(|s| s.value.trim().to_string())
                .filter(|s| !s.is_empty()),
            None => None,
        };
        let until = match cur.get("until") {
            Some(v) => {
                let s = self.string(&v)?;
                match Date::parse(s.value.trim()) {
                    Some(d) => Some(Setting {
                        value: d,
                        pos: s.pos,
                    }),
                    None => {
                        self.error(
                            &v,
                            format!(
                                "`{}` is not a date; write it as YYYY-MM-DD (e.g. 2027-03-31)",
                                s.value
                            ),
                        );
                        return None;
                    }
                }
            }
            None => None,
        };
        let first_key = cur
            .node
            .as_map()
            .and_then(|m| m.first())
            .and_then(|e| e.key.scalar_text())
            .and_then(|k| cur.key(k));
        let pos = self.pos(first_key.as_ref().unwrap_or(cur));
        if !ok {
            return None;
        }
        Some(Exception {
            file: file?,
            pointer: pointer?.value,
            rule: rule?,
            rule_pos: rule_s?.pos,
            pos,
            reason,
            until,
        })
    }
}

fn parent_pointer(pointer: &str) -> &str {
    pointer.rsplit_once('/').map_or("", |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Result<Config, Vec<ConfigError>> {
        parse(text, PathBuf::from("c.yaml"), PathBuf::from("/repo"))
    }

    fn errors(text: &str) -> Vec<String> {
        match cfg(text) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn globs_work_like_gitignore() {
        let pats = |ps: &[&str]| {
            let settings: Vec<Setting<String>> = ps
                .iter()
                .map(|p| Setting {
                    value: (*p).to_string(),
                    pos: Pos {
                        span: Span::default(),
                        start: LineCol::default(),
                        end: LineCol::default(),
                        pointer: String::new(),
                    },
                })
                .collect();
            Globs::build(&settings).unwrap_or_else(|(_, e)| panic!("{e}"))
        };
        let g = pats(&["vendor", "legacy/*.json", "/top.yaml"]);
        assert!(g.matches("vendor/a.json"));
        assert!(g.matches("x/vendor/b/c.yaml"));
        assert!(g.matches("legacy/a.json"));
        assert!(!g.matches("legacy/sub/a.json"));
        assert!(!g.matches("x/legacy/a.json"));
        assert!(g.matches("top.yaml"));
        assert!(!g.matches("x/top.yaml"));
        let g = pats(&["legacy/**"]);
        assert!(g.matches("legacy/sub/a.json"));
        let g = pats(&["*.json"]);
        assert!(g.matches("a/b/c.json"));
    }

    #[test]
    fn reads_every_key() {
        let c = cfg("rules:\n  GOV005: error\n  tier-below-m20: off\nexclude: [vendor]\noverrides:\n  - files: [legacy/**]\n    rules: {GOV004: warning}\ndefault-region-usage: GOV_REGIONS_ONLY\nfail-on: warning\nunsuppressible: [GOV001]\nexceptions:\n  - file: a.json\n    pointer: /regionName\n    rule: GOV003\n    reason: approved\n    until: 2027-03-31\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.rules.len(), 2);
        assert_eq!(
            c.rules.first().map(|r| r.level),
            Some(Some(Severity::Error))
        );
        assert_eq!(c.rules.get(1).map(|r| r.level), Some(None));
        assert_eq!(c.overrides.len(), 1);
        assert_eq!(
            c.default_region_usage.as_ref().map(|d| d.value.as_str()),
            Some("GOV_REGIONS_ONLY")
        );
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(c.unsuppressible.len(), 1);
        let e = c.exceptions.first().unwrap_or_else(|| panic!("exception"));
        assert_eq!(e.rule.code, "GOV003");
        assert_eq!(
            e.until.as_ref().map(|u| u.value.to_string()).as_deref(),
            Some("2027-03-31")
        );
        assert_eq!(e.rule_pos.start.line, 14);
    }

    #[test]
    fn errors_name_the_line_and_the_choices() {
        assert_eq!(
            errors("rules:\n  GOV004: warn\n"),
            ["c.yaml:2:11: `warn` is not a level for GOV004; valid levels: off, warning, error"]
        );
        assert_eq!(
            errors("fail-on: never\n"),
            ["c.yaml:1:10: `fail-on`: `never` is not a valid value; valid values: error, warning"]
        );
        let e = errors("rulez: {}\n");
        assert!(
            e.first()
                .is_some_and(|e| e
                    .starts_with("c.yaml:1:1: unknown key `rulez`; valid keys: rules, exclude")),
            "{e:?}"
        );
        let e = errors("rules: {GOV999: error}\n");
        assert!(
            e.first()
                .is_some_and(|e| e.contains("1:9: unknown rule `GOV999`")),
            "{e:?}"
        );
        let e = errors("rules: {GOV000: off}\n");
        assert!(
            e.first()
                .is_some_and(|e| e.contains("cannot be turned off")),
            "{e:?}"
        );
        let e = errors(
            "exceptions:\n  - file: a.json\n    rule: GOV000\n    pointer: x\n    bogus: 1\n",
        );
        assert_eq!(e.len(), 3, "{e:?}");
        let e = errors("exclude: ['a[']\n");
        assert!(
            e.first().is_some_and(|e| e.contains("not a valid glob")),
            "{e:?}"
        );
        let e = errors("rules: [\n");
        assert!(
            e.first().is_some_and(|e| e.contains("not valid YAML")),
            "{e:?}"
        );
        assert!(errors("").is_empty());
        assert!(errors("# only a comment\n").is_empty());
    }

    #[test]
    fn relative_paths() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(
            relative_to(Path::new("/repo"), cwd, Path::new("x/../y.json")).as_deref(),
            Some("sub/y.json")
        );
        assert_eq!(
            relative_to(Path::new("/repo"), cwd, Path::new("/other/y.json")),
            None
        );
        assert_eq!(
            display_relative(cwd, Path::new("/repo/.atlasgov-lint.yaml")),
            "../.atlasgov-lint.yaml"
        );
    }
}
