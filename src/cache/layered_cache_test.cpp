#include "cache/layered_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "testing/testing.hpp"

namespace fastbreak::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// An in-memory SecondLevel that records what it is asked and can be switched off.
class FakeL2 final : public SecondLevel {
 public:
  struct Stored {
    StoredValue value;
    milliseconds ttl{0};
    std::vector<std::string> tags;
  };
  struct InvalidateCall {
    std::vector<std::string> tags, prefixes, keys;
    bool all = false;
  };

  std::optional<StoredValue> Get(std::string_view key) override {
    std::lock_guard lock(mutex_);
    ++gets;
    if (!up) return std::nullopt;
    auto it = store.find(std::string(key));
    if (it == store.end()) return std::nullopt;
    return it->second.value;
  }
  void Put(std::string_view key, const StoredValue& value, milliseconds ttl,
           const std::vector<std::string>& tags) override {
    std::lock_guard lock(mutex_);
    ++puts;
    store[std::string(key)] = Stored{value, ttl, tags};
  }
  void Invalidate(const std::vector<std::string>& tags, const std::vector<std::string>& prefixes,
                  const std::vector<std::string>& keys, bool all) override {
    if (before_invalidate) before_invalidate();  // a concurrent reader, just before the drop
    std::lock_guard lock(mutex_);
    invalidations.push_back(InvalidateCall{tags, prefixes, keys, all});
    std::erase_if(store, [&](const auto& item) {
      const auto& [key, stored] = item;
      if (all || std::find(keys.begin(), keys.end(), key) != keys.end()) return true;
      for (const std::string& prefix : prefixes) {
        if (key.starts_with(prefix)) return true;
      }
      for (const std::string& tag : tags) {
        if (std::find(stored.tags.begin(), stored.tags.end(), tag) != stored.tags.end())
          return true;
      }
      return false;
    });
  }
  bool available() const override { return up; }

  void Seed(const std::string& key, std::string bytes, milliseconds ttl_left,
            bool negative = false) {
    store[key] = Stored{StoredValue{std::move(bytes), negative, ttl_left, {}}, ttl_left, {}};
  }

  std::mutex mutex_;
  std::atomic<bool> up{true};
  std::map<std::string, Stored> store;
  std::vector<InvalidateCall> invalidations;
  std::function<void()> before_invalidate;
  int gets = 0;
  int puts = 0;
};

// A bus whose connection and incoming messages the test drives.
class FakeBus final : public InvalidationBus {
 public:
  Status Start(Handlers handlers) override {
    handlers_ = std::move(handlers);
    return Ok();
  }
  Status Publish(const Invalidation& invalidation) override {
    if (!connected_) return MakeError(ErrorCode::kConnection, "bus down");
    published.push_back(invalidation);
    return Ok();
  }
  bool connected() const override { return connected_; }
  const std::string& instance_id() const override { return id_; }

  void Deliver(const Invalidation& invalidation) { handlers_.on_message(invalidation); }
  void Disconnect() {
    connected_ = false;
    handlers_.on_disconnect();
  }
  void Reconnect() {
    connected_ = true;
    handlers_.on_reconnect();
  }

  std::vector<Invalidation> published;

 private:
  Handlers handlers_;
  std::atomic<bool> connected_{true};
  std::string id_ = "instance-a";
};

class LayeredTest : public ::testing::Test {
 protected:
  static constexpr GroupId kStandings = 0;
  static constexpr GroupId kPlayer = 1;

  LayeredTest() { Make(); }

  void Make(bool with_l2 = true, bool with_bus = true) {
    cache_.reset();
    LayeredOptions options;
    options.l1.max_entries = 1000;
    options.l1.shards = 4;
    options.l1.policy = PolicyKind::kLru;
    cache_ = std::make_unique<LayeredCache>(
        options, std::vector<std::string>{"standings", "player"}, with_l2 ? &l2_ : nullptr,
        with_bus ? &bus_ : nullptr, registry_, clock_);
    EXPECT_OK(cache_->Start());
  }

