// The in-process first cache level: serialized results by key, sharded so that threads rarely
// share a lock, bounded in entries (by the admission/eviction Policy) and in bytes, with TTLs,
// a stale-while-revalidate window, tags, and accounting of why entries leave and why lookups
// miss.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/policy.hpp"
#include "core/clock.hpp"

namespace fastbreak::cache {

// Index of a group of keys (in the server: one MCP tool), given by the layered cache.
using GroupId = uint32_t;

// One cached result. Immutable once published: readers share it through
// std::shared_ptr<const Entry> and never copy the bytes. The key and the value share one
// buffer (key first), so the key comparison of a hit loads the first bytes of the value that
// the caller is about to send.
class Entry {
 public:
  Entry(std::string_view key, std::string_view value) : key_size_(key.size()) {
    data_.reserve(key.size() + value.size());
    data_.append(key).append(value);
  }

  std::string_view key() const { return std::string_view(data_).substr(0, key_size_); }
  std::string_view value() const { return std::string_view(data_).substr(key_size_); }
  // Bytes of key + value.
  size_t size() const { return data_.size(); }

  std::vector<std::string> tags;  // invalidation tags, including "key:<k>" dependency tags
  GroupId group = 0;
  bool negative = false;  // a cached "not found" result
  Clock::TimePoint stored_at{};
  Clock::TimePoint fresh_until{};   // served as fresh before this instant
  Clock::TimePoint stale_until{};   // served as stale before this, gone after; >= fresh_until
  Clock::Duration compute_cost{0};  // how long computing the value took (0 when from L2)

 private:
  std::string data_;
  size_t key_size_;
};

// Why a lookup missed, from the ghost record of recently removed keys.
enum class MissReason : uint8_t {
  kCold,         // never seen, or removed too long ago to remember
  kExpired,      // its TTL ran out
  kEvicted,      // removed (or refused) to respect the entry or byte bound
  kInvalidated,  // removed by an invalidation or a Clear
};
inline constexpr size_t kMissReasonCount = 4;
std::string_view MissReasonName(MissReason reason);  // "cold", "expired", ...

// Why an entry left the cache.
enum class RemovalCause : uint8_t {
  kSize,         // the policy evicted it to respect max_entries
  kBytes,        // evicted to respect max_bytes
  kExpired,      // past its stale_until (found on read or by SweepExpired)
  kInvalidated,  // Remove, InvalidateTag, InvalidatePrefix
  kReplaced,     // a newer value was stored under its key
  kCleared,      // Clear
};
inline constexpr size_t kRemovalCauseCount = 6;
std::string_view RemovalCauseName(RemovalCause cause);  // "size", "bytes", ...

enum class PutOutcome : uint8_t {
  kStored,
  kRejected,     // the policy declined to admit it, or it was evicted at once for bytes
  kTooLarge,     // its weight exceeds one shard's byte share
  kInvalidated,  // an invalidation ran since the caller's epoch: not stored
};

struct L1Options {
  // Upper bound on resident entries, over all shards (each shard gets max_entries / shards).
  size_t max_entries = 100'000;
  // Upper bound on the summed EntryWeight of resident entries. Each shard gets
  // max_bytes / shards, so one value can be at most that large.
  size_t max_bytes = size_t{512} << 20;
  // Number of independently locked shards; rounded up to a power of two, and lowered so that
  // each shard holds at least one entry. More shards: less lock contention, coarser bounds.
  size_t shards = 16;
  PolicyKind policy = PolicyKind::kAdaptive;
  // Time source for TTLs; nullptr = SystemClock. Must outlive the cache.
  const Clock* clock = nullptr;
  // Recently removed keys remembered to classify misses; 0 = as many as max_entries. Costs
  // 9 bytes per slot.
  size_t ghost_entries = 0;
  // When `clock` is the SystemClock, read the time of a lookup from CLOCK_MONOTONIC_COARSE
  // (the same clock at kernel-tick resolution, ~5 ns instead of ~27 ns a read): an entry may
  // then be served up to one tick (<= 4 ms) past its TTL.
  bool coarse_clock = true;
};

// A consistent-per-shard, summed view of the cache's counters.
struct L1Stats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t max_entries = 0;
  uint64_t max_bytes = 0;
  uint64_t shards = 0;
  uint64_t hits = 0;  // fresh and stale
  uint64_t stale_hits = 0;
  uint64_t misses = 0;
  std::array<uint64_t, kMissReasonCount> misses_by_reason{};
  std::array<uint64_t, kRemovalCauseCount> removals{};
  uint64_t admission_rejections = 0;  // new entries the policy declined
  uint64_t oversize_rejections = 0;   // values larger than a shard's byte share
  uint64_t largest_shard_entries = 0;
  uint64_t largest_shard_bytes = 0;
  uint64_t epoch = 0;  // invalidations so far
};

struct HotKey {
  std::shared_ptr<const Entry> entry;
  // Hits since it was first stored (kept across replacements), as seen by the policy: exact
  // while each thread makes fewer than 32 hits on a shard between two writes to it, sampled
  // beyond. Good for ranking, not for accounting.
  uint64_t hits = 0;
};

// Bytes an entry is charged against max_bytes: key, value, tags and a fixed estimate of the
// bookkeeping around them (its 64-byte table slot is preallocated, see L1Cache).
size_t EntryWeight(const Entry& entry);

