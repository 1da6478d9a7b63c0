#!/usr/bin/env bash
# Coverage-guided fuzzing on the stable toolchain: libFuzzer (from libfuzzer-sys) with
# LLVM's sanitizer-coverage instrumentation, which needs no nightly flag (unlike cargo-fuzz's
# default AddressSanitizer build; the code under test forbids `unsafe`, so ASan adds little).
#
#   fuzz/run.sh TARGET [ITERATIONS] [extra libFuzzer flags...]
#
# TARGET: json | yaml | hcl | shell | code (one parser; code: JavaScript and Python), yaml_fast (the YAML fast path against the full parser), pipeline_json | pipeline_yaml | pipeline_tf | pipeline_sh | pipeline_code (the
# whole per-file pipeline on a file of that type (pipeline_code: a Pulumi program's module in its project): decode, pre-filter, parse, adapt, link, rules,
# human and JSON output; then every fix applied: bytes outside the edits kept, the file still
# parses, the fixed findings gone), lsp_framing (the language server's framing of a byte stream: it ends,
# and recovers from garbage and wrong lengths), or all (each target in turn)
# ITERATIONS: libFuzzer -runs (default 1000000; 0 or -1 runs until stopped).
# FUZZ_FAST=1 builds without comparison tracing (see below).
# The corpus grows in fuzz/corpus/TARGET (seeded with every file under fixtures/ and
# examples/); crashes, hangs (-timeout) and out-of-memory inputs land in fuzz/artifacts/TARGET/.
# Reproduce one with: fuzz/run.sh TARGET 1 fuzz/artifacts/TARGET/crash-...
# A regression test for every fixed finding goes in tests/fuzz_regressions.rs.
set -euo pipefail
# An input to reproduce, given relative to where the script was called from.
repro=""
if [ $# -ge 3 ] && [ -f "$3" ]; then repro="$(realpath "$3")"; fi
cd "$(dirname "$0")"
target="${1:?usage: fuzz/run.sh json|yaml|yaml_fast|hcl|shell|code|pipeline_json|pipeline_yaml|pipeline_tf|pipeline_sh|pipeline_code|lsp_framing|all [ITERATIONS] [libFuzzer flags]}"
runs="${2:-1000000}"
shift $(( $# >= 2 ? 2 : 1 ))

if [ "$target" = all ]; then
    for t in json yaml yaml_fast hcl shell code pipeline_json pipeline_yaml pipeline_tf pipeline_sh pipeline_code lsp_framing; do "$0" "$t" "$runs" "$@"; done
    exit 0
fi
case "$target" in
    json | yaml | yaml_fast | hcl | shell | code | pipeline_json | pipeline_yaml | pipeline_tf | pipeline_sh | pipeline_code | lsp_framing) ;;
    *) echo "unknown target: $target" >&2; exit 2 ;;
esac

triple="$(rustc -vV | sed -n 's/^host: //p')"
# An explicit --target keeps these flags off build scripts and proc macros.
export RUSTFLAGS="${RUSTFLAGS:-} --cfg fuzzing -Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table"
# FUZZ_FAST=1: no comparison tracing (libFuzzer then learns no operands of comparisons), for
# long runs of a target whose corpus has settled: about three times the executions a second
# (pipeline_sh: 1,000 against 350 per worker). Built in its own directory.
target_dir="target"
if [ "${FUZZ_FAST:-0}" = 1 ]; then
    target_dir="target-fast"
else
    RUSTFLAGS="$RUSTFLAGS -Cllvm-args=-sanitizer-coverage-trace-compares"
fi
CARGO_TARGET_DIR="$target_dir" cargo build --release --target "$triple" --bin "$target"
bin="$target_dir/$triple/release/$target"

mkdir -p "corpus/$target" "artifacts/$target"
if [ -n "$repro" ]; then
    # Reproduce: run the given input once.
    exec "$bin" -rss_limit_mb=2048 -timeout=10 "$repro"
fi
seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT
dict=atlas.dict
if [ "$target" = lsp_framing ]; then
    # Streams of framed messages: well formed, with stray bytes, off by one either way.
    dict=lsp.dict
    note='{"jsonrpc":"2.0","method":"initialized","params":{}}'
    request='{"jsonrpc":"2.0","id":1,"method":"shutdown"}'
    printf 'Content-Length: %d\r\n\r\n%s' 52 "$note" > "$seeds/note"
    printf 'abcContent-Length: %d\r\n\r\n%s' 44 "$request" > "$seeds/stray"
    printf 'Content-Length: %d\r\n\r\n%sContent-Length: 44\r\n\r\n%s' 45 "$request" "$request" > "$seeds/long"
    printf 'Content-Length: %d\r\n\r\n%sContent-Length: 44\r\n\r\n%s' 43 "$request" "$request" > "$seeds/short"
    printf 'Content-Length: 99999999999\r\n\r\n' > "$seeds/huge"
else
    # Every fixture and example as a seed (flattened: libFuzzer reads one directory level).
    find ../fixtures ../examples -type f -print0 | while IFS= read -r -d '' f; do
        cp "$f" "$seeds/$(printf '%s' "$f" | tr '/' '_')"
    done
fi
"$bin" "corpus/$target" "$seeds" \
    -dict="$dict" \
    -runs="$runs" \
    -max_len=8192 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="artifacts/$target/" \
    "$@"
