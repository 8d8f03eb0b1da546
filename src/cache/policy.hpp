// The L1 cache's admission and eviction policy: decides which keys stay resident in a cache of
// a fixed number of entries. The same code runs in the server's L1 shards and in
// `fastbreak bench cache-sim`, so the hit ratios measured on traces are the server's.
//
// Keys are 64-bit hashes; the policy keeps no values. Not thread-safe: each L1 shard owns one
// policy and calls it under the shard's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace fastbreak::cache {

enum class PolicyKind {
  kAdaptive,  // fastbreak's policy: good on recency-, frequency- and scan-heavy workloads
  kLru,       // plain least-recently-used, the baseline
};

// "fastbreak" / "adaptive" -> kAdaptive, "lru" -> kLru; nullopt otherwise.
std::optional<PolicyKind> ParsePolicyKind(std::string_view name);
std::string_view PolicyKindName(PolicyKind kind);

struct PolicyStats {
  uint64_t admitted = 0;
  uint64_t rejected = 0;  // misses the policy chose not to keep (admission filter)
  uint64_t evicted = 0;   // residents removed to make room
  // Free-form description of the policy's current adaptive state, e.g. "window 12%".
  // kAdaptive: the admission window of the W-TinyLFU expert it follows (1 = LRU), or 0.01 (the
  // HIR share) while it follows LIRS. kLru: 0.
  double window_fraction = 0;
  uint64_t adaptations = 0;  // how often the policy changed its configuration
};

class Policy {
 public:
  virtual ~Policy() = default;

  // True when `key` is resident.
  virtual bool Contains(uint64_t key) const = 0;
  // Records an access to a resident key (a hit). REQUIRES: Contains(key).
  virtual void OnHit(uint64_t key) = 0;
  // Records an access to a key that is not resident (a miss) and decides whether to keep it.
  // Returns true when `key` is now resident. Keys removed to make room are appended to
  // `evicted` (the caller drops their values); `key` itself is never in `evicted`.
  virtual bool OnMiss(uint64_t key, std::vector<uint64_t>& evicted) = 0;
  // Forgets a resident key that the cache dropped for its own reasons (expired, invalidated,
  // replaced, over the byte bound). No effect when not resident.
  virtual void Remove(uint64_t key) = 0;
  // Picks the key the policy would evict next, removes it and returns it; nullopt when empty.
  // The L1 uses it to get back under its byte bound.
  virtual std::optional<uint64_t> EvictOne() = 0;
  // Forgets everything, including frequency history.
  virtual void Clear() = 0;

  virtual size_t size() const = 0;
  virtual size_t capacity() const = 0;
  virtual PolicyStats stats() const = 0;
};

// A policy for `capacity` entries (>= 1).
std::unique_ptr<Policy> MakePolicy(PolicyKind kind, size_t capacity);

}  // namespace fastbreak::cache
