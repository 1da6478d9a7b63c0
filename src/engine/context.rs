//! Project roots and context files: what a check reads besides its inputs so that project
//! linking can reach the projects of the directories above a checked file, and so that a
//! value a checked file sets can be judged where it is used (its own directory, and the
//! directories it links to: a Terraform module's local module sources).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};

use super::{Context, Options, ProjectRoot, context_index, listing_cache};
use crate::adapters;
use crate::adapters::multi_file::Link;
use crate::outcome::Buffer;
use crate::paths;
use crate::source::walk::{self, Input};

/// The project root of a path given (absolute), per [`ProjectRoot`], and the bound of the
/// directories its links may reach; `None` where linking stays within the path itself.
///
/// A file outside any git repository (an editor opening a folder that is not one, a copied
/// environment) has its own directory as root: a Terraform module is a directory, so a
/// `terraform.tfvars` is judged with the `.tf` files beside it, and the local modules they call
/// are followed wherever their `source` points, as Terraform itself would.
fn project_root_of(
    abs: &Path,
    project_root: &ProjectRoot,
    cwd: &Path,
) -> Option<(PathBuf, PathBuf)> {
    let root = match project_root {
        ProjectRoot::Argument => return None,
        ProjectRoot::Repository => match paths::repository_root(abs) {
            Some(root) => root,
            None if abs.is_dir() => return None,
            None => {
                let dir = abs.parent()?.to_path_buf();
                let top = abs.ancestors().last().unwrap_or(abs).to_path_buf();
                return Some((dir, top));
            }
        },
        ProjectRoot::Dir(dir) => paths::absolute(dir, cwd),
    };
    abs.starts_with(&root).then(|| (root.clone(), root))
}

