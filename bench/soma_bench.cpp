//===- soma_bench.cpp - Compiled Soma models under Google Benchmark -------===//
//
// Times the models bench/CMakeLists.txt compiles with somac, through their C
// entry points exactly as an application calls them. bench/torch_peer.py
// times the same operations in PyTorch; bench/run.sh runs both, pinned to one
// CPU, and prints the comparison. Benchmark names are shared with the peer:
// they are the keys that join the two sides.
//
// Every benchmark reports wall time (UseRealTime) as the median over
// repetitions; the counters carry the unit each model is judged by.
//
//===----------------------------------------------------------------------===//

#include "bench_classifier.h"
#include "bench_linear_1024x1024.h"
#include "bench_linear_512x512.h"
#include "bench_linear_6x2.h"
#include "bench_linear_8x2.h"
#include "bench_sigmoid.h"
#include "bench_support.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

using Entry = int32_t (*)(const float *, float *, int64_t);
using LastError = const char *(*)();

using bench::allocate;
using bench::Buffer;
using bench::uniform;

// Runs `entry` once outside the timed loop: a failing call must stop the
// benchmark rather than time an early return, and a result outside [0, 1]
// means the model computes something else than what is being compared.
bool checkedCall(benchmark::State &state, Entry entry, LastError lastError,
                 const float *x, float *y, int64_t batch, size_t outCount) {
  std::memset(y, 0xff, outCount * sizeof(float)); // NaN until written
  if (entry(x, y, batch) != 0) {
    state.SkipWithError(
        (std::string("model call failed: ") + lastError()).c_str());
    return false;
  }
  for (size_t i = 0; i < outCount; ++i) {
    if (!(y[i] >= 0.0f && y[i] <= 1.0f)) {
      state.SkipWithError("model result outside [0, 1]");
      return false;
    }
  }
  return true;
}

void runModel(benchmark::State &state, Entry entry, LastError lastError,
              int64_t batch, int64_t inPerRow, int64_t outPerRow,
              float lo, float hi) {
  Buffer x = uniform(batch * inPerRow, lo, hi, 42);
  Buffer y = allocate(batch * outPerRow);
  if (!checkedCall(state, entry, lastError, x.get(), y.get(), batch,
                   batch * outPerRow))
    return;
  for (auto _ : state) {
    entry(x.get(), y.get(), batch);
    benchmark::ClobberMemory();
  }
}

// The element-wise sigmoid over batch x 1024 floats (4096 floats, in L1,
// and 1M); items are elements.
void sigmoid(benchmark::State &state) {
  int64_t batch = state.range(0);
  // [-8, 8): sigmoid's working range, where results are neither saturated
  // nor tiny, and every exp implementation stays on its main path.
  runModel(state, bench_sigmoid_sigmoid, bench_sigmoid_last_error, batch,
           1024, 1024, -8.0f, 8.0f);
  state.SetItemsProcessed(state.iterations() * batch * 1024);
}

// nn.Sequential(nn.Linear(6, 2), nn.Sigmoid()), one call per iteration.
void classifier(benchmark::State &state) {
  int64_t batch = state.range(0);
  runModel(state, bench_classifier_classify, bench_classifier_last_error,
           batch, 6, 2, -1.0f, 1.0f);
  state.SetItemsProcessed(state.iterations() * batch);
}

// Y = sigmoid(X * W^T + b) at (M, K, N); counts 2*M*K*N flops per call.
template <Entry entry, LastError lastError>
void linear(benchmark::State &state) {
  int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  runModel(state, entry, lastError, m, k, n, -1.0f, 1.0f);
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

void configure(benchmark::internal::Benchmark *b) {
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

} // namespace

BENCHMARK(sigmoid)->ArgName("batch")->Arg(4)->Arg(1024)->Apply(configure);
BENCHMARK(classifier)->ArgName("batch")->Arg(1)->Arg(64)->Apply(configure);
BENCHMARK_TEMPLATE(linear, bench_linear_8x2_linear, bench_linear_8x2_last_error)
    ->Name("linear")
    ->ArgNames({"M", "K", "N"})
    ->Args({1, 8, 2})
    ->Apply(configure);
BENCHMARK_TEMPLATE(linear, bench_linear_6x2_linear, bench_linear_6x2_last_error)
    ->Name("linear")
    ->ArgNames({"M", "K", "N"})
    ->Args({16, 6, 2})
    ->Apply(configure);
BENCHMARK_TEMPLATE(linear, bench_linear_1024x1024_linear,
                   bench_linear_1024x1024_last_error)
    ->Name("linear")
    ->ArgNames({"M", "K", "N"})
    ->Args({1, 1024, 1024})
    ->Args({64, 1024, 1024})
    ->Apply(configure);
BENCHMARK_TEMPLATE(linear, bench_linear_512x512_linear,
                   bench_linear_512x512_last_error)
    ->Name("linear")
    ->ArgNames({"M", "K", "N"})
    ->Args({256, 512, 512})
    ->Apply(configure);

int main(int argc, char **argv) {
  // One worker per model: the comparison is single-threaded on both sides
  // (bench/run.sh also pins the process to one CPU).
  bench_sigmoid_set_num_threads(1);
  bench_classifier_set_num_threads(1);
  bench_linear_8x2_set_num_threads(1);
  bench_linear_6x2_set_num_threads(1);
  bench_linear_1024x1024_set_num_threads(1);
  bench_linear_512x512_set_num_threads(1);

  return bench::runBenchmarks(argc, argv);
}
