//! Orchestration: walk → read → pre-filter → parse → adapt → link → rules.

use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::adapters;
use crate::adapters::terraform::module::{self as tf_module, HclFile};
use crate::config::Config;
use crate::document::{self, Document, Entry, Limits, LineIndex, Node, Span, Syntax, Value};
use crate::filter;
use crate::model::{Field, Loc, LocCtx, Model, SourceFile, link};
use crate::rules::{self, Finding, INVALID_SPEC};
use crate::suppress::{self, Comments, Directive};
use crate::walk::{self, Input};

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are skipped with a notice.
    pub max_file_size: u64,
    pub limits: Limits,
    /// The config file, if any: its `exclude` patterns and `default-region-usage` apply here,
    /// and it is registered as a file so that findings can point into it.
    pub config: Option<Arc<Config>>,
    /// The current directory (config globs are relative to the config's directory).
    pub cwd: PathBuf,
    /// Files the run itself reads or writes (baseline, report): never checked as specs.
    pub own_files: Vec<PathBuf>,
    /// How far up project linking looks for a project body (see [`ProjectRoot`]).
    pub project_root: ProjectRoot,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: 64 * 1024 * 1024,
            limits: Limits::default(),
            config: None,
            cwd: std::env::current_dir().unwrap_or_default(),
            own_files: Vec::new(),
            project_root: ProjectRoot::default(),
        }
    }
}

/// How far up project linking may look for the project body of a checked file.
///
/// Below the root, linking also reads the spec files that sit directly in the directories
/// between a checked path and the root ("context files", see [`Context`]): they are parsed and
/// adapted so that their projects can be linked, but they are not counted as checked and their
/// own findings are never reported. This is what lets a pre-commit hook, which is given only
/// the staged files, or an editor, which checks one buffer, find a cluster's project on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProjectRoot {
    /// Never above the path given (for a file, its own directory), and only checked files
    /// count.
    #[default]
    Argument,
    /// For each file given (and standard input named by `--stdin-filename`): the root of the
    /// git work tree holding it (the nearest ancestor with a `.git`); outside a repository, and
    /// for directories given, as [`ProjectRoot::Argument`]. The command line's default: a
    /// file given alone (by a pre-commit hook, an editor) is a selection from its repository,
    /// while a directory given is the tree to check.
    Repository,
    /// This directory, for the paths given below it, files and directories alike (others keep
    /// [`ProjectRoot::Argument`]).
    Dir(PathBuf),
}

/// Files read only for project linking (see [`ProjectRoot`]).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The spec files of the directories between the checked paths and their root.
    pub files: Vec<Input>,
    /// Project roots (absolute): a buffer links up to the innermost one holding it (a buffer
    /// under none links in its own directory only).
    pub roots: Vec<PathBuf>,
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
    /// The texts reporting needs, for snippets and fingerprints: of the files with findings
    /// or `atlasgov-lint:` directives, and of the config file (see [`load_texts`]).
    pub texts: HashMap<u32, Arc<str>>,
    /// `atlasgov-lint:` comments found in the checked files.
    pub directives: Vec<Directive>,
    /// Files that look like specs but did not parse (nothing in them was checked).
    pub parse_failed: HashSet<u32>,
    /// The config file's id in `files` (after the files and buffers), when a config was used.
    pub config_file: Option<u32>,
    /// What the filtering stage did (empty until [`filter::apply`] runs).
    pub filtered: filter::Report,
    /// Files read only for project linking ([`Context`]): not checked, never reported on.
    pub context: HashSet<u32>,
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
    /// The text of a file with findings or directives (`None` if it changed since it was
    /// checked).
    pub fn text(&self, file: u32) -> Option<&str> {
        self.texts.get(&file).map(|t| &**t)
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
    check_paths_and_buffers(paths, &[], options)
}

