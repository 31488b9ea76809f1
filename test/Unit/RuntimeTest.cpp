//===- RuntimeTest.cpp - The C runtime linked into compiled models --------===//
//
// Calls the runtime's internal entry points directly, declared from
// RuntimeABI.def as generated code declares them: thread-local errors and
// their truncation, aligned allocation, and parallel_for's coverage,
// determinism, thread safety, nesting, resizing, pinning and fork safety,
// and how SOMA_NUM_THREADS is read.
//
// The pool is one per process here, as in a model library: every test that
// changes the thread count restores the default before it ends.
//
//===----------------------------------------------------------------------===//

#include "soma/runtime.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

// The table's type tokens as C types, only while it is expanded. A
// signature that disagrees with the runtime's C definitions does not
// compile there; here the table is the only declaration.
extern "C" {
#define i32 int32_t
#define i64 int64_t
#define ptr void *
#define SOMA_RUNTIME_FUNCTION(NAME, RET, ...) RET NAME(__VA_ARGS__);
#include "soma/RuntimeABI.def"
#undef ptr
#undef i64
#undef i32
}

namespace {

/// The body type soma_rt_parallel_for calls.
using Body = void (*)(void *context, int64_t begin, int64_t end);

/// Runs `function(begin, end)` for every chunk of [0, count). The context
/// is the function's address, passed as is (0 bytes to copy).
template <typename Function>
void parallelFor(int64_t count, Function &function) {
  Body body = [](void *context, int64_t begin, int64_t end) {
    (*static_cast<Function *>(context))(begin, end);
  };
  soma_rt_parallel_for(count, reinterpret_cast<void *>(body), &function, 0);
}

std::string lastError() {
  return static_cast<const char *>(soma_rt_last_error());
}

/// CPUs in this thread's affinity mask.
int affinityCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  return CPU_COUNT(&set);
}

/// Sets (or with nullopt unsets) SOMA_NUM_THREADS for one scope.
class ScopedNumThreadsVariable {
public:
  explicit ScopedNumThreadsVariable(std::optional<std::string> value) {
    if (const char *old = getenv("SOMA_NUM_THREADS"))
      saved = old;
    set(value);
  }
  ~ScopedNumThreadsVariable() {
    set(saved);
    soma_rt_set_num_threads(0);
  }

private:
  static void set(const std::optional<std::string> &value) {
    if (value)
      setenv("SOMA_NUM_THREADS", value->c_str(), 1);
    else
      unsetenv("SOMA_NUM_THREADS");
  }
  std::optional<std::string> saved;
};

