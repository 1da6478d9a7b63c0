//! What LSP needs of a text that the linter does not: positions in UTF-16 code units on lines
//! ended by `\n`, `\r\n` or `\r`, edits applied at such positions, and `file:` URIs.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

/// Line starts of a text, as LSP counts lines (`\n`, `\r\n` and a lone `\r` end a line).
pub struct LineMap<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str) -> LineMap<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
        }
        LineMap { text, starts }
    }

    /// The LSP position (0-based line, UTF-16 code units) of byte `offset`. An offset inside a
    /// character, or past the end, is moved back to the nearest character boundary.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range {
            start: self.position(start),
            end: self.position(end.max(start)),
        }
    }

    /// The byte offset of an LSP position. As the protocol asks, a character past the end of
    /// the line means the end of the line, and a line past the end means the end of the text;
    /// a position inside a surrogate pair moves after the character.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        let content = line.trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in content.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + content.len()
    }

    /// The byte offset of a place given as a 1-based line and a 1-based column in characters
    /// (how the config reader and the command line name places), for a text with the same
    /// line breaks; on the first line, columns count from after a byte order mark. A place
    /// past the end of its line is the line's end.
    pub fn offset_of_line_column(&self, line: u32, column: u32) -> usize {
        let Some(&start) = self.starts.get((line as usize).saturating_sub(1)) else {
            return self.text.len();
        };
        let start = if start == 0 && self.text.starts_with('\u{FEFF}') {
            '\u{FEFF}'.len_utf8()
        } else {
            start
        };
        let rest = self.text.get(start..).unwrap_or("");
        let content = rest.split(['\n', '\r']).next().unwrap_or("");
        content
            .char_indices()
            .nth((column as usize).saturating_sub(1))
            .map_or(start + content.len(), |(i, _)| start + i)
    }
}

/// Apply one `textDocument/didChange` content change: a whole new text, or a range replaced.
pub fn apply_change(text: &mut String, range: Option<Range>, new_text: &str) {
    let Some(range) = range else {
        text.clear();
        text.push_str(new_text);
        return;
    };
    let map = LineMap::new(text);
    let start = map.offset(range.start);
    let end = map.offset(range.end).max(start);
    text.replace_range(start..end, new_text);
}

/// The path of a `file:` URI (percent-decoded), or `None` for other schemes and remote hosts.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let (scheme, rest) = s.split_once(':')?;
    if !scheme.eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let path = match rest.strip_prefix("//") {
        Some(after) => {
            let slash = after.find('/').unwrap_or(after.len());
            let (host, path) = after.split_at(slash);
            if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
                return None;
            }
            path
        }
        None => rest,
    };
    let bytes = percent_decode(path)?;
    bytes_to_path(bytes)
}

/// A `file:` URI for an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let s = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        // A Windows drive path: file:///C:/...
        out.push('/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    let s = String::from_utf8(bytes).ok()?;
    // file:///C:/x -> C:/x
    let s = match s.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => s.get(1..)?.to_string(),
        _ => s,
    };
    Some(PathBuf::from(s))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn positions_count_utf16_units_and_every_line_ending() {
        // "😀" is 4 bytes, 2 UTF-16 units; "é" is 2 bytes, 1 unit.
        let text = "a😀b\r\né: x\rz\n";
        let map = LineMap::new(text);
        assert_eq!(map.position(0), pos(0, 0));
        assert_eq!(map.position(1), pos(0, 1));
        assert_eq!(map.position(5), pos(0, 3)); // after the emoji
        assert_eq!(map.position(3), pos(0, 1)); // inside the emoji: moved back
        assert_eq!(map.position(8), pos(1, 0)); // after \r\n
        assert_eq!(map.position(13), pos(1, 4)); // before the lone \r
        assert_eq!(map.position(14), pos(2, 0)); // after it
        assert_eq!(map.position(16), pos(3, 0));
        assert_eq!(map.position(99), pos(3, 0));
        for offset in [0, 1, 5, 6, 8, 10, 13, 14, 15, 16] {
            assert_eq!(map.offset(map.position(offset)), offset, "offset {offset}");
        }
        assert_eq!(map.offset(pos(0, 2)), 5); // inside the surrogate pair: after it
        assert_eq!(map.offset(pos(0, 99)), 6); // past the line end: the line end
        assert_eq!(map.offset(pos(9, 0)), text.len());
    }

    #[test]
    fn changes_replace_ranges_or_the_whole_text() {
        let mut text = "name: 😀x\nregion: EU\n".to_string();
        apply_change(&mut text, Some(Range::new(pos(0, 8), pos(0, 9))), "y");
        assert_eq!(text, "name: 😀y\nregion: EU\n");
        apply_change(&mut text, Some(Range::new(pos(1, 8), pos(1, 10))), "US_GOV");
        assert_eq!(text, "name: 😀y\nregion: US_GOV\n");
        apply_change(&mut text, None, "new");
        assert_eq!(text, "new");
    }

    #[test]
    fn file_uris_round_trip() {
        let uri: Uri = "file:///tmp/a%20b/%C3%A9.yaml".parse().unwrap();
        let path = uri_to_path(&uri).unwrap();
        assert_eq!(path, Path::new("/tmp/a b/é.yaml"));
        assert_eq!(path_to_uri(&path).unwrap(), uri);
        let local: Uri = "file://localhost/x.json".parse().unwrap();
        assert_eq!(uri_to_path(&local).unwrap(), Path::new("/x.json"));
        for other in [
            "untitled:Untitled-1",
            "file://server/share/x.json",
            "https://x/y",
        ] {
            assert_eq!(uri_to_path(&other.parse().unwrap()), None, "{other}");
        }
    }
}
