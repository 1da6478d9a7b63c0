//! Giving memory back once a large document is closed or checked.
//!
//! Freed memory goes back to the allocator at once (the documents' map and texts are shrunk,
//! the framing's buffer too), but mimalloc, the allocator, returns freed pages to the system
//! only after a delay (a second by default; `src/main.rs` sets 10 ms), and only when some
//! later call finds that delay over: a server idle in its editor makes none, and kept 220 MB
//! after a 50 MB document was closed.
//! So once the server has been idle for [`IDLE`] after such work, [`release`] makes the
//! allocator look. `bench/server_memory.py` measures it.

use std::time::Duration;

/// How long the server waits, idle, before [`release`]: past the allocator's delay.
pub(super) const IDLE: Duration = Duration::from_millis(1500);

/// A document this large (its text, in bytes) leaves enough freed memory behind to be worth a
/// [`release`] once it is checked.
pub(super) const LARGE: usize = 1024 * 1024;

/// Let the allocator return the memory it holds freed: a thread that allocates and ends
/// (mimalloc looks at every arena for memory to return when a thread ends).
pub(super) fn release() {
    let ended = std::thread::Builder::new()
        .name("lsp-release".to_string())
        .spawn(|| drop(std::hint::black_box(vec![0_u8; 64])))
        .map(std::thread::JoinHandle::join);
    if let Err(e) = ended {
        super::log(format_args!("cannot give memory back: {e}"));
    }
}