/// The default with SOMA_NUM_THREADS set to `value` (or unset).
int32_t defaultWith(std::optional<std::string> value) {
  ScopedNumThreadsVariable variable(std::move(value));
  soma_rt_set_num_threads(0);
  return soma_rt_num_threads();
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(RuntimeErrors, EmptyOnAFreshThread) {
  std::string seen = "unset";
  std::thread([&] { seen = lastError(); }).join();
  EXPECT_EQ(seen, "");
}

TEST(RuntimeErrors, AreThreadLocal) {
  char mine[] = "main: x is NULL";
  soma_rt_set_error(SOMA_ERROR_NULL_POINTER, mine);
  std::string seenOnOther;
  std::thread([&] {
    seenOnOther = lastError();
    char theirs[] = "other: batch is negative";
    soma_rt_set_error(SOMA_ERROR_INVALID_BATCH, theirs);
  }).join();
  EXPECT_EQ(seenOnOther, "");
  EXPECT_EQ(lastError(), "main: x is NULL");
  soma_rt_clear_error();
}

TEST(RuntimeErrors, MessageIsCopied) {
  char message[] = "first";
  soma_rt_set_error(SOMA_ERROR_INTERNAL, message);
  message[0] = 'F';
  EXPECT_EQ(lastError(), "first");
  soma_rt_clear_error();
}

TEST(RuntimeErrors, NullMessageGivesTheStatusDefault) {
  soma_rt_set_error(SOMA_ERROR_OUT_OF_MEMORY, nullptr);
  EXPECT_EQ(lastError(), "out of memory");
  soma_rt_set_error(12345, nullptr);
  EXPECT_EQ(lastError(), "unknown error");
  soma_rt_clear_error();
}

TEST(RuntimeErrors, ClearAndSuccessEmptyTheMessage) {
  soma_rt_set_error(SOMA_ERROR_INTERNAL, nullptr);
  soma_rt_clear_error();
  EXPECT_EQ(lastError(), "");
  soma_rt_set_error(SOMA_ERROR_INTERNAL, nullptr);
  soma_rt_set_error(SOMA_OK, nullptr);
  EXPECT_EQ(lastError(), "");
}

TEST(RuntimeErrors, QuotingNamesTheSubject) {
  char message[] = "soma_invoke: the model has no function named";
  char subject[] = "train";
  soma_rt_set_error_quoting(SOMA_ERROR_UNKNOWN_FUNCTION, message, subject);
  EXPECT_EQ(lastError(),
            "soma_invoke: the model has no function named 'train'");
  soma_rt_set_error_quoting(SOMA_ERROR_UNKNOWN_FUNCTION, nullptr, nullptr);
  EXPECT_EQ(lastError(), "the model has no such function '(null)'");
  // A subject longer than the buffer is cut, with "...".
  std::string huge(5000, 'z');
  soma_rt_set_error_quoting(SOMA_ERROR_UNKNOWN_FUNCTION, message, huge.data());
  std::string seen = lastError();
  // The thread-local buffer holds 512 bytes: 508 of text, "..." and NUL.
  EXPECT_EQ(seen.size(), 511u);
  EXPECT_EQ(seen.rfind(std::string(message) + " 'zzz", 0), 0u);
  EXPECT_EQ(seen.substr(seen.size() - 3), "...");
  soma_rt_clear_error();
}

TEST(RuntimeErrors, LongMessagesAreTruncated) {
  std::string message(5000, 'x');
  soma_rt_set_error(SOMA_ERROR_INTERNAL, message.data());
  std::string seen = lastError();
  EXPECT_GE(seen.size(), 256u);
  EXPECT_LT(seen.size(), message.size());
  EXPECT_EQ(seen.substr(seen.size() - 3), "...");
  EXPECT_EQ(seen.find_first_not_of('x'), seen.size() - 3);

  // Messages just below, at and above the buffer size.
  size_t capacity = seen.size() + 1;
  for (size_t length : {capacity - 2, capacity - 1, capacity, capacity + 1}) {
    std::string text(length, 'y');
    soma_rt_set_error(SOMA_ERROR_INTERNAL, text.data());
    std::string kept = lastError();
    if (length < capacity)
      EXPECT_EQ(kept, text) << length;
    else
      EXPECT_EQ(kept, std::string(capacity - 4, 'y') + "...") << length;
  }
  soma_rt_clear_error();
}

TEST(RuntimeErrors, TruncationKeepsWholeCharacters) {
  // Two-byte characters at every alignment relative to the cut.
  for (const char *prefix : {"", "a"}) {
    std::string message = prefix;
    for (int i = 0; i < 2000; ++i)
      message += "\xc3\xa9"; // U+00E9
    soma_rt_set_error(SOMA_ERROR_INTERNAL, message.data());
    std::string seen = lastError();
    ASSERT_EQ(seen.substr(seen.size() - 3), "...");
    std::string kept = seen.substr(0, seen.size() - 3);
    EXPECT_EQ(message.compare(0, kept.size(), kept), 0);
    EXPECT_EQ((kept.size() - strlen(prefix)) % 2, 0u) << "split a character";
  }
  soma_rt_clear_error();
}

//===----------------------------------------------------------------------===//
// Allocation
//===----------------------------------------------------------------------===//

TEST(RuntimeAlloc, IsAligned) {
  for (int64_t alignment : {1, 2, 8, 16, 32, 64, 128, 4096}) {
    for (int64_t bytes : {1, 3, 64, 1000, 1 << 20}) {
      void *pointer = soma_rt_alloc(bytes, alignment);
      ASSERT_NE(pointer, nullptr) << bytes << " " << alignment;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(pointer) % alignment, 0u);
      memset(pointer, 0xab, bytes); // The whole size is usable.
      soma_rt_free(pointer);
    }
  }
}

TEST(RuntimeAlloc, DefaultsToCacheLines) {
  for (int i = 0; i < 16; ++i) {
    void *pointer = soma_rt_alloc(24, 0);
    ASSERT_NE(pointer, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(pointer) % 64, 0u);
    soma_rt_free(pointer);
  }
}

