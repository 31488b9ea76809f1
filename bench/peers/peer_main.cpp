//===- peer_main.cpp - peer-bench's main ------------------------------------===//
//
// The same defaults as soma-bench (21 repetitions of at least 50 ms, medians
// only). Every peer runs on one thread: bench/run.sh pins the process to one
// CPU and sets OMP_NUM_THREADS=1 (oneDNN's OpenMP runtime) and
// OPENBLAS_NUM_THREADS=1; the OpenBLAS cases also call
// openblas_set_num_threads(1), and XNNPACK runs without a thread pool.
//
//===----------------------------------------------------------------------===//

#include <benchmark/benchmark.h>

#include <vector>

int main(int argc, char **argv) {
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
