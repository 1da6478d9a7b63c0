//! Pulumi programs (YAML, TypeScript, JavaScript, Python) with the `mongodbatlas` provider (`pulumi/pulumi-mongodbatlas`, a
//! bridge of the Terraform provider).
//!
//! A program is `Pulumi.yaml` (or `Pulumi.yml`) with `runtime: yaml`, or the `Main.yaml`
//! beside it, which Pulumi reads instead when present (`pulumi-yaml` `LoadDir`). Its values
//! can come from the stack settings files of the same directory, `Pulumi.<stack>.yaml`, so
//! the program is read in the adapters' multi-file step: once per stack (or once, when there
//! is no stack file), with `${name}` taking the stack's `<project>:name` value, else the
//! program's `config.name.default`, and a finding on such a value shows where the stack set
//! it.
//!
//! Resources of the `mongodbatlas` types (`mongodbatlas:AdvancedCluster`,
//! `mongodbatlas:index:AdvancedCluster`, `mongodbatlas:index/advancedCluster:AdvancedCluster`)
//! are the Terraform provider's resources with camelCase property names: they are renamed to
//! the Terraform names (`replicationSpecs` is `replication_specs`, `regionsConfigs` is
//! `regions_config`, ...) and built by [`terraform::build`], so every Terraform resource this
//! tool maps is mapped here too. Locations stay those of the program (the camelCase names in
//! pointers). `projectId: ${gov.id}` links to the program's `mongodbatlas:Project` `gov`.
//!
//! Anything else (`${res.prop}` of a resource, `fn::` calls, interpolations inside a longer
//! string, config without a value) is unknown and never guessed.
//!
//! A program in TypeScript or JavaScript (`runtime: nodejs`) is read from the modules of its
//! directory (and below it) that import `@pulumi/mongodbatlas`: each `new mongodbatlas.X(name,
//! {...}, opts)` is the resource `X` with those properties, as in YAML ([`code`] turns a
//! module's tree, `document::js`, into a YAML program's). A `const` bound once to a literal is
//! a variable, `project.id` of a resource a reference, `config.require("tier")` of a
//! `new pulumi.Config()` the stack's `<project>:tier`; anything else (a function's result, an
//! operator, `pulumi.interpolate`, a spread) is unknown, and a resource whose properties are
//! not an object literal is not read. A Python program (`runtime: python`) is read the same way
//! from its modules that import `pulumi_mongodbatlas` (`document::py`): keyword arguments,
//! `...Args(...)` calls and dicts are its properties, under snake_case names.

mod code;
mod eval;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::document::{LineIndex, Node};
use crate::model::{FileId, LocCtx, Model, SourceFile};

/// Whether a file name is one of a Pulumi project's: the project file (`Pulumi.yaml`,
/// `Pulumi.yml`), a stack settings file (`Pulumi.<stack>.yaml`), `Main.yaml`, or a module of
/// a program's code (JavaScript or TypeScript; read only when [`is_program_code`]).
pub fn is_pulumi_file(path: &Path) -> bool {
    role(path).is_some()
}

/// Whether a JavaScript, TypeScript or Python module's text may be a Pulumi program using
/// the provider (it names its package).
pub fn is_program_code(text: &str) -> bool {
    [CODE_PACKAGE, PY_PACKAGE]
        .iter()
        .any(|p| memchr::memmem::find(text.as_bytes(), p.as_bytes()).is_some())
}

/// The extensions of a Node.js program's modules, and of a Python program's.
const JS_EXTENSIONS: &[&str] = &["ts", "mts", "cts", "js", "mjs", "cjs"];
const PY_EXTENSIONS: &[&str] = &["py"];

/// The provider's package for JavaScript and TypeScript, and for Python.
const CODE_PACKAGE: &str = "@pulumi/mongodbatlas";
const PY_PACKAGE: &str = "pulumi_mongodbatlas";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Project,
    Main,
    Stack(String),
    /// A JavaScript, TypeScript or Python module.
    Code,
}

fn role(path: &Path) -> Option<Role> {
    let name = crate::paths::file_name(path)?.to_str()?;
    let ext = crate::paths::extension(name).unwrap_or("");
    if JS_EXTENSIONS
        .iter()
        .chain(PY_EXTENSIONS)
        .any(|e| e.eq_ignore_ascii_case(ext))
    {
        return Some(Role::Code);
    }
    if matches!(name, "Pulumi.yaml" | "Pulumi.yml") {
        return Some(Role::Project);
    }
    if name == "Main.yaml" {
        return Some(Role::Main);
    }
    let stack = name
        .strip_prefix("Pulumi.")?
        .strip_suffix(".yaml")
        .or_else(|| name.strip_prefix("Pulumi.")?.strip_suffix(".yml"))?;
    (!stack.is_empty()).then(|| Role::Stack(stack.to_string()))
}

