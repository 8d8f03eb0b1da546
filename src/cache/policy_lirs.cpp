#include "cache/policy_lirs.hpp"

#include <algorithm>
#include <cmath>

namespace fastbreak::cache::detail {

LirsEngine::LirsEngine(size_t capacity, double hir_percent, size_t ghost_limit)
    : capacity_(capacity),
      ghost_limit_(ghost_limit),
      nodes_(capacity + ghost_limit + 1 + 3),
      states_(nodes_.size(), State::kGhost),
      index_(capacity + ghost_limit + 1) {
  const auto hir =
      static_cast<size_t>(std::ceil(static_cast<double>(capacity) * hir_percent / 100));
  lir_limit_ = capacity - std::clamp<size_t>(hir, 1, capacity);
  const auto nodes = static_cast<uint32_t>(capacity + ghost_limit + 1);
  stack_ = List<Node, &Node::stack>(nodes_.data(), nodes);
  queue_ = List<Node, &Node::queue>(nodes_.data(), nodes + 1);
  ghosts_ = List<Node, &Node::queue>(nodes_.data(), nodes + 2);
  free_ = FreeList<Node, &Node::stack>(nodes_.data(), nodes);
}

uint32_t LirsEngine::NewNode(uint64_t key) {
  const uint32_t slot = free_.Take();
  nodes_[slot].key = key;
  index_.Insert(key, slot);
  return slot;
}

void LirsEngine::Touch(uint32_t slot) {
  if (states_[slot] == State::kLir) {
    const bool was_bottom = stack_.back() == slot;
    stack_.MoveToFront(slot);
    if (was_bottom) Prune();
    return;
  }
  // An HIR resident.
  if (stack_.Linked(slot)) {
    // Its reuse distance is below that of the bottom LIR key: they trade places.
    queue_.Unlink(slot);
    states_[slot] = State::kLir;
    ++lir_;
    stack_.MoveToFront(slot);
    if (lir_ > lir_limit_) DemoteBottomLir();
  } else {
    stack_.PushFront(slot);
    queue_.MoveToFront(slot);
  }
}

void LirsEngine::MissAt(uint64_t key, uint32_t slot, std::vector<uint64_t>* evicted) {
  if (resident_ >= capacity_) {
    const uint64_t victim = EvictVictim();
    if (evicted != nullptr) evicted->push_back(victim);
    // Evicting may have dropped `key`'s own ghost (ghost bound, pruning): look it up again.
    if (slot != kNil) slot = Find(key);
  }
  ++resident_;
  if (slot != kNil) {
    // A ghost: seen recently enough to still be in the stack, so its reuse distance is
    // smaller than the bottom LIR key's.
    ghosts_.Unlink(slot);
    states_[slot] = State::kLir;
    ++lir_;
    stack_.MoveToFront(slot);
    if (lir_ > lir_limit_) DemoteBottomLir();
    return;
  }
  slot = NewNode(key);
  stack_.PushFront(slot);
  if (lir_ < lir_limit_) {
    states_[slot] = State::kLir;
    ++lir_;
  } else {
    states_[slot] = State::kHir;
    queue_.PushFront(slot);
  }
}

uint64_t LirsEngine::EvictVictim() {
  uint32_t victim = queue_.back();
  if (victim == kNil) {
    // No HIR residents (keys were removed): take the bottom LIR key.
    victim = stack_.back();
    while (states_[victim] != State::kLir) victim = stack_.before(victim);
  }
  const uint64_t key = nodes_[victim].key;
  Evict(victim);
  return key;
}

void LirsEngine::Evict(uint32_t slot) {
  if (states_[slot] == State::kLir) {
    --lir_;
  } else {
    queue_.Unlink(slot);
  }
  --resident_;
  if (!stack_.Linked(slot)) {
    Forget(slot);
    return;
  }
  states_[slot] = State::kGhost;
  ghosts_.PushFront(slot);
  if (ghosts_.size() > ghost_limit_) {
    const uint32_t oldest = ghosts_.PopBack();
    stack_.Unlink(oldest);
    Forget(oldest);
  }
  Prune();
}

void LirsEngine::DemoteBottomLir() {
  Prune();
  const uint32_t bottom = stack_.back();
  stack_.Unlink(bottom);
  states_[bottom] = State::kHir;
  --lir_;
  queue_.PushFront(bottom);
  Prune();
}

void LirsEngine::Prune() {
  while (true) {
    const uint32_t bottom = stack_.back();
    if (bottom == kNil || states_[bottom] == State::kLir) return;
    stack_.Unlink(bottom);
    if (states_[bottom] == State::kGhost) {
      ghosts_.Unlink(bottom);
      Forget(bottom);
    }
  }
}

void LirsEngine::Forget(uint32_t slot) {
  index_.Erase(nodes_[slot].key, slot);
  states_[slot] = State::kGhost;
  free_.Give(slot);
}

void LirsEngine::Seed(uint64_t key, bool lir) {
  uint32_t slot = Find(key);
  if (slot != kNil) {  // a ghost
    ghosts_.Unlink(slot);
    stack_.Unlink(slot);
  } else {
    slot = NewNode(key);
  }
  ++resident_;
  if (lir) {
    states_[slot] = State::kLir;
    ++lir_;
    stack_.PushFront(slot);
  } else {
    states_[slot] = State::kHir;
    queue_.PushFront(slot);
  }
}

void LirsEngine::SeedCold(uint64_t key) {
  uint32_t slot = Find(key);
  if (slot != kNil) {  // a ghost keeps its place in the stack
    ghosts_.Unlink(slot);
  } else {
    slot = NewNode(key);
  }
  states_[slot] = State::kHir;
  queue_.PushBack(slot);
  ++resident_;
}

void LirsEngine::CopyFrom(const LirsEngine& other) {
  nodes_ = other.nodes_;
  states_ = other.states_;
  stack_ = other.stack_;
  queue_ = other.queue_;
  ghosts_ = other.ghosts_;
  free_ = other.free_;
  stack_.Rebind(nodes_.data());
  queue_.Rebind(nodes_.data());
  ghosts_.Rebind(nodes_.data());
  free_.Rebind(nodes_.data());
  index_ = other.index_;
  resident_ = other.resident_;
  lir_ = other.lir_;
}

void LirsEngine::Remove(uint64_t key) {
  const uint32_t slot = Find(key);
  if (slot == kNil || states_[slot] == State::kGhost) return;
  if (states_[slot] == State::kLir) {
    --lir_;
  } else {
    queue_.Unlink(slot);
  }
  if (stack_.Linked(slot)) stack_.Unlink(slot);
  --resident_;
  Forget(slot);
  Prune();
}

std::optional<uint64_t> LirsEngine::EvictOne() {
  if (resident_ == 0) return std::nullopt;
  return EvictVictim();
}

void LirsEngine::Clear() {
  for (Node& node : nodes_) node = Node{};
  std::fill(states_.begin(), states_.end(), State::kGhost);
  stack_.Reset();
  queue_.Reset();
  ghosts_.Reset();
  free_.Reset();
  index_.Clear();
  resident_ = 0;
  lir_ = 0;
}

}  // namespace fastbreak::cache::detail
