//! Reading files, and what a path's name says about its syntax: the one place that opens a
//! spec, and the one table of extensions.
//!
//! Every file the tool reads goes through [`read`] (or [`read_to_limit`] for a stream): it
//! refuses special files without blocking, bounds the bytes read, and decodes the text. Specs
//! are bounded by `--max-file-size`; the config and the baseline by [`CONFIG_LIMIT`] and
//! [`BASELINE_LIMIT`] ([`read_limited`]). The files the tool writes (`--output`,
//! `--write-baseline`) are opened by [`write::write`], which never blocks either.

pub mod walk;
pub mod write;

use std::io::Read;
use std::path::Path;

use crate::document::Syntax;
use crate::document::shell::Dialect;

/// Which comments a file can hold (for `atlasgov-lint:` suppression comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comments {
    /// YAML, shell scripts, Makefiles, Dockerfiles: `#` at the start of a line or after
    /// whitespace.
    Hash,
    /// HCL: `#` and `//`.
    HashAndSlashes,
    /// JSON: `//`, which JSON with comments has (`tsconfig.json`, `appsettings.json`, VS Code's
    /// settings); an Atlas body or template cannot hold one (GOV000), so there the config's
    /// `exceptions` serve.
    Slashes,
}

/// What a file's name says: its syntax and its comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub syntax: Syntax,
    pub comments: Comments,
}

/// The extensions the tool reads, and what each means. A walk lists only these, the names in
/// [`NAMES`] and scripts with a shell shebang ([`has_shell_shebang`]); an in-memory buffer
/// with another name (standard input) is read as YAML ([`kind_for`]).
const KINDS: &[(&str, Kind)] = &[
    ("json", JSON),
    ("yaml", YAML),
    ("yml", YAML),
    ("tf", HCL),
    ("tfvars", HCL),
    // Terraform state (`terraform.tfstate`): JSON.
    ("tfstate", JSON),
    ("sh", SHELL),
    ("bash", SHELL),
    ("zsh", SHELL),
    ("ksh", SHELL),
    ("mk", MAKE),
    ("dockerfile", DOCKER),
    ("containerfile", DOCKER),
    // Pulumi programs in JavaScript or TypeScript (only a module that imports
    // `@pulumi/mongodbatlas` is read: see `adapters::pulumi`).
    ("ts", JS),
    ("mts", JS),
    ("cts", JS),
    ("js", JS),
    ("mjs", JS),
    ("cjs", JS),
    // and in Python (only a module that imports `pulumi_mongodbatlas` is read).
    ("py", PY),
    // Java properties (Spring's `application.properties`): connection strings and base URLs.
    ("properties", PROPERTIES),
    // TOML and INI settings (`config.toml`, `app.ini`, `setup.cfg`): `key = value` lines, read
    // as properties are for the same two things.
    ("toml", PROPERTIES),
    ("ini", PROPERTIES),
    ("cfg", PROPERTIES),
];
/// File names the tool reads whatever their extension (ASCII case-sensitive, as `make` and
/// `docker build` look for them), and whether a suffix is allowed (`Dockerfile.dev` is a
/// Dockerfile too).
const NAMES: &[(&str, Kind, bool)] = &[
    ("Makefile", MAKE, false),
    ("makefile", MAKE, false),
    ("GNUmakefile", MAKE, false),
    ("Dockerfile", DOCKER, true),
    ("dockerfile", DOCKER, true),
    ("Containerfile", DOCKER, true),
    // Jenkins pipelines (`Jenkinsfile`, `Jenkinsfile.release`): their `sh` steps.
    ("Jenkinsfile", JENKINS, true),
    // Terragrunt's configuration: the `inputs` of the module it runs.
    ("terragrunt.hcl", HCL, false),
];
const SHELL: Kind = Kind {
    syntax: Syntax::Shell(Dialect::Sh),
    comments: Comments::Hash,
};
const JENKINS: Kind = Kind {
    syntax: Syntax::Shell(Dialect::Jenkins),
    comments: Comments::HashAndSlashes,
};
const ENV: Kind = Kind {
    syntax: Syntax::Shell(Dialect::Env),
    comments: Comments::Hash,
};
const PROPERTIES: Kind = Kind {
    syntax: Syntax::Shell(Dialect::Properties),
    comments: Comments::Hash,
};
const MAKE: Kind = Kind {
    syntax: Syntax::Shell(Dialect::Make),
    comments: Comments::Hash,
};
const DOCKER: Kind = Kind {
    syntax: Syntax::Shell(Dialect::Docker),
    comments: Comments::Hash,
};
const JS: Kind = Kind {
    syntax: Syntax::Js,
    comments: Comments::Slashes,
};
const PY: Kind = Kind {
    syntax: Syntax::Py,
    comments: Comments::Hash,
};
const JSON: Kind = Kind {
    syntax: Syntax::Json,
    comments: Comments::Slashes,
};
const YAML: Kind = Kind {
    syntax: Syntax::Yaml,
    comments: Comments::Hash,
};
const HCL: Kind = Kind {
    syntax: Syntax::Hcl,
    comments: Comments::HashAndSlashes,
};

