//! Finding the files: the given paths, walked with `.gitignore` respected.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::{has_shell_shebang, is_shebang_candidate, is_spec_name};
use crate::document::Syntax;

/// Whether a walk reads a regular file it found: a spec's name, a script without an
/// extension whose first line is a shell shebang (only such files are opened to look), a
/// PowerShell script (read only to say, when it runs the Atlas CLI, that it was not checked),
/// or a program's manifest (read only to say so of a Pulumi program in Go, .NET or Java).
fn is_considered(path: &Path) -> bool {
    // Judged by the name alone (a path of one component is parsed at once; a walk asks this
    // of every file it finds).
    let Some(name) = crate::paths::file_name(path).map(Path::new) else {
        return false;
    };
    is_spec_name(name)
        || (is_shebang_candidate(name) && has_shell_shebang(path))
        || super::is_powershell(name)
        || super::is_program_manifest(name)
}

/// A file to check.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// The argument it was found under: the directory itself, or for a file argument, the
    /// directory holding it. Directory linking never looks above it.
    pub root: Arc<Path>,
    /// Found by walking a directory, as a regular file (not a symbolic link, which a walk
    /// does not follow): read without looking it up first (see
    /// [`super::read_noting_utf16`]).
    pub walked: bool,
    /// What wrote it, when a tool synthesizes it from a program (a CDK app's template, a
    /// CDKTF stack): read and reported on, never edited by a fix (the program is what to fix).
    pub synthesized: Option<&'static str>,
}

/// What a synthesized file is, by its path (see [`Input::synthesized`]): one under a CDK
/// app's `cdk.out` or a CDKTF project's `cdktf.out` (their default output directories), also
/// when it is named on the command line.
pub fn synthesized_by_path(path: &Path) -> Option<&'static str> {
    let output = |p: &Path| {
        p.components().find_map(|c| match c.as_os_str().to_str() {
            Some(CDK_OUTPUT) => Some(CDK_SYNTHESIZED),
            Some(CDKTF_OUTPUT) => Some(CDKTF_SYNTHESIZED),
            _ => None,
        })
    };
    // A relative path is judged from the working directory (a run from inside the output
    // directory names no such component), read once: this runs for every file of a walk.
    static CWD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().unwrap_or_default());
    let climbs = path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    if path.is_absolute() || (!climbs && output(cwd).is_none()) {
        return output(path);
    }
    output(&crate::paths::absolute(path, cwd))
}

const CDK_SYNTHESIZED: &str = "a template the AWS CDK synthesizes (`cdk synth`)";
const CDKTF_SYNTHESIZED: &str = "a stack CDKTF synthesizes (`cdktf synth`)";

/// A path that could not be walked (a symlink loop, an unreadable directory), or an entry with
/// a spec's name that is not a regular file (a symbolic link, which is not followed; a FIFO, a
/// socket, a device), which is never opened.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

/// The spec files directly in each of `dirs` (not below them), by directory (in the order
/// given) and name, with the same rules as a walk: ignore files respected, symlinks not
/// followed. Errors are ignored: these files are only read for context.
pub fn spec_files_in<'d>(dirs: impl IntoIterator<Item = &'d Path>) -> Vec<PathBuf> {
    let dirs: Vec<&Path> = dirs.into_iter().collect();
    spec_files_by_dir(&dirs).into_iter().flatten().collect()
}

/// [`spec_files_in`], one list per directory of `dirs` (in the order given; a directory given
/// twice is listed in its first place). One walker for all of them, so the ignore
/// configuration is read once.
pub fn spec_files_by_dir(dirs: &[&Path]) -> Vec<Vec<PathBuf>> {
    files_by_dir(dirs).into_iter().map(considered).collect()
}

/// Those of `files` a walk checks ([`is_considered`]: by name, and by their first line for a
/// name without an extension), in order.
pub fn considered(mut files: Vec<PathBuf>) -> Vec<PathBuf> {
    files.retain(|f| is_considered(f));
    files
}

