// RedisCache, RedisClient and RedisBus against a real redis-server (skipped when none is
// installed). Each test starts its own server on a free port.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "cache/redis_bus.hpp"
#include "cache/redis_cache.hpp"
#include "cache/redis_client.hpp"
#include "telemetry/metrics.hpp"
#include "testing/redis_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::RedisServer;
using testing::RedisValue;

// Polls `done` every 5 ms until it holds or `timeout` passes; true if it held.
bool WaitFor(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (!done()) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

StoredValue Value(std::string bytes, bool negative = false) {
  StoredValue value;
  value.bytes = std::move(bytes);
  value.negative = negative;
  return value;
}

std::string Compressible(size_t size) {
  std::string text;
  while (text.size() < size) text += "LeBron James scored 38 points against the Warriors. ";
  text.resize(size);
  return text;
}

using Tags = std::vector<std::string>;
const Tags kNone;
constexpr milliseconds kLong{60'000};

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FB_REQUIRE_REDIS_SERVER();
    ASSERT_OK(server_.Start());
    options_.url = server_.url();
    options_.command_timeout = milliseconds(250);  // generous: the machine may be loaded
    options_.failure_threshold = 3;
    options_.probe_interval = milliseconds(100);
    options_.bus_reconnect_max = milliseconds(200);
  }

  void MakeCache() {
    auto client = RedisClient::Create(options_, metrics_);
    ASSERT_OK(client);
    client_ = std::move(*client);
    cache_ = std::make_unique<RedisCache>(*client_, metrics_);
  }

  std::optional<StoredValue> Get(std::string_view key) { return cache_->Get(key); }
  void Put(std::string_view key, std::string bytes, const Tags& tags = kNone,
           milliseconds ttl = kLong) {
    cache_->Put(key, Value(std::move(bytes)), ttl, tags);
  }
  bool Hit(std::string_view key) { return Get(key).has_value(); }

  RedisValue Raw(const std::vector<std::string>& args) {
    auto reply = server_.Command(args);
    EXPECT_OK(reply);
    return reply ? *reply : RedisValue{};
  }

  uint64_t Ops(const char* op, const char* outcome) {
    return metrics_
        .GetCounter("fastbreak_cache_l2_operations_total", "", {{"op", op}, {"outcome", outcome}})
        .Value();
  }

  RedisServer server_;  // first: stopped after everything that talks to it
  RedisOptions options_;
  telemetry::MetricsRegistry metrics_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<RedisCache> cache_;
};

// ---- pure functions -----------------------------------------------------------------------

TEST(RedisUrlTest, ParsesAndRejectsWithClearErrors) {
  auto url = ParseRedisUrl("redis://10.0.0.5:6380/2");
  ASSERT_OK(url);
  EXPECT_EQ(url->host, "10.0.0.5");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->db, 2);
  url = ParseRedisUrl("redis://localhost");
  ASSERT_OK(url);
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->db, 0);
  url = ParseRedisUrl("redis://[::1]:7000/1");
  ASSERT_OK(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 7000);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"http://localhost:6379", "expected redis://"},
      {"rediss://localhost", "TLS"},
      {"redis://", "no host"},
      {"redis://:6379", "no host"},
      {"redis://localhost:", "port"},
      {"redis://localhost:0", "port"},
      {"redis://localhost:65536", "port"},
      {"redis://localhost:6x", "port"},
      {"redis://localhost/db", "database number"},
      {"redis://localhost/-1", "database number"},
      {"redis://user:secret@localhost", "credentials"},
      {"redis://localhost?timeout=1", "query"},
      {"redis://[::1:6379", "unclosed"},
  };
  for (const auto& [text, reason] : bad) {
    auto parsed = ParseRedisUrl(text);
    EXPECT_ERROR(parsed, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(reason), std::string::npos)
        << text << " -> " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(text), std::string::npos) << "names the URL";
  }
}

