// The layered cache: L1 (in process) -> L2 (shared, optional) -> compute, with single flight
// per key, tags, dependencies between entries, stale-while-revalidate, invalidation across
// instances over a bus, and analytics.
//
// How a request uses it (the MCP server's tools/call):
//   Found f = cache.Find(group, key);             // I/O thread; a hit is a shared_ptr copy
//   if (f.entry) { reply(f.entry->value()); if (f.stale) refresh(); return; }
//   if (cache.Join(group, key, reply_waiter) == JoinRole::kLeader) {
//     if (!pool.Submit([&] { reply(cache.Fill(request, compute)); }))
//       { cache.Abandon(key, busy); reply(busy); }
//   }
// where refresh() is a Join with no waiter whose leader submits the same Fill.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache_stats.hpp"
#include "cache/l1_cache.hpp"
#include "cache/second_level.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::cache {

struct LayeredOptions {
  L1Options l1;  // its clock, when null, is the LayeredCache's
  // Every group's policy until SetGroupPolicy changes it.
  GroupPolicy default_policy;
  // While the invalidation bus is disconnected, invalidations from other instances may be
  // missed: L1 entries stored then are kept fresh at most this long (no stale window), and the
  // L1 is cleared on disconnect and again on reconnect. 0 = store nothing in the L1 while
  // disconnected (every miss then costs an L2 round trip). Longer: fewer computations during an
  // outage, staler answers.
  std::chrono::milliseconds l1_ttl_while_bus_down{5'000};
};

// What a computation returns.
struct Computed {
  std::string bytes;      // the serialized result
  bool negative = false;  // a "not found" result: cached for the group's negative_ttl
  bool cacheable = true;  // false: delivered to the waiters but stored nowhere
  // Tags known only once the value exists (the ids a result names), added to the request's.
  std::vector<std::string> tags;
  // The fresh TTL chosen for this value; 0 = the request's, else the group's.
  std::chrono::milliseconds ttl{0};
};
using ComputeFn = std::function<Result<Computed>()>;

struct FillRequest {
  GroupId group = 0;
  std::string key;
  std::vector<std::string> tags;
  // Keys this result was derived from: invalidating one of them invalidates this entry too
  // (it carries the tag DependencyTag(k), in both levels, and the tags of k's L1 entry).
  std::vector<std::string> depends_on;
  std::chrono::milliseconds ttl{0};  // 0 = the group's ttl (negative_ttl for negative results)
};

struct Served {
  std::shared_ptr<const Entry> entry;
  Level level = Level::kComputed;  // kL1, kL2 or kComputed for a Fill
};
// Receives a single-flight computation's outcome, on the thread that completed it. Must not
// call back into Join/Fill/Abandon for the same key.
using Waiter = std::function<void(const Result<Served>&)>;

enum class JoinRole { kLeader, kFollower };

struct Found {
  std::shared_ptr<const Entry> entry;  // nullptr on a miss
  bool stale = false;  // past its fresh TTL, in the group's stale window: serve and refresh
  MissReason reason = MissReason::kCold;  // on a miss
};

struct InvalidationReport {
  size_t removed_l1 = 0;
  bool l2 = false;         // the L2 was available and asked to invalidate
  bool broadcast = false;  // published on the bus
  std::optional<Error> broadcast_error;
};

// The implicit tag carried by every entry that names `key` in FillRequest::depends_on.
std::string DependencyTag(std::string_view key);

// Thread-safe.
class LayeredCache {
 public:
  // `groups`: the group names (tool names), indexed by GroupId. `l2` and `bus` may be null
  // (single instance); when set, they and `registry` and `clock` must outlive the cache, and
  // the bus must not call its handlers after Start returns an error.
  LayeredCache(const LayeredOptions& options, std::vector<std::string> groups, SecondLevel* l2,
               InvalidationBus* bus, telemetry::MetricsRegistry& registry, const Clock& clock);
  // After destruction, bus handlers still running on the bus's thread do nothing.
  ~LayeredCache();
  LayeredCache(const LayeredCache&) = delete;
  LayeredCache& operator=(const LayeredCache&) = delete;

