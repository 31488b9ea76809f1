//===- sleef_peer.cpp - SLEEF cases of peer-bench ---------------------------===//
//
// act/<op>: a loop over SLEEF's 16-lane AVX-512 functions
// (sleef_kernel.cpp): sigmoid 1/(1+expf(-x)), log_sigmoid
// min(x,0)-log1pf(expf(-|x|)), silu x/(1+expf(-x)), tanh tanhf, softplus
// max(x,0)+log1pf(expf(-|x|)), softmax and log_softmax row by row (max,
// expf, sum, then a scale or logf); hard_sigmoid and hard_swish as
// min/max/FMA. The "SLEEF-based loop" of PERF.md, the way PyTorch builds
// its AVX-512 activations. Threads: at 2, the rows are split between the
// calling thread and one spinning worker (bench::Team). Skipped (with an
// error) on a CPU without AVX-512F. Built only when SLEEF (Debian:
// libsleef-dev) was found and the compiler accepts -mavx512f.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

bool somaPeerSleefActivation(const std::string &op, const float *x, float *y,
                             int64_t count);

namespace {

void sleefActivation(benchmark::State &state, const std::string &op,
                     int64_t count, int threads,
                     const bench::ActInput &input) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("the SLEEF loops need AVX-512F");
    return;
  }
  bench::Buffer x = bench::activationInput(count, input);
  bench::Buffer y = bench::allocate(count);
  bench::Team team(threads);
  std::function<void(int, int)> body = [&](int i, int parts) {
    auto [lo, hi] = bench::Team::split(count, i, parts, 1024);
    somaPeerSleefActivation(op, x.get() + lo, y.get() + lo, hi - lo);
  };
  team.run(body);
  if (!bench::checkActivation(state, op, x.get(), y.get(), count))
    return;
  for (auto _ : state) {
    team.run(body);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
}

const bool registered = [] {
  peer::registerActivations(
      "sleef",
      // An empty call answers whether the kernel has a loop for `op`.
      [](const std::string &op) {
        return somaPeerSleefActivation(op, nullptr, nullptr, 0);
      },
      sleefActivation);
  return true;
}();

} // namespace