/// The regular files directly in each of `dirs`, as [`spec_files_by_dir`] finds them before
/// asking which a walk checks ([`considered`]): what they are depends on the directory's
/// entries and the ignore files alone, not on what the files hold.
pub fn files_by_dir(dirs: &[&Path]) -> Vec<Vec<PathBuf>> {
    let mut out: Vec<Vec<PathBuf>> = vec![Vec::new(); dirs.len()];
    let Some((first, rest)) = dirs.split_first() else {
        return out;
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for dir in rest {
        builder.add(dir);
    }
    let walker = builder
        .max_depth(Some(1))
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()))
        .build();
    // The walker lists the directories one after the other, each after its own entry (depth
    // 0, its path as given).
    let mut current: Option<usize> = None;
    for e in walker.flatten() {
        if e.depth() == 0 {
            current = dirs
                .iter()
                .position(|d| d.as_os_str() == e.path().as_os_str());
            continue;
        }
        if e.depth() == 1 && e.file_type().is_some_and(|t| t.is_file()) {
            if let Some(files) = current.and_then(|i| out.get_mut(i)) {
                files.push(e.into_path());
            }
        }
    }
    // By name: their paths' bytes (one directory's all start the same). Cheaper than
    // comparing paths, which walks their components.
    for files in &mut out {
        files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        files.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
    }
    out
}

/// The regular files in `dir` (directly in it at `depth` 1, in its subdirectories too up to
/// `depth` levels down) that a walk of it would find (its ignore files and those above it
/// respected), sorted, at most `max`; empty when it cannot be read.
pub fn list_dir(dir: &Path, depth: usize, max: usize) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .max_depth(Some(depth))
        .build()
        .flatten()
        .filter(|e| e.depth() >= 1 && e.file_type().is_some_and(|t| t.is_file()))
        .take(max)
        .map(ignore::DirEntry::into_path)
        .collect();
    found.sort();
    found
}

/// Collect the files under `paths` (which must exist), sorted, without duplicates.
/// A file named on the command line is checked whatever its extension.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<WalkProblem>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for arg in paths {
        if !arg.is_dir() {
            let root = Arc::from(arg.parent().unwrap_or(Path::new("")));
            inputs.push(Input {
                synthesized: synthesized_by_path(arg),
                path: arg.clone(),
                root,
                walked: false,
            });
            continue;
        }
        // One copy of the argument, shared by every file found under it.
        let root: Arc<Path> = Arc::from(arg.as_path());
        // Walked on several threads (matching ignore files costs more than listing); what
        // each finds is put in order below.
        let found = Mutex::new(Vec::new());
        ignore::WalkBuilder::new(arg)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            // `.terraform` is Terraform's download cache (registry modules, providers): not
            // the repository's code, and what a module says there is overridden by its caller.
            // `node_modules` and `site-packages` (in a virtual environment) are npm's and
            // pip's, for the same reason (a Pulumi program's packages).
            .filter_entry(|e| !SKIPPED_DIRS.iter().any(|skip| e.file_name() == *skip))
            .threads(
                std::thread::available_parallelism().map_or(2, |n| n.get().min(MAX_WALK_THREADS)),
            )
            .build_parallel()
            .visit(&mut Visitors { arg, found: &found });
        let mut cdktf_projects = Vec::new();
        let mut cdk_apps = Vec::new();
        let mut walked = Vec::new();
        for f in found.into_inner().unwrap_or_else(PoisonError::into_inner) {
            match f {
                Found::Input(path) => walked.push(path),
                Found::Problem(problem) => problems.push(problem),
                Found::Cdktf(dir) => cdktf_projects.push(dir),
                Found::Cdk(dir) => cdk_apps.push(dir),
            }
        }
        inputs.extend(in_projects(arg, walked).into_iter().map(|path| Input {
            synthesized: synthesized_by_path(&path),
            path,
            root: Arc::clone(&root),
            walked: true,
        }));
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        cdktf_projects.sort();
        for project in cdktf_projects.into_iter().flatten() {
            match cdktf_stacks(&project) {
                Ok(stacks) => inputs.extend(stacks.into_iter().map(|path| Input {
                    path,
                    root: Arc::clone(&root),
                    walked: false,
                    synthesized: Some(CDKTF_SYNTHESIZED),
                })),
                Err(problem) => problems.extend(problem),
            }
        }
        cdk_apps.sort();
        for app in cdk_apps.into_iter().flatten() {
            match cdk_templates(&app) {
                Ok(templates) => inputs.extend(templates.into_iter().map(|path| Input {
                    path,
                    root: Arc::clone(&root),
                    walked: false,
                    synthesized: Some(CDK_SYNTHESIZED),
                })),
                Err(problem) => problems.extend(problem),
            }
        }
    }
    // The same file named twice (`check main.tf .`, `./a.json a.json`, `svc /repo/svc`) is
    // one input: the first named.
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut keyed: Vec<(PathBuf, Input)> = inputs
        .into_iter()
        .map(|i| (crate::paths::absolute(&i.path, &cwd), i))
        .collect();
    crate::paths::sort_by_path(&mut keyed, |(path, _)| path);
    keyed.dedup_by(|a, b| a.0 == b.0);
    let inputs = keyed.into_iter().map(|(_, i)| i).collect();
    (inputs, problems)
}

