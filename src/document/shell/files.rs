//! Where the shell text is in a Makefile and in a Dockerfile.
//!
//! - **Makefile**: the recipe lines of rules (a line that starts with a tab after a rule
//!   line, continued lines included), without the tab and the `@`, `-`, `+` prefixes; a
//!   rule's inline recipe (`target: ; command`). `define ... endef` bodies are not recipes.
//!   Also its rules and the variables it exports to recipes ([`makefile`]).
//! - **Dockerfile**: the shell form of `RUN` (after its `--flag`s; the exec form `RUN [...]`
//!   is no shell text), the body of a here-document that is the whole `RUN` (`RUN <<EOF`),
//!   and `ENV` and `ARG` instructions, read as commands (`ENV NAME=value`). A Dockerfile whose
//!   escape character is a backtick (`# escape=``) is a Windows one, whose `RUN` lines are not
//!   POSIX shell: nothing is read from it. Also its build stages ([`dockerfile`]).

use super::Dialect;

/// Shell text at `[start, end)` of a file, and how it reaches the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub start: usize,
    pub end: usize,
    pub dialect: Dialect,
}

/// The physical lines of `text`: `(start, end without the newline)`.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let s = start;
        start += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        (s, s + body.len())
    })
}

/// Whether a Makefile line ends with an odd number of backslashes (it continues on the next).
fn continues(line: &[u8]) -> bool {
    line.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Whether a Dockerfile line continues on the next: its escape character at its end, blanks
/// after it allowed (Docker's parser trims them).
fn docker_continues(line: &[u8], escape: u8) -> bool {
    let trimmed = line.trim_ascii_end();
    trimmed.iter().rev().take_while(|&&b| b == escape).count() % 2 == 1
}

/// The length of the blanks that start `rest` (part of an instruction): white space, line
/// continuations (`escape` at the end of a line) and the blank and comment lines after them,
/// which Docker drops from the instruction.
fn gap(rest: &str, escape: u8) -> usize {
    let b = rest.as_bytes();
    let spaces = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\r')) {
            i += 1;
        }
        i
    };
    // Whether `i` starts a line of its own (after a line break and white space).
    let mut line_start = false;
    let mut i = 0;
    loop {
        i = spaces(i);
        match b.get(i) {
            Some(b'\n') => {
                i += 1;
                line_start = true;
            }
            Some(b'#') if line_start => match memchr::memchr(b'\n', b.get(i..).unwrap_or(&[])) {
                Some(n) => i += n + 1,
                None => return b.len(),
            },
            Some(&c) if c == escape && b.get(spaces(i + 1)) == Some(&b'\n') => {
                i = spaces(i + 1) + 1;
                line_start = true;
            }
            _ => return i,
        }
    }
}

/// The recipes of a Makefile.
pub fn make_recipes(text: &str) -> Vec<Piece> {
    makefile(text).recipes
}

/// What a Makefile gives the shells of its recipes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Makefile {
    /// The recipe lines (see the module's documentation), in file order.
    pub recipes: Vec<Piece>,
    /// Its rules, in file order: which recipe lines each has.
    pub rules: Vec<MakeRule>,
    /// The variables exported to the recipes' environment, each at its last value (as make
    /// reads the whole file before running a recipe; each branch's, where conditionals set
    /// it, since they are not evaluated): set with `=`, `:=`, `::=` or `:::=`
    /// (`?=` when not set before; not `+=` on a value, nor `!=`, a command's output; not a
    /// value that expands another variable), and exported on its line (`export NAME :=
    /// value`), by an `export NAME` line, or by a bare `export` or an `.EXPORT_ALL_VARIABLES:`
    /// target; the last `export`/`unexport` line about a name decides. Also those set for some
    /// targets only (`list: export NAME = value`).
    pub exports: Vec<MakeExport>,
    /// `.ONESHELL:`: all the lines of a recipe run in one shell, not each in its own.
    pub one_shell: bool,
}

/// A variable a Makefile exports (see [`Makefile::exports`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeExport {
    pub name: String,
    /// Where its value is written: `(start, end)` in the file.
    pub value: (usize, usize),
    /// The targets it is set for (`list: export NAME = value`); empty: every recipe.
    pub targets: Vec<String>,
}

/// A rule of a Makefile: its targets, prerequisites, and recipe lines (by index in
/// [`Makefile::recipes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MakeRule {
    pub targets: Vec<String>,
    pub prerequisites: Vec<String>,
    pub recipes: Vec<usize>,
}

