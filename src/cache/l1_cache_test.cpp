#include "cache/l1_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fastbreak::cache {
namespace {

using std::chrono::seconds;

// FASTBREAK_TEST_SEED if set (to replay a failure), else a fresh random seed.
uint64_t TestSeed() {
  if (const char* env = std::getenv("FASTBREAK_TEST_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

class L1Test : public ::testing::Test {
 protected:
  // One shard and LRU unless a test says otherwise, so evictions are predictable.
  void Make(size_t max_entries, size_t max_bytes = size_t{64} << 20, size_t shards = 1) {
    L1Options options;
    options.max_entries = max_entries;
    options.max_bytes = max_bytes;
    options.shards = shards;
    options.policy = PolicyKind::kLru;
    options.clock = &clock_;
    cache_ = std::make_unique<L1Cache>(options);
  }

  std::shared_ptr<const Entry> NewEntry(const std::string& key, std::string value,
                                        Clock::Duration ttl = seconds(60),
                                        Clock::Duration stale = seconds(0),
                                        std::vector<std::string> tags = {}) {
    auto entry = std::make_shared<Entry>(key, value);
    entry->tags = std::move(tags);
    entry->stored_at = clock_.Now();
    entry->fresh_until = entry->stored_at + ttl;
    entry->stale_until = entry->fresh_until + stale;
    return entry;
  }

  PutOutcome Put(const std::string& key, std::string value, std::vector<std::string> tags = {}) {
    return cache_->Put(NewEntry(key, std::move(value), seconds(60), seconds(0), std::move(tags)));
  }

  bool Has(const std::string& key) { return cache_->Find(key).entry != nullptr; }
  MissReason Reason(const std::string& key) {
    L1Cache::Lookup lookup = cache_->Find(key);
    EXPECT_EQ(lookup.entry, nullptr) << key;
    return lookup.reason;
  }
  uint64_t Removals(RemovalCause cause) {
    return cache_->Stats().removals[static_cast<size_t>(cause)];
  }

  ManualClock clock_;
  std::unique_ptr<L1Cache> cache_;
};

TEST_F(L1Test, HitReturnsTheStoredBytesWithoutCopying) {
  Make(100);
  auto entry = NewEntry("call/standings/{}", std::string(2048, 'x'));
  const char* bytes = entry->value().data();
  ASSERT_EQ(cache_->Put(entry), PutOutcome::kStored);
  L1Cache::Lookup lookup = cache_->Find("call/standings/{}");
  ASSERT_NE(lookup.entry, nullptr);
  EXPECT_EQ(lookup.entry.get(), entry.get());
  EXPECT_EQ(lookup.entry->value().data(), bytes);
  EXPECT_EQ(lookup.entry->key(), "call/standings/{}");
  EXPECT_FALSE(lookup.stale);
  const L1Stats stats = cache_->Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, EntryWeight(*entry));
}

TEST_F(L1Test, RepeatedHitsShareTheEntryAndHoldNothingAfterItLeaves) {
  Make(100);
  auto first = NewEntry("k", "v1");
  std::weak_ptr<const Entry> weak_first = first;
  cache_->Put(std::move(first));
  std::vector<std::shared_ptr<const Entry>> hits;
  for (int i = 0; i < 4; ++i) hits.push_back(cache_->Find("k").entry);  // later ones: aliases
  for (const auto& hit : hits) {
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit.get(), hits[0].get());
    EXPECT_EQ(hit->value(), "v1");
  }
  // A replacement is served at once, not the old value through a stale alias.
  auto second = NewEntry("k", "v2");
  std::weak_ptr<const Entry> weak_second = second;
  cache_->Put(std::move(second));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cache_->Find("k").entry->value(), "v2");
  hits.clear();
  EXPECT_TRUE(weak_first.expired());  // the cache keeps no reference to what left it
  cache_->Remove("k");
  EXPECT_TRUE(weak_second.expired());
}

TEST_F(L1Test, FreshThenStaleThenGone) {
  Make(100);
  cache_->Put(NewEntry("k", "v", seconds(10), seconds(20)));
  EXPECT_FALSE(cache_->Find("k").stale);
  clock_.Advance(seconds(10));  // past fresh_until
  EXPECT_FALSE(cache_->Contains("k"));
  EXPECT_EQ(Reason("k"), MissReason::kExpired);  // stale not allowed: a miss, still resident
  L1Cache::Lookup stale = cache_->Find("k", /*allow_stale=*/true);
  ASSERT_NE(stale.entry, nullptr);
  EXPECT_TRUE(stale.stale);
  EXPECT_EQ(cache_->Stats().stale_hits, 1u);
  clock_.Advance(seconds(20));  // past stale_until
  L1Cache::Lookup gone = cache_->Find("k", /*allow_stale=*/true);
  EXPECT_EQ(gone.entry, nullptr);
  EXPECT_EQ(gone.reason, MissReason::kExpired);
  EXPECT_EQ(cache_->Stats().entries, 0u);
  EXPECT_EQ(Removals(RemovalCause::kExpired), 1u);
}

TEST_F(L1Test, SweepRemovesExpiredEntriesWithoutReadsAndSkipsReplacedOnes) {
  Make(1000, size_t{64} << 20, 4);
  for (int i = 0; i < 100; ++i) {
    cache_->Put(NewEntry("k" + std::to_string(i), "v", seconds(i < 30 ? 5 : 50)));
  }
  // Replaced by a longer-lived value: its old expiry item must not remove it.
  cache_->Put(NewEntry("k0", "v2", seconds(500)));
  clock_.Advance(seconds(6));
  // The budget bounds the work: one heap item per shard, which in k0's shard may be k0's
  // outdated item (dropped without removing anything).
  const size_t first = cache_->SweepExpired(/*max_per_shard=*/1);
  EXPECT_GE(first, 3u);
  EXPECT_LE(first, 4u);
  EXPECT_EQ(first + cache_->SweepExpired(), 29u);
  EXPECT_EQ(cache_->Stats().entries, 71u);
  EXPECT_TRUE(cache_->Contains("k0"));
  EXPECT_EQ(Removals(RemovalCause::kExpired), 29u);
  clock_.Advance(seconds(50));
  EXPECT_EQ(cache_->SweepExpired(), 70u);
  EXPECT_EQ(cache_->Stats().entries, 1u);
}

TEST_F(L1Test, ByteBoundHoldsUnderRandomLoad) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with FASTBREAK_TEST_SEED)");
  std::mt19937_64 rng(seed);
  constexpr size_t kMaxBytes = 256 * 1024;
  Make(/*max_entries=*/2000, kMaxBytes, /*shards=*/4);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int op = 0; op < 20'000; ++op) {
    const std::string key = "call/t" + std::to_string(pick(8)) + "/" + std::to_string(pick(600));
    const size_t roll = pick(100);
    if (roll < 70) {
      // Mostly small values, sometimes large, rarely over a shard's share (64 KiB).
      const size_t size = roll < 60 ? pick(2000) : roll < 68 ? pick(20'000) : pick(80'000);
      std::vector<std::string> tags;
      for (size_t t = pick(4); t > 0; --t) tags.push_back("team:" + std::to_string(pick(30)));
      cache_->Put(NewEntry(key, std::string(size, 'v'), seconds(1 + pick(120)),
                           seconds(pick(2) * 30), std::move(tags)));
    } else if (roll < 85) {
      cache_->Find(key, pick(2) == 0);
    } else if (roll < 90) {
      cache_->Remove(key);
    } else if (roll < 93) {
      cache_->InvalidateTag("team:" + std::to_string(pick(30)));
    } else if (roll < 94) {
      cache_->InvalidatePrefix("call/t" + std::to_string(pick(8)));
    } else if (roll < 99) {
      clock_.Advance(seconds(pick(20)));
      cache_->SweepExpired(pick(50));
    } else {
      cache_->Clear();
    }
    const L1Stats stats = cache_->Stats();
    ASSERT_LE(stats.bytes, kMaxBytes) << "after op " << op;
    ASSERT_LE(stats.entries, 2000u) << "after op " << op;
  }
  // The byte count is exactly the weight of what is resident.
  size_t weight = 0;
  const std::vector<HotKey> all = cache_->HotKeys(SIZE_MAX);
  for (const HotKey& hot : all) weight += EntryWeight(*hot.entry);
  const L1Stats stats = cache_->Stats();
  EXPECT_EQ(all.size(), stats.entries);
  EXPECT_EQ(weight, stats.bytes);
  EXPECT_GT(stats.removals[static_cast<size_t>(RemovalCause::kBytes)], 0u);
  EXPECT_GT(stats.oversize_rejections, 0u);
}

