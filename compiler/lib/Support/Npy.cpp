//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// The .npy codec of the soma tools. A file is the magic string "\x93NUMPY",
// a major and a minor version byte, the header length (2 bytes little-endian
// in version 1.0, 4 bytes in 2.0 and 3.0), a header holding a Python dict
// literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3),
// }`, then the elements. The reader bounds-checks every length before using
// it and parses the dict with a small recursive-descent parser that accepts
// exactly the literals NumPy writes, so any byte string yields either a
// tensor or an error naming the file and the defect.
//
//===----------------------------------------------------------------------===//

#include "soma/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <limits>

using namespace soma;
using llvm::StringRef;
using llvm::Twine;

namespace {

constexpr StringRef kMagic("\x93NUMPY", 6);
constexpr StringRef kFloat32Descr = "<f4";
/// NumPy aligns the start of the data to this many bytes.
constexpr size_t kAlignment = 64;

llvm::Error makeError(StringRef name, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + message);
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os);
  os << ']';
  return text;
}

/// The product of `shape`, or nullopt if a dimension is negative or the
/// product (as a byte count of float32 elements) overflows.
std::optional<int64_t> countElements(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (dim < 0 || llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  int64_t bytes;
  if (llvm::MulOverflow(count, int64_t(sizeof(float)), bytes))
    return std::nullopt;
  return count;
}

/// The fields of a .npy header dict.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  llvm::SmallVector<int64_t, 4> shape;
};

/// Parses the Python dict literal of a .npy header. Every method returns
/// false on a syntax error after recording why in `error`.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : text(text) {}

  bool parse(Header &header);
  std::string error;

private:
  bool fail(const Twine &message) {
    error = ("malformed header: " + message + " at offset " + Twine(pos) +
             " of the header dict")
                .str();
    return false;
  }
  void skipSpace() {
    while (pos < text.size() && llvm::isSpace(text[pos]))
      ++pos;
  }
  bool consume(char c) {
    if (pos >= text.size() || text[pos] != c)
      return false;
    ++pos;
    return true;
  }
  bool consumeWord(StringRef word) {
    if (!text.substr(pos).starts_with(word))
      return false;
    pos += word.size();
    return true;
  }

  bool parseEntry(Header &header, llvm::StringSet<> &seen);
  bool parseString(std::string &out);
  bool parseBool(bool &out);
  bool parseShape(llvm::SmallVectorImpl<int64_t> &shape);
  bool parseDim(int64_t &dim);

  StringRef text;
  size_t pos = 0;
};

bool HeaderParser::parse(Header &header) {
  llvm::StringSet<> seen;
  skipSpace();
  if (!consume('{'))
    return fail("expected '{'");
  while (true) {
    skipSpace();
    if (consume('}'))
      break;
    if (!parseEntry(header, seen))
      return false;
    skipSpace();
    if (consume('}'))
      break;
    if (!consume(','))
      return fail("expected ',' or '}'");
  }
  skipSpace();
  if (pos != text.size())
    return fail("unexpected text after the closing '}'");
  for (StringRef key : {"descr", "fortran_order", "shape"})
    if (!seen.contains(key)) {
      error = ("malformed header: the dict has no '" + key + "' key").str();
      return false;
    }
  return true;
}

bool HeaderParser::parseEntry(Header &header, llvm::StringSet<> &seen) {
  size_t keyPos = pos;
  std::string key;
  if (!parseString(key))
    return false;
  skipSpace();
  if (!consume(':'))
    return fail("expected ':' after key '" + key + "'");
  skipSpace();
  if (!seen.insert(key).second) {
    pos = keyPos;
    return fail("duplicate key '" + key + "'");
  }
  if (key == "descr") {
    if (pos < text.size() && (text[pos] == '[' || text[pos] == '('))
      return fail("structured dtypes are not supported");
    return parseString(header.descr);
  }
  if (key == "fortran_order")
    return parseBool(header.fortranOrder);
  if (key == "shape")
    return parseShape(header.shape);
  pos = keyPos;
  return fail("unexpected key '" + key + "'");
}