impl Makefile {
    /// The recipe lines that run when `targets` are made: theirs and their prerequisites'
    /// (which see the targets' own variables too), by index in [`Makefile::recipes`].
    pub fn recipes_of(&self, targets: &[String]) -> Vec<usize> {
        let mut wanted: Vec<&str> = targets.iter().map(String::as_str).collect();
        let mut seen: Vec<&str> = Vec::new();
        let mut found = Vec::new();
        while let Some(target) = wanted.pop() {
            if seen.contains(&target) {
                continue;
            }
            seen.push(target);
            for rule in self
                .rules
                .iter()
                .filter(|r| r.targets.iter().any(|t| t == target))
            {
                found.extend(rule.recipes.iter().copied());
                wanted.extend(rule.prerequisites.iter().map(String::as_str));
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// A variable's value as a Makefile line sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MakeValue {
    /// Written out: `(start, end)` in the line.
    Literal(usize, usize),
    /// Empty, or not known here (another variable's value, a command's output).
    Other,
}

/// A variable assignment of a Makefile line: what its line says of exporting it (`export`,
/// `unexport`, nothing), its name, operator and value; or the names an `export`/`unexport`
/// line with no value names (none: all variables).
enum MakeLine<'a> {
    Assignment {
        export: Option<bool>,
        name: &'a str,
        op: &'static str,
        value: MakeValue,
    },
    Export {
        export: bool,
        names: Vec<&'a str>,
    },
}

/// A Makefile's variable assignment (or `export` directive) in `line`, after any targets.
fn make_assignment(line: &str) -> Option<MakeLine<'_>> {
    let mut rest = line.trim_start();
    let mut export = None;
    loop {
        let word = rest.split_whitespace().next().unwrap_or("");
        match word {
            "override" | "private" => {}
            "export" => export = Some(true),
            "unexport" => export = Some(false),
            _ => break,
        }
        rest = rest.get(word.len()..).unwrap_or("").trim_start();
    }
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let name_len = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
    let (name, after) = rest.split_at(name_len);
    let after_name = after.trim_start();
    let op = [":::=", "::=", ":=", "?=", "+=", "!=", "="]
        .into_iter()
        .find(|op| after_name.starts_with(op));
    let Some(op) = op else {
        // `export NAME OTHER`, or a bare `export`: no value.
        let names: Vec<&str> = rest
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        return match export {
            Some(export) if names.iter().all(|w| w.chars().all(is_name)) => {
                Some(MakeLine::Export { export, names })
            }
            _ => None,
        };
    };
    if name.is_empty() {
        return None;
    }
    let value_part = after_name.get(op.len()..).unwrap_or("");
    // Blanks and line continuations before the value are not part of it.
    let lead = value_part.len()
        - value_part
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\\')
            .len();
    let value = value_part.get(lead..).unwrap_or("");
    // A comment ends the value; blanks before it are not part of it.
    let value = value.split('#').next().unwrap_or("").trim_end();
    let at = line.len() - value_part.len() + lead;
    let value = if value.is_empty() || value.contains('$') || op == "!=" {
        MakeValue::Other
    } else {
        MakeValue::Literal(at, at + value.len())
    };
    Some(MakeLine::Assignment {
        export,
        name,
        op,
        value,
    })
}

/// A Makefile's variables and `export` directives, read in file order.
#[derive(Default)]
struct MakeVariables<'a> {
    /// Each variable set for every recipe, in the order first set: its values so far (with
    /// spans in the file: one, or one per branch of conditionals, which are not evaluated)
    /// and the last `export`/`unexport` about it.
    globals: Vec<(&'a str, Vec<MakeValue>, Option<bool>)>,
    /// Those set for some targets (by the rule line's targets): the last for each.
    targeted: Vec<(Vec<String>, &'a str, MakeValue, Option<bool>)>,
    /// The last bare `export` (true) or `unexport` (false).
    export_all: bool,
    /// An `.EXPORT_ALL_VARIABLES:` target (a bare `unexport` does not undo it).
    export_all_target: bool,
}

impl<'a> MakeVariables<'a> {
    /// The entry of a variable set for every recipe, added when new.
    fn global(&mut self, name: &'a str) -> Option<&mut (&'a str, Vec<MakeValue>, Option<bool>)> {
        let at = match self.globals.iter().position(|g| g.0 == name) {
            Some(at) => at,
            None => {
                self.globals.push((name, Vec::new(), None));
                self.globals.len() - 1
            }
        };
        self.globals.get_mut(at)
    }

    /// Reads a line of variables (not a rule), at `offset` in the file; `conditional` when
    /// it is inside `ifeq`/`ifdef` (a value it sets is one more the variable may have).
    fn read(&mut self, line: &'a str, offset: usize, conditional: bool) {
        let at = |v: MakeValue| match v {
            MakeValue::Literal(s, e) => MakeValue::Literal(offset + s, offset + e),
            MakeValue::Other => MakeValue::Other,
        };
        match make_assignment(line) {
            Some(MakeLine::Assignment {
                export,
                name,
                op,
                value,
            }) => {
                let Some(var) = self.global(name) else {
                    return;
                };
                let value = at(value);
                match op {
                    // Set only when not set before.
                    "?=" if !var.1.is_empty() => {}
                    // Appended to a value: not the value written.
                    "+=" if !var.1.is_empty() => var.1 = vec![MakeValue::Other],
                    _ if conditional => var.1.push(value),
                    _ => var.1 = vec![value],
                }
                if export.is_some() {
                    var.2 = export;
                }
            }
            Some(MakeLine::Export { export, names }) if names.is_empty() => {
                self.export_all = export;
            }
            Some(MakeLine::Export { export, names }) => {
                for name in names {
                    if let Some(var) = self.global(name) {
                        var.2 = Some(export);
                    }
                }
            }
            None => {}
        }
    }

    /// Reads what follows a rule line's colon: a variable set for `targets` only
    /// (`list: export NAME = value`), if it is one.
    fn read_targeted(
        &mut self,
        targets: &[String],
        rest: &'a str,
        offset: usize,
        conditional: bool,
    ) {
        if let Some(MakeLine::Assignment {
            export,
            name,
            op,
            value,
        }) = make_assignment(rest)
        {
            let value = match (op, value) {
                ("+=", _) => MakeValue::Other,
                (_, MakeValue::Literal(s, e)) => MakeValue::Literal(offset + s, offset + e),
                (_, MakeValue::Other) => MakeValue::Other,
            };
            if !conditional {
                self.targeted
                    .retain(|(t, n, _, _)| !(t.as_slice() == targets && *n == name));
            }
            self.targeted.push((targets.to_vec(), name, value, export));
        }
    }

    /// The variables exported, at their last values (see [`Makefile::exports`]).
    fn exported(self) -> Vec<MakeExport> {
        let all = self.export_all || self.export_all_target;
        let exported = |name: &str| {
            self.globals
                .iter()
                .find(|g| g.0 == name)
                .and_then(|g| g.2)
                .unwrap_or(all)
        };
        let literal = |name: &str, value: &MakeValue, targets: &[String]| match value {
            MakeValue::Literal(s, e) => Some(MakeExport {
                name: name.to_string(),
                value: (*s, *e),
                targets: targets.to_vec(),
            }),
            MakeValue::Other => None,
        };
        let globals = self
            .globals
            .iter()
            .filter(|g| exported(g.0))
            .flat_map(|g| g.1.iter().filter_map(|v| literal(g.0, v, &[])));
        let targeted = self
            .targeted
            .iter()
            .filter(|(_, name, _, export)| export.unwrap_or_else(|| exported(name)))
            .filter_map(|(targets, name, value, _)| literal(name, value, targets));
        globals.chain(targeted).collect()
    }
}

/// The recipes, exported variables and `.ONESHELL` of a Makefile (see [`Makefile`]).
pub fn makefile(text: &str) -> Makefile {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut rules: Vec<MakeRule> = Vec::new();
    let mut vars = MakeVariables::default();
    let mut one_shell = false;
    // How many `ifeq`/`ifdef` blocks hold the line.
    let mut conditionals = 0usize;
    let mut in_rule = false;
    let mut defines = 0usize;
    let mut all = lines(text).peekable();
    // A recipe line of the rule read last.
    let recipe = |pieces: &mut Vec<Piece>, rules: &mut Vec<MakeRule>, start: usize, end: usize| {
        let skip = text
            .get(start..end)
            .unwrap_or("")
            .bytes()
            .take_while(|b| matches!(b, b'@' | b'-' | b'+' | b' ' | b'\t'))
            .count();
        if let Some(rule) = rules.last_mut() {
            rule.recipes.push(pieces.len());
        }
        pieces.push(Piece {
            start: start + skip,
            end,
            dialect: Dialect::Make,
        });
    };
    while let Some((start, mut end)) = all.next() {
        // A logical line: continued physical lines joined.
        while continues(bytes.get(start..end).unwrap_or(&[])) {
            match all.next() {
                Some((_, e)) => end = e,
                None => break,
            }
        }
        let line = text.get(start..end).unwrap_or("");
        let word = line.split_whitespace().next().unwrap_or("");
        if defines > 0 {
            if word == "endef" {
                defines -= 1;
            } else if !line.starts_with('\t') && opens_define(line) {
                defines += 1;
            }
            continue;
        }
        if line.starts_with('\t') && in_rule {
            recipe(&mut pieces, &mut rules, start + 1, end);
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match word {
            "ifeq" | "ifneq" | "ifdef" | "ifndef" => {
                conditionals += 1;
                continue;
            }
            "endif" => {
                conditionals = conditionals.saturating_sub(1);
                continue;
            }
            "else" => continue,
            _ => {}
        }
        if opens_define(line) {
            defines = 1;
            in_rule = false;
            continue;
        }
        // A line with a tab first outside a rule is make's, as any other.
        if line.starts_with('\t') {
            vars.read(line, start, conditionals > 0);
            continue;
        }
        match rule_colon(line) {
            Some(colon) => {
                let targets: Vec<String> = line
                    .get(..colon)
                    .unwrap_or("")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                for target in &targets {
                    one_shell |= target == ".ONESHELL";
                    vars.export_all_target |= target == ".EXPORT_ALL_VARIABLES";
                }
                in_rule = true;
                // `targets:: ...`: a double-colon rule.
                let after_at = colon
                    + 1
                    + usize::from(line.get(colon + 1..).is_some_and(|a| a.starts_with(':')));
                let after = line.get(after_at..).unwrap_or("");
                let (prerequisites, inline) = match after.find(';') {
                    Some(semi) => (after.get(..semi).unwrap_or(""), Some(after_at + semi + 1)),
                    None => (after, None),
                };
                // A variable set for these targets (`targets: export NAME = value`) is no rule
                // of its own.
                if inline.is_none() && prerequisites.contains('=') {
                    vars.read_targeted(&targets, prerequisites, start + after_at, conditionals > 0);
                    continue;
                }
                rules.push(MakeRule {
                    targets,
                    prerequisites: prerequisites
                        .split('#')
                        .next()
                        .unwrap_or("")
                        .split_whitespace()
                        .filter(|p| *p != "|")
                        .map(str::to_string)
                        .collect(),
                    recipes: Vec::new(),
                });
                // `target: prerequisites ; recipe`
                if let Some(inline) = inline {
                    recipe(&mut pieces, &mut rules, start + inline, end);
                }
            }
            None => {
                in_rule = false;
                vars.read(line, start, conditionals > 0);
            }
        }
    }
    Makefile {
        recipes: pieces,
        rules,
        exports: vars.exported(),
        one_shell,
    }
}

/// Whether a Makefile line opens a `define` block (`define NAME`, also after `override`,
/// `export` or `private`).
fn opens_define(line: &str) -> bool {
    line.split_whitespace()
        .find(|w| !matches!(*w, "override" | "export" | "private"))
        == Some("define")
}

/// The offset of the colon that makes `line` a rule (`targets: prerequisites`), if it is one
/// rather than a variable assignment (`X = a:b`, `X := y`, `X ::= y`).
fn rule_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'=' if depth == 0 => return None,
            b':' if depth == 0 => {
                let rest = bytes.get(i + 1..).unwrap_or(&[]);
                let assignment =
                    rest.starts_with(b"=") || rest.starts_with(b":=") || rest.starts_with(b"::=");
                return (!assignment).then_some(i);
            }
            _ => {}
        }
    }
    None
}

