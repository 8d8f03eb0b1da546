// fastbreak's adaptive policy (PolicyKind::kAdaptive): follow-the-leader over three expert
// policies — LIRS (loops, scans), LRU (recency) and W-TinyLFU with a 20% window (frequency).
// The experts run as key-only shadow caches on a hashed sample of the key space; the real
// cache runs the expert with the best recent hit ratio and switches, with hysteresis, when
// another one leads. Design and measurements: docs/performance.md ("L1 cache policy").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "cache/policy.hpp"
#include "cache/policy_lirs.hpp"
#include "cache/policy_sketch.hpp"
#include "cache/policy_tinylfu.hpp"

namespace fastbreak::cache::detail {

// One expert: LIRS, or W-TinyLFU with an admission window of `window` x capacity (1.0 = LRU).
struct ExpertSpec {
  bool lirs = false;
  double window = 1.0;
};

// Tuning of the adaptive policy. The defaults are what the trace tests measure.
struct AdaptiveOptions {
  // The experts. The cache starts as the first (LIRS: a wrong start costs least on loops and
  // scans, and recency-friendly workloads are recognised within a few capacities); a tie
  // goes to the current expert.
  std::vector<ExpertSpec> experts = {{true, 0}, {false, 1.0}, {false, 0.2}};
  double lirs_hir_percent = 1.0;  // share of the capacity for LIRS's HIR keys
  double lirs_ghosts = 2.0;       // non-resident keys LIRS remembers, x capacity
  // Shadow caches hold `sample_rate` x capacity keys, but at least `min_shadow`; a cache of
  // at most `min_shadow` entries is simulated exactly (every key is replayed). Larger: more
  // accurate choices, more work per access.
  size_t min_shadow = 512;
  double sample_rate = 1.0 / 32;
  // Every `period` x shadow capacity sampled accesses (at least `min_period`), each expert's
  // hit ratio in the period updates a moving average over about `horizon` x shadow capacity
  // sampled accesses (a plain mean until then).
  double period = 0.125;
  size_t min_period = 32;
  double horizon = 32;
  // The cache switches when another expert's average beats the current one's by this much
  // (a hit-ratio difference). Larger: fewer switches, slower to follow a change.
  double margin = 0.005;
};

class AdaptivePolicy final : public Policy {
 public:
  explicit AdaptivePolicy(size_t capacity, AdaptiveOptions options = {});
  ~AdaptivePolicy() override;

  bool Contains(uint64_t key) const override {
    return lirs_ ? lirs_->Contains(key) : tinylfu_->Contains(key);
  }
  void OnHit(uint64_t key) override;
  bool OnMiss(uint64_t key, std::vector<uint64_t>& evicted) override;
  void Remove(uint64_t key) override;
  std::optional<uint64_t> EvictOne() override;
  void Clear() override;

  size_t size() const override { return lirs_ ? lirs_->size() : tinylfu_->size(); }
  size_t capacity() const override { return capacity_; }
  // window_fraction: the W-TinyLFU window of the current expert (1 = LRU), or LIRS's HIR
  // share when LIRS is current. adaptations: switches between experts.
  PolicyStats stats() const override;

  // The expert the cache currently follows (index into AdaptiveOptions::experts).
  size_t current_expert() const { return current_; }
  // Hits of each expert's shadow so far.
  std::vector<uint64_t> expert_hits() const;
  // Whether every key is replayed in the shadows (capacity <= min_shadow).
  bool exact() const { return exact_; }
  // Bytes of policy metadata (real cache and shadows) per entry of capacity, now.
  size_t BytesPerEntry() const;

 private:
  struct Expert {
    std::unique_ptr<TinyLfuEngine> tinylfu;  // or
    std::unique_ptr<LirsEngine> lirs;
    double window = 0;
    uint64_t period_hits = 0;
    uint64_t total_hits = 0;
    double average = 0;
  };

  bool Sampled(uint64_t key) const { return (MixKey(key) >> 40) < sample_threshold_; }
  void Shadow(uint64_t key);
  void Evaluate();
  // Makes the real cache follow experts_[pending_] (done on a miss, never on a hit, because
  // it allocates and takes O(capacity) time).
  void Follow();
  // Exact mode: the real cache becomes a copy of the expert's shadow, except that keys the
  // shadow has and the cache has not are left out (they have no value), and keys only the
  // cache has are kept as the next victims.
  void CopyShadow(const Expert& expert);
  // Sampled mode: the real cache is rebuilt in the expert's engine from its residents, in
  // the old engine's order of value.
  void Reseed(const Expert& expert);
  std::unique_ptr<TinyLfuEngine> NewTinyLfu(double window);
  std::unique_ptr<LirsEngine> NewLirs(size_t capacity) const;
  void Reset();

  size_t capacity_;
  AdaptiveOptions options_;
  bool exact_;

  // The real cache: exactly one of a W-TinyLFU engine (window set by the current expert) or
  // a LIRS engine. In exact mode the W-TinyLFU engine shares the shadows' sketch (both see
  // every key); otherwise it has its own.
  std::unique_ptr<FrequencySketch> sketch_;
  std::unique_ptr<TinyLfuEngine> tinylfu_;
  std::unique_ptr<LirsEngine> lirs_;
  std::unique_ptr<TinyLfuEngine> spare_tinylfu_;  // exact mode: where the next copy is built
  size_t current_ = 0;
  size_t pending_ = 0;  // the expert to follow at the next miss

  // The shadows.
  uint64_t sample_threshold_ = 0;  // sampled: the top 24 bits of the key's hash are below
  size_t shadow_capacity_ = 0;
  FrequencySketch shadow_sketch_;
  std::vector<Expert> experts_;
  uint64_t period_length_ = 0;
  uint64_t period_accesses_ = 0;
  uint64_t periods_ = 0;
  double smoothing_ = 0;

  PolicyStats stats_;
  std::vector<uint64_t> scratch_;
};

}  // namespace fastbreak::cache::detail
