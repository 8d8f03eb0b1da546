#include "cache/trace.hpp"

#include <lzma.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace fastbreak::cache {
namespace {

constexpr size_t kChunk = 1 << 16;

enum class Compression { kNone, kGzip, kXz };

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The decompressed bytes of a trace file, read in chunks. Compression is detected from the
// first bytes of the file.
class ByteStream {
 public:
  ByteStream(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  ~ByteStream() {
    if (compression_ == Compression::kGzip) inflateEnd(&zlib_);
    if (compression_ == Compression::kXz) lzma_end(&xz_);
  }
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  Status Open() {
    FB_RETURN_IF_ERROR(FillInput());
    static constexpr std::array<uint8_t, 2> kGzipMagic = {0x1f, 0x8b};
    static constexpr std::array<uint8_t, 6> kXzMagic = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    if (in_len_ >= kGzipMagic.size() && std::memcmp(in_.data(), kGzipMagic.data(), 2) == 0) {
      zlib_ = z_stream{};
      // 15 + 16: a gzip wrapper, the largest window.
      if (inflateInit2(&zlib_, 15 + 16) != Z_OK) {
        return MakeError(ErrorCode::kInternal, "{}: cannot start a gzip decoder", path_);
      }
      compression_ = Compression::kGzip;
    } else if (in_len_ >= kXzMagic.size() &&
               std::memcmp(in_.data(), kXzMagic.data(), kXzMagic.size()) == 0) {
      xz_ = LZMA_STREAM_INIT;
      if (lzma_stream_decoder(&xz_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
        return MakeError(ErrorCode::kInternal, "{}: cannot start an xz decoder", path_);
      }
      compression_ = Compression::kXz;
    }
    return Ok();
  }

  // Up to `capacity` decompressed bytes into `out`; 0 at the end of the stream.
  Result<size_t> Read(uint8_t* out, size_t capacity) {
    switch (compression_) {
      case Compression::kNone:
        return ReadPlain(out, capacity);
      case Compression::kGzip:
        return ReadGzip(out, capacity);
      case Compression::kXz:
        return ReadXz(out, capacity);
    }
    return size_t{0};
  }

  uint64_t compressed_bytes() const { return consumed_; }

 private:
  // Refills the input buffer when it is empty; sets eof_ at the end of the file.
  Status FillInput() {
    if (in_pos_ < in_len_ || eof_) return Ok();
    in_len_ = std::fread(in_.data(), 1, in_.size(), file_.get());
    in_pos_ = 0;
    if (in_len_ < in_.size()) {
      if (std::ferror(file_.get()) != 0) {
        return MakeError(ErrorCode::kIo, "{}: read error at byte {}: {}", path_, file_offset_,
                         std::strerror(errno));
      }
      eof_ = true;
    }
    file_offset_ += in_len_;
    return Ok();
  }

  Result<size_t> ReadPlain(uint8_t* out, size_t capacity) {
    FB_RETURN_IF_ERROR(FillInput());
    const size_t n = std::min(capacity, in_len_ - in_pos_);
    std::memcpy(out, in_.data() + in_pos_, n);
    in_pos_ += n;
    consumed_ += n;
    return n;
  }

  Result<size_t> ReadGzip(uint8_t* out, size_t capacity) {
    size_t produced = 0;
    while (produced == 0) {
      FB_RETURN_IF_ERROR(FillInput());
      if (in_pos_ == in_len_ && eof_) {
        if (member_open_) return Corrupt("truncated gzip stream");
        return size_t{0};
      }
      zlib_.next_in = in_.data() + in_pos_;
      zlib_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      zlib_.next_out = out;
      zlib_.avail_out = static_cast<uInt>(capacity);
      const int rc = inflate(&zlib_, Z_NO_FLUSH);
      const size_t used = (in_len_ - in_pos_) - zlib_.avail_in;
      in_pos_ += used;
      consumed_ += used;
      produced = capacity - zlib_.avail_out;
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow (concatenated files are valid gzip).
        member_open_ = false;
        inflateReset(&zlib_);
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Corrupt(
            fmt::format("corrupt gzip stream ({})", zlib_.msg != nullptr ? zlib_.msg : zError(rc)));
      }
      if (used > 0 || produced > 0) member_open_ = true;
    }
    return produced;
  }

  Result<size_t> ReadXz(uint8_t* out, size_t capacity) {
    if (xz_done_) return size_t{0};
    size_t produced = 0;
    while (produced == 0) {
      FB_RETURN_IF_ERROR(FillInput());
      xz_.next_in = in_.data() + in_pos_;
      xz_.avail_in = in_len_ - in_pos_;
      xz_.next_out = out;
      xz_.avail_out = capacity;
      const lzma_action action = (eof_ && in_pos_ == in_len_) ? LZMA_FINISH : LZMA_RUN;
      const lzma_ret rc = lzma_code(&xz_, action);
      const size_t used = (in_len_ - in_pos_) - xz_.avail_in;
      in_pos_ += used;
      consumed_ += used;
      produced = capacity - xz_.avail_out;
      if (rc == LZMA_STREAM_END) {
        xz_done_ = true;
        return produced;
      }
      if (rc == LZMA_BUF_ERROR && action == LZMA_FINISH) {
        return Corrupt("truncated xz stream");
      }
      if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
        return Corrupt(fmt::format("corrupt xz stream (liblzma error {})", static_cast<int>(rc)));
      }
    }
    return produced;
  }

  tl::unexpected<Error> Corrupt(const std::string& what) const {
    return MakeError(ErrorCode::kParseError, "{}: {} at compressed byte {}", path_, what,
                     consumed_);
  }

