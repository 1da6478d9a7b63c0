//! Reading files, and what a path's name says about its syntax: the one place that opens a
//! spec, and the one table of extensions.
//!
//! Every file the tool reads goes through [`read`] (or [`read_to_limit`] for a stream): it
//! refuses special files without blocking, bounds the bytes read, and decodes the text.

pub mod walk;

use std::io::Read;
use std::path::Path;

use crate::document::Syntax;

/// Which comments a file can hold (for `atlasgov-lint:` suppression comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comments {
    /// JSON: none (use the config's `exceptions`).
    None,
    /// YAML: `#` at the start of a line or after whitespace.
    Hash,
    /// HCL: `#` and `//`.
    HashAndSlashes,
}

/// What a file's name says: its syntax and its comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub syntax: Syntax,
    pub comments: Comments,
}

/// The extensions the tool reads, and what each means. A walk lists only these; an in-memory
/// buffer with another name (standard input) is read as YAML ([`kind_or_yaml`]).
const KINDS: &[(&str, Kind)] = &[
    ("json", JSON),
    ("yaml", YAML),
    ("yml", YAML),
    ("tf", HCL),
    ("tfvars", HCL),
];
const JSON: Kind = Kind {
    syntax: Syntax::Json,
    comments: Comments::None,
};
const YAML: Kind = Kind {
    syntax: Syntax::Yaml,
    comments: Comments::Hash,
};
const HCL: Kind = Kind {
    syntax: Syntax::Hcl,
    comments: Comments::HashAndSlashes,
};

/// The kind of a spec file by its extension (ASCII case-insensitive), or by its whole name
/// (`Kustomization`); `None` for a name the tool does not read.
pub fn kind(path: &Path) -> Option<Kind> {
    // kustomize's third name for its file, which has no extension.
    if path.file_name().is_some_and(|n| n == "Kustomization") {
        return Some(YAML);
    }
    let ext = path.extension()?.to_str()?;
    KINDS
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, k)| *k)
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

/// Read a file as text. Errors are the reason it is skipped.
///
/// Never blocks on a special file and never holds more than the size limit in memory: the
/// path is checked to be a regular file before it is opened (opening a FIFO waits for a
/// writer), opened without blocking in case it was replaced in between, checked again through
/// the open handle, and read up to one byte past the limit (it may grow while being read).
pub fn read(path: &Path, limit: u64) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot read: {e}");
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
