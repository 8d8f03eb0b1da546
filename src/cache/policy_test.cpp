#include "cache/policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_set>
#include <vector>

#include "cache/policy_adaptive.hpp"

namespace fastbreak::cache {
namespace {

constexpr PolicyKind kKinds[] = {PolicyKind::kAdaptive, PolicyKind::kLru};

// Drives a policy the way the L1 and the simulator do, keeping a mirror of what should be
// resident and checking the policy against it after every step.
class Driver {
 public:
  Driver(PolicyKind kind, size_t capacity) : policy_(MakePolicy(kind, capacity)) {}

  // One access; returns true on a hit.
  bool Access(uint64_t key) {
    if (policy_->Contains(key)) {
      EXPECT_TRUE(resident_.count(key)) << "policy says resident, mirror says not: " << key;
      policy_->OnHit(key);
      ++hits_;
      return true;
    }
    EXPECT_FALSE(resident_.count(key)) << "mirror says resident, policy says not: " << key;
    evicted_.clear();
    const bool admitted = policy_->OnMiss(key, evicted_);
    for (const uint64_t victim : evicted_) {
      EXPECT_NE(victim, key);
      EXPECT_EQ(resident_.erase(victim), 1u) << "evicted a key that was not resident: " << victim;
    }
    if (admitted) resident_.insert(key);
    EXPECT_EQ(policy_->Contains(key), admitted);
    EXPECT_EQ(policy_->size(), resident_.size());
    EXPECT_LE(policy_->size(), policy_->capacity());
    return false;
  }
  void Remove(uint64_t key) {
    policy_->Remove(key);
    resident_.erase(key);
    EXPECT_FALSE(policy_->Contains(key));
    EXPECT_EQ(policy_->size(), resident_.size());
  }
  std::optional<uint64_t> EvictOne() {
    const std::optional<uint64_t> victim = policy_->EvictOne();
    if (victim) {
      EXPECT_EQ(resident_.erase(*victim), 1u);
      EXPECT_FALSE(policy_->Contains(*victim));
    } else {
      EXPECT_TRUE(resident_.empty());
    }
    EXPECT_EQ(policy_->size(), resident_.size());
    return victim;
  }
  void Clear() {
    policy_->Clear();
    resident_.clear();
    EXPECT_EQ(policy_->size(), 0u);
  }
  void CheckAllResident() const {
    for (const uint64_t key : resident_) EXPECT_TRUE(policy_->Contains(key)) << key;
  }

  double HitRatio(uint64_t accesses) const {
    return static_cast<double>(hits_) / static_cast<double>(accesses);
  }
  void ResetHits() { hits_ = 0; }
  Policy& policy() { return *policy_; }
  const std::vector<uint64_t>& last_evicted() const { return evicted_; }

