#include "cache/layered_cache.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace fastbreak::cache {
namespace {

using std::chrono::milliseconds;

constexpr size_t kFlightShards = 16;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return detail::HashKey(s); }
};

}  // namespace

std::string DependencyTag(std::string_view key) {
  std::string tag = "key:";
  tag.append(key);
  return tag;
}

// A group's policy as atomics: Find reads them without a lock. A concurrent SetGroupPolicy may
// be seen field by field, which is harmless (each field is valid on its own).
struct LayeredCache::GroupState {
  std::atomic<bool> enabled{true};
  std::atomic<int64_t> ttl_ms{0};
  std::atomic<int64_t> stale_ms{0};
  std::atomic<int64_t> negative_ms{0};
};

// Computations in flight, by key. A flight is opened by Join (unclaimed: its leader has not
// started) or by Fill (claimed). Only the Fill that claimed a flight completes it; Abandon ends
// only unclaimed ones.
struct alignas(64) LayeredCache::FlightShard {
  struct Flight {
    std::vector<Waiter> waiters;
    bool claimed = false;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Flight, StringHash, std::equal_to<>> flights;
};

// Lets bus handlers outlive the cache: they reach it through `cache`, which the destructor
// clears under `mutex` (waiting for a handler that is running).
struct LayeredCache::BusLink {
  std::mutex mutex;
  LayeredCache* cache = nullptr;
};

LayeredCache::LayeredCache(const LayeredOptions& options, std::vector<std::string> groups,
                           SecondLevel* l2, InvalidationBus* bus,
                           telemetry::MetricsRegistry& registry, const Clock& clock)
    : options_(options),
      groups_(std::move(groups)),
      l2_(l2),
      bus_(bus),
      clock_(clock),
      l1_([&] {
        L1Options l1 = options.l1;
        if (l1.clock == nullptr) l1.clock = &clock;
        return l1;
      }()),
      metrics_(std::make_unique<CacheMetrics>(registry, groups_)),
      group_state_(std::make_unique<GroupState[]>(groups_.size())),
      flights_(std::make_unique<FlightShard[]>(kFlightShards)),
      bus_link_(std::make_shared<BusLink>()) {
  for (GroupId g = 0; g < groups_.size(); ++g) SetGroupPolicy(g, options.default_policy);
  bus_link_->cache = this;
}

LayeredCache::~LayeredCache() {
  std::lock_guard lock(bus_link_->mutex);
  bus_link_->cache = nullptr;
}

Status LayeredCache::Start() {
  if (bus_ == nullptr) return Ok();
  InvalidationBus::Handlers handlers;
  handlers.on_message = [link = bus_link_](const Invalidation& invalidation) {
    std::lock_guard lock(link->mutex);
    if (link->cache != nullptr) link->cache->OnBusMessage(invalidation);
  };
  handlers.on_disconnect = [link = bus_link_] {
    std::lock_guard lock(link->mutex);
    if (link->cache != nullptr) link->cache->OnBusDisconnect();
  };
  handlers.on_reconnect = [link = bus_link_] {
    std::lock_guard lock(link->mutex);
    if (link->cache != nullptr) link->cache->OnBusReconnect();
  };
  return bus_->Start(std::move(handlers));
}

std::optional<GroupId> LayeredCache::FindGroup(std::string_view name) const {
  auto it = std::find(groups_.begin(), groups_.end(), name);
  if (it == groups_.end()) return std::nullopt;
  return static_cast<GroupId>(it - groups_.begin());
}

Found LayeredCache::Find(GroupId group, std::string_view key) {
  const GroupState& state = group_state_[group];
  Found found;
  if (!state.enabled.load(std::memory_order_relaxed)) return found;
  const bool allow_stale = state.stale_ms.load(std::memory_order_relaxed) > 0;
  L1Cache::Lookup lookup = l1_.Find(key, allow_stale);
  if (lookup.entry != nullptr) {
    metrics_->Served(group, lookup.stale ? Level::kStale : Level::kL1);
    found.entry = std::move(lookup.entry);
    found.stale = lookup.stale;
    return found;
  }
  metrics_->Missed(group, lookup.reason);
  found.reason = lookup.reason;
  return found;
}

LayeredCache::FlightShard& LayeredCache::FlightShardFor(std::string_view key) const {
  return flights_[detail::HashKey(key) >> 60];  // kFlightShards == 16
}

JoinRole LayeredCache::Join(GroupId group, std::string_view key, Waiter waiter) {
  FlightShard& shard = FlightShardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.flights.find(key);
  if (it == shard.flights.end()) {
    shard.flights.emplace(std::string(key), FlightShard::Flight{});
    return JoinRole::kLeader;
  }
  if (waiter) {
    it->second.waiters.push_back(std::move(waiter));
    metrics_->Coalesced(group);
  }
  return JoinRole::kFollower;
}

bool LayeredCache::ClaimFlight(std::string_view key) {
  FlightShard& shard = FlightShardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.flights.find(key);
  if (it == shard.flights.end()) {
    shard.flights.emplace(std::string(key), FlightShard::Flight{{}, true});
    return true;
  }
  if (it->second.claimed) return false;  // another Fill computes it: compute independently
  it->second.claimed = true;
  return true;
}

void LayeredCache::Complete(std::string_view key, const Result<Served>& result) {
  std::vector<Waiter> waiters;
  {
    FlightShard& shard = FlightShardFor(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.flights.find(key);
    if (it == shard.flights.end()) return;
    waiters = std::move(it->second.waiters);
    shard.flights.erase(it);
  }
  for (const Waiter& waiter : waiters) waiter(result);
}

void LayeredCache::Abandon(std::string_view key, const Error& error) {
  std::vector<Waiter> waiters;
  {
    FlightShard& shard = FlightShardFor(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.flights.find(key);
    if (it == shard.flights.end() || it->second.claimed) return;
    waiters = std::move(it->second.waiters);
    shard.flights.erase(it);
  }
  const Result<Served> result = tl::unexpected<Error>(error);
  for (const Waiter& waiter : waiters) waiter(result);
}

bool LayeredCache::BusDown() const { return bus_ != nullptr && !bus_->connected(); }

std::shared_ptr<const Entry> LayeredCache::MakeEntry(const FillRequest& request,
                                                     const GroupPolicy& policy,
                                                     std::string_view bytes, bool negative,
                                                     milliseconds ttl_left, Clock::Duration cost,
                                                     const std::vector<std::string>& extra_tags,
                                                     milliseconds chosen_ttl) const {
  milliseconds ttl = negative                        ? policy.negative_ttl
                     : chosen_ttl > milliseconds(0)  ? chosen_ttl
                     : request.ttl > milliseconds(0) ? request.ttl
                                                     : policy.ttl;
  milliseconds stale = negative ? milliseconds(0) : policy.stale_ttl;
  if (ttl_left > milliseconds(0)) ttl = std::min(ttl, ttl_left);
  if (BusDown()) {
    ttl = std::min(ttl, options_.l1_ttl_while_bus_down);
    stale = milliseconds(0);
  }
  auto entry = std::make_shared<Entry>(request.key, bytes);
  entry->group = request.group;
  entry->negative = negative;
  entry->stored_at = clock_.Now();
  entry->fresh_until = entry->stored_at + ttl;
  entry->stale_until = entry->fresh_until + stale;
  entry->compute_cost = cost;
  entry->tags = request.tags;
  for (const std::string& tag : extra_tags) {
    if (std::find(entry->tags.begin(), entry->tags.end(), tag) == entry->tags.end()) {
      entry->tags.push_back(tag);
    }
  }
  for (const std::string& dependency : request.depends_on) {
    entry->tags.push_back(DependencyTag(dependency));
    // Derived from a derived entry: inherit what that one depends on, so that invalidating
    // any of its roots reaches this entry too.
    if (auto parent = l1_.Peek(dependency, /*allow_stale=*/true)) {
      entry->tags.insert(entry->tags.end(), parent->tags.begin(), parent->tags.end());
    }
  }
  if (!request.depends_on.empty()) {
    std::sort(entry->tags.begin(), entry->tags.end());
    entry->tags.erase(std::unique(entry->tags.begin(), entry->tags.end()), entry->tags.end());
  }
  return entry;
}

FillOutcome LayeredCache::StoreL1(const std::shared_ptr<const Entry>& entry, uint64_t epoch) {
  if (entry->fresh_until <= entry->stored_at) return FillOutcome::kNotStored;  // zero TTL
  switch (l1_.Put(entry, epoch)) {
    case PutOutcome::kStored:
      return FillOutcome::kStored;
    case PutOutcome::kInvalidated:
      return FillOutcome::kDiscarded;
    case PutOutcome::kRejected:
    case PutOutcome::kTooLarge:
      break;
  }
  return FillOutcome::kNotStored;
}

Result<Served> LayeredCache::Fill(const FillRequest& request, const ComputeFn& compute) {
  const GroupId group = request.group;
  const GroupPolicy policy = GetGroupPolicy(group);
  const bool owns_flight = ClaimFlight(request.key);
  auto finish = [&](Result<Served> result) {
    if (owns_flight) Complete(request.key, result);
    return result;
  };

  if (policy.enabled) {
    // Another leader may have stored it between our caller's Find and its Join.
    if (auto entry = l1_.Peek(request.key)) return finish(Served{std::move(entry), Level::kL1});
  }
  // Invalidations from here on make the value suspect: it is delivered but not stored.
  const uint64_t epoch = l1_.epoch();
  if (policy.enabled && l2_ != nullptr) {
    if (std::optional<StoredValue> stored = l2_->Get(request.key)) {
      auto entry = MakeEntry(request, policy, stored->bytes, stored->negative, stored->ttl_left,
                             Clock::Duration(0), stored->tags, milliseconds(0));
      const bool keep = !BusDown() || options_.l1_ttl_while_bus_down > milliseconds(0);
      metrics_->Filled(group, keep ? StoreL1(entry, epoch) : FillOutcome::kNotStored);
      metrics_->Served(group, Level::kL2);
      return finish(Served{std::move(entry), Level::kL2});
    }
  }

  const Clock::TimePoint start = clock_.Now();
  Result<Computed> computed = MakeError(ErrorCode::kInternal, "compute did not run");
  try {
    computed = compute();
  } catch (const std::exception& e) {  // followers must not wait forever on a throwing tool
    computed = MakeError(ErrorCode::kInternal, "computing {}: {}", request.key, e.what());
  }
  const Clock::Duration cost = clock_.Now() - start;
  if (!computed) {
    metrics_->Filled(group, FillOutcome::kError);
    return finish(tl::unexpected<Error>(std::move(computed).error()));
  }
  metrics_->Served(group, Level::kComputed);
  auto entry = MakeEntry(request, policy, computed->bytes, computed->negative, milliseconds(0),
                         cost, computed->tags, computed->ttl);
  FillOutcome outcome = FillOutcome::kUncacheable;
  if (computed->cacheable) {
    const bool keep = !BusDown() || options_.l1_ttl_while_bus_down > milliseconds(0);
    outcome = policy.enabled && keep ? StoreL1(entry, epoch) : FillOutcome::kNotStored;
  }
  metrics_->Filled(group, outcome);
  Result<Served> result = Served{entry, Level::kComputed};
  if (owns_flight) Complete(request.key, result);  // waiters first: the L2 write is a round trip

  const bool l2_worthy = computed->cacheable && policy.enabled && l2_ != nullptr &&
                         outcome != FillOutcome::kDiscarded && l1_.epoch() == epoch;
  if (l2_worthy) {
    const milliseconds ttl = std::chrono::ceil<milliseconds>(entry->fresh_until - entry->stored_at);
    if (ttl > milliseconds(0)) {
      l2_->Put(entry->key(), StoredValue{std::string(entry->value()), entry->negative, ttl, {}},
               ttl, entry->tags);
    }
  }
  return result;
}

size_t LayeredCache::ApplyLocal(const Invalidation& invalidation) {
  metrics_->Invalidated();
  if (invalidation.all) return l1_.Clear();
  size_t removed = 0;
  for (const std::string& tag : invalidation.tags) removed += l1_.InvalidateTag(tag);
  for (const std::string& prefix : invalidation.prefixes) removed += l1_.InvalidatePrefix(prefix);
  for (const std::string& key : invalidation.keys) {
    removed += l1_.Remove(key);
    removed += l1_.InvalidateTag(DependencyTag(key));
  }
  return removed;
}

InvalidationReport LayeredCache::Invalidate(const Invalidation& invalidation) {
  InvalidationReport report;
  // L2 before L1: a Fill that reads the epoch after the L1 invalidation bumped it then also
  // reads the L2 after its invalidation; one that read it before cannot store (PutOutcome::
  // kInvalidated). The other order would let a Fill promote a just-invalidated L2 value.
  if (l2_ != nullptr) {
    std::vector<std::string> tags = invalidation.tags;
    for (const std::string& key : invalidation.keys) tags.push_back(DependencyTag(key));
    report.l2 = l2_->available();
    l2_->Invalidate(tags, invalidation.prefixes, invalidation.keys, invalidation.all);
  }
  report.removed_l1 = ApplyLocal(invalidation);
  if (bus_ != nullptr) {
    Invalidation message = invalidation;
    message.origin = bus_->instance_id();
    Status published = bus_->Publish(message);
    report.broadcast = published.has_value();
    if (!published) report.broadcast_error = std::move(published).error();
  }
  return report;
}

void LayeredCache::OnBusMessage(const Invalidation& invalidation) {
  if (bus_ != nullptr && invalidation.origin == bus_->instance_id()) return;
  ApplyLocal(invalidation);
}

void LayeredCache::OnBusDisconnect() {
  metrics_->BusDisconnected();
  l1_.Clear();
}

void LayeredCache::OnBusReconnect() { l1_.Clear(); }

void LayeredCache::SetGroupPolicy(GroupId group, const GroupPolicy& policy) {
  GroupState& state = group_state_[group];
  state.ttl_ms.store(policy.ttl.count());
  state.stale_ms.store(policy.stale_ttl.count());
  state.negative_ms.store(policy.negative_ttl.count());
  state.enabled.store(policy.enabled);
}

GroupPolicy LayeredCache::GetGroupPolicy(GroupId group) const {
  const GroupState& state = group_state_[group];
  GroupPolicy policy;
  policy.enabled = state.enabled.load();
  policy.ttl = milliseconds(state.ttl_ms.load());
  policy.stale_ttl = milliseconds(state.stale_ms.load());
  policy.negative_ttl = milliseconds(state.negative_ms.load());
  return policy;
}

size_t LayeredCache::Maintain(size_t max_per_shard) {
  const size_t removed = l1_.SweepExpired(max_per_shard);
  metrics_->Export(l1_.Stats(), l2_ != nullptr && l2_->available(),
                   bus_ != nullptr && bus_->connected());
  return removed;
}

CacheSnapshot LayeredCache::Snapshot() const {
  CacheSnapshot snapshot;
  snapshot.l1 = l1_.Stats();
  snapshot.l2_configured = l2_ != nullptr;
  snapshot.l2_available = l2_ != nullptr && l2_->available();
  snapshot.bus_configured = bus_ != nullptr;
  snapshot.bus_connected = bus_ != nullptr && bus_->connected();
  snapshot.bus_disconnects = metrics_->bus_disconnects();
  snapshot.invalidations = metrics_->invalidations();
  snapshot.l1_ttl_while_bus_down = options_.l1_ttl_while_bus_down;
  metrics_->Export(snapshot.l1, snapshot.l2_available, snapshot.bus_connected);
  snapshot.groups.resize(groups_.size());
  for (GroupId g = 0; g < groups_.size(); ++g) {
    snapshot.groups[g].name = groups_[g];
    snapshot.groups[g].policy = GetGroupPolicy(g);
    metrics_->Read(g, snapshot.groups[g]);
  }
  return snapshot;
}

}  // namespace fastbreak::cache
