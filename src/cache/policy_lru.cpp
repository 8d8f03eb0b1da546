#include "cache/policy_lru.hpp"

namespace fastbreak::cache::detail {

LruPolicy::LruPolicy(size_t capacity)
    : capacity_(capacity),
      nodes_(capacity + 1),
      order_(nodes_.data(), static_cast<uint32_t>(capacity)),
      free_(nodes_.data(), static_cast<uint32_t>(capacity)),
      index_(capacity) {}

void LruPolicy::OnHit(uint64_t key) {
  const uint32_t slot = Find(key);
  if (slot != kNil) order_.MoveToFront(slot);
}

bool LruPolicy::OnMiss(uint64_t key, std::vector<uint64_t>& evicted) {
  if (Find(key) != kNil) {
    OnHit(key);
    return true;
  }
  if (free_.empty()) {
    const uint32_t victim = order_.back();
    evicted.push_back(nodes_[victim].key);
    Drop(victim);
    ++stats_.evicted;
  }
  const uint32_t slot = free_.Take();
  nodes_[slot].key = key;
  order_.PushFront(slot);
  index_.Insert(key, slot);
  ++stats_.admitted;
  return true;
}

void LruPolicy::Drop(uint32_t slot) {
  order_.Unlink(slot);
  index_.Erase(nodes_[slot].key, slot);
  free_.Give(slot);
}

void LruPolicy::Remove(uint64_t key) {
  const uint32_t slot = Find(key);
  if (slot != kNil) Drop(slot);
}

std::optional<uint64_t> LruPolicy::EvictOne() {
  const uint32_t victim = order_.back();
  if (victim == kNil) return std::nullopt;
  const uint64_t key = nodes_[victim].key;
  Drop(victim);
  ++stats_.evicted;
  return key;
}

void LruPolicy::Clear() {
  for (Node& node : nodes_) node = Node{};
  order_.Reset();
  free_.Reset();
  index_.Clear();
}

}  // namespace fastbreak::cache::detail