 private:
  std::unique_ptr<Policy> policy_;
  std::unordered_set<uint64_t> resident_;
  std::vector<uint64_t> evicted_;
  uint64_t hits_ = 0;
};

TEST(PolicyKindTest, ParsesAndNames) {
  EXPECT_EQ(ParsePolicyKind("fastbreak"), PolicyKind::kAdaptive);
  EXPECT_EQ(ParsePolicyKind("adaptive"), PolicyKind::kAdaptive);
  EXPECT_EQ(ParsePolicyKind("lru"), PolicyKind::kLru);
  EXPECT_EQ(ParsePolicyKind("LRU"), std::nullopt);
  EXPECT_EQ(ParsePolicyKind(""), std::nullopt);
  EXPECT_EQ(PolicyKindName(PolicyKind::kAdaptive), "fastbreak");
  EXPECT_EQ(PolicyKindName(PolicyKind::kLru), "lru");
}

TEST(LruPolicyTest, EvictsTheLeastRecentlyUsed) {
  Driver lru(PolicyKind::kLru, 3);
  lru.Access(1);
  lru.Access(2);
  lru.Access(3);
  EXPECT_TRUE(lru.Access(1));  // order now (oldest first): 2 3 1
  lru.Access(4);
  EXPECT_EQ(lru.last_evicted(), std::vector<uint64_t>{2});
  lru.Access(5);
  EXPECT_EQ(lru.last_evicted(), std::vector<uint64_t>{3});
  EXPECT_TRUE(lru.Access(1));
  EXPECT_TRUE(lru.Access(4));
  EXPECT_TRUE(lru.Access(5));
  EXPECT_EQ(lru.EvictOne(), 1u);  // 1 4 5 were touched in that order
  EXPECT_EQ(lru.EvictOne(), 4u);
}

TEST(LruPolicyTest, RemoveEvictOneAndClear) {
  Driver lru(PolicyKind::kLru, 4);
  for (uint64_t key = 1; key <= 4; ++key) lru.Access(key);
  lru.Remove(2);
  lru.Remove(99);  // not resident: no effect
  EXPECT_EQ(lru.policy().size(), 3u);
  EXPECT_EQ(lru.EvictOne(), 1u);
  lru.Access(5);
  lru.Access(6);  // room was made by Remove/EvictOne: nothing evicted
  EXPECT_TRUE(lru.last_evicted().empty());
  lru.Clear();
  EXPECT_EQ(lru.EvictOne(), std::nullopt);
  EXPECT_FALSE(lru.Access(3));
}

TEST(LruPolicyTest, StatsCount) {
  Driver lru(PolicyKind::kLru, 2);
  for (uint64_t key = 0; key < 10; ++key) lru.Access(key);
  const PolicyStats stats = lru.policy().stats();
  EXPECT_EQ(stats.admitted, 10u);
  EXPECT_EQ(stats.evicted, 8u);
  EXPECT_EQ(stats.rejected, 0u);
}

class EveryPolicyTest : public ::testing::TestWithParam<PolicyKind> {};

TEST_P(EveryPolicyTest, CapacityOne) {
  Driver driver(GetParam(), 1);
  EXPECT_EQ(driver.policy().capacity(), 1u);
  EXPECT_FALSE(driver.Access(7));
  EXPECT_TRUE(driver.Access(7));
  EXPECT_TRUE(driver.Access(7));
  for (uint64_t key = 0; key < 100; ++key) driver.Access(key % 3);
  EXPECT_LE(driver.policy().size(), 1u);
  driver.EvictOne();
  EXPECT_EQ(driver.EvictOne(), std::nullopt);
}

TEST_P(EveryPolicyTest, CapacityZeroIsOne) { EXPECT_EQ(MakePolicy(GetParam(), 0)->capacity(), 1u); }

TEST_P(EveryPolicyTest, RemoveEvictOneAndClear) {
  Driver driver(GetParam(), 50);
  for (uint64_t key = 0; key < 50; ++key) driver.Access(key);
  EXPECT_EQ(driver.policy().size(), 50u);
  driver.Remove(10);
  driver.Remove(10);
  driver.Remove(1000);
  EXPECT_EQ(driver.policy().size(), 49u);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(driver.EvictOne().has_value());
  EXPECT_EQ(driver.policy().size(), 40u);
  driver.CheckAllResident();
  driver.Clear();
  EXPECT_EQ(driver.EvictOne(), std::nullopt);
  for (uint64_t key = 100; key < 200; ++key) driver.Access(key);
  EXPECT_EQ(driver.policy().size(), 50u);
}

// Random accesses, removals, single evictions and clears against the mirror: the policy never
// exceeds its capacity, reports every key it drops, and agrees with the mirror on what is
// resident. Capacities cover the exact (small) and sampled (large) modes of kAdaptive.
TEST_P(EveryPolicyTest, RandomOperationsKeepTheInvariants) {
  uint64_t adaptations = 0;
  for (const size_t capacity : {2, 7, 100, 600, 3000}) {
    const uint32_t seed = 1234 + static_cast<uint32_t>(capacity);
    SCOPED_TRACE(::testing::Message() << "capacity " << capacity << " seed " << seed);
    std::mt19937_64 rng(seed);
    Driver driver(GetParam(), capacity);
    const uint64_t universe = capacity * 3;
    std::uniform_int_distribution<uint64_t> key_of(0, universe);
    for (int step = 0; step < 200'000 && !::testing::Test::HasFailure(); ++step) {
      const uint64_t roll = rng() % 1000;
      // Phases: a skewed working set, then loops, so that kAdaptive changes experts.
      const uint64_t key =
          (step / 20'000) % 2 == 0 ? key_of(rng) % (1 + key_of(rng)) : step % (capacity + 5);
      if (roll < 980) {
        driver.Access(key);
      } else if (roll < 995) {
        driver.Remove(key);
      } else if (roll < 999) {
        driver.EvictOne();
      } else if (rng() % 20 == 0) {
        driver.Clear();
      }
    }
    driver.CheckAllResident();
    adaptations += driver.policy().stats().adaptations;
  }
  // The phases make the adaptive policy switch experts, so switching is covered too.
  if (GetParam() == PolicyKind::kAdaptive) {
    EXPECT_GT(adaptations, 5u);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, EveryPolicyTest, ::testing::ValuesIn(kKinds),
                         [](const auto& param) {
                           return std::string(PolicyKindName(param.param));
                         });

// Hit ratio of `kind` on `keys` from a cold start.
double HitRatio(PolicyKind kind, size_t capacity, const std::vector<uint64_t>& keys) {
  Driver driver(kind, capacity);
  for (const uint64_t key : keys) driver.Access(key);
  return driver.HitRatio(keys.size());
}

// A loop slightly larger than the cache: LRU always evicts the key needed next.
std::vector<uint64_t> Loop(size_t length, int rounds) {
  std::vector<uint64_t> keys;
  for (int round = 0; round < rounds; ++round) {
    for (uint64_t key = 0; key < length; ++key) keys.push_back(key * 7919 + 1);
  }
  return keys;
}

// Recency-heavy, like the corda trace: every key is new, half of them come back once soon
// after (within a third of the capacity). Loop- and frequency-oriented policies keep old keys
// and miss the returns; LRU hits all of them.
std::vector<uint64_t> Recency(size_t capacity, size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint64_t> keys;
  std::vector<std::pair<size_t, uint64_t>> returns;  // (position, key)
  uint64_t next = 1;
  while (keys.size() < count) {
    if (!returns.empty() && returns.front().first <= keys.size()) {
      keys.push_back(returns.front().second);
      returns.erase(returns.begin());
      continue;
    }
    const uint64_t key = next++;
    keys.push_back(key);
    if (key % 2 == 0) {
      const size_t at = keys.size() + 1 + rng() % (capacity / 3);
      returns.insert(std::upper_bound(returns.begin(), returns.end(), std::make_pair(at, key)),
                     {at, key});
    }
  }
  return keys;
}

TEST(AdaptivePolicyTest, BeatsLruOnALoopLargerThanTheCache) {
  for (const size_t capacity : {500, 5000}) {  // exact and sampled shadows
    SCOPED_TRACE(::testing::Message() << "capacity " << capacity);
    const std::vector<uint64_t> keys = Loop(capacity + capacity / 10, 30);
    const double lru = HitRatio(PolicyKind::kLru, capacity, keys);
    const double adaptive = HitRatio(PolicyKind::kAdaptive, capacity, keys);
    EXPECT_LT(lru, 0.01);
    // LIRS keeps ~99% of the cache fixed: ~0.9 of the loop hits after the first round.
    EXPECT_GT(adaptive, 0.8);
  }
}

TEST(AdaptivePolicyTest, MatchesLruOnARecencyWorkload) {
  for (const size_t capacity : {300, 3000}) {
    SCOPED_TRACE(::testing::Message() << "capacity " << capacity);
    const std::vector<uint64_t> keys = Recency(capacity, 150 * capacity, 42);
    const double lru = HitRatio(PolicyKind::kLru, capacity, keys);
    EXPECT_GT(lru, 0.3);
    detail::AdaptivePolicy adaptive(capacity);
    std::vector<uint64_t> evicted;
    uint64_t hits = 0;
    for (const uint64_t key : keys) {
      if (adaptive.Contains(key)) {
        adaptive.OnHit(key);
        ++hits;
      } else {
        adaptive.OnMiss(key, evicted);
      }
    }
    EXPECT_GT(static_cast<double>(hits) / static_cast<double>(keys.size()), lru - 0.01);
    // It started as LIRS and moved to LRU (window 100%).
    EXPECT_GE(adaptive.stats().adaptations, 1u);
    EXPECT_EQ(adaptive.current_expert(), 1u);
    EXPECT_DOUBLE_EQ(adaptive.stats().window_fraction, 1.0);
  }
}

TEST(AdaptivePolicyTest, StatsCount) {
  detail::AdaptivePolicy adaptive(100);
  std::vector<uint64_t> evicted;
  for (uint64_t key = 0; key < 1000; ++key) {
    evicted.clear();
    if (!adaptive.Contains(key)) adaptive.OnMiss(key, evicted);
  }
  PolicyStats stats = adaptive.stats();
  EXPECT_EQ(stats.admitted + stats.rejected, 1000u);
  EXPECT_EQ(stats.evicted, stats.admitted - adaptive.size());
  EXPECT_DOUBLE_EQ(stats.window_fraction, 0.01);  // LIRS: its 1% HIR share
  EXPECT_EQ(stats.adaptations, 0u);
  EXPECT_TRUE(adaptive.exact());
  EXPECT_FALSE(detail::AdaptivePolicy(100'000).exact());
}

TEST(AdaptivePolicyTest, MemoryPerEntryIsBounded) {
  for (const size_t capacity : {100, 10'000, 100'000}) {
    detail::AdaptivePolicy adaptive(capacity);
    std::vector<uint64_t> evicted;
    for (uint64_t key = 0; key < 3 * capacity; ++key) {
      evicted.clear();
      if (!adaptive.Contains(key % (2 * capacity))) adaptive.OnMiss(key % (2 * capacity), evicted);
    }
    EXPECT_LT(adaptive.BytesPerEntry(), capacity <= 512 ? 1000u : 300u) << capacity;
  }
}

}  // namespace
}  // namespace fastbreak::cache
