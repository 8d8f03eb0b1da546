// W-TinyLFU (Einziger, Friedman and Manes, 2017): a small LRU admission window in front of a
// segmented LRU main area (probation + protected); a key leaving the window enters the main
// area only when the frequency sketch says it is more popular than the main area's victim.
// With a 100% window it is exactly LRU; the window can be resized at any time.
//
// The adaptive policy's frequency/recency experts. 16 bytes of node, 1 of area and 12-24 of
// index per entry, plus the sketch (8 bytes per entry, possibly shared). A fourth area, "cold",
// holds keys seeded from another engine that this one would not have kept: they are evicted first,
// without an admission test.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "cache/policy_sketch.hpp"
#include "cache/policy_table.hpp"

namespace fastbreak::cache::detail {

class TinyLfuEngine {
 public:
  // REQUIRES: capacity >= 1, 0 <= window_fraction <= 1. `sketch` (not owned, outlives the
  // engine) may be shared by engines that see the same accesses; the caller records every
  // access in it (FrequencySketch::Increment) before calling OnHit / OnMiss / Access.
  TinyLfuEngine(size_t capacity, double window_fraction, FrequencySketch* sketch);

  bool Contains(uint64_t key) const { return Find(key) != kNil; }
  // REQUIRES: Contains(key).
  void OnHit(uint64_t key) { HitAt(Find(key)); }
  // Returns true when `key` was admitted. Keys removed to make room (not `key` itself) are
  // appended to `evicted` when it is not null. REQUIRES: !Contains(key).
  bool OnMiss(uint64_t key, std::vector<uint64_t>* evicted);
  // A hit or a miss, as a shadow cache replays it: true on a hit.
  bool Access(uint64_t key) {
    const uint32_t slot = Find(key);
    if (slot != kNil) {
      HitAt(slot);
      return true;
    }
    OnMiss(key, nullptr);
    return false;
  }
  void Remove(uint64_t key);
  std::optional<uint64_t> EvictOne();
  void Clear();

  // Makes `key` resident as the most valuable key so far (used to rebuild the cache from
  // another engine's residents). REQUIRES: !Contains(key), size() < capacity().
  void Seed(uint64_t key);
  // Makes `key` resident in the cold area, as the next victim. Same REQUIRES.
  void SeedCold(uint64_t key);
  // Becomes a copy of `other`'s keys, order and window; the sketch stays this engine's.
  // REQUIRES: other.capacity() == capacity(). Does not allocate.
  void CopyFrom(const TinyLfuEngine& other);
  // Drops the residents for which `keep(key)` is false. Uses `scratch` as working space.
  template <typename Keep>
  void KeepOnly(Keep&& keep, std::vector<uint64_t>& scratch) {
    scratch.clear();
    ForEachByValue([&](uint64_t key) {
      if (!keep(key)) scratch.push_back(key);
    });
    for (const uint64_t key : scratch) Remove(key);
  }

  // Resizes the admission window to `entries` (0..capacity), moving keys between the areas.
  void SetWindow(size_t entries);
  size_t window() const { return window_limit_; }
  // Bytes of memory held (not counting the sketch).
  size_t Bytes() const {
    return nodes_.size() * sizeof(Node) + areas_.size() * sizeof(Area) + index_.bytes();
  }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  // Resident keys, the next victim first.
  template <typename Fn>
  void ForEachByValue(Fn&& fn) const {
    for (const Area area : {Area::kCold, Area::kProbation, Area::kWindow, Area::kProtected}) {
      const auto& list = lists_[static_cast<size_t>(area)];
      for (uint32_t s = list.back(); s != kNil; s = list.before(s)) fn(nodes_[s].key);
    }
  }

 private:
  enum class Area : uint8_t { kWindow, kProbation, kProtected, kCold };
  struct Node {
    uint64_t key = 0;
    Links links;  // in the list of its area, or the free list
  };
  using AreaList = List<Node, &Node::links>;

  uint32_t Find(uint64_t key) const {
    return index_.Find(key, [this](uint32_t slot) { return nodes_[slot].key; });
  }
  AreaList& list(Area area) { return lists_[static_cast<size_t>(area)]; }
  void Move(uint32_t slot, Area to, bool front);
  void HitAt(uint32_t slot);
  void Drop(uint32_t slot);
  void RebalanceProtected();

  size_t capacity_;
  size_t size_ = 0;
  size_t window_limit_ = 0;
  size_t protected_limit_ = 0;
  std::vector<Node> nodes_;  // capacity_ + 1 nodes, then a sentinel per area
  std::vector<Area> areas_;  // per node
  std::array<AreaList, 4> lists_;
  FreeList<Node, &Node::links> free_;
  KeyIndex index_;
  FrequencySketch* sketch_;

  double initial_window_;
};

}  // namespace fastbreak::cache::detail
