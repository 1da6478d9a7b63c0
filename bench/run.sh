#!/usr/bin/env bash
# Benchmark a whole `check` on generated corpora, and one file end to end.
#
# Every figure is a median of several runs, side by side with `cat` of the same files measured
# in the same run (interleaved, page cache warm), and given as a ratio to it:
#
# - whole runs over generated corpora (Admin API JSON and YAML, Terraform modules,
#   CloudFormation templates: see gen_corpus.py): wall time, MB/s, files/s, peak RSS;
# - one file among FLAT spec siblings in one directory of a repository, process start to exit
#   (a pre-commit hook's or an editor's check: the siblings are linking context), and the
#   language server's `didChange` round trip on that file, its workspace the repository;
# - one small file of examples/ (its context a few files), the same two ways.
#
# usage: bench/run.sh [SIZES...]      (default: 1000 10000; add 100000 for scale)
#        RUNS=7 bench/run.sh 10000
#        FLAT=10000 LATENCY_RUNS=100 bench/run.sh latency   (only the one-file figures)
#        BIN=/tmp/atlasgov-lint-main bench/run.sh           (another binary, not built here)
#        POLICIES=10 bench/run.sh 10000  (with ten Rego policies, see bench/gen_policies.py)
#        POLICIES=10 ADOPTED=1 bench/run.sh 10000  (the same over a corpus that meets them
#                                                   nine times in ten: gen_corpus.py --adopted)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
FLAT=${FLAT:-10000}
LATENCY_RUNS=${LATENCY_RUNS:-100}
SIZES=${*:-1000 10000}
[ "$SIZES" = latency ] && SIZES=

# BIN=path/to/atlasgov-lint measures that binary (another build, for before/after figures).
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet
  BIN=target/release/atlasgov-lint
fi
POLICY_ARGS=()
if [ -n "${POLICIES:-}" ]; then
  rm -rf bench/policies-"$POLICIES"
  python3 bench/gen_policies.py bench/policies-"$POLICIES" "$POLICIES"
  POLICY_ARGS=(--policy bench/policies-"$POLICIES")
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s%N; }
secs() { awk -v d=$(( $2 - $1 )) 'BEGIN {printf "%.4f", d / 1e9}'; }

for n in $SIZES; do
  if [ -n "${ADOPTED:-}" ]; then
    dir=bench/corpus-adopted-$n
    [ -d "$dir" ] || python3 bench/gen_corpus.py --adopted "$dir" "$n"
  else
    dir=bench/corpus-$n
    [ -d "$dir" ] || python3 bench/gen_corpus.py "$dir" "$n"
  fi
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  find "$dir" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache
  times=(); cats=(); rss=()
  for _ in $(seq "$RUNS"); do
    s=$(now)
    find "$dir" -type f -print0 | xargs -0 cat > /dev/null
    e=$(now)
    cats+=("$(secs "$s" "$e")")
    s=$(now)
    # Exit 1 (the corpus holds violations) is the expected outcome, not a failure.
    /usr/bin/time -f '%M' -o /tmp/atlasgov-bench-rss "$BIN" check --format json "${POLICY_ARGS[@]}" "$dir" > /dev/null || true
    e=$(now)
    times+=("$(secs "$s" "$e")")
    rss+=("$(tail -n 1 /tmp/atlasgov-bench-rss)")
  done
  t=$(printf '%s\n' "${times[@]}" | median)
  c=$(printf '%s\n' "${cats[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | median)
  awk -v n="$n" -v b="$bytes" -v t="$t" -v c="$c" -v m="$m" 'BEGIN {
    printf "corpus %6d files %6.1f MiB: median %.3f s = %.2fx cat (%.3f s), %6.1f MB/s, %8.0f files/s, peak RSS %.1f MiB\n",
      n, b/1048576, t, (c > 0 ? t/c : 0), c, (t > 0 ? b/1e6/t : 0), (t > 0 ? n/t : 0), m/1024 }'
done

# One file among FLAT spec siblings (a project body and Admin API cluster bodies in one
# directory of a repository): the pre-commit and editor case. Then the server's didChange round
# trip on it, its workspace that repository.
flat=bench/corpus-flat-$FLAT
[ -d "$flat" ] || python3 bench/gen_corpus.py --flat "$flat" "$FLAT"
find "$flat" -type f -print0 | xargs -0 cat > /dev/null
doc=$(grep -l '"M30"' "$flat"/cluster-*.json | head -n 1 || true)
python3 bench/latency.py "$BIN" "$flat" "$doc" "$LATENCY_RUNS" "one file among $FLAT siblings"

# One small file of examples/ (its context: the spec files of its directory and of those up
# to the repository root).
python3 bench/latency.py "$BIN" . examples/payments-gov/clusters/ledger.json "$LATENCY_RUNS" "one small file of examples/"
