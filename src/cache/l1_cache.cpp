#include "cache/l1_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "telemetry/metrics.hpp"

namespace fastbreak::cache {
namespace {

using EntryPtr = std::shared_ptr<const Entry>;

// Fixed estimate of what an entry costs besides its strings: the Entry and its shared_ptr
// control block, the expiry heap item, the ghost and tag index shares.
constexpr size_t kEntryOverhead = 256;
// Per tag: the std::string header in the entry and its slot in the shard's tag index.
constexpr size_t kTagOverhead = 48;

constexpr std::string_view kMissReasonNames[] = {"cold", "expired", "evicted", "invalidated"};
constexpr std::string_view kRemovalCauseNames[] = {"size",        "bytes",    "expired",
                                                   "invalidated", "replaced", "cleared"};

int64_t Nanos(Clock::TimePoint t) { return t.time_since_epoch().count(); }

bool HasTag(const Entry& entry, std::string_view tag) {
  return std::find(entry.tags.begin(), entry.tags.end(), tag) != entry.tags.end();
}

// What a later miss on a key removed for `cause` is reported as.
MissReason GhostReason(RemovalCause cause) {
  switch (cause) {
    case RemovalCause::kSize:
    case RemovalCause::kBytes:
      return MissReason::kEvicted;
    case RemovalCause::kExpired:
      return MissReason::kExpired;
    case RemovalCause::kInvalidated:
    case RemovalCause::kCleared:
    case RemovalCause::kReplaced:
      break;
  }
  return MissReason::kInvalidated;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return detail::HashKey(s); }
};

// One resident entry, in one cache line: a hit reads its expiry and finds its key bytes here,
// so it can fetch the key and the Entry's reference count in parallel (see Find).
// hash == 0 marks an empty slot (HashKey never returns 0).
struct alignas(64) Slot {
  uint64_t hash = 0;
  int64_t fresh_ns = 0;
  int64_t stale_ns = 0;
  uint64_t hits = 0;
  const char* key_data = nullptr;  // entry->key().data(), valid while `entry` is held
  uint32_t key_size = 0;
  uint32_t weight = 0;
  EntryPtr entry;

  bool KeyIs(std::string_view key) const {
    return key.size() == key_size && std::memcmp(key.data(), key_data, key_size) == 0;
  }
};
static_assert(sizeof(Slot) == 64);

// Open addressing with linear probing on the hash's low bits (the shard took the high ones) and
// backward-shift deletion (no tombstones). Sized for `max_entries` at load <= 2/3 and never
// grown; an index stays valid until the next Insert or Erase.
class SlotTable {
 public:
  static constexpr size_t kNone = SIZE_MAX;

  explicit SlotTable(size_t max_entries)
      : slots_(std::bit_ceil(max_entries + max_entries / 2 + 1)),
        mask_(slots_.size() - 1),
        max_entries_(max_entries) {}

  size_t Find(uint64_t hash) const {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].hash == hash) return i;
      if (slots_[i].hash == 0) return kNone;
    }
  }
  // REQUIRES: `hash` absent and !full().
  Slot& Insert(uint64_t hash) {
    size_t i = hash & mask_;
    while (slots_[i].hash != 0) i = (i + 1) & mask_;
    ++size_;
    slots_[i].hash = hash;
    return slots_[i];
  }
  void Erase(size_t hole) {
    slots_[hole] = Slot{};
    for (size_t j = (hole + 1) & mask_; slots_[j].hash != 0; j = (j + 1) & mask_) {
      const size_t home = slots_[j].hash & mask_;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = std::move(slots_[j]);
        slots_[j] = Slot{};
        hole = j;
      }
    }
    --size_;
  }
  Slot& at(size_t i) { return slots_[i]; }
  const Slot& at(size_t i) const { return slots_[i]; }
  size_t size() const { return size_; }
  bool full() const { return size_ >= max_entries_; }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.hash != 0) fn(slot);
    }
  }
  // Empties the table, moving the entries into `out`.
  void TakeAll(std::vector<EntryPtr>& out) {
    for (Slot& slot : slots_) {
      if (slot.hash != 0) out.push_back(std::move(slot.entry));
      slot = Slot{};
    }
    size_ = 0;
  }

 private:
  std::vector<Slot> slots_;
  size_t mask_;
  size_t max_entries_;
  size_t size_ = 0;
};