/// Whether a file is a module of a program's code (by its extension).
pub fn is_program_module(path: &Path) -> bool {
    role(path) == Some(Role::Code)
}

/// Whether a file is a Pulumi project file (`Pulumi.yaml`, `Pulumi.yml`).
pub fn is_project_file(path: &Path) -> bool {
    role(path) == Some(Role::Project)
}

/// The names a Pulumi project file may have, nearest first in a directory.
pub const PROJECT_FILES: [&str; 2] = ["Pulumi.yaml", "Pulumi.yml"];

/// The directories beyond its own that a project file (at `path`, parsed) reads its program
/// and stacks from: its `main` and `stackConfigDir`, each with whether the directories below
/// it hold the program too (a Node.js or Python program's modules).
pub fn linked_dirs(path: &Path, root: &Node) -> Vec<(PathBuf, bool)> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let dir = crate::paths::normalize(dir);
    let (main_dir, stack_dir) = program_dirs(&dir, root);
    let below = matches!(runtime(root), Some("nodejs" | "python"));
    let mut out = Vec::new();
    if main_dir != dir || below {
        out.push((main_dir, below));
    }
    if stack_dir != dir && !out.iter().any(|(d, _)| *d == stack_dir) {
        out.push((stack_dir, false));
    }
    out
}

/// A project's runtime (`runtime: nodejs`, or `runtime: {name: nodejs, options: ...}`).
fn runtime(root: &Node) -> Option<&str> {
    let runtime = root.get("runtime");
    runtime.and_then(|r| r.as_str().or_else(|| r.get("name")?.as_str()))
}

/// The directories of a project's program and of its stacks, for a project file in `dir`:
/// `main: infra/` and `stackConfigDir: stacks`, relative to the project file (a leading `/`
/// too, as Go's `filepath.Join` reads it); `main` may name the program's file itself
/// (`infra/Main.yaml`, `src/index.ts`, `app.py`), whose directory holds the program.
fn program_dirs(dir: &Path, root: &Node) -> (PathBuf, PathBuf) {
    let under = |key: &str| -> PathBuf {
        let Some(m) = root
            .get(key)
            .and_then(Node::as_str)
            .map(|m| m.trim_start_matches('/'))
            .filter(|m| !m.is_empty())
        else {
            return dir.to_path_buf();
        };
        let at = crate::paths::normalize(&dir.join(m));
        let file = at.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["yaml", "yml"]
                .iter()
                .chain(JS_EXTENSIONS)
                .chain(PY_EXTENSIONS)
                .any(|x| *x == e)
        });
        match at.parent() {
            Some(parent) if file => parent.to_path_buf(),
            _ => at,
        }
    };
    (under("main"), under("stackConfigDir"))
}

/// One file of a Pulumi project, kept for the multi-file step.
#[derive(Debug)]
pub struct PulumiFile {
    file: FileId,
    role: Role,
    text: Arc<str>,
    index: LineIndex,
    root: Node,
}

impl PulumiFile {
    pub fn new(ctx: &LocCtx<'_>, path: &Path, root: Node, index: LineIndex) -> Option<PulumiFile> {
        let role = role(path)?;
        root.as_map()?;
        Some(PulumiFile {
            file: ctx.file,
            role,
            text: Arc::from(ctx.text),
            index,
            root,
        })
    }

    fn ctx<'a>(&'a self, files: &'a [SourceFile]) -> Option<LocCtx<'a>> {
        let path = files.get(self.file as usize)?.path.as_path();
        Some(LocCtx::new(self.file, path, &self.text, &self.index))
    }
}

/// Once every file is read: each Pulumi YAML program, once per stack of its directory. Returns
/// the files to list as skipped: those of a program in another language (its code is not
/// read) that set `mongodbatlas:` configuration, which nothing checked.
pub fn resolve(
    kept: Vec<PulumiFile>,
    files: &[SourceFile],
    cwd: &Path,
    out: &mut Model,
) -> Vec<(PathBuf, String)> {
    eval::resolve(kept, files, cwd, out)
}
