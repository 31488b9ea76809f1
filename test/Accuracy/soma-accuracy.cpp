//===- soma-accuracy.cpp - ULP error of compiled activations --------------===//
//
//   soma-accuracy [--stride=N] [--ops=sigmoid,tanh,...] [--max-ulp=2]
//                 [--target-cpu=CPU] [--csv=FILE]
//
// Compiles every element-wise activation of the dialect (the same code
// path as somac), runs it on every f32 bit pattern (--stride=1: all 2^32;
// larger strides sample the range densely and evenly) and measures two
// errors of each result y:
//
// - against the reference interpreter, in whole ULPs: the interpreter's
//   double-precision evaluation rounded once to f32 is the correctly
//   rounded result but for the rare inputs whose exact value lies within
//   2^-50 (relative) of a midpoint between two floats (double rounding),
//   where it may be off by one ULP;
// - against the exact value, in fractional ULPs: |y - r| / ulp(r), where r
//   is the interpreter's unrounded double result (soma::activationFunction)
//   and ulp(r) the spacing of the f32 binade of r (2^-149 for subnormals).
//   r is within about 2^-50 relative of the exact value (a few correctly
//   rounded double operations and libm calls, each within 1 double ULP), so
//   this error is exact to within 2^-50·2^24 = 2^-26 ULP. A correctly
//   rounded result scores at most 0.5.
//
// Each chunk of inputs also runs twice more with every 64th input replaced
// by NaN (at two offsets, so that every input keeps its value in one of
// the runs): each step of a vector loop (at most 128 floats, wherever it
// starts) then holds a NaN, which sends every step of sigmoid and silu
// from their central forms to the general one. A result must not depend
// on its neighbours: "nbr diff" counts the inputs whose result's bits
// change.
//
// Prints one row per op: the largest and mean error of both kinds, how many
// inputs are more than 1 and 2 ULP from the interpreter, how many
// disagree on NaN, and how many change with their neighbours; exits 1 when
// an op exceeds --max-ulp (against the interpreter), disagrees on NaN or
// changes with its neighbours. Inputs whose exact result is NaN or
// overflows f32 count in neither fractional statistic.
//
// --csv=FILE writes, per op, the largest error of both kinds in each of 512
// bins of the inputs ordered by value: bin i holds the inputs whose ordered
// bit pattern (negative floats reversed, then the positive ones) has i in
// its top 9 bits, that is one binade of one sign: bins 0-255 run from -NaN
// and -inf down to -0 in magnitude, bins 256-511 from +0 up to +inf and +NaN.
// Columns: op, bin, lo, hi (the smallest and largest finite input measured
// in the bin), count, max_ulp_exact, max_ulp_interpreter.
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
static cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::desc("Compile for this CPU, as somac's option: native (default), "
             "x86-64-v3 (AVX2: 8-lane vectors, 2^n built in the exponent "
             "field), x86-64-v4, ..."),
    cl::init("native"));
static cl::opt<std::string>
    csvPath("csv", cl::desc("Write the error per binade of inputs to FILE"),
            cl::value_desc("FILE"));

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

constexpr int kBins = 512;

/// The bin of `input`: the top 9 bits of its bit pattern in value order.
int binOf(float input) {
  uint32_t bits;
  std::memcpy(&bits, &input, sizeof(bits));
  uint32_t ordered = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
  return ordered >> 23;
}

/// The spacing of f32 values in the binade of |r| (r finite); for 0, the
/// smallest subnormal (frexp gives 0 an exponent of 0).
double ulpOf(double r) {
  if (r == 0)
    return 0x1p-149;
  int exponent;
  std::frexp(std::abs(r), &exponent); // |r| in [2^(exponent-1), 2^exponent)
  return std::ldexp(1.0, std::max(exponent - 1, -126) - 23);
}

struct Bin {
  double maxExact = 0, maxInterpreter = 0;
  uint64_t count = 0;
  float lo = INFINITY, hi = -INFINITY;
};