struct ExpiryItem {
  int64_t until = 0;  // stale_until in clock nanoseconds
  uint64_t hash = 0;
  // std::push_heap builds a max-heap; "greater" makes the earliest expiry the front.
  friend bool operator<(const ExpiryItem& a, const ExpiryItem& b) { return a.until > b.until; }
};

// The hashes of entries carrying a tag. Removal of an entry only decrements `live`; stale
// hashes are dropped when the vector grows past twice the live count (and checked against the
// entry's tags on use), so an entry costs 8 bytes per tag here.
struct TagRecord {
  std::vector<uint64_t> hashes;
  size_t live = 0;
};

}  // namespace

std::string_view MissReasonName(MissReason reason) {
  return kMissReasonNames[static_cast<size_t>(reason)];
}

std::string_view RemovalCauseName(RemovalCause cause) {
  return kRemovalCauseNames[static_cast<size_t>(cause)];
}

size_t EntryWeight(const Entry& entry) {
  size_t weight = kEntryOverhead + entry.size();
  for (const std::string& tag : entry.tags) weight += kTagOverhead + tag.size();
  return weight;
}

// Recent hits kept per cell for the policy (see Shard). A power of two.
constexpr uint64_t kRecentHits = 32;
// Per-cell aliases of hot entries (see Cell): sets of two. A power of two.
constexpr size_t kAliasSets = 128;

// A reader's share of a shard: its lock, its counters, its recent hits and its aliases. A thread
// always uses the same cell (telemetry::ThisThreadShard), so with up to kCells threads a hit
// writes no line that another thread writes.
//
// Aliases: handing out the Entry's own shared_ptr would make every hit on a popular key write
// that Entry's reference count from every thread (the line then bounces between cores and
// costs more than the rest of the lookup). So from its second hit on an entry, a cell hands out
// an alias instead: a shared_ptr to the same Entry whose control block belongs to the cell (it
// owns one real reference). Two ways per set, by hash, with a second-chance bit: a colliding
// entry takes a way only if that way went unused since the last collision, else it gets a
// plain copy. An alias is used only while it points at the slot's current entry, and writers
// drop it when the entry leaves, so it never holds memory the cache has let go.
struct alignas(64) Cell {
  // Owns the real reference behind an alias. Line-aligned, so that its control block (the
  // counter every copy of the alias writes) shares no cache line with another thread's.
  struct alignas(64) AliasOwner {
    explicit AliasOwner(EntryPtr e) : entry(std::move(e)) {}
    EntryPtr entry;
  };
  struct Alias {
    const Entry* entry = nullptr;  // what `ptr` points to; nullptr = free
    bool used = false;
    EntryPtr ptr;
  };

  std::mutex mutex;
  // Guarded by `mutex`.
  uint64_t hits = 0;
  uint64_t stale_hits = 0;
  uint64_t misses = 0;
  std::array<uint64_t, kMissReasonCount> miss_reasons{};
  uint64_t recorded = 0;  // hits recorded since the last write; the last kRecentHits are kept
  std::array<uint64_t, kRecentHits> recent{};
  // Per set, the last two entries hit once here without an alias: aliased on their next hit.
  std::array<std::array<const Entry*, 2>, kAliasSets> seen{};
  std::array<std::array<Alias, 2>, kAliasSets> aliases{};

  void CountMiss(MissReason reason) {
    ++misses;
    ++miss_reasons[static_cast<size_t>(reason)];
  }
  void RecordHit(uint64_t hash) { recent[recorded++ & (kRecentHits - 1)] = hash; }
  static size_t AliasSet(uint64_t hash) { return (hash >> 24) & (kAliasSets - 1); }

