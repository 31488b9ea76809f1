//===- SomaOps.cpp - Type inference and verifiers of soma ops -------------===//
//
// Result types come from the shape rules in ShapeInference.cpp; an op whose
// declared result type differs from the inferred one is rejected by the
// InferTypeOpInterface verifier. The verifiers here check attribute values
// that do not bear on shapes.
//
//===----------------------------------------------------------------------===//

#include "soma/Dialect/Soma/IR/SomaOps.h"
#include "soma/Dialect/Soma/IR/ShapeInference.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace soma;

#define GET_OP_CLASSES
#include "soma/Dialect/Soma/IR/SomaOps.cpp.inc"

namespace {
using ShapeRule =
    llvm::function_ref<FailureOr<shape::Shape>(shape::EmitErrorFn)>;
} // namespace

/// Runs a shape rule and records the f32 tensor type it yields. Diagnostics
/// go to `location`, prefixed like Operation::emitOpError; without a location
/// (speculative inference) they are dropped.
template <typename OpTy>
static LogicalResult inferTensorType(MLIRContext *context,
                                     std::optional<Location> location,
                                     ShapeRule rule,
                                     SmallVectorImpl<Type> &inferred) {
  auto emitError = [&]() -> InFlightDiagnostic {
    if (!location)
      return InFlightDiagnostic();
    return mlir::emitError(*location)
           << "'" << OpTy::getOperationName() << "' op ";
  };
  FailureOr<shape::Shape> shape = rule(emitError);
  if (failed(shape))
    return failure();
  inferred.push_back(
      RankedTensorType::get(*shape, Float32Type::get(context)));
  return success();
}

/// The shape of a tensor operand. ODS has checked it is a ranked tensor
/// before any verifier runs; parsers may infer earlier, hence the fallback.
static ArrayRef<int64_t> shapeOf(Value value) {
  if (auto type = dyn_cast_or_null<RankedTensorType>(value.getType()))
    return type.getShape();
  return {};
}

static std::optional<ArrayRef<int64_t>> optionalShapeOf(Value value) {
  if (!value)
    return std::nullopt;
  return shapeOf(value);
}

//===----------------------------------------------------------------------===//
// Element-wise activations
//===----------------------------------------------------------------------===//

LogicalResult SoftplusOp::verify() {
  if (getBeta().isZero())
    return emitOpError() << "expected a non-zero 'beta', got 0";
  return success();
}

LogicalResult DropoutOp::verify() {
  float p = getP().convertToFloat();
  if (!(p >= 0.0f && p <= 1.0f))
    return emitOpError() << "expected 'p' in [0, 1], got " << p;
  return success();
}

//===----------------------------------------------------------------------===//
// Broadcasting arithmetic
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult inferBroadcast(MLIRContext *context,
                                    std::optional<Location> location,
                                    typename OpTy::Adaptor adaptor,
                                    SmallVectorImpl<Type> &inferred) {
  return inferTensorType<OpTy>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::broadcast(shapeOf(adaptor.getLhs()),
                                shapeOf(adaptor.getRhs()), emitError);
      },
      inferred);
}

#define SOMA_BROADCASTING_INFERENCE(OpTy)                                      \
  LogicalResult OpTy::inferReturnTypes(                                        \
      MLIRContext *context, std::optional<Location> location,                  \
      Adaptor adaptor, SmallVectorImpl<Type> &inferred) {                      \
    return inferBroadcast<OpTy>(context, location, adaptor, inferred);         \
  }
SOMA_BROADCASTING_INFERENCE(AddOp)
SOMA_BROADCASTING_INFERENCE(SubOp)
SOMA_BROADCASTING_INFERENCE(MulOp)
SOMA_BROADCASTING_INFERENCE(DivOp)
#undef SOMA_BROADCASTING_INFERENCE

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferTensorType<MatmulOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::matmul(shapeOf(adaptor.getLhs()),
                             shapeOf(adaptor.getRhs()), emitError);
      },
      inferred);
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferTensorType<LinearOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::linear(shapeOf(adaptor.getInput()),
                             shapeOf(adaptor.getWeight()),
                             optionalShapeOf(adaptor.getBias()), emitError);
      },
      inferred);
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

