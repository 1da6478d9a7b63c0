#![no_main]

use libfuzzer_sys::fuzz_target;

// A Pulumi program's module, in a project of its runtime (with a stack that sets the values
// its config reads), in TypeScript and in Python.
const STACK: &str = "config:\n  mongodbatlas:isMongodbgovCloud: \"true\"\n  fuzz:tier: M10\n  fuzz:region: US_EAST_1\n";

fuzz_target!(|data: &[u8]| {
    atlasgov_lint_fuzz::pipeline_beside(
        data,
        "index.ts",
        &[
            ("Pulumi.yaml", "name: fuzz\nruntime: nodejs\n"),
            ("Pulumi.dev.yaml", STACK),
        ],
    );
    atlasgov_lint_fuzz::pipeline_beside(
        data,
        "__main__.py",
        &[
            ("Pulumi.yaml", "name: fuzz\nruntime: python\n"),
            ("Pulumi.dev.yaml", STACK),
        ],
    );
});