/// Sample names of every file the tool reads by its name alone: one per extension of
/// [`KINDS`], each name of [`NAMES`] (and with a suffix where one is allowed), and the
/// special names [`kind`] knows. For integrations that pick files by a pattern (the pre-commit
/// hook's `files:`), whose tests check that the pattern takes them all.
pub fn sample_names() -> Vec<String> {
    let mut out: Vec<String> = KINDS.iter().map(|(e, _)| format!("x.{e}")).collect();
    for (name, _, suffix) in NAMES {
        out.push((*name).to_string());
        if *suffix {
            out.push(format!("{name}.dev"));
        }
    }
    out.extend(
        [
            "Kustomization",
            ".envrc",
            ".env",
            ".env.production",
            "app.env",
        ]
        .map(String::from),
    );
    out
}

/// The kind of a spec file by its name ([`NAMES`], `Dockerfile.<anything>`) or extension
/// (ASCII case-insensitive); `None` for a name the tool does not read by name alone.
pub fn kind(path: &Path) -> Option<Kind> {
    // A name that is not UTF-8 (`bad\xffname.yaml`) is judged by what it spells: its
    // extension is still read (the file is checked, its path shown with U+FFFD).
    let name = crate::paths::file_name(path)?.to_string_lossy();
    let name = name.as_ref();
    // kustomize's third name for its file, which has no extension.
    if name == "Kustomization" {
        return Some(YAML);
    }
    if name == ".envrc" {
        // direnv's: a bash script.
        return Some(SHELL);
    }
    if is_dotenv(name) {
        return Some(ENV);
    }
    let (stem, _) = name.split_once('.').unwrap_or((name, ""));
    if let Some((_, k, _)) = NAMES
        .iter()
        .find(|(n, _, suffix)| *n == name || (*suffix && *n == stem))
    {
        return Some(*k);
    }
    let ext = crate::paths::extension(name)?;
    KINDS
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, k)| *k)
}

/// Environment files: `.env`, `.env.production`, `.env.example` (not `.env.json`: its
/// extension says what it is), `app.env`. They hold `KEY=value` lines (with `export`, quotes
/// and `#` comments), read as a mapping ([`Dialect::Env`]): connection strings, base URLs and
/// `MONGODB_ATLAS_*` settings are judged as in any settings file. (direnv's `.envrc` is a bash
/// script, read as one.)
fn is_dotenv(name: &str) -> bool {
    if name == ".env" {
        return true;
    }
    if let Some(rest) = name.strip_prefix(".env.").filter(|r| !r.is_empty()) {
        let ext = rest.rsplit('.').next().unwrap_or(rest);
        return !KINDS.iter().any(|(e, _)| e.eq_ignore_ascii_case(ext));
    }
    name.len() > ".env".len()
        && name
            .get(name.len() - ".env".len()..)
            .is_some_and(|ext| ext.eq_ignore_ascii_case(".env"))
}