/// The shell text and the `ENV`/`ARG` instructions of a Dockerfile.
pub fn docker_instructions(text: &str) -> Vec<Piece> {
    dockerfile(text).instructions
}

/// What a Dockerfile gives the shells of its instructions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// Its shell text and `ENV`/`ARG` instructions (see the module's documentation).
    pub instructions: Vec<Piece>,
    /// Its build stages, in order.
    pub stages: Vec<DockerStage>,
    /// Where its `ARG` instructions start (before the first `FROM` too; not `ONBUILD ARG`).
    pub args: Vec<usize>,
}

impl Dockerfile {
    /// Where the `ENV` instructions whose settings are in the image it builds start: those of
    /// its last stage and of the stages that one is built `FROM`, by name (a build stage's
    /// `ENV` stays in that stage).
    pub fn image_env(&self) -> Vec<usize> {
        let mut image_env = Vec::new();
        let mut at = self.stages.len().checked_sub(1);
        let mut seen = Vec::new();
        while let Some(i) = at.filter(|i| !seen.contains(i)) {
            seen.push(i);
            let Some(stage) = self.stages.get(i) else {
                break;
            };
            image_env.extend(stage.env.iter().copied());
            at = stage.base;
        }
        image_env.sort_unstable();
        image_env
    }
}

