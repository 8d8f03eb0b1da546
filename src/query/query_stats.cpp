#include "query/query_stats.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <deque>
#include <nlohmann/json.hpp>
#include <system_error>
#include <unordered_map>
#include <utility>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace fastbreak::query {
namespace {

constexpr size_t kShards = 16;
constexpr size_t kMaxToolBytes = 128;
constexpr size_t kMinSqlBytes = 16;

// --- latency histogram: bucket 0 below 2^10 ns, then 4 linear sub-buckets per power of two
// from 2^10 ns (~1 µs) to 2^42 ns (~73 min), then one open bucket above.
constexpr int kFirstExponent = 10;
constexpr int kOctaves = 32;
constexpr int kSubBuckets = 4;
constexpr int kBuckets = 2 + kOctaves * kSubBuckets;
using Histogram = std::array<uint64_t, kBuckets>;

int BucketOf(int64_t ns) {
  if (ns < (int64_t{1} << kFirstExponent)) return 0;
  const auto value = static_cast<uint64_t>(ns);
  const int exponent = std::bit_width(value) - 1;
  const int octave = exponent - kFirstExponent;
  if (octave >= kOctaves) return kBuckets - 1;
  return 1 + octave * kSubBuckets + static_cast<int>((value >> (exponent - 2)) & 3);
}

// [low, high) of a bucket, ns; the open last bucket ends at the largest value seen.
std::pair<double, double> BucketRange(int bucket, int64_t max_ns) {
  if (bucket == 0) return {0.0, std::ldexp(1.0, kFirstExponent)};
  if (bucket == kBuckets - 1) {
    const double low = std::ldexp(1.0, kFirstExponent + kOctaves);
    return {low, std::max(low, static_cast<double>(max_ns))};
  }
  const int octave = (bucket - 1) / kSubBuckets;
  const int sub = (bucket - 1) % kSubBuckets;
  const double width = std::ldexp(1.0, kFirstExponent + octave - 2);
  const double low = std::ldexp(1.0, kFirstExponent + octave) + sub * width;
  return {low, low + width};
}

// The nearest-rank percentile `p` (0..1), interpolated inside its bucket, in ns.
double Percentile(const Histogram& histogram, uint64_t calls, int64_t max_ns, double p) {
  if (calls == 0) return 0;
  const auto rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * static_cast<double>(calls))));
  uint64_t seen = 0;
  for (int bucket = 0; bucket < kBuckets; ++bucket) {
    const uint64_t count = histogram[static_cast<size_t>(bucket)];
    if (count == 0) continue;
    if (seen + count >= rank) {
      const auto [low, high] = BucketRange(bucket, max_ns);
      const double fraction = static_cast<double>(rank - seen) / static_cast<double>(count);
      return std::min(low + (high - low) * fraction, static_cast<double>(max_ns));
    }
    seen += count;
  }
  return static_cast<double>(max_ns);
}

// --- text helpers ---

std::string_view CutAtBoundary(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// At most `max_bytes`: longer text is cut at a UTF-8 boundary and ended with "...".
std::string Bounded(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  text.resize(CutAtBoundary(text, max_bytes > 3 ? max_bytes - 3 : 0).size());
  text += "...";
  return text;
}

// `text` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t code = 0;
    uint32_t min_code = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code = lead & 0x1Fu, min_code = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code = lead & 0x0Fu, min_code = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code = lead & 0x07u, min_code = 0x10000;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3Fu);
    }
    valid = valid && code >= min_code && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF);
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

double Ms3(double ms) { return std::round(ms * 1000.0) / 1000.0; }
double NsToMs(double ns) { return ns / 1e6; }

std::chrono::system_clock::time_point FromMicros(int64_t micros) {
  return std::chrono::system_clock::time_point(std::chrono::microseconds(micros));
}

std::string Rfc3339(std::chrono::system_clock::time_point at) {
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto millis = static_cast<int>(ms - seconds * 1000);
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&time, &tm) == nullptr) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string_view KindName(NormalizerKind kind) {
  return kind == NormalizerKind::kPgQuery ? "pg_query" : "fallback";
}
std::string_view DialectName(db::Dialect dialect) {
  return dialect == db::Dialect::kSqlite ? "sqlite" : "postgres";
}

