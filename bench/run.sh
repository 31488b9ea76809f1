#!/usr/bin/env bash
# Builds soma-bench, runs it and the PyTorch peer (default kernels,
# ATEN_CPU_CAPABILITY=avx512, and the linear layers through oneDNN) pinned to
# one CPU, in interleaved rounds, with peer-bench (oneDNN, XNNPACK, OpenBLAS,
# SLEEF called from C++; built only when some of them are installed), and
# prints one comparison table (bench/report.py). See docs/benchmarks.md.
#
#   bench/run.sh [--rounds N] [--cpu C] [--quick] [--no-build] [--hold-lock]
#
# --hold-lock keeps the build lock while measuring, so that no build of the
# shared tree starts on the other CPU mid-run (it delays other builds by the
# few minutes the run takes).
#
# Environment: SOMA_BUILD_DIR (default: build/ of this tree),
# SOMA_BUILD_LOCK (default /tmp/soma-build.lock, the lock every build of a
# shared tree goes through; empty: build without it), TORCH_PYTHON
# (default /usr/bin/python3, Debian's interpreter that has torch).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SOMA_BUILD_DIR:-$root/build}
lock=${SOMA_BUILD_LOCK-/tmp/soma-build.lock}
python=${TORCH_PYTHON:-/usr/bin/python3}
rounds=5
# The last CPU: the first one tends to take more of the system's interrupts.
cpu=$(($(nproc) - 1))
quick=0
build_first=1
hold_lock=0

while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --no-build) build_first=0; shift ;;
    --hold-lock) hold_lock=1; shift ;;
    *) echo "usage: $0 [--rounds N] [--cpu C] [--quick] [--no-build]" \
            "[--hold-lock]" >&2
       exit 2 ;;
  esac
done

if [ ! -f "$build/build.ninja" ]; then
  echo "run.sh: $build is not configured; run tools/build.sh first" >&2
  exit 1
fi
if ! ninja -C "$build" -t query soma-bench >/dev/null 2>&1; then
  echo "run.sh: the build has no soma-bench target: install Google Benchmark" \
       "(Debian: libbenchmark-dev) and re-run cmake on $build" >&2
  exit 1
fi
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "run.sh: $python cannot import torch (Debian: python3-torch);" \
       "set TORCH_PYTHON to an interpreter that can" >&2
  exit 1
fi
build_target() {
  if [ -n "$lock" ]; then
    flock "$lock" ninja -C "$build" "$1"
  else
    ninja -C "$build" "$1"
  fi
}
if [ $build_first = 1 ]; then
  build_target soma-bench
fi
# Queried after building soma-bench: that may have re-run cmake, which
# decides whether any native peer is installed.
has_peers=0
if ninja -C "$build" -t query peer-bench >/dev/null 2>&1; then
  has_peers=1
  if [ $build_first = 1 ]; then build_target peer-bench; fi
fi
peers=0
if [ $has_peers = 1 ] && [ -x "$build/bin/peer-bench" ]; then
  peers=1
else
  echo "run.sh: no peer-bench (install libdnnl-dev, libxnnpack-dev" \
       "libpthreadpool-dev, libopenblas-dev or libsleef-dev and re-run" \
       "cmake); the native peers' columns stay empty" >&2
fi

if [ $hold_lock = 1 ] && [ -n "$lock" ]; then
  exec 9>"$lock"
  echo "waiting for the build lock $lock" >&2
  flock 9
fi

# Other processes may still be scheduled on the measured CPU: a higher
# priority keeps them from preempting the benchmark, where permitted.
pin=(taskset -c "$cpu")
if nice -n -10 true 2>/dev/null; then
  pin=(nice -n -10 "${pin[@]}")
fi

# A compiler or test run on the other CPU shares caches and memory bandwidth
# with the one measured: wait (up to 10 minutes) until no build is running.
wait_for_quiet() {
  local waited=0
  while pgrep -x ninja >/dev/null; do
    if [ $waited = 0 ]; then echo "  (waiting for a running build)" >&2; fi
    if [ $waited -ge 600 ]; then
      echo "  warning: a build is still running; measuring anyway" >&2
      return
    fi
    sleep 5
    waited=$((waited + 5))
  done
}

out="$build/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
soma_args=()
torch_args=()
if [ $quick = 1 ]; then
  soma_args=(--benchmark_repetitions=5 --benchmark_min_time=0.01)
  torch_args=(--time-per-benchmark 0.2)
fi

echo "CPU $cpu of $(nproc): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); results in $out" >&2
for r in $(seq "$rounds"); do
  echo "round $r/$rounds: soma-bench" >&2
  wait_for_quiet
  "${pin[@]}" "$build/bin/soma-bench" "${soma_args[@]}" \
    --benchmark_out="$out/soma.$r.json" --benchmark_out_format=json \
    >"$out/soma.$r.log" 2>&1 || { cat "$out/soma.$r.log" >&2; exit 1; }
  if [ $peers = 1 ]; then
    # One thread everywhere: oneDNN's OpenMP runtime and OpenBLAS read these
    # when loaded. OpenBLAS 0.3.21 takes newer CPUs for Haswell (AVX2 only)
    # unless told the core type.
    echo "round $r/$rounds: peer-bench (oneDNN, XNNPACK, OpenBLAS, SLEEF)" >&2
    wait_for_quiet
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX \
      "${pin[@]}" "$build/bin/peer-bench" "${soma_args[@]}" \
      --benchmark_out="$out/peer.$r.json" --benchmark_out_format=json \
      >"$out/peer.$r.log" 2>&1 || { cat "$out/peer.$r.log" >&2; exit 1; }
  fi
  echo "round $r/$rounds: PyTorch" >&2
  wait_for_quiet
  env -u ATEN_CPU_CAPABILITY "${pin[@]}" "$python" \
    "$root/bench/torch_peer.py" "${torch_args[@]}" \
    --json "$out/torch.$r.json" >"$out/torch.$r.log"
  echo "round $r/$rounds: PyTorch, ATEN_CPU_CAPABILITY=avx512" >&2
  wait_for_quiet
  ATEN_CPU_CAPABILITY=avx512 "${pin[@]}" "$python" \
    "$root/bench/torch_peer.py" "${torch_args[@]}" \
    --json "$out/torch-avx512.$r.json" >"$out/torch-avx512.$r.log"
  echo "round $r/$rounds: PyTorch, linear layers through oneDNN" >&2
  wait_for_quiet
  ATEN_CPU_CAPABILITY=avx512 "${pin[@]}" "$python" \
    "$root/bench/torch_peer.py" "${torch_args[@]}" --onednn \
    --json "$out/torch-onednn.$r.json" >"$out/torch-onednn.$r.log"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$python" "$root/bench/report.py" "$out" | tee "$out/table.md"