/// The files a walk of `arg` found, less the modules of program code (JavaScript, TypeScript,
/// Python) outside any Pulumi project: only a module in a directory with a `Pulumi.yaml` (or
/// below one, in the walk or above `arg` on disk) can be a Pulumi program's, and a repository
/// of application code is not read file by file for nothing.
fn in_projects(arg: &Path, walked: Vec<PathBuf>) -> Vec<PathBuf> {
    let is_code =
        |p: &Path| super::kind(p).is_some_and(|k| matches!(k.syntax, Syntax::Js | Syntax::Py));
    if !walked.iter().any(|p| is_code(p)) {
        return walked;
    }
    let is_project_file = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n == PULUMI_PROJECT[0] || n == PULUMI_PROJECT[1])
    };
    // A project above the walked directory holds every module of the walk: the nearest,
    // within its repository (outside one, as far up as Pulumi searches).
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = crate::paths::absolute(arg, &cwd);
    let repository = crate::paths::repository_root(&absolute);
    let above = absolute
        .ancestors()
        .take_while(|dir| repository.as_deref().is_none_or(|r| dir.starts_with(r)))
        .any(|dir| PULUMI_PROJECT.iter().any(|name| dir.join(name).is_file()));
    if above {
        return walked;
    }
    // Each project's directory, and its `main` directory when that is elsewhere
    // (`main: ../src`).
    let projects: std::collections::HashSet<PathBuf> = walked
        .iter()
        .filter(|p| is_project_file(p))
        .flat_map(|p| {
            let dir = p.parent().map(crate::paths::normalize);
            let main = main_dir(p);
            dir.into_iter().chain(main)
        })
        .collect();
    let in_project = |p: &Path| {
        crate::paths::normalize(p)
            .ancestors()
            .skip(1)
            .any(|dir| projects.contains(dir))
    };
    let keep: Vec<bool> = walked
        .iter()
        .map(|p| !is_code(p) || in_project(p))
        .collect();
    walked
        .into_iter()
        .zip(keep)
        .filter_map(|(p, keep)| keep.then_some(p))
        .collect()
}

/// The files below `dir` (its own included) that `wanted` keeps, by directory, walked as a
/// directory argument is (ignore files, `node_modules` and the like skipped, no links
/// followed), visiting at most `budget` entries: a Pulumi program's modules below its `main`.
/// The second value says whether the budget ran out before the walk was done.
pub fn files_below(
    dir: &Path,
    wanted: &dyn Fn(&Path) -> bool,
    budget: usize,
) -> (Vec<(PathBuf, Vec<PathBuf>)>, bool) {
    let mut by_dir: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    let mut seen = 0usize;
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| !SKIPPED_DIRS.iter().any(|skip| e.file_name() == *skip))
        .build();
    for e in walker.flatten() {
        seen += 1;
        if seen > budget {
            return (by_dir.into_iter().collect(), true);
        }
        if e.file_type().is_some_and(|t| t.is_file()) && wanted(e.path()) {
            if let Some(parent) = e.path().parent() {
                by_dir
                    .entry(parent.to_path_buf())
                    .or_default()
                    .push(e.into_path());
            }
        }
    }
    (by_dir.into_iter().collect(), false)
}

