#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| atlasgov_lint_fuzz::lsp_framing(data));
