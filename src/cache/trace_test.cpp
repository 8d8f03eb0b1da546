#include "cache/trace.hpp"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/testing.hpp"

namespace fastbreak::cache {
namespace {

using ::fastbreak::testing::TempDir;

std::string Gzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(
      deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string Xz(const std::string& data) {
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  size_t written = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &written, out.size()),
            LZMA_OK);
  out.resize(written);
  return out;
}

std::string BigEndian(const std::vector<uint64_t>& keys, int width) {
  std::string out;
  for (const uint64_t key : keys) {
    for (int byte = width - 1; byte >= 0; --byte) {
      out.push_back(static_cast<char>((key >> (8 * byte)) & 0xff));
    }
  }
  return out;
}

class TraceTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.File(name);
    std::FILE* file = std::fopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), file);
    std::fclose(file);
    return path;
  }

  Result<std::vector<uint64_t>> Read(const std::string& path, TraceFormat format) {
    std::vector<uint64_t> keys;
    Status status = ReadTrace(path, format, [&](uint64_t key) { keys.push_back(key); });
    if (!status) return tl::unexpected<Error>(status.error());
    return keys;
  }

  // The error of reading `path`, checked to be `code` and to name the file.
  std::string ErrorOf(const std::string& path, TraceFormat format, ErrorCode code) {
    auto result = Read(path, format);
    EXPECT_FALSE(result.has_value());
    if (result) return "";
    EXPECT_EQ(result.error().code, code) << result.error().ToString();
    EXPECT_NE(result.error().message.find(path), std::string::npos) << result.error().message;
    return result.error().message;
  }

  TempDir dir_;
};

const char kLirsText[] = "1\n2\r\n*\n  3 \n\n18446744073709551615\n4";
const std::vector<uint64_t> kLirsKeys = {1, 2, 3, 18446744073709551615ULL, 4};

TEST_F(TraceTest, ReadsLirsTextPlainGzipAndXz) {
  for (const auto& [name, bytes] :
       {std::pair{"plain", std::string(kLirsText)}, std::pair{"gzip", Gzip(kLirsText)},
        std::pair{"xz", Xz(kLirsText)}}) {
    SCOPED_TRACE(name);
    auto keys = Read(Write(std::string("lirs_") + name, bytes), TraceFormat::kLirs);
    ASSERT_OK(keys);
    EXPECT_EQ(*keys, kLirsKeys);
  }
}

TEST_F(TraceTest, ReadsBigEndianI32AndI64) {
  const std::vector<uint64_t> i32 = {0, 1, 0x01020304, 0xffffffff};
  const std::vector<uint64_t> i64 = {0, 1, 0x0102030405060708ULL, ~uint64_t{0}};
  for (const bool compressed : {false, true}) {
    SCOPED_TRACE(compressed ? "compressed" : "plain");
    const std::string raw32 = BigEndian(i32, 4);
    const std::string raw64 = BigEndian(i64, 8);
    auto keys32 = Read(Write("cache2k_a", compressed ? Xz(raw32) : raw32), TraceFormat::kI32);
    ASSERT_OK(keys32);
    EXPECT_EQ(*keys32, i32);
    auto keys64 = Read(Write("corda_a", compressed ? Gzip(raw64) : raw64), TraceFormat::kI64);
    ASSERT_OK(keys64);
    EXPECT_EQ(*keys64, i64);
  }
}

