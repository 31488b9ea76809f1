//===- NpyTest.cpp - The .npy reader and writer ---------------------------===//
//
// Round trips through soma::npy, headers written the ways NumPy and older
// writers write them, one test per kind of malformed file with the message
// it must produce, and a sweep of truncated and corrupted files that must
// all fail cleanly. File tests work in a fresh temporary directory.
//
//===----------------------------------------------------------------------===//

#include "soma/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using llvm::StringRef;
using soma::HostTensor;

namespace {

HostTensor makeTensor(llvm::ArrayRef<int64_t> shape, std::vector<float> data) {
  HostTensor tensor;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.data = std::move(data);
  return tensor;
}

/// A .npy file with header dict `dict` (unpadded) followed by `data`.
std::string npyFile(StringRef dict, StringRef data, unsigned major = 1) {
  std::string bytes("\x93NUMPY", 6);
  bytes += char(major);
  bytes += char(0);
  uint32_t length = dict.size();
  bytes += char(length & 0xff);
  bytes += char((length >> 8) & 0xff);
  if (major != 1) {
    bytes += char((length >> 16) & 0xff);
    bytes += char((length >> 24) & 0xff);
  }
  return bytes + dict.str() + data.str();
}

/// The little-endian bytes of `values` as float32.
std::string floatBytes(std::vector<float> values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

/// The message of a failed parse, or "" if it succeeded.
std::string parseError(StringRef bytes) {
  llvm::Expected<HostTensor> tensor = soma::npy::parse(bytes, "x.npy");
  if (tensor)
    return "";
  return llvm::toString(tensor.takeError());
}

#define EXPECT_PARSE_ERROR(bytes, expected)                                    \
  do {                                                                         \
    std::string message = parseError(bytes);                                   \
    EXPECT_NE(message.find(expected), std::string::npos)                       \
        << "message: '" << message << "'";                                     \
    EXPECT_EQ(message.rfind("x.npy: ", 0), 0u) << message;                     \
  } while (false)

constexpr StringRef kDict23 =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

void expectSameBits(const HostTensor &a, const HostTensor &b) {
  EXPECT_EQ(a.shape, b.shape);
  ASSERT_EQ(a.data.size(), b.data.size());
  if (a.data.empty())
    return;
  EXPECT_EQ(
      std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)),
      0);
}

//===----------------------------------------------------------------------===//
// Round trips and accepted headers
//===----------------------------------------------------------------------===//

TEST(NpyTest, RoundTripKeepsEveryBit) {
  float inf = std::numeric_limits<float>::infinity();
  HostTensor tensor = makeTensor(
      {2, 4}, {1.5f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
               std::numeric_limits<float>::denorm_min(),
               std::numeric_limits<float>::max(), 0.1f});
  llvm::Expected<std::string> bytes = soma::npy::encode(tensor);
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  llvm::Expected<HostTensor> back = soma::npy::parse(*bytes);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  expectSameBits(tensor, *back);
}

TEST(NpyTest, RoundTripZeroDAndEmptyShapes) {
  for (HostTensor tensor :
       {makeTensor({}, {42.0f}), makeTensor({0}, {}), makeTensor({0, 3}, {}),
        makeTensor({3, 0, 2}, {}), makeTensor({1, 1, 1, 1, 2}, {1.0f, 2.0f}),
        makeTensor({5}, {1, 2, 3, 4, 5})}) {
    llvm::Expected<std::string> bytes = soma::npy::encode(tensor);
    ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
    llvm::Expected<HostTensor> back = soma::npy::parse(*bytes);
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    expectSameBits(tensor, *back);
  }
}