/// The kind of a file read as `text`: by its name ([`kind`]), as a shell script when it
/// starts with a shell shebang, else YAML (standard input, a buffer an editor names
/// otherwise, a file named on the command line whatever its name).
pub fn kind_for(path: &Path, text: &str) -> Kind {
    kind(path).unwrap_or(if is_shell_shebang(text.as_bytes()) {
        SHELL
    } else {
        YAML
    })
}

/// Whether a file's first line is a shebang naming a POSIX-like shell (`#!/bin/sh`,
/// `#!/usr/bin/env bash`, `#!/bin/bash -eu`; also dash, ksh, zsh, ash, mksh).
fn is_shell_shebang(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(line) = head.strip_prefix(b"#!") else {
        return false;
    };
    let line = line.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let mut program = words.next().unwrap_or("");
    let base = |p: &str| p.rsplit('/').next().unwrap_or("").to_string();
    if base(program) == "env" {
        // `env -S bash -e`, `env bash`
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    crate::document::shell::SHELLS.contains(&base(program).as_str())
}

/// Whether the regular file at `path` starts with a shell shebang (see [`kind_for`]): the
/// first bytes only are read, without blocking.
pub fn has_shell_shebang(path: &Path) -> bool {
    let Ok(file) = open_without_blocking(path, false) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::with_capacity(128);
    if std::io::Read::read_to_end(&mut std::io::Read::take(file, 128), &mut head).is_err() {
        return false;
    }
    is_shell_shebang(&head)
}

/// Whether a walk considers a file it found that has no name the tool reads ([`kind`]): a
/// script without an extension whose first line is a shell shebang. Hidden files and files
/// with an extension are not opened.
pub fn is_shebang_candidate(path: &Path) -> bool {
    path.extension().is_none()
        && path
            .file_name()
            .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
}

/// Whether a file is a PowerShell script (`.ps1`, `.psm1`), which no adapter reads as one.
pub fn is_powershell(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ps1") || e.eq_ignore_ascii_case("psm1"))
}

/// Whether a file is the manifest of a program in a language no adapter reads (Go's `go.mod`,
/// a .NET project file, Maven's `pom.xml`, Gradle's build script): read only to say, when the
/// program uses Pulumi's Atlas provider, that it was not checked.
pub fn is_program_manifest(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    matches!(
        name,
        "go.mod" | "pom.xml" | "build.gradle" | "build.gradle.kts"
    ) || [".csproj", ".fsproj", ".vbproj"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext))
}

/// Whether a file name has one of the extensions the tool reads.
pub fn is_spec_name(path: &Path) -> bool {
    kind(path).is_some()
}

/// The kind of a file to parse: by extension, YAML for any other name (standard input, a
/// buffer an editor names otherwise).
pub fn kind_or_yaml(path: &Path) -> Kind {
    kind(path).unwrap_or(YAML)
}

/// The largest config file read (a config is a few kilobytes; thousands of `exceptions` fit).
pub const CONFIG_LIMIT: u64 = 4 * 1024 * 1024;
/// The largest baseline read (about 200 bytes an entry: over half a million entries).
pub const BASELINE_LIMIT: u64 = 128 * 1024 * 1024;

/// Read a spec file as text, at most `limit` bytes (`--max-file-size`). Errors are the reason
/// it is skipped.
pub fn read(path: &Path, limit: u64) -> Result<String, String> {
    read_limited(path, limit, "--max-file-size")
}

