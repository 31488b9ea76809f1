//===- soma-accuracy.cpp - ULP error of compiled activations --------------===//
//
//   soma-accuracy [--stride=N] [--ops=sigmoid,tanh,...] [--max-ulp=2]
//
// Compiles every element-wise activation of the dialect (the same code
// path as somac), runs it on every f32 bit pattern (--stride=1: all 2^32;
// larger strides sample the range densely and evenly) and measures the
// distance to the reference interpreter, whose double-precision evaluation
// rounded once to f32 is the correctly rounded result but for the rare
// inputs whose exact value lies within 2^-53 (relative) of a midpoint
// between two floats (double rounding), where it may be off by one ULP.
// Prints one row per op: the largest and mean ULP error, how many inputs
// are more than 1 and 2 ULP off, and how many disagree on NaN; exits 1 when
// an op exceeds --max-ulp or disagrees on NaN.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/SomaDialect.h"
#include "soma/Driver/CompiledModel.h"
#include "soma/Interpreter/Interpreter.h"
#include "soma/Support/FloatDistance.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <thread>

using namespace mlir;
using namespace soma;
namespace cl = llvm::cl;

static cl::opt<uint64_t> stride("stride",
                                cl::desc("Test every N-th f32 bit pattern"),
                                cl::init(1));
static cl::list<std::string> opNames("ops", cl::CommaSeparated,
                                     cl::desc("Ops to test (default: all)"));
static cl::opt<double> maxUlp("max-ulp",
                              cl::desc("Fail above this many ULPs"),
                              cl::init(2));

namespace {

struct Activation {
  const char *name;
  const char *op; // the op applied to %x in custom form
};

const Activation activations[] = {
    {"sigmoid", "soma.sigmoid %x"},
    {"log_sigmoid", "soma.log_sigmoid %x"},
    {"hard_sigmoid", "soma.hard_sigmoid %x"},
    {"silu", "soma.silu %x"},
    {"hard_swish", "soma.hard_swish %x"},
    {"tanh", "soma.tanh %x"},
    {"relu", "soma.relu %x"},
    {"leaky_relu", "soma.leaky_relu %x"},
    {"threshold", "soma.threshold %x {threshold = 0.5 : f32, value = -2.0 : f32}"},
    {"softplus", "soma.softplus %x"},
};

struct Errors {
  double maxUlp = 0, sumUlp = 0;
  uint64_t count = 0, aboveOne = 0, aboveTwo = 0, nanMismatch = 0;
  float worstInput = 0;

  void add(float input, float expected, float actual) {
    ++count;
    if (std::isnan(expected) != std::isnan(actual)) {
      ++nanMismatch;
      return;
    }
    double ulps = ulpDistance(expected, actual);
    sumUlp += ulps;
    aboveOne += ulps > 1;
    aboveTwo += ulps > 2;
    if (ulps > maxUlp) {
      maxUlp = ulps;
      worstInput = input;
    }
  }
  void merge(const Errors &other) {
    if (other.maxUlp > maxUlp) {
      maxUlp = other.maxUlp;
      worstInput = other.worstInput;
    }
    sumUlp += other.sumUlp;
    count += other.count;
    aboveOne += other.aboveOne;
    aboveTwo += other.aboveTwo;
    nanMismatch += other.nanMismatch;
  }
};

/// The inputs of chunk `chunk`: bit patterns chunk*size*stride + i*stride.
std::vector<float> chunkInputs(uint64_t first, uint64_t count) {
  std::vector<float> inputs(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t bits = static_cast<uint32_t>(first + i * stride);
    std::memcpy(&inputs[i], &bits, sizeof(bits));
  }
  return inputs;
}

} // namespace

/// Measures one activation over the whole sweep.
static FailureOr<Errors> measure(MLIRContext &context,
                                 const Activation &activation) {
  std::string source =
      std::string("func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {\n"
                  "  %y = ") +
      activation.op +
      " : tensor<?xf32>\n  return %y : tensor<?xf32>\n}\n";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module)
    return failure();
  FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(*module, CompileOptions());
  if (failed(compiled))
    return failure();
  auto function = *module->getOps<func::FuncOp>().begin();

  const uint64_t total = ((1ull << 32) + stride - 1) / stride;
  const uint64_t chunkSize = 1 << 22;
  Errors errors;
  for (uint64_t done = 0; done < total; done += chunkSize) {
    uint64_t count = std::min(chunkSize, total - done);
    HostTensor input({static_cast<int64_t>(count)},
                     chunkInputs(done * stride, count));
    llvm::Expected<SmallVector<HostTensor>> actual =
        (*compiled)->run("main", {input});
    if (!actual) {
      llvm::errs() << llvm::toString(actual.takeError()) << "\n";
      return failure();
    }
    // The reference on two threads, each on half of the chunk.
    Errors halves[2];
    bool ok[2] = {true, true};
    std::thread workers[2];
    for (int half = 0; half < 2; ++half)
      workers[half] = std::thread([&, half] {
        uint64_t begin = half * count / 2, end = (half + 1) * count / 2;
        HostTensor part({static_cast<int64_t>(end - begin)},
                        std::vector<float>(input.data.begin() + begin,
                                           input.data.begin() + end));
        FailureOr<SmallVector<HostTensor>> expected =
            interpret(function, {part});
        if (failed(expected)) {
          ok[half] = false;
          return;
        }
        for (uint64_t i = begin; i < end; ++i)
          halves[half].add(input.data[i], (*expected)[0].data[i - begin],
                           (*actual)[0].data[i]);
      });
    for (std::thread &worker : workers)
      worker.join();
    if (!ok[0] || !ok[1])
      return failure();
    errors.merge(halves[0]);
    errors.merge(halves[1]);
  }
  return errors;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ULP error of compiled activations\n");
  if (stride == 0) {
    llvm::errs() << "soma-accuracy: --stride must be positive\n";
    return 1;
  }
  DialectRegistry registry;
  registerCompilerDialects(registry);
  registry.insert<SomaDialect>();
  MLIRContext context(registry);
  context.loadDialect<SomaDialect>();

  llvm::outs() << "inputs: every " << stride.getValue()
               << "-th f32 bit pattern\n";
  llvm::outs() << llvm::format("%-13s %8s %10s %12s %12s %8s  %s\n", "op",
                               "max ulp", "mean ulp", "> 1 ulp", "> 2 ulp",
                               "nan diff", "worst input");
  bool pass = true;
  for (const Activation &activation : activations) {
    if (!opNames.empty() && !llvm::is_contained(opNames, activation.name))
      continue;
    FailureOr<Errors> errors = measure(context, activation);
    if (failed(errors)) {
      llvm::errs() << "soma-accuracy: cannot measure " << activation.name
                   << "\n";
      return 1;
    }
    llvm::outs() << llvm::format(
        "%-13s %8.0f %10.6f %12llu %12llu %8llu  %.9g\n", activation.name,
        errors->maxUlp, errors->sumUlp / std::max<uint64_t>(errors->count, 1),
        (unsigned long long)errors->aboveOne,
        (unsigned long long)errors->aboveTwo,
        (unsigned long long)errors->nanMismatch, errors->worstInput);
    pass &= errors->maxUlp <= maxUlp && errors->nanMismatch == 0;
  }
  return pass ? 0 : 1;
}
