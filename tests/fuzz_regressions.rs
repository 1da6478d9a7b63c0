//! Every input the fuzzers (fuzz/run.sh) found a problem with, run through the same checks as
//! the fuzz targets: no panic, every span inside the text and on character boundaries, both
//! renderers succeed. One test per finding, named after what was wrong.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/lib.rs"]
mod harness;

use atlasgov_lint::document::Syntax;

/// Every target on one input.
fn all_targets(data: &[u8]) {
    for syntax in [Syntax::Json, Syntax::Yaml, Syntax::Hcl] {
        harness::parser(data, syntax);
    }
    for name in ["fuzz.json", "fuzz.yaml", "fuzz.tf"] {
        harness::pipeline(data, name);
    }
}

#[test]
fn hcl_error_offset_inside_a_multibyte_character() {
    // hcl-edit reported the error at byte 6, the second byte of `ك`.
    let data = b"\n \xd9\x83 \xd9\x83";
    harness::parser(data, Syntax::Hcl);
    all_targets(data);
}
