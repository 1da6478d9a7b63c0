//! The LSP base protocol on a byte stream: `Content-Length` framing, read by this server
//! itself so that a malformed message gets an error reply instead of ending the session.
//!
//! The reader recovers from any byte sequence: it scans for the next `Content-Length` header
//! wherever it is (stray bytes before a header are skipped), refuses a message larger than its
//! limit on reading the header (its bytes are then skipped, never held), and when a body is
//! not one JSON value it looks for the next header inside it: a `Content-Length` one byte too
//! long still yields its message (the byte is the start of the next header), one byte too
//! short yields a parse error and then the next message.

use std::io::Read;

pub use lsp_server::Message;
use lsp_server::{ErrorCode, Notification, Request, Response};
use serde_json::Value;

/// The largest message body accepted: a `didOpen` of a file at the default size limit (64 MiB),
/// JSON escaped, fits.
pub const MAX_BODY: usize = 512 * 1024 * 1024;
/// The longest header block (from `Content-Length` to the blank line after the headers).
const MAX_HEADER_BLOCK: usize = 8 * 1024;
/// Bytes read from the input at a time.
const CHUNK: usize = 64 * 1024;
/// The header that frames a message, as matched (ASCII case-insensitively).
const CONTENT_LENGTH: &[u8] = b"content-length";

/// One unit read from the client.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A message that cannot be used: `id` is the request's id when it has a valid one (a
    /// number or a string), else null, as JSON-RPC asks.
    Invalid {
        id: Value,
        code: ErrorCode,
        message: String,
    },
    /// The end of input (or a read error).
    End(Option<std::io::Error>),
}

/// Reads frames from a byte stream (the client's standard output).
pub struct Reader<R> {
    input: R,
    /// Bytes read and not used yet: `buf[pos..]`.
    buf: Vec<u8>,
    pos: usize,
    /// Bytes of a refused message still to skip.
    skip: u64,
    max_body: usize,
    eof: bool,
}

impl<R: Read> Reader<R> {
    /// A reader accepting bodies of at most `max_body` bytes ([`MAX_BODY`] for a server).
    pub fn new(input: R, max_body: usize) -> Reader<R> {
        Reader {
            input,
            buf: Vec::new(),
            pos: 0,
            skip: 0,
            max_body,
            eof: false,
        }
    }