  // The shared_ptr a hit on `entry` (whose key hashes to `hash`) returns.
  EntryPtr Share(uint64_t hash, const EntryPtr& entry) {
    std::array<Alias, 2>& set = aliases[AliasSet(hash)];
    for (Alias& way : set) {
      if (way.entry == entry.get()) {
        way.used = true;
        return way.ptr;
      }
    }
    std::array<const Entry*, 2>& seen_here = seen[AliasSet(hash)];
    if (seen_here[0] != entry.get() && seen_here[1] != entry.get()) {
      seen_here = {seen_here[1], entry.get()};  // first hit: not worth an allocation yet
      return entry;
    }
    Alias* victim = nullptr;
    for (Alias& way : set) {
      if (way.entry == nullptr || !way.used) {
        victim = &way;
        break;
      }
    }
    if (victim == nullptr) {  // both ways busy: give them a second chance, serve a plain copy
      for (Alias& way : set) way.used = false;
      return entry;
    }
    auto owner = std::make_shared<AliasOwner>(entry);
    victim->ptr = EntryPtr(owner, owner->entry.get());
    victim->entry = entry.get();
    victim->used = true;
    return victim->ptr;
  }
  // Drops the alias of `entry`, which is leaving the cache. REQUIRES: locked by a writer.
  void Unalias(uint64_t hash, const Entry* entry) {
    for (Alias& way : aliases[AliasSet(hash)]) {
      if (way.entry == entry) way = Alias{};
    }
  }
  void UnaliasAll() {
    for (auto& set : aliases) set.fill(Alias{});
  }
};
constexpr size_t kCells = telemetry::kShards;

// A big-reader lock over one policy and one slot table keyed by the full 64-bit hash (the
// policy identifies keys by that hash, so the table must too; a hit compares the key to rule
// out collisions, and a colliding key replaces the other like an update would).
//
// Locking: a reader (Find, Peek) locks its own cell and only reads the shard's fields; a writer
// locks every cell, in order (Exclusive). A hit does not touch the policy: it records its hash
// in the reader's cell, and the next writer replays each cell's recorded hits (the last
// kRecentHits of them, in order) into the policy and the hit counts before it changes anything.
// So the policy sees every hit when fewer than kRecentHits per thread fall between two writes
// to the shard, and the most recent ones otherwise (a lossy read buffer, as in Caffeine);
// readers never do policy work, which would make every hit write lines shared by all threads.
struct alignas(64) L1Cache::Shard {
  std::array<Cell, kCells> cells;
  // Guarded by all cells' mutexes for writing, any one of them for reading.
  size_t bytes = 0;
  SlotTable table{1};
  std::unique_ptr<Policy> policy;
  std::array<uint64_t, kRemovalCauseCount> removals{};
  uint64_t admission_rejections = 0;
  uint64_t oversize_rejections = 0;
  std::vector<ExpiryItem> expiry;  // min-heap on stale_until; may hold outdated items
  std::unordered_map<std::string, TagRecord, StringHash, std::equal_to<>> tags;
  // Ghost record: direct-mapped by hash, the cause of the last removal of recent keys.
  std::vector<uint64_t> ghost_hashes;
  std::vector<uint8_t> ghost_reasons;  // MissReason + 1; 0 = empty
  size_t ghost_mask = 0;
  std::vector<uint64_t> evicted;  // scratch for Policy::OnMiss

  Cell& MyCell() { return cells[static_cast<size_t>(telemetry::ThisThreadShard())]; }

  // Replays the hits recorded in every cell. REQUIRES: all cells locked.
  void ReplayRecentHits() {
    for (Cell& cell : cells) {
      const uint64_t first = cell.recorded - std::min(cell.recorded, kRecentHits);
      for (uint64_t i = first; i < cell.recorded; ++i) {
        const uint64_t hash = cell.recent[i & (kRecentHits - 1)];
        const size_t index = table.Find(hash);
        if (index == SlotTable::kNone) continue;  // removed since
        ++table.at(index).hits;
        policy->OnHit(hash);
      }
      cell.recorded = 0;
    }
  }

  MissReason GhostLookup(uint64_t hash) const {
    const size_t i = hash & ghost_mask;
    if (ghost_hashes[i] != hash || ghost_reasons[i] == 0) return MissReason::kCold;
    return static_cast<MissReason>(ghost_reasons[i] - 1);
  }
  void GhostRecord(uint64_t hash, MissReason reason) {
    const size_t i = hash & ghost_mask;
    ghost_hashes[i] = hash;
    ghost_reasons[i] = static_cast<uint8_t>(static_cast<uint8_t>(reason) + 1);
  }

  void IndexTags(uint64_t hash, const Entry& entry) {
    for (const std::string& tag : entry.tags) {
      auto it = tags.find(std::string_view(tag));
      if (it == tags.end()) it = tags.emplace(tag, TagRecord{}).first;
      it->second.hashes.push_back(hash);
      ++it->second.live;
    }
  }