TEST(RuntimeAlloc, ZeroBytesGiveUniquePointers) {
  void *a = soma_rt_alloc(0, 64);
  void *b = soma_rt_alloc(0, 64);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  soma_rt_free(a);
  soma_rt_free(b);
  soma_rt_free(nullptr);
}

TEST(RuntimeAlloc, FailuresReturnNullAndSetTheError) {
  soma_rt_clear_error();
  EXPECT_EQ(soma_rt_alloc(-1, 64), nullptr);
  EXPECT_NE(lastError().find("invalid allocation of -1 bytes"),
            std::string::npos)
      << lastError();
  soma_rt_clear_error();
  EXPECT_EQ(soma_rt_alloc(16, 48), nullptr);
  EXPECT_NE(lastError().find("aligned to 48"), std::string::npos);
  soma_rt_clear_error();
  EXPECT_EQ(soma_rt_alloc(16, -64), nullptr);
  soma_rt_clear_error();
  EXPECT_EQ(soma_rt_alloc(INT64_C(1) << 62, 64), nullptr);
  EXPECT_EQ(lastError(), "out of memory allocating 4611686018427387904 bytes");
  soma_rt_clear_error();
}

//===----------------------------------------------------------------------===//
// parallel_for
//===----------------------------------------------------------------------===//

/// The chunks one parallel_for ran, in order of begin.
std::vector<std::pair<int64_t, int64_t>> chunksOf(int64_t count) {
  std::mutex mutex;
  std::set<std::pair<int64_t, int64_t>> chunks;
  auto body = [&](int64_t begin, int64_t end) {
    std::lock_guard<std::mutex> guard(mutex);
    chunks.insert({begin, end});
  };
  parallelFor(count, body);
  return {chunks.begin(), chunks.end()};
}

class RuntimeParallelFor : public testing::TestWithParam<int> {
protected:
  void SetUp() override { soma_rt_set_num_threads(GetParam()); }
  void TearDown() override { soma_rt_set_num_threads(0); }
};

TEST_P(RuntimeParallelFor, CoversEveryIndexOnce) {
  ASSERT_EQ(soma_rt_num_threads(), GetParam());
  for (int64_t count : {0, 1, 7, 1000}) {
    std::vector<std::atomic<int>> hits(count);
    std::atomic<int> calls{0};
    auto body = [&](int64_t begin, int64_t end) {
      ++calls;
      ASSERT_LE(0, begin);
      ASSERT_LT(begin, end);
      ASSERT_LE(end, count);
      for (int64_t i = begin; i < end; ++i)
        ++hits[i];
    };
    parallelFor(count, body);
    for (int64_t i = 0; i < count; ++i)
      ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << count;
    EXPECT_EQ(calls.load(),
              count == 0 ? 0 : std::min<int64_t>(count, GetParam()));
  }
}

TEST_P(RuntimeParallelFor, SplitsStatically) {
  int threads = GetParam();
  for (int64_t count : {7, 1000}) {
    std::vector<std::pair<int64_t, int64_t>> first = chunksOf(count);
    for (int repeat = 0; repeat < 20; ++repeat)
      ASSERT_EQ(chunksOf(count), first);
    // Contiguous, balanced to within one iteration.
    ASSERT_EQ(first.size(),
              static_cast<size_t>(std::min<int64_t>(count, threads)));
    int64_t next = 0;
    for (auto [begin, end] : first) {
      EXPECT_EQ(begin, next);
      EXPECT_LE(end - begin, count / threads + 1);
      EXPECT_GE(end - begin, count / threads);
      next = end;
    }
    EXPECT_EQ(next, count);
  }
}

TEST_P(RuntimeParallelFor, CountZeroNeverCallsTheBody) {
  bool called = false;
  auto body = [&](int64_t, int64_t) { called = true; };
  parallelFor(0, body);
  parallelFor(-5, body);
  EXPECT_FALSE(called);
}

TEST_P(RuntimeParallelFor, ConcurrentCallersEachGetTheirRange) {
  constexpr int64_t count = 997;
  auto caller = [](std::vector<int> &hits) {
    for (int round = 0; round < 200; ++round) {
      auto body = [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          ++hits[i];
      };
      parallelFor(count, body);
    }
  };
  // Each index is written by one thread per round; rounds are ordered by
  // parallel_for returning, so plain ints suffice.
  std::vector<int> a(count), b(count);
  std::thread first(caller, std::ref(a)), second(caller, std::ref(b));
  first.join();
  second.join();
  for (int64_t i = 0; i < count; ++i) {
    ASSERT_EQ(a[i], 200) << i;
    ASSERT_EQ(b[i], 200) << i;
  }
}

