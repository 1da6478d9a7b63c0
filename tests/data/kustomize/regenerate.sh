#!/bin/sh
# Pin `kubectl kustomize` renderings of the kustomize fixtures (the oracle that
# src/adapters/kubernetes/render/tests.rs compares the linter's rendering with).
#
#   tests/data/kustomize/regenerate.sh                      re-render every pinned overlay
#   tests/data/kustomize/regenerate.sh fixtures/CODE/CASE/overlays/prod ...   pin these overlays
#
# Run from the crate root, then read the diff. Needs kubectl (kustomize v5; the pins were
# made with kubectl 1.32, kustomize v5.5.0). An overlay with a remote resource is not pinned.
set -eu
cd "$(dirname "$0")/../../.."
command -v kubectl >/dev/null || { echo "kubectl not found" >&2; exit 1; }
if [ "$#" -eq 0 ]; then
  set -- $(find tests/data/kustomize -name '*.yaml' | sort | sed 's|^tests/data/kustomize/|fixtures/|; s|\.yaml$||')
fi
for overlay in "$@"; do
  overlay=${overlay%/}
  pinned="tests/data/kustomize/${overlay#fixtures/}.yaml"
  mkdir -p "$(dirname "$pinned")"
  kubectl kustomize "$overlay" > "$pinned" 2>/dev/null
  echo "$pinned"
done
