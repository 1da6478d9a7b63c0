//! The run: walk → read → pre-filter → parse → adapt (in parallel, per file) → the adapters'
//! multi-file steps → link → rules. It names no input format: adapters do.
//!
//! - `ingest`: one file, start to finish.
//! - `context`: project roots, and the files read only so that linking can reach a project.
//! - `texts`: the texts reporting needs, read again at the end.

mod context;
mod context_index;
mod ingest;
mod listing_cache;
mod texts;

use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use context::{Listings, Stamp, context_of, context_of_listed, stamp};
pub use context_index::default_cache_dir;
pub use listing_cache::ignore_files;

use crate::adapters;
use crate::config::{self, Config};
use crate::document::{Limits, LineIndex};
use crate::model::{Field, Loc, LocCtx, Model, SourceFile, link};
use crate::outcome::inventory::Inventory;
use crate::outcome::{Buffer, Outcome, Skipped};
use crate::paths;
use crate::rules::{self, Finding};
use crate::source::{
    self,
    walk::{self, Input},
};
use ingest::FileResult;

/// The conventional name of a baseline file (`--write-baseline .atlasgov-baseline.json`): like
/// the config file, a file of this name is the linter's own and never checked as a spec.
pub const BASELINE_FILE_NAME: &str = ".atlasgov-baseline.json";

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
    /// Keep a view of the linked projects and resources in [`Outcome::inventory`] (for the
    /// HTML report).
    pub inventory: bool,
    /// Users' policies, compiled once (`--policy`, the config's `policies`): run over the
    /// linked model after the built-in rules.
    pub policies: Option<Arc<crate::policy::Set>>,
    /// Keep the linked model as data in [`Outcome::model`] (`atlasgov-lint model`).
    pub model: bool,
    /// Parse only the context files that may give the checked files anything (see
    /// `context_index`); `false` parses every one (the answers are the same).
    pub context_prefilter: bool,
    /// Where the prefilter's index of context files is kept between runs (see
    /// `context_index`); `None`: in memory only.
    pub context_cache: Option<PathBuf>,
    /// Find where the secrets of every file read are (see `document::secrets`), so that what
    /// shows a spec's text masks them (human snippets, the HTML report, `--diff`). A run whose
    /// output shows no text (JSON, SARIF, ...) skips the search; a reporter that shows text
    /// anyway falls back to masking by line (see `report::redact`).
    pub secrets: bool,
    /// Keep the text of every file with findings for the report (snippets, fingerprints of
    /// the offending values); `false` keeps only what fixes edit and what the filter reports
    /// on: a report that shows neither text nor fingerprints (JSON, concise, JUnit) does not
    /// read every file with findings a second time.
    pub all_texts: bool,
    /// Texts that stand for files on disk, by absolute path: files are read from here first
    /// (`check --diff` checks its passes of fixes again without writing them).
    pub texts: Option<Arc<HashMap<PathBuf, Arc<str>>>>,
}

impl Options {
    /// The text of a file to check: its stand-in from [`Options::texts`], else read from disk
    /// (see [`source::read`]).
    pub fn read(&self, path: &Path) -> Result<String, String> {
        self.read_noting_utf16(path, false).map(|(text, _)| text)
    }

    /// Whether anything of the run reads [`crate::model::ClusterSettings`] (policies, the
    /// `model` output): else they are dropped as each file is read (see
    /// [`crate::model::Cluster::settings`]).
    pub fn keeps_cluster_settings(&self) -> bool {
        self.policies.is_some() || self.model
    }

