//! Adapter steps that span several files. Terraform: a module's resources, its variables,
//! `locals`, outputs, tfvars files and module calls sit in different files of a directory (in
//! HCL, or in Terraform's JSON syntax). Pulumi YAML: a program and the stack settings files
//! that give its config values. The Atlas CLI: a command's `--file` body is another file
//! (linked through the model's key aliases). Kubernetes renderings: a kustomize overlay is its
//! base and its patches; a Helm chart's objects come from its values files.
//!
//! The engine never names a format. During the parallel per-file pass it asks [`interest`]
//! whether a file that holds no adapter's needle must still be parsed, and [`keep`] what a
//! parsed file gives the later step; once every file is merged, before linking, it calls
//! [`finish`] with everything kept.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::kubernetes::render;
use super::pulumi::{self, PulumiFile};
use super::terraform::module::{self, HclFile};
use crate::document::{Limits, LineIndex, Node, Syntax};
use crate::model::{FileId, LocCtx, Model, SourceFile};

/// What a file gives a multi-file step (opaque to the engine).
#[derive(Debug)]
pub struct Kept(Step);

#[derive(Debug)]
enum Step {
    Terraform(Box<HclFile>),
    Pulumi(PulumiFile),
    Kubernetes(render::Kept),
}

/// What a multi-file step may use of the run: how it reads a file it needs that the run did
/// not hold (a kustomize base outside the checked paths) or reads again one it did, and which
/// of the run's files are context.
pub struct Reader<'a> {
    /// The text of a file: a buffer's when one has this path, else the file on disk, read the
    /// way the engine reads every file.
    pub read: render::Read<'a>,
    /// The regular files directly in a directory, sorted: how a step finds the files it reads
    /// that the run did not hold (a Helm chart's templates).
    pub list: render::List<'a>,
    pub limits: Limits,
    /// The run's working directory, against which relative paths are resolved (one
    /// directory, one module or program, however its files' paths are written).
    pub cwd: &'a Path,
    /// The run's context files (read for linking only): a rendering that starts from one (the
    /// overlay of a patch checked alone) reports nothing about the files it reads besides.
    pub context: &'a HashSet<FileId>,
}

/// What the multi-file steps tell the run besides the model.
#[derive(Debug, Default)]
pub struct Finished {
    /// Files the steps added to the run (read for them only) that are context: linked, never
    /// reported on. The others (a base of an overlay that is checked) are reported on.
    pub context: Vec<FileId>,
    /// Context files of the run that a step read for a checked file (the patches of a
    /// kustomization given alone): reported on, as if given.
    pub reported: Vec<FileId>,
    /// Files a rendering read (kustomize overlays, Helm values): an object assembled from
    /// several of them, where a value in one file can make one in another wrong.
    pub rendered: Vec<FileId>,
    /// What a step could not check, and why (a remote kustomize base is not fetched).
    pub skipped: Vec<(PathBuf, String)>,
    /// Texts of the files the steps read, for snippets and suppression comments.
    pub texts: Vec<(FileId, Arc<str>)>,
}

/// What a multi-file step wants of a file, by its name and text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Interest {
    /// Parse it even when no adapter's needle occurs (it declares variables, or sets them).
    pub parse: bool,
    /// A settings file (`terraform.tfvars`, `*.auto.tfvars`, a `-var-file`'s `.tfvars`): one
    /// that does not parse leaves its values unseen, which is a finding of its own.
    pub settings_file: bool,
}

/// What the multi-file steps want of the file at `path`.
pub fn interest(path: &Path, syntax: Syntax, text: &str) -> Interest {
    let settings_file = module::is_loaded_tfvars(path) || module::is_var_file(path);
    let parse = match syntax {
        // A configuration in Terraform's JSON syntax is read like one in HCL.
        Syntax::Json if module::is_tf_json(path) => {
            text.contains(super::terraform::PROVIDER) || module::wanted_without_needle(path, text)
        }
        Syntax::Json => settings_file,
        Syntax::Hcl => module::wanted_without_needle(path, text),
        Syntax::Yaml => pulumi::is_pulumi_file(path) || render::wanted(path, text),
        Syntax::Shell(_) => false,
        Syntax::Js | Syntax::Py => pulumi::is_program_code(text),
    };
    Interest {
        parse,
        settings_file,
    }
}

