#!/usr/bin/env bash
# Builds Soma and runs every test: the lit suites and the GoogleTest units,
# through one ctest run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