// Thread-safe. A key's operations touch only its shard; InvalidateTag, InvalidatePrefix, Clear,
// SweepExpired, HotKeys and Stats visit the shards one at a time. Each shard is a big-reader
// lock: a lookup (Find, Peek, Contains) locks only the calling thread's cell of the shard and
// writes only that cell, so concurrent hits do not contend; everything else locks all the
// shard's cells. Hits reach the policy late, replayed by the next write to the shard (each
// thread's last 32 hits on the shard: a recency sample when there are more).
// Memory besides the entries: a slot table of 64-byte slots sized for max_entries at load <= 2/3
// (about 100-170 bytes per max entry), and 16 x 10 KB of per-thread cells per shard, allocated
// up front.
class L1Cache {
 public:
  explicit L1Cache(const L1Options& options);
  ~L1Cache();
  L1Cache(const L1Cache&) = delete;
  L1Cache& operator=(const L1Cache&) = delete;

  struct Lookup {
    std::shared_ptr<const Entry> entry;     // nullptr on a miss
    bool stale = false;                     // past fresh_until (only when allow_stale)
    MissReason reason = MissReason::kCold;  // why it missed (when entry is nullptr)
  };
  // The entry for `key`. A stale entry is returned (flagged) when `allow_stale`, else it is a
  // miss (kExpired) and stays resident. An entry past stale_until is removed. Counts a hit or a
  // miss. Locks only the calling thread's cell of the key's shard; allocation-free except when
  // it starts aliasing a hot entry. The shared_ptr may be such an alias: the same Entry under a
  // control block of the calling thread's, so that threads hitting one key do not all write
  // one reference count (compare entries with get(), not by owner).
  Lookup Find(std::string_view key, bool allow_stale = false);
  // The resident entry for `key` without counting or touching the policy: fresh only, or also
  // stale when `allow_stale`; nullptr otherwise.
  std::shared_ptr<const Entry> Peek(std::string_view key, bool allow_stale = false) const;
  // True when a fresh entry for `key` is resident.
  bool Contains(std::string_view key) const { return Peek(key) != nullptr; }

  // Stores `entry` (replacing any entry under its key), unless `expected_epoch` is given and
  // an invalidation ran since epoch() returned it; the check is made under the shard's lock,
  // so an invalidation either sees the entry and removes it or makes the store fail.
  // REQUIRES: entry->stale_until >= entry->fresh_until.
  PutOutcome Put(std::shared_ptr<const Entry> entry,
                 std::optional<uint64_t> expected_epoch = std::nullopt);

  // Invalidations: each bumps epoch() first, then removes. They return the number removed.
  size_t Remove(std::string_view key);
  size_t InvalidateTag(std::string_view tag);
  size_t InvalidatePrefix(std::string_view prefix);  // scans every entry
  size_t Clear();

  // Removes entries past stale_until, at most `max_per_shard` per shard. Cost: O(removed
  // log n) (a per-shard min-heap on expiry). For a maintenance thread.
  size_t SweepExpired(size_t max_per_shard = SIZE_MAX);

  // The `n` most hit resident entries, most hit first. Visits every entry.
  std::vector<HotKey> HotKeys(size_t n) const;

  L1Stats Stats() const;
  // Number of invalidations so far (see Put).
  uint64_t epoch() const;
  const Clock& clock() const { return *clock_; }

 private:
  struct Shard;
  Shard& ShardFor(uint64_t hash) const;
  int64_t LookupNanos() const;  // the time a lookup checks expiry against
  template <typename Match>
  size_t RemoveMatching(Match match);

  const Clock* clock_;
  bool coarse_clock_;
  int shard_shift_;  // shard = hash >> shard_shift_ (64 = one shard)
  size_t shard_count_;
  size_t shard_max_bytes_;
  std::unique_ptr<Shard[]> shards_;
  struct alignas(64) Epoch {
    std::atomic<uint64_t> value{0};
  } epoch_;
};

namespace detail {

// A fast 64-bit hash of a string (wyhash-style multiply-mix), good in both high and low bits:
// the L1 picks the shard from the high bits, its slot from the low bits, and hands the whole
// hash to the policy. Never 0.
inline uint64_t Mix64(uint64_t a, uint64_t b) {
  __extension__ using U128 = unsigned __int128;
  const U128 product = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t HashKey(std::string_view key) {
  constexpr uint64_t k0 = 0xa0761d6478bd642fULL;
  constexpr uint64_t k1 = 0xe7037ed1a0b428dbULL;
  constexpr uint64_t k2 = 0x8ebc6af09c88c6e3ULL;
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = k0 ^ Mix64(n, k2);
  while (n > 16) {
    h = Mix64(Load64(p) ^ k1, Load64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0;
  uint64_t b = 0;
  if (n >= 8) {
    a = Load64(p);
    b = Load64(p + n - 8);
  } else if (n >= 4) {
    a = Load32(p);
    b = Load32(p + n - 4);
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    a = (uint64_t{u[0]} << 16) | (uint64_t{u[n >> 1]} << 8) | u[n - 1];
  }
  const uint64_t hash = Mix64(a ^ k1 ^ key.size(), Mix64(b ^ k2, h));
  return hash != 0 ? hash : 1;  // 0 marks an empty slot in the L1's table
}

}  // namespace detail
}  // namespace fastbreak::cache