// --- per-fingerprint entries ---

struct Entry {
  Entry(Fingerprint fingerprint, db::Dialect entry_dialect, int64_t now_us)
      : id(fingerprint.id),
        normalized(std::move(fingerprint.normalized)),
        kind(fingerprint.kind),
        dialect(entry_dialect),
        first_seen_us(now_us),
        last_seen_us(now_us) {}

  const uint64_t id;
  const std::string normalized;
  const NormalizerKind kind;
  const db::Dialect dialect;
  const int64_t first_seen_us;

  // Set once when dropped from the table; text slots still pointing here re-resolve, and are
  // purged right after the eviction so that dropped entries are freed.
  std::atomic<bool> evicted{false};

  std::mutex mu;
  // Guarded by mu.
  bool has_sample = false;
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t rows = 0;
  int64_t total_ns = 0;
  int64_t max_ns = 0;
  int64_t last_seen_us;
  Histogram histogram{};
  std::vector<std::string> tools;  // sorted
  std::string sample;
};

// One finished execution, as the backends or Record() report it.
struct Execution {
  std::string_view sql;
  db::Dialect dialect;
  int64_t elapsed_ns;
  int64_t rows;
  bool failed;
  const db::Statement* statement;  // for ExpandedSql(); null from Record()
  std::string_view expanded;       // from Record(); may be empty
};

