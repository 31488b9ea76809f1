#!/usr/bin/env bash
# Configures (once) and builds Soma into build/ with clang-22, lld and Ninja,
# against the shared libMLIR/libLLVM 22. Incremental: re-running rebuilds
# only what changed. Extra arguments go to ninja (targets, -j N).
set -euo pipefail
cd "$(dirname "$0")/.."

llvm=/usr/lib/llvm-22
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -B build -S . \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=$llvm/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=$llvm/bin/clang \
    -DCMAKE_CXX_COMPILER=$llvm/bin/clang++ \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    -DCMAKE_MODULE_LINKER_FLAGS=-fuse-ld=lld
fi
ninja -C build "$@"
