#include "cache/redis_cache.hpp"

#include <lz4.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <random>
#include <utility>

#include "telemetry/metrics.hpp"

namespace fastbreak::cache {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// KEYS[1] entry. Returns nil (absent), 0 (a tag was invalidated), -1 (malformed), or
// {pttl, value}. Read-only.
constexpr const char* kGetLua = R"lua(
local blob = redis.call('GET', KEYS[1])
if not blob then return false end
local function num(pos)
  local s, e = string.find(blob, '^%d+:', pos)
  if not s or e - s > 10 then return nil end
  return tonumber(string.sub(blob, s, e - 1)), e + 1
end
local function str(pos)
  local n, p = num(pos)
  if not n or p + n - 1 > #blob then return nil end
  return string.sub(blob, p, p + n - 1), p + n
end
local count, pos = num(1)
if not count or count > 1000 then return -1 end
for i = 1, count do
  local vkey, token
  vkey, pos = str(pos)
  if not vkey then return -1 end
  token, pos = str(pos)
  if not token then return -1 end
  if redis.pcall('GET', vkey) ~= token then return 0 end
end
return {redis.call('PTTL', KEYS[1]), string.sub(blob, pos), string.sub(blob, 1, pos - 1)}
)lua";

// KEYS[1] entry, then per tag its version key and tag set. ARGV: ttl ms, a fresh random token
// (for tags without a version), the value bytes.
constexpr const char* kPutLua = R"lua(
local ttl = tonumber(ARGV[1])
local parts = {}
local count = 0
for i = 2, #KEYS, 2 do
  local vkey, skey = KEYS[i], KEYS[i + 1]
  local token = redis.call('GET', vkey)
  if not token then
    token = ARGV[2]
    redis.call('SET', vkey, token, 'PX', ttl)
  elseif redis.call('PTTL', vkey) < ttl then
    redis.call('PEXPIRE', vkey, ttl)
  end
  redis.call('SADD', skey, KEYS[1])
  if redis.call('PTTL', skey) < ttl then redis.call('PEXPIRE', skey, ttl) end
  parts[#parts + 1] = string.len(vkey) .. ':' .. vkey .. string.len(token) .. ':' .. token
  count = count + 1
end
redis.call('SET', KEYS[1], count .. ':' .. table.concat(parts) .. ARGV[3], 'PX', ttl)
return 1
)lua";

// KEYS[1] a tag's version key, KEYS[2] its tag set. Returns the number of entries deleted.
constexpr const char* kInvalidateTagLua = R"lua(
redis.call('DEL', KEYS[1])
local members = redis.call('SMEMBERS', KEYS[2])
for i = 1, #members, 500 do
  redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[2])
return #members
)lua";

const RedisScript& GetScript() {
  static const RedisScript script(kGetLua);
  return script;
}
const RedisScript& PutScript() {
  static const RedisScript script(kPutLua);
  return script;
}
const RedisScript& InvalidateTagScript() {
  static const RedisScript script(kInvalidateTagLua);
  return script;
}

constexpr uint8_t kFormatMask = 0xF0;
constexpr uint8_t kFormat = 0xA0;
constexpr uint8_t kNegative = 0x01;
constexpr uint8_t kLz4 = 0x02;
constexpr uint8_t kUnknownFlags = 0x0C;
constexpr size_t kLz4Header = 5;  // header byte + raw size
constexpr size_t kUnlinkBatch = 1000;

enum Op { kGet, kPut, kInvalidate, kOps };
enum Outcome { kHit, kMiss, kOk, kError, kTimeout, kSkipped, kOutcomes };
constexpr std::array<const char*, kOps> kOpNames = {"get", "put", "invalidate"};
constexpr std::array<const char*, kOutcomes> kOutcomeNames = {"hit",   "miss",    "ok",
                                                              "error", "timeout", "skipped"};

Outcome OutcomeOf(const Error& error) {
  switch (error.code) {
    case ErrorCode::kTimeout:
      return kTimeout;
    case ErrorCode::kBusy:
      return kSkipped;
    default:
      return kError;
  }
}

std::string RandomToken() {
  thread_local std::mt19937_64 random(std::random_device{}());
  return fmt::format("{:016x}", random());
}

}  // namespace