bool HasTool(const Entry& entry, std::string_view tool) {
  return std::binary_search(entry.tools.begin(), entry.tools.end(), tool,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

// REQUIRES: entry.mu held.
void Apply(Entry& entry, const Execution& execution, std::string_view tool, int64_t now_us,
           size_t max_tools) {
  const int64_t elapsed = std::max<int64_t>(execution.elapsed_ns, 0);
  ++entry.calls;
  if (execution.failed) ++entry.errors;
  entry.rows += static_cast<uint64_t>(std::max<int64_t>(execution.rows, 0));
  entry.total_ns += elapsed;
  entry.max_ns = std::max(entry.max_ns, elapsed);
  entry.last_seen_us = std::max(entry.last_seen_us, now_us);
  ++entry.histogram[static_cast<size_t>(BucketOf(elapsed))];
  if (tool.empty() || entry.tools.size() >= max_tools) return;
  tool = CutAtBoundary(tool, kMaxToolBytes);
  const auto at = std::lower_bound(entry.tools.begin(), entry.tools.end(), tool,
                                   [](std::string_view a, std::string_view b) { return a < b; });
  if (at == entry.tools.end() || *at != tool) entry.tools.insert(at, std::string(tool));
}

// REQUIRES: entry.mu held.
double SortKey(const Entry& entry, TopOrder order) {
  switch (order) {
    case TopOrder::kTotalTime:
      return static_cast<double>(entry.total_ns);
    case TopOrder::kMeanTime:
      return entry.calls == 0
                 ? 0.0
                 : static_cast<double>(entry.total_ns) / static_cast<double>(entry.calls);
    case TopOrder::kCalls:
      return static_cast<double>(entry.calls);
    case TopOrder::kErrors:
      return static_cast<double>(entry.errors);
    case TopOrder::kRows:
      return static_cast<double>(entry.rows);
    case TopOrder::kMaxTime:
      return static_cast<double>(entry.max_ns);
    case TopOrder::kP95:
      return Percentile(entry.histogram, entry.calls, entry.max_ns, 0.95);
  }
  return 0;
}

QueryStatsRow RowOf(Entry& entry) {
  QueryStatsRow row;
  row.fingerprint = entry.id;
  row.fingerprint_hex = FingerprintHex(entry.id);
  row.normalized = entry.normalized;
  row.kind = entry.kind;
  row.dialect = entry.dialect;
  row.first_seen = FromMicros(entry.first_seen_us);
  std::lock_guard lock(entry.mu);
  row.calls = entry.calls;
  row.errors = entry.errors;
  row.rows = entry.rows;
  row.total_ms = NsToMs(static_cast<double>(entry.total_ns));
  row.mean_ms = entry.calls == 0 ? 0.0 : row.total_ms / static_cast<double>(entry.calls);
  row.p50_ms = NsToMs(Percentile(entry.histogram, entry.calls, entry.max_ns, 0.50));
  row.p95_ms = NsToMs(Percentile(entry.histogram, entry.calls, entry.max_ns, 0.95));
  row.p99_ms = NsToMs(Percentile(entry.histogram, entry.calls, entry.max_ns, 0.99));
  row.max_ms = NsToMs(static_cast<double>(entry.max_ns));
  row.last_seen = FromMicros(entry.last_seen_us);
  row.tools = entry.tools;
  row.sample = entry.sample;
  return row;
}

// --- the slow-query file ---

// Appends lines to a file, reopening it when the path no longer names the open file (moved
// away by log rotation, or deleted). Failures are counted and logged once. Thread-safe.
class SlowLogFile {
 public:
  explicit SlowLogFile(std::string path) : path_(std::move(path)) {}
  ~SlowLogFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  SlowLogFile(const SlowLogFile&) = delete;
  SlowLogFile& operator=(const SlowLogFile&) = delete;

  // REQUIRES: `line` ends with '\n'. One write() per line, so lines never interleave.
  void Append(std::string_view line) {
    std::lock_guard lock(mu_);
    if (fd_ >= 0) {
      struct stat now {};
      if (::stat(path_.c_str(), &now) != 0 || now.st_dev != device_ || now.st_ino != inode_) {
        Close();
      }
    }
    if (fd_ < 0 && !Open()) return;
    while (!line.empty()) {
      const ssize_t written = ::write(fd_, line.data(), line.size());
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        Fail("write", written < 0 ? errno : EIO);
        Close();
        return;
      }
      line.remove_prefix(static_cast<size_t>(written));
    }
  }

  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  bool Open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      Fail("open", errno);
      return false;
    }
    struct stat opened {};
    if (::fstat(fd_, &opened) != 0) {
      Fail("stat", errno);
      Close();
      return false;
    }
    device_ = opened.st_dev;
    inode_ = opened.st_ino;
    return true;
  }

  void Close() {
    ::close(fd_);
    fd_ = -1;
  }

  void Fail(std::string_view what, int error) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (logged_) return;
    logged_ = true;
    spdlog::warn("slow-query log {}: {} failed: {}; further failures are only counted", path_, what,
                 std::error_code(error, std::generic_category()).message());
  }

  const std::string path_;
  std::mutex mu_;
  // Guarded by mu_.
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  bool logged_ = false;
  std::atomic<uint64_t> errors_{0};
};

QueryStatsOptions Sanitized(QueryStatsOptions options) {
  options.max_fingerprints = std::max<size_t>(options.max_fingerprints, 1);
  options.max_texts = std::max(options.max_texts, kShards);
  options.max_sql_bytes = std::max(options.max_sql_bytes, kMinSqlBytes);
  if (options.slow_threshold.count() < 0) options.slow_threshold = {};
  if (options.clock == nullptr) options.clock = &SystemClock::Instance();
  return options;
}

thread_local const CallInfo* current_call = nullptr;

}  // namespace

// --- CallScope ---

CallScope::CallScope(const CallInfo& info) : previous_(current_call) { current_call = &info; }
CallScope::~CallScope() { current_call = previous_; }
const CallInfo* CallScope::Current() { return current_call; }

Result<TopOrder> ParseTopOrder(std::string_view name) {
  static constexpr std::pair<std::string_view, TopOrder> kOrders[] = {
      {"total_time", TopOrder::kTotalTime},
      {"mean_time", TopOrder::kMeanTime},
      {"calls", TopOrder::kCalls},
      {"errors", TopOrder::kErrors},
      {"rows", TopOrder::kRows},
      {"max_time", TopOrder::kMaxTime},
      {"p95", TopOrder::kP95}};
  for (const auto& [order_name, order] : kOrders) {
    if (name == order_name) return order;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown query order '{}': expected total_time, mean_time, calls, errors, "
                   "rows, max_time or p95",
                   CutAtBoundary(name, 64));
}

