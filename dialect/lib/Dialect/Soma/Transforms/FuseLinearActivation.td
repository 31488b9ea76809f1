//===- FuseLinearActivation.td - Layer + activation fusion -*- tablegen -*-===//
//
// The structural step of soma-fuse-linear-activation, one pattern per
// activation: `activation(linear(x, w, b))`, the linear used nowhere else,
// becomes `linear_activation(x, w, b)` carrying the activation's kind and
// its attributes under their own names. DRR materializes an attribute left
// at its default, so the fused op always spells its parameters out.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_TRANSFORMS_FUSELINEARACTIVATION_TD
#define SOMA_DIALECT_SOMA_TRANSFORMS_FUSELINEARACTIVATION_TD

include "mlir/IR/PatternBase.td"
include "soma/Dialect/Soma/IR/SomaOps.td"

def HasOneUse : Constraint<CPred<"$0.hasOneUse()">, "used only once">;

/// A parameter the activation does not take: the fused op leaves it unset.
def Unset : NativeCodeCall<"::mlir::FloatAttr()">;

/// Builds `linear_activation(input, weight, bias)` applying `kind`, from the
/// bound input, weight, bias and the five parameters alpha, beta,
/// negative_slope, threshold, value (unset where the activation takes none).
/// A C++ builder rather than a DRR result op: DRR passes an absent optional
/// operand (the bias) to the op builder as a null value.
class LinearActivation<string kind> : NativeCodeCall<
  "buildLinearActivation($_builder, $_loc, ::soma::ActivationKind::" # kind #
  ", $0, $1, $2, {$3, $4, $5, $6, $7})">;

/// `activation(linear(...))` to `linear_activation(...)` for an activation
/// without parameters.
class FuseParameterless<Op activation, string kind> : Pat<
  (activation (Soma_LinearOp:$linear $input, $weight, $bias)),
  (LinearActivation<kind> $input, $weight, $bias,
     (Unset), (Unset), (Unset), (Unset), (Unset)),
  [(HasOneUse $linear)]>;

def FuseLinearSigmoid : FuseParameterless<Soma_SigmoidOp, "Sigmoid">;
def FuseLinearLogSigmoid : FuseParameterless<Soma_LogSigmoidOp, "LogSigmoid">;
def FuseLinearSilu : FuseParameterless<Soma_SiluOp, "Silu">;
def FuseLinearHardSwish : FuseParameterless<Soma_HardSwishOp, "HardSwish">;
def FuseLinearTanh : FuseParameterless<Soma_TanhOp, "Tanh">;
def FuseLinearRelu : FuseParameterless<Soma_ReluOp, "Relu">;

def FuseLinearHardSigmoid : Pat<
  (Soma_HardSigmoidOp (Soma_LinearOp:$linear $input, $weight, $bias),
     $alpha, $beta),
  (LinearActivation<"HardSigmoid"> $input, $weight, $bias,
     $alpha, $beta, (Unset), (Unset), (Unset)),
  [(HasOneUse $linear)]>;

def FuseLinearLeakyRelu : Pat<
  (Soma_LeakyReluOp (Soma_LinearOp:$linear $input, $weight, $bias),
     $negativeSlope),
  (LinearActivation<"LeakyRelu"> $input, $weight, $bias,
     (Unset), (Unset), $negativeSlope, (Unset), (Unset)),
  [(HasOneUse $linear)]>;

def FuseLinearThreshold : Pat<
  (Soma_ThresholdOp (Soma_LinearOp:$linear $input, $weight, $bias),
     $threshold, $value),
  (LinearActivation<"Threshold"> $input, $weight, $bias,
     (Unset), (Unset), (Unset), $threshold, $value),
  [(HasOneUse $linear)]>;

def FuseLinearSoftplus : Pat<
  (Soma_SoftplusOp (Soma_LinearOp:$linear $input, $weight, $bias),
     $beta, $threshold),
  (LinearActivation<"Softplus"> $input, $weight, $bias,
     (Unset), $beta, (Unset), $threshold, (Unset)),
  [(HasOneUse $linear)]>;

#endif // SOMA_DIALECT_SOMA_TRANSFORMS_FUSELINEARACTIVATION_TD
