//===- sleef_peer.cpp - SLEEF case of peer-bench ----------------------------===//
//
// sigmoid: a loop of 1 / (1 + Sleef_expf16_u10(-x)), 16 floats per step
// (sleef_kernel.cpp, AVX-512F): the "SLEEF-based loop" of PERF.md, the way
// PyTorch builds its AVX-512 sigmoid. Skipped (with an error) on a CPU
// without AVX-512F. Built only when SLEEF (Debian: libsleef-dev) was found
// and the compiler accepts -mavx512f.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

void somaPeerSleefSigmoid(const float *x, float *y, int64_t count);

namespace {

void sleefSigmoid(benchmark::State &state) {
  const int64_t count = state.range(0) * 1024;
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("SLEEF sigmoid needs AVX-512F");
    return;
  }
  peer::Buffer x = peer::uniform(count, -8.0f, 8.0f, 42);
  peer::Buffer y = peer::allocate(count);
  somaPeerSleefSigmoid(x.get(), y.get(), count);
  if (!peer::checkSigmoid(state, x.get(), y.get(), count))
    return;
  for (auto _ : state) {
    somaPeerSleefSigmoid(x.get(), y.get(), count);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
}

} // namespace

BENCHMARK(sleefSigmoid)->Name("sleef/sigmoid")->Apply(peer::sigmoidBatches);
