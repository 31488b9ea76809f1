//===- SomaOps.td - The ops of the soma dialect ------------*- tablegen -*-===//
//
// Operand names, attribute names and defaults are Soma's public contract
// (SPEC section 3); tests outside the project write these ops in the generic
// form, so rename nothing here lightly.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_IR_SOMAOPS_TD
#define SOMA_DIALECT_SOMA_IR_SOMAOPS_TD

include "soma/Dialect/Soma/IR/SomaDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Element-wise activations
//===----------------------------------------------------------------------===//

/// An element-wise activation: one tensor in, one tensor of the same type out.
class Soma_ActivationOp<string mnemonic, string torchName,
                        list<Trait> traits = []>
    : Soma_Op<mnemonic, traits # [Pure, Elementwise, SameOperandsAndResultType,
                                  InferTypeOpInterface]> {
  let summary = "element-wise " # mnemonic # " (PyTorch `" # torchName # "`)";
  let arguments = (ins Soma_Tensor:$input);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Soma_SigmoidOp : Soma_ActivationOp<"sigmoid", "torch.sigmoid"> {
  let description = [{
    `1 / (1 + exp(-x))`. The result never leaves [0, 1]; it underflows
    gradually to 0 for x below about -87.

    ```mlir
    %y = soma.sigmoid %x : tensor<?x8xf32>
    ```
  }];
}

def Soma_LogSigmoidOp : Soma_ActivationOp<"log_sigmoid", "nn.LogSigmoid"> {
  let description = [{
    `log(sigmoid(x)) = -softplus(-x)`, computed stably: for x much below zero
    the result is x itself, never -inf.
  }];
}

def Soma_HardSigmoidOp : Soma_ActivationOp<"hard_sigmoid", "nn.Hardsigmoid"> {
  let description = [{
    `max(0, min(1, alpha * x + beta))`. The defaults are PyTorch's
    (alpha = 1/6, beta = 0.5); ONNX's HardSigmoid uses alpha = 0.2.
  }];
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<F32Attr, "1.0f / 6.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def Soma_SiluOp : Soma_ActivationOp<"silu", "nn.SiLU"> {
  let description = "`x * sigmoid(x)`.";
}

def Soma_HardSwishOp : Soma_ActivationOp<"hard_swish", "nn.Hardswish"> {
  let description = "`x * min(max(x + 3, 0), 6) / 6`.";
}

def Soma_TanhOp : Soma_ActivationOp<"tanh", "nn.Tanh"> {
  let description = "Hyperbolic tangent.";
}

def Soma_ReluOp : Soma_ActivationOp<"relu", "nn.ReLU"> {
  let description = "`max(x, 0)`; NaN stays NaN.";
}

def Soma_LeakyReluOp : Soma_ActivationOp<"leaky_relu", "nn.LeakyReLU"> {
  let description = "`x` where `x > 0`, else `negative_slope * x`.";
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<F32Attr, "0.01f">:$negative_slope);
}

def Soma_ThresholdOp : Soma_ActivationOp<"threshold", "nn.Threshold"> {
  let description = "`x` where `x > threshold`, else `value`.";
  let arguments = (ins Soma_Tensor:$input, F32Attr:$threshold, F32Attr:$value);
}

def Soma_SoftplusOp : Soma_ActivationOp<"softplus", "nn.Softplus"> {
  let description = [{
    `log(1 + exp(beta * x)) / beta`, and `x` itself where
    `beta * x > threshold`.
  }];
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                   DefaultValuedAttr<F32Attr, "20.0f">:$threshold);
  let hasVerifier = 1;
}

def Soma_DropoutOp : Soma_ActivationOp<"dropout", "nn.Dropout"> {
  let summary = "dropout: the identity at inference (PyTorch `nn.Dropout`)";
  let description = [{
    Kept so that models exported from training code describe themselves
    faithfully; it folds away. `p` must lie in [0, 1].
  }];
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<F32Attr, "0.5f">:$p);
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Broadcasting arithmetic
//===----------------------------------------------------------------------===//

/// A binary op with NumPy broadcasting; the result shape is inferred.
class Soma_BroadcastingOp<string mnemonic, string what>
    : Soma_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "element-wise " # what # " with NumPy broadcasting";
  let description = [{
    Shapes are aligned at their trailing dimensions; a dimension of size 1
    stretches to match the other operand.
  }];
  let arguments = (ins Soma_Tensor:$lhs, Soma_Tensor:$rhs);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Soma_AddOp : Soma_BroadcastingOp<"add", "addition">;
