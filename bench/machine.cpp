//===- machine.cpp - The machine's limits, measured in the same run -------===//
//
// machine/fma/threads:T: independent FMA chains (12 accumulators of 16
// floats, a 512-bit FMA each; 8 floats and 256-bit FMAs on a CPU without
// AVX-512F) on each of T threads: the FP32 FMA peak the fused layers are
// judged against. Each FMA counts 2 flops per lane.
// machine/memcpy/n:N/threads:T: memcpy of N floats (each thread its share).
// machine/stream/n:N/threads:T: y[i] = x[i] + 1 over N floats, a plain
// read+write loop (vectorized, ordinary stores).
// The counters "flop" and "bytes" give the work of one call (bytes read +
// written); bench/report.py turns them into GFLOP/s and GB/s, from the
// fastest repetition of the fastest round (the "fastest" statistic).
//
//===----------------------------------------------------------------------===//

#include "bench_support.h"

#include <algorithm>
#include <cstring>

namespace {

constexpr int64_t kFmaIterations = 1 << 20;
constexpr int kChains = 12;

template <int Lanes>
using Floats = float __attribute__((ext_vector_type(Lanes)));

/// kChains independent chains of fused multiply-adds on vectors of `Lanes`
/// floats; inlined into the target-specific entry points below, which pick
/// the instruction width.
template <int Lanes>
__attribute__((always_inline)) inline float fmaChains(int64_t iters,
                                                      float seed) {
  Floats<Lanes> acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = Floats<Lanes>(seed + 0.01f * c);
  const Floats<Lanes> mul(0.999999f), add(1e-6f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma clang loop unroll(full)
    for (int c = 0; c < kChains; ++c)
      acc[c] = __builtin_elementwise_fma(acc[c], mul, add);
  }
  Floats<Lanes> sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum += acc[c];
  float total = 0;
  for (int lane = 0; lane < Lanes; ++lane)
    total += sum[lane];
  return total;
}

__attribute__((target("avx512f"), noinline)) float fma512(int64_t iters,
                                                         float seed) {
  return fmaChains<16>(iters, seed);
}

__attribute__((target("avx2,fma"), noinline)) float fma256(int64_t iters,
                                                          float seed) {
  return fmaChains<8>(iters, seed);
}

void fmaPeak(benchmark::State &state, int threads) {
  if (!bench::haveCpus(state, threads))
    return;
  const bool wide = __builtin_cpu_supports("avx512f");
  if (!wide && !(__builtin_cpu_supports("avx2") &&
                 __builtin_cpu_supports("fma"))) {
    state.SkipWithError("needs AVX-512F or AVX2+FMA");
    return;
  }
  const int lanes = wide ? 16 : 8;
  bench::Team team(threads);
  std::vector<float> sink(threads);
  std::function<void(int, int)> body = [&](int i, int) {
    sink[i] = wide ? fma512(kFmaIterations, 1.0f + i)
                   : fma256(kFmaIterations, 1.0f + i);
  };
  // Warm-up: a core that was idle may take milliseconds to reach its
  // full clock.
  for (int i = 0; i < 8; ++i)
    team.run(body);
  for (auto _ : state) {
    team.run(body);
    benchmark::DoNotOptimize(sink.data());
  }
  state.counters["flop"] = 2.0 * lanes * kChains * kFmaIterations * threads;
  state.counters["vector_bits"] = lanes * 32;
}

/// Copies `x` to `y` in [lo, hi): what one thread of a bandwidth case does.
using CopyChunk = void (*)(const float *x, float *y, int64_t lo, int64_t hi);

/// Read + write bandwidth over n floats: `copy` on contiguous chunks, one
/// per thread.
void bandwidth(benchmark::State &state, int64_t n, int threads,
               CopyChunk copy) {
  if (!bench::haveCpus(state, threads))
    return;
  bench::Buffer x = bench::uniform(n, -1.0f, 1.0f, 42);
  bench::Buffer y = bench::allocate(n);
  bench::Team team(threads);
  std::function<void(int, int)> body = [&](int i, int count) {
    auto [lo, hi] = bench::Team::split(n, i, count);
    copy(x.get(), y.get(), lo, hi);
  };
  team.run(body);
  for (auto _ : state) {
    team.run(body);
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] = 2.0 * sizeof(float) * n;
}

void memcpyChunk(const float *x, float *y, int64_t lo, int64_t hi) {
  std::memcpy(y + lo, x + lo, (hi - lo) * sizeof(float));
}

void streamChunk(const float *__restrict x, float *__restrict y, int64_t lo,
                 int64_t hi) {
  for (int64_t j = lo; j < hi; ++j)
    y[j] = x[j] + 1.0f;
}

} // namespace

namespace bench {

// The fastest repetition: the limits are what the machine can reach, so
// bench/report.py takes this statistic, not the median.
double fastest(const std::vector<double> &v) {
  return *std::min_element(v.begin(), v.end());
}

void registerMachineCases(int64_t copyElements) {
  for (int t : {1, 2}) {
    std::string threads = "/threads:" + std::to_string(t);
    std::string n = "/n:" + std::to_string(copyElements);
    benchmark::RegisterBenchmark(("machine/fma" + threads).c_str(), fmaPeak, t)
        ->Apply(configure)
        ->ComputeStatistics("fastest", fastest);
    benchmark::RegisterBenchmark(("machine/memcpy" + n + threads).c_str(),
                                 bandwidth, copyElements, t, memcpyChunk)
        ->Apply(configure)
        ->ComputeStatistics("fastest", fastest);
    benchmark::RegisterBenchmark(("machine/stream" + n + threads).c_str(),
                                 bandwidth, copyElements, t, streamChunk)
        ->Apply(configure)
        ->ComputeStatistics("fastest", fastest);
  }
}

} // namespace bench
