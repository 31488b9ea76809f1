//===- Tensors.cpp - Decoding ONNX TensorProto data -----------------------===//
//
// A TensorProto holds its elements in raw little-endian bytes, in the typed
// repeated field of its data type, or in an external file; each way is
// decoded here into f32 or int64 host data. Also builds the attributes of
// weight constants.
//
//===----------------------------------------------------------------------===//

#include "soma/Import/OnnxTensor.h"

#include "NodeContext.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace mlir;
using llvm::StringRef;

int64_t soma::OnnxTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

StringRef soma::onnxDataTypeName(int32_t dataType) {
  if (!onnx::TensorProto_DataType_IsValid(dataType))
    return "UNKNOWN";
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(dataType));
}

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The bytes of each element in raw_data, or 0 for types not decoded here.
static size_t elementBytes(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
    return 4;
  case onnx::TensorProto::INT64:
    return 8;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

/// Reads the external data of `tensor` (location, offset, length).
static llvm::Expected<std::string>
readExternalData(const onnx::TensorProto &tensor, StringRef baseDir) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      uint64_t value;
      if (StringRef(entry.value()).getAsInteger(10, value))
        return makeError("expected an integer '" + entry.key() +
                         "' for the external data of '" + tensor.name() +
                         "', got '" + entry.value() + "'");
      if (entry.key() == "offset")
        offset = value;
      else
        length = value;
    }
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains(".."))
    return makeError("expected the external data of '" + tensor.name() +
                     "' in a file beside the model, got location '" + location +
                     "'");
  llvm::SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file)
    return makeError("cannot read the external data of '" + tensor.name() +
                     "' from '" + path + "': " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (offset > bytes.size() || (length && *length > bytes.size() - offset))
    return makeError("expected the external data of '" + tensor.name() +
                     "' within '" + path + "' (" + llvm::Twine(bytes.size()) +
                     " bytes)");
  return bytes.substr(offset, length.value_or(bytes.size() - offset)).str();
}

/// Decodes little-endian `bytes` of `dataType` into `result`.
static void decodeRaw(StringRef bytes, int32_t dataType,
                      soma::OnnxTensor &result) {
  using namespace llvm::support;
  size_t size = elementBytes(dataType);
  size_t count = bytes.size() / size;
  const char *data = bytes.data();
  for (size_t i = 0; i < count; ++i) {
    const char *p = data + i * size;
    switch (dataType) {
    case onnx::TensorProto::FLOAT: {
      uint32_t bits = endian::read32le(p);
      float value;
      std::memcpy(&value, &bits, sizeof value);
      result.floats.push_back(value);
      break;
    }
    case onnx::TensorProto::INT32:
      result.ints.push_back(static_cast<int32_t>(endian::read32le(p)));
      break;
    case onnx::TensorProto::INT64:
      result.ints.push_back(static_cast<int64_t>(endian::read64le(p)));
      break;
    case onnx::TensorProto::INT16:
      result.ints.push_back(static_cast<int16_t>(endian::read16le(p)));
      break;
    case onnx::TensorProto::UINT16:
      result.ints.push_back(endian::read16le(p));
      break;
    case onnx::TensorProto::INT8:
      result.ints.push_back(static_cast<int8_t>(*p));
      break;
    default: // UINT8, BOOL
      result.ints.push_back(static_cast<uint8_t>(*p));
      break;
    }
  }
}

llvm::Expected<soma::OnnxTensor>
soma::decodeOnnxTensor(const onnx::TensorProto &tensor, StringRef baseDir) {
  OnnxTensor result;
  result.name = tensor.name();
  int32_t dataType = tensor.data_type();
  std::string what = "tensor '" + tensor.name() + "'";
  if (elementBytes(dataType) == 0)
    return makeError("expected " + what +
                     " to have element type FLOAT or an integer type, got " +
                     onnxDataTypeName(dataType));
  if (tensor.has_segment())
    return makeError("segmented " + what + " is not supported");
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return makeError("expected non-negative dimensions in " + what +
                       ", got " + llvm::Twine(dim));
    result.shape.push_back(dim);
  }
  result.isFloat = dataType == onnx::TensorProto::FLOAT;
  int64_t expected = 1;
  for (int64_t dim : result.shape)
    if (llvm::MulOverflow(expected, dim, expected))
      return makeError("expected " + what +
                       " to have fewer than 2^63 elements");

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL ||
      tensor.has_raw_data()) {
    std::string external;
    StringRef bytes = tensor.raw_data();
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
      llvm::Expected<std::string> data = readExternalData(tensor, baseDir);
      if (!data)
        return data.takeError();
      external = std::move(*data);
      bytes = external;
    }
    uint64_t size = elementBytes(dataType);
    if (bytes.size() % size != 0 ||
        bytes.size() / size != static_cast<uint64_t>(expected))
      return makeError("expected " + llvm::Twine(expected) + " elements (" +
                       llvm::Twine(expected * size) + " bytes) in " + what +
                       ", got " + llvm::Twine(bytes.size()) + " bytes");
    decodeRaw(bytes, dataType, result);
    return result;
  }

  int64_t count = 0;
  if (result.isFloat) {
    result.floats.assign(tensor.float_data().begin(),
                         tensor.float_data().end());
    count = tensor.float_data_size();
  } else if (dataType == onnx::TensorProto::INT64) {
    result.ints.assign(tensor.int64_data().begin(), tensor.int64_data().end());
    count = tensor.int64_data_size();
  } else {
    result.ints.assign(tensor.int32_data().begin(), tensor.int32_data().end());
    count = tensor.int32_data_size();
  }
  if (count != expected)
    return makeError("expected " + llvm::Twine(expected) + " elements in " +
                     what + ", got " + llvm::Twine(count));
  return result;
}

llvm::Expected<soma::OnnxTensor> soma::readOnnxTensorFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file)
    return makeError("cannot read '" + path +
                     "': " + file.getError().message());
  onnx::TensorProto tensor;
  StringRef bytes = (*file)->getBuffer();
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !tensor.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return makeError("cannot parse '" + path + "' as an ONNX TensorProto");
  return decodeOnnxTensor(tensor, llvm::sys::path::parent_path(path));
}

/// Tensors with more elements than this become dense_resource blobs.
static constexpr int64_t kMaxInlineElements = 64;

/// A resource key made of the characters MLIR prints without quotes.
static std::string blobKey(StringRef name) {
  std::string key;
  for (char c : name)
    key += llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_';
  if (key.empty() || llvm::isDigit(key.front()))
    key.insert(0, "w_");
  return key;
}

ElementsAttr soma::onnx_import::weightsAttr(RankedTensorType type,
                                            ArrayRef<float> values,
                                            StringRef name) {
  if (type.getNumElements() <= kMaxInlineElements)
    return DenseElementsAttr::get(type, values);
  return cast<ElementsAttr>(DenseF32ResourceElementsAttr::get(
      type, blobKey(name),
      HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(values)));
}
