//===- onednn_peer.cpp - oneDNN cases of peer-bench -------------------------===//
//
// linear: one matmul primitive with bias and an eltwise_logistic post-op (the
// fused layer as oneDNN offers it). The weight is described with format
// `any`, so the primitive picks its preferred (blocked) layout, and is
// reordered into it once, outside the timed loop, as an inference
// deployment would; X and Y stay plain row-major.
// sigmoid: an eltwise_forward logistic primitive, forward_inference.
// Primitives are created once per case, before timing. Built only when
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

void onednnLinear(benchmark::State &state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  peer::LinearOperands ops(m, k, n);
  try {
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    memory::desc srcMd({m, k}, dt::f32, tag::ab);
    // W is N rows of K: as the K x N matmul weight it is in format "ba".
    memory::desc userWeiMd({k, n}, dt::f32, tag::ba);
    memory::desc anyWeiMd({k, n}, dt::f32, tag::any);
    memory::desc biasMd({1, n}, dt::f32, tag::ab);
    memory::desc dstMd({m, n}, dt::f32, tag::ab);
    post_ops po;
    po.append_eltwise(1.0f, algorithm::eltwise_logistic, 0.0f, 0.0f);
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
    if (!peer::checkLinear(state, ops.x.get(), ops.w.get(), ops.b.get(),
                           ops.y.get(), m, k, n))
      return;
    for (auto _ : state) {
      prim.execute(strm, args);
      strm.wait();
      benchmark::ClobberMemory();
    }
  } catch (const dnnl::error &e) {
    state.SkipWithError((std::string("oneDNN: ") + e.what()).c_str());
    return;
  }
  peer::setLinearCounters(state, m, k, n);
}

void onednnSigmoid(benchmark::State &state) {
  const int64_t count = state.range(0) * 1024;
  peer::Buffer x = peer::uniform(count, -8.0f, 8.0f, 42);
  peer::Buffer y = peer::allocate(count);
  try {
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    memory::desc md({count}, dt::f32, tag::a);
    eltwise_forward::primitive_desc pd(
        eltwise_forward::desc(prop_kind::forward_inference,
                              algorithm::eltwise_logistic, md, 0.0f, 0.0f),
        eng);
    eltwise_forward prim(pd);
    memory src(md, eng, x.get()), dst(md, eng, y.get());
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                            {DNNL_ARG_DST, dst}};
    prim.execute(strm, args);
    strm.wait();
    if (!peer::checkSigmoid(state, x.get(), y.get(), count))
      return;
    for (auto _ : state) {
      prim.execute(strm, args);
      strm.wait();
      benchmark::ClobberMemory();
    }
  } catch (const dnnl::error &e) {
    state.SkipWithError((std::string("oneDNN: ") + e.what()).c_str());
    return;
  }
  state.SetItemsProcessed(state.iterations() * count);
}

} // namespace

BENCHMARK(onednnLinear)->Name("onednn/linear")->Apply(peer::linearShapes);
BENCHMARK(onednnSigmoid)->Name("onednn/sigmoid")->Apply(peer::sigmoidBatches);
