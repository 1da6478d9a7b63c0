//! Orchestration: walk → read → pre-filter → parse → adapt → link → rules.

use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::adapters;
use crate::document::{self, Limits, LineIndex, Span, Syntax};
use crate::model::{LocCtx, Model, SourceFile, link};
use crate::rules::{self, Finding, INVALID_SPEC};
use crate::walk::{self, Input};

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are skipped with a notice.
    pub max_file_size: u64,
    pub limits: Limits,
    /// How far up project linking looks for a project body (see [`ProjectRoot`]).
    pub project_root: ProjectRoot,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: 64 * 1024 * 1024,
            limits: Limits::default(),
            project_root: ProjectRoot::default(),
        }
    }
}

/// How far up project linking may look for the project body of a checked file.
///
/// Below the root, linking also reads the spec files that sit directly in the directories
/// between a checked path and the root ("context files"): they are parsed and adapted so that
/// their projects can be linked, but they are not counted as checked and their own findings
/// are never reported. This is what lets a pre-commit hook, which is given only the staged
/// files, or an editor, which checks one buffer, find a cluster's project on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProjectRoot {
    /// Never above the path given (for a file, its own directory), and only checked files
    /// count.
    #[default]
    Argument,
    /// The root of the git work tree holding each path given (the nearest ancestor with a
    /// `.git`), or the path itself outside a repository. The command line's default.
    Repository,
    /// This directory, for the paths given below it (others keep [`ProjectRoot::Argument`]).
    Dir(PathBuf),
}

/// Files read only for project linking (see [`ProjectRoot`]).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The spec files of the directories between the checked paths and their root.
    pub files: Vec<Input>,
    /// The root that buffers below it link up to (buffers elsewhere link in their own
    /// directory only, as before).
    pub root: Option<PathBuf>,
}

/// A file that was not checked, and why. Shown in every output format.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<SourceFile>,
    /// Sorted by file, position, code.
    pub findings: Vec<Finding>,
    pub files_checked: usize,
    pub skipped: Vec<Skipped>,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == rules::Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == rules::Severity::Warning)
            .count()
    }
    pub fn path(&self, file: u32) -> &Path {
        self.files
            .get(file as usize)
            .map_or(Path::new(""), |f| f.path.as_path())
    }
}

/// An in-memory file (standard input, an editor buffer).
#[derive(Debug, Clone)]
pub struct Buffer {
    pub path: PathBuf,
    pub text: String,
}

/// Check everything under `paths`. Every path must exist (the CLI checks before calling).
pub fn check_paths(paths: &[PathBuf], options: &Options) -> Outcome {
    let (mut inputs, problems) = walk::collect(paths);
    let context = link_context(paths, &mut inputs, &options.project_root);
    let mut outcome = check_with_context(&inputs, &[], &context, options);
    outcome
        .skipped
        .extend(problems.into_iter().map(|p| Skipped {
            path: p.path,
            reason: p.message,
        }));
    outcome
}

/// Check files on disk plus in-memory buffers.
pub fn check_inputs(inputs: &[Input], buffers: &[Buffer], options: &Options) -> Outcome {
    check_with_context(inputs, buffers, &Context::default(), options)
}

