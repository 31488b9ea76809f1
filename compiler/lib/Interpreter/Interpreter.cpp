//===- Interpreter.cpp - The reference interpreter of soma models ---------===//
//
// Walks the body of a func.func once, in order, keeping one HostTensor per
// SSA value. Shapes come from the dialect's own shape rules applied to the
// concrete shapes of this call; values from the kernels in Kernels.h.
//
//===----------------------------------------------------------------------===//

#include "soma/Interpreter/Interpreter.h"

#include "Kernels.h"

#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace soma;

/// Checks the inputs against the argument types. Every dynamic dimension is
/// the batch, so all of them must have one size in a call.
static LogicalResult checkInputs(func::FuncOp function,
                                 ArrayRef<HostTensor> inputs) {
  ArrayRef<Type> argTypes = function.getArgumentTypes();
  if (inputs.size() != argTypes.size())
    return function.emitError() << "expected " << argTypes.size()
                                << " inputs, got " << inputs.size();
  std::optional<int64_t> batch;
  for (auto [i, input, type] : llvm::enumerate(inputs, argTypes)) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || !tensorType.getElementType().isF32())
      return function.emitError()
             << "argument " << i << " has type " << type
             << "; the interpreter takes ranked f32 tensors only";
    ArrayRef<int64_t> expected = tensorType.getShape();
    bool matches = expected.size() == input.shape.size();
    for (size_t d = 0; matches && d < expected.size(); ++d) {
      if (!ShapedType::isDynamic(expected[d])) {
        matches = expected[d] == input.shape[d];
      } else if (!batch) {
        batch = input.shape[d];
      } else if (*batch != input.shape[d]) {
        return function.emitError()
               << "input " << i << " has batch size " << input.shape[d]
               << " but an earlier input has " << *batch;
      }
    }
    if (!matches)
      return function.emitError() << "input " << i << ": expected shape "
                                  << shape::formatShape(expected) << ", got "
                                  << shape::formatShape(input.shape);
  }
  return success();
}

/// The value of an arith.constant holding f32 weights.
static FailureOr<HostTensor> constantValue(arith::ConstantOp constant) {
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return constant.emitOpError()
           << "is not a static f32 tensor; the interpreter cannot run it";
  if (auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue())) {
    auto values = dense.getValues<float>();
    return HostTensor(type.getShape(),
                      std::vector<float>(values.begin(), values.end()));
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(constant.getValue())) {
    std::optional<ArrayRef<float>> values = blob.tryGetAsArrayRef();
    if (!values)
      return constant.emitOpError() << "refers to a dense_resource blob "
                                       "whose data is missing";
    if (static_cast<int64_t>(values->size()) != type.getNumElements())
      return constant.emitOpError() << "has a blob of " << values->size()
                                    << " elements for a " << type << "";
    return HostTensor(type.getShape(),
                      std::vector<float>(values->begin(), values->end()));
  }
  return constant.emitOpError() << "holds an attribute the interpreter "
                                   "cannot read";
}