  std::string path_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  Compression compression_ = Compression::kNone;
  std::vector<uint8_t> in_ = std::vector<uint8_t>(kChunk);
  size_t in_len_ = 0;
  size_t in_pos_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = 0;
  uint64_t file_offset_ = 0;
  z_stream zlib_{};
  bool member_open_ = false;
  lzma_stream xz_ = LZMA_STREAM_INIT;
  bool xz_done_ = false;
};

// Parses "lirs" text: one decimal key per line; blank lines and "*" lines are skipped.
class LirsParser {
 public:
  explicit LirsParser(const std::string& path) : path_(path) {}

  Status Feed(const uint8_t* data, size_t n, const std::function<void(uint64_t)>& on_key) {
    for (size_t i = 0; i < n; ++i) {
      const char c = static_cast<char>(data[i]);
      if (c == '\n') {
        FB_RETURN_IF_ERROR(EndLine(on_key));
      } else {
        if (line_.size() < kMaxLine) line_.push_back(c);
      }
    }
    return Ok();
  }

  Status Finish(const std::function<void(uint64_t)>& on_key) {
    if (!line_.empty()) return EndLine(on_key);
    return Ok();
  }

 private:
  static constexpr size_t kMaxLine = 64;

  Status EndLine(const std::function<void(uint64_t)>& on_key) {
    ++line_number_;
    std::string_view text(line_);
    while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    if (text.empty() || text == "*") {
      line_.clear();
      return Ok();
    }
    uint64_t key = 0;
    for (const char c : text) {
      const bool digit = c >= '0' && c <= '9';
      const auto d = static_cast<uint64_t>(c - '0');
      if (!digit || key > (UINT64_MAX - d) / 10) {
        return MakeError(ErrorCode::kParseError, "{}: line {}: not a key: '{}'", path_,
                         line_number_, text);
      }
      key = key * 10 + d;
    }
    line_.clear();
    on_key(key);
    return Ok();
  }

  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

  const std::string& path_;
  std::string line_;
  uint64_t line_number_ = 0;
};

// Parses big-endian fixed-width records (4 or 8 bytes).
class BinaryParser {
 public:
  BinaryParser(const std::string& path, size_t width) : path_(path), width_(width) {}

  void Feed(const uint8_t* data, size_t n, const std::function<void(uint64_t)>& on_key) {
    size_t i = 0;
    while (partial_ > 0 && i < n) {
      pending_ = (pending_ << 8) | data[i++];
      if (++partial_ == width_) Emit(on_key);
    }
    const size_t whole = (n - i) / width_ * width_;
    for (const size_t end = i + whole; i < end; i += width_) {
      uint64_t key = 0;
      for (size_t b = 0; b < width_; ++b) key = (key << 8) | data[i + b];
      on_key(key);
      ++records_;
    }
    for (; i < n; ++i) {
      pending_ = (pending_ << 8) | data[i];
      ++partial_;
    }
  }

  Status Finish() const {
    if (partial_ == 0) return Ok();
    return MakeError(ErrorCode::kParseError,
                     "{}: truncated record at byte {} (record {}): {} of {} bytes", path_,
                     records_ * width_, records_ + 1, partial_, width_);
  }

 private:
  void Emit(const std::function<void(uint64_t)>& on_key) {
    on_key(pending_);
    ++records_;
    pending_ = 0;
    partial_ = 0;
  }

  const std::string& path_;
  size_t width_;
  uint64_t pending_ = 0;
  size_t partial_ = 0;
  uint64_t records_ = 0;
};

}  // namespace

std::optional<TraceFormat> ParseTraceFormat(std::string_view name) {
  if (name == "lirs") return TraceFormat::kLirs;
  if (name == "i32") return TraceFormat::kI32;
  if (name == "i64") return TraceFormat::kI64;
  return std::nullopt;
}

std::optional<TraceFormat> InferTraceFormat(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name.starts_with("lirs_")) return TraceFormat::kLirs;
  if (name.starts_with("cache2k_")) return TraceFormat::kI32;
  if (name.starts_with("corda_") || name.starts_with("scarab_")) return TraceFormat::kI64;
  return std::nullopt;
}

Status ReadTrace(const std::string& path, TraceFormat format,
                 const std::function<void(uint64_t key)>& on_key,
                 const std::function<void(uint64_t compressed_bytes)>& on_bytes) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    if (err == ENOENT) return MakeError(ErrorCode::kNotFound, "{}: no such trace file", path);
    return MakeError(ErrorCode::kIo, "{}: cannot open: {}", path, std::strerror(err));
  }
  ByteStream stream(path, file);
  FB_RETURN_IF_ERROR(stream.Open());

  LirsParser lirs(path);
  BinaryParser binary(path, format == TraceFormat::kI32 ? 4 : 8);
  std::vector<uint8_t> buffer(4 * kChunk);
  uint64_t reported = 0;
  while (true) {
    FB_ASSIGN_OR_RETURN(const size_t n, stream.Read(buffer.data(), buffer.size()));
    if (n == 0) break;
    if (format == TraceFormat::kLirs) {
      FB_RETURN_IF_ERROR(lirs.Feed(buffer.data(), n, on_key));
    } else {
      binary.Feed(buffer.data(), n, on_key);
    }
    if (on_bytes && stream.compressed_bytes() != reported) {
      reported = stream.compressed_bytes();
      on_bytes(reported);
    }
  }
  if (format == TraceFormat::kLirs) return lirs.Finish(on_key);
  return binary.Finish();
}

}  // namespace fastbreak::cache