TEST(NpyTest, EncodeWritesNumPyLayout) {
  llvm::Expected<std::string> bytes =
      soma::npy::encode(makeTensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(bool(bytes));
  // Magic, version 1.0, a 2-byte length, a header ending in '\n' at a
  // multiple of 64 bytes, then 6 floats.
  ASSERT_EQ(bytes->size(), 128u + 24u);
  EXPECT_EQ(bytes->substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(uint8_t((*bytes)[8]) | uint8_t((*bytes)[9]) << 8, 118);
  EXPECT_EQ(bytes->substr(10, kDict23.size()), kDict23.str());
  EXPECT_EQ((*bytes)[127], '\n');
  EXPECT_EQ(bytes->substr(128), floatBytes({1, 2, 3, 4, 5, 6}));

  llvm::Expected<std::string> vector =
      soma::npy::encode(makeTensor({3}, {1, 2, 3}));
  ASSERT_TRUE(bool(vector));
  EXPECT_NE(vector->find("'shape': (3,), }"), std::string::npos);
  llvm::Expected<std::string> scalar = soma::npy::encode(makeTensor({}, {1}));
  ASSERT_TRUE(bool(scalar));
  EXPECT_NE(scalar->find("'shape': (), }"), std::string::npos);
}

TEST(NpyTest, ParsesVersions2And3AndOtherWriters) {
  std::string data = floatBytes({1, 2, 3, 4, 5, 6});
  for (unsigned major : {1u, 2u, 3u}) {
    llvm::Expected<HostTensor> tensor =
        soma::npy::parse(npyFile(kDict23, data, major));
    ASSERT_TRUE(bool(tensor)) << llvm::toString(tensor.takeError());
    EXPECT_EQ(tensor->shape, (llvm::SmallVector<int64_t, 4>{2, 3}));
    EXPECT_EQ(tensor->data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  }
  // Keys in another order, double quotes, no trailing comma, no padding,
  // and the `L` suffix of Python 2 integers.
  llvm::Expected<HostTensor> tensor = soma::npy::parse(npyFile(
      "{ \"shape\" : (2L,3L) ,\"fortran_order\":False,\"descr\":\"<f4\"}\n",
      data));
  ASSERT_TRUE(bool(tensor)) << llvm::toString(tensor.takeError());
  EXPECT_EQ(tensor->shape, (llvm::SmallVector<int64_t, 4>{2, 3}));
}

//===----------------------------------------------------------------------===//
// Malformed files
//===----------------------------------------------------------------------===//

TEST(NpyTest, RejectsBadMagicAndVersion) {
  std::string good = npyFile(kDict23, floatBytes({1, 2, 3, 4, 5, 6}));
  EXPECT_PARSE_ERROR("", "file is empty");
  EXPECT_PARSE_ERROR("PK\x03\x04 not numpy", "bad magic string");
  EXPECT_PARSE_ERROR("\x93NUM", "truncated before the end of the magic");
  EXPECT_PARSE_ERROR(good.substr(0, 7), "truncated before the format version");
  std::string v4 = good;
  v4[6] = 4;
  EXPECT_PARSE_ERROR(v4, "unsupported .npy format version 4.0");
  std::string v11 = good;
  v11[7] = 1;
  EXPECT_PARSE_ERROR(v11, "unsupported .npy format version 1.1");
}

TEST(NpyTest, RejectsTruncatedHeader) {
  std::string good = npyFile(kDict23, floatBytes({1, 2, 3, 4, 5, 6}));
  EXPECT_PARSE_ERROR(good.substr(0, 9), "truncated before the header length");
  EXPECT_PARSE_ERROR(good.substr(0, 40), "truncated header: it is 59 bytes "
                                         "long but only 30 remain");
  std::string v2 = npyFile(kDict23, "", 2);
  v2[11] = '\x7f'; // A header length near 2 GiB.
  EXPECT_PARSE_ERROR(v2, "truncated header");
}

TEST(NpyTest, RejectsGarbageHeaderDicts) {
  struct Case {
    const char *dict;
    const char *message;
  } cases[] = {
      {"", "expected '{'"},
      {"\xff\xfe garbage", "expected '{'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
       "expected ',' or '}'"},
      {"{'descr': '<f4' 'fortran_order': False}", "expected ',' or '}'"},
      {"{descr: '<f4'}", "expected a quoted string"},
      {"{'descr' '<f4'}", "expected ':' after key 'descr'"},
      {"{'descr': '<f4}", "unterminated string"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': ()}",
       "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
       "expected '(' to open the 'shape' tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",
       "expected ',' or ')' in the 'shape' tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (6)}",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
       "negative dimension"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (x,)}",
       "expected a dimension"},
      {"{'descr': '<f4', 'fortran_order': False, "
       "'shape': (99999999999999999999,)}",
       "dimension too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4'}", "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False}", "no 'shape' key"},
      {"{'descr': '<f4', 'shape': ()}", "no 'fortran_order' key"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
       "unexpected text after the closing '}'"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}",
       "structured dtypes are not supported"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.dict);
    EXPECT_PARSE_ERROR(npyFile(c.dict, ""), "malformed header");
    EXPECT_PARSE_ERROR(npyFile(c.dict, ""), c.message);
  }
}

TEST(NpyTest, RejectsOtherDtypes) {
  for (StringRef descr : {"<f8", "<i4", ">f4", "<f2", "|u1", "float32"}) {
    std::string dict =
        ("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,), }")
            .str();
    EXPECT_PARSE_ERROR(
        npyFile(dict, std::string(16, '\0')),
        ("dtype '" + descr + "' is not supported, expected '<f4' (float32)")
            .str());
  }
}

TEST(NpyTest, RejectsFortranOrder) {
  EXPECT_PARSE_ERROR(
      npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
              floatBytes({1, 2, 3, 4, 5, 6})),
      "Fortran-order arrays are not supported");
}