    /// [`Options::read`], saying also whether the file on disk is UTF-16 (never edited);
    /// `walked` as [`source::read_noting_utf16`] says.
    pub fn read_noting_utf16(&self, path: &Path, walked: bool) -> Result<(String, bool), String> {
        if let Some(text) = self
            .texts
            .as_ref()
            .and_then(|t| t.get(&paths::absolute(path, &self.cwd)))
        {
            return Ok((text.to_string(), false));
        }
        source::read_noting_utf16(path, self.max_file_size, walked)
    }
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
            inventory: false,
            policies: None,
            model: false,
            context_prefilter: true,
            context_cache: None,
            secrets: true,
            all_texts: true,
            texts: None,
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
    /// Inputs already read for their links (by index in the inputs, with whether the file is
    /// UTF-16): checked from this text rather than read a second time.
    pub read: HashMap<usize, (String, bool)>,
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
    // Config and baseline files are not specs; excluded paths are not read at all.
    let own: Vec<PathBuf> = options
        .own_files
        .iter()
        .map(|p| paths::normalize(&options.cwd.join(p)))
        .collect();
    let wanted = |i: &Input| {
        let name = i.path.file_name();
        name != Some(std::ffi::OsStr::new(config::FILE_NAME))
            && name != Some(std::ffi::OsStr::new(BASELINE_FILE_NAME))
            && (own.is_empty() || !own.contains(&paths::normalize(&options.cwd.join(&i.path))))
            && options.config.as_ref().is_none_or(|config| {
                !config.is_excluded(&options.cwd, &i.path) && !config.is_file(&options.cwd, &i.path)
            })
    };
    // A file named on the command line that the config excludes is not read either, but said:
    // whoever named it expects it checked.
    let mut excluded_named: Vec<Skipped> = Vec::new();
    inputs.retain(|i| {
        if wanted(i) {
            return true;
        }
        if let Some(config) = &options.config {
            if paths.contains(&i.path) && config.is_excluded(&options.cwd, &i.path) {
                excluded_named.push(Skipped {
                    path: i.path.clone(),
                    reason: format!(
                        "excluded by `exclude` in {}",
                        paths::display_path(&config.path)
                    ),
                });
            }
        }
        false
    });
    if let Some(config) = &options.config {
        problems.retain(|p| !config.is_excluded(&options.cwd, &p.path));
    }
    let mut context = context::link_context(paths, &mut inputs, buffers, options);
    context.files.retain(wanted);
    // The texts read for links are checked from, and freed as each is.
    let read = std::mem::take(&mut context.read);
    // The run owns the walk's list: each path moves into the model as its file is read, and
    // the list is freed once every file is (100,000 paths are about 13 MB).
    let checked = inputs.len();
    inputs.append(&mut context.files);
    let mut outcome = check_reading(inputs, checked, buffers, &context.roots, read, options);
    outcome
        .skipped
        .extend(problems.into_iter().map(|p| Skipped {
            path: p.path,
            reason: p.message,
        }));
    outcome.skipped.extend(excluded_named);
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
    let disk = inputs.iter().chain(&context.files).cloned().collect();
    check_reading(
        disk,
        inputs.len(),
        buffers,
        &context.roots,
        context.read.clone(),
        options,
    )
}