/// Check everything under `paths` plus in-memory buffers (standard input). The buffers come
/// after the files (and the context files): buffer `j` has file id
/// `files.len() - buffers.len() + j` in the outcome, less one when a config file is used (it
/// is registered last, see [`Outcome::config_file`]).
pub fn check_paths_and_buffers(
    paths: &[PathBuf],
    buffers: &[Buffer],
    options: &Options,
) -> Outcome {
    let (mut inputs, mut problems) = walk::collect(paths);
    // Config files are not specs; excluded paths are not read at all.
    let own: Vec<PathBuf> = options
        .own_files
        .iter()
        .map(|p| crate::config::normalize(&options.cwd.join(p)))
        .collect();
    let wanted = |i: &Input| {
        i.path.file_name() != Some(std::ffi::OsStr::new(crate::config::FILE_NAME))
            && (own.is_empty()
                || !own.contains(&crate::config::normalize(&options.cwd.join(&i.path))))
            && options.config.as_ref().is_none_or(|config| {
                !config.is_excluded(&options.cwd, &i.path) && !config.is_file(&options.cwd, &i.path)
            })
    };
    inputs.retain(wanted);
    if let Some(config) = &options.config {
        problems.retain(|p| !config.is_excluded(&options.cwd, &p.path));
    }
    let mut context = link_context(paths, &mut inputs, buffers, options);
    context.files.retain(wanted);
    let mut outcome = check_with_context(&inputs, buffers, &context, options);
    outcome
        .skipped
        .extend(problems.into_iter().map(|p| Skipped {
            path: p.path,
            reason: p.message,
        }));
    // The walk's own order depends on the directory listing: sort for stable output.
    outcome.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    outcome
}

/// Check files on disk plus in-memory buffers.
pub fn check_inputs(inputs: &[Input], buffers: &[Buffer], options: &Options) -> Outcome {
    check_with_context(inputs, buffers, &Context::default(), options)
}

/// Check files on disk plus in-memory buffers, with context files read for project linking
/// only. File ids: the inputs, then the context files, then the buffers.
pub fn check_with_context(
    inputs: &[Input],
    buffers: &[Buffer],
    context: &Context,
    options: &Options,
) -> Outcome {
    let disk: Vec<&Input> = inputs.iter().chain(&context.files).collect();
    adapters::expect_files(disk.len() + buffers.len());
    let buffer_root = |path: &Path| -> PathBuf {
        let abs = walk::absolute(path, &options.cwd);
        context
            .roots
            .iter()
            .filter(|r| abs.starts_with(r))
            .max_by_key(|r| r.components().count())
            .cloned()
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default())
    };
    let mut run = Run {
        model: Model::default(),
        outcome: Outcome::default(),
        findings: Vec::new(),
        terraform: Vec::new(),
        digests: HashMap::new(),
        context_ids: inputs.len()..disk.len(),
    };
    // Files are parsed in parallel a chunk at a time and each chunk's results folded into
    // the model before the next: memory holds the model and one chunk's documents, not every
    // file's intermediate results at once.
    let process_chunk = |c: usize, chunk: &[&Input]| -> Vec<Processed> {
        map_maybe_parallel(chunk, |k, input| match read(&input.path, options) {
            Ok(text) => {
                let result = process_file(
                    file_id(c * CHUNK + k),
                    &input.path,
                    &text,
                    syntax_of(&input.path),
                    Comments::of(&input.path),
                    options,
                );
                // Not kept: read again at the end if reporting needs it.
                let digest = (result.contributed && result.text.is_none()).then(|| digest(&text));
                (result, digest)
            }
            Err(reason) => (FileResult::skipped(reason), None),
        })
    };
    let absorb = |run: &mut Run, chunk: &[&Input], results: Vec<Processed>| {
        for (input, (result, digest)) in chunk.iter().zip(results) {
            let source = SourceFile {
                path: input.path.clone(),
                root: input.root.clone(),
            };
            run.absorb(source, result, digest);
        }
    };
    // While one chunk is folded in (on this thread), the next is parsed (on the pool).
    let mut pending: Option<(&[&Input], Vec<Processed>)> = None;
    for (c, chunk) in disk.chunks(CHUNK).enumerate() {
        let previous = pending.take();
        let fold = || {
            if let Some((done, results)) = previous {
                absorb(&mut run, done, results);
            }
        };
        let parse = || process_chunk(c, chunk);
        let ((), results) = if disk.len() < PARALLEL_MIN {
            (fold(), parse())
        } else {
            rayon::join(fold, parse)
        };
        pending = Some((chunk, results));
    }
    if let Some((done, results)) = pending {
        absorb(&mut run, done, results);
    }
    for buffer in buffers {
        let file = file_id(run.model.files.len());
        let mut result = process_file(
            file,
            &buffer.path,
            &buffer.text,
            syntax_of(&buffer.path),
            Comments::of(&buffer.path),
            options,
        );
        if result.contributed && result.text.is_none() {
            result.text = Some(Arc::from(buffer.text.as_str()));
        }
        let source = SourceFile {
            path: buffer.path.clone(),
            root: buffer_root(&buffer.path),
        };
        run.absorb(source, result, None);
    }
    let Run {
        mut model,
        mut outcome,
        mut findings,
        terraform,
        digests,
        ..
    } = run;
    // Terraform modules span the files of a directory: resolved once all are parsed.
    let files = std::mem::take(&mut model.files);
    tf_module::resolve(terraform, &files, &mut model);
    model.files = files;
    if let Some(config) = &options.config {
        let file = file_id(model.files.len());
        outcome.config_file = Some(file);
        outcome.texts.insert(file, config.text.clone());
        model.files.push(SourceFile {
            path: config.path.clone(),
            root: config.dir.clone(),
        });
        model.default_region_usage = config.default_region_usage.as_ref().map(|s| Field {
            value: s.value.as_str().into(),
            loc: Loc {
                file,
                span: s.pos.span,
                start: s.pos.start,
                end: s.pos.end,
                pointer: s.pos.pointer.as_str().into(),
                via: None,
            },
        });
    }
    link::link(&mut model);
    findings.extend(rules::run(&model));
    findings.retain(|f| !outcome.context.contains(&f.loc.file));
    rules::sort_and_dedup(&mut findings);
    outcome.findings = findings;
    outcome.files = model.files;
    load_texts(&mut outcome, &digests, options);
    outcome
}

