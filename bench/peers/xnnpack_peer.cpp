//===- xnnpack_peer.cpp - XNNPACK cases of peer-bench -----------------------===//
//
// fc_relu: fully-connected (f32, weights as N rows of K, packed by XNNPACK
// when the operator is created) with relu fused as its output clamp
// [0, +inf).
// fc_sigmoid: the same with an unbounded output, then XNNPACK's sigmoid
// operator in place over the result: XNNPACK's only fused activation is a
// clamp.
// act/<op>: the operator XNNPACK has for it over rows of 1024: sigmoid,
// hardswish, softmax (along each row). Debian's 2022-02 snapshot has no
// tanh, SiLU, softplus, log-sigmoid, hard sigmoid or log-softmax operator.
// Operators are created and set up once per case, before timing. Threads:
// one runs without a thread pool; two through a pthreadpool of 2 threads.
// Built only when XNNPACK (Debian: libxnnpack-dev, whose header needs
// libpthreadpool-dev) was found.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

#include <pthreadpool.h>
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

struct Pool {
  pthreadpool_t pool = nullptr;
  explicit Pool(int threads) {
    if (threads > 1)
      pool = pthreadpool_create(threads);
  }
  ~Pool() {
    if (pool)
      pthreadpool_destroy(pool);
  }
};

void xnnpackFc(benchmark::State &state, const peer::FcCase &c, int threads) {
  const int64_t m = c.m, k = c.k, n = c.n;
  if (!initialized(state))
    return;
  bench::FcOperands ops(m, k, n);
  Pool pool(threads);
  const float inf = std::numeric_limits<float>::infinity();
  const bool relu = c.act == "relu";
  Operator fc, sig;
  if (xnn_create_fully_connected_nc_f32(k, n, k, n, ops.w.get(), ops.b.get(),
                                        relu ? 0.0f : -inf, inf, 0,
                                        &fc.op) != xnn_status_success ||
      xnn_setup_fully_connected_nc_f32(fc.op, m, ops.x.get(), ops.y.get(),
                                       pool.pool) != xnn_status_success ||
      (!relu &&
       (xnn_create_sigmoid_nc_f32(n, n, n, 0, &sig.op) != xnn_status_success ||
        xnn_setup_sigmoid_nc_f32(sig.op, m, ops.y.get(), ops.y.get(),
                                 pool.pool) != xnn_status_success))) {
    state.SkipWithError("XNNPACK operator creation/setup failed");
    return;
  }
  auto layer = [&] {
    xnn_run_operator(fc.op, pool.pool);
    if (sig.op)
      xnn_run_operator(sig.op, pool.pool);
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

bool supported(const std::string &op) {
  return op == "sigmoid" || op == "hard_swish" || op == "softmax";
}

void xnnpackActivation(benchmark::State &state, const std::string &op,
                       int64_t count, int threads,
                       const bench::ActInput &input) {
  if (!initialized(state))
    return;
  bench::Buffer x = bench::activationInput(count, input);
  bench::Buffer y = bench::allocate(count);
  Pool pool(threads);
  Operator o;
  const size_t rows = count / 1024;
  xnn_status status;
  if (op == "sigmoid") {
    status = xnn_create_sigmoid_nc_f32(1024, 1024, 1024, 0, &o.op);
    if (status == xnn_status_success)
      status = xnn_setup_sigmoid_nc_f32(o.op, rows, x.get(), y.get(),
                                        pool.pool);
  } else if (op == "hard_swish") {
    status = xnn_create_hardswish_nc_f32(1024, 1024, 1024, 0, &o.op);
    if (status == xnn_status_success)
      status = xnn_setup_hardswish_nc_f32(o.op, rows, x.get(), y.get(),
                                          pool.pool);
  } else {
    status = xnn_create_softmax_nc_f32(1024, 1024, 1024, 0, &o.op);
    if (status == xnn_status_success)
      status = xnn_setup_softmax_nc_f32(o.op, rows, x.get(), y.get(),
                                        pool.pool);
  }
  if (status != xnn_status_success) {
    state.SkipWithError(("XNNPACK " + op + " creation/setup failed").c_str());
    return;
  }
  xnn_run_operator(o.op, pool.pool);
  if (!bench::checkActivation(state, op, x.get(), y.get(), count))
    return;
  for (auto _ : state) {
    xnn_run_operator(o.op, pool.pool);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
}

const bool registered = [] {
  peer::registerFc("xnnpack", xnnpackFc);
  peer::registerActivations("xnnpack", supported, xnnpackActivation);
  return true;
}();

} // namespace