/// Raise the inputs' roots to their project root and list the context files: the spec files
/// directly in each directory from a path given up to its root (strictly above a directory
/// given, which is walked anyway), and in the directories the checked files link to (see
/// [`add_linked_dirs`]), other than the inputs and buffers.
pub(super) fn link_context(
    paths: &[PathBuf],
    inputs: &mut [Input],
    buffers: &[Buffer],
    options: &Options,
) -> Context {
    let (cwd, project_root) = (&options.cwd, &options.project_root);
    // Inputs from a directory argument have it as their root; a file argument is its own path.
    let mut roots: HashMap<&Path, Arc<Path>> = HashMap::new();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut buffer_roots = Vec::new();
    // A directory given in a repository links up to its root as a file does (`check
    // infra/clusters` links to `infra/project.yaml`, as `check infra/clusters/db.yaml` does);
    // outside one, linking stays within it.
    let given = paths.iter();
    let named = buffers
        .iter()
        .map(|b| &b.path)
        .filter(|p| p.as_os_str() != Buffer::STDIN_NAME);
    let all = given.map(|p| (p, false)).chain(named.map(|p| (p, true)));
    let mut linked = Vec::new();
    // A directory given below its repository (or `--project-root`): the modules its files call
    // outside it are read too, so that the values it sets are judged where they are used.
    let walked: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| paths::absolute(p, cwd))
        .collect();
    let mut links = Links::default();
    for (path, is_buffer) in all {
        let abs = paths::absolute(path, cwd);
        let Some((root, bound)) = project_root_of(&abs, project_root, cwd) else {
            continue;
        };
        for dir in abs.ancestors().skip(1) {
            if !dir.starts_with(&root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
        if !abs.is_dir() {
            let to = Bounds {
                root: &bound,
                walked: &walked,
                below: adapters::multi_file::uses_program_modules(&abs),
            };
            add_project_above(&abs, false, to, &mut dirs, &mut links, options);
            let text = buffers
                .iter()
                .find(|b| is_buffer && b.path == *path)
                .map(|b| b.text.as_str());
            linked.push((abs.clone(), text, bound));
        }
        if is_buffer {
            buffer_roots.push(root);
        } else {
            roots.insert(path.as_path(), Arc::from(root));
        }
    }
    // The walked files that may link, with the bound of their links and their index.
    let mut from_walked: Vec<(PathBuf, PathBuf, usize)> = Vec::new();
    for dir in &walked {
        let root = match project_root {
            ProjectRoot::Argument => None,
            ProjectRoot::Repository => paths::repository_root(dir),
            ProjectRoot::Dir(root) => Some(paths::absolute(root, cwd)),
        };
        // The Pulumi project above a directory given holds its modules (outside a
        // repository too, as Pulumi searches upward).
        let top = || dir.ancestors().last().map(Path::to_path_buf);
        let bound = match project_root {
            ProjectRoot::Repository => root.clone().or_else(top),
            _ => root.clone(),
        };
        if let Some(bound) = bound.filter(|b| dir.starts_with(b)) {
            // The program's modules matter to a directory that holds one of its stack files.
            let below = inputs.iter().any(|i| {
                adapters::multi_file::uses_program_modules(&i.path)
                    && paths::absolute(&i.path, cwd).starts_with(dir)
            });
            let to = Bounds {
                root: &bound,
                walked: &walked,
                below,
            };
            add_project_above(dir, true, to, &mut dirs, &mut links, options);
        }
        let Some(root) = root.filter(|r| dir.starts_with(r) && r != dir) else {
            continue;
        };
        for (i, input) in inputs.iter().enumerate() {
            // By name first: only Terraform files may link (most inputs are not resolved).
            if !adapters::multi_file::may_link(&input.path) {
                continue;
            }
            let abs = paths::absolute(&input.path, cwd);
            if abs.starts_with(dir) {
                from_walked.push((abs, root.clone(), i));
            }
        }
        // A `-var-file` file of the walk sets a root module above the walked directory, read
        // with the modules it calls, as for the file given alone.
        for input in inputs.iter() {
            let abs = paths::absolute(&input.path, cwd);
            if !abs.starts_with(dir) {
                continue;
            }
            let up = root_module_above(&abs, &root);
            let Some(up) = up.filter(|up| !walked.iter().any(|w| up.starts_with(w))) else {
                continue;
            };
            let to = Bounds {
                root: &root,
                walked: &walked,
                below: false,
            };
            add_root_module(up, to, &mut dirs, &mut links, options);
        }
    }
    if dirs.is_empty() && linked.is_empty() && from_walked.is_empty() {
        return Context::default();
    }
    for input in inputs.iter_mut() {
        let root = roots
            .get(input.path.as_path())
            .or_else(|| roots.get(&*input.root));
        if let Some(root) = root {
            input.root = Arc::clone(root);
        }
    }
    for (abs, text, root) in linked {
        let to = Bounds {
            root: &root,
            walked: &walked,
            below: adapters::multi_file::uses_program_modules(&abs),
        };
        add_linked_dirs(&abs, text, to, &mut dirs, &mut links, options, None);
        if let Some(up) = root_module_above(&abs, &root) {
            add_root_module(up, to, &mut dirs, &mut links, options);
        }
        // A module's file checked alone: the `-var-file` files in directories of values below
        // it (`envs/dev.tfvars`) set its variables, as in a check of the whole repository.
        if abs.extension().is_some_and(|e| e == "tf") {
            if let Some(own) = abs.parent() {
                dirs.extend(values_dirs_below(own));
            }
        }
        // A module's file checked alone: a configuration above it that calls it may pass it
        // another call's output (`project_id = module.project.id`), so the modules that
        // configuration calls are read too.
        if adapters::multi_file::is_terraform(&abs) {
            let above = abs.ancestors().skip(2).take_while(|d| d.starts_with(&root));
            for up in above.filter(|d| any_terraform(d)) {
                if calls_dir(up, abs.parent(), options) {
                    add_root_module(up.to_path_buf(), to, &mut dirs, &mut links, options);
                }
            }
        }
    }
    // A walked file's directory is not listed for links: its other files are walked too, each
    // read here on its own (in parallel: a walked repository has thousands) and kept, up to a
    // bound, to be checked without a second read.
    let read = super::map_maybe_parallel(&from_walked, |_, (abs, _, _)| {
        let read = options.read_noting_utf16(abs, false);
        let text = read.as_ref().map_or("", |(text, _)| text.as_str());
        (
            adapters::multi_file::linked_dirs(abs, text, &options.limits),
            read.ok(),
        )
    });
    let mut kept = std::collections::HashMap::new();
    let mut kept_bytes = 0usize;
    let mut all_targets = Vec::with_capacity(read.len());
    for ((_, _, index), (targets, text)) in from_walked.iter().zip(read) {
        if let Some((text, utf16)) = text {
            if kept_bytes + text.len() <= MAX_KEPT_BYTES {
                kept_bytes += text.len();
                kept.insert(*index, (text, utf16));
            }
        }
        all_targets.push(targets);
    }
    for ((_, root, _), targets) in from_walked.iter().zip(all_targets) {
        let to = Bounds {
            root,
            walked: &walked,
            below: true,
        };
        let mut queue = Vec::new();
        for target in targets {
            follow(target, to, &mut dirs, &mut links, &mut queue);
        }
        read_links(queue, None, to, &mut dirs, &mut links, options);
    }
    if dirs.is_empty() {
        return Context {
            files: Vec::new(),
            roots: buffer_roots,
            read: kept,
        };
    }
    let checked: HashSet<PathBuf> = inputs
        .iter()
        .map(|i| &i.path)
        .chain(buffers.iter().map(|b| &b.path))
        .map(|p| paths::absolute(p, cwd))
        .collect();
    // Context files are shown as the inputs are: relative to the working directory, or
    // absolute when every path was given absolute (one report, one style of path).
    let all_absolute = !paths.is_empty() && paths.iter().all(|p| p.is_absolute());
    let display_cwd = (!all_absolute).then_some(cwd.as_path());
    Context {
        files: context_files(&dirs, &checked, display_cwd, options, None, links),
        roots: buffer_roots,
        read: kept,
    }
}

/// Most bytes of walked files kept from their reading for links until they are checked.
const MAX_KEPT_BYTES: usize = 64 << 20;

/// Most directories one check reads because checked files link to them (see
/// [`add_linked_dirs`]): a bound for repositories whose modules call each other in a web.
const MAX_LINKED_DIRS: usize = 256;

/// What one check has read for links so far.
#[derive(Default)]
struct Links {
    /// Directories whose files were read for links (each is read once).
    scanned: HashSet<PathBuf>,
    /// Directories added because a checked file links to them.
    followed: usize,
    /// The spec files of the directories listed here, for [`context_files`] (a directory of
    /// ten thousand files is listed once).
    listed: HashMap<PathBuf, Vec<PathBuf>>,
    /// Directories whose Pulumi project above was looked for ([`add_project_above`]), and
    /// whether links below were followed then.
    searched: HashSet<(PathBuf, bool)>,
    /// The index of a large directory, read beside its listing, for [`context_files`].
    prepared: HashMap<PathBuf, context_index::Prepared>,
}

/// Where links are followed: within `root`, and not into directories given (walked anyway).
#[derive(Clone, Copy)]
struct Bounds<'a> {
    root: &'a Path,
    walked: &'a [PathBuf],
    /// Whether a link to a directory and those below it ([`Link::below`]: a Pulumi program's
    /// modules) reaches below it: for a file whose values those modules use (a stack
    /// settings file) and a directory given (it may hold one), not for a module checked
    /// alone (the others give it nothing).
    below: bool,
}