/// A file's result, and the digest of its text when the text was not kept.
type Processed = (FileResult, Option<u64>);

/// Files parsed in parallel before their results are folded into the model.
const CHUNK: usize = 256;

/// Below this many files, work runs on the calling thread: starting the thread pool costs
/// more than it saves (a pre-commit hook or an editor checks one file and its context).
const PARALLEL_MIN: usize = 64;

/// `f` over `items` with their indices, in order; in parallel when there are enough of them.
fn map_maybe_parallel<I: Sync, T: Send>(items: &[I], f: impl Fn(usize, &I) -> T + Sync) -> Vec<T> {
    if items.len() < PARALLEL_MIN {
        items
            .iter()
            .enumerate()
            .map(|(k, item)| f(k, item))
            .collect()
    } else {
        items
            .par_iter()
            .enumerate()
            .map(|(k, item)| f(k, item))
            .collect()
    }
}

/// The run's state while file results are folded in, in file order.
struct Run {
    model: Model,
    outcome: Outcome,
    findings: Vec<Finding>,
    terraform: Vec<HclFile>,
    digests: HashMap<u32, u64>,
    /// The ids of context files (read for linking only).
    context_ids: std::ops::Range<usize>,
}

impl Run {
    /// Fold in the result of the next file (its id is the number of files so far).
    fn absorb(&mut self, source: SourceFile, result: FileResult, digest: Option<u64>) {
        let i = self.model.files.len();
        let file = file_id(i);
        let outcome = &mut self.outcome;
        if let Some(text) = result.text {
            outcome.texts.insert(file, text);
        }
        if let Some(digest) = digest {
            self.digests.insert(file, digest);
        }
        if result.parse_failed {
            outcome.parse_failed.insert(file);
        }
        // A context file's directives still apply (a suppression where a value was set), but
        // the filtering stage reports nothing about them.
        outcome.directives.extend(result.directives);
        if self.context_ids.contains(&i) {
            outcome.context.insert(file);
        } else {
            match result.skipped {
                Some(reason) => outcome.skipped.push(Skipped {
                    path: source.path.clone(),
                    reason,
                }),
                None => outcome.files_checked += 1,
            }
            self.findings.extend(result.findings);
        }
        self.model.files.push(source);
        self.model.extend(result.model);
        self.terraform.extend(result.terraform);
    }
}

