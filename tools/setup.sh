#!/usr/bin/env bash
# Installs what building and testing Soma needs on Debian 12: LLVM/MLIR 22,
# clang-22 and lld-22, CMake, Ninja, ccache, GoogleTest and Python 3 (with
# matplotlib, for tools/plot-activations.py), and the
# native libraries bench/peer-bench compares against (all optional there).
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

packages=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  cmake ninja-build ccache libgtest-dev libbenchmark-dev python3
  python3-matplotlib
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata python3-onnx
  libdnnl-dev libxnnpack-dev libpthreadpool-dev libopenblas-dev libsleef-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
