// Cache access traces (the formats of ../shared/traces), read as a stream of 64-bit keys.
// gzip and xz files are decompressed on the fly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fastbreak::cache {

enum class TraceFormat {
  kLirs,  // text, one decimal key per line; lines that are "*" are skipped
  kI32,   // big-endian 32-bit unsigned keys
  kI64,   // big-endian 64-bit keys
};

// "lirs" / "i32" / "i64".
std::optional<TraceFormat> ParseTraceFormat(std::string_view name);
// From the file name's prefix: lirs_* -> kLirs, cache2k_* -> kI32, corda_* and scarab_* ->
// kI64. nullopt when the prefix is not one of these.
std::optional<TraceFormat> InferTraceFormat(std::string_view path);

// Calls `on_key` for every access in the file, in order. Compression is detected from the
// file's magic bytes (gzip, xz, or none). `on_bytes` (may be empty) is called now and then
// with the compressed bytes consumed so far, for progress. Errors: kNotFound (no file), kIo,
// kParseError (a line that is not a key; a truncated record; a corrupt stream), each naming
// the file and the position.
Status ReadTrace(const std::string& path, TraceFormat format,
                 const std::function<void(uint64_t key)>& on_key,
                 const std::function<void(uint64_t compressed_bytes)>& on_bytes = nullptr);

}  // namespace fastbreak::cache
