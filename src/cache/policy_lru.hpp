// Least-recently-used: the baseline policy (PolicyKind::kLru). 16 bytes of node and 12-24 of
// index per entry; no allocation after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cache/policy.hpp"
#include "cache/policy_table.hpp"

namespace fastbreak::cache::detail {

class LruPolicy final : public Policy {
 public:
  explicit LruPolicy(size_t capacity);

  bool Contains(uint64_t key) const override { return Find(key) != kNil; }
  void OnHit(uint64_t key) override;
  bool OnMiss(uint64_t key, std::vector<uint64_t>& evicted) override;
  void Remove(uint64_t key) override;
  std::optional<uint64_t> EvictOne() override;
  void Clear() override;

  size_t size() const override { return order_.size(); }
  size_t capacity() const override { return capacity_; }
  PolicyStats stats() const override { return stats_; }

  // Bytes of memory held.
  size_t Bytes() const { return nodes_.size() * sizeof(Node) + index_.bytes(); }

 private:
  struct Node {
    uint64_t key = 0;
    Links links;
  };

  uint32_t Find(uint64_t key) const {
    return index_.Find(key, [this](uint32_t slot) { return nodes_[slot].key; });
  }
  void Drop(uint32_t slot);

  size_t capacity_;
  std::vector<Node> nodes_;         // capacity_ entries, then the list's sentinel
  List<Node, &Node::links> order_;  // front: most recently used
  FreeList<Node, &Node::links> free_;
  KeyIndex index_;
  PolicyStats stats_;
};

}  // namespace fastbreak::cache::detail