/// Add to `dirs` the directories that the directory of `file` (absolute; `text` when it is a
/// buffer) links to, and so on from those, within bounds: the local modules its Terraform
/// files call ([`adapters::multi_file::linked_dirs`]). The values the file sets (a
/// `terraform.tfvars` value passed to a module) are used there, so they are read as context.
fn add_linked_dirs(
    file: &Path,
    text: Option<&str>,
    to: Bounds<'_>,
    dirs: &mut BTreeSet<PathBuf>,
    links: &mut Links,
    options: &Options,
    listings: Option<&mut Listings>,
) {
    let Some(own) = file.parent() else { return };
    // The files of each directory still to read for links.
    let mut queue: Vec<Vec<PathBuf>> = Vec::new();
    if links.scanned.insert(own.to_path_buf()) {
        let mut files = match listings {
            // Listed only when it holds a file that may link (a directory of ten thousand
            // bodies and no Terraform file is not listed for it).
            Some(l) => {
                l.revalidate(own);
                let may_link = *l
                    .may_link
                    .entry(own.to_path_buf())
                    .or_insert_with(|| any_may_link(own));
                if may_link {
                    walk::spec_files_in([own])
                } else {
                    Vec::new()
                }
            }
            // Listed for context anyway (it holds the file): listed once, here.
            None => {
                // A large directory's index is read while it is listed.
                let list = || walk::considered(listing_cache::files_in(own, options));
                let (listed, prepared) = if options.context_prefilter && !options.inventory {
                    rayon::join(list, || context_index::prepare(own, options))
                } else {
                    (list(), None)
                };
                if let Some(prepared) = prepared {
                    links.prepared.insert(own.to_path_buf(), prepared);
                }
                let files = listed
                    .iter()
                    .filter(|f| adapters::multi_file::may_link(f))
                    .cloned()
                    .collect();
                links.listed.insert(own.to_path_buf(), listed);
                files
            }
        };
        if !files.iter().any(|f| f == file) {
            files.push(file.to_path_buf());
        }
        queue.push(files);
    } else if text.is_some() {
        // Its directory was read from disk for another file: the editor's text may differ.
        queue.push(vec![file.to_path_buf()]);
    }
    read_links(queue, Some((file, text)), to, dirs, links, options);
}