LogicalResult ReduceSumOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferTensorType<ReduceSumOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::reduceSum(shapeOf(adaptor.getInput()),
                                adaptor.getDims(), adaptor.getKeepdim(),
                                emitError);
      },
      inferred);
}

template <typename OpTy>
static LogicalResult verifySoftmaxDim(OpTy op) {
  auto rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
  return shape::normalizeDim(op.getDim(), rank, "dim",
                             [&] { return op.emitOpError(); });
}

LogicalResult SoftmaxOp::verify() { return verifySoftmaxDim(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxDim(*this); }

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferTensorType<BatchNormOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        std::pair<StringRef, ArrayRef<int64_t>> params[] = {
            {"mean", shapeOf(adaptor.getMean())},
            {"variance", shapeOf(adaptor.getVariance())},
            {"weight", shapeOf(adaptor.getWeight())},
            {"bias", shapeOf(adaptor.getBias())}};
        return shape::batchNorm(shapeOf(adaptor.getInput()), params,
                                emitError);
      },
      inferred);
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferTensorType<ReshapeOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::reshape(shapeOf(adaptor.getInput()), adaptor.getShape(),
                              emitError);
      },
      inferred);
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferTensorType<FlattenOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::flatten(shapeOf(adaptor.getInput()),
                              adaptor.getStartDim(), adaptor.getEndDim(),
                              emitError);
      },
      inferred);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferTensorType<TransposeOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::transpose(shapeOf(adaptor.getInput()),
                                adaptor.getPerm(), emitError);
      },
      inferred);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// The result type of conv2d and conv2d_activation.
template <typename OpTy>
static LogicalResult inferConv2d(MLIRContext *context,
                                 std::optional<Location> location,
                                 typename OpTy::Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  return inferTensorType<OpTy>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        shape::Window window{adaptor.getStride(), adaptor.getPadding(),
                             adaptor.getDilation()};
        return shape::conv2d(shapeOf(adaptor.getInput()),
                             shapeOf(adaptor.getWeight()),
                             optionalShapeOf(adaptor.getBias()), window,
                             adaptor.getGroups(), emitError);
      },
      inferred);
}

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferConv2d<Conv2dOp>(context, location, adaptor, inferred);
}

LogicalResult ConvTranspose2dOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferTensorType<ConvTranspose2dOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        shape::Window window{adaptor.getStride(), adaptor.getPadding(),
                             adaptor.getDilation()};
        return shape::convTranspose2d(
            shapeOf(adaptor.getInput()), shapeOf(adaptor.getWeight()),
            optionalShapeOf(adaptor.getBias()), window,
            adaptor.getOutputPadding(), adaptor.getGroups(), emitError);
      },
      inferred);
}

/// The dilation of a pooling op: max_pool2d has one, avg_pool2d none.
static ArrayRef<int64_t> poolDilation(MaxPool2dOp::Adaptor adaptor) {
  return adaptor.getDilation();
}
static ArrayRef<int64_t> poolDilation(AvgPool2dOp::Adaptor) {
  static const int64_t ones[] = {1, 1};
  return ones;
}

template <typename OpTy>
static LogicalResult inferPool(MLIRContext *context,
                               std::optional<Location> location,
                               typename OpTy::Adaptor adaptor,
                               SmallVectorImpl<Type> &inferred) {
  return inferTensorType<OpTy>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        ArrayRef<int64_t> kernel = adaptor.getKernelSize();
        ArrayRef<int64_t> stride = kernel;
        if (auto explicitStride = adaptor.getStride())
          stride = *explicitStride;
        shape::Window window{stride, adaptor.getPadding(),
                             poolDilation(adaptor)};
        return shape::pool2d(shapeOf(adaptor.getInput()), kernel, window,
                             adaptor.getCeilMode(), emitError);
      },
      inferred);
}

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool<MaxPool2dOp>(context, location, adaptor, inferred);
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool<AvgPool2dOp>(context, location, adaptor, inferred);
}

//===----------------------------------------------------------------------===//
// Fused layers
//===----------------------------------------------------------------------===//

LogicalResult LinearActivationOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferTensorType<LinearActivationOp>(
      context, location,
      [&](shape::EmitErrorFn emitError) {
        return shape::linear(shapeOf(adaptor.getInput()),
                             shapeOf(adaptor.getWeight()),
                             optionalShapeOf(adaptor.getBias()), emitError);
      },
      inferred);
}

