#include "cache/cache_sim.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/json_text.hpp"
#include "core/progress.hpp"

namespace fastbreak::cache {
namespace {

// A JSON string literal.
std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

}  // namespace

Result<SimResult> Simulate(const SimOptions& options) {
  if (options.entries == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "cache-sim: --entries must be at least 1");
  }
  const std::optional<TraceFormat> format =
      options.format ? options.format : InferTraceFormat(options.trace_path);
  if (!format) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{}: cannot infer the trace format from the file name (expected a lirs_, "
                     "cache2k_, corda_ or scarab_ prefix); give the format explicitly",
                     options.trace_path);
  }

  std::unique_ptr<Policy> policy = MakePolicy(options.policy, options.entries);
  SimResult result;
  std::vector<uint64_t> evicted;
  evicted.reserve(16);

  std::optional<ProgressBar> progress;
  if (options.progress) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(options.trace_path, ec);
    progress.emplace(std::filesystem::path(options.trace_path).filename().string(),
                     ec ? 0 : static_cast<int64_t>(size), "bytes");
  }

  const auto start = std::chrono::steady_clock::now();
  Status status = ReadTrace(
      options.trace_path, *format,
      [&](uint64_t key) {
        ++result.accesses;
        if (policy->Contains(key)) {
          ++result.hits;
          policy->OnHit(key);
        } else {
          evicted.clear();
          policy->OnMiss(key, evicted);
        }
      },
      [&](uint64_t compressed_bytes) {
        if (progress) progress->Update(static_cast<int64_t>(compressed_bytes));
      });
  if (progress) progress->Finish();
  if (!status) return tl::unexpected<Error>(std::move(status).error());

  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.hit_ratio = result.accesses == 0 ? 0 : static_cast<double>(result.hits) / result.accesses;
  result.policy = policy->stats();
  return result;
}

std::string SimResultJson(const SimOptions& options, const SimResult& result) {
  const std::string trace = std::filesystem::path(options.trace_path).filename().string();
  return fmt::format(
      "{{\"trace\":{},\"policy\":{},\"entries\":{},\"accesses\":{},\"hits\":{},"
      "\"hit_ratio\":{:.6f},\"admitted\":{},\"rejected\":{},\"evicted\":{},"
      "\"window_fraction\":{:.4f},\"adaptations\":{},\"seconds\":{:.3f}}}",
      JsonString(trace), JsonString(PolicyKindName(options.policy)), options.entries,
      result.accesses, result.hits, result.hit_ratio, result.policy.admitted,
      result.policy.rejected, result.policy.evicted, result.policy.window_fraction,
      result.policy.adaptations, result.seconds);
}

}  // namespace fastbreak::cache
