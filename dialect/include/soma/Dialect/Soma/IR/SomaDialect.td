//===- SomaDialect.td - The soma dialect and its op base ---*- tablegen -*-===//
//
// The `soma` dialect describes small neural-network models as PyTorch users
// write them: tensor ops with PyTorch semantics on ranked f32 tensors whose
// leading dimension may be the dynamic batch.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_DIALECT_SOMA_IR_SOMADIALECT_TD
#define SOMA_DIALECT_SOMA_IR_SOMADIALECT_TD

include "mlir/IR/OpBase.td"

def Soma_Dialect : Dialect {
  let name = "soma";
  let cppNamespace = "::soma";
  let summary = "Tensor ops of small neural-network models, PyTorch semantics";
  let description = [{
    Every op of `soma` works on ranked `f32` tensors. The leading dimension of
    a tensor may be dynamic (`?`): it is the batch, fixed when the model is
    invoked. Each op follows the PyTorch op of the same name, special values
    (signed zeros, infinities, NaN, subnormals) included. Weights are builtin
    constants (`arith.constant dense<...>` or `dense_resource<...>` blobs).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 0;
  // Enum attributes such as `#soma<activation sigmoid>`.
  let useDefaultAttributePrinterParser = 1;
}

/// Base class of every soma op.
class Soma_Op<string mnemonic, list<Trait> traits = []>
    : Op<Soma_Dialect, mnemonic, traits>;

/// Ranked tensor of f32: the only value type soma ops take and produce.
def Soma_Tensor : RankedTensorOf<[F32]>;

#endif // SOMA_DIALECT_SOMA_IR_SOMADIALECT_TD
