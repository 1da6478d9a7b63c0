#![no_main]

use atlasgov_lint::document::Syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    atlasgov_lint_fuzz::parser(data, Syntax::Js);
    atlasgov_lint_fuzz::parser(data, Syntax::Py);
});
