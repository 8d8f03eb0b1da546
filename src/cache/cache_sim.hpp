// Replays an access trace against the L1 policy: `fastbreak bench cache-sim`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "cache/policy.hpp"
#include "cache/trace.hpp"
#include "core/error.hpp"

namespace fastbreak::cache {

struct SimOptions {
  std::string trace_path;
  size_t entries = 0;  // cache capacity in entries, >= 1
  PolicyKind policy = PolicyKind::kAdaptive;
  std::optional<TraceFormat> format;  // nullopt: inferred from the file name
  bool progress = false;              // a progress bar on stderr
};

struct SimResult {
  uint64_t accesses = 0;
  uint64_t hits = 0;
  double hit_ratio = 0;  // hits / accesses, 0 for an empty trace
  PolicyStats policy;
  double seconds = 0;  // wall time of the replay
};

Result<SimResult> Simulate(const SimOptions& options);

// {"trace":"lirs_gli.trace.gz","policy":"fastbreak","entries":1000,"accesses":...,
//  "hits":...,"hit_ratio":0.5079, ...} on one line.
std::string SimResultJson(const SimOptions& options, const SimResult& result);

}  // namespace fastbreak::cache