TEST_F(L1Test, EntryBoundHolds) {
  Make(/*max_entries=*/64, size_t{64} << 20, /*shards=*/4);
  for (int i = 0; i < 1000; ++i) Put("k" + std::to_string(i), "v");
  const L1Stats stats = cache_->Stats();
  EXPECT_LE(stats.entries, 64u);
  EXPECT_EQ(stats.max_entries, 64u);
  EXPECT_EQ(stats.removals[static_cast<size_t>(RemovalCause::kSize)] + stats.admission_rejections,
            1000 - stats.entries);
  EXPECT_LE(stats.largest_shard_entries, 16u);
}

TEST_F(L1Test, ShardCountIsAPowerOfTwoNoLargerThanTheEntries) {
  L1Options options;
  options.max_entries = 3;
  options.shards = 12;
  options.clock = &clock_;
  L1Cache cache(options);
  EXPECT_EQ(cache.Stats().shards, 2u);
  options.max_entries = 1000;
  EXPECT_EQ(L1Cache(options).Stats().shards, 16u);
}

TEST_F(L1Test, TagInvalidationRemovesExactlyTheTaggedEntries) {
  Make(100, size_t{64} << 20, 4);
  Put("a", "1", {"team:1", "season:2023"});
  Put("b", "2", {"team:2", "season:2023"});
  Put("c", "3", {"team:1"});
  Put("d", "4");
  EXPECT_EQ(cache_->InvalidateTag("team:1"), 2u);
  EXPECT_FALSE(Has("a"));
  EXPECT_TRUE(Has("b"));
  EXPECT_FALSE(Has("c"));
  EXPECT_TRUE(Has("d"));
  EXPECT_EQ(cache_->InvalidateTag("team:1"), 0u);
  EXPECT_EQ(cache_->InvalidateTag("season:2023"), 1u);
  EXPECT_EQ(cache_->InvalidateTag("unknown"), 0u);
  EXPECT_EQ(Removals(RemovalCause::kInvalidated), 3u);
}