/// A build stage of a Dockerfile (`FROM ... [AS name]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerStage {
    /// Where its `FROM` starts.
    pub start: usize,
    /// The earlier stage it is built from (`FROM build`), if any.
    pub base: Option<usize>,
    /// Where its `ENV` instructions start (not `ONBUILD ENV`).
    pub env: Vec<usize>,
}

/// The instructions and build stages of a Dockerfile (see [`Dockerfile`]).
pub fn dockerfile(text: &str) -> Dockerfile {
    let bytes = text.as_bytes();
    let escape = docker_escape(text);
    if escape == b'`' {
        return Dockerfile::default();
    }
    let mut pieces = Vec::new();
    let mut stages: Vec<DockerStage> = Vec::new();
    let mut args = Vec::new();
    // Each stage's name (`AS name`).
    let mut names: Vec<Option<&str>> = Vec::new();
    let mut all = lines(text).peekable();
    while let Some((start, mut end)) = all.next() {
        let line = text.get(start..end).unwrap_or("");
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // The instruction's lines: continued lines, blank and comment lines inside dropped.
        let mut last = (start, end);
        while docker_continues(bytes.get(last.0..last.1).unwrap_or(&[]), escape) {
            let Some((s, e)) = all.next() else { break };
            end = e;
            let inner = text.get(s..e).unwrap_or("").trim_start();
            if !(inner.is_empty() || inner.starts_with('#')) {
                last = (s, e);
            }
        }
        let kw_start = start + (line.len() - trimmed.len());
        let keyword_len = trimmed
            .find(|c: char| c.is_whitespace())
            .unwrap_or(trimmed.len());
        let mut keyword = trimmed.get(..keyword_len).unwrap_or("");
        let mut rest_start = kw_start + keyword_len;
        let logical = text.get(rest_start..end).unwrap_or("");
        let heredocs = heredoc_delimiters(logical);
        // `ONBUILD RUN ...`: run in each image built from this one.
        if keyword.eq_ignore_ascii_case("ONBUILD") {
            let blank = gap(logical, escape);
            let after = logical.get(blank..).unwrap_or("");
            let len = after
                .find(|c: char| c.is_whitespace())
                .unwrap_or(after.len());
            keyword = after.get(..len).unwrap_or("");
            rest_start += blank + len;
        }
        if keyword.eq_ignore_ascii_case("RUN") {
            // `--mount=...`, `--network=...`: flags of RUN, not of the command, on continued
            // lines too (`RUN --mount=type=secret,id=key \` then `<<EOF` on the next line).
            loop {
                let rest = text.get(rest_start..end).unwrap_or("");
                let blank = gap(rest, escape);
                let after = rest.get(blank..).unwrap_or("");
                if !after.starts_with("--") {
                    rest_start += blank;
                    break;
                }
                let flag_len = after
                    .find(|c: char| c.is_whitespace())
                    .unwrap_or(after.len());
                rest_start += blank + flag_len;
            }
            let rest = text.get(rest_start..end).unwrap_or("");
            if rest.starts_with("<<") {
                // `RUN <<EOF`: the here-document is the script.
                if let Some(body) = heredoc_body(text, end, heredocs.first()) {
                    pieces.push(Piece {
                        start: body.0,
                        end: body.1,
                        dialect: Dialect::Sh,
                    });
                }
            } else if !rest.starts_with('[') {
                pieces.push(Piece {
                    start: rest_start,
                    end,
                    dialect: Dialect::Docker,
                });
            }
        } else if keyword.eq_ignore_ascii_case("ENV") || keyword.eq_ignore_ascii_case("ARG") {
            pieces.push(Piece {
                start: kw_start,
                end,
                dialect: Dialect::Docker,
            });
            // Not `ONBUILD ENV` (the images built from this one).
            let onbuild = text
                .get(kw_start..)
                .and_then(|t| t.get(..7))
                .is_some_and(|w| w.eq_ignore_ascii_case("ONBUILD"));
            if keyword.eq_ignore_ascii_case("ENV") && !onbuild {
                if let Some(stage) = stages.last_mut() {
                    stage.env.push(kw_start);
                }
            } else if !onbuild {
                args.push(kw_start);
            }
        } else if keyword.eq_ignore_ascii_case("FROM") {
            // `FROM [--platform=...] image [AS name]`, continued lines too.
            let words: Vec<&str> = logical
                .split_whitespace()
                .filter(|w| !w.starts_with("--") && w.bytes().any(|b| b != escape))
                .collect();
            let name = match words.as_slice() {
                [_, r#as, name, ..] if r#as.eq_ignore_ascii_case("AS") => Some(*name),
                _ => None,
            };
            let from = words.first().copied().unwrap_or("");
            let earlier = stages.len();
            let base = names
                .get(..earlier)
                .unwrap_or_default()
                .iter()
                .rposition(|n| n.is_some_and(|n| n.eq_ignore_ascii_case(from)));
            names.push(name);
            stages.push(DockerStage {
                start: kw_start,
                base,
                env: Vec::new(),
            });
        }
        // Here-document bodies are not instructions.
        for delim in &heredocs {
            for (s, e) in all.by_ref() {
                let body_line = text.get(s..e).unwrap_or("");
                if body_line.trim_start_matches('\t') == delim.0.as_str() {
                    break;
                }
            }
        }
    }
    Dockerfile {
        instructions: pieces,
        stages,
        args,
    }
}

/// The escape character of a Dockerfile (`# escape=` parser directive, default `\`).
fn docker_escape(text: &str) -> u8 {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let directive = directive.trim();
        if let Some((name, value)) = directive.split_once('=') {
            if name.trim().eq_ignore_ascii_case("escape") {
                return value.trim().bytes().next().unwrap_or(b'\\');
            }
        } else {
            // A comment that is no directive ends the directives.
            break;
        }
    }
    b'\\'
}