struct Errors {
  double maxUlp = 0, sumUlp = 0;
  uint64_t count = 0, aboveOne = 0, aboveTwo = 0, nanMismatch = 0;
  // Inputs whose result changes when neighbours are NaN.
  uint64_t neighbourMismatch = 0;
  float worstInput = 0;
  // Against the exact value: fractional ULPs over `exactCount` inputs.
  double maxExact = 0, sumExact = 0;
  uint64_t exactCount = 0;
  float worstExactInput = 0;
  std::vector<Bin> bins = std::vector<Bin>(kBins);

  void add(float input, double exact, float actual) {
    ++count;
    float expected = static_cast<float>(exact);
    Bin &bin = bins[binOf(input)];
    ++bin.count;
    if (std::isfinite(input)) {
      bin.lo = std::min(bin.lo, input);
      bin.hi = std::max(bin.hi, input);
    }
    if (std::isnan(expected) != std::isnan(actual)) {
      ++nanMismatch;
      bin.maxInterpreter = INFINITY;
      return;
    }
    double ulps = ulpDistance(expected, actual);
    sumUlp += ulps;
    aboveOne += ulps > 1;
    aboveTwo += ulps > 2;
    bin.maxInterpreter = std::max(bin.maxInterpreter, ulps);
    if (ulps > maxUlp) {
      maxUlp = ulps;
      worstInput = input;
    }
    if (std::isnan(exact) || std::isinf(expected))
      return;
    double error = std::abs(static_cast<double>(actual) - exact) / ulpOf(exact);
    ++exactCount;
    sumExact += error;
    bin.maxExact = std::max(bin.maxExact, error);
    if (error > maxExact) {
      maxExact = error;
      worstExactInput = input;
    }
  }
  void merge(const Errors &other) {
    if (other.maxUlp > maxUlp) {
      maxUlp = other.maxUlp;
      worstInput = other.worstInput;
    }
    if (other.maxExact > maxExact) {
      maxExact = other.maxExact;
      worstExactInput = other.worstExactInput;
    }
    sumUlp += other.sumUlp;
    count += other.count;
    aboveOne += other.aboveOne;
    aboveTwo += other.aboveTwo;
    nanMismatch += other.nanMismatch;
    sumExact += other.sumExact;
    exactCount += other.exactCount;
    for (auto [bin, otherBin] : llvm::zip(bins, other.bins)) {
      bin.maxExact = std::max(bin.maxExact, otherBin.maxExact);
      bin.maxInterpreter =
          std::max(bin.maxInterpreter, otherBin.maxInterpreter);
      bin.count += otherBin.count;
      bin.lo = std::min(bin.lo, otherBin.lo);
      bin.hi = std::max(bin.hi, otherBin.hi);
    }
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

/// Spacing of the NaN inputs of countNeighbourChanges: at most the
/// shortest step of a vector loop (64 floats), so that every step holds one.
constexpr uint64_t kNeighbourSpacing = 64;

/// How many of `input`'s results (`results`, from `model`) change bits
/// when every kNeighbourSpacing-th input is NaN instead, at two offsets
/// half the spacing apart, each input compared in the run that keeps it.
static FailureOr<uint64_t> countNeighbourChanges(CompiledModel &model,
                                                 const HostTensor &input,
                                                 const HostTensor &results) {
  uint64_t changed = 0;
  for (uint64_t offset : {uint64_t(0), kNeighbourSpacing / 2}) {
    HostTensor spoiled = input;
    for (uint64_t i = offset; i < spoiled.data.size(); i += kNeighbourSpacing)
      spoiled.data[i] = NAN;
    llvm::Expected<SmallVector<HostTensor>> spoiledResults =
        model.run("main", {spoiled});
    if (!spoiledResults) {
      llvm::errs() << llvm::toString(spoiledResults.takeError()) << "\n";
      return failure();
    }
    for (uint64_t i = 0; i < input.data.size(); ++i)
      if (i % kNeighbourSpacing != offset &&
          std::memcmp(&results.data[i], &(*spoiledResults)[0].data[i],
                      sizeof(float)) != 0)
        ++changed;
  }
  return changed;
}

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
  CompileOptions options;
  options.targetCpu = targetCpu;
  FailureOr<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(*module, options);
  if (failed(compiled))
    return failure();
  // The reference: the interpreter's function of the op, unrounded.
  func::FuncOp function = *module->getOps<func::FuncOp>().begin();
  Operation *op = &function.front().front();
  std::function<double(double)> reference = activationFunction(op);
  if (!reference)
    return failure();

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
    std::thread workers[2];
    for (int half = 0; half < 2; ++half)
      workers[half] = std::thread([&, half] {
        uint64_t begin = half * count / 2, end = (half + 1) * count / 2;
        for (uint64_t i = begin; i < end; ++i)
          halves[half].add(input.data[i], reference(input.data[i]),
                           (*actual)[0].data[i]);
      });
    for (std::thread &worker : workers)
      worker.join();
    errors.merge(halves[0]);
    errors.merge(halves[1]);

    FailureOr<uint64_t> changed =
        countNeighbourChanges(**compiled, input, (*actual)[0]);
    if (failed(changed))
      return failure();
    errors.neighbourMismatch += *changed;
  }
  return errors;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ULP error of compiled activations\n");
  for (const std::string &name : opNames)
    if (llvm::none_of(activations, [&](const Activation &activation) {
          return name == activation.name;
        })) {
      llvm::errs() << "soma-accuracy: no activation named '" << name << "'\n";
      return 1;
    }
  if (stride == 0) {
    llvm::errs() << "soma-accuracy: --stride must be positive\n";
    return 1;
  }
  DialectRegistry registry;
  registerCompilerDialects(registry);
  registry.insert<SomaDialect>();
  MLIRContext context(registry);
  context.loadDialect<SomaDialect>();