  // A computation returning `bytes` and counting its runs.
  ComputeFn Returns(std::string bytes, bool negative = false, bool cacheable = true) {
    return [this, bytes, negative, cacheable]() -> Result<Computed> {
      ++computations_;
      return Computed{bytes, negative, cacheable, {}, {}};
    };
  }

  static FillRequest Request(std::string key, GroupId group = kStandings,
                             std::vector<std::string> tags = {},
                             std::vector<std::string> depends_on = {}) {
    FillRequest request;
    request.group = group;
    request.key = std::move(key);
    request.tags = std::move(tags);
    request.depends_on = std::move(depends_on);
    return request;
  }

  // Find, then on a miss the leader's path; the bytes served.
  std::string Get(const std::string& key, const std::string& computed_bytes,
                  std::vector<std::string> tags = {}, std::vector<std::string> depends_on = {}) {
    Found found = cache_->Find(kStandings, key);
    if (found.entry) return std::string(found.entry->value());
    EXPECT_EQ(cache_->Join(kStandings, key, nullptr), JoinRole::kLeader);
    Result<Served> served = cache_->Fill(
        Request(key, kStandings, std::move(tags), std::move(depends_on)), Returns(computed_bytes));
    EXPECT_TRUE(served.has_value());
    return served ? std::string(served->entry->value()) : "";
  }

  uint64_t CounterValue(std::string_view name, const telemetry::Labels& labels = {}) {
    return registry_.GetCounter(name, "", labels).Value();
  }
  uint64_t Requests(std::string tool, std::string level) {
    return CounterValue("fastbreak_cache_requests_total", {{"tool", tool}, {"level", level}});
  }
  uint64_t Fills(std::string tool, std::string outcome) {
    return CounterValue("fastbreak_cache_fills_total", {{"tool", tool}, {"outcome", outcome}});
  }

  ManualClock clock_;
  telemetry::MetricsRegistry registry_;
  FakeL2 l2_;
  FakeBus bus_;
  std::unique_ptr<LayeredCache> cache_;
  int computations_ = 0;
};

TEST_F(LayeredTest, MissComputesStoresInBothLevelsThenHits) {
  EXPECT_EQ(cache_->Find(kStandings, "s/2023").reason, MissReason::kCold);
  EXPECT_EQ(Get("s/2023", "table", {"season:2023"}), "table");
  EXPECT_EQ(computations_, 1);
  Found hit = cache_->Find(kStandings, "s/2023");
  ASSERT_NE(hit.entry, nullptr);
  EXPECT_EQ(hit.entry->value(), "table");
  EXPECT_EQ(hit.entry, cache_->Find(kStandings, "s/2023").entry);  // shared, not copied
  ASSERT_EQ(l2_.store.count("s/2023"), 1u);
  EXPECT_EQ(l2_.store["s/2023"].ttl, seconds(60));
  EXPECT_EQ(l2_.store["s/2023"].tags, std::vector<std::string>{"season:2023"});
  EXPECT_EQ(Requests("standings", "l1"), 2u);
  EXPECT_EQ(Requests("standings", "computed"), 1u);
  EXPECT_EQ(Fills("standings", "stored"), 1u);
  // Two cold misses: the explicit Find and the one inside Get.
  EXPECT_EQ(
      CounterValue("fastbreak_cache_misses_total", {{"tool", "standings"}, {"reason", "cold"}}),
      2u);
}

TEST_F(LayeredTest, L2HitIsPromotedWithTheSmallerTtl) {
  l2_.Seed("short", "from-l2", seconds(5));
  l2_.Seed("long", "from-l2", seconds(600));
  Result<Served> served = cache_->Fill(Request("short"), Returns("computed"));
  ASSERT_OK(served);
  EXPECT_EQ(served->level, Level::kL2);
  EXPECT_EQ(served->entry->value(), "from-l2");
  EXPECT_EQ(computations_, 0);
  EXPECT_EQ(served->entry->fresh_until - clock_.Now(), seconds(5));  // L2's ttl left
  ASSERT_OK(cache_->Fill(Request("long"), Returns("computed")));
  EXPECT_EQ(cache_->Find(kStandings, "long").entry->fresh_until - clock_.Now(),
            seconds(60));  // the group's ttl
  clock_.Advance(seconds(5));
  EXPECT_EQ(cache_->Find(kStandings, "short").entry, nullptr);
  EXPECT_NE(cache_->Find(kStandings, "long").entry, nullptr);
  EXPECT_EQ(Requests("standings", "l2"), 2u);
  EXPECT_EQ(l2_.puts, 0);  // nothing written back
}