  void UnindexTag(const std::string& tag) {
    auto it = tags.find(std::string_view(tag));
    if (it == tags.end()) return;  // the tag is being invalidated
    TagRecord& record = it->second;
    if (--record.live == 0) {
      tags.erase(it);
      return;
    }
    if (record.hashes.size() <= 2 * record.live + 16) return;
    std::erase_if(record.hashes, [&](uint64_t h) {
      const size_t i = table.Find(h);
      return i == SlotTable::kNone || !HasTag(*table.at(i).entry, tag);
    });
    std::sort(record.hashes.begin(), record.hashes.end());
    record.hashes.erase(std::unique(record.hashes.begin(), record.hashes.end()),
                        record.hashes.end());
  }

  // Removes the slot at `index` and returns its entry, so that the caller can drop the last
  // reference after releasing the locks. `tell_policy`: false when the policy chose the victim
  // (it already forgot it) or the key stays resident (replacement).
  EntryPtr RemoveLocked(size_t index, RemovalCause cause, bool tell_policy) {
    Slot& slot = table.at(index);
    const uint64_t hash = slot.hash;
    EntryPtr entry = std::move(slot.entry);
    for (Cell& cell : cells) cell.Unalias(hash, entry.get());
    bytes -= slot.weight;
    table.Erase(index);
    for (const std::string& tag : entry->tags) UnindexTag(tag);
    if (cause != RemovalCause::kReplaced) GhostRecord(hash, GhostReason(cause));
    ++removals[static_cast<size_t>(cause)];
    if (tell_policy) policy->Remove(hash);
    return entry;
  }

  // Removes `hash` if resident, into `removed`.
  void RemoveHash(uint64_t hash, RemovalCause cause, bool tell_policy,
                  std::vector<EntryPtr>& removed) {
    const size_t i = table.Find(hash);
    if (i != SlotTable::kNone) removed.push_back(RemoveLocked(i, cause, tell_policy));
  }

  // Rebuilds the expiry heap from the resident entries when outdated items dominate it.
  void MaybeCompactExpiry() {
    if (expiry.size() <= 2 * table.size() + 64) return;
    expiry.clear();
    table.ForEach([&](const Slot& slot) {
      expiry.push_back(ExpiryItem{slot.stale_ns, slot.hash});
    });
    std::make_heap(expiry.begin(), expiry.end());
  }

  // Exclusive access: locks every cell in order, then replays the recorded hits.
  class Exclusive {
   public:
    explicit Exclusive(Shard& shard) : shard_(shard) {
      for (Cell& cell : shard_.cells) cell.mutex.lock();
      shard_.ReplayRecentHits();
    }
    ~Exclusive() {
      for (size_t i = kCells; i-- > 0;) shard_.cells[i].mutex.unlock();
    }
    Exclusive(const Exclusive&) = delete;
    Exclusive& operator=(const Exclusive&) = delete;

   private:
    Shard& shard_;
  };
};

L1Cache::L1Cache(const L1Options& options)
    : clock_(options.clock != nullptr ? options.clock : &SystemClock::Instance()) {
#ifdef CLOCK_MONOTONIC_COARSE
  // SystemClock::Now is std::chrono::steady_clock, which is CLOCK_MONOTONIC on Linux.
  coarse_clock_ = options.coarse_clock && dynamic_cast<const SystemClock*>(clock_) != nullptr;
#else
  coarse_clock_ = false;
#endif
  const size_t max_entries = std::max<size_t>(options.max_entries, 1);
  size_t shards = std::bit_ceil(std::max<size_t>(options.shards, 1));
  while (shards > 1 && shards > max_entries) shards /= 2;
  shard_count_ = shards;
  shard_shift_ = 64 - std::countr_zero(shards);
  shard_max_bytes_ = options.max_bytes / shards;
  const size_t capacity = std::max<size_t>(max_entries / shards, 1);
  const size_t ghost_total = options.ghost_entries != 0 ? options.ghost_entries : max_entries;
  const size_t ghost_per_shard = std::bit_ceil(std::max<size_t>(ghost_total / shards, 16));
  shards_ = std::make_unique<Shard[]>(shards);
  for (size_t i = 0; i < shards; ++i) {
    Shard& shard = shards_[i];
    shard.table = SlotTable(capacity);
    shard.policy = MakePolicy(options.policy, capacity);
    shard.ghost_hashes.assign(ghost_per_shard, 0);
    shard.ghost_reasons.assign(ghost_per_shard, 0);
    shard.ghost_mask = ghost_per_shard - 1;
  }
}

