#!/usr/bin/env bash
# Benchmark a whole `check` on generated corpora, and one small file end to end.
# Reports medians of several runs: wall time, MB/s, files/s, peak RSS.
#
# Then the single-file latency: one small file from process start to exit, and one
# `didChange` round trip in the language server (median of many).
#
# usage: bench/run.sh [SIZES...]      (default: 1000 10000; add 100000 for scale)
#        RUNS=7 bench/run.sh 10000
#        bench/run.sh latency         (only the single-file latency)
#        POLICIES=10 bench/run.sh 10000  (with ten Rego policies, see bench/gen_policies.py)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZES=${*:-1000 10000}
[ "$SIZES" = latency ] && SIZES=

cargo build --release --locked --quiet
BIN=target/release/atlasgov-lint
POLICY_ARGS=()
if [ -n "${POLICIES:-}" ]; then
  rm -rf bench/policies-"$POLICIES"
  python3 bench/gen_policies.py bench/policies-"$POLICIES" "$POLICIES"
  POLICY_ARGS=(--policy bench/policies-"$POLICIES")
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for n in $SIZES; do
  dir=bench/corpus-$n
  [ -d "$dir" ] || python3 bench/gen_corpus.py "$dir" "$n"
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  find "$dir" -type f -exec cat {} + > /dev/null   # warm the page cache
  times=(); rss=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N)
    # Exit 1 (the corpus holds violations) is the expected outcome, not a failure.
    /usr/bin/time -f '%M' -o /tmp/atlasgov-bench-rss "$BIN" check --format json "${POLICY_ARGS[@]}" "$dir" > /dev/null || true
    e=$(date +%s%N)
    times+=("$(awk -v d=$(( e - s )) 'BEGIN {printf "%.4f", d / 1e9}')")
    rss+=("$(tail -n 1 /tmp/atlasgov-bench-rss)")
  done
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | median)
  awk -v n="$n" -v b="$bytes" -v t="$t" -v m="$m" 'BEGIN {
    printf "corpus %6d files %6.1f MiB: median %.3f s, %6.1f MB/s, %8.0f files/s, peak RSS %.1f MiB\n",
      n, b/1048576, t, (t > 0 ? b/1e6/t : 0), (t > 0 ? n/t : 0), m/1024 }'
done

# One small file, process start to exit, as a pre-commit hook runs it (the spec files of its
# directory and of the ancestors up to the repository root, its two sibling clusters and the
# project, are read as context); then didChange round trips in the server on the same file,
# its workspace the repository.
python3 bench/latency.py "$BIN" . examples/payments-gov/clusters/ledger.json 200
# The same check timed by perf (no Python fork in the measurement), when perf is installed.
if perf stat -r 1 true > /dev/null 2>&1; then
  perf stat -r 200 "$BIN" check --format json examples/payments-gov/clusters/ledger.json 2>&1 >/dev/null \
    | awk '/time elapsed/ {printf "one small file end to end (perf stat, 200 runs): mean %.2f ms (+- %.2f)\n", $1 * 1000, $3 * 1000}'
fi
