// The Redis second level: entries with server-side expiry, LZ4 for large values, tag / prefix /
// key / namespace invalidation, and no stale read even when Redis evicts our bookkeeping.
//
// Key layout (ns = "{key_prefix}:v{schema_version}:", e.g. "fastbreak:v1:"):
//   ns + "e:" + key   the entry: a string, SET ... PX ttl
//   ns + "s:" + tag   the tag set: the entry keys carrying the tag (expiry >= its longest member)
//   ns + "v:" + tag   the tag version: a random token (expiry >= its longest member)
//
// Stored entry bytes: "<n>:" then n x ("<len>:<version key>" "<len>:<token>"), written by the
// Put script with the token each tag had at write time, then the value: one header byte
// (0xA0 | 1 negative | 2 lz4), for lz4 the raw size (4 bytes little-endian), then the bytes.
//
// Tags, and the eviction caveat. Put (one Lua script, so one round trip and atomic) reads each
// tag's version token, creating it with a fresh random token when absent, adds the entry to the
// tag set, extends both expiries to at least the entry's TTL, and stores the entry with those
// tokens. Invalidating a tag (one script per tag, all in one pipeline) deletes the version key,
// then the tag set's members and the set. Get (one script, one round trip) returns the entry
// only if every stored token still equals its version key's current value, plus the PTTL.
// So if an allkeys-* maxmemory policy evicts a tag set, the invalidation still deletes the
// version key and the entries it could not find read as misses; if it evicts a version key,
// its entries read as misses, and the next Put creates a new random token, never one an old
// entry could hold (a counter restarted at 1 could repeat one). Eviction can cause misses,
// never stale reads.
//
// Prefix invalidation SCANs ns + "e:" + prefix + "*" (glob characters escaped) in batches of
// scan_count and UNLINKs what it finds; "all" does the same over ns + "*". An invalidation
// that cannot reach Redis (breaker open, error, timeout) is kept and replayed as soon as
// Redis answers again; until then Get reads nothing from Redis, so an entry an invalidation
// missed is never served.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cache/redis_client.hpp"
#include "cache/second_level.hpp"

namespace fastbreak::telemetry {
class MetricsRegistry;
}

namespace fastbreak::cache {

// Counts since construction (of this cache's metric series: two caches sharing one registry
// share them), for a stats endpoint.
struct RedisCacheStats {
  uint64_t get_hits = 0;
  uint64_t get_misses = 0;   // includes stale and corrupt entries
  uint64_t get_stale = 0;    // entries dropped because a tag was invalidated
  uint64_t get_corrupt = 0;  // entries whose bytes did not decode
  uint64_t puts = 0;
  uint64_t puts_compressed = 0;
  uint64_t invalidations = 0;
  uint64_t errors = 0;      // all operations
  uint64_t timeouts = 0;    // all operations
  uint64_t skipped = 0;     // all operations: breaker open, pool busy, too large, pending
  uint64_t bytes_read = 0;  // value bytes as stored (compressed)
  uint64_t bytes_written = 0;
  bool invalidation_pending = false;
  RedisClientStats client;
};

class RedisCache final : public SecondLevel {
 public:
  // `client` and `metrics` must outlive the cache.
  RedisCache(RedisClient& client, telemetry::MetricsRegistry& metrics);
  ~RedisCache() override;
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  std::optional<StoredValue> Get(std::string_view key) override;
  void Put(std::string_view key, const StoredValue& value, std::chrono::milliseconds ttl,
           const std::vector<std::string>& tags) override;
  void Invalidate(const std::vector<std::string>& tags, const std::vector<std::string>& prefixes,
                  const std::vector<std::string>& keys, bool all) override;
  bool available() const override { return client_.available(); }

  RedisCacheStats Stats() const;

  // Redis key names (see the layout above), for tests and tools.
  std::string EntryKey(std::string_view key) const { return ns_ + "e:" + std::string(key); }
  std::string TagSetKey(std::string_view tag) const { return ns_ + "s:" + std::string(tag); }
  std::string TagVersionKey(std::string_view tag) const { return ns_ + "v:" + std::string(tag); }

 private:
  struct Metrics;
  struct Pending {
    std::set<std::string> tags, prefixes, keys;
    bool all = false;
    bool empty() const { return !all && tags.empty() && prefixes.empty() && keys.empty(); }
    // Adds `other`; collapses into `all` above `limit` items.
    void Merge(Pending&& other, size_t limit);
  };

  // False when Redis must not be read: breaker open, or an invalidation still pending that
  // could not be replayed now.
  bool Ready();
  Status Apply(const Pending& work);
  Status ScanDelete(const std::string& pattern);
  void AddPending(Pending&& work);
  // Replays pending invalidations unless another thread is. True when none is pending after.
  bool TryReplayPending();

  RedisClient& client_;
  const std::string ns_;
  std::unique_ptr<Metrics> metrics_;
  std::mutex replay_mutex_;   // held by the one thread replaying pending_
  std::mutex pending_mutex_;  // guards pending_
  Pending pending_;
  std::atomic<bool> has_pending_{false};  // pending_ non-empty or being replayed
  uint64_t listener_id_ = 0;
};

namespace detail {
// The value part of a stored entry (see the layout above); *compressed tells whether LZ4 won.
std::string EncodeValue(const StoredValue& value, size_t compress_threshold, bool* compressed);
// nullopt for bytes that are not a valid encoding or decode to more than max_value_bytes.
std::optional<StoredValue> DecodeValue(std::string_view bytes, size_t max_value_bytes);
// The tags of an entry's token section ("<n>:" then n x "<len>:<version key>" "<len>:<token>"),
// taken from version keys that start with `version_prefix` (ns + "v:"), appended to `tags`.
// False when the section is malformed.
bool DecodeTags(std::string_view section, std::string_view version_prefix,
                std::vector<std::string>& tags);
// `text` with the SCAN MATCH glob characters (*?[]\) escaped.
std::string EscapeGlob(std::string_view text);
}  // namespace detail

}  // namespace fastbreak::cache