  // Subscribes to the bus (no-op without one). Call once.
  Status Start();

  std::optional<GroupId> FindGroup(std::string_view name) const;
  const std::vector<std::string>& groups() const { return groups_; }

  // The request path. A fresh L1 entry, or a stale one when the group has a stale window
  // (flagged: serve it and refresh through Join + Fill). Misses are counted by reason.
  // REQUIRES for every GroupId argument: group < groups().size().
  Found Find(GroupId group, std::string_view key);
  // True when a fresh entry for `key` is in the L1 (for warming).
  bool Contains(std::string_view key) const { return l1_.Contains(key); }

  // Single flight. The first caller for a key with no computation in flight is the leader: its
  // `waiter` is dropped, and it must then call Fill (and use its result) or Abandon, exactly
  // once. Later callers are followers: `waiter` (may be empty) is called when the computation
  // ends.
  JoinRole Join(GroupId group, std::string_view key, Waiter waiter);
  // Serves `request.key` from the L1 (when fresh), else the L2 (promoted into the L1 with
  // TTL min(group ttl, L2 ttl left)), else `compute` (stored in both levels, with the request's
  // tags, unless not cacheable or an invalidation ran meanwhile). Completes the waiters of the
  // key's flight (before writing the L2), then returns. Works without a prior Join (warming):
  // then it opens the flight itself, so concurrent Joins wait for it.
  Result<Served> Fill(const FillRequest& request, const ComputeFn& compute);
  // Ends the key's flight with `error` for its followers. No effect when a Fill owns it.
  void Abandon(std::string_view key, const Error& error);

  // Drops matching entries here (with their dependents), in the L2, and publishes the
  // invalidation for the other instances. Fills running meanwhile deliver but do not store.
  InvalidationReport Invalidate(const Invalidation& invalidation);
  // The bus handlers (public for tests): another instance's invalidation (L1 only; the sender
  // did the L2), and the subscription breaking / coming back (both clear the L1).
  void OnBusMessage(const Invalidation& invalidation);
  void OnBusDisconnect();
  void OnBusReconnect();

  void SetGroupPolicy(GroupId group, const GroupPolicy& policy);
  GroupPolicy GetGroupPolicy(GroupId group) const;

  // The caller reports the end-to-end duration of an answer served from `level`.
  void RecordLatency(GroupId group, Level level, Clock::Duration duration) {
    metrics_->RecordLatency(group, level, duration);
  }

  // Maintenance (a background thread, every second or so): removes expired L1 entries (at
  // most `max_per_shard` per shard) and exports sizes and eviction counts to the metrics.
  // Returns the number removed.
  size_t Maintain(size_t max_per_shard = 4096);

  CacheSnapshot Snapshot() const;
  std::vector<HotKey> HotKeys(size_t n) const { return l1_.HotKeys(n); }
  L1Cache& l1() { return l1_; }

 private:
  struct GroupState;
  struct FlightShard;
  struct BusLink;

  FlightShard& FlightShardFor(std::string_view key) const;
  bool ClaimFlight(std::string_view key);
  void Complete(std::string_view key, const Result<Served>& result);
  std::shared_ptr<const Entry> MakeEntry(const FillRequest& request, const GroupPolicy& policy,
                                         std::string_view bytes, bool negative,
                                         std::chrono::milliseconds ttl_left, Clock::Duration cost,
                                         const std::vector<std::string>& extra_tags,
                                         std::chrono::milliseconds chosen_ttl) const;
  FillOutcome StoreL1(const std::shared_ptr<const Entry>& entry, uint64_t epoch);
  size_t ApplyLocal(const Invalidation& invalidation);
  bool BusDown() const;

  const LayeredOptions options_;
  const std::vector<std::string> groups_;
  SecondLevel* const l2_;
  InvalidationBus* const bus_;
  const Clock& clock_;
  L1Cache l1_;
  std::unique_ptr<CacheMetrics> metrics_;
  std::unique_ptr<GroupState[]> group_state_;
  std::unique_ptr<FlightShard[]> flights_;
  std::shared_ptr<BusLink> bus_link_;
};

}  // namespace fastbreak::cache