TEST_F(LayeredTest, SingleFlightComputesOnceForConcurrentMisses) {
  constexpr int kThreads = 8;
  std::mutex mutex;
  std::condition_variable all_joined;
  int followers = 0;
  std::vector<std::shared_ptr<const Entry>> results(kThreads);
  std::atomic<int> leaders{0};
  const ComputeFn compute = [&]() -> Result<Computed> {
    ++computations_;
    std::unique_lock lock(mutex);
    // Hold the computation until every other thread has missed and joined.
    EXPECT_TRUE(all_joined.wait_for(lock, seconds(30), [&] { return followers == kThreads - 1; }));
    return Computed{"bytes", false, true, {}, {}};
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ASSERT_EQ(cache_->Find(kStandings, "k").entry, nullptr);
      const JoinRole role = cache_->Join(kStandings, "k", [&, t](const Result<Served>& r) {
        ASSERT_TRUE(r.has_value());
        results[t] = r->entry;
      });
      if (role == JoinRole::kLeader) {
        ++leaders;
        Result<Served> served = cache_->Fill(Request("k"), compute);
        ASSERT_TRUE(served.has_value());
        results[t] = served->entry;
      } else {
        std::lock_guard lock(mutex);
        ++followers;
        all_joined.notify_all();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(leaders.load(), 1);
  EXPECT_EQ(computations_, 1);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_NE(results[t], nullptr) << t;
    EXPECT_EQ(results[t], results[0]);
    EXPECT_EQ(results[t]->value(), "bytes");
  }
  EXPECT_EQ(CounterValue("fastbreak_cache_coalesced_total", {{"tool", "standings"}}),
            uint64_t{kThreads - 1});
}

TEST_F(LayeredTest, AbandonDeliversTheErrorToFollowers) {
  std::vector<ErrorCode> errors;
  auto waiter = [&](const Result<Served>& r) {
    ASSERT_FALSE(r.has_value());
    errors.push_back(r.error().code);
  };
  ASSERT_EQ(cache_->Join(kStandings, "k", waiter), JoinRole::kLeader);
  ASSERT_EQ(cache_->Join(kStandings, "k", waiter), JoinRole::kFollower);
  ASSERT_EQ(cache_->Join(kStandings, "k", waiter), JoinRole::kFollower);
  cache_->Abandon("k", Error{ErrorCode::kBusy, "queue full"});
  EXPECT_EQ(errors, (std::vector<ErrorCode>{ErrorCode::kBusy, ErrorCode::kBusy}));
  EXPECT_EQ(cache_->Join(kStandings, "k", waiter), JoinRole::kLeader);  // the flight is gone
}

TEST_F(LayeredTest, ErrorsAndUncacheableResultsAreDeliveredButNotStored) {
  ASSERT_EQ(cache_->Join(kStandings, "err", nullptr), JoinRole::kLeader);
  std::optional<ErrorCode> follower_error;
  cache_->Join(kStandings, "err", [&](const Result<Served>& r) {
    if (!r) follower_error = r.error().code;
  });
  EXPECT_ERROR(
      cache_->Fill(Request("err"),
                   [] { return Result<Computed>(MakeError(ErrorCode::kTimeout, "slow")); }),
      ErrorCode::kTimeout);
  EXPECT_EQ(follower_error, ErrorCode::kTimeout);
  EXPECT_FALSE(cache_->Contains("err"));

  Result<Served> uncacheable = cache_->Fill(Request("bad-args"), Returns("invalid", false, false));
  ASSERT_OK(uncacheable);
  EXPECT_EQ(uncacheable->entry->value(), "invalid");
  EXPECT_FALSE(cache_->Contains("bad-args"));
  EXPECT_EQ(l2_.puts, 0);
  EXPECT_EQ(Fills("standings", "error"), 1u);
  EXPECT_EQ(Fills("standings", "uncacheable"), 1u);

  // A throwing computation is an error for everyone, not a stuck flight.
  EXPECT_ERROR(cache_->Fill(Request("throws"),
                            []() -> Result<Computed> { throw std::runtime_error("boom"); }),
               ErrorCode::kInternal);
  EXPECT_EQ(cache_->Join(kStandings, "throws", nullptr), JoinRole::kLeader);
}

TEST_F(LayeredTest, NegativeResultsUseTheNegativeTtl) {
  ASSERT_OK(cache_->Fill(Request("player/unknown"), Returns("not found", /*negative=*/true)));
  Found found = cache_->Find(kStandings, "player/unknown");
  ASSERT_NE(found.entry, nullptr);
  EXPECT_TRUE(found.entry->negative);
  EXPECT_EQ(l2_.store["player/unknown"].ttl, seconds(10));
  EXPECT_TRUE(l2_.store["player/unknown"].value.negative);
  clock_.Advance(seconds(10));
  EXPECT_EQ(cache_->Find(kStandings, "player/unknown").reason, MissReason::kExpired);
}

TEST_F(LayeredTest, StaleWhileRevalidateServesStaleThenTheRefreshReplacesIt) {
  cache_->SetGroupPolicy(kStandings, GroupPolicy{true, seconds(10), seconds(30), seconds(5)});
  EXPECT_EQ(Get("k", "v1"), "v1");
  clock_.Advance(seconds(15));
  Found stale = cache_->Find(kStandings, "k");
  ASSERT_NE(stale.entry, nullptr);
  EXPECT_TRUE(stale.stale);
  EXPECT_EQ(stale.entry->value(), "v1");
  // The refresh: a Join with no waiter; the leader fills in the background.
  ASSERT_EQ(cache_->Join(kStandings, "k", nullptr), JoinRole::kLeader);
  EXPECT_EQ(cache_->Join(kStandings, "k", nullptr), JoinRole::kFollower);  // one refresh only
  l2_.store.clear();  // the L2 copy expired as well
  ASSERT_OK(cache_->Fill(Request("k"), Returns("v2")));
  Found fresh = cache_->Find(kStandings, "k");
  ASSERT_NE(fresh.entry, nullptr);
  EXPECT_FALSE(fresh.stale);
  EXPECT_EQ(fresh.entry->value(), "v2");
  EXPECT_EQ(Requests("standings", "stale"), 1u);

  // Without a stale window the same age is a miss.
  cache_->SetGroupPolicy(kStandings, GroupPolicy{true, seconds(10), seconds(0), seconds(5)});
  clock_.Advance(seconds(15));
  EXPECT_EQ(cache_->Find(kStandings, "k").entry, nullptr);
}

TEST_F(LayeredTest, AnInvalidationDuringTheComputationKeepsTheValueOutOfTheCache) {
  std::string follower_got;
  ASSERT_EQ(cache_->Join(kStandings, "k", nullptr), JoinRole::kLeader);
  cache_->Join(kStandings, "k",
               [&](const Result<Served>& r) { follower_got = std::string(r->entry->value()); });
  const ComputeFn racing = [&]() -> Result<Computed> {
    // An import finishes while the query runs: the value may predate it.
    cache_->Invalidate(Invalidation{{"team:1"}, {}, {}, false, ""});
    return Computed{"maybe-old", false, true, {}, {}};
  };
  Result<Served> served = cache_->Fill(Request("k"), racing);
  ASSERT_OK(served);
  EXPECT_EQ(served->entry->value(), "maybe-old");
  EXPECT_EQ(follower_got, "maybe-old");
  EXPECT_FALSE(cache_->Contains("k"));
  EXPECT_EQ(l2_.puts, 0);
  EXPECT_EQ(Fills("standings", "discarded"), 1u);
  // Without the race the same fill is stored.
  ASSERT_OK(cache_->Fill(Request("k"), Returns("new")));
  EXPECT_TRUE(cache_->Contains("k"));
  EXPECT_EQ(l2_.puts, 1);
}

TEST_F(LayeredTest, AFillRacingALocalInvalidationCannotKeepTheOldL2Value) {
  Get("k", "old", {"team:1"});  // in both levels
  cache_->l1().Remove("k");     // another worker is about to fill it from the L2
  l2_.before_invalidate = [&] {
    // Its L2 read lands after the invalidation started but before the L2 dropped the value.
    ASSERT_OK(cache_->Fill(Request("k", kStandings, {"team:1"}), Returns("new")));
  };
  cache_->Invalidate(Invalidation{{"team:1"}, {}, {}, false, ""});
  Found found = cache_->Find(kStandings, "k");
  EXPECT_TRUE(found.entry == nullptr || found.entry->value() != "old");
  EXPECT_EQ(l2_.store.count("k"), 0u);
}

TEST_F(LayeredTest, BusMessagesInvalidateTheL1Only) {
  Get("a", "1", {"team:1"});
  Get("b", "2", {"team:2"});
  bus_.Deliver(Invalidation{{"team:1"}, {}, {}, false, "instance-b"});
  EXPECT_EQ(cache_->Find(kStandings, "a").reason, MissReason::kInvalidated);
  EXPECT_TRUE(cache_->Contains("b"));
  EXPECT_TRUE(l2_.invalidations.empty());  // the sender invalidated the L2
  EXPECT_TRUE(bus_.published.empty());     // and is not echoed
  bus_.Deliver(Invalidation{{"team:2"}, {}, {}, false, "instance-a"});  // our own: ignored
  EXPECT_TRUE(cache_->Contains("b"));
  bus_.Deliver(Invalidation{{}, {}, {}, true, "instance-b"});
  EXPECT_FALSE(cache_->Contains("b"));
}

TEST_F(LayeredTest, BusDisconnectClearsTheL1AndShortensWhatIsStoredUntilReconnect) {
  Get("a", "1");
  bus_.Disconnect();
  EXPECT_FALSE(cache_->Contains("a"));
  EXPECT_EQ(CounterValue("fastbreak_cache_bus_disconnects_total"), 1u);
  EXPECT_EQ(CounterValue("fastbreak_cache_evictions_total", {{"cause", "cleared"}}), 0u);
  cache_->Maintain();
  EXPECT_EQ(CounterValue("fastbreak_cache_evictions_total", {{"cause", "cleared"}}), 1u);
  // Invalidations may be missed now: what is stored lives at most l1_ttl_while_bus_down.
  EXPECT_EQ(Get("b", "2"), "2");
  EXPECT_EQ(cache_->Find(kStandings, "b").entry->fresh_until - clock_.Now(), seconds(5));
  bus_.Reconnect();
  EXPECT_FALSE(cache_->Contains("b"));  // it may have missed an invalidation: cleared again
  const CacheSnapshot snapshot = cache_->Snapshot();
  EXPECT_EQ(snapshot.bus_disconnects, 1u);
  EXPECT_TRUE(snapshot.bus_connected);
}

TEST_F(LayeredTest, LocalInvalidationReachesTheL2AndTheBus) {
  Get("a", "1", {"team:1"});
  InvalidationReport report = cache_->Invalidate(Invalidation{{"team:1"}, {"x/"}, {}, false, ""});
  EXPECT_EQ(report.removed_l1, 1u);
  EXPECT_TRUE(report.l2);
  EXPECT_TRUE(report.broadcast);
  ASSERT_EQ(l2_.invalidations.size(), 1u);
  EXPECT_EQ(l2_.invalidations[0].tags, std::vector<std::string>{"team:1"});
  EXPECT_EQ(l2_.invalidations[0].prefixes, std::vector<std::string>{"x/"});
  ASSERT_EQ(bus_.published.size(), 1u);
  EXPECT_EQ(bus_.published[0].origin, "instance-a");
  EXPECT_EQ(bus_.published[0].tags, std::vector<std::string>{"team:1"});

  bus_.Disconnect();
  report = cache_->Invalidate(Invalidation{{"team:2"}, {}, {}, false, ""});
  EXPECT_FALSE(report.broadcast);
  ASSERT_TRUE(report.broadcast_error.has_value());
  EXPECT_EQ(report.broadcast_error->code, ErrorCode::kConnection);
}

TEST_F(LayeredTest, InvalidatingAKeyInvalidatesWhatWasDerivedFromIt) {
  Get("player/1", "p", {"player:1"});
  Get("team/9", "t");
  Get("player/1/summary", "s", {}, {"player/1"});
  Get("player/1/summary/html", "h", {}, {"player/1/summary"});  // derived twice over
  Get("team/9/summary", "ts", {}, {"team/9"});
  EXPECT_EQ(l2_.store["player/1/summary"].tags,
            (std::vector<std::string>{"key:player/1", "player:1"}));

  InvalidationReport report = cache_->Invalidate(Invalidation{{}, {}, {"player/1"}, false, ""});
  EXPECT_EQ(report.removed_l1, 3u);
  EXPECT_FALSE(cache_->Contains("player/1"));
  EXPECT_FALSE(cache_->Contains("player/1/summary"));
  EXPECT_FALSE(cache_->Contains("player/1/summary/html"));
  EXPECT_TRUE(cache_->Contains("team/9"));
  EXPECT_TRUE(cache_->Contains("team/9/summary"));
  ASSERT_EQ(l2_.invalidations.size(), 1u);
  EXPECT_EQ(l2_.invalidations[0].keys, std::vector<std::string>{"player/1"});
  EXPECT_EQ(l2_.invalidations[0].tags, std::vector<std::string>{"key:player/1"});
  // A root tag reaches the derived entries too.
  Get("player/1", "p", {"player:1"});
  Get("player/1/summary", "s", {}, {"player/1"});
  cache_->Invalidate(Invalidation{{"player:1"}, {}, {}, false, ""});
  EXPECT_FALSE(cache_->Contains("player/1/summary"));
}

TEST_F(LayeredTest, FillWithoutJoinOpensAFlightThatJoinsWaitOn) {
  std::string follower_got;
  const ComputeFn compute = [&]() -> Result<Computed> {
    // A request arrives while the warmer computes the key.
    EXPECT_EQ(cache_->Join(
                  kStandings, "warm",
                  [&](const Result<Served>& r) { follower_got = std::string(r->entry->value()); }),
              JoinRole::kFollower);
    return Computed{"warmed", false, true, {}, {}};
  };
  ASSERT_OK(cache_->Fill(Request("warm"), compute));
  EXPECT_EQ(follower_got, "warmed");
  EXPECT_TRUE(cache_->Contains("warm"));
  // Warming a key that is already cached does not compute it again.
  Result<Served> again = cache_->Fill(Request("warm"), Returns("other"));
  ASSERT_OK(again);
  EXPECT_EQ(again->level, Level::kL1);
  EXPECT_EQ(again->entry->value(), "warmed");
}

TEST_F(LayeredTest, ADisabledGroupComputesEveryTime) {
  cache_->SetGroupPolicy(kPlayer, GroupPolicy{false, seconds(60), seconds(0), seconds(10)});
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(cache_->Find(kPlayer, "p").entry, nullptr);
    ASSERT_OK(cache_->Fill(Request("p", kPlayer), Returns("v")));
  }
  EXPECT_EQ(computations_, 2);
  EXPECT_EQ(l2_.gets, 0);
  EXPECT_EQ(l2_.puts, 0);
  EXPECT_FALSE(cache_->GetGroupPolicy(kPlayer).enabled);
  EXPECT_TRUE(cache_->GetGroupPolicy(kStandings).enabled);
}