/// Runs one soma op on its operands, whose result shape is `resultShape`.
static HostTensor compute(Operation *op, ArrayRef<const HostTensor *> in,
                          ArrayRef<int64_t> resultShape) {
  const HostTensor *third = in.size() > 2 ? in[2] : nullptr;
  return llvm::TypeSwitch<Operation *, HostTensor>(op)
      .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *op) {
        return interp::runBroadcast(op, *in[0], *in[1], resultShape);
      })
      .Case([&](MatmulOp) {
        return interp::runMatmul(*in[0], *in[1], resultShape);
      })
      .Case([&](LinearOp) {
        return interp::runLinear(*in[0], *in[1], third, resultShape);
      })
      .Case([&](LinearActivationOp op) {
        return interp::runLinearActivation(op, *in[0], *in[1], third,
                                           resultShape);
      })
      .Case([&](ReduceSumOp op) {
        return interp::runReduceSum(op, *in[0], resultShape);
      })
      .Case([&](SoftmaxOp op) {
        return interp::runSoftmax(*in[0], op.getDim(), /*logarithm=*/false);
      })
      .Case([&](LogSoftmaxOp op) {
        return interp::runSoftmax(*in[0], op.getDim(), /*logarithm=*/true);
      })
      .Case([&](BatchNormOp op) {
        return interp::runBatchNorm(op, *in[0], *in[1], *in[2], *in[3], *in[4]);
      })
      .Case<ReshapeOp, FlattenOp>(
          [&](Operation *) { return interp::runReshape(*in[0], resultShape); })
      .Case([&](TransposeOp op) {
        return interp::runTranspose(*in[0], op.getPerm(), resultShape);
      })
      .Case([&](Conv2dOp op) {
        return interp::runConv2d(op, *in[0], *in[1], third, resultShape);
      })
      .Case([&](Conv2dActivationOp op) {
        return interp::runConv2dActivation(op, *in[0], *in[1], third,
                                           resultShape);
      })
      .Case([&](ConvTranspose2dOp op) {
        return interp::runConvTranspose2d(op, *in[0], *in[1], third,
                                          resultShape);
      })
      .Case([&](MaxPool2dOp op) {
        return interp::runMaxPool2d(op, *in[0], resultShape);
      })
      .Case([&](AvgPool2dOp op) {
        return interp::runAvgPool2d(op, *in[0], resultShape);
      })
      .Default(
          [&](Operation *op) { return interp::runActivation(op, *in[0]); });
}

namespace {
/// The values of one call of the function.
class Frame {
public:
  void bind(Value value, HostTensor tensor) {
    values[value] = std::move(tensor);
  }
  const HostTensor *lookup(Value value) const {
    auto it = values.find(value);
    return it == values.end() ? nullptr : &it->second;
  }

  /// Runs one soma op and binds its result.
  LogicalResult runSomaOp(Operation *op) {
    SmallVector<const HostTensor *> operands;
    for (Value operand : op->getOperands())
      operands.push_back(lookup(operand));
    if (llvm::is_contained(operands, nullptr))
      return op->emitOpError() << "uses a value the interpreter has not "
                                  "computed";
    FailureOr<SmallVector<int64_t, 4>> shape =
        interp::resultShape(op, operands);
    if (failed(shape))
      return failure();
    auto declared = cast<RankedTensorType>(op->getResult(0).getType());
    if (failed(verifyCompatibleShape(declared.getShape(), *shape)))
      return op->emitOpError()
             << "at run time: result shape " << shape::formatShape(*shape)
             << " does not fit the declared type " << declared;
    bind(op->getResult(0), compute(op, operands, *shape));
    return success();
  }

private:
  llvm::DenseMap<Value, HostTensor> values;
};
} // namespace

FailureOr<SmallVector<HostTensor>>
soma::interpret(func::FuncOp function, ArrayRef<HostTensor> inputs) {
  if (function.isExternal())
    return function.emitError() << "has no body to interpret";
  if (!function.getBody().hasOneBlock())
    return function.emitError() << "has control flow; the interpreter runs "
                                   "a single block";
  if (failed(checkInputs(function, inputs)))
    return failure();

  Frame frame;
  for (auto [argument, input] : llvm::zip(function.getArguments(), inputs))
    frame.bind(argument, input);

  for (Operation &op : function.getBody().front()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      FailureOr<HostTensor> value = constantValue(constant);
      if (failed(value))
        return failure();
      frame.bind(constant.getResult(), std::move(*value));
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      SmallVector<HostTensor> results;
      for (Value operand : ret.getOperands()) {
        const HostTensor *value = frame.lookup(operand);
        if (!value)
          return ret.emitOpError() << "returns a value the interpreter has "
                                      "not computed";
        results.push_back(*value);
      }
      return results;
    } else if (isa<SomaDialect>(op.getDialect())) {
      if (failed(frame.runSomaOp(&op)))
        return failure();
    } else {
      return op.emitOpError() << "is not supported by the reference "
                                 "interpreter";
    }
  }
  return function.emitError() << "ends without a return";
}
