//===- Passes.td - Transformations of soma IR --------------*- tablegen -*-===//
//
// Passes that rewrite soma ops into other soma ops: the soma-level steps of
// somac's pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_TRANSFORMS_PASSES_TD
#define SOMA_DIALECT_SOMA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

// Not anchored on an op: it runs on a module or nested on each function.
def FuseLinearActivationPass : Pass<"soma-fuse-linear-activation"> {
  let summary = "Fuse affine layers with the activation that follows them";
  let description = [{
    Rewrites an affine layer followed by an element-wise activation
    (`sigmoid`, `log_sigmoid`, `hard_sigmoid`, `silu`, `hard_swish`, `tanh`,
    `relu`, `leaky_relu`, `threshold`, `softplus`) into one
    `soma.linear_activation`. The affine layer may be

    - a `soma.linear`;
    - a `soma.matmul` of an input `[..., M, K]` (a matrix or a batch of
      matrices) with a static 2-D weight `[K, N]`, plus a bias broadcast
      along N (`[N]`, `[1, N]`, ...) by a `soma.add`: the weight becomes the
      linear's `[N, K]` (a constant is transposed at compile time, a
      transposed weight is taken untransposed, anything else gets a
      `soma.transpose`);
    - the same with the weight a column `w.view(K, 1)` (`soma.reshape`),
      which becomes the row `w.view(1, K)`.

    A `soma.conv2d` followed by one of those activations likewise becomes
    one `soma.conv2d_activation`, bit-exactly. Before that, a
    `soma.batch_norm` of a `soma.conv2d`, with the weight, bias and every
    normalization parameter constants, folds into the convolution's weight
    and bias (computed in double, rounded to f32 once): the folded layer may
    differ from the pair in the last bits.

    Nothing fuses when an intermediate value (the product, the sum, the
    pre-activation value) has another user, when the bias does not
    broadcast along N alone (`[M, N]`, `[M, 1]`), when the weight is batched
    or dynamic, or when the sum's type is not the product's.

    `activation(linear(...))` fuses bit-exactly: the fused op rounds the
    affine part once, as `soma.linear` does. A matmul and an add round
    twice; the linear they become adds the bias into the sum before its one
    rounding, so its result may differ from theirs in the last bits.

    ```mlir
    %p = soma.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
    %s = soma.add %p, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %y = soma.relu %s : tensor<?x3xf32>
    ```
    becomes
    ```mlir
    %t = soma.transpose %w {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
    %y = soma.linear_activation %x, %t, %b {activation = #soma<activation relu>} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    ```
  }];
  // Folded batch norms leave new weights as arith.constant ops.
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // SOMA_DIALECT_SOMA_TRANSFORMS_PASSES_TD
