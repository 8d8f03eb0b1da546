// Per-fingerprint statement statistics and the slow-query log, fed by every statement the
// database backends run (db::StatementObserver). Bounded: at most `max_fingerprints` entries;
// when full, the 5% with the least total time are dropped (and counted) to make room, as
// pg_stat_statements does. Cheap enough to stay on: a statement's text is fingerprinted once
// and remembered (text -> entry); each execution then costs a hash of the text, the locks of
// one of 16 shards and of the entry, and a few adds (~70 ns; see query_benchmark). The text
// with its literals is asked of the statement (ExpandedSql) only for an entry's first sample
// and for slow statements.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "db/database.hpp"
#include "query/fingerprint.hpp"

namespace fastbreak::query {

// The tool call a statement runs for. Set on the worker thread for the duration of a call
// (CallScope); statements run outside any call (imports, migrations) have none.
struct CallInfo {
  std::string_view tool;       // "player_season_stats"
  std::string_view arguments;  // the call's arguments as compact JSON (may be empty)
};

// Marks the current thread as running `info` until destroyed. Nests (restores the outer one).
// REQUIRES: `info`'s strings outlive the scope.
class CallScope {
 public:
  explicit CallScope(const CallInfo& info);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;
  // The innermost call on this thread, or nullptr.
  static const CallInfo* Current();

 private:
  const CallInfo* previous_;
};

struct QueryStatsOptions {
  size_t max_fingerprints = 5000;
  // Distinct SQL texts remembered (text -> fingerprint), at least 16: each of the 16 shards
  // keeps max_texts / 16; past it a shard forgets its least recently added text, which is
  // fingerprinted again when seen. A text is known by its 64-bit hash and length.
  size_t max_texts = 20000;
  // Tools remembered per fingerprint.
  size_t max_tools_per_query = 16;
  // Statements at or over this are slow: kept in the slow-query log. 0 = log every statement.
  std::chrono::microseconds slow_threshold{100'000};
  size_t slow_log_capacity = 500;
  // When set, every slow query is also appended to this file as one JSON object per line
  // (the fields of SlowQuery). The file is reopened if moved away (log rotation); a write
  // error is counted and logged once, never fails the statement.
  std::string slow_log_path;
  // Longest SQL text kept in a sample or a slow entry (cut at a UTF-8 boundary, "..." added);
  // also bounds a slow entry's arguments. A tool name is kept up to 128 bytes.
  size_t max_sql_bytes = 4096;
  // Wall clock for first/last seen and slow entries' `at`; null = SystemClock::Instance().
  // REQUIRES: outlives the QueryStats.
  const Clock* clock = nullptr;
};

// Latency percentiles come from a log-linear histogram (4 sub-buckets per power of two from
// 1 µs to ~1 h; one bucket below 1 µs, one above): within ~19% of the true value, interpolated
// inside the bucket and never above the maximum. `calls` counts every execution, failed ones
// included, and so do the times.
struct QueryStatsRow {
  uint64_t fingerprint = 0;
  std::string fingerprint_hex;
  std::string normalized;
  NormalizerKind kind = NormalizerKind::kPgQuery;
  db::Dialect dialect = db::Dialect::kSqlite;  // of the first execution
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t rows = 0;
  double total_ms = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::chrono::system_clock::time_point first_seen;
  std::chrono::system_clock::time_point last_seen;
  std::vector<std::string> tools;  // sorted
  std::string sample;              // one execution with its literals (parameters inlined)
};

enum class TopOrder { kTotalTime, kMeanTime, kCalls, kErrors, kRows, kMaxTime, kP95 };
// "total_time", "mean_time", "calls", "errors", "rows", "max_time", "p95"
Result<TopOrder> ParseTopOrder(std::string_view name);

struct SlowQuery {
  uint64_t sequence = 0;  // 1, 2, ... in order of arrival
  std::chrono::system_clock::time_point at;
  uint64_t fingerprint = 0;
  std::string normalized;
  std::string sql;  // with its parameters inlined
  db::Dialect dialect = db::Dialect::kSqlite;
  double duration_ms = 0;
  int64_t rows = 0;
  bool failed = false;
  std::string tool;       // empty outside a tool call
  std::string arguments;  // the call's arguments (JSON text), empty outside a tool call
  // Filled in later by whoever can run EXPLAIN (see SetPlanSummary); empty until then.
  std::string plan_summary;
};

struct QueryStatsTotals {
  uint64_t statements = 0;
  uint64_t fingerprints = 0;  // entries now
  uint64_t evicted = 0;       // entries dropped to stay bounded
  uint64_t slow = 0;          // slow statements seen (the log keeps the latest capacity)
  uint64_t slow_log_write_errors = 0;
  double threshold_ms = 0;
};

class QueryStats final : public db::StatementObserver {
 public:
  explicit QueryStats(QueryStatsOptions options = {});
  ~QueryStats() override;

  // Thread-safe, noexcept; called by the backends as each statement finishes. An event
  // without a statement is ignored.
  void OnStatement(const db::StatementEvent& event) noexcept override;

  // Records one execution directly (tests, workload replays). `sql` is the statement's text;
  // `expanded_sql` the same with literals, when known. Thread-safe; never throws (an
  // execution that meets an allocation failure is not counted).
  void Record(std::string_view sql, db::Dialect dialect, std::chrono::nanoseconds elapsed,
              int64_t rows, bool failed, std::string_view expanded_sql = {});

  // The top `limit` fingerprints by `order`, optionally only those issued by `tool`.
  std::vector<QueryStatsRow> Top(size_t limit, TopOrder order = TopOrder::kTotalTime,
                                 std::string_view tool = {}) const;
  std::optional<QueryStatsRow> Find(uint64_t fingerprint) const;

  // Newest first; at most `limit`; only at or over `min_ms` when given; only of `tool`.
  std::vector<SlowQuery> SlowQueries(size_t limit, double min_ms = 0,
                                     std::string_view tool = {}) const;
  // Stores an EXPLAIN summary for the slow entry `sequence` (no-op when it left the ring).
  void SetPlanSummary(uint64_t sequence, std::string summary);

  QueryStatsTotals Totals() const;
  void Reset();
  const QueryStatsOptions& options() const { return options_; }

 private:
  struct Impl;
  QueryStatsOptions options_;
  std::unique_ptr<Impl> impl_;
};

// JSON for tools and REST: times in ms (3 decimals), instants as RFC 3339 UTC with
// milliseconds ("2026-11-23T07:50:00.123Z"), fingerprints as 16 hex digits, kind "pg_query" or
// "fallback", dialect "sqlite" or "postgres"; a slow entry's arguments as their JSON text (a
// string). Text that is not valid UTF-8 has its bad bytes replaced by U+FFFD, so the result
// always dumps. Keys are the field names of the structs above.
nlohmann::json ToJson(const QueryStatsRow& row);
nlohmann::json ToJson(const SlowQuery& slow);
nlohmann::json ToJson(const QueryStatsTotals& totals);

}  // namespace fastbreak::query