/// Directories a walk never enters: git's, and package caches (Terraform's `.terraform`
/// download cache, npm's `node_modules`, pip's `site-packages`, Python's `__pycache__`),
/// whose contents are not the repository's code.
const SKIPPED_DIRS: [&str; 5] = [
    ".git",
    ".terraform",
    "node_modules",
    "site-packages",
    "__pycache__",
];

/// The directory a Pulumi project file's top-level `main:` names, by a scan of its lines (the
/// walk parses no YAML; the Pulumi adapter reads the file properly): `main: ../src` or `main:
/// src/index.ts` (a file's directory). `None` when it names none, or the file is not small.
fn main_dir(project_file: &Path) -> Option<PathBuf> {
    let text =
        super::read_limited(project_file, PROJECT_FILE_LIMIT, "the Pulumi project limit").ok()?;
    let value = text.lines().find_map(|line| line.strip_prefix("main:"))?;
    let value = value.split(" #").next().unwrap_or("").trim();
    let value = value
        .trim_matches(|c| c == '"' || c == '\'')
        .trim_start_matches('/');
    if value.is_empty() {
        return None;
    }
    let at = crate::paths::normalize(&project_file.parent()?.join(value));
    let names_file = super::kind(Path::new(value))
        .is_some_and(|k| matches!(k.syntax, Syntax::Js | Syntax::Py | Syntax::Yaml));
    if names_file {
        at.parent().map(Path::to_path_buf)
    } else {
        Some(at)
    }
}

/// The largest `Pulumi.yaml` scanned for its `main` (they are a few hundred bytes).
const PROJECT_FILE_LIMIT: u64 = 1024 * 1024;

/// A Pulumi project's file names.
const PULUMI_PROJECT: [&str; 2] = ["Pulumi.yaml", "Pulumi.yml"];

/// Most threads a walk of a directory runs on (one per core up to this; listing and matching
/// ignore files gain little beyond it).
const MAX_WALK_THREADS: usize = 8;

/// What a walk of a directory found, in the order some thread found it.
enum Found {
    Input(PathBuf),
    Problem(WalkProblem),
    /// The directory of a `cdktf.json`.
    Cdktf(Option<PathBuf>),
    /// The directory of an AWS CDK app's `cdk.json`.
    Cdk(Option<PathBuf>),
}

/// Makes each walking thread's visitor.
struct Visitors<'a> {
    arg: &'a PathBuf,
    found: &'a Mutex<Vec<Found>>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for Visitors<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            arg: self.arg,
            own: Vec::new(),
            found: self.found,
        })
    }
}

/// One walking thread's findings, added to the walk's when the thread is done.
struct Visitor<'a> {
    arg: &'a PathBuf,
    own: Vec<Found>,
    found: &'a Mutex<Vec<Found>>,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        self.found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut self.own);
    }
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        match entry {
            Ok(e) => {
                let Some(kind) = e.file_type() else {
                    return ignore::WalkState::Continue;
                };
                // Depth 0 is the directory argument itself (possibly a link to one, which
                // was named on purpose and is walked).
                if e.depth() == 0 || kind.is_dir() {
                    return ignore::WalkState::Continue;
                }
                if kind.is_file() && e.file_name() == CDKTF_CONFIG {
                    self.own
                        .push(Found::Cdktf(e.path().parent().map(Path::to_path_buf)));
                }
                if kind.is_file() && e.file_name() == CDK_CONFIG {
                    self.own
                        .push(Found::Cdk(e.path().parent().map(Path::to_path_buf)));
                }
                if kind.is_file() {
                    if is_considered(e.path()) {
                        self.own.push(Found::Input(e.into_path()));
                    }
                } else if is_spec_name(e.path()) {
                    self.own.push(Found::Problem(WalkProblem {
                        path: e.into_path(),
                        message: not_regular(kind),
                    }));
                }
            }
            Err(err) => self.own.push(Found::Problem(WalkProblem {
                path: walk_error_path(&err).unwrap_or_else(|| self.arg.clone()),
                message: walk_error_message(&err),
            })),
        }
        ignore::WalkState::Continue
    }
}

