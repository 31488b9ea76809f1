#!/usr/bin/env bash
# Builds soma-bench and peer-bench, runs them and the PyTorch peer in
# interleaved rounds, at 1 thread (pinned to one CPU) and at 2 threads
# (pinned to two), and prints the comparison tables (bench/report.py):
# the machine's measured limits, the fused layers act(X·Wᵀ + b) and the
# element-wise activations, Soma against oneDNN, XNNPACK, OpenBLAS, SLEEF
# (peer-bench; each built only when installed) and PyTorch. See
# docs/benchmarks.md.
#
#   bench/run.sh [--rounds N] [--cpu C] [--quick] [--no-build] [--hold-lock]
#                [--no-wait]
#
# --quick: one round (unless --rounds says otherwise) of fewer, shorter
# repetitions: a few minutes instead of about ten.
# --hold-lock keeps the build lock while measuring, so that no build of the
# shared tree starts mid-run (it delays other builds for the whole run).
# --no-wait: measure at once, even while a build runs or the CPUs are busy
# (before each step the script otherwise waits for a quiet machine, up to
# 10 minutes over the whole run).
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
rounds=3
rounds_given=0
# The last CPU: the first one tends to take more of the system's interrupts.
cpu=$(($(nproc) - 1))
quick=0
build_first=1
hold_lock=0
wait_quiet=1

while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; rounds_given=1; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --no-build) build_first=0; shift ;;
    --hold-lock) hold_lock=1; shift ;;
    --no-wait) wait_quiet=0; shift ;;
    *) echo "usage: $0 [--rounds N] [--cpu C] [--quick] [--no-build]" \
            "[--hold-lock] [--no-wait]" >&2
       exit 2 ;;
  esac
done

if [ $quick = 1 ] && [ $rounds_given = 0 ]; then
  rounds=1
fi
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

# Other processes may still be scheduled on the measured CPUs: a higher
# priority keeps them from preempting the benchmark, where permitted.
nice_cmd=()
if nice -n -10 true 2>/dev/null; then
  nice_cmd=(nice -n -10)
fi
ncpu=$(nproc --all)
thread_counts=(1 2)
if [ "$ncpu" -lt 2 ]; then
  echo "run.sh: one CPU only: the 2-thread cases are skipped" >&2
  thread_counts=(1)
fi
# 1 thread: the chosen CPU; 2 threads: CPUs 0 and 1.
pin_for() {
  if [ "$1" = 1 ]; then echo "$cpu"; else echo "0-$(($1 - 1))"; fi
}

# The share of all CPUs that was busy over half a second (percent).
busy_percent() {
  local a b
  a=($(head -1 /proc/stat))
  sleep 0.5
  b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  [ "$total" -gt 0 ] || { echo 0; return; }
  echo $(( (total - idle) * 100 / total ))
}

# A compiler or test run on another CPU shares caches and memory bandwidth
# with the one measured, and takes a CPU from the 2-thread cases: before
# each step, wait until no build is running and the CPUs are idle, for at
# most 10 minutes over the whole run (then measure anyway). How busy the
# CPUs were as each step started goes to busy.log, which report.py sums up.
waited_total=0
wait_for_quiet() { # wait_for_quiet STEP
  local busy
  busy=$(busy_percent)
  if [ $wait_quiet = 1 ]; then
    local announced=0
    while pgrep -x ninja >/dev/null || [ "$busy" -gt 15 ]; do
      if [ $waited_total -ge 600 ]; then
        [ $announced = 0 ] || echo "  warning: still busy; measuring anyway" >&2
        break
      fi
      if [ $announced = 0 ]; then
        echo "  (waiting for a running build or busy CPUs: $busy%)" >&2
        announced=1
      fi
      sleep 5
      waited_total=$((waited_total + 5))
      busy=$(busy_percent)
    done
  fi
  echo "$busy $1" >>"$out/busy.log"
}

out="$build/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
models="$build/bench/models"
gbench_args=()
torch_args=()
if [ $quick = 1 ]; then
  gbench_args=(--benchmark_repetitions=3 --benchmark_min_time=0.005)
  torch_args=(--time-per-benchmark 0.05 --min-samples 3)