TEST_F(TraceTest, ReadsLargeAndConcatenatedStreams) {
  std::vector<uint64_t> many;
  for (uint64_t i = 0; i < 300'000; ++i) many.push_back(i * 2654435761u);
  const std::string raw = BigEndian(many, 8);
  // Two gzip members back to back are one valid gzip file.
  const std::string half = BigEndian({many.begin(), many.begin() + 1000}, 8);
  const std::string rest = BigEndian({many.begin() + 1000, many.end()}, 8);
  auto gz = Read(Write("scarab_gz", Gzip(half) + Gzip(rest)), TraceFormat::kI64);
  ASSERT_OK(gz);
  EXPECT_EQ(*gz, many);
  uint64_t reported = 0;
  const std::string xz = Xz(raw);
  const std::string path = Write("scarab_xz", xz);
  std::vector<uint64_t> keys;
  ASSERT_OK(ReadTrace(
      path, TraceFormat::kI64, [&](uint64_t key) { keys.push_back(key); },
      [&](uint64_t bytes) {
        EXPECT_GE(bytes, reported);
        reported = bytes;
      }));
  EXPECT_EQ(keys, many);
  EXPECT_EQ(reported, xz.size());
}

TEST_F(TraceTest, TruncatedRecordsAreErrors) {
  const std::string i32 = BigEndian({1, 2}, 4).substr(0, 7);
  std::string message =
      ErrorOf(Write("cache2k_cut", i32), TraceFormat::kI32, ErrorCode::kParseError);
  EXPECT_NE(message.find("truncated record at byte 4 (record 2): 3 of 4 bytes"), std::string::npos)
      << message;
  const std::string i64 = BigEndian({1, 2, 3}, 8).substr(0, 17);
  message = ErrorOf(Write("corda_cut.gz", Gzip(i64)), TraceFormat::kI64, ErrorCode::kParseError);
  EXPECT_NE(message.find("truncated record at byte 16 (record 3): 1 of 8 bytes"), std::string::npos)
      << message;
}

TEST_F(TraceTest, GarbageLinesAreErrors) {
  std::string message =
      ErrorOf(Write("lirs_bad", "1\n2\n3x\n4\n"), TraceFormat::kLirs, ErrorCode::kParseError);
  EXPECT_NE(message.find("line 3: not a key: '3x'"), std::string::npos) << message;
  message = ErrorOf(Write("lirs_big", "18446744073709551616\n"), TraceFormat::kLirs,
                    ErrorCode::kParseError);
  EXPECT_NE(message.find("line 1"), std::string::npos) << message;
  message = ErrorOf(Write("lirs_neg", "*\n-5\n"), TraceFormat::kLirs, ErrorCode::kParseError);
  EXPECT_NE(message.find("line 2: not a key: '-5'"), std::string::npos) << message;
}

TEST_F(TraceTest, CorruptAndTruncatedCompressionAreErrors) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::to_string(i * 7) + "\n";

  std::string gz = Gzip(text);
  std::string message = ErrorOf(Write("lirs_cut.gz", gz.substr(0, gz.size() / 2)),
                                TraceFormat::kLirs, ErrorCode::kParseError);
  EXPECT_NE(message.find("truncated gzip stream at compressed byte"), std::string::npos) << message;
  for (size_t i = 20; i < 60; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  message = ErrorOf(Write("lirs_corrupt.gz", gz), TraceFormat::kLirs, ErrorCode::kParseError);
  EXPECT_NE(message.find("corrupt gzip stream"), std::string::npos) << message;

  std::string xz = Xz(text);
  message = ErrorOf(Write("lirs_cut.xz", xz.substr(0, xz.size() / 2)), TraceFormat::kLirs,
                    ErrorCode::kParseError);
  EXPECT_NE(message.find("truncated xz stream at compressed byte"), std::string::npos) << message;
  for (size_t i = 30; i < 60; ++i) xz[i] = static_cast<char>(xz[i] ^ 0x5a);
  message = ErrorOf(Write("lirs_corrupt.xz", xz), TraceFormat::kLirs, ErrorCode::kParseError);
  EXPECT_NE(message.find("corrupt xz stream"), std::string::npos) << message;
}

TEST_F(TraceTest, MissingFileIsNotFound) {
  const std::string path = dir_.File("lirs_missing.trace.gz");
  const std::string message = ErrorOf(path, TraceFormat::kLirs, ErrorCode::kNotFound);
  EXPECT_NE(message.find("no such trace file"), std::string::npos) << message;
}

TEST_F(TraceTest, EmptyFileHasNoKeys) {
  for (const TraceFormat format : {TraceFormat::kLirs, TraceFormat::kI32, TraceFormat::kI64}) {
    auto keys = Read(Write("empty", ""), format);
    ASSERT_OK(keys);
    EXPECT_TRUE(keys->empty());
  }
}

TEST(TraceFormatTest, ParsesNames) {
  EXPECT_EQ(ParseTraceFormat("lirs"), TraceFormat::kLirs);
  EXPECT_EQ(ParseTraceFormat("i32"), TraceFormat::kI32);
  EXPECT_EQ(ParseTraceFormat("i64"), TraceFormat::kI64);
  EXPECT_EQ(ParseTraceFormat("I64"), std::nullopt);
  EXPECT_EQ(ParseTraceFormat("arc"), std::nullopt);
}

TEST(TraceFormatTest, InfersFromTheFileNamePrefix) {
  EXPECT_EQ(InferTraceFormat("lirs_gli.trace.gz"), TraceFormat::kLirs);
  EXPECT_EQ(InferTraceFormat("../shared/traces/lirs_loop.trace.gz"), TraceFormat::kLirs);
  EXPECT_EQ(InferTraceFormat("/x/cache2k_orm-busy.trace.xz"), TraceFormat::kI32);
  EXPECT_EQ(InferTraceFormat("corda_trace_vaultservice.gz"), TraceFormat::kI64);
  EXPECT_EQ(InferTraceFormat("traces/scarab_scarab-recs.trace.xz"), TraceFormat::kI64);
  // The prefix of the file name, not of a directory.
  EXPECT_EQ(InferTraceFormat("lirs_dir/web.trace"), std::nullopt);
  EXPECT_EQ(InferTraceFormat("arc_trace.gz"), std::nullopt);
  EXPECT_EQ(InferTraceFormat(""), std::nullopt);
}

}  // namespace
}  // namespace fastbreak::cache