struct RedisCache::Metrics {
  explicit Metrics(telemetry::MetricsRegistry& registry) {
    constexpr std::array<std::array<bool, kOutcomes>, kOps> kValid = {{
        {true, true, false, true, true, true},   // get
        {false, false, true, true, true, true},  // put
        {false, false, true, true, true, true},  // invalidate
    }};
    for (int op = 0; op < kOps; ++op) {
      for (int outcome = 0; outcome < kOutcomes; ++outcome) {
        if (!kValid[op][outcome]) continue;
        ops[op][outcome] = &registry.GetCounter(
            "fastbreak_cache_l2_operations_total", "Redis L2 cache operations by outcome",
            {{"op", kOpNames[op]}, {"outcome", kOutcomeNames[outcome]}});
      }
      durations[op] = &registry.GetHistogram("fastbreak_cache_l2_duration_seconds",
                                             "Redis L2 operations that reached Redis, by op",
                                             {{"op", kOpNames[op]}});
    }
    bytes_read = &Bytes(registry, "read");
    bytes_written = &Bytes(registry, "written");
    compressed = &registry.GetCounter("fastbreak_cache_l2_compressed_total",
                                      "Redis L2 values stored LZ4-compressed");
    stale = &Rejected(registry, "stale");
    corrupt = &Rejected(registry, "corrupt");
    pending = &registry.GetGauge("fastbreak_cache_l2_invalidation_pending",
                                 "1 while an invalidation that missed Redis awaits replay");
  }
  static telemetry::Counter& Bytes(telemetry::MetricsRegistry& registry, const char* direction) {
    return registry.GetCounter("fastbreak_cache_l2_bytes_total",
                               "Redis L2 value bytes as stored (after compression)",
                               {{"direction", direction}});
  }
  static telemetry::Counter& Rejected(telemetry::MetricsRegistry& registry, const char* reason) {
    return registry.GetCounter("fastbreak_cache_l2_rejected_total",
                               "Redis L2 entries read as misses", {{"reason", reason}});
  }
  void Count(Op op, Outcome outcome) { ops[op][outcome]->Increment(); }
  uint64_t Value(Op op, Outcome outcome) const {
    return ops[op][outcome] == nullptr ? 0 : ops[op][outcome]->Value();
  }
  uint64_t Sum(Outcome outcome) const {
    return Value(kGet, outcome) + Value(kPut, outcome) + Value(kInvalidate, outcome);
  }
  void Time(Op op, steady_clock::time_point start) {
    durations[op]->Record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(steady_clock::now() - start).count()));
  }

  std::array<std::array<telemetry::Counter*, kOutcomes>, kOps> ops{};
  std::array<telemetry::Histogram*, kOps> durations{};
  telemetry::Counter* bytes_read = nullptr;
  telemetry::Counter* bytes_written = nullptr;
  telemetry::Counter* compressed = nullptr;
  telemetry::Counter* stale = nullptr;
  telemetry::Counter* corrupt = nullptr;
  telemetry::Gauge* pending = nullptr;
};

RedisCache::RedisCache(RedisClient& client, telemetry::MetricsRegistry& metrics)
    : client_(client),
      ns_(client.options().Namespace()),
      metrics_(std::make_unique<Metrics>(metrics)) {
  listener_id_ = client_.AddRecoveryListener([this] {
    if (has_pending_.load(std::memory_order_acquire)) TryReplayPending();
  });
}

RedisCache::~RedisCache() { client_.RemoveRecoveryListener(listener_id_); }