/// Read the files of each directory in `queue` for the directories they link to, and follow
/// those ([`follow`]) until none is left. `given`: a file whose text the caller has.
fn read_links(
    mut queue: Vec<Vec<PathBuf>>,
    given: Option<(&Path, Option<&str>)>,
    to: Bounds<'_>,
    dirs: &mut BTreeSet<PathBuf>,
    links: &mut Links,
    options: &Options,
) {
    while let Some(files) = queue.pop() {
        for path in files
            .into_iter()
            .filter(|p| adapters::multi_file::may_link(p))
        {
            let read;
            let text = match given.and_then(|(file, text)| text.filter(|_| path == file)) {
                Some(text) => text,
                None => {
                    read = options.read(&path).unwrap_or_default();
                    read.as_str()
                }
            };
            for target in adapters::multi_file::linked_dirs(&path, text, &options.limits) {
                follow(target, to, dirs, links, &mut queue);
            }
        }
    }
}

/// A directory a file links to: added to `dirs`, and its files queued to be read for links,
/// when it is within bounds, a directory, and new; with the directories below it when the
/// link says so (walked as a directory argument is, ignore files and package caches aside).
fn follow(
    target: Link,
    to: Bounds<'_>,
    dirs: &mut BTreeSet<PathBuf>,
    links: &mut Links,
    queue: &mut Vec<Vec<PathBuf>>,
) {
    let target_dir = paths::normalize(&target.dir);
    if links.followed >= MAX_LINKED_DIRS
        || !target_dir.starts_with(to.root)
        || to.walked.iter().any(|w| target_dir.starts_with(w))
        || !target_dir.is_dir()
    {
        return;
    }
    if links.followed < MAX_LINKED_DIRS && links.scanned.insert(target_dir.clone()) {
        links.followed += 1;
        let files = walk::spec_files_in([target_dir.as_path()]);
        queue.push(files.clone());
        links.listed.insert(target_dir.clone(), files);
        dirs.insert(target_dir.clone());
    }
    if !(target.below && to.below) {
        return;
    }
    // The program's modules below (only those: a directory of other specs gives it nothing),
    // within a budget of entries visited and apart from the directories' bound above: a
    // project at the top of a large tree is walked once, not without end.
    let (below, _) = walk::files_below(
        &target_dir,
        &adapters::multi_file::is_program_module,
        MAX_PROGRAM_ENTRIES,
    );
    for (dir, files) in below {
        if dir == target_dir || dirs.contains(&dir) || !links.scanned.insert(dir.clone()) {
            continue;
        }
        links.listed.insert(dir.clone(), files);
        dirs.insert(dir);
    }
}

