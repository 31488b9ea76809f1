//===- OnnxNodeTest.cpp - ONNX's backend node tests -----------------------===//
//------------------------===//
//
// Every directory of ONNX's backend node tests (model.onnx and
// test_data_set_*/{input,output}_N.pb) is one test per mode: the imported
// model run by the reference interpreter, and compiled through somac's code
// path (a shared library loaded with dlopen). Results must match the
// recorded outputs as ONNX's backend runner requires: NumPy's allclose with
// rtol = 1e-3 and atol = 1e-7, NaN equal to NaN.
//
// A test is skipped, with the reason, when it uses an operator the importer
// does not support or non-f32 data. Integer inputs (Reshape's shape,
// ReduceSum's axes) are bound to their recorded values as initializers,
// since the importer folds such shape operands into attributes.
// expected_failures.txt lists the supported tests known to fail, each with
// its reason: those are skipped with the failure; an unlisted failure fails,
// and so does a listed test that passes.
//
//===----------------------------------------------------------------------===//

#include "soma/Driver/CompiledModel.h"
#include "soma/Import/OnnxImporter.h"
#include "soma/Import/OnnxTensor.h"
#include "soma/Interpreter/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace mlir;
using namespace soma;

namespace {

/// Where ONNX's node tests are (Debian's libonnx-testdata), unless the
/// environment says otherwise.
std::string nodeTestRoot() {
  if (const char *root = std::getenv("SOMA_ONNX_NODE_TESTS"))
    return root;
  return SOMA_ONNX_NODE_TESTS;
}

/// The test directories, sorted; empty when the data is not installed.
std::vector<std::string> nodeTestNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(nodeTestRoot(), ec), end;
       !ec && it != end; it.increment(ec))
    if (llvm::sys::fs::exists(it->path() + "/model.onnx"))
      names.push_back(llvm::sys::path::filename(it->path()).str());
  std::sort(names.begin(), names.end());
  return names;
}

enum class Mode { Interpreter, Compiled };

/// expected_failures.txt: `NAME[MODE] reason`, MODE optional
/// (interpreter or compiled; both when absent), `#` comments.
const std::map<std::string, std::string> &expectedFailures() {
  static const std::map<std::string, std::string> failures = [] {
    std::map<std::string, std::string> result;
    auto file = llvm::MemoryBuffer::getFile(SOMA_ONNX_EXPECTED_FAILURES);
    if (!file)
      return result;
    llvm::SmallVector<llvm::StringRef> lines;
    (*file)->getBuffer().split(lines, '\n');
    for (llvm::StringRef line : lines) {
      line = line.split('#').first.trim();
      if (line.empty())
        continue;
      auto [name, reason] = line.split(' ');
      result[name.str()] = reason.trim().str();
    }
    return result;
  }();
  return failures;
}

/// The reason `name` is expected to fail in `mode`, if it is.
std::optional<std::string> expectedFailure(const std::string &name, Mode mode) {
  const char *suffix =
      mode == Mode::Interpreter ? "[interpreter]" : "[compiled]";
  for (const std::string &key : {name, name + suffix})
    if (auto it = expectedFailures().find(key); it != expectedFailures().end())
      return it->second;
  return std::nullopt;
}

/// One test_data_set_N directory.
struct DataSet {
  std::string name;
  SmallVector<HostTensor> inputs, outputs;
};

/// A node test ready to run, or the reason it is skipped.
struct PreparedTest {
  std::string skipReason;
  onnx::ModelProto model;
  std::vector<DataSet> dataSets;
};

llvm::Expected<onnx::TensorProto> readTensorProto(const std::string &path) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  onnx::TensorProto tensor;
  if (!file || !tensor.ParseFromArray((*file)->getBufferStart(),
                                      (*file)->getBufferSize()))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot read '" + path + "'");
  return tensor;
}

HostTensor toHostTensor(const OnnxTensor &tensor) {
  return HostTensor(tensor.shape, tensor.floats);
}