bool HeaderParser::parseString(std::string &out) {
  if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
    return fail("expected a quoted string");
  char quote = text[pos++];
  out.clear();
  while (pos < text.size() && text[pos] != quote) {
    if (text[pos] == '\\' && pos + 1 < text.size())
      ++pos;
    out.push_back(text[pos++]);
  }
  if (!consume(quote))
    return fail("unterminated string");
  return true;
}

bool HeaderParser::parseBool(bool &out) {
  if (consumeWord("True"))
    out = true;
  else if (consumeWord("False"))
    out = false;
  else
    return fail("expected True or False for 'fortran_order'");
  return true;
}

bool HeaderParser::parseShape(llvm::SmallVectorImpl<int64_t> &shape) {
  if (!consume('('))
    return fail("expected '(' to open the 'shape' tuple");
  bool trailingComma = false;
  while (true) {
    skipSpace();
    if (consume(')'))
      break;
    if (!shape.empty() && !trailingComma)
      return fail("expected ',' or ')' in the 'shape' tuple");
    int64_t dim;
    if (!parseDim(dim))
      return false;
    shape.push_back(dim);
    skipSpace();
    trailingComma = consume(',');
  }
  // `(3)` is the integer 3 in Python, not a tuple; NumPy rejects it too.
  if (shape.size() == 1 && !trailingComma)
    return fail("'shape' is not a tuple (a 1-d shape is written '(N,)')");
  return true;
}

bool HeaderParser::parseDim(int64_t &dim) {
  if (pos < text.size() && text[pos] == '-')
    return fail("negative dimension in 'shape'");
  if (pos >= text.size() || !llvm::isDigit(text[pos]))
    return fail("expected a dimension in 'shape'");
  dim = 0;
  while (pos < text.size() && llvm::isDigit(text[pos])) {
    int64_t digit = text[pos] - '0';
    if (dim > (std::numeric_limits<int64_t>::max() - digit) / 10)
      return fail("dimension too large in 'shape'");
    dim = dim * 10 + digit;
    ++pos;
  }
  // Python 2 wrote long integers with an `L` suffix.
  consume('L');
  return true;
}

/// Splits a .npy file into its header dict text and its element bytes.
llvm::Error splitFile(StringRef bytes, StringRef name, StringRef &headerText,
                      StringRef &data) {
  if (bytes.empty())
    return makeError(name, "file is empty, not a .npy file");
  if (!bytes.starts_with(kMagic))
    return makeError(name,
                     bytes.size() < kMagic.size() && kMagic.starts_with(bytes)
                         ? "truncated before the end of the magic string"
                         : "not a .npy file (bad magic string)");
  if (bytes.size() < kMagic.size() + 2)
    return makeError(name, "truncated before the format version");
  unsigned major = static_cast<uint8_t>(bytes[kMagic.size()]);
  unsigned minor = static_cast<uint8_t>(bytes[kMagic.size() + 1]);
  if (major < 1 || major > 3 || minor != 0)
    return makeError(name, "unsupported .npy format version " + Twine(major) +
                               "." + Twine(minor) +
                               ", expected 1.0, 2.0 or 3.0");
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t lengthPos = kMagic.size() + 2;
  if (bytes.size() < lengthPos + lengthSize)
    return makeError(name, "truncated before the header length");
  const char *lengthPtr = bytes.data() + lengthPos;
  uint64_t headerLength = major == 1
                              ? llvm::support::endian::read16le(lengthPtr)
                              : llvm::support::endian::read32le(lengthPtr);
  size_t headerPos = lengthPos + lengthSize;
  if (bytes.size() - headerPos < headerLength)
    return makeError(name, "truncated header: it is " + Twine(headerLength) +
                               " bytes long but only " +
                               Twine(bytes.size() - headerPos) + " remain");
  headerText = bytes.substr(headerPos, headerLength);
  data = bytes.drop_front(headerPos + headerLength);
  return llvm::Error::success();
}