// --- QueryStats ---

struct QueryStats::Impl {
  struct TextSlot {
    size_t length = 0;  // of the text, a second check beside its 64-bit hash
    std::shared_ptr<Entry> entry;
  };
  // Texts by xxh3 hash; a shard is picked by the hash's top 4 bits.
  struct alignas(64) TextShard {
    std::mutex mu;
    // Guarded by mu.
    std::unordered_map<uint64_t, TextSlot> texts;
    std::deque<uint64_t> order;  // hashes, oldest first
    uint64_t statements = 0;
  };

  explicit Impl(const QueryStatsOptions& options)
      : opts(options),
        texts_per_shard(options.max_texts / kShards),
        threshold_ns(
            std::chrono::duration_cast<std::chrono::nanoseconds>(options.slow_threshold).count()) {
    if (!options.slow_log_path.empty()) file = std::make_unique<SlowLogFile>(options.slow_log_path);
  }

  void Record(const Execution& execution);
  std::shared_ptr<Entry> Resolve(const Execution& execution, uint64_t hash, TextShard& shard,
                                 const Entry* stale, int64_t now_us);
  std::shared_ptr<Entry> GetOrCreate(Fingerprint fingerprint, db::Dialect dialect, int64_t now_us);
  void EvictLocked();
  void PurgeEvictedTexts();
  void AddSlow(const Entry& entry, const Execution& execution, const CallInfo* call,
               std::string sql, int64_t now_us);
  std::vector<std::shared_ptr<Entry>> Snapshot() const;

  const QueryStatsOptions& opts;
  const size_t texts_per_shard;
  const int64_t threshold_ns;

  std::array<TextShard, kShards> shards;

  mutable std::mutex entries_mu;
  // Guarded by entries_mu.
  std::unordered_map<uint64_t, std::shared_ptr<Entry>> entries;
  uint64_t evicted = 0;

  mutable std::mutex slow_mu;
  // Guarded by slow_mu. ring[newest] is the latest entry; older ones precede it, wrapping.
  std::vector<SlowQuery> ring;
  size_t newest = 0;
  uint64_t next_sequence = 1;
  uint64_t slow_seen = 0;

  std::unique_ptr<SlowLogFile> file;
};

void QueryStats::Impl::Record(const Execution& execution) {
  const int64_t now_us = opts.clock->WallMicros();
  const CallInfo* call = CallScope::Current();
  const std::string_view tool = call != nullptr ? call->tool : std::string_view();
  const bool slow = execution.elapsed_ns >= threshold_ns;
  const uint64_t hash = XXH3_64bits(execution.sql.data(), execution.sql.size());
  TextShard& shard = shards[hash >> 60];

  // The entry is kept past the shard lock only when a sample or a slow entry needs it.
  std::shared_ptr<Entry> entry;
  std::shared_ptr<Entry> stale;
  bool need_sample = false;
  {
    std::lock_guard lock(shard.mu);
    ++shard.statements;
    const auto slot = shard.texts.find(hash);
    if (slot != shard.texts.end() && slot->second.length == execution.sql.size()) {
      Entry& known = *slot->second.entry;
      std::lock_guard entry_lock(known.mu);
      if (known.evicted.load(std::memory_order_relaxed)) {
        stale = slot->second.entry;
      } else {
        Apply(known, execution, tool, now_us, opts.max_tools_per_query);
        need_sample = !known.has_sample;
        if (!need_sample && !slow) return;  // the common case: nothing more to do
        entry = slot->second.entry;
      }
    }
  }
  if (entry == nullptr) {
    entry = Resolve(execution, hash, shard, stale.get(), now_us);
    std::lock_guard entry_lock(entry->mu);
    Apply(*entry, execution, tool, now_us, opts.max_tools_per_query);
    need_sample = !entry->has_sample;
  }
  if (!need_sample && !slow) return;

  // ExpandedSql allocates: only for an entry's first sample and for slow statements.
  std::string sql = execution.statement != nullptr ? execution.statement->ExpandedSql()
                    : execution.expanded.empty()   ? std::string(execution.sql)
                                                   : std::string(execution.expanded);
  sql = Bounded(std::move(sql), opts.max_sql_bytes);
  if (need_sample) {
    std::lock_guard entry_lock(entry->mu);
    if (!entry->has_sample) {
      entry->sample = sql;
      entry->has_sample = true;
    }
  }
  if (slow) AddSlow(*entry, execution, call, std::move(sql), now_us);
}