TEST_F(L1Test, ReplacementDropsTheOldTags) {
  Make(100);
  Put("a", "1", {"team:1"});
  Put("a", "2", {"team:2"});  // the new value no longer names team 1
  EXPECT_EQ(cache_->InvalidateTag("team:1"), 0u);
  EXPECT_TRUE(Has("a"));
  EXPECT_EQ(cache_->InvalidateTag("team:2"), 1u);
}

TEST_F(L1Test, TagIndexStaysSmallUnderChurn) {
  Make(50);
  // Entries sharing one tag come and go; the index must not keep every hash it ever saw.
  for (int i = 0; i < 5000; ++i) Put("k" + std::to_string(i), "v", {"season:2023"});
  EXPECT_EQ(cache_->InvalidateTag("season:2023"), 50u);
  EXPECT_EQ(cache_->Stats().entries, 0u);
}

TEST_F(L1Test, PrefixInvalidation) {
  Make(100, size_t{64} << 20, 4);
  Put("call/standings/{\"season\":2023}", "1");
  Put("call/standings/{\"season\":2024}", "2");
  Put("call/player/{\"id\":1}", "3");
  EXPECT_EQ(cache_->InvalidatePrefix("call/standings/"), 2u);
  EXPECT_EQ(cache_->Stats().entries, 1u);
  EXPECT_TRUE(Has("call/player/{\"id\":1}"));
}

TEST_F(L1Test, ReplacedEntriesAreCountedAndKeepTheirHits) {
  Make(100);
  auto first = NewEntry("a", std::string(100, 'x'));
  cache_->Put(first);
  cache_->Find("a");
  cache_->Find("a");
  auto second = NewEntry("a", std::string(300, 'y'));
  EXPECT_EQ(cache_->Put(second), PutOutcome::kStored);
  const L1Stats stats = cache_->Stats();
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, EntryWeight(*second));
  EXPECT_EQ(Removals(RemovalCause::kReplaced), 1u);
  EXPECT_EQ(cache_->Find("a").entry, second);
  EXPECT_EQ(cache_->HotKeys(1).at(0).hits, 3u);
}