L1Cache::~L1Cache() = default;

L1Cache::Shard& L1Cache::ShardFor(uint64_t hash) const {
  return shards_[shard_count_ == 1 ? 0 : hash >> shard_shift_];
}

int64_t L1Cache::LookupNanos() const {
#ifdef CLOCK_MONOTONIC_COARSE
  if (coarse_clock_) {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  }
#endif
  return Nanos(clock_->Now());
}

L1Cache::Lookup L1Cache::Find(std::string_view key, bool allow_stale) {
  const uint64_t hash = detail::HashKey(key);
  Shard& shard = ShardFor(hash);
  const int64_t now = LookupNanos();
  Cell& cell = shard.MyCell();
  Lookup result;
  bool expired = false;
  {
    std::lock_guard lock(cell.mutex);
    const size_t index = shard.table.Find(hash);
    if (index == SlotTable::kNone) {
      result.reason = shard.GhostLookup(hash);
      cell.CountMiss(result.reason);
      return result;
    }
    const Slot& slot = shard.table.at(index);
    // The lines a hit may need besides the slot -- the key bytes (which start the value the
    // caller sends next) and, unless the cell has an alias, the Entry's reference count
    // (make_shared puts the control block just before the Entry) -- are often in DRAM: request
    // them together, not one after the other.
    __builtin_prefetch(slot.key_data);
    __builtin_prefetch(
        reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(slot.entry.get()) - 1));
    const bool same_key = slot.KeyIs(key);  // false: a 64-bit hash collision
    const bool stale = now >= slot.fresh_ns;
    if (!same_key || now >= slot.stale_ns || (stale && !allow_stale)) {
      expired = same_key && now >= slot.stale_ns;
      result.reason = same_key ? MissReason::kExpired : MissReason::kCold;
      cell.CountMiss(result.reason);
    } else {
      result.entry = cell.Share(hash, slot.entry);
      result.stale = stale;
      ++cell.hits;
      cell.stale_hits += stale ? 1 : 0;
      cell.RecordHit(hash);
    }
  }
  if (expired) {
    EntryPtr removed;  // released after the locks
    Shard::Exclusive exclusive(shard);
    const size_t index = shard.table.Find(hash);
    if (index != SlotTable::kNone && now >= shard.table.at(index).stale_ns) {
      removed = shard.RemoveLocked(index, RemovalCause::kExpired, /*tell_policy=*/true);
    }
  }
  return result;
}

std::shared_ptr<const Entry> L1Cache::Peek(std::string_view key, bool allow_stale) const {
  const uint64_t hash = detail::HashKey(key);
  Shard& shard = ShardFor(hash);
  const int64_t now = LookupNanos();
  std::lock_guard lock(shard.MyCell().mutex);
  const size_t index = shard.table.Find(hash);
  if (index == SlotTable::kNone) return nullptr;
  const Slot& slot = shard.table.at(index);
  if (now >= (allow_stale ? slot.stale_ns : slot.fresh_ns)) return nullptr;
  if (!slot.KeyIs(key)) return nullptr;
  return slot.entry;
}