/// Most entries a walk below a Pulumi program's `main` visits for its modules ([`follow`]).
const MAX_PROGRAM_ENTRIES: usize = 50_000;

/// The Pulumi project that holds `abs` (a file that may be its program's code, a stack or
/// `Main.yaml`, or a directory): the nearest project file above it within bounds, whose
/// directory is added to `dirs` (unless walked), and which is read for the directories it
/// links to (its `main`, with the modules below it, and its `stackConfigDir`), as Pulumi
/// finds the project of a directory it runs in.
fn add_project_above(
    abs: &Path,
    is_dir: bool,
    to: Bounds<'_>,
    dirs: &mut BTreeSet<PathBuf>,
    links: &mut Links,
    options: &Options,
) {
    // A project file is its own project (read from the editor's text by the caller).
    if !is_dir && adapters::multi_file::is_project_file(abs) {
        return;
    }
    // One search per directory (pre-commit passes a directory's changed files together).
    let start = if is_dir { Some(abs) } else { abs.parent() };
    if start.is_some_and(|d| !links.searched.insert((d.to_path_buf(), to.below))) {
        return;
    }
    let project = adapters::multi_file::project_files_above(abs, is_dir)
        .into_iter()
        .take_while(|p| p.parent().is_some_and(|d| d.starts_with(to.root)))
        .find(|p| p.is_file());
    let Some((project, dir)) = project.and_then(|p| Some((p.clone(), p.parent()?.to_path_buf())))
    else {
        return;
    };
    if !to.walked.iter().any(|w| dir.starts_with(w)) {
        dirs.insert(dir);
    }
    read_links(vec![vec![project]], None, to, dirs, links, options);
}

/// The root module whose variables a `-var-file` file (absolute `file`) sets a directory or
/// two up: the nearest directory above it, within `root`, that holds Terraform (outside a
/// repository too, so never a directory of other things, such as a home directory).
fn root_module_above(file: &Path, root: &Path) -> Option<PathBuf> {
    adapters::multi_file::settings_dirs(file, &any_terraform)
        .into_iter()
        .take_while(|up| up.starts_with(root))
        .find(|up| up.is_dir() && any_terraform(up))
}

/// A root module's directory (see [`root_module_above`]) added as context, with the modules
/// it calls.
fn add_root_module(
    up: PathBuf,
    to: Bounds<'_>,
    dirs: &mut BTreeSet<PathBuf>,
    links: &mut Links,
    options: &Options,
) {
    dirs.insert(up.clone());
    if links.scanned.insert(up.clone()) {
        let files = walk::considered(listing_cache::files_in(&up, options));
        links.listed.insert(up, files.clone());
        read_links(vec![files], None, to, dirs, links, options);
    }
}

/// Whether a Terraform configuration file directly in `dir` calls the module in `module`.
fn calls_dir(dir: &Path, module: Option<&Path>, options: &Options) -> bool {
    let Some(module) = module.map(paths::normalize) else {
        return false;
    };
    walk::spec_files_in([dir])
        .into_iter()
        .filter(|f| adapters::multi_file::is_terraform(f))
        .any(|f| {
            let text = options.read(&f).unwrap_or_default();
            adapters::multi_file::linked_dirs(&f, &text, &options.limits)
                .iter()
                .any(|link| paths::normalize(&link.dir) == module)
        })
}

/// Whether `dir` directly holds a Terraform configuration file (ignore files aside; an
/// unreadable directory: yes).
/// Most directories [`values_dirs_below`] looks into.
const MAX_VALUES_DIRS: usize = 64;

