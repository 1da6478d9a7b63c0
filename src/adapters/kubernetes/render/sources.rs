//! The files a rendering reads, and one span space for all of them.
//!
//! A rendered object is assembled from several files (a base's values and an overlay's
//! patches; a chart's defaults and a team's override values). Its nodes are the files' own
//! nodes with their spans moved into one space where each file (and each inline patch held in
//! a string) has its own range; [`Sources`] is the [`SourceMap`] that turns a span of that
//! space back into the file, bytes, lines and pointer where the node was written, so a
//! finding points at the patch file that wrote a value, or the base whose value survives.

use arcstr::ArcStr;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::document::{self, Limits, LineIndex, Node, Span, Syntax, Value};
use crate::model::{FileId, Loc, SourceFile, SourceMap, intern_pointer};
use crate::paths;

/// How a rendering reads a file: a buffer's text when one has this path, else the file on
/// disk, bounded and regular files only (the engine's reader).
pub(crate) type Read<'r> = &'r dyn Fn(&Path) -> Result<Arc<str>, String>;

/// How a rendering lists a directory: the regular files directly in it, sorted (the
/// engine's listing; empty when it cannot be read).
/// The files in a directory, down to a depth (1: directly in it): the engine's listing.
pub(crate) type List<'r> = &'r dyn Fn(&Path, usize) -> Vec<PathBuf>;

/// How a rendering reaches the files the run did not hold: the engine's reader and listing.
#[derive(Clone, Copy)]
pub(crate) struct Access<'r> {
    pub(crate) read: Read<'r>,
    pub(crate) list: List<'r>,
}

/// Bytes the span space may hold: past this, nothing more is read for rendering.
const MAX_SPACE: u32 = u32::MAX / 2;

/// A file read for rendering.
pub(super) struct Source {
    pub(super) file: FileId,
    /// As the run spells it (the walk's path, or the path joined from a kustomization).
    pub(super) path: PathBuf,
    pub(super) text: Arc<str>,
    index: LineIndex,
    /// The documents, with the file's own spans.
    pub(super) roots: Vec<Node>,
    /// Where the file's bytes start in the span space.
    base: u32,
}

/// A range of the span space.
struct Piece {
    base: u32,
    len: u32,
    source: usize,
    /// For the contents of a string (an inline patch): where its lines are in the file.
    fragment: Option<Fragment>,
}

/// The contents of a string scalar: the offset in the contents and the offset in the file of
/// the start of each of its lines, and the string's pointer in its file.
struct Fragment {
    lines: Vec<(u32, u32)>,
    pointer: ArcStr,
}

/// The files a rendering read, and their span space.
pub(crate) struct Sources<'r> {
    sources: Vec<Source>,
    /// By absolute path: the source, or why it could not be read or parsed.
    by_path: HashMap<PathBuf, Result<usize, String>>,
    /// By absolute path: the text, or why it could not be read.
    texts: HashMap<PathBuf, Result<Arc<str>, String>>,
    /// Templates by absolute path (see [`Sources::load_template`]).
    templates: HashMap<PathBuf, Result<(usize, Vec<Span>), String>>,
    /// Files whose text only is in the span space, by absolute path (see
    /// [`Sources::load_text`]).
    spelled: HashMap<PathBuf, Option<usize>>,
    /// Sorted by `base`.
    pieces: Vec<Piece>,
    next: u32,
    cwd: PathBuf,
    /// The run's files by absolute path (findings there are the run's).
    run: HashMap<PathBuf, FileId>,
    read: Read<'r>,
    list: List<'r>,
    limits: Limits,
    /// Files read here that the run did not hold: added to the run as context.
    pub(crate) added: Vec<FileId>,
}

