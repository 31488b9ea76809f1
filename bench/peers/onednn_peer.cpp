//===- onednn_peer.cpp - oneDNN cases of peer-bench -------------------------===//
//
// fc_<act>: one matmul primitive with bias and an eltwise post-op
// (eltwise_logistic for sigmoid, eltwise_relu for relu): the fused layer as
// oneDNN offers it. The weight is described with format `any`, so the
// primitive picks its preferred (blocked) layout, and is reordered into it
// once, outside the timed loop, as an inference deployment would; X and Y
// stay plain row-major.
// act/<op>: an eltwise_forward primitive (forward_inference): logistic,
// logsigmoid, tanh, soft_relu (softplus), swish with alpha 1 (silu),
// hardswish; softmax and log_softmax are softmax_v2 primitives
// (softmax_accurate, softmax_log) along the rows of 1024. oneDNN 2.6 has no
// hard sigmoid.
// Primitives are created once per case, before timing. Threads: oneDNN's
// OpenMP runtime reads OMP_NUM_THREADS, which bench/run.sh sets to the
// case's thread count (one process per thread count). Built only when
// oneDNN (Debian: libdnnl-dev) was found.
//
//===----------------------------------------------------------------------===//

#include "peer_common.h"

#include <dnnl.hpp>

#include <string>
#include <unordered_map>

namespace {

using namespace dnnl;
using dt = memory::data_type;
using tag = memory::format_tag;

template <typename Body>
void guarded(benchmark::State &state, Body body) {
  try {
    body();
  } catch (const dnnl::error &e) {
    state.SkipWithError((std::string("oneDNN: ") + e.what()).c_str());
  }
}

void timed(benchmark::State &state, primitive &prim, stream &strm,
           const std::unordered_map<int, memory> &args) {
  for (auto _ : state) {
    prim.execute(strm, args);
    strm.wait();
    benchmark::ClobberMemory();
  }
}

void onednnFc(benchmark::State &state, const peer::FcCase &c, int) {
  const int64_t m = c.m, k = c.k, n = c.n;
  bench::FcOperands ops(m, k, n);
  guarded(state, [&] {
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    memory::desc srcMd({m, k}, dt::f32, tag::ab);
    // W is N rows of K: as the K x N matmul weight it is in format "ba".
    memory::desc userWeiMd({k, n}, dt::f32, tag::ba);
    memory::desc anyWeiMd({k, n}, dt::f32, tag::any);
    memory::desc biasMd({1, n}, dt::f32, tag::ab);
    memory::desc dstMd({m, n}, dt::f32, tag::ab);
    post_ops po;
    po.append_eltwise(1.0f,
                      c.act == "relu" ? algorithm::eltwise_relu
                                      : algorithm::eltwise_logistic,
                      0.0f, 0.0f);
    primitive_attr attr;
    attr.set_post_ops(po);
    matmul::primitive_desc pd(matmul::desc(srcMd, anyWeiMd, biasMd, dstMd),
                              attr, eng);

    memory src(srcMd, eng, ops.x.get());
    memory userWei(userWeiMd, eng, ops.w.get());
    memory bias(biasMd, eng, ops.b.get());
    memory dst(dstMd, eng, ops.y.get());
    memory wei = userWei;
    if (pd.weights_desc() != userWeiMd) { // prepack once
      wei = memory(pd.weights_desc(), eng);
      reorder(userWei, wei).execute(strm, userWei, wei);
      strm.wait();
    }
    matmul prim(pd);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                            {DNNL_ARG_WEIGHTS, wei},
                                            {DNNL_ARG_BIAS, bias},
                                            {DNNL_ARG_DST, dst}};
    prim.execute(strm, args);
    strm.wait();
    if (!bench::checkFc(state, c.act, ops.x.get(), ops.w.get(), ops.b.get(),
                        ops.y.get(), m, k, n))
      return;
    timed(state, prim, strm, args);
    bench::setFcCounters(state, m, k, n);
  });
}

bool supported(const std::string &op) { return op != "hard_sigmoid"; }

void onednnActivation(benchmark::State &state, const std::string &op,
                      int64_t count, int, const bench::ActInput &input) {
  bench::Buffer x = bench::activationInput(count, input);
  bench::Buffer y = bench::allocate(count);
  guarded(state, [&] {
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    memory::desc md({count / 1024, 1024}, dt::f32, tag::ab);
    primitive prim;
    if (op == "softmax" || op == "log_softmax") {
      softmax_v2_forward::primitive_desc pd(
          softmax_v2_forward::desc(prop_kind::forward_inference,
                                   op == "softmax" ? algorithm::softmax_accurate
                                                   : algorithm::softmax_log,
                                   md, md, 1),
          eng);
      prim = softmax_v2_forward(pd);
    } else {
      static const std::unordered_map<std::string,
                                      std::pair<algorithm, float>>
          algorithms = {
              {"sigmoid", {algorithm::eltwise_logistic, 0.0f}},
              {"log_sigmoid", {algorithm::eltwise_logsigmoid, 0.0f}},
              {"tanh", {algorithm::eltwise_tanh, 0.0f}},
              {"softplus", {algorithm::eltwise_soft_relu, 0.0f}},
              {"silu", {algorithm::eltwise_swish, 1.0f}},
              {"hard_swish", {algorithm::eltwise_hardswish, 0.0f}},
          };
      auto [alg, alpha] = algorithms.at(op);
      eltwise_forward::primitive_desc pd(
          eltwise_forward::desc(prop_kind::forward_inference, alg, md, alpha,
                                0.0f),
          eng);
      prim = eltwise_forward(pd);
    }
    memory src(md, eng, x.get()), dst(md, eng, y.get());
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                            {DNNL_ARG_DST, dst}};
    prim.execute(strm, args);
    strm.wait();
    if (!bench::checkActivation(state, op, x.get(), y.get(), count))
      return;
    timed(state, prim, strm, args);
    state.SetItemsProcessed(state.iterations() * count);
  });
}

const bool registered = [] {
  peer::registerFc("onednn", onednnFc);
  peer::registerActivations("onednn", supported, onednnActivation);
  return true;
}();

} // namespace
