//===- peer_common.h - Shared helpers of peer-bench ------------*- C++ -*-===//
//
// peer-bench times native libraries (oneDNN, XNNPACK, OpenBLAS, SLEEF) on
// the cases of soma-bench, from the same generated list
// (soma_bench_cases.h). Each library's cases live in their own .cpp file,
// built only when bench/CMakeLists.txt found the library, and registered by
// a static initializer. A case is named "<peer>/<soma-bench name>" (e.g.
// "onednn/fc_sigmoid/M:64/K:1024/N:1024/threads:2"); bench/report.py splits
// the first component off to join it with Soma's row.
//
//===----------------------------------------------------------------------===//
#ifndef SOMA_BENCH_PEER_COMMON_H
#define SOMA_BENCH_PEER_COMMON_H

#include "../bench_support.h"
#include "soma_bench_cases.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace peer {

struct FcCase {
  std::string act;
  int64_t m, k, n;
};

inline std::vector<FcCase> fcCases() {
  std::vector<FcCase> out;
#define SOMA_FC(act, m, k, n) out.push_back({#act, m, k, n});
  SOMA_BENCH_FC_CASES(SOMA_FC)
#undef SOMA_FC
  return out;
}

inline std::vector<std::string> activationOps() {
  std::vector<std::string> out;
#define SOMA_ACT(op) out.push_back(#op);
  SOMA_BENCH_ACT_CASES(SOMA_ACT)
#undef SOMA_ACT
  return out;
}

inline std::vector<int64_t> activationSizes() { return {SOMA_BENCH_ACT_SIZES}; }

inline std::vector<int64_t> wideActivationSizes() {
  return {SOMA_BENCH_ACT_WIDE_SIZES};
}

constexpr int kThreadCounts[] = {1, 2};

/// Registers fn(state, fcCase, threads) as "<peer>/fc_..." for every fused
/// layer case and thread count.
template <typename Fn> void registerFc(const std::string &peer, Fn fn) {
  for (int threads : kThreadCounts)
    for (const FcCase &c : fcCases())
      benchmark::RegisterBenchmark(
          (peer + "/" + bench::fcName(c.act, c.m, c.k, c.n, threads)).c_str(),
          [=](benchmark::State &state) {
            if (bench::haveCpus(state, threads))
              fn(state, c, threads);
          })
          ->Apply(bench::configure);
}

/// Registers fn(state, op, count, threads, input) as "<peer>/act/..." for
/// the activations `supported` accepts, every size and thread count, and
/// as "<peer>/act_wide/..." on the wide inputs (one thread).
template <typename Supported, typename Fn>
void registerActivations(const std::string &peer, Supported supported,
                         Fn fn) {
  auto add = [&](const std::string &op, int64_t count, int threads,
                 const bench::ActInput &input) {
    bench::configureActivation(
        benchmark::RegisterBenchmark(
            (peer + "/" + bench::actName(op, count, threads, input)).c_str(),
            [=](benchmark::State &state) {
              if (bench::haveCpus(state, threads))
                fn(state, op, count, threads, input);
            }),
        count);
  };
  for (int threads : kThreadCounts)
    for (const std::string &op : activationOps()) {
      if (!supported(op))
        continue;
      for (int64_t count : activationSizes())
        add(op, count, threads, bench::kNarrowInput);
      if (threads == 1)
        for (int64_t count : wideActivationSizes())
          add(op, count, threads, bench::kWideInput);
    }
}

} // namespace peer

#endif // SOMA_BENCH_PEER_COMMON_H
