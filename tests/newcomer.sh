#!/usr/bin/env bash
# The newcomer's path, with the README's words alone: the commands of its "Install" and "The
# two commands" sections, run as written in a fresh clone of this checkout's HEAD (the clone
# URL is this checkout; `cargo install` puts the binary in a throwaway CARGO_INSTALL_ROOT).
# Then the installed binary must name HEAD in --version and report on the examples.
#
# Run by .ci/run. The clone and its compiled artifacts are kept under target/newcomer between
# local runs, at one fixed path so that they are reused rather than piling up (CI starts from
# nothing either way). To keep time and disk down, nothing is built with debug info or
# incrementally, and `cargo install` builds without optimisation, as tests/pre-commit.sh does:
# the release profile's LTO takes minutes on two cores and changes nothing checked here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
sha=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "note: the working tree has uncommitted changes; the newcomer clones HEAD ($sha)"
fi

work=$root/target/newcomer
rm -rf "$work"
mkdir -p "$work"
export CARGO_INSTALL_ROOT=$work/cargo-home CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR=$root/target/newcomer-build CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=false
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=false

# The ```sh blocks of a README section, one command per line (comments dropped).
section_commands() {
  awk -v want="$1" '
    /^## / { inside = ($0 == "## " want); next }
    inside && /^```sh$/ { block = 1; next }
    block && /^```$/ { block = 0; next }
    block { sub(/[[:space:]]+#.*$/, ""); if ($0 != "") print }
  ' "$root/README.md"
}
install=$(section_commands "Install")
two=$(section_commands "The two commands")
# The summary line the README shows for the first command.
summary=$(grep -m1 -E '[0-9]+ files? checked' "$root/README.md" || true)
echo "--- the README's commands"
printf '%s\n' "$install" "$two"

fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

check "Install: clone, cd, cargo install --locked" \
  '[ "$(printf "%s\n" "$install" | awk "{print \$1, \$2}" | tr "\n" ";")" = "git clone;cd atlasgov-lint;cargo install;" ]'
check "the install is --locked" 'printf "%s\n" "$install" | grep -q "^cargo install --locked --path \.$"'
check "two commands" '[ "$(printf "%s\n" "$two" | wc -l)" -eq 2 ]'
check "the README shows the first command's summary line" '[ -n "$summary" ]'

cd "$work"
run() {
  local cmd=$1 expected=$2 log=$3 code
  # The clone URL is the project's home; a newcomer here clones this checkout instead.
  cmd=${cmd/git clone https:\/\/github.com\/atlasgov-lint\/atlasgov-lint/git clone --quiet $root atlasgov-lint}
  echo "--- \$ $cmd"
  set +e
  if [[ $cmd == cd\ * ]]; then
    eval "$cmd"
    code=$?
  else
    eval "$cmd" >"$log" 2>&1
    code=$?
  fi
  set -e
  [ -f "$log" ] && tail -n 3 "$log"
  check "\`$1\` exits $expected" '[ "$code" -eq "$expected" ]'
}
i=0
while IFS= read -r cmd; do
  i=$((i + 1))
  run "$cmd" 0 "$work/install-$i.log"
done <<<"$install"
check "the clone is at HEAD" '[ "$(git rev-parse HEAD)" = "$sha" ]'
# The first of the two commands exits 1 on purpose (the examples hold violations).
run "$(printf '%s\n' "$two" | sed -n 1p)" 1 "$work/examples.log"
check "it prints the README's summary line" 'grep -qxF "$summary" "$work/examples.log"'
run "$(printf '%s\n' "$two" | sed -n 2p)" 0 "$work/tests.log"

bin=$CARGO_INSTALL_ROOT/bin/atlasgov-lint
check "cargo install put atlasgov-lint in its bin directory" '[ -x "$bin" ]'
check "--version names HEAD" '"$bin" --version | grep -q "^commit: $sha$"'
set +e
"$bin" check examples/ >"$work/installed.log" 2>&1
code=$?
set -e
check "the installed binary checks the examples (exit 1, same summary)" '[ "$code" -eq 1 ] && grep -qxF "$summary" "$work/installed.log"'

if [ "$fail" -ne 0 ]; then
  echo "newcomer path: FAILED"
  exit 1
fi
echo "newcomer path: passed"