TEST(RedisUrlTest, CreateRejectsBadOptions) {
  telemetry::MetricsRegistry metrics;
  RedisOptions options;
  options.url = "redis://localhost:notaport";
  EXPECT_ERROR(RedisClient::Create(options, metrics), ErrorCode::kInvalidArgument);
  options = RedisOptions();
  options.pool_size = 0;
  EXPECT_ERROR(RedisClient::Create(options, metrics), ErrorCode::kInvalidArgument);
  options = RedisOptions();
  options.command_timeout = milliseconds(0);
  EXPECT_ERROR(RedisClient::Create(options, metrics), ErrorCode::kInvalidArgument);
}

TEST(RedisCodecTest, Sha1MatchesKnownVectors) {
  EXPECT_EQ(detail::Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(detail::Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(detail::Sha1Hex(std::string(1000, 'a')), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

TEST(RedisCodecTest, ValueEncodingRoundTripsAndRejectsGarbage) {
  bool compressed = true;
  const std::string small = detail::EncodeValue(Value("abc", true), 1024, &compressed);
  EXPECT_FALSE(compressed);
  auto decoded = detail::DecodeValue(small, 1 << 20);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->bytes, "abc");
  EXPECT_TRUE(decoded->negative);

  const std::string large = detail::EncodeValue(Value(Compressible(50'000)), 1024, &compressed);
  EXPECT_TRUE(compressed);
  EXPECT_LT(large.size(), 5'000u);
  decoded = detail::DecodeValue(large, 1 << 20);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->bytes, Compressible(50'000));
  EXPECT_FALSE(detail::DecodeValue(large, 10'000)) << "over max_value_bytes";

  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  const std::string raw = detail::EncodeValue(Value(noise), 1024, &compressed);
  EXPECT_FALSE(compressed) << "incompressible bytes are stored raw";
  EXPECT_EQ(detail::DecodeValue(raw, 1 << 20)->bytes, noise);

  for (const std::string& garbage :
       {std::string(), std::string("x"), std::string("\xB0", 1), std::string("\xA4zz", 3),
        std::string("\xA2\x01", 2), large.substr(0, large.size() / 2),
        std::string("\xA2\xff\xff\xff\x7f", 5) + "junk",
        std::string("\xA2\x10\0\0\0", 5) + noise}) {
    EXPECT_FALSE(detail::DecodeValue(garbage, 1 << 20)) << ::testing::PrintToString(garbage);
  }
}

TEST(RedisCodecTest, EscapesGlobCharacters) {
  EXPECT_EQ(detail::EscapeGlob("a*b?c[d]e\\f"), "a\\*b\\?c\\[d\\]e\\\\f");
}

TEST(RedisBusCodecTest, RoundTripsArbitraryBytesAndRejectsMalformed) {
  Invalidation message;
  message.origin = "host-1-abc";
  message.tags = {"team:LAL", std::string("nul\0byte", 8), "", "colon:3:x", "\n\r\xff\xfe"};
  message.prefixes = {"player:", std::string(3000, 'p')};
  message.keys = {"k1"};
  message.all = true;
  const std::string bytes = EncodeInvalidation(message);
  auto decoded = DecodeInvalidation(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->origin, message.origin);
  EXPECT_EQ(decoded->tags, message.tags);
  EXPECT_EQ(decoded->prefixes, message.prefixes);
  EXPECT_EQ(decoded->keys, message.keys);
  EXPECT_TRUE(decoded->all);

  EXPECT_FALSE(DecodeInvalidation(""));
  EXPECT_FALSE(DecodeInvalidation("{\"tags\":[]}"));
  EXPECT_FALSE(DecodeInvalidation(bytes + "x")) << "trailing bytes";
  EXPECT_FALSE(DecodeInvalidation(bytes.substr(0, bytes.size() - 1))) << "truncated";
  EXPECT_FALSE(DecodeInvalidation("FBI10:09999999999:")) << "absurd count";
  EXPECT_FALSE(DecodeInvalidation("FBI10:20:0:0:")) << "bad all flag";
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    EXPECT_FALSE(DecodeInvalidation(bytes.substr(0, cut)));
  }
}

// ---- the cache ----------------------------------------------------------------------------

TEST_F(RedisTest, ScriptShaMatchesRedis) {
  const RedisValue sha = Raw({"SCRIPT", "LOAD", "return 'fastbreak'"});
  EXPECT_EQ(sha.str, detail::Sha1Hex("return 'fastbreak'"));
}

TEST_F(RedisTest, SmallValueRoundTripsUnderTheNamespace) {
  MakeCache();
  ASSERT_TRUE(cache_->available());
  EXPECT_FALSE(Hit("game:1"));
  Put("game:1", "hello", {"team:LAL"});
  auto value = Get("game:1");
  ASSERT_TRUE(value);
  EXPECT_EQ(value->bytes, "hello");
  EXPECT_FALSE(value->negative);
  EXPECT_GT(value->ttl_left.count(), kLong.count() - 5'000);
  EXPECT_LE(value->ttl_left.count(), kLong.count());

  EXPECT_EQ(cache_->EntryKey("game:1"), "fastbreak:v1:e:game:1");
  const RedisValue stored = Raw({"GET", "fastbreak:v1:e:game:1"});
  ASSERT_EQ(stored.type, RedisValue::Type::kString);
  EXPECT_TRUE(stored.str.starts_with("1:23:fastbreak:v1:v:team:LAL16:")) << stored.str;
  EXPECT_TRUE(stored.str.ends_with("\xA0hello")) << "raw header + bytes";
  EXPECT_EQ(Raw({"SISMEMBER", "fastbreak:v1:s:team:LAL", "fastbreak:v1:e:game:1"}).integer, 1);

  EXPECT_EQ(Ops("get", "hit"), 1u);
  EXPECT_EQ(Ops("get", "miss"), 1u);
  EXPECT_EQ(Ops("put", "ok"), 1u);
}

TEST_F(RedisTest, LargeValueIsStoredLz4Compressed) {
  MakeCache();
  const std::string big = Compressible(64 * 1024);
  Put("season:2023", big);
  auto value = Get("season:2023");
  ASSERT_TRUE(value);
  EXPECT_EQ(value->bytes, big);

  const RedisValue stored = Raw({"GET", "fastbreak:v1:e:season:2023"});
  ASSERT_TRUE(stored.str.starts_with("0:"));
  EXPECT_EQ(static_cast<uint8_t>(stored.str[2]), 0xA2) << "lz4 flag in the header";
  EXPECT_LT(stored.str.size(), big.size() / 4);
  EXPECT_EQ(cache_->Stats().puts_compressed, 1u);
  EXPECT_EQ(metrics_.GetCounter("fastbreak_cache_l2_compressed_total", "").Value(), 1u);
  EXPECT_GT(
      metrics_.GetCounter("fastbreak_cache_l2_bytes_total", "", {{"direction", "written"}}).Value(),
      0u);
}

TEST_F(RedisTest, NegativeFlagRoundTrips) {
  MakeCache();
  cache_->Put("player:nobody", Value("", true), kLong, {});
  auto value = Get("player:nobody");
  ASSERT_TRUE(value);
  EXPECT_TRUE(value->negative);
  EXPECT_EQ(value->bytes, "");
}

TEST_F(RedisTest, SchemaVersionSeparatesFormats) {
  MakeCache();
  Put("k", "v1 format");
  RedisOptions v2 = options_;
  v2.schema_version = 2;
  auto client = RedisClient::Create(v2, metrics_);
  ASSERT_OK(client);
  RedisCache cache_v2(**client, metrics_);
  EXPECT_FALSE(cache_v2.Get("k"));
  EXPECT_TRUE(Hit("k"));
}

TEST_F(RedisTest, TtlIsEnforcedByRedis) {
  MakeCache();
  Put("short", "x", {"t"}, milliseconds(300));
  auto value = Get("short");
  ASSERT_TRUE(value);
  EXPECT_GT(value->ttl_left.count(), 0);
  EXPECT_LE(value->ttl_left.count(), 300);
  // Tag bookkeeping lives at least as long as its longest entry.
  Put("long", "y", {"t"}, milliseconds(20'000));
  EXPECT_GT(Raw({"PTTL", cache_->TagSetKey("t")}).integer, 19'000);
  EXPECT_GT(Raw({"PTTL", cache_->TagVersionKey("t")}).integer, 19'000);
  std::this_thread::sleep_for(milliseconds(400));  // Redis's own clock is under test
  EXPECT_FALSE(Hit("short"));
  EXPECT_TRUE(Hit("long"));
}

TEST_F(RedisTest, TagInvalidationDeletesTaggedEntries) {
  MakeCache();
  Put("a", "1", {"t1"});
  Put("b", "2", {"t1", "t2"});
  Put("c", "3", {"t2"});
  Put("d", "4");
  cache_->Invalidate({"t1"}, {}, {}, false);
  EXPECT_FALSE(Hit("a"));
  EXPECT_FALSE(Hit("b"));
  EXPECT_TRUE(Hit("c"));
  EXPECT_TRUE(Hit("d"));
  EXPECT_EQ(Raw({"EXISTS", cache_->EntryKey("a")}).integer, 0) << "deleted, not just hidden";
  EXPECT_EQ(Raw({"EXISTS", cache_->TagSetKey("t1")}).integer, 0);
  Put("a", "new");
  EXPECT_EQ(Get("a")->bytes, "new");
  EXPECT_EQ(Ops("invalidate", "ok"), 1u);
}

TEST_F(RedisTest, NoStaleReadWhenTheTagSetWasEvicted) {
  MakeCache();
  Put("a", "old", {"team:BOS"});
  Put("b", "old", {"team:BOS", "season:2024"});
  Raw({"DEL", cache_->TagSetKey("team:BOS")});  // what allkeys-lru may do
  cache_->Invalidate({"team:BOS"}, {}, {}, false);
  EXPECT_EQ(Raw({"EXISTS", cache_->EntryKey("a")}).integer, 1) << "the set could not find it";
  EXPECT_FALSE(Hit("a")) << "but its tag version no longer matches";
  EXPECT_FALSE(Hit("b"));
  EXPECT_EQ(cache_->Stats().get_stale, 2u);
}

TEST_F(RedisTest, NoStaleReadWhenTheTagVersionWasEvicted) {
  MakeCache();
  Put("a", "old", {"t"});
  Raw({"DEL", cache_->TagVersionKey("t")});
  EXPECT_FALSE(Hit("a")) << "a vanished version key reads as a miss";
  Put("b", "new", {"t"});  // recreates the version with a fresh token
  EXPECT_TRUE(Hit("b"));
  EXPECT_FALSE(Hit("a")) << "a recreated version never matches an old entry";
}

TEST_F(RedisTest, PrefixInvalidationEscapesGlobCharacters) {
  MakeCache();
  for (const char* key : {"player:1", "player:2", "play*er", "player[1]", "team:1"}) Put(key, "v");
  for (int i = 0; i < 50; ++i) Put("player:bulk:" + std::to_string(i), "v");
  cache_->Invalidate({}, {"player:"}, {}, false);
  EXPECT_FALSE(Hit("player:1"));
  EXPECT_FALSE(Hit("player:2"));
  EXPECT_FALSE(Hit("player:bulk:42"));
  EXPECT_TRUE(Hit("play*er"));
  EXPECT_TRUE(Hit("player[1]"));
  EXPECT_TRUE(Hit("team:1"));
  cache_->Invalidate({}, {"play*"}, {}, false);
  EXPECT_FALSE(Hit("play*er"));
  EXPECT_TRUE(Hit("player[1]")) << "'*' in a prefix is literal";
}

TEST_F(RedisTest, PrefixInvalidationScansInSmallBatches) {
  options_.scan_count = 5;
  MakeCache();
  for (int i = 0; i < 40; ++i) Put("box:" + std::to_string(i), "v");
  Put("other", "v");
  cache_->Invalidate({}, {"box:"}, {}, false);
  for (int i = 0; i < 40; ++i) EXPECT_FALSE(Hit("box:" + std::to_string(i))) << i;
  EXPECT_TRUE(Hit("other"));
}

TEST_F(RedisTest, KeyAndAllInvalidation) {
  MakeCache();
  Put("a", "1", {"t"});
  Put("b", "2");
  Put("c", "3");
  Raw({"SET", "someone-else:key", "keep"});
  cache_->Invalidate({}, {}, {"a", "missing"}, false);
  EXPECT_FALSE(Hit("a"));
  EXPECT_TRUE(Hit("b"));
  cache_->Invalidate({}, {}, {}, true);
  EXPECT_FALSE(Hit("b"));
  EXPECT_FALSE(Hit("c"));
  EXPECT_TRUE(Raw({"KEYS", "fastbreak:v1:*"}).elements.empty()) << "namespace emptied";
  EXPECT_EQ(Raw({"GET", "someone-else:key"}).str, "keep") << "other namespaces untouched";
}

TEST_F(RedisTest, CorruptStoredBytesReadAsMisses) {
  MakeCache();
  Raw({"SADD", "fastbreak:v1:wrongtype", "x"});
  const std::string key = cache_->EntryKey("k");
  const std::vector<std::string> corrupt = {
      "",
      "garbage",
      "0:",                                               // no value header
      "0:\xB1xyz",                                        // unknown format
      "0:\xA2\x01",                                       // lz4 without its size
      std::string("0:\xA2\xff\xff\xff\x7f", 7) + "junk",  // absurd raw size
      std::string("0:\xA2\x10\0\0\0", 7) + "not lz4 at all",
      "1:5:abc",                              // truncated tag section
      "99999999999:x",                        // absurd tag count
      "1:22:fastbreak:v1:wrongtype1:x\xA0v",  // version key of the wrong type
      "-1:\xA0v",
  };
  for (const std::string& bytes : corrupt) {
    Raw({"SET", key, bytes});
    EXPECT_FALSE(Hit("k")) << ::testing::PrintToString(bytes);
  }
  EXPECT_EQ(cache_->Stats().get_corrupt + cache_->Stats().get_stale, corrupt.size());
  EXPECT_EQ(cache_->Stats().errors, 0u);
  Put("k", "fine");
  EXPECT_EQ(Get("k")->bytes, "fine");
}

TEST_F(RedisTest, ScriptsSurviveAScriptFlush) {
  MakeCache();
  Put("a", "1", {"t"});
  Raw({"SCRIPT", "FLUSH"});
  EXPECT_TRUE(Hit("a")) << "EVALSHA -> NOSCRIPT -> EVAL";
  Raw({"SCRIPT", "FLUSH"});
  Put("b", "2", {"t"});
  Raw({"SCRIPT", "FLUSH"});
  cache_->Invalidate({"t"}, {}, {}, false);
  EXPECT_FALSE(Hit("a"));
  EXPECT_FALSE(Hit("b"));
  EXPECT_EQ(cache_->Stats().errors, 0u);
}

// ---- failures -----------------------------------------------------------------------------

TEST_F(RedisTest, KilledRedisFailsSoftOpensTheBreakerAndRecovers) {
  options_.command_timeout = milliseconds(50);
  MakeCache();
  Put("a", "1");
  ASSERT_TRUE(Hit("a"));
  server_.Kill();

  const auto bound = options_.connect_timeout + options_.command_timeout + milliseconds(100);
  for (int i = 0; i < 50; ++i) {
    const auto start = steady_clock::now();
    EXPECT_FALSE(Hit("a"));
    Put("b", "2", {"t"});
    cache_->Invalidate({"t"}, {}, {}, false);
    EXPECT_LT(steady_clock::now() - start, 3 * bound) << "call " << i;
  }
  EXPECT_FALSE(cache_->available());
  const RedisCacheStats down = cache_->Stats();
  EXPECT_EQ(down.client.breaker_opened, 1u);
  EXPECT_NE(down.client.breaker_state, RedisClientStats::BreakerState::kClosed);
  EXPECT_GT(down.skipped, 100u) << "skipped without touching the network once open";
  EXPECT_GE(down.errors, static_cast<uint64_t>(options_.failure_threshold));
  EXPECT_GT(Ops("get", "skipped"), 0u);
  EXPECT_NE(metrics_.GetGauge("fastbreak_cache_l2_breaker_state", "").Value(), 0.0);

  ASSERT_OK(server_.Start());
  ASSERT_TRUE(WaitFor([&] { return cache_->available(); }, milliseconds(5'000)));
  EXPECT_EQ(metrics_.GetGauge("fastbreak_cache_l2_breaker_state", "").Value(), 0.0);
  // The pending invalidations replay first (a fresh server has nothing, so this is cheap).
  ASSERT_TRUE(WaitFor([&] { return !cache_->Stats().invalidation_pending; }, milliseconds(2'000)));
  Put("c", "3");
  ASSERT_TRUE(Hit("c"));
  EXPECT_EQ(Get("c")->bytes, "3");
}

TEST_F(RedisTest, WritingToAClosedConnectionDoesNotRaiseSigpipe) {
  MakeCache();
  Put("a", "1");
  ASSERT_TRUE(Hit("a"));  // a pooled connection is open
  server_.Kill();
  // More than the socket buffers take, so hiredis writes again after the peer's RST: EPIPE,
  // and a SIGPIPE that would end this process if it were not blocked and discarded.
  std::mt19937 random(1);
  std::string noise(3 << 20, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  cache_->Put("big", Value(noise), kLong, {});
  EXPECT_EQ(Ops("put", "error"), 1u);
}

TEST_F(RedisTest, HungRedisTimesOutAndMissedInvalidationsReplay) {
  options_.command_timeout = milliseconds(50);
  options_.failure_threshold = 2;
  MakeCache();
  Put("a", "old", {"team:NYK"});
  Put("b", "keep");
  server_.Pause();
  for (int i = 0; i < 3; ++i) {
    const auto start = steady_clock::now();
    EXPECT_FALSE(Hit("a"));
    EXPECT_LT(steady_clock::now() - start, milliseconds(500)) << "bounded by command_timeout";
  }
  EXPECT_GE(Ops("get", "timeout"), 2u);
  EXPECT_FALSE(cache_->available());
  cache_->Invalidate({"team:NYK"}, {}, {}, false);  // cannot reach Redis: kept
  EXPECT_TRUE(cache_->Stats().invalidation_pending);
  EXPECT_EQ(Ops("invalidate", "skipped"), 1u);

  server_.Resume();
  ASSERT_TRUE(WaitFor([&] { return cache_->available(); }, milliseconds(5'000)));
  ASSERT_TRUE(WaitFor([&] { return !cache_->Stats().invalidation_pending; }, milliseconds(2'000)));
  EXPECT_FALSE(Hit("a")) << "the invalidation missed during the outage was replayed";
  EXPECT_TRUE(Hit("b"));
}

TEST_F(RedisTest, RestartWhileClosedReplacesBrokenConnections) {
  MakeCache();
  Put("a", "1");
  ASSERT_TRUE(Hit("a"));
  server_.Kill();
  ASSERT_OK(server_.Start());  // before any call notices: pooled connections are now dead
  EXPECT_FALSE(Hit("a")) << "a fresh server is empty";
  EXPECT_EQ(Ops("get", "miss"), 1u) << "a miss, not an error";
  EXPECT_EQ(Ops("get", "error"), 0u);
  EXPECT_GE(client_->Stats().stale_replaced, 1u);
  EXPECT_EQ(client_->Stats().breaker_opened, 0u);
  Put("a", "2");
  EXPECT_EQ(Get("a")->bytes, "2");
}

TEST_F(RedisTest, StartsWithoutRedisAndConnectsLater) {
  server_.Stop();
  MakeCache();
  EXPECT_FALSE(cache_->available());
  const auto start = steady_clock::now();
  EXPECT_FALSE(Hit("a"));
  Put("a", "1");
  EXPECT_LT(steady_clock::now() - start, milliseconds(50)) << "skipped at once";
  ASSERT_OK(server_.Start());
  ASSERT_TRUE(WaitFor([&] { return cache_->available(); }, milliseconds(5'000)));
  Put("a", "1");
  EXPECT_TRUE(Hit("a"));
}

TEST_F(RedisTest, ConcurrentCallsShareThePool) {
  options_.pool_size = 2;
  options_.acquire_timeout = milliseconds(200);
  MakeCache();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string key = "k" + std::to_string((t * 100 + i) % 37);
        Put(key, std::string(static_cast<size_t>(i) * 40, 'x'), {"tag" + std::to_string(i % 5)});
        Get(key);
        if (i % 25 == 0) cache_->Invalidate({"tag" + std::to_string(t)}, {}, {}, false);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const RedisCacheStats stats = cache_->Stats();
  EXPECT_EQ(stats.errors, 0u);
  EXPECT_EQ(stats.timeouts, 0u);
  EXPECT_GT(stats.get_hits, 0u);
  EXPECT_TRUE(cache_->available());
}

// ---- the bus ------------------------------------------------------------------------------

// Records what a bus delivers; waits without sleeping for a fixed time.
struct Recorder {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Invalidation> messages;
  int disconnects = 0;
  int reconnects = 0;

  InvalidationBus::Handlers Handlers() {
    InvalidationBus::Handlers handlers;
    handlers.on_message = [this](const Invalidation& m) { Update([&] { messages.push_back(m); }); };
    handlers.on_disconnect = [this] { Update([&] { ++disconnects; }); };
    handlers.on_reconnect = [this] { Update([&] { ++reconnects; }); };
    return handlers;
  }
  void Update(const std::function<void()>& change) {
    {
      std::lock_guard lock(mutex);
      change();
    }
    cv.notify_all();
  }
  bool Await(const std::function<bool()>& done, milliseconds timeout) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, timeout, done);
  }
  // Reads under the lock (the handlers run on the bus threads).
  int Disconnects() {
    std::lock_guard lock(mutex);
    return disconnects;
  }
  size_t Messages() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
};

class RedisBusTest : public RedisTest {
 protected:
  void MakeBuses() {
    auto client = RedisClient::Create(options_, metrics_);
    ASSERT_OK(client);
    client_ = std::move(*client);
    bus_a_ = std::make_unique<RedisBus>(*client_, metrics_a_);
    bus_b_ = std::make_unique<RedisBus>(*client_, metrics_b_);
    ASSERT_OK(bus_a_->Start(a_.Handlers()));
    ASSERT_OK(bus_b_->Start(b_.Handlers()));
  }
  void TearDown() override {
    bus_a_.reset();
    bus_b_.reset();
  }

  telemetry::MetricsRegistry metrics_a_, metrics_b_;
  Recorder a_, b_;
  std::unique_ptr<RedisBus> bus_a_, bus_b_;
};

TEST_F(RedisBusTest, MessagesReachOtherInstancesOnly) {
  MakeBuses();
  ASSERT_TRUE(bus_a_->connected());
  ASSERT_TRUE(bus_b_->connected());
  EXPECT_NE(bus_a_->instance_id(), bus_b_->instance_id());
  EXPECT_EQ(bus_a_->channel(), "fastbreak:v1:invalidate");

  Invalidation message;
  message.tags = {"team:LAL", std::string("\0\xff:\n", 4)};
  message.prefixes = {"player:"};
  message.keys = {"k"};
  message.origin = "ignored: Publish stamps its own id";
  ASSERT_OK(bus_a_->Publish(message));

  ASSERT_TRUE(b_.Await([&] { return !b_.messages.empty(); }, milliseconds(2'000)));
  const Invalidation got = [&] {
    std::lock_guard lock(b_.mutex);
    return b_.messages.front();
  }();
  EXPECT_EQ(got.tags, message.tags);
  EXPECT_EQ(got.prefixes, message.prefixes);
  EXPECT_EQ(got.keys, message.keys);
  EXPECT_FALSE(got.all);
  EXPECT_EQ(got.origin, bus_a_->instance_id());

  ASSERT_TRUE(WaitFor([&] { return bus_a_->Stats().ignored_own == 1; }, milliseconds(2'000)));
  EXPECT_EQ(a_.Messages(), 0u) << "own messages are not delivered";
  EXPECT_EQ(bus_a_->Stats().published, 1u);
  EXPECT_EQ(bus_b_->Stats().received, 1u);
  EXPECT_EQ(metrics_b_.GetGauge("fastbreak_cache_bus_connected", "").Value(), 1.0);

  Raw({"PUBLISH", bus_b_->channel(), "not a message"});
  ASSERT_TRUE(WaitFor([&] { return bus_b_->Stats().malformed == 1; }, milliseconds(2'000)));
  EXPECT_EQ(b_.Messages(), 1u);
  EXPECT_EQ(b_.Disconnects(), 0);
}

TEST_F(RedisBusTest, KilledRedisDisconnectsOnceAndReconnects) {
  MakeBuses();
  server_.Kill();
  const auto killed = steady_clock::now();
  ASSERT_TRUE(b_.Await([&] { return b_.disconnects == 1; }, milliseconds(2'000)));
  EXPECT_LT(steady_clock::now() - killed, milliseconds(2'000));
  EXPECT_FALSE(bus_b_->connected());
  Invalidation message;
  message.keys = {"k"};
  EXPECT_FALSE(bus_a_->Publish(message).has_value()) << "publishing fails while Redis is down";
  std::this_thread::sleep_for(milliseconds(300));  // several reconnect attempts fail meanwhile
  EXPECT_EQ(b_.Disconnects(), 1) << "once per outage";
  EXPECT_EQ(bus_b_->Stats().disconnects, 1u);
  EXPECT_EQ(metrics_b_.GetGauge("fastbreak_cache_bus_connected", "").Value(), 0.0);

  ASSERT_OK(server_.Start());
  ASSERT_TRUE(b_.Await([&] { return b_.reconnects == 1; }, milliseconds(5'000)));
  ASSERT_TRUE(a_.Await([&] { return a_.reconnects == 1; }, milliseconds(5'000)));
  EXPECT_TRUE(bus_b_->connected());
  ASSERT_TRUE(WaitFor([&] { return client_->available(); }, milliseconds(5'000)));
  ASSERT_OK(bus_a_->Publish(message));
  ASSERT_TRUE(b_.Await([&] { return b_.messages.size() == 1; }, milliseconds(2'000)));
}

TEST_F(RedisBusTest, HungRedisIsDetectedByPing) {
  options_.bus_ping_interval = milliseconds(200);
  options_.bus_ping_timeout = milliseconds(400);
  MakeBuses();
  server_.Pause();  // no FIN: only the PING can tell
  const auto paused = steady_clock::now();
  ASSERT_TRUE(b_.Await([&] { return b_.disconnects == 1; }, milliseconds(2'000)));
  EXPECT_LT(steady_clock::now() - paused, milliseconds(1'500));
  server_.Resume();
  ASSERT_TRUE(b_.Await([&] { return b_.reconnects == 1; }, milliseconds(5'000)));
  EXPECT_TRUE(bus_b_->connected());
}

TEST_F(RedisBusTest, StartWithoutRedisIsAnOutage) {
  server_.Stop();
  MakeBuses();
  EXPECT_FALSE(bus_b_->connected());
  EXPECT_EQ(b_.Disconnects(), 1);
  ASSERT_OK(server_.Start());
  ASSERT_TRUE(b_.Await([&] { return b_.reconnects == 1; }, milliseconds(5'000)));
  EXPECT_TRUE(bus_b_->connected());
  EXPECT_ERROR(bus_b_->Start({}), ErrorCode::kInvalidArgument);
}

TEST_F(RedisBusTest, DestructorReturnsPromptly) {
  MakeBuses();
  const auto start = steady_clock::now();
  bus_a_.reset();
  bus_b_.reset();
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
}

}  // namespace
}  // namespace fastbreak::cache
