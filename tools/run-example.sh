#!/usr/bin/env bash
# Soma's main job on an example model: runs examples/logistic_regression on
# its sample input and prints the predictions.
set -euo pipefail
cd "$(dirname "$0")/.."
example=examples/logistic_regression
build/bin/soma-run $example/model.mlir --input $example/hours.npy