/// Reads the model and its data; binds integer inputs as initializers.
/// Returns an error message on unexpected trouble.
std::optional<std::string> prepare(const std::string &name,
                                   PreparedTest &test) {
  std::string dir = nodeTestRoot() + "/" + name;
  auto file = llvm::MemoryBuffer::getFile(dir + "/model.onnx",
                                          /*IsText=*/false);
  if (!file || !test.model.ParseFromArray((*file)->getBufferStart(),
                                          (*file)->getBufferSize()))
    return "cannot read " + dir + "/model.onnx";
  const onnx::GraphProto &graph = test.model.graph();
  for (const onnx::NodeProto &node : graph.node())
    if (!isSupportedOnnxOperator(node.domain(), node.op_type())) {
      test.skipReason = "unsupported operator " + node.op_type();
      return std::nullopt;
    }

  std::set<std::string> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  // Graph inputs fed by input_N.pb, in order; integer ones are bound.
  std::vector<std::pair<std::string, bool>> inputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    int32_t type = input.type().tensor_type().elem_type();
    bool isInt =
        type == onnx::TensorProto::INT64 || type == onnx::TensorProto::INT32;
    if (!input.type().has_tensor_type() ||
        (type != onnx::TensorProto::FLOAT && !isInt)) {
      test.skipReason = "input '" + input.name() + "' of type " +
                        onnxDataTypeName(type).str() + " (only f32 tensors)";
      return std::nullopt;
    }
    inputs.push_back({input.name(), isInt});
  }
  for (const onnx::ValueInfoProto &output : graph.output()) {
    int32_t type = output.type().tensor_type().elem_type();
    if (!output.type().has_tensor_type() || type != onnx::TensorProto::FLOAT) {
      test.skipReason = "output '" + output.name() + "' of type " +
                        onnxDataTypeName(type).str() + " (only f32 tensors)";
      return std::nullopt;
    }
  }

  std::vector<std::string> setDirs;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec))
    if (llvm::StringRef(llvm::sys::path::filename(it->path()))
            .starts_with("test_data_set_"))
      setDirs.push_back(it->path());
  std::sort(setDirs.begin(), setDirs.end());
  if (setDirs.empty())
    return "no test_data_set_* in " + dir;

  std::map<std::string, std::string> bound; // input name -> serialized data
  for (const std::string &setDir : setDirs) {
    DataSet set;
    set.name = llvm::sys::path::filename(setDir).str();
    for (auto [index, input] : llvm::enumerate(inputs)) {
      std::string path = setDir + "/input_" + std::to_string(index) + ".pb";
      if (input.second) {
        llvm::Expected<onnx::TensorProto> tensor = readTensorProto(path);
        if (!tensor)
          return llvm::toString(tensor.takeError());
        std::string bytes = tensor->SerializeAsString();
        if (bound.count(input.first) && bound[input.first] != bytes) {
          test.skipReason =
              "integer input '" + input.first + "' differs between data sets";
          return std::nullopt;
        }
        if (!bound.count(input.first)) {
          bound[input.first] = bytes;
          onnx::TensorProto *initializer =
              test.model.mutable_graph()->add_initializer();
          *initializer = *tensor;
          initializer->set_name(input.first);
        }
        continue;
      }
      llvm::Expected<OnnxTensor> tensor = readOnnxTensorFile(path);
      if (!tensor)
        return llvm::toString(tensor.takeError());
      set.inputs.push_back(toHostTensor(*tensor));
    }
    for (int index = 0; index < graph.output_size(); ++index) {
      llvm::Expected<OnnxTensor> tensor = readOnnxTensorFile(
          setDir + "/output_" + std::to_string(index) + ".pb");
      if (!tensor)
        return llvm::toString(tensor.takeError());
      set.outputs.push_back(toHostTensor(*tensor));
    }
    test.dataSets.push_back(std::move(set));
  }
  return std::nullopt;
}

/// NumPy's allclose(actual, expected, rtol=1e-3, atol=1e-7, equal_nan).
std::optional<std::string> compare(const HostTensor &expected,
                                   const HostTensor &actual,
                                   const std::string &where) {
  auto shapeText = [](ArrayRef<int64_t> shape) {
    std::string text = "[";
    llvm::interleave(
        shape, [&](int64_t d) { text += std::to_string(d); },
        [&] { text += ", "; });
    return text + "]";
  };
  if (ArrayRef<int64_t>(expected.shape) != ArrayRef<int64_t>(actual.shape))
    return where + ": expected shape " + shapeText(expected.shape) + ", got " +
           shapeText(actual.shape);
  int64_t mismatches = 0, first = -1;
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    double want = expected.data[i], got = actual.data[i];
    bool close = (std::isnan(want) && std::isnan(got)) || want == got ||
                 std::fabs(got - want) <= 1e-7 + 1e-3 * std::fabs(want);
    if (!close && mismatches++ == 0)
      first = i;
  }
  if (mismatches == 0)
    return std::nullopt;
  return where + ": " + std::to_string(mismatches) + " of " +
         std::to_string(expected.numElements()) +
         " elements differ; first at " + std::to_string(first) + ": expected " +
         std::to_string(expected.data[first]) + ", got " +
         std::to_string(actual.data[first]);
}

