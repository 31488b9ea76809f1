//===- openblas_peer.cpp - OpenBLAS cases of peer-bench ---------------------===//
//
// fc_<act>: cblas_sgemm (row-major, Y = X * W^T with W as N rows of K,
// beta 0) then one pass adding the bias and applying the activation per
// element: max(v, 0), or 1 / (1 + std::exp(-v)), a plain loop over glibc's
// expf, which the compiler does not vectorize (no -ffast-math, no vector
// math library): what an application gets around a BLAS without writing its
// own activation. Threads: openblas_set_num_threads(T) for the sgemm, and
// the activation pass split over the same T threads (from 16384 results).
// bench/run.sh runs it with OPENBLAS_CORETYPE=SkylakeX, since OpenBLAS
// 0.3.21 takes newer CPUs for Haswell (AVX2 kernels). Built only when OpenBLAS (Debian:
// libopenblas-dev) was found.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

#include <cblas.h>

#include <cmath>

// OpenBLAS's own; declared here too in case cblas.h is another vendor's.
extern "C" void openblas_set_num_threads(int);

namespace {

// The bias and activation over the flat elements [lo, hi) of Y [m, n].
template <bool Relu>
void biasActivation(float *y, const float *b, int64_t n, int64_t lo,
                    int64_t hi) {
  for (int64_t e = lo; e < hi;) {
    int64_t row = e / n, col = e % n;
    int64_t end = std::min(hi, (row + 1) * n);
    float *out = y + row * n;
    for (; col < end - row * n; ++col) {
      float v = out[col] + b[col];
      out[col] = Relu ? std::max(v, 0.0f) : 1.0f / (1.0f + std::exp(-v));
    }
    e = end;
  }
}

void openblasFc(benchmark::State &state, const peer::FcCase &c,
                int threads) {
  const int64_t m = c.m, k = c.k, n = c.n;
  openblas_set_num_threads(threads);
  bench::FcOperands ops(m, k, n);
  // The activation pass's second thread sleeps between calls rather than
  // spin while OpenBLAS's own threads run the next sgemm; small results
  // stay on the calling thread, where waking a thread would cost more than
  // the pass.
  const bool split = threads > 1 && m * n >= 16384;
  bench::Team team(split ? threads : 1, 0);
  const bool relu = c.act == "relu";
  std::function<void(int, int)> activation = [&](int i, int count) {
    auto [lo, hi] = bench::Team::split(m * n, i, count);
    if (relu)
      biasActivation<true>(ops.y.get(), ops.b.get(), n, lo, hi);
    else
      biasActivation<false>(ops.y.get(), ops.b.get(), n, lo, hi);
  };
  auto layer = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                ops.x.get(), k, ops.w.get(), k, 0.0f, ops.y.get(), n);
    team.run(activation);
  };
  layer();
  if (!bench::checkFc(state, c.act, ops.x.get(), ops.w.get(), ops.b.get(),
                      ops.y.get(), m, k, n))
    return;
  for (auto _ : state) {
    layer();
    benchmark::ClobberMemory();
  }
  bench::setFcCounters(state, m, k, n);
}

const bool registered = [] {
  peer::registerFc("openblas", openblasFc);
  return true;
}();

} // namespace