TEST_F(L1Test, EveryRemovalCauseIsCounted) {
  Make(/*max_entries=*/2, /*max_bytes=*/2000);
  Put("a", "1");
  Put("b", "2");
  Put("c", "3");  // evicts a (size)
  EXPECT_EQ(Removals(RemovalCause::kSize), 1u);
  Put("d", std::string(1500, 'x'));  // evicts b (size), then c for bytes
  EXPECT_EQ(Removals(RemovalCause::kSize), 2u);
  EXPECT_EQ(Removals(RemovalCause::kBytes), 1u);
  Put("d", "4");
  EXPECT_EQ(Removals(RemovalCause::kReplaced), 1u);
  cache_->Remove("d");
  EXPECT_EQ(Removals(RemovalCause::kInvalidated), 1u);
  cache_->Put(NewEntry("e", "5", seconds(1)));
  clock_.Advance(seconds(2));
  EXPECT_EQ(cache_->SweepExpired(), 1u);
  EXPECT_EQ(Removals(RemovalCause::kExpired), 1u);
  Put("f", "6");
  EXPECT_EQ(cache_->Clear(), 1u);
  EXPECT_EQ(Removals(RemovalCause::kCleared), 1u);
  EXPECT_EQ(Put("g", std::string(5000, 'x')), PutOutcome::kTooLarge);
  const L1Stats stats = cache_->Stats();
  EXPECT_EQ(stats.oversize_rejections, 1u);
  EXPECT_EQ(stats.entries, 0u);
  EXPECT_EQ(stats.bytes, 0u);
}

TEST_F(L1Test, OversizeReplacementDropsTheOlderValue) {
  Make(10, /*max_bytes=*/2000);
  Put("a", "old");
  EXPECT_EQ(Put("a", std::string(5000, 'x')), PutOutcome::kTooLarge);
  EXPECT_FALSE(Has("a"));
}

TEST_F(L1Test, MissesAreClassifiedByTheGhostRecord) {
  Make(/*max_entries=*/2);
  EXPECT_EQ(Reason("never"), MissReason::kCold);
  Put("a", "1");
  Put("b", "2");
  Put("c", "3");  // LRU evicts a
  EXPECT_EQ(Reason("a"), MissReason::kEvicted);
  cache_->Put(NewEntry("e", "1", seconds(5)));
  clock_.Advance(seconds(5));
  EXPECT_EQ(Reason("e"), MissReason::kExpired);
  Put("i", "1", {"team:1"});
  cache_->InvalidateTag("team:1");
  EXPECT_EQ(Reason("i"), MissReason::kInvalidated);
  Put("j", "1");
  cache_->Clear();
  EXPECT_EQ(Reason("j"), MissReason::kInvalidated);
  const L1Stats stats = cache_->Stats();
  EXPECT_EQ(stats.misses_by_reason[static_cast<size_t>(MissReason::kCold)], 1u);
  EXPECT_EQ(stats.misses_by_reason[static_cast<size_t>(MissReason::kEvicted)], 1u);
  EXPECT_EQ(stats.misses_by_reason[static_cast<size_t>(MissReason::kExpired)], 1u);
  EXPECT_EQ(stats.misses_by_reason[static_cast<size_t>(MissReason::kInvalidated)], 2u);
  EXPECT_EQ(stats.misses, 5u);
}

TEST_F(L1Test, BufferedHitsReachThePolicyBeforeItChoosesAVictim) {
  Make(/*max_entries=*/2);
  Put("a", "1");
  Put("b", "2");
  ASSERT_TRUE(Has("a"));  // a is now the most recently used...
  Put("c", "3");          // ...so LRU must evict b, not a
  EXPECT_TRUE(cache_->Contains("a"));
  EXPECT_FALSE(cache_->Contains("b"));
}

TEST_F(L1Test, HotKeysAreTheMostHitEntries) {
  Make(100, size_t{64} << 20, 4);
  const std::map<std::string, int> hits = {{"a", 5}, {"b", 9}, {"c", 1}, {"d", 7}, {"e", 0}};
  for (const auto& [key, n] : hits) {
    Put(key, "v");
    for (int i = 0; i < n; ++i) cache_->Find(key);
  }
  const std::vector<HotKey> hot = cache_->HotKeys(3);
  ASSERT_EQ(hot.size(), 3u);
  EXPECT_EQ(hot[0].entry->key(), "b");
  EXPECT_EQ(hot[0].hits, 9u);
  EXPECT_EQ(hot[1].entry->key(), "d");
  EXPECT_EQ(hot[2].entry->key(), "a");
  EXPECT_EQ(cache_->HotKeys(10).size(), 5u);
}

