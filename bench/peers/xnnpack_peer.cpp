//===- xnnpack_peer.cpp - XNNPACK cases of peer-bench -----------------------===//
//
// linear: xnn fully-connected (f32, weights as N rows of K, packed by XNNPACK
// when the operator is created; output range unbounded) then XNNPACK's
// sigmoid operator in place over the result: XNNPACK has no sigmoid
// fusion (its fused activation is a clamp).
// sigmoid: XNNPACK's sigmoid operator over the floats as one row.
// Operators are created and set up once per case, before timing, and run
// without a thread pool (one thread). Built only when XNNPACK (Debian:
// libxnnpack-dev, whose header needs libpthreadpool-dev) was found.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

#include <xnnpack.h>

#include <limits>

namespace {

bool initialized(benchmark::State &state) {
  static const xnn_status status = xnn_initialize(nullptr);
  if (status != xnn_status_success) {
    state.SkipWithError("xnn_initialize failed");
    return false;
  }
  return true;
}

struct Operator {
  xnn_operator_t op = nullptr;
  ~Operator() {
    if (op)
      xnn_delete_operator(op);
  }
};

void xnnpackLinear(benchmark::State &state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  if (!initialized(state))
    return;
  peer::LinearOperands ops(m, k, n);
  const float inf = std::numeric_limits<float>::infinity();
  Operator fc, sig;
  if (xnn_create_fully_connected_nc_f32(k, n, k, n, ops.w.get(), ops.b.get(),
                                        -inf, inf, 0, &fc.op) !=
          xnn_status_success ||
      xnn_setup_fully_connected_nc_f32(fc.op, m, ops.x.get(), ops.y.get(),
                                       nullptr) != xnn_status_success ||
      xnn_create_sigmoid_nc_f32(n, n, n, 0, &sig.op) != xnn_status_success ||
      xnn_setup_sigmoid_nc_f32(sig.op, m, ops.y.get(), ops.y.get(), nullptr) !=
          xnn_status_success) {
    state.SkipWithError("XNNPACK operator creation/setup failed");
    return;
  }
  xnn_run_operator(fc.op, nullptr);
  xnn_run_operator(sig.op, nullptr);
  if (!peer::checkLinear(state, ops.x.get(), ops.w.get(), ops.b.get(),
                         ops.y.get(), m, k, n))
    return;
  for (auto _ : state) {
    xnn_run_operator(fc.op, nullptr);
    xnn_run_operator(sig.op, nullptr);
    benchmark::ClobberMemory();
  }
  peer::setLinearCounters(state, m, k, n);
}

void xnnpackSigmoid(benchmark::State &state) {
  const int64_t count = state.range(0) * 1024;
  if (!initialized(state))
    return;
  peer::Buffer x = peer::uniform(count, -8.0f, 8.0f, 42);
  peer::Buffer y = peer::allocate(count);
  Operator sig;
  if (xnn_create_sigmoid_nc_f32(1024, 1024, 1024, 0, &sig.op) !=
          xnn_status_success ||
      xnn_setup_sigmoid_nc_f32(sig.op, count / 1024, x.get(), y.get(),
                               nullptr) != xnn_status_success) {
    state.SkipWithError("XNNPACK sigmoid creation/setup failed");
    return;
  }
  xnn_run_operator(sig.op, nullptr);
  if (!peer::checkSigmoid(state, x.get(), y.get(), count))
    return;
  for (auto _ : state) {
    xnn_run_operator(sig.op, nullptr);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
}

} // namespace

BENCHMARK(xnnpackLinear)->Name("xnnpack/linear")->Apply(peer::linearShapes);
BENCHMARK(xnnpackSigmoid)
    ->Name("xnnpack/sigmoid")
    ->Apply(peer::sigmoidBatches);