std::shared_ptr<Entry> QueryStats::Impl::Resolve(const Execution& execution, uint64_t hash,
                                                 TextShard& shard, const Entry* stale,
                                                 int64_t now_us) {
  Fingerprint fingerprint;
  if (stale != nullptr) {  // evicted: its fingerprint is known, only the entry is new
    fingerprint.id = stale->id;
    fingerprint.normalized = stale->normalized;
    fingerprint.kind = stale->kind;
  } else {
    fingerprint = FingerprintSql(execution.sql);
  }
  std::shared_ptr<Entry> entry = GetOrCreate(std::move(fingerprint), execution.dialect, now_us);
  std::lock_guard lock(shard.mu);
  auto [slot, inserted] = shard.texts.try_emplace(hash);
  slot->second = TextSlot{execution.sql.size(), entry};
  if (inserted) {
    shard.order.push_back(hash);
    while (shard.order.size() > texts_per_shard) {
      shard.texts.erase(shard.order.front());
      shard.order.pop_front();
    }
  }
  return entry;
}

std::shared_ptr<Entry> QueryStats::Impl::GetOrCreate(Fingerprint fingerprint, db::Dialect dialect,
                                                     int64_t now_us) {
  std::shared_ptr<Entry> entry;
  bool evicted_some = false;
  {
    std::lock_guard lock(entries_mu);
    if (const auto found = entries.find(fingerprint.id); found != entries.end()) {
      return found->second;
    }
    if (entries.size() >= opts.max_fingerprints) {
      EvictLocked();
      evicted_some = true;
    }
    const uint64_t id = fingerprint.id;
    entry = std::make_shared<Entry>(std::move(fingerprint), dialect, now_us);
    entries.emplace(id, entry);
  }
  if (evicted_some) PurgeEvictedTexts();
  return entry;
}

// Forgets the texts of evicted entries, which frees the entries. O(texts), once per eviction.
void QueryStats::Impl::PurgeEvictedTexts() {
  for (TextShard& shard : shards) {
    std::lock_guard lock(shard.mu);
    std::erase_if(shard.texts, [](const auto& item) {
      return item.second.entry->evicted.load(std::memory_order_relaxed);
    });
    std::erase_if(shard.order, [&](uint64_t hash) { return !shard.texts.contains(hash); });
  }
}

// Drops the 5% (at least one) of entries with the least total time, ties by fingerprint.
// REQUIRES: entries_mu held.
void QueryStats::Impl::EvictLocked() {
  std::vector<std::pair<int64_t, uint64_t>> totals;
  totals.reserve(entries.size());
  for (const auto& [id, entry] : entries) {
    std::lock_guard entry_lock(entry->mu);
    totals.emplace_back(entry->total_ns, id);
  }
  const size_t drop = std::min(std::max<size_t>(opts.max_fingerprints / 20, 1), totals.size());
  std::nth_element(totals.begin(), totals.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   totals.end());
  for (size_t i = 0; i < drop; ++i) {
    const auto found = entries.find(totals[i].second);
    found->second->evicted.store(true, std::memory_order_relaxed);
    entries.erase(found);
  }
  evicted += drop;
}

