//===- bench_support.h - What soma-bench and peer-bench share ---*- C++ -*-===//
//
// Buffers, deterministic inputs and the benchmark main of both bench
// binaries: the peers are fed and timed exactly like Soma.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_BENCH_BENCH_SUPPORT_H
#define SOMA_BENCH_BENCH_SUPPORT_H

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace bench {

struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], FreeDeleter>;

/// 64-byte aligned like PyTorch's tensors, so no side gains from alignment
/// another lacks.
inline Buffer allocate(size_t count) {
  size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
  auto *p = static_cast<float *>(std::aligned_alloc(64, bytes ? bytes : 64));
  if (!p) {
    std::fprintf(stderr, "bench: out of memory\n");
    std::exit(1);
  }
  return Buffer(p);
}

/// Deterministic inputs uniform in [lo, hi): the inputs only have to be
/// typical, but the same on every run and in every binary.
inline Buffer uniform(size_t count, float lo, float hi, uint64_t seed) {
  Buffer b = allocate(count);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < count; ++i) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint64_t r = s * 0x2545F4914F6CDD1Dull;
    b[i] = lo + (hi - lo) * static_cast<float>(r >> 40) / float(1 << 24);
  }
  return b;
}

/// Runs the registered benchmarks with defaults the command line may
/// override (later flags win): many short repetitions, reported as
/// aggregates, give a median that one preempted repetition cannot move.
inline int runBenchmarks(int argc, char **argv) {
  std::vector<char *> args(argv, argv + argc);
  char repetitions[] = "--benchmark_repetitions=21";
  char minTime[] = "--benchmark_min_time=0.05";
  char aggregatesOnly[] = "--benchmark_report_aggregates_only=true";
  args.insert(args.begin() + 1, {repetitions, minTime, aggregatesOnly});
  argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  argv = args.data();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

} // namespace bench

#endif // SOMA_BENCH_BENCH_SUPPORT_H
