#!/usr/bin/env bash
# The pre-commit hook as a user meets it: a throwaway git repository whose
# .pre-commit-config.yaml is the README's snippet with this checkout as `repo`, and `rev`
# pinned by `pre-commit autoupdate` as the README says (this checkout's HEAD while the
# repository has no tags). pre-commit clones this checkout and builds the hook with `cargo install` (the real
# `language: rust` hook, not a stand-in). A commit of a cluster in a gov region, whose standard
# project is on disk but not staged, must be refused with the finding; once fixed, it passes.
#
# Run by .ci/run. Skips (exit 0, with a message) only when pre-commit cannot be installed.
# The hook is built from the committed HEAD, not from uncommitted changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# pre-commit: on PATH, or in a venv under target/ (kept between local runs).
if command -v pre-commit >/dev/null 2>&1; then
  pre_commit=$(command -v pre-commit)
else
  venv=$root/target/pre-commit-venv
  if [ ! -x "$venv/bin/pre-commit" ]; then
    if ! { python3 -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pre-commit; } >/tmp/atlasgov-pre-commit-install.log 2>&1; then
      tail -n 5 /tmp/atlasgov-pre-commit-install.log || true
      echo "SKIP: pre-commit hook test: pre-commit could not be installed (pip install pre-commit failed, log above)"
      rm -rf "$venv"
      exit 0
    fi
  fi
  pre_commit=$venv/bin/pre-commit
fi
echo "using $("$pre_commit" --version)"

sha=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "note: the working tree has uncommitted changes; the hook is built from HEAD ($sha)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME=$work/pre-commit-home PRE_COMMIT_COLOR=never
# Compiled dependencies are kept between local runs (CI starts from nothing either way), and
# the hook is built without optimisation: `cargo install` builds the release profile, whose
# thin LTO takes minutes on a 2-core machine and changes nothing this test looks at.
export CARGO_TARGET_DIR=$root/target/pre-commit-build
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=false
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com

repo=$work/repo
mkdir -p "$repo/infra/clusters"
cd "$repo"
git init --quiet .

# The README's snippet, pointed at this checkout.
awk '/^```yaml$/ {block=""; inside=1; next} /^```$/ {if (inside && block ~ /id: atlasgov-lint/) {printf "%s", block; exit} inside=0; next} inside {block = block $0 "\n"}' \
  "$root/README.md" >snippet.yaml
grep -q 'id: atlasgov-lint' snippet.yaml || { echo "FAIL: no pre-commit snippet in README.md"; exit 1; }
sed -e "s|repo: .*|repo: $root|" snippet.yaml >.pre-commit-config.yaml
rm snippet.yaml
# The README's way to pin `rev`: with no release tag, autoupdate writes the newest commit.
"$pre_commit" autoupdate >"$work/autoupdate.log" 2>&1 || { cat "$work/autoupdate.log"; echo "FAIL: pre-commit autoupdate"; exit 1; }
pinned=$(sed -n 's/^ *rev: *\([^ #]*\).*/\1/p' .pre-commit-config.yaml)
if [ -z "$(git -C "$root" tag)" ]; then
  [ "$pinned" = "$sha" ] || { cat "$work/autoupdate.log"; echo "FAIL: pre-commit autoupdate pinned '$pinned', not HEAD $sha"; exit 1; }
  echo "ok: pre-commit autoupdate pins the commit $sha"
else
  # With tags, autoupdate picks the newest tag; the test builds HEAD.
  sed -i -e "s|rev: .*|rev: $sha|" .pre-commit-config.yaml
fi
echo "--- .pre-commit-config.yaml"
cat .pre-commit-config.yaml
git add .pre-commit-config.yaml
git commit --quiet -m "pre-commit config"
"$pre_commit" install >/dev/null

# Build the hook: offline first (every crate is in the local cargo cache after the test
# build), then with the registry if that fails.
echo "--- building the hook (cargo install, as pre-commit does)"
start=$(date +%s)
if ! CARGO_NET_OFFLINE=true "$pre_commit" install-hooks >"$work/install.log" 2>&1; then
  echo "offline build failed, retrying with the registry:"
  tail -n 5 "$work/install.log"
  "$pre_commit" install-hooks >"$work/install.log" 2>&1 || { cat "$work/install.log"; echo "FAIL: the hook did not build"; exit 1; }
fi
echo "built in $(( $(date +%s) - start )) s"

# The project: standard regions (no regionUsageRestrictions). On disk, never staged.
cat >infra/project.yaml <<'EOF'
name: claims
orgId: 5f1d2c3b4a5968776a5b4c3d
EOF
cluster() {
  cat >infra/clusters/claims-db.yaml <<EOF
name: claims-db
clusterType: REPLICASET
replicationSpecs:
  - regionConfigs:
      - providerName: AWS
        regionName: $1
        priority: 7
        electableSpecs:
          instanceSize: M30
          nodeCount: 3
EOF
}

fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

echo "--- commit a cluster in a gov region of a standard project"
cluster US_GOV_EAST_1
git add infra/clusters/claims-db.yaml
set +e
git commit -m "claims cluster" >"$work/commit1.log" 2>&1
code=$?
set -e
cat "$work/commit1.log"
check "the commit is refused" '[ "$code" -ne 0 ]'
check "with GOV004 at the region" 'grep -q "GOV004 partition-mismatch" "$work/commit1.log" && grep -q "infra/clusters/claims-db.yaml:6:21" "$work/commit1.log"'
check "linked to the unstaged project on disk" 'grep -q "project \`claims\` is created for standard regions: infra/project.yaml" "$work/commit1.log"'
check "the unstaged project's own finding is not reported" '! grep -q GOV005 "$work/commit1.log"'
check "the project is still unstaged" '[ "$(git status --porcelain infra/project.yaml)" = "?? infra/project.yaml" ]'
check "nothing was committed" '[ "$(git rev-list --count HEAD)" = 1 ]'

echo "--- fix the region and commit again"
cluster US_EAST_1
git add infra/clusters/claims-db.yaml
set +e
git commit -m "claims cluster" >"$work/commit2.log" 2>&1
code=$?
set -e
cat "$work/commit2.log"
check "the commit passes" '[ "$code" -eq 0 ]'
check "the hook ran and passed" 'grep -Eq "^atlasgov-lint\.+Passed" "$work/commit2.log"'
check "the commit is recorded" '[ "$(git rev-list --count HEAD)" = 2 ]'

if [ "$fail" -ne 0 ]; then
  echo "pre-commit hook test: FAILED"
  exit 1
fi
echo "pre-commit hook test: passed"
