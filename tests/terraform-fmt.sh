#!/usr/bin/env bash
# `--fix` against Terraform's own formatter: every fixture and example directory with `.tf`
# files is copied, fixed with `check --fix --unsafe-fixes`, and `terraform fmt -check` must
# list no file after the fix that it did not list before (a fix that inserts
# `is_mongodbgov_cloud = true` into an aligned provider block, or changes a value's length
# beside others, must keep the file as `terraform fmt` would write it). At least one file of
# each fixed directory must have changed, else the check proves nothing.
#
# usage: tests/terraform-fmt.sh [BIN]   (default: target/debug/atlasgov-lint, built here: the
#        build `cargo test` made)
# Run by .ci/run. Skips (exit 0, with a message) only when terraform is not installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v terraform >/dev/null 2>&1; then
  echo "SKIP: terraform fmt check: terraform is not installed"
  exit 0
fi
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --locked --quiet
  bin=${CARGO_TARGET_DIR:-$root/target}/debug/atlasgov-lint
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dirs=0
fixed=0
broken=0
while IFS= read -r dir; do
  copy=$work/$dirs
  dirs=$((dirs + 1))
  mkdir -p "$copy"
  cp -R "$dir"/. "$copy"/
  before=$(cd "$copy" && terraform fmt -check -list=true . 2>/dev/null | sort || true)
  "$bin" check --fix --unsafe-fixes --format concise "$copy" >/dev/null 2>&1 || true
  if diff -rq "$dir" "$copy" >/dev/null 2>&1; then
    continue
  fi
  fixed=$((fixed + 1))
  after=$(cd "$copy" && terraform fmt -check -list=true . 2>/dev/null | sort || true)
  new=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed '/^$/d')
  if [ -n "$new" ]; then
    broken=$((broken + 1))
    echo "FAIL: $dir: after --fix, terraform fmt -check lists: $new"
    (cd "$copy" && for f in $new; do terraform fmt -diff -check "$f" || true; done)
  fi
done < <(find fixtures examples -name '*.tf' -printf '%h\n' | sort -u)

echo "terraform fmt check: $dirs directories, $fixed changed by --fix, $broken no longer formatted"
if [ "$fixed" -eq 0 ]; then
  echo "FAIL: --fix changed no directory: the check proves nothing"
  exit 1
fi
[ "$broken" -eq 0 ]