/// The file that makes a directory a CDKTF project.
const CDKTF_CONFIG: &str = "cdktf.json";

/// CDKTF writes its synthesized stacks here unless `cdktf.json` says `"output"`.
const CDKTF_OUTPUT: &str = "cdktf.out";

/// The largest `cdktf.json` or `manifest.json` read to find the stacks (they are a few hundred
/// bytes).
const CDKTF_META_LIMIT: u64 = 1024 * 1024;

/// The synthesized stacks of the CDKTF project in `project` (the directory of a `cdktf.json`
/// the walk found): `<output>/stacks/*/cdk.tf.json` and the stacks `<output>/manifest.json`
/// lists, where `<output>` is `cdktf.json`'s `output` (`cdktf.out` by default). They are read
/// even when `.gitignore` hides them (every `cdktf init` template's `.gitignore` lists
/// `cdktf.out`): they are the project's Terraform, and a check that left them out would pass
/// without having read anything. Nothing else in the output directory is read. A project with
/// no synthesized stack is a problem that says to run `cdktf synth`.
fn cdktf_stacks(project: &Path) -> Result<Vec<PathBuf>, Option<WalkProblem>> {
    let output = configured_output(&project.join(CDKTF_CONFIG), CDKTF_OUTPUT);
    let out_dir = project.join(&output);
    let mut stacks = Vec::new();
    // A walk follows no links: an output directory (or its `stacks`) that is one is not read.
    let stacks_dir = out_dir.join("stacks");
    let real = is_real_dir(&out_dir);
    let listed = (real && is_real_dir(&stacks_dir))
        .then(|| std::fs::read_dir(&stacks_dir).ok())
        .flatten();
    if let Some(entries) = listed {
        for entry in entries.flatten() {
            // A stack is a directory (not a link to one) holding `cdk.tf.json`.
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let stack = entry.path().join("cdk.tf.json");
            if is_regular_file(&stack) {
                stacks.push(stack);
            }
        }
    }
    let manifest = real
        .then(|| read_small_json(&out_dir.join("manifest.json")))
        .flatten();
    let listed = manifest
        .as_ref()
        .and_then(|m| m.get("stacks")?.as_object())
        .into_iter()
        .flat_map(|stacks| stacks.values())
        .filter_map(|stack| stack.get("synthesizedStackPath")?.as_str())
        .map(|rel| Path::new(rel.strip_prefix("./").unwrap_or(rel)))
        .filter(|rel| {
            is_inner_relative(rel)
                && rel
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".tf.json"))
        })
        .filter(|rel| {
            // Every directory on the way is one, not a link to one.
            rel.ancestors()
                .skip(1)
                .filter(|a| !a.as_os_str().is_empty())
                .all(|a| is_real_dir(&out_dir.join(a)))
        })
        .map(|rel| out_dir.join(rel))
        .filter(|p| is_regular_file(p));
    stacks.extend(listed);
    stacks.sort();
    stacks.dedup();
    if stacks.is_empty() {
        // Said only of a project that uses Atlas's provider (in `cdktf.json`'s
        // `terraformProviders`, or a prebuilt provider package among its dependencies).
        let uses_atlas = std::iter::once(CDKTF_CONFIG)
            .chain(CDK_DEPENDENCY_FILES)
            .any(|name| {
                super::read_limited(
                    &project.join(name),
                    CDKTF_META_LIMIT,
                    "the CDK metadata limit",
                )
                .is_ok_and(|text| text.contains("mongodbatlas"))
            });
        return Err(uses_atlas.then(|| WalkProblem {
            path: out_dir,
            message: format!(
                "CDKTF project ({CDKTF_CONFIG}) with no synthesized stack \
                 ({output}/stacks/*/cdk.tf.json), so nothing of it was checked: run `cdktf synth` \
                 first (the stacks are read even when .gitignore lists {output})"
            ),
        }));
    }
    Ok(stacks)
}