impl<'r> Sources<'r> {
    pub(crate) fn new(
        files: &[SourceFile],
        access: Access<'r>,
        limits: Limits,
        cwd: &Path,
    ) -> Sources<'r> {
        let cwd = cwd.to_path_buf();
        let run = files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    paths::absolute(&f.path, &cwd),
                    FileId::try_from(i).unwrap_or(FileId::MAX),
                )
            })
            .collect();
        Sources {
            sources: Vec::new(),
            by_path: HashMap::new(),
            texts: HashMap::new(),
            templates: HashMap::new(),
            spelled: HashMap::new(),
            pieces: Vec::new(),
            next: 0,
            cwd,
            run,
            read: access.read,
            list: access.list,
            limits,
            added: Vec::new(),
        }
    }

    /// The run's working directory (absolute).
    pub(super) fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// What a rendering's parse may take.
    pub(super) fn limits(&self) -> Limits {
        self.limits
    }

    pub(super) fn absolute(&self, path: &Path) -> PathBuf {
        paths::absolute(path, &self.cwd)
    }

    pub(super) fn get(&self, i: usize) -> Option<&Source> {
        self.sources.get(i)
    }

    /// The text of a file (read once).
    pub(super) fn text(&mut self, path: &Path) -> Result<Arc<str>, String> {
        let abs = self.absolute(path);
        if let Some(known) = self.texts.get(&abs) {
            return known.clone();
        }
        // Read by its absolute path: the run spells paths against its working directory,
        // which need not be the process's (the language server's workspace).
        let text = (self.read)(&abs);
        self.texts.insert(abs, text.clone());
        text
    }

    /// The regular files directly in `dir`, sorted, spelled as `dir` is (joined to it).
    pub(super) fn list(&self, dir: &Path) -> Vec<PathBuf> {
        self.list_below(dir, 1)
    }

    /// The regular files in `dir` and its subdirectories down to `depth` levels (1: directly
    /// in it), sorted, spelled as `dir` is (joined to it).
    pub(super) fn list_below(&self, dir: &Path, depth: usize) -> Vec<PathBuf> {
        let abs = self.absolute(dir);
        (self.list)(&abs, depth)
            .into_iter()
            .filter_map(|p| Some(dir.join(p.strip_prefix(&abs).ok()?)))
            .collect()
    }

    /// Whether `path` can be read as a file (a directory, or nothing, cannot).
    pub(super) fn is_file(&mut self, path: &Path) -> bool {
        self.text(path).is_ok()
    }

    /// Read and parse a file once (JSON or YAML by its name), giving it a range of the span
    /// space; a file of the run keeps its id, another is added to the run.
    pub(super) fn load(
        &mut self,
        path: &Path,
        files: &mut Vec<SourceFile>,
    ) -> Result<usize, String> {
        let abs = self.absolute(path);
        if let Some(known) = self.by_path.get(&abs) {
            return known.clone();
        }
        let loaded = self.read_and_parse(path, &abs, files);
        self.by_path.insert(abs, loaded.clone());
        loaded
    }

    /// Register a file whose text and documents the run already has (a kept kustomization).
    pub(super) fn preload(&mut self, path: &Path, file: FileId, text: Arc<str>, roots: Vec<Node>) {
        let abs = self.absolute(path);
        if self.by_path.contains_key(&abs) {
            return;
        }
        self.texts.insert(abs.clone(), Ok(text.clone()));
        let loaded = self.register(file, path, text, roots);
        self.by_path.insert(abs, loaded);
    }

    fn read_and_parse(
        &mut self,
        path: &Path,
        abs: &Path,
        files: &mut Vec<SourceFile>,
    ) -> Result<usize, String> {
        let text = self.text(path)?;
        let syntax = crate::source::kind_or_yaml(path).syntax;
        if syntax == Syntax::Hcl {
            return Err("not a JSON or YAML file".to_string());
        }
        let roots = document::parse(&text, syntax, &self.limits)
            .map_err(|e| format!("does not parse: {}", e.message))?
            .roots;
        let file = self.file_id(path, abs, files);
        self.register(file, path, text, roots)
    }

    /// Read and parse an unrendered template once, as the run reads one (its actions blanked,
    /// the scalars they make marked: see [`document::template`]), giving it a range of the
    /// span space; with its actions, as spans of the file.
    pub(super) fn load_template(
        &mut self,
        path: &Path,
        files: &mut Vec<SourceFile>,
    ) -> Result<(usize, Vec<Span>), String> {
        let abs = self.absolute(path);
        if let Some(known) = self.templates.get(&abs) {
            return known.clone();
        }
        let loaded = self.read_template(path, &abs, files);
        self.templates.insert(abs, loaded.clone());
        loaded
    }

    fn read_template(
        &mut self,
        path: &Path,
        abs: &Path,
        files: &mut Vec<SourceFile>,
    ) -> Result<(usize, Vec<Span>), String> {
        let text = self.text(path)?;
        self.register_template(path, abs, files, &text)
    }

    /// A template read from `parse`, a text of the same length as the file's in which parts
    /// are blanked (a branch a rendering does not take): given a range of the span space of
    /// its own, located in the file as written. Not kept for another rendering.
    pub(super) fn load_template_as(
        &mut self,
        path: &Path,
        files: &mut Vec<SourceFile>,
        parse: &str,
    ) -> Result<(usize, Vec<Span>), String> {
        let abs = self.absolute(path);
        self.register_template(path, &abs, files, parse)
    }

    fn register_template(
        &mut self,
        path: &Path,
        abs: &Path,
        files: &mut Vec<SourceFile>,
        parse: &str,
    ) -> Result<(usize, Vec<Span>), String> {
        let text = self.text(path)?;
        if text.len() != parse.len() {
            return Err("not the template's text".to_string());
        }
        // A template whose every action a rendering decided reads as plain YAML.
        let (blanked, actions) =
            document::template::blank(parse).unwrap_or_else(|| (parse.to_string(), Vec::new()));
        let mut roots = document::yaml::parse(&blanked, &self.limits)
            .map_err(|e| format!("does not parse: {}", e.message))?
            .roots;
        for root in &mut roots {
            document::template::mark(root, &actions, parse);
        }
        let file = self.file_id(path, abs, files);
        Ok((self.register(file, path, text, roots)?, actions))
    }

    /// A file's text in the span space, not parsed (a template's text, to locate where it
    /// uses a value): its source.
    pub(super) fn load_text(&mut self, path: &Path, files: &mut Vec<SourceFile>) -> Option<usize> {
        let abs = self.absolute(path);
        if let Some(known) = self.spelled.get(&abs) {
            return *known;
        }
        let loaded = match self.text(path) {
            Ok(text) => {
                let file = self.file_id(path, &abs, files);
                self.register(file, path, text, Vec::new()).ok()
            }
            Err(_) => None,
        };
        self.spelled.insert(abs, loaded);
        loaded
    }

    /// The id of a file: the run's, or a new one for a file the run did not hold (added to
    /// the run as context).
    fn file_id(&mut self, path: &Path, abs: &Path, files: &mut Vec<SourceFile>) -> FileId {
        match self.run.get(abs) {
            Some(file) => *file,
            None => {
                let file = FileId::try_from(files.len()).unwrap_or(FileId::MAX);
                files.push(SourceFile {
                    path: path.to_path_buf(),
                    root: Arc::from(path.parent().unwrap_or(Path::new(""))),
                });
                self.run.insert(abs.to_path_buf(), file);
                self.added.push(file);
                file
            }
        }
    }

    fn register(
        &mut self,
        file: FileId,
        path: &Path,
        text: Arc<str>,
        roots: Vec<Node>,
    ) -> Result<usize, String> {
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        let base = self.reserve(len)?;
        let index = LineIndex::new(&text);
        let i = self.sources.len();
        self.pieces.push(Piece {
            base,
            len,
            source: i,
            fragment: None,
        });
        self.sources.push(Source {
            file,
            path: path.to_path_buf(),
            text,
            index,
            roots,
            base,
        });
        Ok(i)
    }

    fn reserve(&mut self, len: u32) -> Result<u32, String> {
        let base = self.next;
        let next = base
            .checked_add(len)
            .and_then(|n| n.checked_add(1))
            .filter(|n| *n <= MAX_SPACE)
            .ok_or_else(|| "more text than one rendering reads".to_string())?;
        self.next = next;
        Ok(base)
    }

    /// Where source `i`'s bytes start in the span space.
    pub(super) fn base(&self, i: usize) -> Option<u32> {
        self.sources.get(i).map(|s| s.base)
    }

    /// Document `doc` of source `i`, in the span space.
    pub(super) fn doc(&self, i: usize, doc: usize) -> Option<Node> {
        let source = self.sources.get(i)?;
        Some(shifted(source.roots.get(doc)?, source.base))
    }

    /// A node of source `i` (with the file's own spans), in the span space.
    pub(super) fn node(&self, i: usize, node: &Node) -> Node {
        shifted(node, self.sources.get(i).map_or(0, |s| s.base))
    }

    /// The documents of a string scalar of source `i` (an inline patch: `patch: |-` and YAML
    /// below it), in the span space: each of their nodes located in the file where the string
    /// spells it.
    pub(super) fn fragment(
        &mut self,
        i: usize,
        string: &Node,
        pointer: &str,
    ) -> Result<Vec<Node>, String> {
        let (Value::String(value), Some(source)) = (&string.value, self.sources.get(i)) else {
            return Err("not a string".to_string());
        };
        let roots = document::yaml::parse(value, &self.limits)
            .map_err(|e| format!("does not parse: {}", e.message))?
            .roots;
        let lines = line_map(&source.text, string.span, value);
        let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
        let base = self.reserve(len)?;
        self.pieces.push(Piece {
            base,
            len,
            source: i,
            fragment: Some(Fragment {
                lines,
                pointer: intern_pointer(pointer),
            }),
        });
        Ok(roots
            .into_iter()
            .map(|mut r| {
                r.shift_spans(base);
                r
            })
            .collect())
    }

    /// The start of source `i`, as a location (where a rendering as a whole is).
    pub(super) fn start_of(&self, i: usize) -> Option<Loc> {
        let base = self.sources.get(i)?.base;
        self.loc(
            Span {
                start: base,
                end: base,
            },
            "",
        )
    }

    /// The texts of sources `which`, by file id.
    pub(super) fn texts(&self, which: impl Iterator<Item = usize>) -> Vec<(FileId, Arc<str>)> {
        which
            .filter_map(|i| self.sources.get(i))
            .map(|s| (s.file, Arc::clone(&s.text)))
            .collect()
    }

    /// The piece holding offset `at` of the span space.
    /// The first byte a node of the span space was written with (a quote, for a quoted
    /// scalar); `None` inside an inline patch's string, where it is not the file's.
    pub(super) fn first_byte(&self, span: Span) -> Option<u8> {
        let piece = self.piece(span.start)?;
        if piece.fragment.is_some() {
            return None;
        }
        let source = self.sources.get(piece.source)?;
        let at = usize::try_from(span.start.checked_sub(piece.base)?).ok()?;
        source.text.as_bytes().get(at).copied()
    }

    fn piece(&self, at: u32) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.base <= at);
        let piece = self.pieces.get(i.checked_sub(1)?)?;
        (at <= piece.base + piece.len).then_some(piece)
    }
}