/// The delimiters of the here-documents an instruction opens (`<<EOF`, `<<-"EOF"`), with
/// whether tabs are stripped.
fn heredoc_delimiters(instruction: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut rest = instruction;
    while let Some(i) = rest.find("<<") {
        let after = rest.get(i + 2..).unwrap_or("");
        if after.starts_with('<') {
            rest = after.get(1..).unwrap_or("");
            continue;
        }
        let strip = after.starts_with('-');
        let after = if strip {
            after.get(1..).unwrap_or("")
        } else {
            after
        };
        let word: String = after
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '>' | '<'))
            .filter(|c| !matches!(c, '"' | '\''))
            .collect();
        if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            found.push((word, strip));
        }
        rest = after;
    }
    found
}

/// The body of a here-document that starts after `line_end`: `(start, end)` of its lines.
fn heredoc_body(
    text: &str,
    line_end: usize,
    delim: Option<&(String, bool)>,
) -> Option<(usize, usize)> {
    let (delim, _) = delim?;
    let body_start = text.get(line_end..)?.find('\n').map(|i| line_end + i + 1)?;
    for (s, e) in lines(text.get(body_start..)?) {
        let line = text.get(body_start + s..body_start + e).unwrap_or("");
        if line.trim_start_matches('\t') == delim.as_str() {
            return Some((body_start, body_start + s));
        }
    }
    Some((body_start, text.len()))
}

