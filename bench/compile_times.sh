#!/usr/bin/env bash
# somac's wall time and the size of the shared library it writes, for each
# model given (default: examples/*/model.mlir), with somac's defaults (-O3,
# native). The time is the median of 5 runs: the first run also pays for
# loading libMLIR/libLLVM from disk, which the later ones find cached.
#
#   bench/compile_times.sh [MODEL.mlir ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
somac=${SOMA_BUILD_DIR:-$root/build}/bin/somac
runs=5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# = 0 ]; then
  set -- "$root"/examples/*/model.mlir
fi
printf '| model | somac wall time, median of %d runs (s) | .so size (bytes) |\n' $runs
printf '|---|---:|---:|\n'
for model in "$@"; do
  times=()
  for _ in $(seq $runs); do
    start=$(date +%s%N)
    "$somac" "$model" -o "$tmp/model.so"
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  printf '| %s | %d.%03d | %d |\n' "${model#"$root"/}" \
    $((median / 1000)) $((median % 1000)) \
    "$(stat -c %s "$tmp/model.so")"
done
