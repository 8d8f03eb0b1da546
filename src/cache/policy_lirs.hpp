// LIRS (Jiang and Zhang, SIGMETRICS 2002): ranks keys by inter-reference recency, the number
// of distinct keys seen between a key's last two accesses. Keys with a small one (LIR) own most
// of the cache; the rest (HIR) share a small FIFO-like area and are evicted first. Resists
// loops and scans; poor when every reuse distance is similar and longer than the HIR area
// (pure recency).
//
// The adaptive policy's loop/scan expert. Non-resident HIR keys stay in the recency stack as
// "ghosts" (metadata only), at most `ghost_limit`, so memory stays proportional to capacity:
// 25 bytes of node and 12-24 of index per key, resident or ghost.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cache/policy_table.hpp"

namespace fastbreak::cache::detail {

class LirsEngine {
 public:
  // REQUIRES: capacity >= 1. `hir_percent` of the capacity (at least one entry) holds HIR
  // residents; at most `ghost_limit` non-resident keys are remembered.
  LirsEngine(size_t capacity, double hir_percent, size_t ghost_limit);

  bool Contains(uint64_t key) const {
    const uint32_t slot = Find(key);
    return slot != kNil && states_[slot] != State::kGhost;
  }
  // REQUIRES: Contains(key).
  void OnHit(uint64_t key) { Touch(Find(key)); }
  // Makes `key` resident (LIRS admits every miss), appending the evicted key to `evicted`
  // when it is not null. REQUIRES: !Contains(key).
  void OnMiss(uint64_t key, std::vector<uint64_t>* evicted) { MissAt(key, Find(key), evicted); }
  // A hit or a miss, as a shadow cache replays it: true on a hit.
  bool Access(uint64_t key) {
    const uint32_t slot = Find(key);
    if (slot != kNil && states_[slot] != State::kGhost) {
      Touch(slot);
      return true;
    }
    MissAt(key, slot, nullptr);
    return false;
  }
  void Remove(uint64_t key);
  std::optional<uint64_t> EvictOne();
  void Clear();

  // Makes `key` resident as the most valuable key so far, LIR or HIR (used to rebuild the
  // cache from another engine's residents). REQUIRES: !Contains(key), size() < capacity().
  void Seed(uint64_t key, bool lir);
  // How many of `n` keys seeded least valuable first should be HIR.
  size_t SeedHirCount(size_t n) const { return n > lir_limit_ ? n - lir_limit_ : 0; }
  // Makes `key` resident as the next victim (HIR, at the head of the queue). Same REQUIRES.
  void SeedCold(uint64_t key);
  // Becomes a copy of `other`. REQUIRES: same capacity and limits. Does not allocate.
  void CopyFrom(const LirsEngine& other);
  // Evicts the residents for which `keep(key)` is false (they become ghosts when they are in
  // the stack). Uses `scratch` as working space.
  template <typename Keep>
  void KeepOnly(Keep&& keep, std::vector<uint64_t>& scratch) {
    scratch.clear();
    ForEachByValue([&](uint64_t key) {
      if (!keep(key)) scratch.push_back(key);
    });
    for (const uint64_t key : scratch) Evict(Find(key));
  }

  // Resident keys, the next victim first (HIR in eviction order, then LIR from the bottom of
  // the stack).
  template <typename Fn>
  void ForEachByValue(Fn&& fn) const {
    for (uint32_t s = queue_.back(); s != kNil; s = queue_.before(s)) fn(nodes_[s].key);
    for (uint32_t s = stack_.back(); s != kNil; s = stack_.before(s)) {
      if (states_[s] == State::kLir) fn(nodes_[s].key);
    }
  }

  size_t size() const { return resident_; }
  size_t capacity() const { return capacity_; }
  // Bytes of memory held.
  size_t Bytes() const {
    return nodes_.size() * sizeof(Node) + states_.size() * sizeof(State) + index_.bytes();
  }

 private:
  enum class State : uint8_t { kLir, kHir, kGhost };
  struct Node {
    uint64_t key = 0;
    Links stack;  // the recency stack S (LIR, HIR and ghost keys); the free list
    Links queue;  // HIR residents: the queue Q; ghosts: the ghost FIFO
  };

  uint32_t Find(uint64_t key) const {
    return index_.Find(key, [this](uint32_t slot) { return nodes_[slot].key; });
  }
  uint32_t NewNode(uint64_t key);
  void Touch(uint32_t slot);
  void MissAt(uint64_t key, uint32_t slot, std::vector<uint64_t>* evicted);
  // Evicts the oldest HIR resident (or the bottom LIR key when there is none).
  uint64_t EvictVictim();
  // Evicts a resident; it stays as a ghost when it is in the stack.
  void Evict(uint32_t slot);
  // Turns the LIR key at the bottom of the stack into an HIR resident.
  void DemoteBottomLir();
  // Pops non-LIR keys off the bottom of the stack so that it ends with an LIR key.
  void Prune();
  void Forget(uint32_t slot);

  size_t capacity_;
  size_t lir_limit_;
  size_t ghost_limit_;
  std::vector<Node> nodes_;    // capacity_ + ghost_limit_ + 1 nodes, then 3 sentinels
  std::vector<State> states_;  // per node
  List<Node, &Node::stack> stack_;
  List<Node, &Node::queue> queue_;
  List<Node, &Node::queue> ghosts_;
  FreeList<Node, &Node::stack> free_;
  KeyIndex index_;
  size_t resident_ = 0;
  size_t lir_ = 0;
};

}  // namespace fastbreak::cache::detail