/// The `sh` steps of a Jenkins pipeline (a `Jenkinsfile`, Groovy): `sh 'cmd'`, `sh "cmd"`,
/// `sh '''...'''`, `sh """..."""`, `sh(script: '...', returnStdout: true)`, `sh script: "..."`.
/// The text between the quotes is the script, read where it is written (a Groovy `${...}` in a
/// double-quoted one is, to the shell reader, a value that is not known). Comments, other
/// strings and `bat`/`powershell` steps are passed over.
pub fn jenkins_steps(text: &str) -> Vec<Piece> {
    let b = text.as_bytes();
    let mut pieces = Vec::new();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    while let Some(&c) = b.get(i) {
        if let Some(next) = past_groovy_text(b, i) {
            i = next;
            continue;
        }
        match c {
            c if ident(c) => {
                let start = i;
                while b.get(i).copied().is_some_and(ident) {
                    i += 1;
                }
                let after_dot = start > 0 && b.get(start - 1) == Some(&b'.');
                if !after_dot && text.get(start..i) == Some("sh") {
                    if let Some((s, e, after)) = sh_script(b, i) {
                        pieces.push(Piece {
                            start: s,
                            end: e,
                            dialect: Dialect::Jenkins,
                        });
                        i = after;
                    }
                }
            }
            _ => i += 1,
        }
    }
    pieces
}

/// A Jenkins pipeline's `environment { NAME = 'value' }` block: the block its settings apply
/// in (the one that holds it, `pipeline` or a `stage`, as byte offsets), and each setting
/// whose value is a string literal without `${...}`, with the value's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JenkinsEnvironment {
    pub scope: (usize, usize),
    pub settings: Vec<Setting>,
    /// Names it sets to a value that is not read (`withEnv(["TIER=${params.tier}"])`): an
    /// outer block's literal of that name is not the value inside it.
    pub unknown: Vec<String>,
}

/// A setting's name and the span of its value.
pub type Setting = (String, usize, usize);

