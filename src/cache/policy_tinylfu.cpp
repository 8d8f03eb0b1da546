#include "cache/policy_tinylfu.hpp"

#include <algorithm>
#include <cmath>

namespace fastbreak::cache::detail {
namespace {

constexpr double kProtectedShare = 0.8;  // of the main area

}  // namespace

TinyLfuEngine::TinyLfuEngine(size_t capacity, double window_fraction, FrequencySketch* sketch)
    : capacity_(capacity),
      nodes_(capacity + 1 + 4),
      areas_(nodes_.size(), Area::kWindow),
      free_(nodes_.data(), static_cast<uint32_t>(capacity + 1)),
      index_(capacity + 1),
      sketch_(sketch),
      initial_window_(window_fraction) {
  for (size_t i = 0; i < lists_.size(); ++i) {
    lists_[i] = AreaList(nodes_.data(), static_cast<uint32_t>(capacity + 1 + i));
  }
  Clear();
}

void TinyLfuEngine::Move(uint32_t slot, Area to, bool front) {
  list(areas_[slot]).Unlink(slot);
  areas_[slot] = to;
  if (front) {
    list(to).PushFront(slot);
  } else {
    list(to).PushBack(slot);
  }
}

void TinyLfuEngine::HitAt(uint32_t slot) {
  switch (areas_[slot]) {
    case Area::kWindow:
      list(Area::kWindow).MoveToFront(slot);
      break;
    case Area::kProbation:
    case Area::kCold:
      Move(slot, Area::kProtected, true);
      RebalanceProtected();
      break;
    case Area::kProtected:
      list(Area::kProtected).MoveToFront(slot);
      break;
  }
}

bool TinyLfuEngine::OnMiss(uint64_t key, std::vector<uint64_t>* evicted) {
  const uint32_t slot = free_.Take();
  nodes_[slot].key = key;
  areas_[slot] = Area::kWindow;
  list(Area::kWindow).PushFront(slot);
  index_.Insert(key, slot);
  ++size_;
  // The window's overflow becomes the candidate for the main area.
  uint32_t candidate = kNil;
  if (list(Area::kWindow).size() > window_limit_) {
    candidate = list(Area::kWindow).back();
    Move(candidate, Area::kProbation, true);
  }
  if (size_ <= capacity_) return true;
  uint32_t victim = list(Area::kCold).back();
  if (victim == kNil) {
    victim = list(Area::kProbation).back();
    if (victim == kNil || victim == candidate) {
      victim = list(Area::kProtected).back();
      if (victim == kNil) victim = candidate != kNil ? candidate : list(Area::kWindow).back();
    }
    if (candidate != kNil && victim != candidate &&
        sketch_->Estimate(nodes_[candidate].key) <= sketch_->Estimate(nodes_[victim].key)) {
      victim = candidate;
    }
  }
  const bool admitted = nodes_[victim].key != key;
  if (admitted && evicted != nullptr) evicted->push_back(nodes_[victim].key);
  Drop(victim);
  return admitted;
}

void TinyLfuEngine::Drop(uint32_t slot) {
  list(areas_[slot]).Unlink(slot);
  index_.Erase(nodes_[slot].key, slot);
  free_.Give(slot);
  --size_;
}

void TinyLfuEngine::RebalanceProtected() {
  while (list(Area::kProtected).size() > protected_limit_) {
    Move(list(Area::kProtected).back(), Area::kProbation, true);
  }
}

void TinyLfuEngine::SetWindow(size_t entries) {
  window_limit_ = std::min(entries, capacity_);
  protected_limit_ =
      static_cast<size_t>(kProtectedShare * static_cast<double>(capacity_ - window_limit_));
  while (list(Area::kWindow).size() > window_limit_) {
    Move(list(Area::kWindow).back(), Area::kProbation, true);
  }
  RebalanceProtected();
}

void TinyLfuEngine::Seed(uint64_t key) {
  const uint32_t slot = free_.Take();
  nodes_[slot].key = key;
  areas_[slot] = Area::kWindow;
  index_.Insert(key, slot);
  ++size_;
  // The newest keys fill the window; older ones are pushed into the main area, whose most
  // valuable part is protected.
  list(Area::kWindow).PushFront(slot);
  if (list(Area::kWindow).size() > window_limit_) {
    Move(list(Area::kWindow).back(), Area::kProtected, true);
    RebalanceProtected();
  }
}

void TinyLfuEngine::SeedCold(uint64_t key) {
  const uint32_t slot = free_.Take();
  nodes_[slot].key = key;
  areas_[slot] = Area::kCold;
  index_.Insert(key, slot);
  ++size_;
  list(Area::kCold).PushBack(slot);
}

void TinyLfuEngine::CopyFrom(const TinyLfuEngine& other) {
  nodes_ = other.nodes_;
  areas_ = other.areas_;
  lists_ = other.lists_;
  for (AreaList& area : lists_) area.Rebind(nodes_.data());
  free_ = other.free_;
  free_.Rebind(nodes_.data());
  index_ = other.index_;
  size_ = other.size_;
  window_limit_ = other.window_limit_;
  protected_limit_ = other.protected_limit_;
}

void TinyLfuEngine::Remove(uint64_t key) {
  const uint32_t slot = Find(key);
  if (slot != kNil) Drop(slot);
}

std::optional<uint64_t> TinyLfuEngine::EvictOne() {
  uint32_t victim = kNil;
  for (const Area area : {Area::kCold, Area::kProbation, Area::kWindow, Area::kProtected}) {
    victim = list(area).back();
    if (victim != kNil) break;
  }
  if (victim == kNil) return std::nullopt;
  const uint64_t key = nodes_[victim].key;
  Drop(victim);
  return key;
}

void TinyLfuEngine::Clear() {
  for (Node& node : nodes_) node = Node{};
  for (AreaList& area : lists_) area.Reset();
  free_.Reset();
  index_.Clear();
  size_ = 0;
  SetWindow(static_cast<size_t>(std::llround(initial_window_ * static_cast<double>(capacity_))));
}

}  // namespace fastbreak::cache::detail
