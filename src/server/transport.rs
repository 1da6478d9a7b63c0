//! The LSP base protocol on a byte stream: `Content-Length` framing, read by this server
//! itself so that a malformed message gets an error reply instead of ending the session.

use std::io::{BufRead, Read};

use lsp_server::{ErrorCode, Message};

/// The largest message body accepted (a `didOpen` of a file at the default size limit, JSON
/// escaped, fits).
const MAX_BODY: usize = 512 * 1024 * 1024;
/// The longest header line read at once.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// One unit read from the client.
pub(super) enum Frame {
    Message(Message),
    /// A body that is not a JSON-RPC message: `id` is the request's id when it has one.
    Invalid {
        id: serde_json::Value,
        code: ErrorCode,
        message: String,
    },
    /// The end of input (or a read error).
    End(Option<std::io::Error>),
}

/// Read one message: headers (`Content-Length` required, others ignored) and the body.
/// Garbage between messages is skipped until the next header block.
pub(super) fn read_frame(input: &mut impl BufRead) -> Frame {
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => return Frame::End(None),
            Ok(_) => {}
            Err(e) => return Frame::End(Some(e)),
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let length = length.unwrap_or(0);
    let mut body = Vec::new();
    let limit = length.min(MAX_BODY);
    match input.by_ref().take(limit as u64).read_to_end(&mut body) {
        Ok(n) if n < limit => return Frame::End(None),
        Ok(_) => {}
        Err(e) => return Frame::End(Some(e)),
    }
    if length > MAX_BODY {
        let rest = (length - MAX_BODY) as u64;
        if let Err(e) = std::io::copy(&mut input.by_ref().take(rest), &mut std::io::sink()) {
            return Frame::End(Some(e));
        }
        return Frame::Invalid {
            id: serde_json::Value::Null,
            code: ErrorCode::InvalidRequest,
            message: format!("message of {length} bytes is larger than {MAX_BODY} bytes"),
        };
    }
    match serde_json::from_slice::<Message>(&body) {
        Ok(message) => Frame::Message(message),
        Err(e) => match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(value) => Frame::Invalid {
                id: value.get("id").cloned().unwrap_or(serde_json::Value::Null),
                code: ErrorCode::InvalidRequest,
                message: format!("not a JSON-RPC message: {e}"),
            },
            Err(e) => Frame::Invalid {
                id: serde_json::Value::Null,
                code: ErrorCode::ParseError,
                message: format!("invalid JSON: {e}"),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut r = std::io::BufReader::new(input);
        let mut out = Vec::new();
        loop {
            match read_frame(&mut r) {
                Frame::Message(m) => out.push(format!("{m:?}").chars().take(40).collect()),
                Frame::Invalid { code, .. } => out.push(format!("invalid {}", code as i32)),
                Frame::End(_) => return out,
            }
        }
    }

    #[test]
    fn framing_survives_garbage() {
        let msg = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{bad}}garbage line\r\nContent-Type: x\r\nContent-Length: {}\r\n\r\n{msg}Content-Length: 8\r\n\r\n{{\"id\":1}}Content-Length: 99\r\n\r\nshort",
            msg.len()
        );
        let got = frames(input.as_bytes());
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0], "invalid -32700");
        assert!(got[1].starts_with("Notification"), "{got:?}");
        assert_eq!(got[2], "invalid -32600");
    }
}