/// The `environment` blocks of a Jenkinsfile (see [`JenkinsEnvironment`]), and its
/// `withEnv(["NAME=value", ...]) { ... }` steps, whose settings apply in the block after them.
/// Comments and strings are passed over; braces are counted outside them.
pub fn jenkins_environments(text: &str) -> Vec<JenkinsEnvironment> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    // Open blocks: where each `{` is, and the `environment` blocks inside, by index in
    // `found`, whose scope is the block that holds them.
    let mut open: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // Where the last block that is no environment stopped being one: a block starting before
    // it reads the same lines to the same place (so each byte is read once, not once per
    // `environment {` written inside another's lines).
    let mut failed_at = 0usize;
    // A `withEnv` read, whose settings apply in the next block opened.
    let mut next_block: Option<usize> = None;
    while let Some(&c) = b.get(i) {
        if let Some(next) = past_groovy_text(b, i) {
            i = next;
            continue;
        }
        match c {
            b'{' => {
                open.push((i, next_block.take().into_iter().collect()));
                i += 1;
            }
            b'}' => {
                if let Some((start, inside)) = open.pop() {
                    // The blocks just closed hold their environments: those apply in it.
                    for e in inside {
                        if let Some(env) = found.get_mut(e) {
                            let env: &mut JenkinsEnvironment = env;
                            env.scope = (start, i + 1);
                        }
                    }
                }
                i += 1;
            }
            c if ident(c) => {
                let start = i;
                while b.get(i).copied().is_some_and(ident) {
                    i += 1;
                }
                let word = text.get(start..i).unwrap_or("");
                let after_dot = start > 0 && b.get(start - 1) == Some(&b'.');
                if word == "withEnv" && !after_dot {
                    if let Some((after, env)) = with_env(text, i) {
                        next_block = Some(found.len());
                        found.push(env);
                        i = after;
                    }
                    continue;
                }
                if word != "environment" || after_dot {
                    continue;
                }
                let mut j = i;
                while matches!(b.get(j), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                    j += 1;
                }
                if b.get(j) != Some(&b'{') || j < failed_at {
                    continue;
                }
                let close = match environment_settings(text, j) {
                    Ok(close) => close,
                    // It read to the end: nothing after it closes (an unclosed string).
                    Err(at) if at >= b.len() => break,
                    Err(at) => {
                        failed_at = at;
                        continue;
                    }
                };
                if let Some((_, inside)) = open.last_mut() {
                    inside.push(found.len());
                    found.push(JenkinsEnvironment {
                        scope: (0, 0),
                        settings: close.1,
                        unknown: Vec::new(),
                    });
                }
                i = close.0;
            }
            _ => i += 1,
        }
    }
    found.retain(|e| e.scope.1 > e.scope.0);
    found
}

/// The list of a `withEnv` step whose name ends at `i` (`withEnv(['A=1', "B=${x}"])`): its
/// settings (a literal after `=`; a value with `${` is unknown), and the index after its `)`.
/// `None` for anything else (a list held in a variable: nothing is known of it, and nothing
/// is said).
fn with_env(text: &str, mut i: usize) -> Option<(usize, JenkinsEnvironment)> {
    let b = text.as_bytes();
    let skip = |i: &mut usize| {
        while matches!(b.get(*i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            *i += 1;
        }
    };
    skip(&mut i);
    if b.get(i) != Some(&b'(') {
        return None;
    }
    i += 1;
    skip(&mut i);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut env = JenkinsEnvironment {
        scope: (0, 0),
        settings: Vec::new(),
        unknown: Vec::new(),
    };
    loop {
        skip(&mut i);
        match b.get(i)? {
            b']' => break,
            b',' => i += 1,
            b'\'' | b'"' => {
                let (s, e, after) = groovy_string(b, i)?;
                let item = text.get(s..e)?;
                let (name, value) = item.split_once('=')?;
                let literal = !value.contains('$') && !value.contains('\\');
                if literal {
                    env.settings.push((name.to_string(), s + name.len() + 1, e));
                } else {
                    env.unknown.push(name.to_string());
                }
                i = after;
            }
            _ => return None,
        }
    }
    i += 1;
    skip(&mut i);
    (b.get(i) == Some(&b')')).then_some((i + 1, env))
}

/// The settings of an `environment` block whose `{` is at `open`, and the index after its
/// `}`: `NAME = 'value'` or `NAME = "value"` lines (a value with `${` or any other expression
/// is not read).
/// `Err` with where it stopped when the block is not one of settings (the end of the text
/// when it ran to it).
fn environment_settings(text: &str, open: usize) -> Result<(usize, Vec<Setting>), usize> {
    let b = text.as_bytes();
    let mut settings = Vec::new();
    let mut i = open + 1;
    loop {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n' | b';')) {
            i += 1;
        }
        match b.get(i).ok_or(i)? {
            b'}' => return Ok((i + 1, settings)),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', b.get(i..).unwrap_or(&[])).map_or(b.len(), |n| i + n);
                continue;
            }
            _ => {}
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            i += 1;
        }
        let name = text.get(start..i).ok_or(i)?;
        if name.is_empty() {
            return Err(i);
        }
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            return Err(i);
        }
        i += 1;
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let quote = *b.get(i).ok_or(i)?;
        // A triple-quoted value is not read (nor scanned: one that never closes would be
        // scanned to the end of the file again for each block).
        let triple = b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote);
        match quote {
            b'\'' | b'"' if !triple => {
                // One that does not close ends at its line: not a setting read.
                let Some((s, e, after)) = groovy_string(b, i) else {
                    return Err(i);
                };
                let value = text.get(s..e).unwrap_or("");
                if !value.contains('$') && !value.contains('\\') && !value.contains('\n') {
                    settings.push((name.to_string(), s, e));
                }
                i = after;
            }
            // Another expression (`credentials('id')`, a variable): to the line's end.
            _ => {
                i = memchr::memchr(b'\n', b.get(i..).unwrap_or(&[])).map_or(b.len(), |n| i + n);
            }
        }
    }
}