TEST_F(LayeredTest, WorksWithoutL2OrBus) {
  Make(/*with_l2=*/false, /*with_bus=*/false);
  EXPECT_EQ(Get("k", "v"), "v");
  EXPECT_TRUE(cache_->Contains("k"));
  EXPECT_FALSE(cache_->Invalidate(Invalidation{{}, {}, {"k"}, false, ""}).broadcast);
  EXPECT_FALSE(cache_->Contains("k"));
  const CacheSnapshot snapshot = cache_->Snapshot();
  EXPECT_FALSE(snapshot.l2_configured);
  EXPECT_FALSE(snapshot.bus_configured);
}

TEST_F(LayeredTest, MetricsAreRegisteredAndMove) {
  const std::string before = registry_.PrometheusText();
  for (const char* name :
       {"fastbreak_cache_requests_total", "fastbreak_cache_misses_total",
        "fastbreak_cache_evictions_total", "fastbreak_cache_entries", "fastbreak_cache_bytes",
        "fastbreak_cache_admission_rejections_total", "fastbreak_cache_coalesced_total"}) {
    EXPECT_NE(before.find(name), std::string::npos) << name;
  }
  Get("k", "v");
  Get("k", "v");
  cache_->RecordLatency(kStandings, Level::kL1, std::chrono::microseconds(20));
  cache_->RecordLatency(kStandings, Level::kComputed, milliseconds(3));
  clock_.Advance(seconds(61));
  EXPECT_EQ(cache_->Maintain(), 1u);
  EXPECT_EQ(CounterValue("fastbreak_cache_evictions_total", {{"cause", "expired"}}), 1u);
  EXPECT_EQ(registry_.GetGauge("fastbreak_cache_entries", "").Value(), 0.0);
  const std::string after = registry_.PrometheusText();
  EXPECT_NE(after.find(
                "fastbreak_cache_lookup_duration_seconds_count{level=\"l1\",tool=\"standings\"} 1"),
            std::string::npos)
      << after;

  const CacheSnapshot snapshot = cache_->Snapshot();
  const GroupStats& standings = snapshot.groups[kStandings];
  EXPECT_EQ(standings.name, "standings");
  EXPECT_EQ(standings.served[static_cast<size_t>(Level::kL1)], 1u);
  EXPECT_EQ(standings.served[static_cast<size_t>(Level::kComputed)], 1u);
  EXPECT_EQ(standings.misses[static_cast<size_t>(MissReason::kCold)], 1u);
  EXPECT_EQ(standings.latency[static_cast<size_t>(Level::kL1)].count, 1u);
  EXPECT_NEAR(standings.latency[static_cast<size_t>(Level::kComputed)].p50_ms, 3.0, 0.1);
  EXPECT_DOUBLE_EQ(standings.hit_ratio(), 0.5);
  EXPECT_EQ(snapshot.l1.removals[static_cast<size_t>(RemovalCause::kExpired)], 1u);
}