/// The directories below `dir`, up to [`adapters::terraform::module::VAR_FILE_LEVELS`]
/// levels, that hold `-var-file` files (`*.tfvars`, `*.tfvars.json`) and no Terraform
/// configuration: their values set the variables of the module in `dir` (see
/// `attach_var_files`). Hidden directories (`.terraform`) are not looked into; at most
/// [`MAX_VALUES_DIRS`] directories are.
fn values_dirs_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut level: Vec<PathBuf> = vec![dir.to_path_buf()];
    let mut looked = 0usize;
    for _ in 0..adapters::terraform::module::VAR_FILE_LEVELS {
        let mut next = Vec::new();
        for d in &level {
            let Ok(entries) = std::fs::read_dir(d) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let hidden = name.to_string_lossy().starts_with('.');
                if hidden || !entry.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                looked += 1;
                if looked > MAX_VALUES_DIRS {
                    return found;
                }
                next.push(entry.path());
            }
        }
        let mut descend = Vec::new();
        for d in &next {
            let names: Vec<String> = std::fs::read_dir(d)
                .map(|e| {
                    e.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            let values = names
                .iter()
                .any(|n| n.ends_with(".tfvars") || n.ends_with(".tfvars.json"));
            let configuration = names
                .iter()
                .any(|n| n.ends_with(".tf") || n.ends_with(".tf.json"));
            if values && !configuration {
                found.push(d.clone());
            }
            if configuration {
                // Another module: what is below it is its own.
                continue;
            }
            descend.push(d.clone());
        }
        level = descend;
    }
    found
}

fn any_terraform(dir: &Path) -> bool {
    any_named(dir, adapters::multi_file::is_terraform)
}

/// Whether `dir` directly holds a file whose name may link ([`adapters::multi_file::may_link`]),
/// ignore files aside (an unreadable directory: yes, the listing then says what it holds).
fn any_may_link(dir: &Path) -> bool {
    any_named(dir, adapters::multi_file::may_link)
}

/// Whether `dir` directly holds a file whose name `wanted` takes (an unreadable directory: yes).
fn any_named(dir: &Path, wanted: fn(&Path) -> bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    entries.flatten().any(|e| wanted(Path::new(&e.file_name())))
}

/// The spec files directly in `dirs` that are not in `checked` (absolute paths), as context
/// inputs: with paths relative to `cwd` (`../project.yaml` when above it), which must be the
/// process's current directory, or absolute when `cwd` is `None`. Unless the options say
/// otherwise, only those that may give the checked files anything ([`context_index`]); all of
/// them for an inventory of the linked model (the HTML report shows what context files hold).
/// `links`: what was read for links: the directories listed then (not listed again), and the
/// indexes of large ones read beside their listing.
fn context_files(
    dirs: &BTreeSet<PathBuf>,
    checked: &HashSet<PathBuf>,
    cwd: Option<&Path>,
    options: &Options,
    listings: Option<&mut Listings>,
    links: Links,
) -> Vec<Input> {
    let (mut listed, mut prepared) = (links.listed, links.prepared);
    let prefilter = options.context_prefilter && !options.inventory;
    // By name first: hashing a path walks its components, and a directory may hold ten
    // thousand files.
    let checked_names: foldhash::HashSet<&std::ffi::OsStr> =
        checked.iter().filter_map(|p| paths::file_name(p)).collect();
    let is_checked = |p: &Path| {
        paths::file_name(p).is_some_and(|n| checked_names.contains(n)) && checked.contains(p)
    };
    let listed: Vec<PathBuf> = match listings {
        // Each directory's answer kept from an earlier check, until told it changed.
        Some(listings) => {
            let mut out = Vec::new();
            for dir in dirs {
                listings.revalidate(dir);
                let giving = listings.giving.entry(dir.clone()).or_insert_with(|| {
                    let files = walk::spec_files_in([dir.as_path()]);
                    if prefilter {
                        context_index::giving(dir, files, options, None)
                    } else {
                        files
                    }
                });
                out.extend(giving.iter().filter(|f| !is_checked(f)).cloned());
            }
            out
        }
        None => {
            let unlisted: Vec<&Path> = dirs
                .iter()
                .filter(|d| !listed.contains_key(*d))
                .map(PathBuf::as_path)
                .collect();
            let mut fresh = listing_cache::files_by_dir(&unlisted, options)
                .into_iter()
                .map(walk::considered);
            let mut out = Vec::new();
            for dir in dirs {
                let files: Vec<PathBuf> = match listed.remove(dir) {
                    Some(files) => files,
                    None => fresh.next().unwrap_or_default(),
                }
                .into_iter()
                .map(|path| match cwd {
                    // Listed from absolute, normalized directories: already absolute.
                    Some(cwd) if !path.is_absolute() => paths::absolute(&path, cwd),
                    _ => path,
                })
                .filter(|abs| !is_checked(abs))
                .collect();
                if prefilter && !files.is_empty() {
                    out.extend(context_index::giving(
                        dir,
                        files,
                        options,
                        prepared.remove(dir),
                    ));
                } else {
                    out.extend(files);
                }
            }
            out
        }
    };
    let mut files = Vec::new();
    for abs in listed {
        files.push(Input {
            synthesized: crate::source::walk::synthesized_by_path(&abs),
            path: cwd.map_or_else(|| abs.clone(), |cwd| paths::relative(&abs, cwd)),
            root: Arc::from(abs.parent().unwrap_or(Path::new(""))),
            walked: false,
        });
    }
    files
}