/// The script string of an `sh` step whose name ends at `i`: `(start, end, after)` of its
/// content.
fn sh_script(b: &[u8], mut i: usize) -> Option<(usize, usize, usize)> {
    let skip_ws = |i: &mut usize, newlines: bool| {
        while b.get(*i).is_some_and(|c| {
            *c == b' ' || *c == b'\t' || (newlines && (*c == b'\n' || *c == b'\r'))
        }) {
            *i += 1;
        }
    };
    skip_ws(&mut i, false);
    let paren = b.get(i) == Some(&b'(');
    if paren {
        i += 1;
        skip_ws(&mut i, true);
    }
    if matches!(b.get(i), Some(b'\'' | b'"')) {
        return groovy_string(b, i);
    }
    // Named arguments: `script:` among them.
    for _ in 0..8 {
        let start = i;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            i += 1;
        }
        let name = b.get(start..i)?;
        if name.is_empty() || b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        skip_ws(&mut i, true);
        if name == b"script" {
            return matches!(b.get(i), Some(b'\'' | b'"'))
                .then(|| groovy_string(b, i))
                .flatten();
        }
        // Another argument's value: to the next `,` outside strings and brackets.
        let mut depth = 0usize;
        loop {
            match b.get(i)? {
                b'\'' | b'"' => i = groovy_string(b, i)?.2,
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    i += 1;
                }
                b')' | b']' | b'}' if depth == 0 => return None,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    i += 1;
                }
                b',' if depth == 0 => {
                    i += 1;
                    break;
                }
                b'\n' if !paren => return None,
                _ => i += 1,
            }
        }
        skip_ws(&mut i, true);
    }
    None
}

/// Past the Groovy comment or string that starts at `i` (`// ...`, `/* ... */`, a quoted
/// string; one that does not close, such as an apostrophe in a slashy string, ends at its
/// line): the index after it. `None` when none starts there.
fn past_groovy_text(b: &[u8], i: usize) -> Option<usize> {
    let line_end = |from: usize| {
        memchr::memchr(b'\n', b.get(from..).unwrap_or(&[])).map_or(b.len(), |n| from + n)
    };
    match b.get(i)? {
        b'/' if b.get(i + 1) == Some(&b'/') => Some(line_end(i)),
        b'/' if b.get(i + 1) == Some(&b'*') => Some(
            memchr::memmem::find(b.get(i + 2..).unwrap_or(&[]), b"*/")
                .map_or(b.len(), |n| i + 2 + n + 2),
        ),
        b'\'' | b'"' => {
            Some(groovy_string(b, i).map_or_else(|| line_end(i), |(_, _, after)| after))
        }
        _ => None,
    }
}

/// A Groovy string literal at `i` (`'...'`, `"..."`, `'''...'''`, `"""..."""`): the range of
/// its content and the index after it; `None` when it does not close.
fn groovy_string(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    let q = *b.get(i)?;
    let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let start = if triple { i + 3 } else { i + 1 };
    let mut j = start;
    let mut braces = 0usize;
    while let Some(&c) = b.get(j) {
        match c {
            b'\\' => j += 2,
            b'$' if q == b'"' && b.get(j + 1) == Some(&b'{') => {
                braces += 1;
                j += 2;
            }
            b'}' if braces > 0 => {
                braces -= 1;
                j += 1;
            }
            // A one-line string ends at its line, `${...}` or not (and a triple one at its
            // closing quotes): every scan stops at the next line or closing, so a file of
            // unclosed strings is read in linear time.
            b'\n' if !triple => return None,
            c if c == q && (braces == 0 || triple) => {
                if !triple {
                    return Some((start, j, j + 1));
                }
                if b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) {
                    return Some((start, j, j + 3));
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    None
}