/// Check files on disk plus in-memory buffers, with context files read for project linking
/// only. File ids: the inputs, then the context files, then the buffers (buffers come last).
pub fn check_with_context(
    inputs: &[Input],
    buffers: &[Buffer],
    context: &Context,
    options: &Options,
) -> Outcome {
    let disk: Vec<&Input> = inputs.iter().chain(&context.files).collect();
    let mut results: Vec<FileResult> = disk
        .par_iter()
        .enumerate()
        .map(|(i, input)| match read(&input.path, options) {
            Ok(text) => process(file_id(i), &text, syntax_of(&input.path), options),
            Err(reason) => FileResult::skipped(reason),
        })
        .collect();
    for (j, buffer) in buffers.iter().enumerate() {
        let file = file_id(disk.len() + j);
        results.push(process(
            file,
            &buffer.text,
            syntax_of(&buffer.path),
            options,
        ));
    }

    let buffer_root = |path: &Path| -> PathBuf {
        match &context.root {
            Some(root) if path.starts_with(root) => root.clone(),
            _ => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    };
    let sources = disk
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let source = SourceFile {
                path: input.path.clone(),
                root: input.root.clone(),
            };
            (source, i < inputs.len())
        })
        .chain(buffers.iter().map(|b| {
            let source = SourceFile {
                path: b.path.clone(),
                root: buffer_root(&b.path),
            };
            (source, true)
        }));
    let mut model = Model::default();
    let mut outcome = Outcome::default();
    // Whether each file's findings are reported (context files': never).
    let mut reported = Vec::with_capacity(results.len());
    let mut findings = Vec::new();
    for ((source, report), result) in sources.zip(results) {
        reported.push(report);
        if report {
            match result.skipped {
                Some(reason) => outcome.skipped.push(Skipped {
                    path: source.path.clone(),
                    reason,
                }),
                None => outcome.files_checked += 1,
            }
            findings.extend(result.findings);
        }
        model.files.push(source);
        model.extend(result.model);
    }
    link::link(&mut model);
    findings.extend(rules::run(&model));
    findings.retain(|f| reported.get(f.loc.file as usize).copied().unwrap_or(true));
    rules::sort_and_dedup(&mut findings);
    outcome.findings = findings;
    outcome.files = model.files;
    outcome
}

/// The project root of each path given, per [`ProjectRoot`]; `None` where linking stays
/// within the path itself.
fn project_root_of(arg: &Path, project_root: &ProjectRoot, cwd: &Path) -> Option<PathBuf> {
    let abs = walk::absolute(arg, cwd);
    let root = match project_root {
        ProjectRoot::Argument => return None,
        ProjectRoot::Repository => walk::repository_root(&abs)?,
        ProjectRoot::Dir(dir) => walk::absolute(dir, cwd),
    };
    abs.starts_with(&root).then_some(root)
}

