//===- soma_bench.cpp - Compiled Soma models under Google Benchmark -------===//
//
// Times the models bench/CMakeLists.txt compiles with somac, through their C
// entry points exactly as an application calls them, at 1 and 2 threads
// (<prefix>_set_num_threads), and the machine's limits (machine.cpp).
// peer-bench and bench/torch_peer.py time the same operations in native
// libraries and PyTorch; bench/run.sh runs them all, pinned, and prints the
// comparison. Case names are shared by every side (bench_support.h).
//
// Every case reports wall time (UseRealTime) as the median over
// repetitions, and calls its model once before timing: the call must
// succeed and match a double-precision reference on a few elements.
//
//===----------------------------------------------------------------------===//

#include "bench_support.h"
#include "soma_bench_cases.h"
#include "soma_bench_models.h"

#include "bench_classifier.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {
void registerMachineCases(int64_t copyElements);
}

namespace {

using LastError = const char *(*)();
using SetThreads = void (*)(int);

bool failed(benchmark::State &state, int32_t status, LastError lastError) {
  if (status == 0)
    return false;
  state.SkipWithError(
      (std::string("model call failed: ") + lastError()).c_str());
  return true;
}

// The weights generate.py stored in the model: the blobs `w` and `b` of its
// dialect_resources, hex after a 4-byte alignment word.
bool readBlobs(const std::string &path, std::vector<float> &w,
               std::vector<float> &b) {
  std::ifstream in(path);
  std::string line;
  int found = 0;
  while (std::getline(in, line)) {
    size_t at = line.find_first_not_of(' ');
    if (at == std::string::npos || line.compare(at + 1, 5, ": \"0x") != 0)
      continue;
    std::vector<float> *out = line[at] == 'w' ? &w : line[at] == 'b' ? &b
                                                                     : nullptr;
    if (!out)
      continue;
    const char *hex = line.c_str() + at + 6 + 8;
    size_t len = line.size() - (at + 6 + 8) - 2; // up to the closing quote
    if (line[line.size() - 1] != ',')
      len += 1;
    auto digit = [](char c) {
      return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    };
    std::vector<unsigned char> bytes(len / 2);
    for (size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<unsigned char>(digit(hex[2 * i]) << 4 |
                                            digit(hex[2 * i + 1]));
    out->resize(bytes.size() / 4);
    std::memcpy(out->data(), bytes.data(), out->size() * 4);
    ++found;
  }
  return found == 2;
}

// Y = act(X·Wᵀ + b) at (M, K, N), M the batch; counts 2·M·K·N flops per
// call.
void fc(benchmark::State &state,
        int32_t (*entry)(const float *, float *, int64_t),
        LastError lastError, SetThreads setThreads, std::string act, int64_t m,
        int64_t k, int64_t n, int threads) {
  if (!bench::haveCpus(state, threads))
    return;
  setThreads(threads);
  bench::Buffer x = bench::uniform(m * k, -1.0f, 1.0f, 42);
  bench::Buffer y = bench::allocate(m * n);
  std::vector<float> w, b;
  std::string path = std::string(SOMA_BENCH_MODEL_DIR) + "/fc_" + act + "_" +
                     std::to_string(m) + "_" + std::to_string(k) + "_" +
                     std::to_string(n) + ".mlir";
  if (!readBlobs(path, w, b) || w.size() != size_t(n * k) ||
      b.size() != size_t(n)) {
    state.SkipWithError(("cannot read the weights of " + path).c_str());
    return;
  }
  if (failed(state, entry(x.get(), y.get(), m), lastError) ||
      !bench::checkFc(state, act, x.get(), w.data(), b.data(), y.get(), m, k,
                      n))
    return;
  for (auto _ : state) {
    entry(x.get(), y.get(), m);
    benchmark::ClobberMemory();
  }
  bench::setFcCounters(state, m, k, n);
}

// Y = op(X) over `count` floats as rows of 1024.
void activation(benchmark::State &state,
                int32_t (*entry)(const float *, float *, int64_t),
                LastError lastError, SetThreads setThreads, std::string op,
                int64_t count, int threads, bench::ActInput input) {
  if (!bench::haveCpus(state, threads))
    return;
  setThreads(threads);
  bench::Buffer x = bench::activationInput(count, input);
  bench::Buffer y = bench::allocate(count);
  if (failed(state, entry(x.get(), y.get(), count / 1024), lastError) ||
      !bench::checkActivation(state, op, x.get(), y.get(), count))
    return;
  for (auto _ : state) {
    entry(x.get(), y.get(), count / 1024);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
  // For bench/report.py's captions.
  state.counters["input_bound"] = input.bound;
}

// nn.Sequential(nn.Linear(6, 2), nn.Sigmoid()), one call per iteration.
void classifier(benchmark::State &state, int64_t batch) {
  bench_classifier_set_num_threads(1);
  bench::Buffer x = bench::uniform(batch * 6, -1.0f, 1.0f, 42);
  bench::Buffer y = bench::allocate(batch * 2);
  if (failed(state, bench_classifier_classify(x.get(), y.get(), batch),
             bench_classifier_last_error))
    return;
  for (int64_t i = 0; i < batch * 2; ++i)
    if (!(y[i] > 0.0f && y[i] < 1.0f)) {
      state.SkipWithError("classifier result outside (0, 1)");
      return;
    }
  for (auto _ : state) {
    bench_classifier_classify(x.get(), y.get(), batch);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void registerCases() {
  const int64_t sizes[] = {SOMA_BENCH_ACT_SIZES};
  const int64_t wideSizes[] = {SOMA_BENCH_ACT_WIDE_SIZES};
  for (int threads : {1, 2}) {
#define SOMA_FC(act, m, k, n)                                                 \
  benchmark::RegisterBenchmark(                                               \
      bench::fcName(#act, m, k, n, threads).c_str(), fc,                      \
      bench_fc_##act##_##m##_##k##_##n##_fc,                                  \
      bench_fc_##act##_##m##_##k##_##n##_last_error,                          \
      bench_fc_##act##_##m##_##k##_##n##_set_num_threads, #act, m, k, n,      \
      threads)                                                                \
      ->Apply(bench::configure);
    SOMA_BENCH_FC_CASES(SOMA_FC)
#undef SOMA_FC
#define SOMA_ACT(op, input, counts)                                           \
  for (int64_t count : counts)                                                \
    bench::configureActivation(                                               \
        benchmark::RegisterBenchmark(                                         \
            bench::actName(#op, count, threads, input).c_str(), activation,   \
            bench_act_##op##_act, bench_act_##op##_last_error,                \
            bench_act_##op##_set_num_threads, #op, count, threads, input),    \
        count);
#define SOMA_ACT_NARROW(op) SOMA_ACT(op, bench::kNarrowInput, sizes)
#define SOMA_ACT_WIDE(op) SOMA_ACT(op, bench::kWideInput, wideSizes)
    SOMA_BENCH_ACT_CASES(SOMA_ACT_NARROW)
    if (threads == 1) {
      SOMA_BENCH_ACT_CASES(SOMA_ACT_WIDE)
    }
#undef SOMA_ACT_WIDE
#undef SOMA_ACT_NARROW
#undef SOMA_ACT
  }
  for (int64_t batch : {1, 64})
    benchmark::RegisterBenchmark(
        ("classifier/batch:" + std::to_string(batch) + "/threads:1").c_str(),
        classifier, batch)
        ->Apply(bench::configure);
}

} // namespace

int main(int argc, char **argv) {
  const int64_t sizes[] = {SOMA_BENCH_ACT_SIZES};
  bench::registerMachineCases(sizes[sizeof sizes / sizeof *sizes - 1]);
  registerCases();
  return bench::runBenchmarks(argc, argv);
}