ArrayRef<StringRef> LinearActivationOp::getParameterNames(ActivationKind kind) {
  static const StringRef hardSigmoid[] = {"alpha", "beta"};
  static const StringRef leakyRelu[] = {"negative_slope"};
  static const StringRef threshold[] = {"threshold", "value"};
  static const StringRef softplus[] = {"beta", "threshold"};
  switch (kind) {
  case ActivationKind::HardSigmoid:
    return hardSigmoid;
  case ActivationKind::LeakyRelu:
    return leakyRelu;
  case ActivationKind::Threshold:
    return threshold;
  case ActivationKind::Softplus:
    return softplus;
  default:
    return {};
  }
}

/// The cases of ActivationKind are spelled as the mnemonics of the
/// stand-alone ops, so the op name alone maps one to the other.
std::optional<ActivationKind>
LinearActivationOp::getActivationKindOf(Operation *op) {
  if (!isa_and_nonnull<SomaDialect>(op->getDialect()))
    return std::nullopt;
  return symbolizeActivationKind(op->getName().stripDialect());
}

/// The stand-alone activation op of kind `kind` with the parameters of the
/// fused layer `op`, detached, of `op`'s result type.
static OwningOpRef<Operation *> describeActivation(Operation *op,
                                                  ActivationKind kind) {
  std::string opName =
      (SomaDialect::getDialectNamespace() + "." + stringifyActivationKind(kind))
          .str();
  OperationState state(op->getLoc(), opName);
  for (StringRef name : LinearActivationOp::getParameterNames(kind))
    state.addAttribute(name, op->getAttr(name));
  state.addTypes(op->getResultTypes());
  return Operation::create(state);
}

OwningOpRef<Operation *> LinearActivationOp::buildActivationDescription() {
  return describeActivation(*this, getActivation());
}

/// Prints attribute names as `{a, b}`.
static std::string formatNames(ArrayRef<StringRef> names) {
  return "{" + llvm::join(names, ", ") + "}";
}

/// Checks that the fused layer `op` carries exactly the parameters its
/// activation `kind` takes.
static LogicalResult verifyActivationParameters(Operation *op,
                                                ActivationKind kind) {
  // In the order the stand-alone ops declare them.
  static const StringRef allNames[] = {"alpha", "beta", "negative_slope",
                                       "threshold", "value"};
  // Both lists in that order.
  ArrayRef<StringRef> names = LinearActivationOp::getParameterNames(kind);
  SmallVector<StringRef> expected, present;
  for (StringRef name : allNames) {
    if (llvm::is_contained(names, name))
      expected.push_back(name);
    if (op->getAttr(name))
      present.push_back(name);
  }
  if (present != expected) {
    InFlightDiagnostic diag = op->emitOpError();
    if (expected.empty())
      diag << "expected no parameters";
    else
      diag << "expected parameters " << formatNames(expected);
    return diag << " for activation " << stringifyActivationKind(kind)
                << ", got " << formatNames(present);
  }
  auto beta = op->getAttrOfType<FloatAttr>("beta");
  if (kind == ActivationKind::Softplus && beta.getValue().isZero())
    return op->emitOpError() << "expected a non-zero 'beta', got 0";
  return success();
}

LogicalResult LinearActivationOp::verify() {
  return verifyActivationParameters(*this, getActivation());
}

LogicalResult Conv2dActivationOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferConv2d<Conv2dActivationOp>(context, location, adaptor, inferred);
}

OwningOpRef<Operation *> Conv2dActivationOp::buildActivationDescription() {
  return describeActivation(*this, getActivation());
}

LogicalResult Conv2dActivationOp::verify() {
  return verifyActivationParameters(*this, getActivation());
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

SmallVector<float> soma::constantFloats(Value value) {
  ElementsAttr constant;
  if (!matchPattern(value, m_Constant(&constant)))
    return {};
  if (auto dense = dyn_cast<DenseElementsAttr>(constant))
    return llvm::to_vector(dense.getValues<float>());
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(constant))
    if (std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef())
      return SmallVector<float>(data->begin(), data->end());
  return {};
}
