//===- ArithmeticOperators.cpp - ONNX arithmetic and products -------------===//
//
// Add, Sub, Mul and Div broadcast as NumPy does, as the soma ops do; on
// integer data known at import time (shape computations) they fold. Gemm,
// `alpha * A' B' + beta * C`, becomes soma.linear when it is an affine layer
// (B transposed, alpha = beta = 1, C absent or a row of N), and otherwise a
// matmul followed by the scaling and the broadcast addition.
//
//===----------------------------------------------------------------------===//

#include "Operators.h"

#include "soma/Dialect/Soma/IR/SomaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
using namespace soma;
using namespace soma::onnx_import;

/// Folds a binary operation on integer data where one side is a single
/// element or both have one shape; the batch placeholder stays unknown.
template <typename Fn>
static std::optional<Literal> foldInts(const Literal &lhs, const Literal &rhs,
                                       Fn fn) {
  if (lhs.isFloat || rhs.isFloat)
    return std::nullopt;
  const Literal *shape = &lhs;
  if (lhs.numElements() == 1 && rhs.shape.size() >= lhs.shape.size())
    shape = &rhs;
  else if (rhs.numElements() != 1 && lhs.shape != rhs.shape)
    return std::nullopt;
  std::vector<int64_t> values;
  for (int64_t i = 0, e = shape->numElements(); i < e; ++i) {
    int64_t a = lhs.ints[lhs.ints.size() == 1 ? 0 : i];
    int64_t b = rhs.ints[rhs.ints.size() == 1 ? 0 : i];
    bool unknown = ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
    values.push_back(unknown ? ShapedType::kDynamic : fn(a, b));
  }
  return Literal::ofInts(shape->shape, std::move(values));
}

