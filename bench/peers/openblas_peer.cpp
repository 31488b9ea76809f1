//===- openblas_peer.cpp - OpenBLAS cases of peer-bench ---------------------===//
//
// linear: cblas_sgemm (row-major, Y = X * W^T with W as N rows of K, beta 0)
// then one pass adding the bias and applying 1 / (1 + std::exp(-v)) per
// element: a plain loop over glibc's expf, which the compiler does not
// vectorize (no -ffast-math, no vector math library): what an application
// gets around a BLAS without writing its own activation.
// One thread: openblas_set_num_threads(1) before timing; bench/run.sh runs
// it with OPENBLAS_CORETYPE=SkylakeX, since OpenBLAS 0.3.21 takes newer CPUs
// for Haswell (AVX2 kernels). Built only when OpenBLAS (Debian:
// libopenblas-dev) was found.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

#include <cblas.h>

#include <cmath>

// OpenBLAS's own; declared here too in case cblas.h is another vendor's.
extern "C" void openblas_set_num_threads(int);

namespace {

void biasSigmoid(float *y, const float *b, int64_t m, int64_t n) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float v = y[i * n + j] + b[j];
      y[i * n + j] = 1.0f / (1.0f + std::exp(-v));
    }
}

void openblasLinear(benchmark::State &state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  openblas_set_num_threads(1);
  peer::LinearOperands ops(m, k, n);
  auto layer = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                ops.x.get(), k, ops.w.get(), k, 0.0f, ops.y.get(), n);
    biasSigmoid(ops.y.get(), ops.b.get(), m, n);
  };
  layer();
  if (!peer::checkLinear(state, ops.x.get(), ops.w.get(), ops.b.get(),
                         ops.y.get(), m, k, n))
    return;
  for (auto _ : state) {
    layer();
    benchmark::ClobberMemory();
  }
  peer::setLinearCounters(state, m, k, n);
}

} // namespace

BENCHMARK(openblasLinear)->Name("openblas/linear")->Apply(peer::linearShapes);
