//===- peer_common.h - Shared helpers of peer-bench ------------*- C++ -*-===//
//
// peer-bench times native libraries (oneDNN, XNNPACK, OpenBLAS, SLEEF) on
// the operations and shapes of soma-bench. Each library's cases live in their
// own .cpp file, built only when bench/CMakeLists.txt found the library.
// A case is named "<peer>/<soma-bench name>" (e.g.
// "onednn/linear/M:64/K:1024/N:1024"); bench/report.py splits the first
// component off to join it with Soma's row.
//
//===----------------------------------------------------------------------===//
#ifndef SOMA_BENCH_PEER_COMMON_H
#define SOMA_BENCH_PEER_COMMON_H

#include "../bench_support.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace peer {

using bench::allocate;
using bench::Buffer;
using bench::uniform;

inline double sigmoidRef(double v) { return 1.0 / (1.0 + std::exp(-v)); }

constexpr double kTolerance = 1e-4; // relative, against a double reference

// Compares `got` with `want` (double); on mismatch stops the case with
// SkipWithError and returns false.
inline bool close(benchmark::State &state, float got, double want,
                  const char *what, int64_t index) {
  double err = std::fabs(double(got) - want) / std::fmax(std::fabs(want), 1e-30);
  if (!(err <= kTolerance)) {
    char msg[160];
    std::snprintf(msg, sizeof msg,
                  "%s mismatch at %lld: got %.9g, want %.9g (rel. error %.3g)",
                  what, static_cast<long long>(index), got, want, err);
    state.SkipWithError(msg);
    return false;
  }
  return true;
}

// Checks a few elements of Y = sigmoid(X * W^T + b), W as N rows of K.
inline bool checkLinear(benchmark::State &state, const float *x,
                        const float *w, const float *b, const float *y,
                        int64_t m, int64_t k, int64_t n) {
  const int64_t rows[] = {0, m / 2, m - 1};
  const int64_t cols[] = {0, n / 3, n - 1};
  for (int64_t i : rows)
    for (int64_t j : cols) {
      double acc = b[j];
      for (int64_t p = 0; p < k; ++p)
        acc += double(x[i * k + p]) * double(w[j * k + p]);
      if (!close(state, y[i * n + j], sigmoidRef(acc), "linear", i * n + j))
        return false;
    }
  return true;
}

// Checks a few elements of y = sigmoid(x) over `count` floats.
inline bool checkSigmoid(benchmark::State &state, const float *x,
                         const float *y, int64_t count) {
  const int64_t at[] = {0, 1, 17, count / 3, count / 2, count - 1};
  for (int64_t i : at)
    if (!close(state, y[i], sigmoidRef(x[i]), "sigmoid", i))
      return false;
  return true;
}

// The linear layers' operands: X uniform in [-1, 1), W (N rows of K) and b
// uniform in +-1/sqrt(K) (PyTorch's Linear init range, as generate.py's).
struct LinearOperands {
  Buffer x, w, b, y;
  LinearOperands(int64_t m, int64_t k, int64_t n)
      : x(uniform(m * k, -1.0f, 1.0f, 42)),
        w(uniform(n * k, -1.0f / std::sqrt(float(k)),
                  1.0f / std::sqrt(float(k)), 7)),
        b(uniform(n, -1.0f / std::sqrt(float(k)), 1.0f / std::sqrt(float(k)),
                  9)),
        y(allocate(m * n)) {}
};

inline void setLinearCounters(benchmark::State &state, int64_t m, int64_t k,
                              int64_t n) {
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

inline void configure(benchmark::internal::Benchmark *b) {
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

// soma-bench's linear shapes (M, K, N) and sigmoid batches (rows of 1024).
inline void linearShapes(benchmark::internal::Benchmark *b) {
  b->ArgNames({"M", "K", "N"})
      ->Args({1, 8, 2})
      ->Args({16, 6, 2})
      ->Args({1, 1024, 1024})
      ->Args({64, 1024, 1024})
      ->Args({256, 512, 512})
      ->Apply(configure);
}
inline void sigmoidBatches(benchmark::internal::Benchmark *b) {
  b->ArgName("batch")->Arg(4)->Arg(1024)->Apply(configure);
}

} // namespace peer

#endif // SOMA_BENCH_PEER_COMMON_H