void QueryStats::Impl::AddSlow(const Entry& entry, const Execution& execution, const CallInfo* call,
                               std::string sql, int64_t now_us) {
  SlowQuery slow;
  slow.at = FromMicros(now_us);
  slow.fingerprint = entry.id;
  slow.normalized = entry.normalized;
  slow.sql = std::move(sql);
  slow.dialect = execution.dialect;
  slow.duration_ms = NsToMs(static_cast<double>(execution.elapsed_ns));
  slow.rows = execution.rows;
  slow.failed = execution.failed;
  if (call != nullptr) {
    slow.tool = std::string(CutAtBoundary(call->tool, kMaxToolBytes));
    slow.arguments = Bounded(std::string(call->arguments), opts.max_sql_bytes);
  }
  {
    std::lock_guard lock(slow_mu);
    slow.sequence = next_sequence++;
    ++slow_seen;
    if (opts.slow_log_capacity > 0) {
      if (ring.size() < opts.slow_log_capacity) {
        ring.push_back(slow);
        newest = ring.size() - 1;
      } else {
        newest = (newest + 1) % ring.size();
        ring[newest] = slow;
      }
    }
  }
  if (file != nullptr) {
    std::string line = ToJson(slow).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    file->Append(line);
  }
}

std::vector<std::shared_ptr<Entry>> QueryStats::Impl::Snapshot() const {
  std::lock_guard lock(entries_mu);
  std::vector<std::shared_ptr<Entry>> all;
  all.reserve(entries.size());
  for (const auto& [id, entry] : entries) all.push_back(entry);
  return all;
}

QueryStats::QueryStats(QueryStatsOptions options)
    : options_(Sanitized(std::move(options))), impl_(std::make_unique<Impl>(options_)) {}

QueryStats::~QueryStats() = default;

void QueryStats::OnStatement(const db::StatementEvent& event) noexcept {
  if (event.statement == nullptr) return;
  try {
    impl_->Record(Execution{event.statement->Sql(),
                            event.dialect,
                            event.elapsed.count(),
                            event.rows,
                            event.failed,
                            event.statement,
                            {}});
  } catch (...) {  // statistics never fail a statement; an execution lost to bad_alloc is
  }                // acceptable
}

void QueryStats::Record(std::string_view sql, db::Dialect dialect, std::chrono::nanoseconds elapsed,
                        int64_t rows, bool failed, std::string_view expanded_sql) {
  try {
    impl_->Record(Execution{sql, dialect, elapsed.count(), rows, failed, nullptr, expanded_sql});
  } catch (...) {
  }
}

std::vector<QueryStatsRow> QueryStats::Top(size_t limit, TopOrder order,
                                           std::string_view tool) const {
  struct Ranked {
    double key;
    uint64_t id;
    std::shared_ptr<Entry> entry;
  };
  std::vector<Ranked> ranked;
  for (auto& entry : impl_->Snapshot()) {
    std::unique_lock lock(entry->mu);
    if (!tool.empty() && !HasTool(*entry, tool)) continue;
    const double key = SortKey(*entry, order);
    lock.unlock();
    ranked.push_back(Ranked{key, entry->id, std::move(entry)});
  }
  const size_t count = std::min(limit, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count),
                    ranked.end(), [](const Ranked& a, const Ranked& b) {
                      return a.key != b.key ? a.key > b.key : a.id < b.id;
                    });
  std::vector<QueryStatsRow> rows;
  rows.reserve(count);
  for (size_t i = 0; i < count; ++i) rows.push_back(RowOf(*ranked[i].entry));
  return rows;
}

std::optional<QueryStatsRow> QueryStats::Find(uint64_t fingerprint) const {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(impl_->entries_mu);
    const auto found = impl_->entries.find(fingerprint);
    if (found == impl_->entries.end()) return std::nullopt;
    entry = found->second;
  }
  return RowOf(*entry);
}

std::vector<SlowQuery> QueryStats::SlowQueries(size_t limit, double min_ms,
                                               std::string_view tool) const {
  std::vector<SlowQuery> out;
  std::lock_guard lock(impl_->slow_mu);
  const size_t size = impl_->ring.size();
  for (size_t k = 0; k < size && out.size() < limit; ++k) {
    const SlowQuery& slow = impl_->ring[(impl_->newest + size - k) % size];
    if (slow.duration_ms < min_ms) continue;
    if (!tool.empty() && slow.tool != tool) continue;
    out.push_back(slow);
  }
  return out;
}

