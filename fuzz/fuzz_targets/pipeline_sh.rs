#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    atlasgov_lint_fuzz::pipeline(data, "fuzz.sh");
    atlasgov_lint_fuzz::pipeline(data, "Makefile");
    atlasgov_lint_fuzz::pipeline(data, "Dockerfile");
    atlasgov_lint_fuzz::pipeline(data, "application.properties");
});