/// What a caller that is told when files change (the language server, through
/// `workspace/didChangeWatchedFiles`) keeps between checks of one file: per directory, the
/// context files that may give a check anything, and whether it holds a file that may link.
/// Without it, each check lists and scans the directories again (and stats every file).
///
/// Each kept directory's own times are checked at every use, too: a directory that gained,
/// lost or renamed an entry that no watcher reported (a watch not yet in place on a new
/// directory, a directory reached through a symbolic link) is listed again.
#[derive(Debug, Default)]
pub struct Listings {
    giving: HashMap<PathBuf, Vec<PathBuf>>,
    may_link: HashMap<PathBuf, bool>,
    /// Each kept directory's stamp when it was listed (`None`: it had none, not readable).
    stamps: HashMap<PathBuf, Option<Kept>>,
    /// The directories whose stamps this check compared already.
    compared: std::collections::HashSet<PathBuf>,
}

/// A kept directory's stamp, and whether it was taken [`RACY_DIR`] or more after the
/// directory's last change: if not, a change in the same tick of the clock may have left the
/// times as they were, so the directory is listed once more after that time.
#[derive(Debug, Clone, Copy)]
struct Kept {
    stamp: Stamp,
    settled: bool,
}

/// A file's or directory's identity (device and inode; none on Windows), size, and
/// modification and change times (nanoseconds since the epoch): writing a file changes them,
/// and so does creating, removing or renaming an entry of a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub id: (u64, u64),
    len: u64,
    modified: u128,
    changed: u128,
}

impl Stamp {
    /// Its modification time (nanoseconds since the epoch).
    pub(super) fn modified(&self) -> u128 {
        self.modified
    }
}

/// A directory changed this recently is not told apart from a later change by its times (on
/// file systems that keep them to the second, or to the clock's tick).
const RACY_DIR: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether `stamp`'s directory was last changed [`RACY_DIR`] or more ago (a time in the
/// future: not yet).
fn settled(stamp: &Stamp) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    now.checked_sub(stamp.modified)
        .is_some_and(|age| age >= RACY_DIR.as_nanos())
}

/// The [`Stamp`] of `path` (through symbolic links), if there is one.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let (modified, changed) = context_index::times(&meta).unwrap_or_default();
    #[cfg(unix)]
    let id = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let id = (0, 0);
    Some(Stamp {
        id,
        len: meta.len(),
        modified,
        changed,
    })
}