fi
libs=()
if [ $peers = 1 ]; then
  libs=($("$build/bin/peer-bench" --benchmark_list_tests | cut -d/ -f1 | sort -u))
fi

run_logged() { # run_logged NAME COMMAND...: output to $out/NAME.log
  local name=$1
  shift
  "$@" >"$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; exit 1; }
}

# PyTorch's fused layers in a process of their own whose OpenMP
# workers sleep when idle: torch.addmm runs OpenBLAS's own threads,
# which workers still spinning after the previous op's parallel region
# would crowd out (2 threads: 33 against 204 GFLOP/s at (64,1024,1024)).
# Its activations run in OpenMP regions back to back, where sleeping
# workers cost a wake-up each (softmax over 4096 floats: 0.60 against
# 12 ns per element): they keep the default policy.
torch_side() { # torch_side NAME ENV-ARGS...: a PyTorch side, in two processes
  local name=$1
  shift
  echo "round $r/$rounds, $t thread(s): $name" >&2
  wait_for_quiet "$name.$tag"
  run_logged "$name.$tag" env "$@" "${torch_run[@]}" \
    --filter '^(?!fc_)' --json "$out/$name.$tag.json"
  wait_for_quiet "$name.fc.$tag"
  run_logged "$name.fc.$tag" env "$@" OMP_WAIT_POLICY=PASSIVE \
    "${torch_run[@]}" --filter '^fc_' --json "$out/$name.$tag.fc.json"
}

echo "CPUs: $ncpu x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-);" \
     "1 thread on CPU $cpu" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); results in $out" >&2
start=$(date +%s)
for r in $(seq "$rounds"); do
  for t in "${thread_counts[@]}"; do
    pin=("${nice_cmd[@]}" taskset -c "$(pin_for "$t")")
    filter="/threads:$t(/|\$)"
    tag="t$t.r$r"
    echo "round $r/$rounds, $t thread(s): soma-bench" >&2
    wait_for_quiet "soma.$tag"
    run_logged "soma.$tag" "${pin[@]}" "$build/bin/soma-bench" \
      "${gbench_args[@]}" --benchmark_filter="$filter" \
      --benchmark_out="$out/soma.$tag.json" --benchmark_out_format=json
    for lib in "${libs[@]}"; do
      # One process per library and thread count: a library's idle workers
      # still spinning must not slow the next one down. oneDNN's OpenMP
      # runtime and OpenBLAS read the thread count when loaded; OpenBLAS
      # 0.3.21 takes newer CPUs for Haswell (AVX2 only) unless told the
      # core type.
      echo "round $r/$rounds, $t thread(s): peer-bench $lib" >&2
      sleep 0.2
      wait_for_quiet "peer-$lib.$tag"
      run_logged "peer-$lib.$tag" env OMP_NUM_THREADS=$t \
        OPENBLAS_NUM_THREADS=$t OPENBLAS_CORETYPE=SkylakeX \
        "${pin[@]}" "$build/bin/peer-bench" \
        "${gbench_args[@]}" --benchmark_filter="^$lib/.*$filter" \
        --benchmark_out="$out/peer-$lib.$tag.json" --benchmark_out_format=json
    done
    torch_run=("${pin[@]}" "$python" "$root/bench/torch_peer.py"
               --models "$models" --threads "$t" "${torch_args[@]}")
    torch_side torch -u ATEN_CPU_CAPABILITY -u OPENBLAS_CORETYPE
    torch_side torch-avx512 ATEN_CPU_CAPABILITY=avx512 \
      OPENBLAS_CORETYPE=SkylakeX
    echo "round $r/$rounds, $t thread(s): PyTorch, fused layers through oneDNN" >&2
    wait_for_quiet "torch-onednn.$tag"
    run_logged "torch-onednn.$tag" env ATEN_CPU_CAPABILITY=avx512 \
      "${torch_run[@]}" --onednn --json "$out/torch-onednn.$tag.json"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg);" \
     "measured for $(( $(date +%s) - start )) s" >&2

"$python" "$root/bench/report.py" "$out" | tee "$out/table.md"