std::optional<StoredValue> RedisCache::Get(std::string_view key) {
  if (!Ready()) {
    metrics_->Count(kGet, kSkipped);
    return std::nullopt;
  }
  const auto start = steady_clock::now();
  const std::string entry_key = EntryKey(key);
  const RedisScriptCall call{&GetScript(), {entry_key}, {}};
  auto replies = client_.Eval(std::span(&call, 1));
  metrics_->Time(kGet, start);
  if (!replies) {
    metrics_->Count(kGet, OutcomeOf(replies.error()));
    return std::nullopt;
  }
  const RedisReply& reply = replies->front();
  if (reply.is_nil()) {
    metrics_->Count(kGet, kMiss);
    return std::nullopt;
  }
  if (reply.is_error()) {
    spdlog::debug("redis L2 get: {}", reply.str());
    metrics_->Count(kGet, kError);
    return std::nullopt;
  }
  std::optional<StoredValue> value;
  if (reply.is_array() && reply.size() == 3 && reply[0].is_integer() && reply[1].is_string() &&
      reply[2].is_string()) {
    metrics_->bytes_read->Increment(reply[1].str().size());
    value = detail::DecodeValue(reply[1].str(), client_.options().max_value_bytes);
    if (value && !detail::DecodeTags(reply[2].str(), TagVersionKey(""), value->tags)) {
      value.reset();
    }
  }
  if (!value) {
    (reply.is_integer() && reply.integer() == 0 ? metrics_->stale : metrics_->corrupt)->Increment();
    metrics_->Count(kGet, kMiss);
    return std::nullopt;
  }
  value->ttl_left = milliseconds(std::max<long long>(reply[0].integer(), 0));
  metrics_->Count(kGet, kHit);
  return value;
}

void RedisCache::Put(std::string_view key, const StoredValue& value, milliseconds ttl,
                     const std::vector<std::string>& tags) {
  const RedisOptions& options = client_.options();
  if (ttl.count() <= 0 || value.bytes.size() > options.max_value_bytes ||
      tags.size() > options.max_tags_per_entry || !Ready()) {
    metrics_->Count(kPut, kSkipped);
    return;
  }
  const auto start = steady_clock::now();
  bool compressed = false;
  const std::string payload = detail::EncodeValue(value, options.compress_threshold, &compressed);
  std::vector<std::string> names;
  names.reserve(1 + 2 * tags.size());
  names.push_back(EntryKey(key));
  for (const std::string& tag : tags) {
    names.push_back(TagVersionKey(tag));
    names.push_back(TagSetKey(tag));
  }
  const std::string ttl_ms = std::to_string(ttl.count());
  const std::string token = RandomToken();
  RedisScriptCall call{&PutScript(), {}, {ttl_ms, token, payload}};
  call.keys.assign(names.begin(), names.end());
  auto replies = client_.Eval(std::span(&call, 1));
  metrics_->Time(kPut, start);
  if (!replies) {
    metrics_->Count(kPut, OutcomeOf(replies.error()));
    return;
  }
  if (replies->front().is_error()) {
    spdlog::debug("redis L2 put: {}", replies->front().str());
    metrics_->Count(kPut, kError);
    return;
  }
  metrics_->bytes_written->Increment(payload.size());
  if (compressed) metrics_->compressed->Increment();
  metrics_->Count(kPut, kOk);
}

void RedisCache::Invalidate(const std::vector<std::string>& tags,
                            const std::vector<std::string>& prefixes,
                            const std::vector<std::string>& keys, bool all) {
  Pending work;
  work.tags.insert(tags.begin(), tags.end());
  work.prefixes.insert(prefixes.begin(), prefixes.end());
  work.keys.insert(keys.begin(), keys.end());
  work.all = all;
  if (work.empty()) return;
  if (!client_.available()) {
    AddPending(std::move(work));
    metrics_->Count(kInvalidate, kSkipped);
    return;
  }
  if (has_pending_.load(std::memory_order_acquire)) {  // keep the order: replay first
    AddPending(std::move(work));
    metrics_->Count(kInvalidate, TryReplayPending() ? kOk : kSkipped);
    return;
  }
  const auto start = steady_clock::now();
  Status status = Apply(work);
  metrics_->Time(kInvalidate, start);
  if (!status) {
    spdlog::warn("redis L2 invalidation failed, kept for replay: {}", status.error().message);
    AddPending(std::move(work));
    metrics_->Count(kInvalidate, OutcomeOf(status.error()));
    return;
  }
  metrics_->Count(kInvalidate, kOk);
}

bool RedisCache::Ready() {
  if (!client_.available()) return false;
  return !has_pending_.load(std::memory_order_acquire) || TryReplayPending();
}