impl Listings {
    /// Before `dir`'s kept answers are used (once per check): forget them when the
    /// directory's stamp is not the one it had when they were made, or when they were made
    /// within [`RACY_DIR`] of its last change and that time has passed since (once); and keep
    /// its stamp now for those made next.
    fn revalidate(&mut self, dir: &Path) {
        if !self.compared.insert(dir.to_path_buf()) {
            return;
        }
        let now = stamp(dir);
        let kept = match (self.stamps.get(dir), now) {
            (Some(Some(kept)), Some(now)) if kept.stamp == now => {
                if kept.settled || !settled(&now) {
                    return;
                }
                false
            }
            (Some(_), _) => false,
            (None, _) => true,
        };
        if !kept {
            self.giving.remove(dir);
            self.may_link.remove(dir);
        }
        let kept = now.map(|stamp| Kept {
            settled: settled(&stamp),
            stamp,
        });
        self.stamps.insert(dir.to_path_buf(), kept);
    }

    /// A file or directory (absolute) was created, changed or deleted: forget what was listed
    /// of its directory, and of it and below it if it is (was) a directory. An ignore file
    /// changes what every listing below it holds: forget those too.
    pub fn changed(&mut self, path: &Path) {
        let ignore_file = matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some(".gitignore" | ".ignore" | ".git")
        );
        let parent = path.parent();
        let stale = |dir: &PathBuf| {
            Some(dir.as_path()) == parent
                || dir.starts_with(path)
                || (ignore_file && parent.is_some_and(|p| dir.starts_with(p)))
        };
        self.giving.retain(|dir, _| !stale(dir));
        self.may_link.retain(|dir, _| !stale(dir));
        self.stamps.retain(|dir, _| !stale(dir));
    }

    /// Forget everything (the client's watching cannot be relied on any more).
    pub fn clear(&mut self) {
        self.giving.clear();
        self.may_link.clear();
        self.stamps.clear();
    }
}

/// The context of one file being edited (absolute `path`, its current `text`), for a
/// language server: the spec files of its directory and each ancestor up to `root`
/// (absolute), and of the directories it links to (see [`add_linked_dirs`]), other than the
/// file itself (and other than the config file and what the config excludes), with absolute
/// paths.
pub fn context_of(path: &Path, text: &str, root: &Path, options: &Options) -> Context {
    context_of_listed(path, text, root, options, None)
}

/// [`context_of`], with the directory listings of earlier checks kept in `listings` (see
/// [`Listings`]; `None`: none kept).
pub fn context_of_listed(
    path: &Path,
    text: &str,
    root: &Path,
    options: &Options,
    mut listings: Option<&mut Listings>,
) -> Context {
    let cwd = &options.cwd;
    let mut dirs = BTreeSet::new();
    let mut links = Links::default();
    if let Some(listings) = listings.as_deref_mut() {
        listings.compared.clear();
    }
    if path.starts_with(root) {
        for dir in path.ancestors().skip(1) {
            if !dir.starts_with(root) {
                break;
            }
            dirs.insert(dir.to_path_buf());
        }
        let to = Bounds {
            root,
            walked: &[],
            below: adapters::multi_file::uses_program_modules(path),
        };
        add_project_above(path, false, to, &mut dirs, &mut links, options);
        add_linked_dirs(
            path,
            Some(text),
            to,
            &mut dirs,
            &mut links,
            options,
            listings.as_deref_mut(),
        );
    }
    let checked = HashSet::from_iter([path.to_path_buf()]);
    let mut files = context_files(&dirs, &checked, None, options, listings, links);
    files.retain(|i| {
        i.path.file_name() != Some(std::ffi::OsStr::new(crate::config::FILE_NAME))
            && options.config.as_ref().is_none_or(|config| {
                !config.is_excluded(cwd, &i.path) && !config.is_file(cwd, &i.path)
            })
    });
    Context {
        files,
        roots: vec![root.to_path_buf()],
        ..Context::default()
    }
}