/// The directories above a file's own where its values may be used: a `-var-file` file
/// (`env/prod.tfvars`, or a `terraform.tfvars` in a directory of values files only, which
/// `holds_configuration` of its directory says) sets the variables of a root module up to
/// [`module::VAR_FILE_LEVELS`] directories up. A check given the file alone reads them (and
/// what their modules call) as context.
pub fn settings_dirs(path: &Path, holds_configuration: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let values_only_dir = || path.parent().is_some_and(|d| !holds_configuration(d));
    // A Terragrunt configuration names its module ([`linked_dirs`]).
    if module::is_terragrunt(path)
        || !(module::is_var_file(path) || (module::is_loaded_tfvars(path) && values_only_dir()))
    {
        return Vec::new();
    }
    path.ancestors()
        .skip(2)
        .take(module::VAR_FILE_LEVELS)
        .map(Path::to_path_buf)
        .collect()
}

/// Whether a file may link to other directories ([`linked_dirs`]), by its name: a file that
/// cannot is not read for it.
pub fn may_link(path: &Path) -> bool {
    module::is_tf(path) || module::is_terragrunt(path) || pulumi::is_project_file(path)
}

/// Whether the values a file sets are used by a Pulumi program's modules, so that a check
/// of it reads them (its project's `main` directory and those below): a stack settings file,
/// a project file, a `Main.yaml`; not a module (the others give it nothing).
pub fn uses_program_modules(path: &Path) -> bool {
    pulumi::is_pulumi_file(path) && !pulumi::is_program_module(path)
}

/// Whether a file is a module of a Pulumi program's code, by its name.
pub fn is_program_module(path: &Path) -> bool {
    pulumi::is_program_module(path)
}

/// Whether a file is a Pulumi project file, by its name.
pub fn is_project_file(path: &Path) -> bool {
    pulumi::is_project_file(path)
}

/// Whether a file is a Terraform configuration (`.tf`, `.tf.json`), by its name.
pub fn is_terraform(path: &Path) -> bool {
    module::is_tf(path)
}

/// A directory a file links to ([`linked_dirs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dir: PathBuf,
    /// The directories below it are linked too (a Pulumi program's modules may sit in any).
    pub below: bool,
}

