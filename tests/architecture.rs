//! The house keeps standing: every `crate::` path in `src/` points down the layer order written
//! in ARCHITECTURE.md (never up, never sideways between modules of one layer), no modules
//! depend on each other in a cycle, and every code name ARCHITECTURE.md cites exists.
//!
//! The layer order is read from ARCHITECTURE.md's fenced `layers` block, one layer per line
//! from the ground up; modules named on one line are peers and may not import each other.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

/// A module path below the crate root: `["engine", "ingest"]`; the root is `[]`.
type ModPath = Vec<String>;

struct Module {
    file: PathBuf,
    /// The source with comments and string literals blanked.
    code: String,
    /// Child modules declared in the file (`mod x;`).
    children: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every module of the library, by path (`src/main.rs` is the binary, not the library).
fn modules() -> BTreeMap<ModPath, Module> {
    let src = root().join("src");
    let mut out = BTreeMap::new();
    let mut todo = vec![src.clone()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let mut parts: ModPath = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = parts.pop().unwrap();
            let stem = last.trim_end_matches(".rs").to_string();
            match stem.as_str() {
                "main" if parts.is_empty() => continue,
                "lib" if parts.is_empty() => {}
                "mod" => {}
                _ => parts.push(stem),
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = strip(&text);
            let children = declared_children(&code);
            out.insert(
                parts,
                Module {
                    file: path,
                    code,
                    children,
                },
            );
        }
    }
    out
}

/// The text with comments, string and char literals replaced by spaces (so that doc links
/// and messages do not count as imports).
fn strip(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
            }
        } else if rest.starts_with(b"r#\"") || rest.starts_with(b"r\"") || rest.starts_with(b"br\"")
        {
            // Raw string: r#*"..."#*
            let start = i;
            while b[i] != b'"' {
                i += 1;
            }
            let hashes = b[start..i].iter().filter(|&&c| c == b'#').count();
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            i += 1;
            while i < b.len() && !b[i..].starts_with(&close) {
                i += 1;
            }
            i = (i + close.len()).min(b.len());
            out.extend(
                b[start..i]
                    .iter()
                    .map(|&c| if c == b'\n' { b'\n' } else { b' ' }),
            );
        } else if b[i] == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    out.push(b' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if b[i] == b'\'' && (rest.get(2) == Some(&b'\'') || (rest.get(1) == Some(&b'\\'))) {
            // A char literal ('x', '\n', '\u{1f}'); a lifetime has no closing quote.
            let close = rest[1..]
                .iter()
                .position(|&c| c == b'\'')
                .map_or(1, |p| p + 2);
            out.extend(std::iter::repeat_n(b' ', close));
            i += close;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn declared_children(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let t = line.trim_start();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if let Some(rest) = t.strip_prefix("mod ") {
            if let Some(name) = rest.trim_end().strip_suffix(';') {
                out.push(name.trim().to_string());
            }
        }
    }
    out
}

/// The paths of a use tree starting at `s` (after `crate::`, `super::`, ...): `a::b`,
/// `a::{b, c::d}`, `{a, b}`.
fn use_tree(s: &[u8], prefix: &[String], out: &mut Vec<ModPath>) -> usize {
    let mut i = 0;
    let mut path: ModPath = prefix.to_vec();
    loop {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < s.len() && s[i] == b'{' {
            i += 1;
            loop {
                while i < s.len() && (s[i].is_ascii_whitespace() || s[i] == b',') {
                    i += 1;
                }
                if i >= s.len() || s[i] == b'}' {
                    i += 1;
                    break;
                }
                let used = use_tree(&s[i..], &path, out);
                if used == 0 {
                    i += 1;
                } else {
                    i += used;
                }
            }
            return i;
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        if start == i {
            out.push(path);
            return i;
        }
        let word = String::from_utf8_lossy(&s[start..i]).into_owned();
        if word != "self" {
            path.push(word);
        }
        if s[i..].starts_with(b"::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// The byte ranges of inline modules (`mod name { .. }`) in stripped code.
fn inline_modules(code: &str) -> Vec<(usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("mod ") {
        let start = from + p;
        from = start + 4;
        if start > 0 && is_ident(b[start - 1]) {
            continue;
        }
        let mut j = start + 4;
        while j < b.len() && is_ident(b[j]) {
            j += 1;
        }
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j >= b.len() || b[j] != b'{' {
            continue;
        }
        let mut depth = 0;
        let mut k = j;
        while k < b.len() {
            match b[k] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        out.push((j, k));
    }
    out
}

/// How many inline modules enclose byte `at`.
fn inline_depth(inline: &[(usize, usize)], at: usize) -> usize {
    inline.iter().filter(|(s, e)| *s < at && at < *e).count()
}

/// Every module path the module at `me` names: `crate::...`, `super::...`, `self::...`, and
/// paths through its own child modules.
fn references(me: &ModPath, m: &Module) -> Vec<ModPath> {
    let code = m.code.as_bytes();
    let inline = inline_modules(&m.code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if i > 0 && (is_ident(code[i - 1]) || code[i - 1] == b':') {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let (skip, base): (usize, Option<ModPath>) = if rest.starts_with(b"crate::") {
            (7, Some(Vec::new()))
        } else if rest.starts_with(b"super::") {
            // Inside an inline module (`mod tests { .. }`), the first `super` is the file's.
            let mut inline = inline_depth(&inline, i);
            let mut base = me.clone();
            let mut k = 0;
            while code[i + k..].starts_with(b"super::") {
                if inline > 0 {
                    inline -= 1;
                } else {
                    base.pop();
                }
                k += 7;
            }
            (k, Some(base))
        } else if rest.starts_with(b"self::") {
            (6, Some(me.clone()))
        } else {
            let child = m
                .children
                .iter()
                .find(|c| rest.starts_with(c.as_bytes()) && code[i + c.len()..].starts_with(b"::"));
            match child {
                Some(c) => {
                    let mut base = me.clone();
                    base.push(c.clone());
                    (c.len() + 2, Some(base))
                }
                None => (0, None),
            }
        };
        match base {
            Some(base) => {
                let used = use_tree(&code[i + skip..], &base, &mut out);
                i += skip + used.max(1);
            }
            None => i += 1,
        }
    }
    out
}

/// The deepest module that a path names (a path to an item resolves to its module).
fn resolve(path: &ModPath, mods: &BTreeMap<ModPath, Module>) -> ModPath {
    let mut p = path.clone();
    while !p.is_empty() && !mods.contains_key(&p) {
        p.pop();
    }
    p
}

/// The layers of ARCHITECTURE.md's `layers` block, from the ground up.
fn layers() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let start = text
        .find("```layers\n")
        .expect("ARCHITECTURE.md has a ```layers block");
    let body = &text[start + "```layers\n".len()..];
    let end = body.find("```").unwrap();
    body[..end]
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .map(|l| {
            l.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every dependency between distinct modules, skipping uses of a module's own ancestors (a
/// child may use what its parent declares).
fn edges(mods: &BTreeMap<ModPath, Module>) -> BTreeSet<(ModPath, ModPath)> {
    let mut out = BTreeSet::new();
    for (me, m) in mods {
        for r in references(me, m) {
            let target = resolve(&r, mods);
            if &target == me || me.starts_with(&target) && !target.is_empty() {
                continue;
            }
            out.insert((me.clone(), target));
        }
    }
    out
}

fn show(p: &ModPath) -> String {
    if p.is_empty() {
        "crate (lib.rs)".to_string()
    } else {
        p.join("::")
    }
}

#[test]
fn imports_follow_the_layer_order() {
    let mods = modules();
    let layers = layers();
    let layer_of: HashMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |m| (m.as_str(), i)))
        .collect();
    // Every top-level module has a layer, and every layer names a module.
    let top: BTreeSet<&str> = mods
        .keys()
        .filter_map(|p| p.first())
        .map(String::as_str)
        .collect();
    let unplaced: Vec<&&str> = top.iter().filter(|m| !layer_of.contains_key(**m)).collect();
    assert!(
        unplaced.is_empty(),
        "modules without a layer in ARCHITECTURE.md: {unplaced:?}"
    );
    let ghosts: Vec<&&str> = layer_of.keys().filter(|m| !top.contains(**m)).collect();
    assert!(
        ghosts.is_empty(),
        "ARCHITECTURE.md layers name no module: {ghosts:?}"
    );

    let mut wrong = Vec::new();
    for (from, to) in edges(&mods) {
        let Some(f) = from.first() else {
            continue; // lib.rs: the root declares and re-exports everything
        };
        let (lf, lt) = match to.first() {
            Some(t) if t == f => continue, // within one top-level module: see the cycle test
            Some(t) => (layer_of[f.as_str()], layer_of[t.as_str()]),
            None => (layer_of[f.as_str()], usize::MAX), // the root is above everything
        };
        if lt >= lf {
            let why = if lt == lf { "sideways" } else { "up" };
            wrong.push(format!(
                "{} ({}) -> {} ({why})",
                show(&from),
                mods[&from].file.display(),
                show(&to)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer order of ARCHITECTURE.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_cycles() {
    let mods = modules();
    let edges = edges(&mods);
    let mut graph: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
    for (a, b) in &edges {
        graph.entry(a).or_default().push(b);
    }
    // Tarjan's strongly connected components, iteratively small enough to recurse.
    let nodes: Vec<&ModPath> = mods.keys().collect();
    let mut index: HashMap<&ModPath, usize> = HashMap::new();
    let mut low: HashMap<&ModPath, usize> = HashMap::new();
    let mut on: BTreeSet<&ModPath> = BTreeSet::new();
    let mut stack: Vec<&ModPath> = Vec::new();
    let mut cycles: Vec<Vec<String>> = Vec::new();
    #[allow(clippy::too_many_arguments)]
    fn visit<'a>(
        v: &'a ModPath,
        graph: &BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
        index: &mut HashMap<&'a ModPath, usize>,
        low: &mut HashMap<&'a ModPath, usize>,
        on: &mut BTreeSet<&'a ModPath>,
        stack: &mut Vec<&'a ModPath>,
        cycles: &mut Vec<Vec<String>>,
    ) {
        let n = index.len();
        index.insert(v, n);
        low.insert(v, n);
        stack.push(v);
        on.insert(v);
        for &w in graph.get(v).into_iter().flatten() {
            if !index.contains_key(w) {
                visit(w, graph, index, low, on, stack, cycles);
                let lw = low[w];
                let lv = low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if on.contains(w) {
                let iw = index[w];
                let lv = low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if low[v] == index[v] {
            let mut comp = Vec::new();
            while let Some(w) = stack.pop() {
                on.remove(w);
                comp.push(show(w));
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                cycles.push(comp);
            }
        }
    }
    for v in nodes {
        if !index.contains_key(v) {
            visit(
                v,
                &graph,
                &mut index,
                &mut low,
                &mut on,
                &mut stack,
                &mut cycles,
            );
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import each other: {cycles:?}"
    );
}

#[test]
fn the_checker_sees_what_it_must() {
    // Guard the guard: the parser finds grouped, nested and relative paths, and ignores
    // comments and strings.
    let code = strip(
        "use crate::{a::{b, c::D}, e};\n// crate::nope\nlet s = \"crate::nope2\";\nuse super::x::Y;\nfn f() { ingest::run(); crate::z::w(); }\nmod tests { use super::q; }\n",
    );
    let m = Module {
        file: PathBuf::new(),
        children: vec!["ingest".to_string()],
        code,
    };
    let me: ModPath = vec!["engine".into()];
    let mut got: Vec<String> = references(&me, &m).iter().map(|p| p.join("::")).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "a::b",
            "a::c::D",
            "e",
            "engine::ingest::run",
            "engine::q",
            "x::Y",
            "z::w"
        ]
    );
}

/// The code names ARCHITECTURE.md cites (`src/...` paths, `module::item`, `Type::member`)
/// exist.
#[test]
fn architecture_cites_only_what_exists() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mods = modules();
    let all_code: String = mods
        .values()
        .map(|m| m.code.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut missing = Vec::new();
    let mut cited = 0;
    for (k, chunk) in text.split('`').enumerate() {
        if k % 2 == 0 || chunk.contains(' ') || chunk.contains('\n') {
            continue;
        }
        if let Some(path) = chunk.strip_prefix("src/").map(|_| chunk) {
            cited += 1;
            // `src/rules/govNNN.rs` and `{a,b}.rs` patterns name families.
            if path.contains("NNN")
                || path.contains('{')
                || path.contains('*')
                || path.contains('<')
            {
                continue;
            }
            if !root().join(path.trim_end_matches('/')).exists() {
                missing.push(chunk.to_string());
            }
            continue;
        }
        let name = chunk.trim_end_matches("()");
        if !name.contains("::")
            || !name
                .split("::")
                .all(|s| !s.is_empty() && s.bytes().all(is_ident))
        {
            continue;
        }
        cited += 1;
        let segs: ModPath = name.split("::").map(str::to_string).collect();
        let module = resolve(&segs, &mods);
        let rest = &segs[module.len()..];
        let found = if module.is_empty() {
            // `Type::member`: the type is declared somewhere, and the member named in its file.
            let ty = &segs[0];
            let decl = ["struct ", "enum ", "trait ", "type "]
                .iter()
                .map(|k| format!("{k}{ty}"))
                .find_map(|d| mods.values().find(|m| has_word(&m.code, &d)));
            match decl {
                Some(m) => rest[1..].iter().all(|w| has_word(&m.code, w)),
                None => mods.contains_key(&vec![ty.clone()]) && rest.is_empty(),
            }
        } else {
            let code = &mods[&module].code;
            rest.iter()
                .all(|w| has_word(code, w) || has_word(&all_code, &format!("fn {w}")))
        };
        if !found {
            missing.push(chunk.to_string());
        }
    }
    assert!(cited > 20, "the check read too few names ({cited})");
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md cites names the code does not have: {missing:?}"
    );
}

fn has_word(code: &str, word: &str) -> bool {
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(p) = code[from..].find(word) {
        let s = from + p;
        let e = s + word.len();
        let before = s == 0 || !is_ident(b[s - 1]);
        let after = e >= b.len() || !is_ident(b[e]);
        if before && after {
            return true;
        }
        from = s + 1;
    }
    false
}