impl Sources<'_> {
    /// Where `span` of the span space is in its file: the piece's source, and the file's
    /// span (the start and end each mapped; a fragment's lines each start where they are).
    fn real_span(&self, span: Span) -> Option<(&Source, &Piece, Span)> {
        let piece = self.piece(span.start)?;
        let source = self.sources.get(piece.source)?;
        let offset = |at: u32| -> u32 {
            let at = at.clamp(piece.base, piece.base + piece.len) - piece.base;
            match &piece.fragment {
                None => at,
                Some(Fragment { lines, .. }) => {
                    let i = lines.partition_point(|(start, _)| *start <= at);
                    let (start, file_at) = i
                        .checked_sub(1)
                        .and_then(|i| lines.get(i))
                        .copied()
                        .unwrap_or((0, 0));
                    file_at + (at - start)
                }
            }
        };
        let real = Span {
            start: offset(span.start),
            end: offset(span.end.max(span.start)),
        };
        Some((source, piece, real))
    }
}

impl SourceMap for Sources<'_> {
    fn text_of(&self, span: Span) -> Option<&str> {
        let (source, _, real) = self.real_span(span)?;
        // Only where the file spells the bytes one for one (not across a fragment's lines).
        (real.end.checked_sub(real.start) == span.end.checked_sub(span.start))
            .then(|| source.text.get(real.start as usize..real.end as usize))
            .flatten()
    }

    fn loc(&self, span: Span, pointer: &str) -> Option<Loc> {
        let (source, piece, real) = self.real_span(span)?;
        let pointer = match &piece.fragment {
            Some(f) => ArcStr::clone(&f.pointer),
            None => intern_pointer(
                &pointer_of(&source.roots, real).unwrap_or_else(|| pointer.to_string()),
            ),
        };
        Some(Loc {
            file: source.file,
            span: real,
            start: source.index.line_col(&source.text, real.start),
            end: source.index.line_col(&source.text, real.end),
            pointer,
            via: None,
        })
    }
}