/// The directories that may hold the Pulumi project of a file or directory (absolute):
/// each ancestor's project file names, nearest first, as Pulumi itself searches upward from
/// where it runs. For a file that may belong to a Pulumi program (its code, stack or
/// `Main.yaml`) or for a directory; nothing for any other file.
pub fn project_files_above(path: &Path, is_dir: bool) -> Vec<PathBuf> {
    if !is_dir && !pulumi::is_pulumi_file(path) {
        return Vec::new();
    }
    let start = if is_dir {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    start
        .ancestors()
        .flat_map(|dir| pulumi::PROJECT_FILES.iter().map(move |name| dir.join(name)))
        .collect()
}

/// The directories beyond its own that a file's values reach, resolved against its directory:
/// the sources of a Terraform file's local `module` calls (`source = "../../modules/db"`),
/// where the arguments it sets are used; a Pulumi project file's `main` and `stackConfigDir`
/// (its program's modules, where its stacks' values are used, and its stacks). A check given
/// the file alone reads them as context, so that those values are judged (and reported where
/// they are written).
pub fn linked_dirs(path: &Path, text: &str, limits: &Limits) -> Vec<Link> {
    if pulumi::is_project_file(path) {
        let Ok(doc) = crate::document::parse(text, Syntax::Yaml, limits) else {
            return Vec::new();
        };
        return doc
            .roots
            .iter()
            .flat_map(|root| pulumi::linked_dirs(path, root))
            .map(|(dir, below)| Link { dir, below })
            .collect();
    }
    // A Terragrunt configuration: the module it runs, where its `inputs` are used.
    if module::is_terragrunt(path) {
        let Ok(doc) = crate::document::parse(text, Syntax::Hcl, limits) else {
            return Vec::new();
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        return doc
            .roots
            .iter()
            .filter_map(|root| module::terragrunt_source(root, path))
            .map(|source| Link {
                dir: dir.join(source),
                below: false,
            })
            .collect();
    }
    if !may_link(path) || !text.contains("module") {
        return Vec::new();
    }
    let json = module::is_tf_json(path);
    let syntax = if json { Syntax::Json } else { Syntax::Hcl };
    let Ok(doc) = crate::document::parse(text, syntax, limits) else {
        return Vec::new();
    };
    let roots: Vec<Node> = if json {
        doc.roots
            .iter()
            .map(crate::document::tf_json::to_native)
            .collect()
    } else {
        doc.roots
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    roots
        .iter()
        .flat_map(module::local_sources)
        .map(|source| Link {
            dir: dir.join(source),
            below: false,
        })
        .collect()
}

/// Whether the documents of a file are read by the multi-file step only (the per-document
/// adapters see only its literal strings, through [`super::adapt_literals`]): Terraform
/// configurations, in HCL or in JSON (`*.tf.json`).
pub fn reads_whole_file(path: &Path, syntax: Syntax) -> bool {
    match syntax {
        Syntax::Hcl => true,
        Syntax::Json => module::is_tf_json(path),
        Syntax::Yaml | Syntax::Shell(_) => false,
        // A Pulumi program's code: read by the Pulumi step only.
        Syntax::Js | Syntax::Py => true,
    }
}

/// What a Terraform configuration file not parsed gives the module step: its uses of the
/// module's variables and locals (see [`HclFile::references_only`]); `None` when nothing.
pub fn references_only(file: FileId, path: &Path, text: &str) -> Option<Kept> {
    if !module::may_hold_references(path) {
        return None;
    }
    let index = LineIndex::new(text);
    let ctx = LocCtx::new(file, path, text, &index);
    HclFile::references_only(&ctx, path).map(|f| Kept(Step::Terraform(Box::new(f))))
}

/// What a parsed file gives the multi-file steps; `None` when nothing.
pub fn keep(ctx: &LocCtx<'_>, root: Node, index: LineIndex) -> Option<Kept> {
    if pulumi::is_pulumi_file(ctx.path) {
        return PulumiFile::new(ctx, ctx.path, root, index).map(|f| Kept(Step::Pulumi(f)));
    }
    if render::wanted(ctx.path, ctx.text) {
        return render::keep(ctx, root).map(|k| Kept(Step::Kubernetes(k)));
    }
    HclFile::new(ctx, ctx.path, root, index).map(|f| Kept(Step::Terraform(Box::new(f))))
}

/// Run the multi-file steps over everything kept, adding what they build to `out`. `files`
/// are the run's files by id; a step that reads a file the run did not hold adds it (see
/// [`Finished::context`]).
pub fn finish(
    kept: Vec<Kept>,
    files: &mut Vec<SourceFile>,
    out: &mut Model,
    reader: &Reader<'_>,
) -> Finished {
    let (mut terraform, mut pulumi, mut kubernetes) = (Vec::new(), Vec::new(), Vec::new());
    for k in kept {
        match k.0 {
            Step::Terraform(f) => terraform.push(*f),
            Step::Pulumi(f) => pulumi.push(f),
            Step::Kubernetes(k) => kubernetes.push(k),
        }
    }
    // The data files configurations decode (`yamldecode(file(...))`): read before the
    // modules are evaluated, a file the run did not hold added to it as context.
    let wanted = module::data_wanted(&terraform, files, reader.cwd);
    let data = module::data::read(wanted, files, reader.read, &reader.limits, reader.cwd);
    let unattached = module::resolve(terraform, files, &data, reader.cwd, &reader.limits, out);
    out.aliased.extend(data.aliased());
    let var_files = unattached
        .into_iter()
        .filter(|f| !reader.context.contains(f))
        .filter_map(|f| files.get(f as usize))
        .map(|f| {
            let why = if module::is_terragrunt(&f.path) {
                "a Terragrunt configuration whose `terraform { source }` is not a module directory among the files read (a remote source, or one computed by a function other than get_terragrunt_dir() and get_repo_root()): the module its `inputs` set is not read, so they are not judged".to_string()
            } else {
                format!(
                    "a `-var-file` values file: no Terraform root module in its directory or up to {} above declares the variables it sets, so where they are used is not known and they are not judged",
                    module::VAR_FILE_LEVELS
                )
            };
            (f.path.clone(), why)
        })
        .collect::<Vec<_>>();
    let unread = pulumi::resolve(pulumi, files, reader.cwd, out);
    // Atlas CLI `--file` bodies and the project of the command that sends them.
    super::atlas_cli::link_files(files, out);
    let rendered = render::finish(
        &kubernetes,
        files,
        out,
        render::Access {
            read: reader.read,
            list: reader.list,
        },
        reader.limits,
        reader.context,
        reader.cwd,
    );
    let mut texts = data.texts();
    texts.extend(rendered.texts);
    Finished {
        context: data.added.iter().copied().chain(rendered.context).collect(),
        reported: rendered.reported,
        rendered: rendered.rendered,
        skipped: rendered
            .notes
            .into_iter()
            .map(|n| (n.path, n.reason))
            .chain(unread)
            .chain(var_files)
            .collect(),
        texts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_link_is_decided_by_the_name() {
        for (p, expected) in [
            ("main.tf", true),
            ("x/MAIN.TF", true),
            ("x/a.tf.json", true),
            ("x/a.TF.JSON", true),
            ("x/main.tf/.", true),
            ("x/terragrunt.hcl", true),
            ("x/Pulumi.yaml", true),
            ("x/Pulumi.yml", true),
            ("x/.tf", false),
            ("x/.tf.json", false),
            ("x/tf.json", false),
            ("x/a.json", false),
            ("x/Terragrunt.hcl", false),
            ("x/a.hcl", false),
            ("x/Pulumi.dev.yaml", false),
            ("x/pulumi.yaml", false),
            ("x/..", false),
            ("x/", false),
            ("terraform.tfvars", false),
            ("x/index.ts", false),
        ] {
            assert_eq!(may_link(Path::new(p)), expected, "{p:?}");
        }
        // Of the names that may link, only a `.tf` file's need not be UTF-8.
        #[cfg(unix)]
        for (p, expected) in [
            (&b"x/\xff.tf"[..], true),
            (b"x/\xff.TF", true),
            (b"x/\xff.tf.json", false),
            (b"x/\xff.yaml", false),
        ] {
            use std::os::unix::ffi::OsStrExt;
            let path = Path::new(std::ffi::OsStr::from_bytes(p));
            assert_eq!(may_link(path), expected, "{path:?}");
        }
    }

    #[test]
    fn terraform_names_are_what_their_extensions_say() {
        let by_extension = |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
        };
        for p in [
            "a.tf", "A.TF", ".tf", "x/.tf", "x/a..tf", "x/a.tf/.", "x/..", "tf", "a.tfvars",
        ] {
            let path = Path::new(p);
            assert_eq!(module::is_tf(path), by_extension(path), "{p:?}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"x/\xff.tf");
            assert!(module::is_tf(Path::new(name)));
        }
    }
}