  std::error_code ec;
  std::unique_ptr<llvm::raw_fd_ostream> csv;
  if (!csvPath.empty()) {
    csv = std::make_unique<llvm::raw_fd_ostream>(csvPath, ec);
    if (ec) {
      llvm::errs() << "soma-accuracy: " << csvPath << ": " << ec.message()
                   << "\n";
      return 1;
    }
    *csv << "op,bin,lo,hi,count,max_ulp_exact,max_ulp_interpreter\n";
  }

  llvm::outs() << "inputs: every " << stride.getValue()
               << "-th f32 bit pattern\n";
  llvm::outs() << "target CPU: " << targetCpu.getValue() << "\n";
  llvm::outs() << "ulp: whole ULPs from the interpreter's f32 result; "
                  "exact: fractional ULPs from its unrounded double result\n";
  llvm::outs() << llvm::format("%-13s %8s %10s %12s %12s %8s %8s  %-14s "
                               "%10s %12s  %s\n",
                               "op", "max ulp", "mean ulp", "> 1 ulp",
                               "> 2 ulp", "nan diff", "nbr diff",
                               "worst input", "max exact", "mean exact",
                               "worst input");
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
        "%-13s %8.0f %10.3g %12llu %12llu %8llu %8llu  %-14.9g %10.7f "
        "%12.8f  %.9g\n",
        activation.name, errors->maxUlp,
        errors->sumUlp / std::max<uint64_t>(errors->count, 1),
        (unsigned long long)errors->aboveOne,
        (unsigned long long)errors->aboveTwo,
        (unsigned long long)errors->nanMismatch,
        (unsigned long long)errors->neighbourMismatch, errors->worstInput,
        errors->maxExact,
        errors->sumExact / std::max<uint64_t>(errors->exactCount, 1),
        errors->worstExactInput);
    llvm::outs().flush();
    if (csv)
      for (auto [i, bin] : llvm::enumerate(errors->bins))
        if (bin.count)
          *csv << llvm::format("%s,%d,%.9g,%.9g,%llu,%.6f,%.0f\n",
                               activation.name, static_cast<int>(i),
                               bin.lo, bin.hi,
                               (unsigned long long)bin.count, bin.maxExact,
                               bin.maxInterpreter);
    pass &= errors->maxUlp <= maxUlp && errors->nanMismatch == 0 &&
            errors->neighbourMismatch == 0;
  }
  return pass ? 0 : 1;
}
