//===- peer_main.cpp - peer-bench's main ------------------------------------===//
//
// The same defaults as soma-bench (bench_support.h: repetitions, medians
// only). The cases register themselves, one .cpp per library. Threads:
// each case takes its thread count from its name; bench/run.sh runs the
// cases of one library and one thread count per process, pinned to that
// many CPUs, with OMP_NUM_THREADS set for oneDNN's OpenMP runtime.
//
//===----------------------------------------------------------------------===//

#include "../bench_support.h"

int main(int argc, char **argv) { return bench::runBenchmarks(argc, argv); }