    /// The bytes held (for tests: a refused message is never buffered).
    pub fn buffered_capacity(&self) -> usize {
        self.buf.capacity()
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Read more input after what is pending. `Ok(false)` at the end of input.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        // Drop what was used; give back memory a large message left.
        self.buf.drain(..self.pos.min(self.buf.len()));
        self.pos = 0;
        if self.buf.capacity() > 4 * CHUNK && self.buf.len() < CHUNK {
            self.buf.shrink_to(2 * CHUNK);
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let read = loop {
            match self.input.read(self.buf.get_mut(old..).unwrap_or(&mut [])) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        let n = read.inspect_err(|_| self.buf.truncate(old))?;
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Skip the bytes of a refused message without keeping them.
    fn skip_refused(&mut self) -> std::io::Result<bool> {
        while self.skip > 0 {
            let available = self.pending().len();
            if available == 0 {
                self.buf.clear();
                self.pos = 0;
                if !self.fill()? {
                    return Ok(false);
                }
                continue;
            }
            let n = usize::try_from(self.skip)
                .unwrap_or(usize::MAX)
                .min(available);
            self.pos += n;
            self.skip -= n as u64;
        }
        Ok(true)
    }

    /// Read the next frame.
    pub fn next_frame(&mut self) -> Frame {
        match self.frame() {
            Ok(frame) => frame,
            Err(e) => Frame::End(Some(e)),
        }
    }

    fn frame(&mut self) -> std::io::Result<Frame> {
        if !self.skip_refused()? {
            return Ok(Frame::End(None));
        }
        loop {
            // The next `Content-Length`, wherever it is: what comes before is garbage.
            let Some(at) = find_header(self.pending()) else {
                // Keep what could be the start of a header cut by the end of the read.
                let keep = self.pending().len().min(CONTENT_LENGTH.len() - 1);
                self.pos = self.buf.len() - keep;
                if !self.fill()? {
                    return Ok(Frame::End(None));
                }
                continue;
            };
            self.pos += at;
            let block = match header_block(self.pending()) {
                Block::Complete(len, length) => (len, length),
                Block::Incomplete => {
                    if self.fill()? {
                        continue;
                    }
                    return Ok(Frame::End(None));
                }
                Block::Invalid => {
                    // Not a header after all: look further.
                    self.pos += 1;
                    continue;
                }
            };
            let (block_len, length) = block;
            self.pos += block_len;
            if length > self.max_body as u64 {
                self.skip = length;
                return Ok(Frame::Invalid {
                    id: Value::Null,
                    code: ErrorCode::InvalidRequest,
                    message: format!(
                        "message of {length} bytes is larger than {} bytes: skipped",
                        self.max_body
                    ),
                });
            }
            let Some(body) = self.body(usize::try_from(length).unwrap_or(usize::MAX))? else {
                return Ok(Frame::End(None));
            };
            return Ok(self.parse(body));
        }
    }

    /// The next `length` bytes, or `None` when the input ends first.
    fn body(&mut self, length: usize) -> std::io::Result<Option<Vec<u8>>> {
        let from_buf = self.pending().len().min(length);
        let mut body = Vec::with_capacity(length);
        body.extend_from_slice(self.pending().get(..from_buf).unwrap_or(&[]));
        self.pos += from_buf;
        if body.len() < length {
            let want = (length - body.len()) as u64;
            let mut rest = (&mut self.input).take(want);
            rest.read_to_end(&mut body)?;
            if body.len() < length {
                self.eof = true;
                return Ok(None);
            }
        }
        Ok(Some(body))
    }

    /// A body as a message. A body that is not one JSON value is searched for the next header:
    /// after a complete value, the rest is what a too-long `Content-Length` took from the next
    /// message; otherwise, from the second byte on.
    fn parse(&mut self, body: Vec<u8>) -> Frame {
        let mut values = serde_json::Deserializer::from_slice(&body).into_iter::<Value>();
        let (frame, rest) = match values.next() {
            Some(Ok(value)) => {
                let end = values.byte_offset();
                let trailing = body.get(end..).unwrap_or(&[]);
                let rest = if trailing.iter().all(u8::is_ascii_whitespace) {
                    None
                } else {
                    Some(end)
                };
                (classify(value), rest)
            }
            Some(Err(e)) => (
                Frame::Invalid {
                    id: Value::Null,
                    code: ErrorCode::ParseError,
                    message: format!("invalid JSON: {e}"),
                },
                Some(1),
            ),
            None => (
                Frame::Invalid {
                    id: Value::Null,
                    code: ErrorCode::ParseError,
                    message: "empty message".to_string(),
                },
                None,
            ),
        };
        if let Some(rest) = rest.and_then(|r| body.get(r..)).filter(|r| !r.is_empty()) {
            // Read again before what is pending.
            let mut buf = Vec::with_capacity(rest.len() + self.pending().len());
            buf.extend_from_slice(rest);
            buf.extend_from_slice(self.pending());
            self.buf = buf;
            self.pos = 0;
        }
        frame
    }
}

/// Where the next `Content-Length` starts in `bytes` (ASCII case-insensitive).
fn find_header(bytes: &[u8]) -> Option<usize> {
    // Every `c` or `C` is a candidate.
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'c', b'C', bytes.get(from..)?) {
        let at = from + i;
        let candidate = bytes.get(at..)?;
        let n = candidate.len().min(CONTENT_LENGTH.len());
        let (head, want) = (candidate.get(..n)?, CONTENT_LENGTH.get(..n)?);
        if head.eq_ignore_ascii_case(want) {
            // Whole, or cut by the end of what was read (then read more).
            return Some(at);
        }
        from = at + 1;
    }
    None
}

enum Block {
    /// The header block's length (through the blank line) and the body's length.
    Complete(usize, u64),
    /// More input is needed.
    Incomplete,
    /// Not a header block.
    Invalid,
}

/// The header block at the start of `bytes` (which starts with `Content-Length`, perhaps cut
/// short): header lines up to a blank line (`\r\n` or a bare `\n`); the last `Content-Length`
/// line with a valid value gives the length, other headers are ignored.
fn header_block(bytes: &[u8]) -> Block {
    let window = bytes
        .get(..bytes.len().min(MAX_HEADER_BLOCK))
        .unwrap_or(&[]);
    let mut length = None;
    let mut start = 0;
    loop {
        let Some(nl) = memchr::memchr(b'\n', window.get(start..).unwrap_or(&[])) else {
            return if bytes.len() >= MAX_HEADER_BLOCK {
                Block::Invalid
            } else {
                Block::Incomplete
            };
        };
        let line = window.get(start..start + nl).unwrap_or(&[]);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        start += nl + 1;
        if line.is_empty() {
            return match length {
                Some(length) => Block::Complete(start, length),
                None => Block::Invalid,
            };
        }
        if let Some(at) = find_header(line) {
            let value = line.get(at..).and_then(content_length_value);
            if value.is_some() {
                length = value;
            } else if length.is_none() {
                // The header that started the block is not one.
                return Block::Invalid;
            }
        }
    }
}

/// The value of a `Content-Length: N` line (from the name on): the number, or `None`.
fn content_length_value(line: &[u8]) -> Option<u64> {
    let rest = line.get(CONTENT_LENGTH.len()..)?;
    let rest = rest.trim_ascii_start().strip_prefix(b":")?.trim_ascii();
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(rest).ok()?.parse().ok()
}

/// A JSON value as a message: a request (a `method` and an `id`), a notification (a `method`
/// without `id`) or a response. A request whose id is not an integer or a string is invalid
/// (answered with the id when it is a number, else null); so is anything else.
fn classify(value: Value) -> Frame {
    let invalid = |id: Value, message: &str| Frame::Invalid {
        id,
        code: ErrorCode::InvalidRequest,
        message: message.to_string(),
    };
    let Some(object) = value.as_object() else {
        return invalid(Value::Null, "not a JSON-RPC message: not an object");
    };
    let id = object.get("id");
    // The id an error reply carries: a string or a number as given, else null.
    let reply_id = match id {
        Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
        _ => Value::Null,
    };
    let valid_id = match id {
        Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        _ => false,
    };
    match (object.get("method"), id) {
        (Some(Value::String(_)), Some(_)) if valid_id => {
            match serde_json::from_value::<Request>(value) {
                Ok(request) => Frame::Message(Message::Request(request)),
                Err(e) => invalid(reply_id, &format!("not a JSON-RPC request: {e}")),
            }
        }
        (Some(Value::String(_)), Some(_)) => invalid(
            reply_id,
            "invalid request id: a request's id is an integer or a string",
        ),
        (Some(Value::String(_)), None) => match serde_json::from_value::<Notification>(value) {
            Ok(n) => Frame::Message(Message::Notification(n)),
            Err(e) => invalid(Value::Null, &format!("not a JSON-RPC notification: {e}")),
        },
        (Some(_), _) => invalid(reply_id, "not a JSON-RPC message: `method` is not a string"),
        (None, Some(_)) if valid_id => match serde_json::from_value::<Response>(value) {
            Ok(r) => Frame::Message(Message::Response(r)),
            Err(e) => invalid(reply_id, &format!("not a JSON-RPC response: {e}")),
        },
        (None, _) => invalid(reply_id, "not a JSON-RPC message: no `method`"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    /// What a reader makes of `input`: one line per frame.
    fn frames(input: &[u8]) -> Vec<String> {
        let mut r = Reader::new(input, 1024);
        let mut out = Vec::new();
        loop {
            match r.next_frame() {
                Frame::Message(Message::Request(r)) => out.push(format!("request {}", r.id)),
                Frame::Message(Message::Notification(n)) => out.push(n.method),
                Frame::Message(Message::Response(r)) => out.push(format!("response {}", r.id)),
                Frame::Invalid { code, id, .. } => {
                    out.push(format!("invalid {} {id}", code as i32))
                }
                Frame::End(_) => return out,
            }
        }
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const NOTE: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    const REQUEST: &str = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;

    #[test]
    fn framing_survives_garbage() {
        let input = format!(
            "Content-Length: 5\r\n\r\n{{bad}}garbage line\r\nContent-Type: x\r\n{}Content-Length: 8\r\n\r\n{{\"id\":1}}Content-Length: 99\r\n\r\nshort",
            framed(NOTE)
        );
        assert_eq!(
            frames(input.as_bytes()),
            ["invalid -32700 null", "initialized", "invalid -32600 1"]
        );
    }

    #[test]
    fn stray_bytes_before_a_header_are_skipped() {
        // Three stray bytes made the next header unreadable, and every one after it.
        let input = format!("abc{}{}", framed(NOTE), framed(REQUEST));
        assert_eq!(frames(input.as_bytes()), ["initialized", "request 7"]);
        let input = format!("\r\n\n{}xyz\r\n\r\n{}", framed(NOTE), framed(REQUEST));
        assert_eq!(frames(input.as_bytes()), ["initialized", "request 7"]);
        // Lower case, spaces around the colon, a bare `\n`.
        let input = format!("content-length :{} \n\n{NOTE}", NOTE.len());
        assert_eq!(frames(input.as_bytes()), ["initialized"]);
    }

    #[test]
    fn a_content_length_off_by_one_loses_at_most_its_own_message() {
        for (delta, first) in [
            (1_i64, "request 7"),
            (-1, "invalid -32700 null"),
            (9, "request 7"),
        ] {
            let declared = REQUEST.len() as i64 + delta;
            let input = format!(
                "Content-Length: {declared}\r\n\r\n{REQUEST}{}{}",
                framed(NOTE),
                framed(REQUEST)
            );
            assert_eq!(
                frames(input.as_bytes()),
                [first, "initialized", "request 7"],
                "Content-Length {delta:+}"
            );
        }
    }

    #[test]
    fn every_request_is_answered_even_with_an_invalid_id() {
        let bodies = [
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":true,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":4294967296,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":"x","method":5}"#,
            r#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#,
        ];
        let input: String = bodies.iter().map(|b| framed(b)).collect();
        assert_eq!(
            frames(input.as_bytes()),
            [
                "invalid -32600 null",
                "invalid -32600 null",
                "invalid -32600 null",
                "invalid -32600 null",
                "invalid -32600 4294967296",
                "invalid -32600 1.5",
                "invalid -32600 \"x\"",
                "invalid -32600 null",
            ]
        );
    }

    /// A stream of `len` bytes made on the fly: a header announcing them, then filler.
    struct Huge {
        header: Vec<u8>,
        sent: u64,
        len: u64,
        tail: Vec<u8>,
    }

    impl Read for Huge {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let header = self.header.len() as u64;
            let total = header + self.len;
            if self.sent < header {
                let n = (header - self.sent).min(out.len() as u64) as usize;
                let from = self.sent as usize;
                out[..n].copy_from_slice(&self.header[from..from + n]);
                self.sent += n as u64;
                return Ok(n);
            }
            if self.sent < total {
                let n = (total - self.sent).min(out.len() as u64) as usize;
                out[..n].fill(b'x');
                self.sent += n as u64;
                return Ok(n);
            }
            let from = (self.sent - total) as usize;
            let n = self.tail.len().saturating_sub(from).min(out.len());
            out[..n].copy_from_slice(&self.tail[from..from + n]);
            self.sent += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_message_over_the_limit_is_refused_before_it_is_read() {
        // 64 MiB over a 1 MiB limit, as 600 MB over the server's (tests/server.rs sends those).
        let len = 64 * 1024 * 1024;
        let input = Huge {
            header: format!("Content-Length: {len}\r\n\r\n").into_bytes(),
            sent: 0,
            len,
            tail: framed(REQUEST).into_bytes(),
        };
        let mut r = Reader::new(input, 1024 * 1024);
        match r.next_frame() {
            Frame::Invalid { message, .. } => {
                assert!(message.contains("67108864 bytes is larger"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Refused on its header: nothing of it read yet.
        assert!(r.input.sent < 1024 * 1024, "{} bytes read", r.input.sent);
        match r.next_frame() {
            Frame::Message(Message::Request(req)) => assert_eq!(req.method, "shutdown"),
            other => panic!("{other:?}"),
        }
        // Skipped, not held.
        assert!(
            r.buffered_capacity() <= 4 * CHUNK,
            "{}",
            r.buffered_capacity()
        );
        assert!(matches!(r.next_frame(), Frame::End(None)));
    }

    #[test]
    fn headers_cut_between_reads_are_found() {
        /// Gives one byte per read.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), out.first_mut()) {
                    (Some((b, rest)), Some(o)) => {
                        *o = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let input = format!("xx{}yy{}", framed(NOTE), framed(REQUEST));
        let mut r = Reader::new(Trickle(input.as_bytes()), 1024);
        assert!(matches!(
            r.next_frame(),
            Frame::Message(Message::Notification(_))
        ));
        assert!(matches!(
            r.next_frame(),
            Frame::Message(Message::Request(_))
        ));
        assert!(matches!(r.next_frame(), Frame::End(None)));
    }
}