/// A copy of `node` with every span moved by `by` (recursion bounded by the parsers' depth
/// limit).
fn shifted(node: &Node, by: u32) -> Node {
    let mut copy = node.clone();
    copy.shift_spans(by);
    copy
}

/// For the value of a string scalar spelled at `span` of `text`: the offset in the value and
/// the offset in the file of each line the source spells as it is (a literal block scalar's
/// lines, minus their indentation). Lines that cannot be found (escapes, folding) are located
/// at the start of the scalar.
fn line_map(text: &str, span: Span, value: &str) -> Vec<(u32, u32)> {
    let source = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    if let Some(map) = flow_runs(source, span, value) {
        return map;
    }
    let mut map = Vec::new();
    // Past the indicator line of a block scalar (`|-`), else from the start of the scalar.
    let mut pos = if source.starts_with('|') || source.starts_with('>') {
        source.find('\n').map_or(source.len(), |i| i + 1)
    } else {
        0
    };
    let mut at = 0usize;
    for line in value.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let found = if content.is_empty() {
            Some(pos)
        } else {
            source
                .get(pos..)
                .and_then(|rest| rest.find(content))
                .map(|i| pos + i)
        };
        let u = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        match found {
            Some(i) => {
                map.push((u(at), span.start.saturating_add(u(i))));
                pos = i + content.len();
            }
            None => {
                map.push((u(at), span.start));
            }
        }
        at += line.len();
    }
    map
}