/// The file that makes a directory an AWS CDK app.
const CDK_CONFIG: &str = "cdk.json";

/// The AWS CDK writes its cloud assembly here unless `cdk.json` says `"output"`.
const CDK_OUTPUT: &str = "cdk.out";

/// The files of an AWS CDK app's directory that name the libraries it uses: one that names
/// MongoDB Atlas's constructs (`awscdk-resources-mongodbatlas`) makes an app with no
/// synthesized template worth a note.
const CDK_DEPENDENCY_FILES: [&str; 7] = [
    "package.json",
    "requirements.txt",
    "setup.py",
    "pyproject.toml",
    "pom.xml",
    "build.gradle",
    "go.mod",
];

/// The synthesized CloudFormation templates of the AWS CDK app in `app` (the directory of a
/// `cdk.json` the walk found): `<output>/*.template.json` (stacks and nested stacks) and
/// `<output>/assembly-*/*.template.json` (stages), where `<output>` is `cdk.json`'s `output`
/// (`cdk.out` by default). Read even when `.gitignore` hides them (`cdk init` lists `cdk.out`
/// there), as CDKTF's stacks are ([`cdktf_stacks`]). An app with no synthesized template is a
/// problem that says to run `cdk synth` when the app uses MongoDB Atlas's constructs; any
/// other app (most CDK apps of a repository) says nothing.
fn cdk_templates(app: &Path) -> Result<Vec<PathBuf>, Option<WalkProblem>> {
    let output = configured_output(&app.join(CDK_CONFIG), CDK_OUTPUT);
    let out_dir = app.join(&output);
    // A walk follows no links: an output directory that is one is not read.
    let mut dirs = Vec::new();
    let mut templates = Vec::new();
    let listed = is_real_dir(&out_dir)
        .then(|| std::fs::read_dir(&out_dir).ok())
        .flatten();
    if let Some(entries) = listed {
        dirs.push(out_dir.clone());
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // A stage's assembly is a directory (not a link to one).
            if name.starts_with("assembly-") && entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.path());
            }
        }
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_template = entry
                .file_name()
                .to_string_lossy()
                .ends_with(".template.json");
            if is_template && entry.file_type().is_ok_and(|t| t.is_file()) {
                templates.push(entry.path());
            }
        }
    }
    templates.sort();
    if !templates.is_empty() {
        return Ok(templates);
    }
    let uses_atlas = CDK_DEPENDENCY_FILES.iter().any(|name| {
        super::read_limited(&app.join(name), CDKTF_META_LIMIT, "the CDK metadata limit")
            .is_ok_and(|text| text.contains("mongodbatlas"))
    });
    Err(uses_atlas.then(|| WalkProblem {
        path: out_dir,
        message: format!(
            "AWS CDK app ({CDK_CONFIG}) that uses MongoDB Atlas's constructs, with no synthesized \
             template ({output}/*.template.json), so nothing of it was checked: run `cdk synth` \
             first (the templates are read even when .gitignore lists {output})"
        ),
    }))
}

/// The output directory a `cdktf.json` or `cdk.json` names (`"output"`), when it stays inside
/// the app's directory; `default` otherwise.
fn configured_output(config: &Path, default: &str) -> String {
    read_small_json(config)
        .as_ref()
        .and_then(|config| config.get("output")?.as_str().map(output_dir))
        .filter(|out| is_inner_relative(Path::new(out)))
        .unwrap_or_else(|| default.to_string())
}

/// An output directory as a config names it, without a leading `./` (`./build/out`).
fn output_dir(out: &str) -> String {
    let mut out = out;
    while let Some(rest) = out.strip_prefix("./") {
        out = rest;
    }
    out.trim_end_matches('/').to_string()
}

/// A directory, not a link to one.
fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_dir())
}

/// A small JSON file's value, `None` when it is missing, large or not JSON.
fn read_small_json(path: &Path) -> Option<serde_json::Value> {
    let text = super::read_limited(path, CDKTF_META_LIMIT, "the CDKTF metadata limit").ok()?;
    serde_json::from_str(&text).ok()
}