PutOutcome L1Cache::Put(std::shared_ptr<const Entry> entry,
                        std::optional<uint64_t> expected_epoch) {
  const uint64_t hash = detail::HashKey(entry->key());
  const size_t weight = EntryWeight(*entry);
  const int64_t fresh_ns = Nanos(entry->fresh_until);
  const int64_t stale_ns = Nanos(entry->stale_until);
  Shard& shard = ShardFor(hash);
  std::vector<EntryPtr> removed;  // released after the lock
  Shard::Exclusive exclusive(shard);
  if (expected_epoch && epoch_.value.load() != *expected_epoch) return PutOutcome::kInvalidated;
  size_t index = shard.table.Find(hash);
  if (weight > shard_max_bytes_ || weight > UINT32_MAX) {
    // The older value under this key must not outlive the refused newer one.
    if (index != SlotTable::kNone) {
      removed.push_back(shard.RemoveLocked(index, RemovalCause::kReplaced, /*tell_policy=*/true));
    }
    ++shard.oversize_rejections;
    shard.GhostRecord(hash, MissReason::kEvicted);
    return PutOutcome::kTooLarge;
  }
  uint64_t hits = 0;
  if (index != SlotTable::kNone) {
    if (shard.table.at(index).KeyIs(entry->key())) hits = shard.table.at(index).hits;
    removed.push_back(shard.RemoveLocked(index, RemovalCause::kReplaced, /*tell_policy=*/false));
    shard.policy->OnHit(hash);
  } else {
    shard.evicted.clear();
    bool admitted = shard.policy->OnMiss(hash, shard.evicted);
    for (uint64_t victim : shard.evicted) {
      shard.RemoveHash(victim, RemovalCause::kSize, /*tell_policy=*/false, removed);
    }
    if (admitted && shard.table.full()) {  // the policy holds more than its capacity: refuse
      shard.policy->Remove(hash);
      admitted = false;
    }
    if (!admitted) {
      ++shard.admission_rejections;
      shard.GhostRecord(hash, MissReason::kEvicted);
      return PutOutcome::kRejected;
    }
  }
  shard.IndexTags(hash, *entry);
  Slot& slot = shard.table.Insert(hash);
  slot.fresh_ns = fresh_ns;
  slot.stale_ns = stale_ns;
  slot.hits = hits;
  slot.key_data = entry->key().data();
  slot.key_size = static_cast<uint32_t>(entry->key().size());
  slot.weight = static_cast<uint32_t>(weight);
  slot.entry = std::move(entry);
  shard.bytes += weight;
  shard.expiry.push_back(ExpiryItem{stale_ns, hash});
  std::push_heap(shard.expiry.begin(), shard.expiry.end());
  while (shard.bytes > shard_max_bytes_) {
    const std::optional<uint64_t> victim = shard.policy->EvictOne();
    if (!victim) break;
    shard.RemoveHash(*victim, RemovalCause::kBytes, /*tell_policy=*/false, removed);
  }
  shard.MaybeCompactExpiry();
  return shard.table.Find(hash) != SlotTable::kNone ? PutOutcome::kStored : PutOutcome::kRejected;
}

template <typename Match>
size_t L1Cache::RemoveMatching(Match match) {
  size_t count = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    std::vector<EntryPtr> removed;
    Shard::Exclusive exclusive(shard);
    std::vector<uint64_t> hashes;
    shard.table.ForEach([&](const Slot& slot) {
      if (match(*slot.entry)) hashes.push_back(slot.hash);
    });
    for (uint64_t hash : hashes) {
      shard.RemoveHash(hash, RemovalCause::kInvalidated, /*tell_policy=*/true, removed);
    }
    count += hashes.size();
  }
  return count;
}

size_t L1Cache::Remove(std::string_view key) {
  epoch_.value.fetch_add(1);
  const uint64_t hash = detail::HashKey(key);
  Shard& shard = ShardFor(hash);
  EntryPtr removed;
  Shard::Exclusive exclusive(shard);
  const size_t index = shard.table.Find(hash);
  if (index == SlotTable::kNone || !shard.table.at(index).KeyIs(key)) return 0;
  removed = shard.RemoveLocked(index, RemovalCause::kInvalidated, /*tell_policy=*/true);
  return 1;
}

size_t L1Cache::InvalidateTag(std::string_view tag) {
  epoch_.value.fetch_add(1);
  size_t count = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    std::vector<EntryPtr> removed;
    Shard::Exclusive exclusive(shard);
    auto record = shard.tags.find(tag);
    if (record == shard.tags.end()) continue;
    const std::vector<uint64_t> hashes = std::move(record->second.hashes);
    shard.tags.erase(record);
    for (uint64_t hash : hashes) {
      const size_t index = shard.table.Find(hash);
      if (index == SlotTable::kNone || !HasTag(*shard.table.at(index).entry, tag)) continue;
      removed.push_back(shard.RemoveLocked(index, RemovalCause::kInvalidated, true));
      ++count;
    }
  }
  return count;
}

size_t L1Cache::InvalidatePrefix(std::string_view prefix) {
  epoch_.value.fetch_add(1);
  return RemoveMatching([prefix](const Entry& entry) { return entry.key().starts_with(prefix); });
}