TEST(NpyTest, RejectsDataOfTheWrongSize) {
  std::string data = floatBytes({1, 2, 3, 4, 5, 6});
  EXPECT_PARSE_ERROR(npyFile(kDict23, data.substr(0, 23)),
                     "data size mismatch: shape [2, 3] needs 24 bytes of "
                     "data, found 23");
  EXPECT_PARSE_ERROR(npyFile(kDict23, data + "x"), "found 25");
  EXPECT_PARSE_ERROR(npyFile(kDict23, ""), "found 0");
  EXPECT_PARSE_ERROR(npyFile("{'descr': '<f4', 'fortran_order': False, "
                             "'shape': (4294967296, 4294967296), }",
                             ""),
                     "shape [4294967296, 4294967296] has too many elements");
}

/// Every proper prefix of a valid file, and every single-byte corruption of
/// its magic and header, must be rejected or accepted without a crash.
TEST(NpyTest, NeverCrashesOnCorruptedFiles) {
  llvm::Expected<std::string> good =
      soma::npy::encode(makeTensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(bool(good));
  for (size_t size = 0; size < good->size(); ++size)
    EXPECT_NE(parseError(StringRef(*good).take_front(size)), "") << size;

  std::mt19937 random(1234);
  for (size_t pos = 0; pos < 128; ++pos) {
    for (int trial = 0; trial < 16; ++trial) {
      std::string bytes = *good;
      bytes[pos] = char(random());
      (void)parseError(bytes);
    }
  }
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes(random() % 200, '\0');
    for (char &byte : bytes)
      byte = char(random());
    if (trial % 2)
      bytes.replace(0, std::min<size_t>(8, bytes.size()),
                    StringRef("\x93NUMPY\x01\x00", 8).take_front(bytes.size()));
    (void)parseError(bytes);
  }
}

TEST(NpyTest, EncodeRejectsInconsistentTensors) {
  llvm::Expected<std::string> bytes =
      soma::npy::encode(makeTensor({2, 3}, {1, 2}));
  ASSERT_FALSE(bool(bytes));
  EXPECT_EQ(llvm::toString(bytes.takeError()),
            "tensor of shape [2, 3] holds 2 elements");
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

class NpyFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("soma-npy-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(StringRef name) const {
    llvm::SmallString<128> result(dir);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }
  /// The names of the files in the directory.
  std::vector<std::string> listing(StringRef subdir = "") const {
    std::vector<std::string> names;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path(subdir), ec), end;
         !ec && it != end; it.increment(ec))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(names.begin(), names.end());
    return names;
  }

  llvm::SmallString<128> dir;
};

TEST_F(NpyFileTest, WriteThenRead) {
  HostTensor tensor = makeTensor({3, 1}, {0.5f, -2.0f, 1e-30f});
  ASSERT_FALSE(bool(soma::npy::writeFile(path("a.npy"), tensor)));
  llvm::Expected<HostTensor> back = soma::npy::readFile(path("a.npy"));
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  expectSameBits(tensor, *back);
  // Overwriting replaces the file and leaves no temporary behind.
  HostTensor other = makeTensor({}, {7.0f});
  ASSERT_FALSE(bool(soma::npy::writeFile(path("a.npy"), other)));
  back = soma::npy::readFile(path("a.npy"));
  ASSERT_TRUE(bool(back));
  expectSameBits(other, *back);
  EXPECT_EQ(listing(), std::vector<std::string>{"a.npy"});
}

TEST_F(NpyFileTest, ReadMissingFileNamesIt) {
  llvm::Expected<HostTensor> tensor = soma::npy::readFile(path("none.npy"));
  ASSERT_FALSE(bool(tensor));
  EXPECT_EQ(llvm::toString(tensor.takeError()),
            path("none.npy") + ": cannot read file: No such file or directory");
}

TEST_F(NpyFileTest, FailedWritesLeaveNoFile) {
  HostTensor tensor = makeTensor({2}, {1, 2});
  // A missing directory.
  llvm::Error error = soma::npy::writeFile(path("no/such/a.npy"), tensor);
  ASSERT_TRUE(bool(error));
  EXPECT_NE(llvm::toString(std::move(error)).find(": cannot write file: "),
            std::string::npos);
  // A directory in the way of the file.
  ASSERT_FALSE(llvm::sys::fs::create_directory(path("d.npy")));
  error = soma::npy::writeFile(path("d.npy"), tensor);
  ASSERT_TRUE(bool(error));
  llvm::consumeError(std::move(error));
  // A tensor whose data does not match its shape.
  error = soma::npy::writeFile(path("bad.npy"), makeTensor({3}, {1}));
  ASSERT_TRUE(bool(error));
  EXPECT_EQ(llvm::toString(std::move(error)),
            path("bad.npy") + ": tensor of shape [3] holds 1 elements");
  EXPECT_EQ(listing(), std::vector<std::string>{"d.npy"});
  EXPECT_TRUE(listing("d.npy").empty());
}

} // namespace