/// Checks that `header` describes data Soma can read and that `data` holds
/// exactly its elements, then decodes them.
llvm::Expected<HostTensor> decode(const Header &header, StringRef data,
                                  StringRef name) {
  if (header.descr != kFloat32Descr)
    return makeError(name, "dtype '" + header.descr +
                               "' is not supported, expected '" +
                               kFloat32Descr + "' (float32)");
  if (header.fortranOrder)
    return makeError(name, "Fortran-order arrays are not supported, expected "
                           "'fortran_order': False");
  std::optional<int64_t> count = countElements(header.shape);
  if (!count)
    return makeError(name, "shape " + formatShape(header.shape) +
                               " has too many elements");
  uint64_t expectedBytes = uint64_t(*count) * sizeof(float);
  if (data.size() != expectedBytes)
    return makeError(name, "data size mismatch: shape " +
                               formatShape(header.shape) + " needs " +
                               Twine(expectedBytes) + " bytes of data, found " +
                               Twine(data.size()));
  HostTensor tensor;
  tensor.shape.assign(header.shape.begin(), header.shape.end());
  tensor.data.resize(static_cast<size_t>(*count));
  for (size_t i = 0, e = tensor.data.size(); i != e; ++i)
    tensor.data[i] = llvm::bit_cast<float>(
        llvm::support::endian::read32le(data.data() + i * sizeof(float)));
  return tensor;
}

/// The header dict NumPy writes for a C-order float32 array of `shape`.
std::string headerDict(llvm::ArrayRef<int64_t> shape) {
  std::string dict;
  llvm::raw_string_ostream os(dict);
  os << "{'descr': '" << kFloat32Descr << "', 'fortran_order': False, "
     << "'shape': (";
  llvm::interleaveComma(shape, os);
  if (shape.size() == 1)
    os << ',';
  os << "), }";
  return dict;
}

} // namespace

llvm::Expected<HostTensor> npy::parse(StringRef bytes, StringRef name) {
  StringRef headerText, data;
  if (llvm::Error error = splitFile(bytes, name, headerText, data))
    return std::move(error);
  Header header;
  HeaderParser parser(headerText);
  if (!parser.parse(header))
    return makeError(name, parser.error);
  return decode(header, data, name);
}

llvm::Expected<HostTensor> npy::readFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (std::error_code ec = buffer.getError())
    return makeError(path, "cannot read file: " + ec.message());
  return parse((*buffer)->getBuffer(), path);
}

llvm::Expected<std::string> npy::encode(const HostTensor &tensor) {
  std::optional<int64_t> count = countElements(tensor.shape);
  if (!count || *count != tensor.numElements())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "tensor of shape " + formatShape(tensor.shape) + " holds " +
            Twine(tensor.numElements()) + " elements");
  std::string dict = headerDict(tensor.shape);
  // Version 1.0 has a 2-byte header length; NumPy switches to 2.0 (4 bytes)
  // only when the header does not fit.
  unsigned major = 1;
  size_t prefixSize = kMagic.size() + 2 + 2;
  if (prefixSize + dict.size() + kAlignment > 0xffff) {
    major = 2;
    prefixSize += 2;
  }
  // Pad with spaces and end with a newline so the data starts aligned.
  size_t unpadded = prefixSize + dict.size() + 1;
  dict.append(kAlignment - unpadded % kAlignment, ' ');
  dict.push_back('\n');

  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  os << kMagic << char(major) << char(0);
  llvm::support::endian::Writer writer(os, llvm::endianness::little);
  if (major == 1)
    writer.write(static_cast<uint16_t>(dict.size()));
  else
    writer.write(static_cast<uint32_t>(dict.size()));
  os << dict;
  for (float value : tensor.data)
    writer.write(llvm::bit_cast<uint32_t>(value));
  return bytes;
}

llvm::Error npy::writeFile(StringRef path, const HostTensor &tensor) {
  llvm::Expected<std::string> bytes = encode(tensor);
  if (!bytes)
    return makeError(path, llvm::toString(bytes.takeError()));
  // The temporary file lives next to `path` so that the rename is atomic.
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp)
    return makeError(path,
                     "cannot write file: " + llvm::toString(temp.takeError()));
  std::error_code writeError;
  {
    llvm::raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os << *bytes;
    os.flush();
    writeError = os.error();
    os.clear_error();
  }
  if (writeError) {
    llvm::consumeError(temp->discard());
    return makeError(path, "cannot write file: " + writeError.message());
  }
  if (llvm::Error error = temp->keep(path))
    return makeError(path,
                     "cannot write file: " + llvm::toString(std::move(error)));
  return llvm::Error::success();
}