def Soma_SubOp : Soma_BroadcastingOp<"sub", "subtraction">;
def Soma_MulOp : Soma_BroadcastingOp<"mul", "multiplication">;
def Soma_DivOp : Soma_BroadcastingOp<"div", "division">;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Soma_MatmulOp : Soma_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "matrix product (PyTorch `torch.matmul`)";
  let description = [{
    1-D operands are promoted to a row (lhs) or a column (rhs) and the added
    dimension is removed from the result; leading (batch) dimensions
    broadcast.

    ```mlir
    %y = soma.matmul %x, %w : (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
    ```
  }];
  let arguments = (ins Soma_Tensor:$lhs, Soma_Tensor:$rhs);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Soma_LinearOp : Soma_Op<"linear", [Pure, InferTypeOpAdaptor]> {
  let summary = "affine layer `x * transpose(w) + b` (PyTorch `F.linear`)";
  let description = [{
    `input` is `[..., K]`, `weight` is `[N, K]`, the optional `bias` is `[N]`;
    the result is `[..., N]`.

    ```mlir
    %y = soma.linear %x, %w, %b : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    ```
  }];
  let arguments = (ins Soma_Tensor:$input, Soma_Tensor:$weight,
                   Optional<Soma_Tensor>:$bias);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

def Soma_ReduceSumOp : Soma_Op<"reduce_sum", [Pure, InferTypeOpAdaptor]> {
  let summary = "sum over dimensions (PyTorch `torch.sum`)";
  let description = [{
    Sums over `dims` (negative values count from the end; empty means every
    dimension). With `keepdim` the reduced dimensions stay, with size 1.
  }];
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dims,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

class Soma_SoftmaxLikeOp<string mnemonic, string torchName>
    : Soma_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = mnemonic # " along `dim` (PyTorch `" # torchName # "`)";
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$dim);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Soma_SoftmaxOp : Soma_SoftmaxLikeOp<"softmax", "torch.softmax"> {
  let description = "`exp(x - max) / sum(exp(x - max))` along `dim`.";
}

def Soma_LogSoftmaxOp : Soma_SoftmaxLikeOp<"log_softmax", "torch.log_softmax"> {
  let description = "`x - max - log(sum(exp(x - max)))` along `dim`.";
}

def Soma_BatchNormOp : Soma_Op<"batch_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "batch normalization in inference mode (PyTorch `nn.BatchNorm2d`, eval)";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * weight + bias` with every
    parameter a `[C]` vector applied along dimension 1 of an `[N, C, ...]`
    input.
  }];
  let arguments = (ins Soma_Tensor:$input, Soma_Tensor:$mean,
                   Soma_Tensor:$variance, Soma_Tensor:$weight,
                   Soma_Tensor:$bias,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $mean `,` $variance `,` $weight `,` $bias attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Soma_ReshapeOp : Soma_Op<"reshape", [Pure, InferTypeOpAdaptor]> {
  let summary = "reshape to `shape`, one -1 inferred (PyTorch `view`/`reshape`)";
  let description = [{
    Keeps the row-major order of the elements. At most one entry of `shape`
    is -1; it takes whatever size makes the element counts agree (dynamic when
    the input has a dynamic dimension).
  }];
  let arguments = (ins Soma_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Soma_FlattenOp : Soma_Op<"flatten", [Pure, InferTypeOpAdaptor]> {
  let summary = "merge dimensions start_dim..end_dim (PyTorch `torch.flatten`)";
  let arguments = (ins Soma_Tensor:$input,
                   DefaultValuedAttr<I64Attr, "1">:$start_dim,
                   DefaultValuedAttr<I64Attr, "-1">:$end_dim);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Soma_TransposeOp : Soma_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permute dimensions (PyTorch `permute`)";
  let description = "Result dimension `i` is input dimension `perm[i]`.";
  let arguments = (ins Soma_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

def Soma_Conv2dOp : Soma_Op<"conv2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution, NCHW input, OIHW weight (PyTorch `nn.Conv2d`)";
  let description = [{
    `padding` is `[pad_h, pad_w]` zeros on both sides of the rows and
    columns (PyTorch's form), or `[top, left, bottom, right]` for asymmetric
    padding (ONNX's `pads`). The weight is `[C_out, C_in / groups, KH, KW]`,
    the optional bias `[C_out]`.
  }];
  let arguments = (ins Soma_Tensor:$input, Soma_Tensor:$weight,
                   Optional<Soma_Tensor>:$bias,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Soma_ConvTranspose2dOp : Soma_Op<"conv_transpose2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D transposed convolution, IOHW weight (PyTorch `nn.ConvTranspose2d`)";
  let description = [{
    The gradient of `conv2d` with respect to its input. The weight is
    `[C_in, C_out / groups, KH, KW]`; the output size is
    `(in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1`.
    `padding` may also be `[top, left, bottom, right]`, cropping the full
    output unevenly (ONNX's `pads`): `2 * padding` becomes `begin + end`.
  }];
  let arguments = (ins Soma_Tensor:$input, Soma_Tensor:$weight,
                   Optional<Soma_Tensor>:$bias,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

/// `padding` is `[pad_h, pad_w]` on both sides (PyTorch's form, at most half
/// the window) or `[top, left, bottom, right]` (ONNX's `pads`, each smaller
/// than the window, so that every window overlaps the input). `ceil_mode`
/// rounds the output size up as PyTorch does: a last, partial window is kept
/// unless it would start in the bottom or right padding.
class Soma_Pool2dOp<string mnemonic, string what, dag extraArgs = (ins)>
    : Soma_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D " # what # " pooling over an NCHW input";
  let arguments = !con((ins Soma_Tensor:$input,
                        DenseI64ArrayAttr:$kernel_size,
                        OptionalAttr<DenseI64ArrayAttr>:$stride,
                        DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding),
                       extraArgs,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$ceil_mode));
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// The stride; PyTorch's default is the kernel size.
    ::llvm::ArrayRef<int64_t> getStrideOrKernel() {
      if (auto stride = getStride())
        return *stride;
      return getKernelSize();
    }
  }];
}

def Soma_MaxPool2dOp : Soma_Pool2dOp<"max_pool2d", "max",
    (ins DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation)> {
  let description = [{
    Maximum over each window; padding counts as -inf. A NaN in a window makes
    the window's result NaN. `stride` defaults to `kernel_size`; `dilation`
    spaces the window's elements as in `nn.MaxPool2d`.
  }];
}

def Soma_AvgPool2dOp : Soma_Pool2dOp<"avg_pool2d", "average",
    (ins DefaultValuedAttr<BoolAttr, "true">:$count_include_pad)> {
  let description = [{
    Mean over each window. With `count_include_pad` (PyTorch's default) the
    padded zeros count in the divisor, though not the part of a `ceil_mode`
    window beyond the padding. `stride` defaults to `kernel_size`.
  }];
}

//===----------------------------------------------------------------------===//
// Fused layers
//===----------------------------------------------------------------------===//

include "mlir/IR/EnumAttr.td"

/// The activations a fused layer may apply: every element-wise activation op
/// of the dialect but dropout, each spelled as its op's mnemonic.
def Soma_ActivationKind : I32EnumAttr<"ActivationKind",
    "element-wise activation of a fused layer", [
      I32EnumAttrCase<"Sigmoid", 0, "sigmoid">,
      I32EnumAttrCase<"LogSigmoid", 1, "log_sigmoid">,
      I32EnumAttrCase<"HardSigmoid", 2, "hard_sigmoid">,
      I32EnumAttrCase<"Silu", 3, "silu">,
      I32EnumAttrCase<"HardSwish", 4, "hard_swish">,
      I32EnumAttrCase<"Tanh", 5, "tanh">,
      I32EnumAttrCase<"Relu", 6, "relu">,
      I32EnumAttrCase<"LeakyRelu", 7, "leaky_relu">,
      I32EnumAttrCase<"Threshold", 8, "threshold">,
      I32EnumAttrCase<"Softplus", 9, "softplus">]> {
  let cppNamespace = "::soma";
  let genSpecializedAttr = 0;
}

/// `#soma<activation sigmoid>`.
def Soma_ActivationKindAttr
    : EnumAttr<Soma_Dialect, Soma_ActivationKind, "activation">;

def Soma_LinearActivationOp : Soma_Op<"linear_activation",
                                      [Pure, InferTypeOpAdaptor]> {
  let summary = "affine layer followed by an element-wise activation";
  let description = [{
    `activation(linear(input, weight, bias))`: `input` is `[..., K]`,
    `weight` is `[N, K]`, the optional `bias` is `[N]`, the result is
    `[..., N]`. The affine part is rounded to f32 once, exactly as
    `soma.linear` rounds it, and the activation then applies to that value,
    so the result is bit-identical to the unfused `soma.linear` and
    activation op. `soma-fuse-linear-activation` forms it.

    The activation's parameters are the attributes of its stand-alone op,
    under the same names, each required when the activation takes it and
    rejected otherwise: `alpha` and `beta` for `hard_sigmoid`,
    `negative_slope` for `leaky_relu`, `threshold` and `value` for
    `threshold`, `beta` and `threshold` for `softplus`.

    ```mlir
    %y = soma.linear_activation %x, %w, %b {activation = #soma<activation sigmoid>} : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %z = soma.linear_activation %x, %w {activation = #soma<activation leaky_relu>, negative_slope = 0.2 : f32} : (tensor<?x6xf32>, tensor<2x6xf32>) -> tensor<?x2xf32>
    ```
  }];
  let arguments = (ins Soma_Tensor:$input, Soma_Tensor:$weight,
                   Optional<Soma_Tensor>:$bias,
                   Soma_ActivationKindAttr:$activation,
                   OptionalAttr<F32Attr>:$alpha,
                   OptionalAttr<F32Attr>:$beta,
                   OptionalAttr<F32Attr>:$negative_slope,
                   OptionalAttr<F32Attr>:$threshold,
                   OptionalAttr<F32Attr>:$value);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The attributes that parameterize `kind`, in the order its stand-alone
    /// op declares them (none for most activations).
    static ::llvm::ArrayRef<::llvm::StringRef>
    getParameterNames(::soma::ActivationKind kind);

    /// The activation `op` applies when it is one of the stand-alone
    /// activation ops this op can fuse (`soma.sigmoid`, ...).
    static std::optional<::soma::ActivationKind>
    getActivationKindOf(::mlir::Operation *op);

    /// The stand-alone activation op this layer applies (`soma.sigmoid`,
    /// `soma.leaky_relu` with this op's `negative_slope`, ...), built
    /// detached and without operands. It describes the activation to code
    /// that dispatches on activation ops (the interpreter's kernels, the
    /// lowering's scalar bodies) and is never inserted into a block.
    ::mlir::OwningOpRef<::mlir::Operation *> buildActivationDescription();
  }];
}

def Soma_Conv2dActivationOp : Soma_Op<"conv2d_activation",
                                      [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution followed by an element-wise activation";
  let description = [{
    `activation(conv2d(input, weight, bias))`, with `soma.conv2d`'s
    operands and attributes. The convolution is rounded to f32 once, exactly
    as `soma.conv2d` rounds it, and the activation then applies to that
    value, so the result is bit-identical to the unfused `soma.conv2d` and
    activation op. `soma-fuse-linear-activation` forms it.

    The activation and its parameters are given as for
    `soma.linear_activation`.

    ```mlir
    %y = soma.conv2d_activation %x, %w, %b {padding = array<i64: 1, 1>, activation = #soma<activation silu>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
    ```
  }];
  let arguments = (ins Soma_Tensor:$input, Soma_Tensor:$weight,
                   Optional<Soma_Tensor>:$bias,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                   DefaultValuedAttr<I64Attr, "1">:$groups,
                   Soma_ActivationKindAttr:$activation,
                   OptionalAttr<F32Attr>:$alpha,
                   OptionalAttr<F32Attr>:$beta,
                   OptionalAttr<F32Attr>:$negative_slope,
                   OptionalAttr<F32Attr>:$threshold,
                   OptionalAttr<F32Attr>:$value);
  let results = (outs Soma_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The stand-alone activation op this layer applies, as
    /// `soma.linear_activation`'s method of the same name builds it.
    ::mlir::OwningOpRef<::mlir::Operation *> buildActivationDescription();
  }];
}

#endif // SOMA_DIALECT_SOMA_IR_SOMAOPS_TD