/// Read a file as text, at most `limit` bytes; `what_limits` names what set the limit (in
/// the error when the file is larger). Errors are the reason it is not read.
///
/// Never blocks on a special file and never holds more than the size limit in memory: the
/// path is checked to be a regular file before it is opened (opening a FIFO waits for a
/// writer), opened without blocking in case it was replaced in between, checked again through
/// the open handle, and read up to one byte past the limit (it may grow while being read).
pub fn read_limited(path: &Path, limit: u64, what_limits: &str) -> Result<String, String> {
    read_limited_bytes(path, limit, what_limits, false).and_then(decode)
}

/// [`read`], saying also whether the file is UTF-16 (its text is then decoded: offsets in the
/// text are not the file's bytes, so the file is never edited).
///
/// `walked`: a directory walk found the path as a regular file, not a link. It is then
/// opened without the look before (one path lookup instead of two, a few percent of a whole
/// run) and without following a link: a link put in its place since the walk is refused,
/// as is anything else but a regular file, through the open handle.
pub fn read_noting_utf16(path: &Path, limit: u64, walked: bool) -> Result<(String, bool), String> {
    let bytes = read_limited_bytes(path, limit, "--max-file-size", walked)?;
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    decode(bytes).map(|text| (text, utf16))
}

/// The bytes of a file, as [`read_limited`] reads them.
fn read_limited_bytes(
    path: &Path,
    limit: u64,
    what_limits: &str,
    walked: bool,
) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("cannot read: {e}");
    let too_large = |len: u64| {
        format!("file is {len} bytes, larger than the {limit}-byte limit ({what_limits})")
    };
    if !walked {
        let meta = std::fs::metadata(path).map_err(cannot)?;
        if !meta.is_file() {
            return Err(walk::not_regular(meta.file_type()));
        }
        if meta.len() > limit {
            return Err(too_large(meta.len()));
        }
    }
    let file = open_without_blocking(path, walked).map_err(cannot)?;
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
            "file grew past the {limit}-byte limit ({what_limits}) while being read"
        ));
    }
    Ok(bytes)
}

/// Open for reading without waiting (a FIFO put in the file's place), and with `no_follow`
/// without following a final symbolic link.
#[cfg(unix)]
fn open_without_blocking(path: &Path, no_follow: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | follow)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path, _no_follow: bool) -> std::io::Result<std::fs::File> {
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

/// Read a stream (standard input) as text, at most `limit` bytes. Errors are the reason it is
/// not checked; `what` names the stream in them.
pub fn read_to_limit(reader: impl Read, limit: u64, what: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(format!(
            "{what} is larger than the {limit}-byte limit (--max-file-size)"
        ));
    }
    decode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_walked_file_is_read_only_if_it_is_still_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}").unwrap();
        let link = dir.path().join("b.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let fifo = dir.path().join("c.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        let read = |path: &Path, walked| read_noting_utf16(path, 1024, walked);
        assert_eq!(read(&file, true), Ok(("{}".to_string(), false)));
        // A link in the walked file's place (put there since the walk) is not followed; named
        // on the command line, it is.
        let refused = read(&link, true).unwrap_err();
        assert!(refused.starts_with("cannot read"), "{refused}");
        assert_eq!(read(&link, false), Ok(("{}".to_string(), false)));
        if made {
            // Neither way waits for a writer.
            for walked in [true, false] {
                let refused = read(&fifo, walked).unwrap_err();
                assert!(refused.contains("FIFO"), "{refused}");
            }
        }
    }

    #[test]
    fn environment_files_are_read_as_settings_and_envrc_as_a_script() {
        for name in [
            ".env",
            ".env.production",
            ".env.example",
            "app.env",
            "CI.ENV",
        ] {
            assert_eq!(kind(Path::new(name)), Some(ENV), "{name}");
        }
        assert_eq!(kind(Path::new(".envrc")), Some(SHELL));
        assert_eq!(kind(Path::new(".env.json")), Some(JSON));
        assert_eq!(kind(Path::new(".env.prod.yaml")), Some(YAML));
        for name in [".environment", "env", ".env-local", "dev.envx", ".env."] {
            assert_ne!(kind(Path::new(name)), Some(ENV), "{name}");
        }
    }
}