// ---------------------------------------------------------------------------------------------
// Recommendations

CacheSnapshot HealthySnapshot() {
  CacheSnapshot s;
  s.l2_configured = s.l2_available = true;
  s.bus_configured = s.bus_connected = true;
  s.l1.max_entries = 100'000;
  s.l1.max_bytes = size_t{512} << 20;
  s.l1.shards = 16;
  GroupStats g;
  g.name = "standings";
  g.served[static_cast<size_t>(Level::kL1)] = 9000;
  g.misses[static_cast<size_t>(MissReason::kCold)] = 40;  // below min_misses in all
  g.misses[static_cast<size_t>(MissReason::kExpired)] = 40;
  s.groups.push_back(g);
  return s;
}

bool Contains(const std::vector<std::string>& advice, std::string_view text) {
  for (const std::string& line : advice) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(RecommendationsTest, NoneForAHealthyCache) {
  EXPECT_EQ(Recommendations(HealthySnapshot()), std::vector<std::string>{});
}

TEST(RecommendationsTest, MostlyExpiredMissesAskForALongerTtl) {
  CacheSnapshot s = HealthySnapshot();
  s.groups[0].misses = {};
  s.groups[0].misses[static_cast<size_t>(MissReason::kExpired)] = 987;
  s.groups[0].misses[static_cast<size_t>(MissReason::kCold)] = 217;
  const std::vector<std::string> advice = Recommendations(s);
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0],
            "misses of `standings` are mostly expirations (82% of 1,204): raise its TTL (now "
            "60 s) or give it a stale-while-revalidate window");
}