Status RedisCache::Apply(const Pending& work) {
  if (work.all) return ScanDelete(detail::EscapeGlob(ns_) + "*");
  if (!work.tags.empty()) {
    std::vector<std::string> names;
    names.reserve(2 * work.tags.size());
    std::vector<RedisScriptCall> calls;
    calls.reserve(work.tags.size());
    for (const std::string& tag : work.tags) {
      names.push_back(TagVersionKey(tag));
      names.push_back(TagSetKey(tag));
      calls.push_back(
          {&InvalidateTagScript(), {names[names.size() - 2], names[names.size() - 1]}, {}});
    }
    FB_ASSIGN_OR_RETURN(auto replies, client_.Eval(calls));
    for (const RedisReply& reply : replies) {
      if (reply.is_error()) {
        return MakeError(ErrorCode::kInternal, "redis tag invalidation: {}", reply.str());
      }
    }
  }
  if (!work.keys.empty()) {
    std::vector<std::string> names;
    names.reserve(work.keys.size());
    for (const std::string& key : work.keys) names.push_back(EntryKey(key));
    std::vector<RedisArgs> commands;
    for (size_t i = 0; i < names.size(); i += kUnlinkBatch) {
      RedisArgs unlink = {"UNLINK"};
      for (size_t j = i; j < std::min(names.size(), i + kUnlinkBatch); ++j) {
        unlink.push_back(names[j]);
      }
      commands.push_back(std::move(unlink));
    }
    FB_RETURN_IF_ERROR(client_.Pipeline(commands));
  }
  for (const std::string& prefix : work.prefixes) {
    FB_RETURN_IF_ERROR(ScanDelete(detail::EscapeGlob(ns_ + "e:" + prefix) + "*"));
  }
  return Ok();
}