/// For a flow scalar (plain, single- or double-quoted, on one line or folded over several):
/// the offset in the value and in the file of each run of text the value copies from the
/// source, so that a piece of the value is located where it is spelled. Runs break at escapes
/// (`\"`, `\u0041`, `''`) and at line folds (a line break and the indentation around it,
/// which the value holds as one space or as line breaks). `None` for a block scalar, and when
/// the spelling does not give `value`.
fn flow_runs(source: &str, span: Span, value: &str) -> Option<Vec<(u32, u32)>> {
    let quote = match source.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => Some(q),
        Some(b'|' | b'>') => return None,
        _ => None,
    };
    let u = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let at = |i: usize| span.start.saturating_add(u(i));
    let (src, val) = (source.as_bytes(), value.as_bytes());
    let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut si = usize::from(quote.is_some());
    let mut vi = 0usize;
    let mut map = vec![(0, at(si))];
    while let Some(&vc) = val.get(vi) {
        let sc = *src.get(si)?;
        match (quote, sc) {
            // `''` is one quote.
            (Some(b'\''), b'\'') if src.get(si + 1) == Some(&b'\'') && vc == b'\'' => {
                si += 2;
                vi += 1;
                map.push((u(vi), at(si)));
            }
            (Some(b'"'), b'\\') => {
                let next = *src.get(si + 1)?;
                if matches!(next, b'\n' | b'\r') {
                    // An escaped line break: nothing in the value, and the next line's
                    // indentation is dropped.
                    si += 1;
                    while src.get(si).is_some_and(|&c| blank(c)) {
                        si += 1;
                    }
                } else {
                    let hex = |n: usize| {
                        let digits = source.get(si + 2..si + 2 + n)?;
                        let code = u32::from_str_radix(digits, 16).ok()?;
                        Some((2 + n, char::from_u32(code)?.len_utf8()))
                    };
                    let (spelled, decoded) = match next {
                        b'x' => hex(2)?,
                        b'u' => hex(4)?,
                        b'U' => hex(8)?,
                        b'N' | b'_' => (2, 2),
                        b'L' | b'P' => (2, 3),
                        b'0' | b'a' | b'b' | b't' | b'\t' | b'n' | b'v' | b'f' | b'r' | b'e'
                        | b' ' | b'"' | b'/' | b'\\' => (2, 1),
                        _ => return None,
                    };
                    si += spelled;
                    vi += decoded;
                }
                map.push((u(vi), at(si)));
            }
            _ if sc == vc && !matches!(sc, b'\r' | b'\n') => {
                si += 1;
                vi += 1;
            }
            // A fold: blanks and line breaks in the source, one space or line breaks in the
            // value (or nothing, for blanks dropped before a break).
            _ if blank(sc) => {
                while src.get(si).is_some_and(|&c| blank(c)) {
                    si += 1;
                }
                while val.get(vi).is_some_and(|&c| matches!(c, b' ' | b'\n')) {
                    vi += 1;
                }
                map.push((u(vi), at(si)));
            }
            _ => return None,
        }
    }
    Some(map)
}

/// The JSON pointer, in its own document, of the deepest node of `roots` whose span holds
/// `span`.
fn pointer_of(roots: &[Node], span: Span) -> Option<String> {
    let within = |n: &Node| n.span.start <= span.start && span.end <= n.span.end;
    let mut node = roots.iter().find(|r| within(r))?;
    let mut pointer = String::new();
    loop {
        if node.span == span {
            return Some(pointer);
        }
        let next = match &node.value {
            Value::Map(entries) => entries.iter().find_map(|e| {
                let token = e.key.scalar_text().unwrap_or("");
                if e.key.span == span {
                    let mut p = pointer.clone();
                    document::push_pointer(&mut p, token);
                    return Some((None, p));
                }
                within(&e.value).then(|| {
                    let mut p = pointer.clone();
                    document::push_pointer(&mut p, token);
                    (Some(&e.value), p)
                })
            }),
            Value::Seq(items) => items.iter().enumerate().find_map(|(i, n)| {
                within(n).then(|| {
                    let mut p = pointer.clone();
                    document::push_pointer(&mut p, &i.to_string());
                    (Some(n), p)
                })
            }),
            _ => None,
        };
        match next {
            Some((Some(child), p)) if pointer.len() <= document::MAX_POINTER => {
                node = child;
                pointer = p;
            }
            Some((None, p)) => return Some(p),
            _ => return Some(pointer),
        }
    }
}