/// A relative path that stays inside its base (`out`, `build/cdktf`; not `/x`, not `../x`).
fn is_inner_relative(path: &Path) -> bool {
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// A regular file, not a link to one (a walk follows no links).
fn is_regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// Why an entry that is neither a regular file nor a directory is not read.
pub fn not_regular(kind: std::fs::FileType) -> String {
    if kind.is_symlink() {
        return "symbolic link, not followed (name its target to check it)".to_string();
    }
    if kind.is_dir() {
        return "not a regular file (a directory)".to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_block_device() || kind.is_char_device() {
            "a device"
        } else {
            "neither a file nor a directory"
        };
        format!("not a regular file ({what})")
    }
    #[cfg(not(unix))]
    {
        "not a regular file".to_string()
    }
}

/// Why a path could not be walked, without the path (the report names it once, beside the
/// reason): for an unreadable directory, the system's reason (`cannot read: Permission denied
/// (os error 13)`), not the walker's message, which repeats the path twice.
fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_error_message(err),
        ignore::Error::Io(e) => format!("cannot read: {}", innermost_io(e)),
        other => other.to_string(),
    }
}

/// The innermost I/O error under `e` (the walker wraps the system's error in its own, which
/// names the path), shown as the system gives it.
fn innermost_io(e: &std::io::Error) -> String {
    let mut inner: &(dyn std::error::Error + 'static) = match e.get_ref() {
        Some(inner) => inner,
        None => return e.to_string(),
    };
    let mut deepest = None;
    loop {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            deepest = Some(io.to_string());
        }
        match inner.source() {
            Some(next) => inner = next,
            None => break,
        }
    }
    deepest.unwrap_or_else(|| e.kind().to_string())
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What walkdir wraps the system's error in: a message naming the path.
    #[derive(Debug)]
    struct Walkdir(std::io::Error);

    impl std::fmt::Display for Walkdir {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "IO error for operation on ./secret: {}", self.0)
        }
    }

    impl std::error::Error for Walkdir {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    #[allow(clippy::unwrap_used, clippy::indexing_slicing)]
    fn spec_files_by_dir_gives_one_sorted_list_per_directory_given() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        std::fs::create_dir_all(a.join("sub")).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        for f in ["z.json", "m.yaml", "notes.txt", "sub/deep.json"] {
            std::fs::write(a.join(f), "{}").unwrap();
        }
        std::fs::write(b.join("main.tf"), "").unwrap();
        std::fs::write(b.join(".gitignore"), "ignored.json\n").unwrap();
        std::fs::write(b.join("ignored.json"), "{}").unwrap();
        let missing = root.path().join("missing");
        // A directory that cannot be listed keeps its place (an empty list): the files of the
        // next one are not taken for its.
        let lists = spec_files_by_dir(&[a.as_path(), missing.as_path(), b.as_path()]);
        assert_eq!(lists.len(), 3);
        assert_eq!(lists[0], vec![a.join("m.yaml"), a.join("z.json")]);
        assert!(lists[1].is_empty());
        assert_eq!(lists[2], vec![b.join("main.tf")]);
        assert_eq!(
            spec_files_in([a.as_path(), missing.as_path(), b.as_path()]),
            vec![a.join("m.yaml"), a.join("z.json"), b.join("main.tf")]
        );
    }

    #[test]
    fn an_unreadable_directory_is_named_once() {
        // ignore's error for a directory it cannot list: the path, then walkdir's error (the
        // path again), then the system's.
        let denied = std::io::Error::from_raw_os_error(13);
        let walkdir = std::io::Error::new(denied.kind(), Walkdir(denied));
        let err = ignore::Error::WithPath {
            path: PathBuf::from("./secret"),
            err: Box::new(ignore::Error::WithDepth {
                depth: 1,
                err: Box::new(ignore::Error::Io(walkdir)),
            }),
        };
        assert!(err.to_string().matches("secret").count() == 2, "{err}");
        let message = walk_error_message(&err);
        assert_eq!(message, "cannot read: Permission denied (os error 13)");
    }
}