size_t L1Cache::Clear() {
  epoch_.value.fetch_add(1);
  size_t count = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    std::vector<EntryPtr> removed;  // released after the lock
    Shard::Exclusive exclusive(shard);
    shard.table.ForEach(
        [&](const Slot& slot) { shard.GhostRecord(slot.hash, MissReason::kInvalidated); });
    count += shard.table.size();
    shard.removals[static_cast<size_t>(RemovalCause::kCleared)] += shard.table.size();
    removed.reserve(shard.table.size());
    shard.table.TakeAll(removed);
    for (Cell& cell : shard.cells) cell.UnaliasAll();
    shard.tags.clear();
    shard.expiry.clear();
    shard.bytes = 0;
    shard.policy->Clear();
  }
  return count;
}

size_t L1Cache::SweepExpired(size_t max_per_shard) {
  const int64_t now = Nanos(clock_->Now());
  size_t count = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    {
      std::lock_guard lock(shard.MyCell().mutex);  // a read: anything due?
      if (shard.expiry.empty() || shard.expiry.front().until > now) continue;
    }
    std::vector<EntryPtr> removed;
    Shard::Exclusive exclusive(shard);
    size_t budget = max_per_shard;
    while (budget > 0 && !shard.expiry.empty() && shard.expiry.front().until <= now) {
      std::pop_heap(shard.expiry.begin(), shard.expiry.end());
      const ExpiryItem item = shard.expiry.back();
      shard.expiry.pop_back();
      --budget;
      const size_t index = shard.table.Find(item.hash);
      // An outdated item (the entry was replaced or removed since) is just dropped.
      if (index == SlotTable::kNone || shard.table.at(index).stale_ns != item.until) continue;
      removed.push_back(shard.RemoveLocked(index, RemovalCause::kExpired, true));
      ++count;
    }
    shard.MaybeCompactExpiry();
  }
  return count;
}

std::vector<HotKey> L1Cache::HotKeys(size_t n) const {
  if (n == 0) return {};
  // A min-heap of the n best so far: the front is the least hit of them.
  auto more_hits = [](const HotKey& a, const HotKey& b) { return a.hits > b.hits; };
  std::vector<HotKey> best;
  best.reserve(std::min<size_t>(n, 4096));
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    Shard::Exclusive exclusive(shard);
    shard.table.ForEach([&](const Slot& slot) {
      if (best.size() < n) {
        best.push_back(HotKey{slot.entry, slot.hits});
        std::push_heap(best.begin(), best.end(), more_hits);
      } else if (slot.hits > best.front().hits) {
        std::pop_heap(best.begin(), best.end(), more_hits);
        best.back() = HotKey{slot.entry, slot.hits};
        std::push_heap(best.begin(), best.end(), more_hits);
      }
    });
  }
  std::sort_heap(best.begin(), best.end(), more_hits);
  return best;
}

L1Stats L1Cache::Stats() const {
  L1Stats stats;
  stats.shards = shard_count_;
  stats.max_bytes = shard_max_bytes_ * shard_count_;
  stats.epoch = epoch();
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = shards_[i];
    Shard::Exclusive exclusive(shard);
    stats.entries += shard.table.size();
    stats.bytes += shard.bytes;
    stats.max_entries += shard.policy->capacity();
    for (const Cell& cell : shard.cells) {
      stats.hits += cell.hits;
      stats.stale_hits += cell.stale_hits;
      stats.misses += cell.misses;
      for (size_t r = 0; r < kMissReasonCount; ++r)
        stats.misses_by_reason[r] += cell.miss_reasons[r];
    }
    for (size_t c = 0; c < kRemovalCauseCount; ++c) stats.removals[c] += shard.removals[c];
    stats.admission_rejections += shard.admission_rejections;
    stats.oversize_rejections += shard.oversize_rejections;
    stats.largest_shard_entries =
        std::max<uint64_t>(stats.largest_shard_entries, shard.table.size());
    stats.largest_shard_bytes = std::max<uint64_t>(stats.largest_shard_bytes, shard.bytes);
  }
  return stats;
}

uint64_t L1Cache::epoch() const { return epoch_.value.load(); }

}  // namespace fastbreak::cache