void QueryStats::SetPlanSummary(uint64_t sequence, std::string summary) {
  std::lock_guard lock(impl_->slow_mu);
  const size_t size = impl_->ring.size();
  const uint64_t newest_sequence = impl_->next_sequence - 1;
  if (size == 0 || sequence == 0 || sequence > newest_sequence) return;
  const uint64_t age = newest_sequence - sequence;
  if (age >= size) return;
  SlowQuery& slow = impl_->ring[(impl_->newest + size - static_cast<size_t>(age)) % size];
  if (slow.sequence == sequence) slow.plan_summary = std::move(summary);
}

QueryStatsTotals QueryStats::Totals() const {
  QueryStatsTotals totals;
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mu);
    totals.statements += shard.statements;
  }
  {
    std::lock_guard lock(impl_->entries_mu);
    totals.fingerprints = impl_->entries.size();
    totals.evicted = impl_->evicted;
  }
  {
    std::lock_guard lock(impl_->slow_mu);
    totals.slow = impl_->slow_seen;
  }
  totals.slow_log_write_errors = impl_->file != nullptr ? impl_->file->errors() : 0;
  totals.threshold_ms = NsToMs(static_cast<double>(impl_->threshold_ns));
  return totals;
}

void QueryStats::Reset() {
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mu);
    shard.texts.clear();
    shard.order.clear();
    shard.statements = 0;
  }
  {
    std::lock_guard lock(impl_->entries_mu);
    impl_->entries.clear();
    impl_->evicted = 0;
  }
  std::lock_guard lock(impl_->slow_mu);
  impl_->ring.clear();
  impl_->newest = 0;
  impl_->slow_seen = 0;
}

// --- JSON ---

nlohmann::json ToJson(const QueryStatsRow& row) {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& tool : row.tools) tools.push_back(ValidUtf8(tool));
  return nlohmann::json{{"fingerprint", FingerprintHex(row.fingerprint)},
                        {"normalized", ValidUtf8(row.normalized)},
                        {"kind", KindName(row.kind)},
                        {"dialect", DialectName(row.dialect)},
                        {"calls", row.calls},
                        {"errors", row.errors},
                        {"rows", row.rows},
                        {"total_ms", Ms3(row.total_ms)},
                        {"mean_ms", Ms3(row.mean_ms)},
                        {"p50_ms", Ms3(row.p50_ms)},
                        {"p95_ms", Ms3(row.p95_ms)},
                        {"p99_ms", Ms3(row.p99_ms)},
                        {"max_ms", Ms3(row.max_ms)},
                        {"first_seen", Rfc3339(row.first_seen)},
                        {"last_seen", Rfc3339(row.last_seen)},
                        {"tools", std::move(tools)},
                        {"sample", ValidUtf8(row.sample)}};
}

nlohmann::json ToJson(const SlowQuery& slow) {
  return nlohmann::json{{"sequence", slow.sequence},
                        {"at", Rfc3339(slow.at)},
                        {"fingerprint", FingerprintHex(slow.fingerprint)},
                        {"normalized", ValidUtf8(slow.normalized)},
                        {"sql", ValidUtf8(slow.sql)},
                        {"dialect", DialectName(slow.dialect)},
                        {"duration_ms", Ms3(slow.duration_ms)},
                        {"rows", slow.rows},
                        {"failed", slow.failed},
                        {"tool", ValidUtf8(slow.tool)},
                        {"arguments", ValidUtf8(slow.arguments)},
                        {"plan_summary", ValidUtf8(slow.plan_summary)}};
}

nlohmann::json ToJson(const QueryStatsTotals& totals) {
  return nlohmann::json{{"statements", totals.statements},
                        {"fingerprints", totals.fingerprints},
                        {"evicted", totals.evicted},
                        {"slow", totals.slow},
                        {"slow_log_write_errors", totals.slow_log_write_errors},
                        {"threshold_ms", Ms3(totals.threshold_ms)}};
}

}  // namespace fastbreak::query
