//! Writing the files the tool writes (the `--output` report, the `--write-baseline` baseline):
//! opened without blocking, checked through the handle, every error returned.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Where a write may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A regular file only (a baseline is read back by later runs).
    RegularFile,
    /// Also a pipe, a FIFO with a reader, or a device (`/dev/stdout`, `/dev/null`,
    /// `>(...)`): a report.
    AnyFile,
}

/// Write `text` to `path`, creating it if needed. Errors are the reason (without the path).
///
/// Opening a FIFO for writing waits for a reader: it is opened without blocking, so a FIFO
/// nobody reads is an error at once, and written to with retries while its reader catches
/// up. A regular file is truncated only once the open handle shows it is one.
pub fn write(path: &Path, text: &str, target: Target) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot write: {}", reason(&e));
    let mut file = open_without_blocking(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_file() {
        file.set_len(0).map_err(cannot)?;
    } else if target == Target::RegularFile {
        return Err(super::walk::not_regular(meta.file_type()));
    }
    write_all(&mut file, text.as_bytes()).map_err(cannot)
}

/// Replace the spec file at `path`, read as `before`, by `after`, atomically: a temporary
/// file beside it (same permissions, same owner and group) renamed over it, so a reader sees
/// the old text or the new one, never part of either. A file that is not a regular UTF-8 file,
/// that is read-only or not writable by this user, or whose bytes are no longer `before` (it
/// changed since it was read), is left alone: the error says why. A symbolic link is
/// followed: its target is replaced, the link stays. A file with other hard links, whose
/// owner the temporary file cannot take, or beside which no file can be made (a directory this
/// user may not write), is rewritten in place instead (not atomically), so that it stays the
/// same file.
pub fn replace(path: &Path, before: &str, after: &str, limit: u64) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|e| format!("cannot open: {e}"))?;
    let meta = std::fs::metadata(&target).map_err(|e| format!("cannot open: {e}"))?;
    if !meta.is_file() {
        return Err(super::walk::not_regular(meta.file_type()));
    }
    if meta.len() > limit {
        return Err("changed since it was read (it grew past --max-file-size)".to_string());
    }
    let now = std::fs::read(&target).map_err(|e| format!("cannot read: {e}"))?;
    if now.starts_with(&[0xFF, 0xFE]) || now.starts_with(&[0xFE, 0xFF]) {
        return Err("a UTF-16 file is not rewritten".to_string());
    }
    if now != before.as_bytes() {
        return Err("changed since it was read; not rewritten".to_string());
    }
    // Writable as the file it is: not read-only (which renaming over it would not respect),
    // and open for writing by this user.
    if meta.permissions().readonly() {
        return Err("the file is read-only; not rewritten".to_string());
    }
    let cannot = |e: std::io::Error| format!("cannot write: {}", reason(&e));
    let in_place = std::fs::OpenOptions::new()
        .write(true)
        .open(&target)
        .map_err(cannot)?;
    if other_links(&meta) {
        return write_in_place(in_place, after).map_err(cannot);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (temp, mut file) = loop {
        let temp = dir.join(format!(
            ".{name}.atlasgov-lint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => break (temp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                attempt += 1;
            }
            // No file can be made beside it (a directory this user may not write): the file,
            // which this user may write, is rewritten in place.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return write_in_place(in_place, after).map_err(cannot);
            }
            Err(e) => return Err(cannot(e)),
        }
    };
    if !same_owner(&file, &meta) {
        drop(file);
        let _ = std::fs::remove_file(&temp);
        return write_in_place(in_place, after).map_err(cannot);
    }
    drop(in_place);
    let written = file
        .set_permissions(meta.permissions())
        .and_then(|()| file.write_all(after.as_bytes()))
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, &target)) {
        let _ = std::fs::remove_file(&temp);
        return Err(cannot(e));
    }
    Ok(())
}