TEST_P(RuntimeParallelFor, NestedCallsRunInline) {
  constexpr int64_t outer = 9, inner = 100;
  std::vector<std::atomic<int>> hits(outer * inner);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::thread::id self = std::this_thread::get_id();
      bool sameThread = true;
      auto innerBody = [&](int64_t b, int64_t e) {
        sameThread &= std::this_thread::get_id() == self;
        for (int64_t j = b; j < e; ++j)
          ++hits[i * inner + j];
      };
      parallelFor(inner, innerBody);
      EXPECT_TRUE(sameThread);
    }
  };
  parallelFor(outer, body);
  for (auto &hit : hits)
    ASSERT_EQ(hit.load(), 1);
}

// The entry point of a batch of one is a loop of one chunk; the linear
// layers inside it split their columns between the threads.
TEST_P(RuntimeParallelFor, OneChunkLeavesThePoolToNestedCalls) {
  int threads = GetParam();
  constexpr int64_t inner = 100;
  std::vector<std::atomic<int>> hits(inner);
  std::mutex mutex;
  std::set<std::thread::id> ids;
  auto body = [&](int64_t begin, int64_t end) {
    ASSERT_EQ(begin, 0);
    ASSERT_EQ(end, 1);
    auto innerBody = [&](int64_t b, int64_t e) {
      {
        std::lock_guard<std::mutex> guard(mutex);
        ids.insert(std::this_thread::get_id());
      }
      for (int64_t j = b; j < e; ++j)
        ++hits[j];
    };
    parallelFor(inner, innerBody);
  };
  parallelFor(1, body);
  for (auto &hit : hits)
    ASSERT_EQ(hit.load(), 1);
  EXPECT_EQ(ids.size(), static_cast<size_t>(threads));
}

TEST_P(RuntimeParallelFor, RunsChunksOnPinnedWorkers) {
  int threads = GetParam();
  int callerCpus = affinityCount();
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::vector<int> workerCpus;
  std::thread::id caller = std::this_thread::get_id();
  auto body = [&](int64_t, int64_t) {
    std::lock_guard<std::mutex> guard(mutex);
    ids.insert(std::this_thread::get_id());
    if (std::this_thread::get_id() != caller)
      workerCpus.push_back(affinityCount());
  };
  parallelFor(threads, body);
  EXPECT_EQ(ids.size(), static_cast<size_t>(threads));
  EXPECT_EQ(ids.count(caller), 1u) << "the caller takes a chunk";
  for (int cpus : workerCpus)
    EXPECT_EQ(cpus, 1) << "a worker is pinned to one CPU";
  EXPECT_EQ(affinityCount(), callerCpus) << "the caller is never re-pinned";
}

/// A context as generated code passes it: pointers and a batch, the last
/// word where each chunk records what it read.
template <int Words> struct Frame {
  int64_t words[Words];
};

/// Runs a parallel_for of `threads` chunks over a Frame of `Words` words
/// (the last of them pointing at the chunks' records) and checks that
/// every chunk read the caller's values, copied or not.
template <int Words> void checkContextReachesEveryChunk(int threads) {
  std::vector<std::array<int64_t, Words - 1>> seen(threads);
  for (int call = 0; call < 3; ++call) {
    Frame<Words> frame;
    for (int i = 0; i + 1 < Words; ++i)
      frame.words[i] = 1000 * call + i;
    frame.words[Words - 1] = reinterpret_cast<intptr_t>(&seen);
    Body body = [](void *context, int64_t begin, int64_t end) {
      auto *frame = static_cast<const Frame<Words> *>(context);
      auto *records =
          reinterpret_cast<std::vector<std::array<int64_t, Words - 1>> *>(
              frame->words[Words - 1]);
      for (int64_t chunk = begin; chunk < end; ++chunk)
        for (int i = 0; i + 1 < Words; ++i)
          (*records)[chunk][i] = frame->words[i];
    };
    ASSERT_EQ(soma_rt_parallel_for(threads, reinterpret_cast<void *>(body),
                                   &frame, sizeof frame),
              0);
    for (int chunk = 0; chunk < threads; ++chunk)
      for (int i = 0; i + 1 < Words; ++i)
        ASSERT_EQ(seen[chunk][i], 1000 * call + i)
            << "chunk " << chunk << ", word " << i << ", call " << call;
  }
}