Status RedisCache::ScanDelete(const std::string& pattern) {
  const std::string count = std::to_string(client_.options().scan_count);
  std::string cursor = "0";
  do {
    FB_ASSIGN_OR_RETURN(RedisReply reply,
                        client_.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", count}));
    if (!reply.is_array() || reply.size() != 2 || !reply[0].is_string() || !reply[1].is_array()) {
      return MakeError(ErrorCode::kInternal, "redis SCAN: unexpected reply {}", reply.str());
    }
    cursor = std::string(reply[0].str());
    const RedisReplyView found = reply[1];
    if (found.size() > 0) {
      RedisArgs unlink = {"UNLINK"};
      for (size_t i = 0; i < found.size(); ++i) unlink.push_back(found[i].str());
      FB_RETURN_IF_ERROR(client_.Command(unlink));
    }
  } while (cursor != "0");
  return Ok();
}

void RedisCache::Pending::Merge(Pending&& other, size_t limit) {
  all = all || other.all;
  if (!all) {
    tags.merge(other.tags);
    prefixes.merge(other.prefixes);
    keys.merge(other.keys);
  }
  if (all || tags.size() + prefixes.size() + keys.size() > limit) {
    all = true;
    tags.clear();
    prefixes.clear();
    keys.clear();
  }
}

void RedisCache::AddPending(Pending&& work) {
  std::lock_guard lock(pending_mutex_);
  pending_.Merge(std::move(work), client_.options().max_pending_invalidations);
  has_pending_.store(true, std::memory_order_release);
  metrics_->pending->Set(1);
}

bool RedisCache::TryReplayPending() {
  std::unique_lock replay(replay_mutex_, std::try_to_lock);
  if (!replay.owns_lock()) return false;
  Pending work;
  {
    std::lock_guard lock(pending_mutex_);
    std::swap(work, pending_);
  }
  Status status = work.empty() ? Ok() : Apply(work);
  std::lock_guard lock(pending_mutex_);
  if (!status) {
    pending_.Merge(std::move(work), client_.options().max_pending_invalidations);
    return false;
  }
  if (!pending_.empty()) return false;
  has_pending_.store(false, std::memory_order_release);
  metrics_->pending->Set(0);
  spdlog::info("redis L2: pending invalidations replayed");
  return true;
}

RedisCacheStats RedisCache::Stats() const {
  RedisCacheStats stats;
  stats.get_hits = metrics_->Value(kGet, kHit);
  stats.get_misses = metrics_->Value(kGet, kMiss);
  stats.get_stale = metrics_->stale->Value();
  stats.get_corrupt = metrics_->corrupt->Value();
  stats.puts = metrics_->Value(kPut, kOk);
  stats.puts_compressed = metrics_->compressed->Value();
  stats.invalidations = metrics_->Value(kInvalidate, kOk);
  stats.errors = metrics_->Sum(kError);
  stats.timeouts = metrics_->Sum(kTimeout);
  stats.skipped = metrics_->Sum(kSkipped);
  stats.bytes_read = metrics_->bytes_read->Value();
  stats.bytes_written = metrics_->bytes_written->Value();
  stats.invalidation_pending = has_pending_.load(std::memory_order_acquire);
  stats.client = client_.Stats();
  return stats;
}

namespace detail {

std::string EncodeValue(const StoredValue& value, size_t compress_threshold, bool* compressed) {
  const uint8_t header = kFormat | (value.negative ? kNegative : 0);
  const std::string& raw = value.bytes;
  *compressed = false;
  if (raw.size() > compress_threshold && raw.size() <= LZ4_MAX_INPUT_SIZE) {
    const int raw_size = static_cast<int>(raw.size());
    const int bound = LZ4_compressBound(raw_size);
    std::string out(kLz4Header + static_cast<size_t>(bound), '\0');
    const int n = LZ4_compress_default(raw.data(), out.data() + kLz4Header, raw_size, bound);
    if (n > 0 && static_cast<size_t>(n) + kLz4Header < raw.size() + 1) {
      out[0] = static_cast<char>(header | kLz4);
      for (size_t i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((raw.size() >> (8 * i)) & 0xFF);
      out.resize(kLz4Header + static_cast<size_t>(n));
      *compressed = true;
      return out;
    }
  }
  std::string out;
  out.reserve(1 + raw.size());
  out.push_back(static_cast<char>(header));
  out += raw;
  return out;
}

namespace {

// "<len>:" followed by len bytes, from the front of `text`.
std::optional<std::string_view> TakeCounted(std::string_view& text) {
  const size_t colon = text.find(':');
  size_t length = 0;
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + colon, length);
  if (ec != std::errc() || end != text.data() + colon || text.size() - colon - 1 < length) {
    return std::nullopt;
  }
  std::string_view out = text.substr(colon + 1, length);
  text.remove_prefix(colon + 1 + length);
  return out;
}

}  // namespace

bool DecodeTags(std::string_view section, std::string_view version_prefix,
                std::vector<std::string>& tags) {
  const size_t colon = section.find(':');
  size_t count = 0;
  if (colon == std::string_view::npos ||
      std::from_chars(section.data(), section.data() + colon, count).ptr !=
          section.data() + colon) {
    return false;
  }
  section.remove_prefix(colon + 1);
  for (size_t i = 0; i < count; ++i) {
    const auto version_key = TakeCounted(section);
    const auto token = TakeCounted(section);
    if (!version_key || !token) return false;
    if (version_key->starts_with(version_prefix)) {
      tags.emplace_back(version_key->substr(version_prefix.size()));
    }
  }
  return section.empty();
}

std::optional<StoredValue> DecodeValue(std::string_view bytes, size_t max_value_bytes) {
  if (bytes.empty()) return std::nullopt;
  const auto header = static_cast<uint8_t>(bytes[0]);
  if ((header & kFormatMask) != kFormat || (header & kUnknownFlags) != 0) return std::nullopt;
  StoredValue value;
  value.negative = (header & kNegative) != 0;
  if ((header & kLz4) == 0) {
    if (bytes.size() - 1 > max_value_bytes) return std::nullopt;
    value.bytes.assign(bytes.substr(1));
    return value;
  }
  if (bytes.size() < kLz4Header) return std::nullopt;
  uint32_t raw_size = 0;
  for (size_t i = 0; i < 4; ++i) {
    raw_size |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[1 + i])) << (8 * i);
  }
  if (raw_size > max_value_bytes || raw_size > static_cast<uint32_t>(LZ4_MAX_INPUT_SIZE)) {
    return std::nullopt;
  }
  value.bytes.resize(raw_size);
  const int n =
      LZ4_decompress_safe(bytes.data() + kLz4Header, value.bytes.data(),
                          static_cast<int>(bytes.size() - kLz4Header), static_cast<int>(raw_size));
  if (n < 0 || static_cast<uint32_t>(n) != raw_size) return std::nullopt;
  return value;
}

std::string EscapeGlob(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace detail

}  // namespace fastbreak::cache
