//===- peer_main.cpp - peer-bench's main ------------------------------------===//
//
// The same defaults as soma-bench (21 repetitions of at least 50 ms, medians
// only). Every peer runs on one thread: bench/run.sh pins the process to one
// CPU and sets OMP_NUM_THREADS=1 (oneDNN's OpenMP runtime) and
// OPENBLAS_NUM_THREADS=1; the OpenBLAS cases also call
// openblas_set_num_threads(1), and XNNPACK runs without a thread pool.
//
//===----------------------------------------------------------------------===//

#include "../bench_support.h"

int main(int argc, char **argv) { return bench::runBenchmarks(argc, argv); }