/// Imports and runs `test` in `mode`; the failure message, if any.
std::optional<std::string> run(const std::string &name, PreparedTest &test,
                               Mode mode) {
  DialectRegistry registry;
  if (mode == Mode::Compiled)
    registerCompilerDialects(registry);
  MLIRContext context(registry);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diagnostics +=
        describeOnnxLocation(diag.getLocation()) + ": " + diag.str() + "\n";
    return success();
  });
  std::string path = nodeTestRoot() + "/" + name + "/model.onnx";
  OwningOpRef<ModuleOp> module = importOnnxModel(test.model, path, &context);
  if (!module)
    return "import failed:\n" + diagnostics;
  func::FuncOp function = *module->getOps<func::FuncOp>().begin();

  std::unique_ptr<CompiledModel> compiled;
  if (mode == Mode::Compiled) {
    CompileOptions options;
    // Compile time dominates the run; -O1 keeps it short.
    options.pipeline.optLevel = 1;
    FailureOr<std::unique_ptr<CompiledModel>> model =
        CompiledModel::compile(*module, options);
    if (failed(model))
      return "compilation failed:\n" + diagnostics;
    compiled = std::move(*model);
  }
  for (const DataSet &set : test.dataSets) {
    SmallVector<HostTensor> results;
    if (mode == Mode::Interpreter) {
      FailureOr<SmallVector<HostTensor>> interpreted =
          interpret(function, set.inputs);
      if (failed(interpreted))
        return set.name + ": the interpreter failed:\n" + diagnostics;
      results = std::move(*interpreted);
    } else {
      llvm::Expected<SmallVector<HostTensor>> ran =
          compiled->run(function.getSymName(), set.inputs);
      if (!ran)
        return set.name + ": the compiled model failed: " +
               llvm::toString(ran.takeError());
      results = std::move(*ran);
    }
    if (results.size() != set.outputs.size())
      return set.name + ": expected " + std::to_string(set.outputs.size()) +
             " results, got " + std::to_string(results.size());
    for (size_t i = 0; i < results.size(); ++i)
      if (std::optional<std::string> mismatch =
              compare(set.outputs[i], results[i],
                      set.name + " output " + std::to_string(i)))
        return mismatch;
  }
  return std::nullopt;
}

class OnnxNodeTest : public ::testing::TestWithParam<std::string> {
protected:
  void check(Mode mode) {
    const std::string &name = GetParam();
    PreparedTest test;
    std::optional<std::string> failure = prepare(name, test);
    if (!failure && !test.skipReason.empty())
      GTEST_SKIP() << "not supported: " << test.skipReason;
    if (!failure)
      failure = run(name, test, mode);
    std::optional<std::string> expected = expectedFailure(name, mode);
    if (expected && failure)
      GTEST_SKIP() << "expected failure (" << *expected << "):\n" << *failure;
    if (expected)
      FAIL() << name << " passes but expected_failures.txt lists it ("
             << *expected << "); remove it from the list";
    if (failure)
      FAIL() << *failure;
  }
};

TEST_P(OnnxNodeTest, Interpreter) { check(Mode::Interpreter); }
TEST_P(OnnxNodeTest, Compiled) { check(Mode::Compiled); }

INSTANTIATE_TEST_SUITE_P(Node, OnnxNodeTest,
                         ::testing::ValuesIn(nodeTestNames()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           std::string name = info.param;
                           for (char &c : name)
                             if (!llvm::isAlnum(c))
                               c = '_';
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxNodeTest);

/// Every entry of expected_failures.txt names an existing node test.
TEST(OnnxNodeTestList, ExpectedFailuresExist) {
  std::vector<std::string> names = nodeTestNames();
  if (names.empty())
    GTEST_SKIP() << "ONNX's node tests are not installed at " << nodeTestRoot();
  for (const auto &[key, reason] : expectedFailures()) {
    std::string name = llvm::StringRef(key).split('[').first.str();
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), name))
        << "expected_failures.txt lists '" << key
        << "', which is not a node test";
    EXPECT_FALSE(reason.empty()) << key << " has no reason";
  }
}

} // namespace
