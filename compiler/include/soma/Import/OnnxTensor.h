//===- OnnxTensor.h - Decoding ONNX TensorProto data ------------*- C++ -*-===//
//
// The values of an ONNX TensorProto (an initializer, a Constant's value, or a
// backend test's input_N.pb / output_N.pb) as f32 or int64 host data,
// whichever layout the producer chose: raw little-endian bytes, the typed
// repeated fields, or an external file next to the model.
//
//===----------------------------------------------------------------------===//

#ifndef SOMA_IMPORT_ONNXTENSOR_H
#define SOMA_IMPORT_ONNXTENSOR_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace soma {

/// The decoded contents of a TensorProto.
struct OnnxTensor {
  std::string name;
  llvm::SmallVector<int64_t, 4> shape;
  /// True for FLOAT tensors (data in `floats`); INT64, INT32, INT8, UINT8,
  /// INT16, UINT16 and BOOL tensors land in `ints`.
  bool isFloat = true;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  int64_t numElements() const;
};

/// The name of an ONNX TensorProto data type ("FLOAT", "INT64", ...).
llvm::StringRef onnxDataTypeName(int32_t dataType);

/// Decodes `tensor`. External data is read relative to `baseDir`. Fails
/// for other element types (DOUBLE, FLOAT16, STRING, ...) and for data whose
/// size does not match the dimensions.
llvm::Expected<OnnxTensor> decodeOnnxTensor(const onnx::TensorProto &tensor,
                                            llvm::StringRef baseDir);

/// Reads a serialized TensorProto file (`input_0.pb`) and decodes it.
llvm::Expected<OnnxTensor> readOnnxTensorFile(llvm::StringRef path);

} // namespace soma

#endif // SOMA_IMPORT_ONNXTENSOR_H