/// Rewrite an open file's contents: truncated, written, synced.
fn write_in_place(mut file: std::fs::File, text: &str) -> std::io::Result<()> {
    file.set_len(0)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Whether the file has other names (hard links) that a rename would leave with the old text.
#[cfg(unix)]
fn other_links(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

#[cfg(not(unix))]
fn other_links(_: &std::fs::Metadata) -> bool {
    false
}

/// Gives the new file the owner and group of the one it replaces (as root, or a group the user
/// is in); whether it has them now.
#[cfg(unix)]
fn same_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let owned = |f: &std::fs::File| {
        f.metadata()
            .is_ok_and(|m| m.uid() == meta.uid() && m.gid() == meta.gid())
    };
    owned(file)
        || (std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).is_ok()
            && owned(file))
}

#[cfg(not(unix))]
fn same_owner(_: &std::fs::File, _: &std::fs::Metadata) -> bool {
    true
}

/// `write_all`, waiting (without spinning) while a non-blocking pipe is full.
fn write_all(out: &mut impl Write, mut bytes: &[u8]) -> std::io::Result<()> {
    let mut pause = Duration::from_micros(100);
    while !bytes.is_empty() {
        match out.write(bytes) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                bytes = bytes.get(n..).unwrap_or(&[]);
                pause = Duration::from_micros(100);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
    out.flush()
}

#[cfg(unix)]
fn reason(e: &std::io::Error) -> String {
    if e.raw_os_error() == Some(libc::ENXIO) {
        // open(2) on a FIFO without a reader, with O_NONBLOCK.
        return format!("no process is reading this FIFO ({e})");
    }
    e.to_string()
}

#[cfg(not(unix))]
fn reason(e: &std::io::Error) -> String {
    e.to_string()
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_is_atomic_keeps_permissions_and_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "size: M10\r\n").unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        replace(&path, "size: M10\r\n", "size: M20\r\n", 1 << 20).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("size: M20\r\n")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o640));
        }
        let e = replace(&path, "size: M10\r\n", "x", 1 << 20)
            .err()
            .unwrap_or_default();
        assert!(e.contains("changed since it was read"), "{e}");
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("size: M20\r\n")
        );
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn replace_refuses_a_read_only_file_and_keeps_hard_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "size: M10\n").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))
            .unwrap_or_else(|e| panic!("{e}"));
        let e = replace(&path, "size: M10\n", "size: M20\n", 1 << 20)
            .err()
            .unwrap_or_default();
        assert!(e.contains("read-only"), "{e}");
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("size: M10\n")
        );
        // A hard link sees the new text: the file is rewritten where it is.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        let link = dir.path().join("b.yaml");
        std::fs::hard_link(&path, &link).unwrap_or_else(|e| panic!("{e}"));
        replace(&path, "size: M10\n", "size: M20\n", 1 << 20).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::fs::read_to_string(&link).ok().as_deref(),
            Some("size: M20\n")
        );
    }

    #[test]
    fn writes_and_truncates_a_regular_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("report.json");
        std::fs::write(&path, "a much longer previous content").unwrap_or_else(|e| panic!("{e}"));
        write(&path, "new", Target::RegularFile).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("new"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_reader_and_a_full_device_are_errors() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()));
        let e = write(&fifo, "x", Target::AnyFile).err().unwrap_or_default();
        assert!(e.contains("no process is reading this FIFO"), "{e}");
        let e = write(&fifo, "x", Target::RegularFile)
            .err()
            .unwrap_or_default();
        assert!(e.contains("no process is reading this FIFO"), "{e}");
        let e = write(Path::new("/dev/full"), "x", Target::AnyFile)
            .err()
            .unwrap_or_default();
        assert!(
            e.starts_with("cannot write: No space left on device"),
            "{e}"
        );
        let e = write(Path::new("/dev/null"), "x", Target::RegularFile)
            .err()
            .unwrap_or_default();
        assert_eq!(e, "not a regular file (a device)");
        assert_eq!(write(Path::new("/dev/null"), "x", Target::AnyFile), Ok(()));
    }
}
