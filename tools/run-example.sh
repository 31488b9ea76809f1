#!/usr/bin/env bash
# Soma's main job on the example models: somac compiles
# examples/logistic_regression and examples/two_class_classifier to shared
# libraries, and the C program examples/embed, built against them in
# build/embed-example, calls both and prints their predictions. First, for
# comparison, the reference interpreter's predictions of the logistic model
# on its sample input (the same hours the C program uses).
#
# Needs tools/build.sh to have built build/bin/somac. Incremental: the
# example is configured once; the build redoes only what changed (the
# models are compiled again when they or somac change).
set -euo pipefail
cd "$(dirname "$0")/.."

somac=$PWD/build/bin/somac
dir=build/embed-example
if [ ! -x "$somac" ]; then
  echo "run-example: $somac is missing; run tools/build.sh first" >&2
  exit 1
fi

example=examples/logistic_regression
echo "Reference interpreter: soma-run $example/model.mlir --input $example/hours.npy"
build/bin/soma-run $example/model.mlir --input $example/hours.npy
echo

# The build's output goes to a log, shown only when something fails.
log=$dir/build.log
mkdir -p $dir
if [ ! -f $dir/build.ninja ]; then
  if ! cmake -G Ninja -S examples/embed -B $dir \
      -DSOMAC_EXECUTABLE="$somac" \
      -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
fi
if ! cmake --build $dir >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi

echo "Compiled by somac, called from C: $dir/embed (examples/embed/main.c)"
$dir/embed
