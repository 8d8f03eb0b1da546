#include "cache/policy_adaptive.hpp"

#include <algorithm>
#include <cmath>

namespace fastbreak::cache::detail {
namespace {

constexpr uint64_t kSampleScale = uint64_t{1} << 24;

size_t ShadowCapacity(size_t capacity, const AdaptiveOptions& options) {
  if (capacity <= options.min_shadow) return capacity;
  const double rate = std::max(
      options.sample_rate, static_cast<double>(options.min_shadow) / static_cast<double>(capacity));
  return std::max<size_t>(1,
                          static_cast<size_t>(std::llround(static_cast<double>(capacity) * rate)));
}

size_t Entries(double fraction, size_t capacity) {
  return static_cast<size_t>(std::llround(fraction * static_cast<double>(capacity)));
}

}  // namespace

AdaptivePolicy::AdaptivePolicy(size_t capacity, AdaptiveOptions options)
    : capacity_(std::max<size_t>(capacity, 1)),
      options_(std::move(options)),
      exact_(capacity_ <= options_.min_shadow),
      shadow_capacity_(ShadowCapacity(capacity_, options_)),
      shadow_sketch_(shadow_capacity_) {
  if (options_.experts.empty()) options_.experts = AdaptiveOptions{}.experts;
  sample_threshold_ =
      exact_ ? kSampleScale
             : std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(
                                         static_cast<double>(shadow_capacity_) /
                                         static_cast<double>(capacity_) * kSampleScale)));
  for (const ExpertSpec& spec : options_.experts) {
    Expert expert;
    expert.window = spec.window;
    if (spec.lirs) {
      expert.lirs = NewLirs(shadow_capacity_);
    } else {
      expert.tinylfu =
          std::make_unique<TinyLfuEngine>(shadow_capacity_, spec.window, &shadow_sketch_);
    }
    experts_.push_back(std::move(expert));
  }
  period_length_ = std::max<uint64_t>(
      options_.min_period,
      static_cast<uint64_t>(std::llround(options_.period * static_cast<double>(shadow_capacity_))));
  smoothing_ = std::min(1.0, static_cast<double>(period_length_) /
                                 (options_.horizon * static_cast<double>(shadow_capacity_)));
  Reset();
}

AdaptivePolicy::~AdaptivePolicy() = default;

std::unique_ptr<TinyLfuEngine> AdaptivePolicy::NewTinyLfu(double window) {
  if (exact_) return std::make_unique<TinyLfuEngine>(capacity_, window, &shadow_sketch_);
  if (!sketch_) sketch_ = std::make_unique<FrequencySketch>(capacity_);
  return std::make_unique<TinyLfuEngine>(capacity_, window, sketch_.get());
}

std::unique_ptr<LirsEngine> AdaptivePolicy::NewLirs(size_t capacity) const {
  return std::make_unique<LirsEngine>(
      capacity, options_.lirs_hir_percent,
      static_cast<size_t>(std::llround(options_.lirs_ghosts * static_cast<double>(capacity))));
}

void AdaptivePolicy::Reset() {
  current_ = 0;
  pending_ = 0;
  const ExpertSpec& first = options_.experts.front();
  if (first.lirs) {
    tinylfu_.reset();
    if (lirs_) {
      lirs_->Clear();
    } else {
      lirs_ = NewLirs(capacity_);
    }
  } else {
    lirs_.reset();
    if (sketch_) sketch_->Clear();
    tinylfu_ = NewTinyLfu(first.window);
  }
  if (lirs_) sketch_.reset();  // only the W-TinyLFU engine uses it
  shadow_sketch_.Clear();
  for (Expert& expert : experts_) {
    if (expert.tinylfu) expert.tinylfu->Clear();
    if (expert.lirs) expert.lirs->Clear();
    expert.period_hits = 0;
    expert.total_hits = 0;
    expert.average = 0;
  }
  period_accesses_ = 0;
  periods_ = 0;
}

void AdaptivePolicy::OnHit(uint64_t key) {
  const bool sampled = Sampled(key);
  if (sampled) shadow_sketch_.Increment(key);
  if (lirs_) {
    lirs_->OnHit(key);
  } else {
    if (!exact_) sketch_->Increment(key);
    tinylfu_->OnHit(key);
  }
  if (sampled) Shadow(key);
}

bool AdaptivePolicy::OnMiss(uint64_t key, std::vector<uint64_t>& evicted) {
  if (Contains(key)) {  // tolerated: the engines assume a miss is a miss
    OnHit(key);
    return true;
  }
  if (pending_ != current_) Follow();
  const bool sampled = Sampled(key);
  if (sampled) shadow_sketch_.Increment(key);
  const size_t before = evicted.size();
  bool admitted = true;
  if (lirs_) {
    lirs_->OnMiss(key, &evicted);
  } else {
    if (!exact_) sketch_->Increment(key);
    admitted = tinylfu_->OnMiss(key, &evicted);
  }
  stats_.evicted += evicted.size() - before;
  ++(admitted ? stats_.admitted : stats_.rejected);
  if (sampled) Shadow(key);
  return admitted;
}

void AdaptivePolicy::Shadow(uint64_t key) {
  for (Expert& expert : experts_) {
    expert.period_hits += expert.tinylfu ? expert.tinylfu->Access(key) : expert.lirs->Access(key);
  }
  if (++period_accesses_ >= period_length_) Evaluate();
}

