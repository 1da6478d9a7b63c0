//! Reading `.atlasgov-lint.yaml` into a [`Config`], with every error at its line and column.

use super::*;

const TOP_KEYS: &[&str] = &[
    "rules",
    "exclude",
    "overrides",
    "default-region-usage",
    "fail-on",
    "unsuppressible",
    "exceptions",
    "policies",
];
const LEVELS: &[&str] = &["off", "warning", "error"];
const REGION_USAGES: &[&str] = &["GOV_REGIONS_ONLY", "COMMERCIAL_FEDRAMP_REGIONS_ONLY"];

/// `did you mean `x`? ` when `word` is close to one of `valid`, else nothing.
fn suggestion(word: &str, valid: &[&str]) -> String {
    rules::suggest::hint(word, valid)
        .map(|h| format!("{h} "))
        .unwrap_or_default()
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
        policies: Vec::new(),
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
            "policies" => config.policies = p.strings(&value),
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

/// The `policies` entries of a config text, as written (nothing else is checked: policies are
/// loaded before the config is read in full, because its rule references may name their
/// codes).
pub fn policies(text: &str) -> Vec<String> {
    let Ok(doc) = document::yaml::parse(text, &Limits::default()) else {
        return Vec::new();
    };
    let Some(root) = doc.roots.first() else {
        return Vec::new();
    };
    let root = Cursor::root(root);
    let Some(list) = root.get("policies") else {
        return Vec::new();
    };
    let mut out: Vec<String> = list
        .items()
        .filter_map(|i| i.text().map(str::to_string))
        .collect();
    if let Some(one) = list.text() {
        out.push(one.to_string());
    }
    out
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
            format!(
                "unknown key `{name}`{at}; {}valid keys: {}",
                suggestion(name, valid),
                valid.join(", ")
            ),
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
                    "`{}`: `{}` is not a valid value; {}valid values: {}",
                    cur.pointer.trim_start_matches('/'),
                    s.value,
                    suggestion(&s.value, valid),
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
                        "unknown rule `{}`; {}",
                        s.value,
                        rules::suggest::unknown_rule_help(&s.value)
                    ),
                );
                self.errors.push(e);
                None
            }
        }
    }

    fn rule_levels(&mut self, cur: &Cursor<'_>) -> Vec<RuleLevel> {
        let mut out: Vec<RuleLevel> = Vec::new();
        // The key that set each rule's level: a rule named twice (by code and by name) with two
        // levels leaves which one holds to the order of the keys.
        let mut named: Vec<(&'static str, String)> = Vec::new();
        if cur.node.as_map().is_none() {
            self.error(
                cur,
                format!(
                    "`{}` must be a mapping of rule code or name to one of: {}",
                    cur.pointer,
                    LEVELS.join(", ")
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
                            "`{}` is not a level for {}; {}valid levels: {}",
                            other.unwrap_or("(not a string)"),
                            rule.code,
                            suggestion(other.unwrap_or(""), LEVELS),
                            LEVELS.join(", ")
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
            if let Some((_, first)) = named.iter().find(|(code, _)| *code == rule.code) {
                let earlier = out.iter().find(|r| r.rule.code == rule.code);
                if earlier.is_some_and(|r| r.level != level) {
                    self.error(
                        &key,
                        format!(
                            "`{}` is {} again, which `{first}` already sets to another level; keep one",
                            name.value,
                            rule.code
                        ),
                    );
                    continue;
                }
            }
            named.push((rule.code, name.value.clone()));
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
