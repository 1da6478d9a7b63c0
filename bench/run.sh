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
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZES=${*:-1000 10000}
[ "$SIZES" = latency ] && SIZES=

cargo build --release --locked --quiet
BIN=target/release/atlasgov-lint

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
    /usr/bin/time -f '%M' -o /tmp/atlasgov-bench-rss "$BIN" check --format json "$dir" > /dev/null || true
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

# One small file, process start to exit, as a pre-commit hook runs it: the project bodies of
# its directory and the ancestors up to the repository root are read as context.
small=fixtures/GOV004/pass_directory_link/clusters/claims-db.yaml
ts=()
for _ in $(seq 50); do
  s=$(date +%s%N); "$BIN" check --format json "$small" > /dev/null || true; e=$(date +%s%N)
  ts+=($(( (e - s) / 1000 )))
done
us=$(printf '%s\n' "${ts[@]}" | median)
echo "one small file end to end: median ${us} us"

# One didChange round trip in the server: the same file, its workspace the repository.
python3 bench/lsp_roundtrip.py "$BIN" . "$small" 200