/// Raise the inputs' roots to their project root and list the context files: the spec files
/// directly in each directory strictly between a path given and its root, plus the root
/// itself, that are not checked anyway.
fn link_context(paths: &[PathBuf], inputs: &mut [Input], project_root: &ProjectRoot) -> Context {
    let Ok(cwd) = std::env::current_dir() else {
        return Context::default();
    };
    // Inputs from a directory argument have it as their root; a file argument is its own path.
    let mut roots: HashMap<&Path, PathBuf> = HashMap::new();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for arg in paths {
        let Some(root) = project_root_of(arg, project_root, &cwd) else {
            continue;
        };
        let abs = walk::absolute(arg, &cwd);
        for dir in abs.ancestors().skip(1) {
            if !dir.starts_with(&root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
        roots.insert(arg.as_path(), root);
    }
    if roots.is_empty() {
        return Context::default();
    }
    for input in inputs.iter_mut() {
        let root = roots
            .get(input.path.as_path())
            .or_else(|| roots.get(input.root.as_path()));
        if let Some(root) = root {
            input.root = root.clone();
        }
    }
    let checked: HashSet<PathBuf> = inputs
        .iter()
        .map(|i| walk::absolute(&i.path, &cwd))
        .collect();
    Context {
        files: context_files(&dirs, &checked, &cwd),
        root: None,
    }
}

/// The spec files directly in `dirs` that are not in `checked` (absolute paths), as context
/// inputs, with paths relative to `cwd` (`../project.yaml` when above it).
pub fn context_files(
    dirs: &BTreeSet<PathBuf>,
    checked: &HashSet<PathBuf>,
    cwd: &Path,
) -> Vec<Input> {
    let mut files = Vec::new();
    for dir in dirs {
        for path in walk::spec_files_in(dir) {
            let abs = walk::absolute(&path, cwd);
            if checked.contains(&abs) {
                continue;
            }
            files.push(Input {
                path: walk::relative(&abs, cwd),
                root: dir.clone(),
            });
        }
    }
    files
}

/// The context of one file being edited (absolute `path`), for a language server: the spec
/// files of its directory and each ancestor up to `root`, other than the file itself.
pub fn context_of(path: &Path, root: &Path) -> Context {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut dirs = BTreeSet::new();
    if path.starts_with(root) {
        for dir in path.ancestors().skip(1) {
            if !dir.starts_with(root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
    }
    let checked = HashSet::from([path.to_path_buf()]);
    Context {
        files: context_files(&dirs, &checked, &cwd),
        root: Some(root.to_path_buf()),
    }
}

fn file_id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The parser for a path: `.json` is JSON, everything else YAML.
pub fn syntax_of(path: &Path) -> Syntax {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// What one file contributed.
#[derive(Debug, Default)]
struct FileResult {
    model: Model,
    findings: Vec<Finding>,
    skipped: Option<String>,
}

impl FileResult {
    fn skipped(reason: String) -> FileResult {
        FileResult {
            skipped: Some(reason),
            ..FileResult::default()
        }
    }
}

/// Read a file as text. Errors are the reason it is skipped.
fn read(path: &Path, options: &Options) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > options.max_file_size {
        return Err(format!(
            "file is {} bytes, larger than the {}-byte limit (--max-file-size)",
            meta.len(),
            options.max_file_size
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    decode(bytes)
}

/// Bytes to text: UTF-8 (with or without BOM), or UTF-16 with a BOM. Binary files and other
/// encodings are skipped.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |le: bool, body: &[u8]| -> Result<String, String> {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0,
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "invalid UTF-16 text".to_string())
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, body @ ..] => return utf16(true, body),
        [0xFE, 0xFF, body @ ..] => return utf16(false, body),
        _ => {}
    }
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or(&[]);
    if memchr::memchr(0, head).is_some() {
        return Err("binary file (contains NUL bytes)".to_string());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Parse and adapt one file.
fn process(file: u32, text: &str, syntax: Syntax, options: &Options) -> FileResult {
    let mut result = FileResult::default();
    let which = adapters::applicable(text);
    if which.is_empty() {
        return result;
    }
    let index = LineIndex::new(text);
    let ctx = LocCtx {
        file,
        text,
        index: &index,
    };
    match document::parse(text, syntax, &options.limits) {
        Ok(doc) => {
            for root in &doc.roots {
                adapters::adapt(&ctx, root, which, &mut result.model);
            }
            if !result.model.is_empty() {
                for w in &doc.warnings {
                    let mut finding = Finding::new(
                        &INVALID_SPEC,
                        &ctx.loc_of(w.span, ""),
                        w.message.clone(),
                        "remove the duplicate so that every tool reads the same value",
                    );
                    if let Some(related) = w.related {
                        finding = finding.with_label(&ctx.loc_of(related, ""), "first occurrence");
                    }
                    result.findings.push(finding);
                }
            }
        }
        Err(err) => {
            // Unrendered templates (Helm, Go templates) are not specs: render them first.
            if text.contains("{{") {
                return result;
            }
            let span = clamp(err.span, text.len());
            result.findings.push(Finding::new(
                &INVALID_SPEC,
                &ctx.loc_of(span, ""),
                format!(
                    "this file looks like an Atlas spec but does not parse: {}",
                    err.message
                ),
                match syntax {
                    Syntax::Json => "fix the JSON syntax; nothing in this file was checked",
                    Syntax::Yaml => "fix the YAML syntax; nothing in this file was checked",
                },
            ));
        }
    }
    result
}

fn clamp(span: Span, len: usize) -> Span {
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    Span {
        start: span.start.min(len),
        end: span.end.min(len).max(span.start.min(len)),
    }
}