TEST(RecommendationsTest, EvictionsWithALowHitRatioAskForALargerL1) {
  CacheSnapshot s = HealthySnapshot();
  s.groups[0].served[static_cast<size_t>(Level::kL1)] = 410;
  s.groups[0].misses = {};
  s.groups[0].misses[static_cast<size_t>(MissReason::kEvicted)] = 590;
  s.l1.removals[static_cast<size_t>(RemovalCause::kSize)] = 5000;
  EXPECT_TRUE(Contains(Recommendations(s), "L1 evicts by size and the hit ratio is 41%"));
  EXPECT_TRUE(Contains(Recommendations(s), "raise cache.l1.max_entries (now 100,000)"));
  s.l1.removals[static_cast<size_t>(RemovalCause::kBytes)] = 9000;
  EXPECT_TRUE(Contains(Recommendations(s), "raise cache.l1.max_bytes (now 512 MiB)"));
}

TEST(RecommendationsTest, ColdMissesAskForWarming) {
  CacheSnapshot s = HealthySnapshot();
  s.groups[0].misses[static_cast<size_t>(MissReason::kCold)] = 3000;
  EXPECT_TRUE(Contains(Recommendations(s), "most misses are cold (99% of 3,040): warm the cache"));
}

TEST(RecommendationsTest, InfrastructureProblemsComeFirst) {
  CacheSnapshot s = HealthySnapshot();
  s.l2_available = false;
  s.bus_connected = false;
  s.l1_ttl_while_bus_down = seconds(5);
  const std::vector<std::string> advice = Recommendations(s);
  ASSERT_GE(advice.size(), 2u);
  EXPECT_TRUE(advice[0].starts_with("L2 circuit open"));
  EXPECT_TRUE(advice[1].starts_with("the invalidation bus is disconnected"));
  EXPECT_TRUE(Contains(advice, "at most 5 s"));
}