template <typename OpTy, typename Fn>
static LogicalResult importBinary(NodeContext &node, Fn fold) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  if (const Literal *lhs = node.literal(0))
    if (const Literal *rhs = node.literal(1))
      if (std::optional<Literal> folded = foldInts(*lhs, *rhs, fold)) {
        node.setOutput(0, std::move(*folded));
        return success();
      }
  FailureOr<Value> lhs = node.tensor(0), rhs = node.tensor(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  // Before opset 7, `broadcast` = 1 aligned B at `axis` of A; NumPy's rule
  // agrees only where that is B's trailing alignment.
  if (node.opset() < 7 && node.hasAttr("axis")) {
    int64_t axis = node.getInt("axis", 0);
    int64_t rankA = shapeOf(*lhs).size(), rankB = shapeOf(*rhs).size();
    if (axis < 0)
      axis += rankA;
    if (axis != rankA - rankB)
      return node.emitError()
             << "expected the legacy 'axis' to align B with the trailing "
                "dimensions of A (axis "
             << rankA - rankB << "), got " << axis;
  }
  FailureOr<Value> result = node.create<OpTy>({*lhs, *rhs});
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

static LogicalResult importAdd(NodeContext &node) {
  return importBinary<AddOp>(node, [](int64_t a, int64_t b) { return a + b; });
}
static LogicalResult importSub(NodeContext &node) {
  return importBinary<SubOp>(node, [](int64_t a, int64_t b) { return a - b; });
}
static LogicalResult importMul(NodeContext &node) {
  return importBinary<MulOp>(node, [](int64_t a, int64_t b) { return a * b; });
}
static LogicalResult importDiv(NodeContext &node) {
  return importBinary<DivOp>(node, [](int64_t a, int64_t b) {
    return b == 0 ? ShapedType::kDynamic : a / b;
  });
}

/// Sum of one or more inputs, added left to right.
static LogicalResult importSum(NodeContext &node) {
  if (failed(node.expectInputs(1, ~0u)))
    return failure();
  FailureOr<Value> sum = node.tensor(0);
  for (unsigned i = 1; succeeded(sum) && i < node.numInputs(); ++i) {
    FailureOr<Value> next = node.tensor(i);
    if (failed(next))
      return failure();
    sum = node.create<AddOp>({*sum, *next});
  }
  if (failed(sum))
    return failure();
  node.setOutput(0, *sum);
  return success();
}

/// -x as x * -1, exact for every input including zeros and NaN.
static LogicalResult importNeg(NodeContext &node) {
  if (failed(node.expectInputs(1, 1)))
    return failure();
  FailureOr<Value> input = node.tensor(0);
  if (failed(input))
    return failure();
  FailureOr<Value> result = node.create<MulOp>({*input, node.splat({}, -1.0f)});
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

static LogicalResult importMatMul(NodeContext &node) {
  if (failed(node.expectInputs(2, 2)))
    return failure();
  FailureOr<Value> lhs = node.tensor(0), rhs = node.tensor(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<Value> result = node.create<MatmulOp>({*lhs, *rhs});
  if (failed(result))
    return failure();
  node.setOutput(0, *result);
  return success();
}

/// The transpose of a 2-D f32 constant, as a new constant.
static Value transposedConstant(NodeContext &node, const Literal &matrix) {
  int64_t rows = matrix.shape[0], cols = matrix.shape[1];
  std::vector<float> values(matrix.floats.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      values[c * rows + r] = matrix.floats[r * cols + c];
  auto type = RankedTensorType::get({cols, rows}, node.builder().getF32Type());
  return arith::ConstantOp::create(
      node.builder(), node.loc(),
      weightsAttr(type, values, node.proto().input(1)));
}

static LogicalResult importGemm(NodeContext &node) {
  if (failed(node.expectInputs(node.opset() < 11 ? 3 : 2, 3)))
    return failure();
  float alpha = node.getFloat("alpha", 1.0f),
        beta = node.getFloat("beta", 1.0f);
  bool transA = node.getInt("transA", 0), transB = node.getInt("transB", 0);
  FailureOr<Value> a = node.tensor(0);
  if (failed(a) || node.hasFailed())
    return failure();
  if (shapeOf(*a).size() != 2)
    return node.emitError()
           << "expected A of rank 2, got " << formatShape(shapeOf(*a));
  if (transA) {
    a = node.create<TransposeOp>(*a, {node.i64Array("perm", {1, 0})});
    if (failed(a))
      return failure();
  }
  std::optional<Value> c;
  if (node.hasInput(2) && beta != 0.0f) {
    FailureOr<Value> value = node.tensor(2);
    if (failed(value))
      return failure();
    c = *value;
  }

  // soma.linear takes B as its [N, K] weight: given so, or a constant
  // transposed now; C must be a row of N.
  const Literal *constantB = node.literal(1);
  bool constantWeight = !transB && constantB && constantB->isFloat &&
                        constantB->shape.size() == 2;
  Value givenB;
  if (transB) {
    FailureOr<Value> given = node.tensor(1);
    if (failed(given))
      return failure();
    givenB = *given;
  }
  int64_t n = ShapedType::kDynamic;
  if (constantWeight)
    n = constantB->shape[1];
  else if (transB && shapeOf(givenB).size() == 2)
    n = shapeOf(givenB)[0];
  ArrayRef<int64_t> cShape = c ? shapeOf(*c) : ArrayRef<int64_t>();
  bool biasForm =
      !c || (beta == 1.0f && !cShape.empty() && cShape.back() == n &&
             (cShape.size() == 1 || (cShape.size() == 2 && cShape[0] == 1)));
  if (alpha == 1.0f && (transB || constantWeight) && biasForm) {
    Value weight = transB ? givenB : transposedConstant(node, *constantB);
    SmallVector<Value, 3> operands = {*a, weight};
    if (c) {
      FailureOr<Value> bias = node.reshape(*c, cShape.take_back());
      if (failed(bias))
        return failure();
      operands.push_back(*bias);
    }
    FailureOr<Value> result = node.create<LinearOp>(operands);
    if (failed(result))
      return failure();
    node.setOutput(0, *result);
    return success();
  }

  FailureOr<Value> b = node.tensor(1);
  if (failed(b))
    return failure();
  if (shapeOf(*b).size() != 2)
    return node.emitError()
           << "expected B of rank 2, got " << formatShape(shapeOf(*b));
  if (transB) {
    b = node.create<TransposeOp>(*b, {node.i64Array("perm", {1, 0})});
    if (failed(b))
      return failure();
  }
  FailureOr<Value> y = node.create<MatmulOp>({*a, *b});
  if (succeeded(y) && alpha != 1.0f)
    y = node.create<MulOp>({*y, node.splat({}, alpha)});
  if (succeeded(y) && c) {
    Value addend = *c;
    if (beta != 1.0f) {
      FailureOr<Value> scaled = node.create<MulOp>({*c, node.splat({}, beta)});
      if (failed(scaled))
        return failure();
      addend = *scaled;
    }
    y = node.create<AddOp>({*y, addend});
  }
  if (failed(y))
    return failure();
  node.setOutput(0, *y);
  return success();
}

void soma::onnx_import::addArithmeticOperators(OperatorTable &table) {
  table["Add"] = {importAdd};
  table["Sub"] = {importSub};
  table["Mul"] = {importMul};
  table["Div"] = {importDiv};
  table["Sum"] = {importSum};
  table["Neg"] = {importNeg};
  table["MatMul"] = {importMatMul};
  table["Gemm"] = {importGemm};
}