TEST_F(L1Test, PutWithAnOutdatedEpochIsRefused) {
  Make(100);
  const uint64_t epoch = cache_->epoch();
  cache_->InvalidateTag("anything");
  EXPECT_EQ(cache_->Put(NewEntry("a", "1"), epoch), PutOutcome::kInvalidated);
  EXPECT_FALSE(Has("a"));
  EXPECT_EQ(cache_->Put(NewEntry("a", "1"), cache_->epoch()), PutOutcome::kStored);
}

TEST_F(L1Test, KeysSpreadOverShards) {
  Make(100'000, size_t{64} << 20, 16);
  for (int i = 0; i < 16'000; ++i) Put("call/player_stats/{\"id\":" + std::to_string(i) + "}", "v");
  const L1Stats stats = cache_->Stats();
  EXPECT_EQ(stats.entries, 16'000u);
  EXPECT_LT(stats.largest_shard_entries, 1200u);  // 1000 each on average
}

TEST_F(L1Test, ConcurrentUseKeepsBounds) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  constexpr size_t kMaxBytes = 128 * 1024;
  Make(500, kMaxBytes, 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      for (int i = 0; i < 5000; ++i) {
        const std::string key = "k" + std::to_string(rng() % 800);
        switch (rng() % 8) {
          case 0:
            cache_->InvalidateTag("t" + std::to_string(rng() % 10));
            break;
          case 1:
            cache_->SweepExpired(10);
            if (i % 50 == 0) {
              ASSERT_LE(cache_->HotKeys(5).size(), 5u);
            }
            if (i % 50 == 25) {
              ASSERT_LE(cache_->Stats().bytes, kMaxBytes);
            }
            break;
          case 2:
          case 3:
            cache_->Put(NewEntry(key, std::string(rng() % 3000, 'v'), seconds(1 + rng() % 5),
                                 seconds(0), {"t" + std::to_string(rng() % 10)}));
            break;
          case 4:
            if (auto entry = cache_->Peek(key, true)) {
              ASSERT_EQ(entry->key(), key);
            }
            break;
          default:
            if (auto lookup = cache_->Find(key); lookup.entry) {
              ASSERT_EQ(lookup.entry->key(), key);
            }
        }
        if (t == 0 && i % 100 == 0) clock_.Advance(seconds(1));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const L1Stats stats = cache_->Stats();
  EXPECT_LE(stats.bytes, kMaxBytes);
  EXPECT_LE(stats.entries, 500u);
}

TEST_F(L1Test, MoreThreadsThanCellsShareCellsSafely) {
  // 20 threads over 16 cells per shard: some threads share a cell, its counters and aliases.
  Make(1000, size_t{64} << 20, 2);
  for (int k = 0; k < 20; ++k) Put("k" + std::to_string(k), "k" + std::to_string(k) + "/0");
  std::atomic<uint64_t> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string((t + i) % 20);
        if (i % 97 == 0) {
          Put(key, key + "/" + std::to_string(i));
        } else if (auto lookup = cache_->Find(key); lookup.entry) {
          ASSERT_EQ(lookup.entry->key(), key);
          ASSERT_TRUE(lookup.entry->value().starts_with(key + "/"));
          ++hits;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(cache_->Stats().hits, hits.load());
  EXPECT_EQ(cache_->Stats().entries, 20u);
}

TEST(HashKeyTest, SpreadsHighAndLowBits) {
  // Sequential keys must fill all 16 shards (high bits) and all 16 low nibbles evenly.
  std::vector<int> high(16);
  std::vector<int> low(16);
  for (int i = 0; i < 16'000; ++i) {
    const uint64_t h = detail::HashKey("call/player/" + std::to_string(i));
    ++high[h >> 60];
    ++low[h & 15];
  }
  for (int i = 0; i < 16; ++i) {
    EXPECT_GT(high[i], 850) << i;
    EXPECT_GT(low[i], 850) << i;
  }
  EXPECT_NE(detail::HashKey(""), detail::HashKey(std::string_view("\0", 1)));
  EXPECT_NE(detail::HashKey("ab"), detail::HashKey("ba"));
}

}  // namespace
}  // namespace fastbreak::cache