/// A digest of a file's text, to tell whether it changed before it is read again (not
/// against an adversary: someone who can rewrite the file can change the findings anyway).
/// FxHash's mixing over 8-byte words: a fraction of SipHash's cost on every spec read.
fn digest(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let bytes = text.as_bytes();
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(w);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// Keep the texts that reporting needs, and only those: the files with findings or
/// `atlasgov-lint:` directives (the filtering stage reports on those) and the config file.
/// Files on disk were not kept while the run went on (that would hold every spec of a
/// monorepo in memory at once): they are read again here, and a file that changed in the
/// meantime (its digest differs) is reported without snippets rather than with wrong ones.
fn load_texts(outcome: &mut Outcome, digests: &HashMap<u32, u64>, options: &Options) {
    let mut needed: HashSet<u32> = outcome
        .findings
        .iter()
        .flat_map(|f| std::iter::once(f.loc.file).chain(f.related.iter().map(|l| l.loc.file)))
        .chain(outcome.directives.iter().map(|d| d.loc.file))
        .collect();
    needed.extend(outcome.config_file);
    outcome.texts.retain(|file, _| needed.contains(file));
    let missing: Vec<(u32, u64)> = needed
        .iter()
        .filter(|file| !outcome.texts.contains_key(file))
        .filter_map(|file| Some((*file, *digests.get(file)?)))
        .collect();
    let reread = map_maybe_parallel(&missing, |_, &(file, expected)| {
        let text = read(outcome.path(file), options).ok()?;
        (digest(&text) == expected).then(|| (file, Arc::from(text)))
    });
    outcome.texts.extend(reread.into_iter().flatten());
}

/// The project root of a path given (absolute), per [`ProjectRoot`]; `None` where linking
/// stays within the path itself.
fn project_root_of(abs: &Path, project_root: &ProjectRoot, cwd: &Path) -> Option<PathBuf> {
    let root = match project_root {
        ProjectRoot::Argument => return None,
        ProjectRoot::Repository => walk::repository_root(abs)?,
        ProjectRoot::Dir(dir) => walk::absolute(dir, cwd),
    };
    abs.starts_with(&root).then_some(root)
}

/// Raise the inputs' roots to their project root and list the context files: the spec files
/// directly in each directory from a path given up to its root (strictly above a directory
/// given, which is walked anyway), other than the inputs and buffers.
fn link_context(
    paths: &[PathBuf],
    inputs: &mut [Input],
    buffers: &[Buffer],
    options: &Options,
) -> Context {
    let (cwd, project_root) = (&options.cwd, &options.project_root);
    // Inputs from a directory argument have it as their root; a file argument is its own path.
    let mut roots: HashMap<&Path, PathBuf> = HashMap::new();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut buffer_roots = Vec::new();
    let given = paths.iter().filter(|p| match project_root {
        ProjectRoot::Repository => !p.is_dir(),
        _ => true,
    });
    let named = buffers
        .iter()
        .map(|b| &b.path)
        .filter(|p| p.as_os_str() != crate::STDIN_NAME);
    let all = given.map(|p| (p, false)).chain(named.map(|p| (p, true)));
    for (path, is_buffer) in all {
        let abs = walk::absolute(path, cwd);
        let Some(root) = project_root_of(&abs, project_root, cwd) else {
            continue;
        };
        for dir in abs.ancestors().skip(1) {
            if !dir.starts_with(&root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
        if is_buffer {
            buffer_roots.push(root);
        } else {
            roots.insert(path.as_path(), root);
        }
    }
    if dirs.is_empty() {
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
        .map(|i| &i.path)
        .chain(buffers.iter().map(|b| &b.path))
        .map(|p| walk::absolute(p, cwd))
        .collect();
    Context {
        files: context_files(&dirs, &checked, Some(cwd)),
        roots: buffer_roots,
    }
}

/// The spec files directly in `dirs` that are not in `checked` (absolute paths), as context
/// inputs: with paths relative to `cwd` (`../project.yaml` when above it), which must be the
/// process's current directory, or absolute when `cwd` is `None`.
fn context_files(
    dirs: &BTreeSet<PathBuf>,
    checked: &HashSet<PathBuf>,
    cwd: Option<&Path>,
) -> Vec<Input> {
    let mut files = Vec::new();
    for path in walk::spec_files_in(dirs.iter().map(PathBuf::as_path)) {
        let abs = match cwd {
            Some(cwd) => walk::absolute(&path, cwd),
            None => path,
        };
        if checked.contains(&abs) {
            continue;
        }
        files.push(Input {
            path: cwd.map_or_else(|| abs.clone(), |cwd| walk::relative(&abs, cwd)),
            root: abs.parent().map(Path::to_path_buf).unwrap_or_default(),
        });
    }
    files
}

/// The context of one file being edited (absolute `path`), for a language server: the spec
/// files of its directory and each ancestor up to `root` (absolute), other than the file
/// itself (and other than the config file and what the config excludes), with absolute paths.
pub fn context_of(path: &Path, root: &Path, options: &Options) -> Context {
    let cwd = &options.cwd;
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
    let mut files = context_files(&dirs, &checked, None);
    files.retain(|i| {
        i.path.file_name() != Some(std::ffi::OsStr::new(crate::config::FILE_NAME))
            && options.config.as_ref().is_none_or(|config| {
                !config.is_excluded(cwd, &i.path) && !config.is_file(cwd, &i.path)
            })
    });
    Context {
        files,
        roots: vec![root.to_path_buf()],
    }
}

fn file_id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The parser for a path: `.json` is JSON, `.tf` and `.tfvars` are HCL, everything else YAML.
pub fn syntax_of(path: &Path) -> Syntax {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => Syntax::Json,
        Some(e) if e.eq_ignore_ascii_case("tf") || e.eq_ignore_ascii_case("tfvars") => Syntax::Hcl,
        _ => Syntax::Yaml,
    }
}

/// What one file contributed.
#[derive(Debug, Default)]
struct FileResult {
    model: Model,
    findings: Vec<Finding>,
    skipped: Option<String>,
    directives: Vec<Directive>,
    parse_failed: bool,
    /// Which adapters the pre-filter chose (computed once per file).
    applicable: adapters::Applicable,
    /// Whether the file contributed anything (model values, findings, directives): its text
    /// may be needed for snippets and fingerprints.
    contributed: bool,
    /// The text, when it is kept for the whole run (Terraform files, for the module step;
    /// in-memory buffers). A file on disk keeps only a digest instead, and is read again
    /// at the end if it has findings ([`load_texts`]).
    text: Option<Arc<str>>,
    /// A Terraform file's part of its module (see `adapters::terraform::module`).
    terraform: Option<HclFile>,
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
///
/// Never blocks on a special file and never holds more than the size limit in memory: the
/// path is checked to be a regular file before it is opened (opening a FIFO waits for a
/// writer), opened without blocking in case it was replaced in between, checked again through
/// the open handle, and read up to one byte past the limit (it may grow while being read).
fn read(path: &Path, options: &Options) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot read: {e}");
    let limit = options.max_file_size;
    let too_large = |len: u64| {
        format!("file is {len} bytes, larger than the {limit}-byte limit (--max-file-size)")
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(walk::not_regular(meta.file_type()));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let file = open_without_blocking(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(walk::not_regular(meta.file_type()));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let capacity = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    // The file as it was when looked at: its size then, in one read (no second read to find
    // the end). A file that reports no size (as some virtual files do) is read to its end,
    // within the limit.
    let want = if meta.len() == 0 {
        limit.saturating_add(1)
    } else {
        meta.len()
    };
    std::io::Read::read_to_end(&mut std::io::Read::take(file, want), &mut bytes).map_err(cannot)?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > limit {
        return Err(format!(
            "file grew past the {limit}-byte limit (--max-file-size) while being read"
        ));
    }
    decode(bytes)
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
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
        [0xFF, 0xFE, body @ ..] | [0xFE, 0xFF, body @ ..] if body.len() % 2 == 1 => {
            return Err("invalid UTF-16 text (an odd number of bytes)".to_string());
        }
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

/// Parse and adapt one file, then read its `atlasgov-lint:` directives, and note whether it
/// contributed anything (its text may be needed for reporting).
fn process_file(
    file: u32,
    path: &Path,
    text: &str,
    syntax: Syntax,
    comments: Comments,
    options: &Options,
) -> FileResult {
    guarded(file, path, text, || {
        process_file_unguarded(file, path, text, syntax, comments, options)
    })
}

/// Run the work on one file so that a bug (a panic) fails that file, not the run: the other
/// files are still checked, and the file gets a GOV000 error, so the run cannot pass as if it
/// had been read. (The code denies `unwrap`, indexing and `panic!`; this is the net under it.)
fn guarded(file: u32, path: &Path, text: &str, work: impl FnOnce() -> FileResult) -> FileResult {
    let payload = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(result) => return result,
        Err(payload) => payload,
    };
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let index = LineIndex::new(text);
    let ctx = LocCtx {
        file,
        path,
        text,
        index: &index,
        template_actions: &[],
    };
    FileResult {
        findings: vec![Finding::new(
            &INVALID_SPEC,
            &ctx.loc_of(Span::new(0, 0), ""),
            format!(
                "atlasgov-lint failed on this file (a bug: please report it): {what}; nothing in this file was checked"
            ),
            "report the file (or a copy without secrets) to the maintainers; until it is fixed, exclude it in the config",
        )],
        parse_failed: true,
        ..FileResult::default()
    }
}

fn process_file_unguarded(
    file: u32,
    path: &Path,
    text: &str,
    syntax: Syntax,
    comments: Comments,
    options: &Options,
) -> FileResult {
    let mut result = process(file, path, text, syntax, options);
    // Terraform variables files name no Atlas field, but a value set there (a variable's
    // default) can be suppressed where it is set.
    if memchr::memmem::find(text.as_bytes(), suppress::MARKER.as_bytes()).is_some()
        && (result.terraform.is_some() || !result.applicable.is_empty())
    {
        let index = LineIndex::new(text);
        let ctx = LocCtx {
            file,
            path,
            text,
            index: &index,
            template_actions: &[],
        };
        result.directives = suppress::scan(&ctx, comments);
    }
    // A Terraform file's resources become model values in the module step, later.
    result.text = result.terraform.as_ref().and_then(HclFile::shared_text);
    result.contributed = result.text.is_some()
        || !result.model.is_empty()
        || !result.model.auth_mechanisms.is_empty()
        || !result.model.endpoints.is_empty()
        || !result.findings.is_empty()
        || !result.directives.is_empty();
    result
}

/// Parse a template's blanked text (see `document::template`) and adapt it, its actions
/// unknowns. On a parse error nothing is adapted.
fn adapt_template(
    ctx: &LocCtx<'_>,
    blanked: &str,
    actions: &[Span],
    syntax: Syntax,
    options: &Options,
    which: adapters::Applicable,
    result: &mut FileResult,
) -> Result<(), document::ParseError> {
    let mut doc = document::parse(blanked, syntax, &options.limits)?;
    for root in &mut doc.roots {
        document::template::mark(root, actions, ctx.text);
    }
    let ctx = &LocCtx {
        template_actions: actions,
        ..*ctx
    };
    // Keys repeated across a template's branches (an action between them) are not duplicates
    // (`mark` made their values unknown); other repeats are, as in any file.
    doc.warnings.retain(|w| {
        w.related.is_none_or(|first| {
            !document::template::action_between(actions, first.start, w.span.start)
        })
    });
    adapt_documents(ctx, doc, which, result);
    Ok(())
}

/// Parse and adapt one file.
fn process(file: u32, path: &Path, text: &str, syntax: Syntax, options: &Options) -> FileResult {
    let which = adapters::applicable(text);
    let mut result = FileResult {
        applicable: which,
        ..FileResult::default()
    };
    // Terraform variables and tfvars matter to the resources of other files of their module.
    let json_tfvars = syntax == Syntax::Json && tf_module::is_loaded_tfvars(path);
    let hcl_wanted =
        json_tfvars || (syntax == Syntax::Hcl && tf_module::wanted_without_needle(path, text));
    if which.is_empty() && !hcl_wanted {
        return result;
    }
    let index = LineIndex::new(text);
    let ctx = LocCtx {
        file,
        path,
        text,
        index: &index,
        template_actions: &[],
    };
    match document::parse(text, syntax, &options.limits) {
        Ok(doc) if syntax == Syntax::Hcl => {
            if let Some(root) = doc.roots.first() {
                adapters::adapt_hcl(&ctx, root, which, &mut result.model);
            }
            result.terraform = doc
                .roots
                .into_iter()
                .next()
                .and_then(|root| HclFile::new(&ctx, path, root, index.clone()));
        }
        // `terraform.tfvars.json`, `*.auto.tfvars.json`: variable values for the module step.
        Ok(doc) if json_tfvars => {
            result.terraform = doc
                .roots
                .first()
                .cloned()
                .and_then(|root| HclFile::new(&ctx, path, root, index.clone()));
            // It is a JSON file like any other for the any-file adapter.
            adapt_documents(&ctx, doc, which, &mut result);
        }
        Ok(doc) => {
            // An unquoted action (`region: {{ .Values.region }}`) parses as a flow mapping:
            // read such a file as the template it is.
            let template = (syntax != Syntax::Hcl
                && memchr::memmem::find(text.as_bytes(), b"{{").is_some())
            .then(|| document::template::blank(text))
            .flatten()
            .filter(|(_, actions)| document::template::read_as_structure(&doc.roots, actions));
            match template {
                Some((blanked, actions))
                    if adapt_template(
                        &ctx,
                        &blanked,
                        &actions,
                        syntax,
                        options,
                        which,
                        &mut result,
                    )
                    .is_ok() => {}
                _ => adapt_documents(&ctx, doc, which, &mut result),
            }
        }
        Err(err) => {
            // Terraform files that do not name the provider are not Atlas specs; but a
            // variables file Terraform loads by itself that does not parse would leave the
            // module's variables at their defaults, unseen (Terraform itself refuses it).
            let tfvars = tf_module::is_loaded_tfvars(path);
            if which.is_empty() && !tfvars {
                return result;
            }
            // An unrendered template (a Helm chart's manifest): what it says literally is
            // checked, its actions are unknowns (see `document::template`).
            let mut err = err;
            if syntax != Syntax::Hcl {
                if let Some((blanked, actions)) = document::template::blank(text) {
                    match adapt_template(
                        &ctx,
                        &blanked,
                        &actions,
                        syntax,
                        options,
                        which,
                        &mut result,
                    ) {
                        Ok(()) => return result,
                        Err(e) => {
                            let line = |at: u32| index.line_col(text, at).line;
                            // An action on the failing line or the one above it is the
                            // likely cause; an error elsewhere is the file's own.
                            let at = line(e.span.start);
                            let near = |a: &Span| {
                                (line(a.start)..=line(a.end).saturating_add(1)).contains(&at)
                            };
                            if actions.iter().any(near) {
                                result.skipped = Some(
                                    "an unrendered template ({{ }}) that does not parse as it \
                                     stands: render it (e.g. `helm template`) and check the output"
                                        .to_string(),
                                );
                                return result;
                            }
                            err = e;
                        }
                    }
                }
            }
            result.parse_failed = true;
            let span = clamp(err.span, text.len());
            result.findings.push(Finding::new(
                &INVALID_SPEC,
                &ctx.loc_of(span, ""),
                if which.is_empty() {
                    format!(
                        "this variables file does not parse, so the values it sets were not read: {}",
                        err.message
                    )
                } else {
                    format!(
                        "this file looks like an Atlas spec but does not parse: {}",
                        err.message
                    )
                },
                match syntax {
                    Syntax::Json => "fix the JSON syntax; nothing in this file was checked",
                    Syntax::Yaml => "fix the YAML syntax; nothing in this file was checked",
                    Syntax::Hcl => "fix the HCL syntax; nothing in this file was checked",
                },
            ));
        }
    }
    result
}

/// Adapt the documents of a parsed YAML or JSON file, and report the duplicate keys of those
/// that are Atlas specs.
fn adapt_documents(
    ctx: &LocCtx<'_>,
    doc: Document,
    which: adapters::Applicable,
    result: &mut FileResult,
) {
    // Documents that gave the model something: only their duplicate keys are
    // reported (a ConfigMap beside an AtlasProject in one stream is not an Atlas body).
    let mut atlas_docs: Vec<Span> = Vec::new();
    for root in &doc.roots {
        let mut part = Model::default();
        adapters::adapt(ctx, root, which, &mut part);
        let has_duplicates = || {
            doc.warnings
                .iter()
                .any(|w| w.related.is_some() && within(root.span, w.span))
        };
        // The rules read the last of duplicate keys. A document that is Atlas only
        // when the first one wins (`kind: AtlasDeployment` ... `kind: ConfigMap`) must
        // not pass unseen: its duplicates are reported too.
        if !part.is_empty() || (has_duplicates() && is_atlas_first_wins(ctx, root, which)) {
            atlas_docs.push(root.span);
        }
        result.model.extend(part);
    }
    let in_atlas_doc = |s: Span| atlas_docs.iter().any(|d| within(*d, s));
    for w in doc.warnings.iter().filter(|w| in_atlas_doc(w.span)) {
        let mut finding = Finding::new(
            &INVALID_SPEC,
            &ctx.loc_of(w.span, ""),
            w.message.clone(),
            if w.related.is_some() {
                "remove the duplicate so that every tool reads the same value"
            } else {
                "fix this so that every tool reads the same value"
            },
        );
        if let Some(related) = w.related {
            finding = finding.with_label(&ctx.loc_of(related, ""), "first occurrence");
        }
        result.findings.push(finding);
    }
}

fn within(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Whether a document gives the model anything when the first of duplicate keys wins.
fn is_atlas_first_wins(ctx: &LocCtx<'_>, root: &Node, which: adapters::Applicable) -> bool {
    let mut part = Model::default();
    adapters::adapt(ctx, &first_wins(root), which, &mut part);
    !part.is_empty()
}

/// A copy of a tree in which every mapping keeps only the first of duplicate keys. Recursion
/// is bounded by the parsers' depth limit.
fn first_wins(node: &Node) -> Node {
    let value = match &node.value {
        Value::Map(entries) => {
            let mut seen = HashSet::new();
            Value::Map(
                entries
                    .iter()
                    .filter(|e| e.key.scalar_text().is_none_or(|k| seen.insert(k)))
                    .map(|e| Entry {
                        key: e.key.clone(),
                        value: first_wins(&e.value),
                    })
                    .collect(),
            )
        }
        Value::Seq(items) => Value::Seq(items.iter().map(first_wins).collect()),
        other => other.clone(),
    };
    Node {
        value,
        span: node.span,
        tag: node.tag.clone(),
    }
}

fn clamp(span: Span, len: usize) -> Span {
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    Span {
        start: span.start.min(len),
        end: span.end.min(len).max(span.start.min(len)),
    }
}

#[cfg(test)]
mod guard_tests {
    use super::*;

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_on_one_file_is_a_finding_on_that_file() {
        let result = guarded(3, Path::new("x.yaml"), "a: b\n", || panic!("boom"));
        assert_eq!(result.findings.len(), 1);
        let f = result
            .findings
            .first()
            .map(|f| (f.rule.code, f.loc.file, f.message.clone()));
        assert_eq!(
            f,
            Some((
                "GOV000",
                3,
                "atlasgov-lint failed on this file (a bug: please report it): boom; nothing in this file was checked".to_string()
            ))
        );
        assert!(result.parse_failed);
        let fine = guarded(0, Path::new("x.yaml"), "", FileResult::default);
        assert!(fine.findings.is_empty());
    }
}

#[cfg(test)]
mod text_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const AZURE: &str = r#"{"name": "a", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{"providerName": "AZURE", "regionName": "US_GOV_WEST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}"#;
    const GOV: &str = r#"{"name": "b", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_GOV_WEST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}"#;

    #[test]
    fn texts_are_kept_only_for_files_with_findings_and_never_stale() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, AZURE).unwrap();
        std::fs::write(dir.path().join("good.json"), GOV).unwrap();
        let options = Options::default();
        let (inputs, _) = walk::collect(&[dir.path().to_path_buf()]);
        let outcome = check_inputs(&inputs, &[], &options);
        let bad_id = outcome
            .files
            .iter()
            .position(|f| f.path == bad)
            .map(file_id)
            .unwrap();
        assert!(!outcome.findings.is_empty());
        assert!(outcome.findings.iter().all(|f| f.loc.file == bad_id));
        // The clean file's text is not kept; the violating one is read again, unchanged.
        assert_eq!(
            outcome.texts.keys().copied().collect::<Vec<_>>(),
            vec![bad_id]
        );
        assert_eq!(outcome.text(bad_id), Some(AZURE));

        // A file that changed after it was checked gets no text (no wrong snippet).
        let mut stale = outcome;
        stale.texts.clear();
        load_texts(
            &mut stale,
            &HashMap::from([(bad_id, digest(GOV))]),
            &options,
        );
        assert_eq!(stale.text(bad_id), None);
        load_texts(
            &mut stale,
            &HashMap::from([(bad_id, digest(AZURE))]),
            &options,
        );
        assert_eq!(stale.text(bad_id), Some(AZURE));
        // One changed byte anywhere changes the digest.
        for i in 0..AZURE.len() {
            let mut changed = AZURE.as_bytes().to_vec();
            changed[i] ^= 1;
            let changed = String::from_utf8(changed).unwrap();
            assert_ne!(digest(&changed), digest(AZURE), "byte {i}");
        }
        assert_ne!(digest("a"), digest("a\0"));
    }
}