/// [`check_with_context`], the texts already read (see [`Context::read`]) given apart: each is
/// dropped once its file is checked, not kept to the end of the run.
///
/// `disk`: the files to check, then (from `checked` on) the context files.
fn check_reading(
    mut disk: Vec<Input>,
    checked: usize,
    buffers: &[Buffer],
    roots: &[PathBuf],
    mut read: HashMap<usize, (String, bool)>,
    options: &Options,
) -> Outcome {
    adapters::expect_files(disk.len() + buffers.len());
    let buffer_root = |path: &Path| -> PathBuf {
        let abs = paths::absolute(path, &options.cwd);
        roots
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
        kept: Vec::new(),
        digests: HashMap::new(),
        context_ids: checked..disk.len(),
        scanned: HashSet::new(),
    };
    // Files are parsed in parallel a chunk at a time and each chunk's results folded into
    // the model before the next: memory holds the model and one chunk's documents, not every
    // file's intermediate results at once.
    let process_chunk = |c: usize, chunk: &[Input], texts: &[Option<(String, bool)>]| {
        map_maybe_parallel(chunk, |k, input| {
            let index = c * CHUNK + k;
            let read = match texts.get(k).and_then(Option::as_ref) {
                Some((text, utf16)) => Ok((Cow::Borrowed(text.as_str()), *utf16)),
                None => options
                    .read_noting_utf16(&input.path, input.walked)
                    .map(|(text, utf16)| (Cow::Owned(text), utf16)),
            };
            match read {
                Ok((text, utf16)) => {
                    let mut result = ingest::process_file(
                        file_id(index),
                        &input.path,
                        &text,
                        source::kind_for(&input.path, &text),
                        options,
                    );
                    result.utf16 = utf16;
                    // Not kept: read again at the end if reporting needs it. (The text a
                    // multi-file step keeps, a Terraform file's for its module, is the step's
                    // alone, and freed when the step is done with it.)
                    let digest = result.contributed.then(|| texts::digest(&text));
                    (result, digest)
                }
                Err(reason) => (FileResult::skipped(reason), None),
            }
        })
    };
    let absorb = |run: &mut Run, chunk: &mut [Input], results: Vec<Processed>| {
        for (input, (result, digest)) in chunk.iter_mut().zip(results) {
            let source = SourceFile {
                path: std::mem::take(&mut input.path),
                root: Arc::clone(&input.root),
            };
            // A file a tool synthesizes from a program is never edited by a fix.
            if let Some(what) = input.synthesized {
                let file = file_id(run.model.files.len());
                run.model.records.push((file, what));
            }
            run.absorb(source, result, digest);
        }
    };
    // While one chunk is folded in (on this thread), the next is parsed (on the pool).
    let parallel = disk.len() >= PARALLEL_MIN;
    let mut pending: Option<(&mut [Input], Vec<Processed>)> = None;
    for (c, chunk) in disk.chunks_mut(CHUNK).enumerate() {
        let previous = pending.take();
        let fold = || {
            if let Some((done, results)) = previous {
                absorb(&mut run, done, results);
            }
        };
        let texts: Vec<Option<(String, bool)>> = if read.is_empty() {
            Vec::new()
        } else {
            (c * CHUNK..c * CHUNK + chunk.len())
                .map(|i| read.remove(&i))
                .collect()
        };
        let parse = || process_chunk(c, chunk, &texts);
        let ((), results) = if parallel {
            rayon::join(fold, parse)
        } else {
            (fold(), parse())
        };
        pending = Some((chunk, results));
    }
    if let Some((done, results)) = pending {
        absorb(&mut run, done, results);
    }
    drop(disk);
    for buffer in buffers {
        let file = file_id(run.model.files.len());
        let mut result = ingest::process_file(
            file,
            &buffer.path,
            &buffer.text,
            source::kind_for(&buffer.path, &buffer.text),
            options,
        );
        if result.contributed && result.text.is_none() {
            result.text = Some(Arc::from(buffer.text.as_str()));
        }
        let source = SourceFile {
            path: buffer.path.clone(),
            root: Arc::from(buffer_root(&buffer.path)),
        };
        // An editor's buffer of a synthesized file is never edited by a fix either.
        if let Some(what) = crate::source::walk::synthesized_by_path(&buffer.path) {
            run.model.records.push((file, what));
        }
        run.absorb(source, result, None);
        run.outcome.buffers.push(file);
    }
    let Run {
        mut model,
        mut outcome,
        mut findings,
        kept,
        digests,
        scanned,
        ..
    } = run;
    // Steps that span files (Terraform modules, kustomize overlays, Helm values): once every
    // file is parsed. A file they read that the run did not hold is context.
    let mut files = std::mem::take(&mut model.files);
    let read = |path: &Path| -> Result<Arc<str>, String> {
        let abs = paths::absolute(path, &options.cwd);
        match buffers
            .iter()
            .find(|b| paths::absolute(&b.path, &options.cwd) == abs)
        {
            Some(b) => Ok(Arc::from(b.text.as_str())),
            None => options.read(path).map(Arc::from),
        }
    };
    let list = |dir: &Path, depth: usize| walk::list_dir(dir, depth, MAX_LISTED);
    let finished = adapters::multi_file::finish(
        kept,
        &mut files,
        &mut model,
        &adapters::multi_file::Reader {
            read: &read,
            list: &list,
            limits: options.limits,
            cwd: &options.cwd,
            context: &outcome.context,
        },
    );
    // The steps' clusters too (see `ingest`): freed before linking and the rules.
    drop_unread_settings(&mut model, options);
    outcome.context.extend(finished.context);
    for file in &finished.reported {
        outcome.context.remove(file);
    }
    let rendered: HashSet<u32> = finished.rendered.iter().copied().collect();
    // A checked file a step could not read after all (a kustomization with a remote base, a
    // Pulumi program's stack in a language not read) is skipped, not checked.
    let skipped_checked: HashSet<&Path> = finished
        .skipped
        .iter()
        .map(|(path, _)| path.as_path())
        .collect();
    let uncounted = files
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            skipped_checked.contains(f.path.as_path())
                && u32::try_from(*i).is_ok_and(|i| !outcome.context.contains(&i))
        })
        .count();
    outcome.files_checked = outcome.files_checked.saturating_sub(uncounted);
    // A context file is not the check's to list (a module of the program a stack file given
    // alone is read with, which no project reads).
    let context_paths: HashSet<&Path> = outcome
        .context
        .iter()
        .filter_map(|&i| files.get(i as usize))
        .map(|f| f.path.as_path())
        .collect();
    let skipped: Vec<Skipped> = finished
        .skipped
        .into_iter()
        .filter(|(path, _)| !context_paths.contains(path.as_path()))
        .map(|(path, reason)| Skipped { path, reason })
        .collect();
    outcome.skipped.extend(skipped);
    for (file, text) in finished.texts {
        // A file that only a step read as a whole (a JSON patch of a kustomize overlay names
        // no Atlas field; a data file a Terraform configuration decodes, read for a check of
        // the configuration alone): its suppression comments were not read yet. One read as
        // context still covers the values set there, as any context file's do.
        let unscanned = !scanned.contains(&file);
        if let Some(f) = files.get(file as usize).filter(|_| unscanned) {
            if memchr::memmem::find(text.as_bytes(), crate::suppress::MARKER.as_bytes()).is_some() {
                let index = LineIndex::new(&text);
                let ctx = LocCtx::new(file, &f.path, &text, &index);
                let comments = source::kind_or_yaml(&f.path).comments;
                outcome
                    .directives
                    .extend(crate::suppress::scan(&ctx, comments));
            }
        }
        if let (Some(f), std::collections::hash_map::Entry::Vacant(slot)) =
            (files.get(file as usize), outcome.secrets.entry(file))
        {
            if let Some(secrets) = texts::secrets_of_text(&f.path, &text, options) {
                slot.insert(secrets);
            }
        }
        outcome.texts.entry(file).or_insert(text);
    }
    model.files = files;
    if let Some(config) = &options.config {
        let file = file_id(model.files.len());
        outcome.config_file = Some(file);
        outcome.texts.insert(file, config.text.clone());
        if let Some(secrets) = texts::secrets_of_text(&config.path, &config.text, options) {
            outcome.secrets.insert(file, secrets);
        }
        model.files.push(SourceFile {
            path: config.path.clone(),
            root: Arc::from(config.dir.as_path()),
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
    // Values the model knows are secrets though their own file does not say so.
    let mut masked = Vec::new();
    for n in &model.written_notes {
        if n.note == crate::model::Note::Secret {
            outcome.secrets.entry(n.file).or_default().push(n.span);
            masked.push(n.file);
        }
    }
    for file in masked {
        if let Some(spans) = outcome.secrets.get_mut(&file) {
            crate::document::secrets::normalize(spans);
        }
    }
    if options.inventory {
        outcome.inventory = Some(Inventory::of(&model, &outcome.context));
    }
    match &options.policies {
        // Both at once: a thread done with its rules (some take longer than others) takes
        // ranges of the policies' resources. Their findings keep the order they had one after
        // the other.
        Some(policies) => {
            let (found, (errors, evaluated)) = rayon::join(
                || rules::run(&model),
                || {
                    let mut evaluated = Vec::new();
                    (policies.evaluate(&model, &mut evaluated), evaluated)
                },
            );
            findings.reserve(found.len() + evaluated.len());
            findings.extend(found);
            findings.extend(evaluated);
            outcome.policy_errors = errors;
        }
        None => findings.extend(rules::run(&model)),
    }
    if options.model {
        outcome.model = Some(crate::model::json::located(&model).document());
    }
    rules::label_conditions(&model, &mut findings);
    // A finding in a context file is reported where its value was written when that file is
    // checked (a tfvars file given alone), and not at all otherwise.
    let context = &outcome.context;
    let config_file = outcome.config_file;
    findings = findings
        .into_iter()
        .filter_map(|mut f| match f.loc.via.as_deref() {
            _ if !context.contains(&f.loc.file) => {
                f.note_depends_on(rendered.contains(&f.loc.file));
                Some(f)
            }
            Some(written) if !context.contains(&written.file) => Some(f.at_written_place()),
            // A setting the finding depends on (a project's region usage, a condition that
            // creates the resource) written in a file given: reported there. In a rendering,
            // also a value of the file given (a kustomize patch of the project): every file
            // of a rendering is read, so the context is the same whatever the pre-filter.
            _ => {
                let direct = rendered.contains(&f.loc.file);
                f.at_related_place(
                    |file| !context.contains(&file) && Some(file) != config_file,
                    direct,
                )
            }
        })
        .collect();
    rules::sort_and_dedup(&mut findings);
    outcome.findings = findings;
    outcome.files = std::mem::take(&mut model.files);
    // The rest of a large model is freed on the pool while the run goes on to its report.
    if model.clusters.len() >= PARALLEL_MIN {
        rayon::spawn(move || drop(model));
    }
    texts::load_texts(&mut outcome, &digests, options);
    outcome
}

/// A file's result, and the digest of its text when the text was not kept.
type Processed = (FileResult, Option<u64>);

/// Files parsed in parallel before their results are folded into the model.
const CHUNK: usize = 256;

/// Entries of one directory a multi-file step may list (a Helm chart's `templates/`).
const MAX_LISTED: usize = 4096;

/// Below this many files, work runs on the calling thread: starting the thread pool costs
/// more than it saves (a pre-commit hook or an editor checks one file and its context).
const PARALLEL_MIN: usize = 64;

/// `f` over `items` with their indices, in order; in parallel when there are enough of them.
pub(crate) fn map_maybe_parallel<I: Sync, T: Send>(
    items: &[I],
    f: impl Fn(usize, &I) -> T + Sync,
) -> Vec<T> {
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
    kept: Vec<adapters::multi_file::Kept>,
    digests: HashMap<u32, u64>,
    /// The ids of context files (read for linking only).
    context_ids: std::ops::Range<usize>,
    /// Files whose suppression comments were read (those the per-file pass parsed).
    scanned: HashSet<u32>,
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
        if let Some(secrets) = result.secrets {
            outcome.secrets.insert(file, secrets);
        }
        if result.utf16 {
            outcome.utf16.insert(file);
        }
        if result.parse_failed {
            outcome.parse_failed.insert(file);
        }
        if !result.applicable.is_empty() || result.kept.is_some() {
            self.scanned.insert(file);
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
        self.kept.extend(result.kept);
    }
}

/// Drop what only policies and `model` output read from a model's clusters, when the run has
/// neither (see [`Options::keeps_cluster_settings`]).
fn drop_unread_settings(model: &mut Model, options: &Options) {
    if !options.keeps_cluster_settings() {
        model.drop_cluster_settings();
    }
}

fn file_id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
