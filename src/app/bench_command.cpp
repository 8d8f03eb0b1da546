#include <fmt/format.h>

#include "app/commands.hpp"
#include "cache/cache_sim.hpp"

namespace fastbreak::app {

int RunCacheSim(const CacheSimArgs& args) {
  cache::SimOptions options;
  options.trace_path = args.trace;
  options.entries = static_cast<size_t>(args.entries);
  options.progress = !args.quiet;
  auto policy = cache::ParsePolicyKind(args.policy);
  if (!policy) {
    fmt::print(stderr, "fastbreak: unknown --policy '{}' (use fastbreak or lru)\n", args.policy);
    return kExitUsage;
  }
  options.policy = *policy;
  if (!args.format.empty()) {
    options.format = cache::ParseTraceFormat(args.format);
    if (!options.format) {
      fmt::print(stderr, "fastbreak: unknown --format '{}' (use lirs, i32 or i64)\n", args.format);
      return kExitUsage;
    }
  } else if (!cache::InferTraceFormat(args.trace)) {
    fmt::print(stderr,
               "fastbreak: cannot tell the format of '{}' from its name (lirs_*, cache2k_*, "
               "corda_*, scarab_*); give --format lirs|i32|i64\n",
               args.trace);
    return kExitUsage;
  }
  auto result = cache::Simulate(options);
  if (!result) {
    fmt::print(stderr, "fastbreak: {}\n", result.error().message);
    return kExitFailure;
  }
  fmt::print("{}\n", cache::SimResultJson(options, *result));
  return kExitOk;
}

}  // namespace fastbreak::app