void AdaptivePolicy::Evaluate() {
  ++periods_;
  const double weight = std::max(smoothing_, 1.0 / static_cast<double>(periods_));
  size_t best = current_;
  for (size_t i = 0; i < experts_.size(); ++i) {
    Expert& expert = experts_[i];
    const double ratio =
        static_cast<double>(expert.period_hits) / static_cast<double>(period_accesses_);
    expert.average += weight * (ratio - expert.average);
    expert.total_hits += expert.period_hits;
    expert.period_hits = 0;
    if (expert.average > experts_[best].average) best = i;
  }
  period_accesses_ = 0;
  pending_ =
      experts_[best].average > experts_[current_].average + options_.margin ? best : current_;
}

void AdaptivePolicy::Follow() {
  const Expert& expert = experts_[pending_];
  current_ = pending_;
  ++stats_.adaptations;
  if (exact_) {
    CopyShadow(expert);
  } else {
    Reseed(expert);
  }
  std::vector<uint64_t>().swap(scratch_);  // switches are rare: do not keep the memory
  if (lirs_) sketch_.reset();
}

void AdaptivePolicy::CopyShadow(const Expert& expert) {
  // Keys only the old engine has, least valuable first, become the next victims.
  const auto keep_leftovers = [this](const auto& from, auto& to) {
    scratch_.clear();
    from.ForEachByValue([&](uint64_t key) {
      if (!to.Contains(key)) scratch_.push_back(key);
    });
    for (auto it = scratch_.rbegin(); it != scratch_.rend(); ++it) to.SeedCold(*it);
  };
  if (expert.tinylfu) {
    if (!spare_tinylfu_) spare_tinylfu_ = NewTinyLfu(expert.window);
    TinyLfuEngine& next = *spare_tinylfu_;
    next.CopyFrom(*expert.tinylfu);
    if (lirs_) {
      next.KeepOnly([&](uint64_t key) { return lirs_->Contains(key); }, scratch_);
      keep_leftovers(*lirs_, next);
      lirs_.reset();
    } else {
      next.KeepOnly([&](uint64_t key) { return tinylfu_->Contains(key); }, scratch_);
      keep_leftovers(*tinylfu_, next);
    }
    std::swap(tinylfu_, spare_tinylfu_);
    return;
  }
  lirs_ = NewLirs(capacity_);
  lirs_->CopyFrom(*expert.lirs);
  lirs_->KeepOnly([&](uint64_t key) { return tinylfu_->Contains(key); }, scratch_);
  keep_leftovers(*tinylfu_, *lirs_);
  tinylfu_.reset();
}

void AdaptivePolicy::Reseed(const Expert& expert) {
  if (expert.tinylfu && tinylfu_) {
    tinylfu_->SetWindow(Entries(expert.window, capacity_));
    return;
  }
  scratch_.clear();
  if (expert.tinylfu) {
    lirs_->ForEachByValue([&](uint64_t key) { scratch_.push_back(key); });
    lirs_.reset();
    tinylfu_ = NewTinyLfu(expert.window);
    for (const uint64_t key : scratch_) tinylfu_->Seed(key);
    return;
  }
  tinylfu_->ForEachByValue([&](uint64_t key) { scratch_.push_back(key); });
  tinylfu_.reset();
  lirs_ = NewLirs(capacity_);
  const size_t hir = lirs_->SeedHirCount(scratch_.size());
  for (size_t i = 0; i < scratch_.size(); ++i) lirs_->Seed(scratch_[i], i >= hir);
}

void AdaptivePolicy::Remove(uint64_t key) {
  if (lirs_) {
    lirs_->Remove(key);
  } else {
    tinylfu_->Remove(key);
  }
}

std::optional<uint64_t> AdaptivePolicy::EvictOne() {
  std::optional<uint64_t> key = lirs_ ? lirs_->EvictOne() : tinylfu_->EvictOne();
  if (key) ++stats_.evicted;
  return key;
}

void AdaptivePolicy::Clear() {
  spare_tinylfu_.reset();
  Reset();
}

std::vector<uint64_t> AdaptivePolicy::expert_hits() const {
  std::vector<uint64_t> hits;
  for (const Expert& expert : experts_) hits.push_back(expert.total_hits + expert.period_hits);
  return hits;
}

size_t AdaptivePolicy::BytesPerEntry() const {
  size_t bytes = shadow_sketch_.bytes();
  if (sketch_) bytes += sketch_->bytes();
  if (tinylfu_) bytes += tinylfu_->Bytes();
  if (spare_tinylfu_) bytes += spare_tinylfu_->Bytes();
  if (lirs_) bytes += lirs_->Bytes();
  for (const Expert& expert : experts_) {
    bytes += expert.tinylfu ? expert.tinylfu->Bytes() : expert.lirs->Bytes();
  }
  return bytes / capacity_;
}

PolicyStats AdaptivePolicy::stats() const {
  PolicyStats stats = stats_;
  stats.window_fraction =
      lirs_ ? options_.lirs_hir_percent / 100
            : static_cast<double>(tinylfu_->window()) / static_cast<double>(capacity_);
  return stats;
}

}  // namespace fastbreak::cache::detail