TEST(RecommendationsTest, GroupSpecificAdvice) {
  CacheSnapshot s = HealthySnapshot();
  GroupStats once;
  once.name = "run_sql";
  once.served[static_cast<size_t>(Level::kL1)] = 10;
  once.misses[static_cast<size_t>(MissReason::kCold)] = 4000;
  s.groups.push_back(once);
  GroupStats churn;
  churn.name = "live_scores";
  churn.misses[static_cast<size_t>(MissReason::kInvalidated)] = 800;
  churn.misses[static_cast<size_t>(MissReason::kCold)] = 100;
  churn.served[static_cast<size_t>(Level::kL1)] = 5000;
  churn.fills[static_cast<size_t>(FillOutcome::kStored)] = 700;
  churn.fills[static_cast<size_t>(FillOutcome::kDiscarded)] = 200;
  churn.latency[static_cast<size_t>(Level::kL2)] = LatencyStats{500, 2.0, 2.0, 5.0};
  churn.latency[static_cast<size_t>(Level::kComputed)] = LatencyStats{500, 0.5, 0.4, 1.0};
  s.groups.push_back(churn);
  const std::vector<std::string> advice = Recommendations(s);
  EXPECT_TRUE(Contains(advice, "`run_sql` is hardly ever asked twice (hit ratio 0%"));
  EXPECT_TRUE(Contains(advice, "misses of `live_scores` are mostly invalidations (89% of 900)"));
  EXPECT_TRUE(Contains(advice, "200 of `live_scores` results (22%) were not stored"));
  EXPECT_TRUE(Contains(advice, "L2 hits of `live_scores` (p50 2.00 ms) are slower"));
}

}  // namespace
}  // namespace fastbreak::cache