TEST_P(RuntimeParallelFor, PassesASmallContextToEveryChunk) {
  // 3 words fit next to the job (24 bytes); 6 are passed by address.
  checkContextReachesEveryChunk<3>(GetParam());
  checkContextReachesEveryChunk<6>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(, RuntimeParallelFor, testing::Values(1, 2, 8),
                         [](const testing::TestParamInfo<int> &info) {
                           return std::to_string(info.param) + "Threads";
                         });

/// A result computed in parallel, per index, as generated code does.
std::vector<float> computeWith(int threads) {
  soma_rt_set_num_threads(threads);
  std::vector<float> out(4099);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float x = 0.001f * static_cast<float>(i);
      out[i] = x / (1.0f + x * x) + 1.0f / (1.0f + static_cast<float>(i));
    }
  };
  parallelFor(static_cast<int64_t>(out.size()), body);
  return out;
}

TEST(RuntimeParallelForResults, IdenticalForEveryThreadCount) {
  std::vector<float> reference = computeWith(1);
  for (int threads : {2, 3, 8, 1, 5, 2}) {
    std::vector<float> result = computeWith(threads);
    ASSERT_EQ(memcmp(result.data(), reference.data(),
                     reference.size() * sizeof(float)),
              0)
        << threads << " threads";
  }
  soma_rt_set_num_threads(0);
}

TEST(RuntimeParallelForResults, WorkAfterForkInTheChild) {
  soma_rt_set_num_threads(2);
  std::vector<int> hits(100);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      ++hits[i];
  };
  parallelFor(100, body); // The parent's pool has a worker now.
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    parallelFor(100, body);
    bool ok = true;
    for (int hit : hits)
      ok &= hit == 2;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  soma_rt_set_num_threads(0);
}

//===----------------------------------------------------------------------===//
// Thread count
//===----------------------------------------------------------------------===//

TEST(RuntimeThreads, DefaultIsTheCpuCount) {
  EXPECT_EQ(defaultWith(std::nullopt), affinityCount());
}

TEST(RuntimeThreads, SetNumThreadsZeroRestoresTheDefault) {
  int32_t initial = defaultWith(std::nullopt);
  soma_rt_set_num_threads(3);
  EXPECT_EQ(soma_rt_num_threads(), 3);
  soma_rt_set_num_threads(0);
  EXPECT_EQ(soma_rt_num_threads(), initial);
  soma_rt_set_num_threads(5);
  soma_rt_set_num_threads(-1);
  EXPECT_EQ(soma_rt_num_threads(), initial);
  soma_rt_set_num_threads(100000);
  EXPECT_EQ(soma_rt_num_threads(), 1024);
  soma_rt_set_num_threads(0);
}

// The variable is read when the pool is first used and again by every
// soma_rt_set_num_threads(n <= 0), which is how these tests see it.
TEST(RuntimeThreads, ReadsSomaNumThreads) {
  int cpus = affinityCount();
  EXPECT_EQ(defaultWith("3"), 3);
  EXPECT_EQ(defaultWith("1"), 1);
  EXPECT_EQ(defaultWith(" 12\n"), 12);
  EXPECT_EQ(defaultWith("+4"), 4);
  EXPECT_EQ(defaultWith("5000"), 1024);
  EXPECT_EQ(defaultWith("99999999999999999999999"), 1024);
  for (const char *invalid : {"", " ", "0", "-2", "abc", "4x", "2.5", "0x10",
                              "-99999999999999999999"})
    EXPECT_EQ(defaultWith(invalid), cpus) << "'" << invalid << "'";
}

TEST(RuntimeThreads, ResizingUnderUseIsSafe) {
  std::atomic<bool> stop{false};
  std::thread resizer([&] {
    for (int i = 0; !stop; ++i)
      soma_rt_set_num_threads(1 + i % 4);
  });
  for (int round = 0; round < 300; ++round) {
    std::vector<std::atomic<int>> hits(64);
    auto body = [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        ++hits[i];
    };
    parallelFor(64, body);
    for (auto &hit : hits)
      ASSERT_EQ(hit.load(), 1);
  }
  stop = true;
  resizer.join();
  soma_rt_set_num_threads(0);
}

} // namespace
