#include "query/query_stats.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "db/sqlite/sqlite_database.hpp"
#include "query/fake_statement.hpp"
#include "telemetry/metrics.hpp"
#include "testing/testing.hpp"

namespace fastbreak::query {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// A statement that only reports its text and its text with literals, and counts how often the
// latter was asked for.

db::StatementEvent Event(const db::Statement& statement, nanoseconds elapsed, int64_t rows = 1,
                         bool failed = false) {
  db::StatementEvent event;
  event.statement = &statement;
  event.dialect = db::Dialect::kSqlite;
  event.elapsed = elapsed;
  event.rows = rows;
  event.failed = failed;
  return event;
}

constexpr std::string_view kPlayer = "SELECT name FROM players WHERE id = ?";
constexpr std::string_view kTeam = "SELECT name FROM teams WHERE id = ?";
constexpr std::string_view kGame = "SELECT home FROM games WHERE id = ?";

class QueryStatsTest : public ::testing::Test {
 protected:
  QueryStatsOptions Options() {
    QueryStatsOptions options;
    options.clock = &clock_;
    options.slow_threshold = milliseconds(50);
    return options;
  }
  // One execution of `sql` taking `ms` milliseconds.
  static void Run(QueryStats& stats, std::string_view sql, double ms, int64_t rows = 1,
                  bool failed = false, std::string_view expanded = {}) {
    stats.Record(sql, db::Dialect::kSqlite, nanoseconds(static_cast<int64_t>(ms * 1e6)), rows,
                 failed, expanded);
  }
  static QueryStatsRow Row(const QueryStats& stats, std::string_view sql) {
    auto row = stats.Find(FingerprintSql(sql).id);
    EXPECT_TRUE(row.has_value()) << sql;
    return row.value_or(QueryStatsRow{});
  }

  ManualClock clock_;
  testing::TempDir dir_;
};

TEST_F(QueryStatsTest, CountsCallsErrorsRowsAndTimes) {
  QueryStats stats(Options());
  Run(stats, kPlayer, 1, 1);
  Run(stats, kPlayer, 2, 2);
  Run(stats, kPlayer, 3, 3, /*failed=*/true);
  const QueryStatsRow row = Row(stats, kPlayer);
  EXPECT_EQ(row.calls, 3u);
  EXPECT_EQ(row.errors, 1u);
  EXPECT_EQ(row.rows, 6u);
  EXPECT_DOUBLE_EQ(row.total_ms, 6.0);
  EXPECT_DOUBLE_EQ(row.mean_ms, 2.0);
  EXPECT_DOUBLE_EQ(row.max_ms, 3.0);
  EXPECT_EQ(row.normalized, "SELECT name FROM players WHERE id = $1");
  EXPECT_EQ(row.fingerprint_hex, FingerprintHex(row.fingerprint));
  EXPECT_EQ(row.kind, NormalizerKind::kPgQuery);
  EXPECT_EQ(row.dialect, db::Dialect::kSqlite);
  EXPECT_EQ(stats.Totals().statements, 3u);
  EXPECT_EQ(stats.Totals().fingerprints, 1u);
}

TEST_F(QueryStatsTest, LiteralVariantsOfAQueryShareOneEntry) {
  QueryStats stats(Options());
  Run(stats, "SELECT name FROM players WHERE id = 1", 1);
  Run(stats, "SELECT name FROM players WHERE id = 2", 1);
  Run(stats, "select name from players where id in (3, 4, 5)", 1);
  Run(stats, "PRAGMA user_version = 1", 1);
  Run(stats, "PRAGMA user_version = 2", 1);
  EXPECT_EQ(stats.Totals().fingerprints, 2u);
  const QueryStatsRow row = Row(stats, kPlayer);
  EXPECT_EQ(row.calls, 3u);
  EXPECT_EQ(row.sample, "SELECT name FROM players WHERE id = 1");  // the first one
  EXPECT_EQ(Row(stats, "PRAGMA user_version = 9").calls, 2u);
  EXPECT_EQ(Row(stats, "PRAGMA user_version = 9").kind, NormalizerKind::kFallback);
}

TEST_F(QueryStatsTest, PercentilesComeWithinTheHistogramBucketError) {
  QueryStats stats(Options());
  for (int ms = 100; ms >= 1; --ms) Run(stats, kPlayer, ms);
  const QueryStatsRow row = Row(stats, kPlayer);
  EXPECT_EQ(row.calls, 100u);
  EXPECT_NEAR(row.p50_ms, 50, 50 * 0.19);
  EXPECT_NEAR(row.p95_ms, 95, 95 * 0.19);
  EXPECT_NEAR(row.p99_ms, 99, 99 * 0.19);
  EXPECT_LE(row.p99_ms, 100);  // never above the maximum
  EXPECT_DOUBLE_EQ(row.max_ms, 100);
  EXPECT_DOUBLE_EQ(row.mean_ms, 50.5);
  EXPECT_LT(row.p50_ms, row.p95_ms);
}

TEST_F(QueryStatsTest, PercentilesOfOneValueAndOfSubMicrosecondValues) {
  QueryStats stats(Options());
  Run(stats, kPlayer, 7);
  EXPECT_NEAR(Row(stats, kPlayer).p50_ms, 7, 7 * 0.19);
  EXPECT_DOUBLE_EQ(Row(stats, kPlayer).p99_ms, 7);  // the maximum bounds the last bucket
  Run(stats, kTeam, 0.0005);
  EXPECT_LE(Row(stats, kTeam).p50_ms, 0.0005);
}

TEST_F(QueryStatsTest, ToolsAreSortedAndBounded) {
  QueryStatsOptions options = Options();
  options.max_tools_per_query = 3;
  QueryStats stats(options);
  for (const std::string_view tool : {"zeta", "alpha", "alpha", "mid", "beta"}) {
    const CallInfo call{tool, "{}"};
    const CallScope scope(call);
    Run(stats, kPlayer, 1);
  }
  Run(stats, kPlayer, 1);  // outside any call: no tool
  EXPECT_EQ(Row(stats, kPlayer).tools, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST_F(QueryStatsTest, FirstAndLastSeenFollowTheClock) {
  QueryStats stats(Options());
  const auto start =
      std::chrono::system_clock::time_point(std::chrono::microseconds(clock_.WallMicros()));
  Run(stats, kPlayer, 1);
  clock_.Advance(std::chrono::seconds(5));
  Run(stats, kPlayer, 1);
  const QueryStatsRow row = Row(stats, kPlayer);
  EXPECT_EQ(row.first_seen, start);
  EXPECT_EQ(row.last_seen, start + std::chrono::seconds(5));
}

TEST_F(QueryStatsTest, SampleHasLiteralsAndExpandedSqlIsAskedOnlyWhenNeeded) {
  QueryStats stats(Options());
  FakeStatement statement(std::string(kPlayer), "SELECT name FROM players WHERE id = 2544");
  for (int i = 0; i < 5; ++i) stats.OnStatement(Event(statement, milliseconds(1)));
  EXPECT_EQ(statement.expanded_calls, 1);  // the first execution only
  EXPECT_EQ(Row(stats, kPlayer).sample, "SELECT name FROM players WHERE id = 2544");
  stats.OnStatement(Event(statement, milliseconds(60)));  // slow: the log needs the literals
  EXPECT_EQ(statement.expanded_calls, 2);
  EXPECT_EQ(Row(stats, kPlayer).calls, 6u);

  db::StatementEvent without_statement;
  stats.OnStatement(without_statement);  // ignored
  EXPECT_EQ(stats.Totals().statements, 6u);
}

TEST_F(QueryStatsTest, SampleAndSlowSqlAreBoundedAtAUtf8Boundary) {
  QueryStatsOptions options = Options();
  options.max_sql_bytes = 32;
  QueryStats stats(options);
  const std::string expanded = "SELECT name FROM players WHERE name = 'ééééééééééééééééé'";
  Run(stats, kPlayer, 60, 1, false, expanded);
  const std::string sample = Row(stats, kPlayer).sample;
  EXPECT_EQ(sample, "SELECT name FROM players WHER...");
  const std::string cut_in_name = "SELECT xy FROM t WHERE n = 'éééééééééééééé'";
  Run(stats, "SELECT xy FROM t WHERE n = ?", 60, 1, false, cut_in_name);
  const auto slow = stats.SlowQueries(1);
  ASSERT_EQ(slow.size(), 1u);
  // 29 bytes would end inside an 'é' (2 bytes): cut before it.
  EXPECT_EQ(slow[0].sql, "SELECT xy FROM t WHERE n = '...");
  EXPECT_LE(slow[0].sql.size(), 32u);
}

TEST_F(QueryStatsTest, TopOrdersByEachMeasureAndFiltersByTool) {
  QueryStats stats(Options());
  {
    const CallInfo call{"player_stats", ""};
    const CallScope scope(call);
    for (int i = 0; i < 5; ++i) Run(stats, kPlayer, 1, 10);  // most calls, most rows
  }
  {
    const CallInfo call{"standings", ""};
    const CallScope scope(call);
    Run(stats, kTeam, 20, 1);  // most total time, highest mean, max and p95
    Run(stats, kGame, 2, 1, /*failed=*/true);
    Run(stats, kGame, 2, 1, /*failed=*/true);  // most errors
  }
  auto order_of = [&](TopOrder order, std::string_view tool = {}) {
    std::vector<std::string> tables;
    for (const auto& row : stats.Top(10, order, tool)) {
      tables.push_back(row.normalized.substr(row.normalized.find("FROM ") + 5, 5));
    }
    return tables;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(order_of(TopOrder::kTotalTime), (Names{"teams", "playe", "games"}));
  EXPECT_EQ(order_of(TopOrder::kCalls), (Names{"playe", "games", "teams"}));
  EXPECT_EQ(order_of(TopOrder::kRows), (Names{"playe", "games", "teams"}));
  EXPECT_EQ(order_of(TopOrder::kMeanTime), (Names{"teams", "games", "playe"}));
  EXPECT_EQ(order_of(TopOrder::kMaxTime), (Names{"teams", "games", "playe"}));
  EXPECT_EQ(order_of(TopOrder::kP95), (Names{"teams", "games", "playe"}));
  EXPECT_EQ(order_of(TopOrder::kErrors)[0], "games");
  EXPECT_EQ(order_of(TopOrder::kTotalTime, "standings"), (Names{"teams", "games"}));
  EXPECT_EQ(order_of(TopOrder::kTotalTime, "player_stats"), (Names{"playe"}));
  EXPECT_TRUE(order_of(TopOrder::kTotalTime, "nobody").empty());
  ASSERT_EQ(stats.Top(1).size(), 1u);
  EXPECT_TRUE(stats.Top(0).empty());
}

TEST_F(QueryStatsTest, ParseTopOrderKnowsEveryName) {
  const std::pair<std::string_view, TopOrder> names[] = {{"total_time", TopOrder::kTotalTime},
                                                         {"mean_time", TopOrder::kMeanTime},
                                                         {"calls", TopOrder::kCalls},
                                                         {"errors", TopOrder::kErrors},
                                                         {"rows", TopOrder::kRows},
                                                         {"max_time", TopOrder::kMaxTime},
                                                         {"p95", TopOrder::kP95}};
  for (const auto& [name, order] : names) {
    auto parsed = ParseTopOrder(name);
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, order) << name;
  }
  auto unknown = ParseTopOrder("slowest");
  EXPECT_ERROR(unknown, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("'slowest'"), std::string::npos);
}

TEST_F(QueryStatsTest, EvictionDropsTheLeastTotalTimeAndKeepsTheBound) {
  QueryStatsOptions options = Options();
  options.max_fingerprints = 40;  // 5%: two entries per eviction
  QueryStats stats(options);
  // Letters, not numbers: libpg_query gives tables named alike but for 2+ digits one
  // fingerprint (partitions).
  auto table_query = [](int i) {
    return fmt::format("SELECT a FROM t{}{} WHERE a = 1", static_cast<char>('a' + i / 26),
                       static_cast<char>('a' + i % 26));
  };
  for (int i = 1; i <= 40; ++i) Run(stats, table_query(i), i);
  EXPECT_EQ(stats.Totals().fingerprints, 40u);
  EXPECT_EQ(stats.Totals().evicted, 0u);

  Run(stats, table_query(41), 0.5);
  EXPECT_EQ(stats.Totals().fingerprints, 39u);
  EXPECT_EQ(stats.Totals().evicted, 2u);
  EXPECT_FALSE(stats.Find(FingerprintSql(table_query(1)).id).has_value());
  EXPECT_FALSE(stats.Find(FingerprintSql(table_query(2)).id).has_value());
  EXPECT_TRUE(stats.Find(FingerprintSql(table_query(3)).id).has_value());
  EXPECT_TRUE(stats.Find(FingerprintSql(table_query(41)).id).has_value());

  // A text still cached for an evicted entry starts a new entry.
  Run(stats, table_query(1), 100);
  const QueryStatsRow back = Row(stats, table_query(1));
  EXPECT_EQ(back.calls, 1u);
  EXPECT_DOUBLE_EQ(back.total_ms, 100);
  for (int i = 42; i < 100; ++i) Run(stats, table_query(i), 50);
  EXPECT_LE(stats.Totals().fingerprints, 40u);
  EXPECT_EQ(stats.Totals().statements, 41u + 1u + 58u);
}

TEST_F(QueryStatsTest, ATinyTextCacheStillCountsEveryExecution) {
  QueryStatsOptions options = Options();
  options.max_texts = 16;  // one text per shard: most executions fingerprint again
  QueryStats stats(options);
  for (int i = 0; i < 200; ++i) {
    Run(stats, "SELECT name FROM players WHERE id = " + std::to_string(i % 50), 1);
  }
  EXPECT_EQ(Row(stats, kPlayer).calls, 200u);
  EXPECT_EQ(stats.Totals().fingerprints, 1u);
}

TEST_F(QueryStatsTest, SlowMeansAtOrOverTheThreshold) {
  QueryStats stats(Options());  // 50 ms
  Run(stats, kPlayer, 49.999);
  EXPECT_EQ(stats.Totals().slow, 0u);
  Run(stats, kPlayer, 50);
  Run(stats, kPlayer, 51);
  EXPECT_EQ(stats.Totals().slow, 2u);
  EXPECT_DOUBLE_EQ(stats.Totals().threshold_ms, 50);
  ASSERT_EQ(stats.SlowQueries(10).size(), 2u);

  QueryStatsOptions all = Options();
  all.slow_threshold = std::chrono::microseconds(0);
  QueryStats every(all);
  Run(every, kPlayer, 0.001);
  EXPECT_EQ(every.Totals().slow, 1u);
}

TEST_F(QueryStatsTest, TheSlowLogRingKeepsTheNewestFirst) {
  QueryStatsOptions options = Options();
  options.slow_log_capacity = 3;
  QueryStats stats(options);
  for (int i = 1; i <= 5; ++i) {
    Run(stats, "SELECT name FROM players WHERE id = " + std::to_string(i), 50 + i);
  }
  auto sequences = [](const std::vector<SlowQuery>& slow) {
    std::vector<uint64_t> out;
    for (const auto& entry : slow) out.push_back(entry.sequence);
    return out;
  };
  EXPECT_EQ(sequences(stats.SlowQueries(10)), (std::vector<uint64_t>{5, 4, 3}));
  EXPECT_EQ(sequences(stats.SlowQueries(2)), (std::vector<uint64_t>{5, 4}));
  EXPECT_EQ(sequences(stats.SlowQueries(10, 53.5)), (std::vector<uint64_t>{5, 4}));
  EXPECT_EQ(stats.SlowQueries(10)[0].sql, "SELECT name FROM players WHERE id = 5");
  EXPECT_EQ(stats.Totals().slow, 5u);
}

TEST_F(QueryStatsTest, SlowEntriesCarryTheCallAndTheStatement) {
  QueryStats stats(Options());
  FakeStatement statement(std::string(kPlayer), "SELECT name FROM players WHERE id = 23");
  clock_.Advance(milliseconds(123));
  {
    const CallInfo call{"player_stats", R"({"player":"Michael Jordan"})"};
    const CallScope scope(call);
    stats.OnStatement(Event(statement, milliseconds(75), 4, /*failed=*/true));
  }
  stats.OnStatement(Event(statement, milliseconds(80), 1));
  const auto slow = stats.SlowQueries(10);
  ASSERT_EQ(slow.size(), 2u);
  EXPECT_EQ(slow[1].sequence, 1u);
  EXPECT_EQ(slow[1].tool, "player_stats");
  EXPECT_EQ(slow[1].arguments, R"({"player":"Michael Jordan"})");
  EXPECT_EQ(slow[1].sql, "SELECT name FROM players WHERE id = 23");
  EXPECT_EQ(slow[1].normalized, "SELECT name FROM players WHERE id = $1");
  EXPECT_EQ(slow[1].fingerprint, FingerprintSql(kPlayer).id);
  EXPECT_DOUBLE_EQ(slow[1].duration_ms, 75);
  EXPECT_EQ(slow[1].rows, 4);
  EXPECT_TRUE(slow[1].failed);
  EXPECT_EQ(slow[1].at,
            std::chrono::system_clock::time_point(std::chrono::microseconds(clock_.WallMicros())));
  EXPECT_EQ(slow[0].tool, "");
  EXPECT_EQ(slow[0].arguments, "");
  ASSERT_EQ(stats.SlowQueries(10, 0, "player_stats").size(), 1u);
  EXPECT_EQ(stats.SlowQueries(10, 0, "player_stats")[0].sequence, 1u);
}

TEST_F(QueryStatsTest, PlanSummariesAttachToEntriesStillInTheRing) {
  QueryStatsOptions options = Options();
  options.slow_log_capacity = 2;
  QueryStats stats(options);
  Run(stats, kPlayer, 60);
  stats.SetPlanSummary(1, "SCAN players");
  EXPECT_EQ(stats.SlowQueries(1)[0].plan_summary, "SCAN players");
  Run(stats, kTeam, 60);
  Run(stats, kGame, 60);  // sequence 1 leaves the ring
  stats.SetPlanSummary(1, "too late");
  stats.SetPlanSummary(99, "never was");
  stats.SetPlanSummary(2, "SEARCH teams USING INTEGER PRIMARY KEY");
  const auto slow = stats.SlowQueries(10);
  ASSERT_EQ(slow.size(), 2u);
  EXPECT_EQ(slow[0].plan_summary, "");
  EXPECT_EQ(slow[1].plan_summary, "SEARCH teams USING INTEGER PRIMARY KEY");
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(QueryStatsTest, TheSlowLogFileHasOneJsonObjectPerLine) {
  QueryStatsOptions options = Options();
  options.slow_log_path = dir_.File("slow.jsonl");
  QueryStats stats(options);
  Run(stats, kPlayer, 1);  // fast: not written
  {
    const CallInfo call{"standings", R"({"season":2024})"};
    const CallScope scope(call);
    Run(stats, kTeam, 60.5, 30, false, "SELECT name FROM teams WHERE id = 7");
  }
  Run(stats, kPlayer, 70);
  const auto lines = Lines(options.slow_log_path);
  ASSERT_EQ(lines.size(), 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["sequence"], 1);
  EXPECT_EQ(first["fingerprint"], FingerprintHex(FingerprintSql(kTeam).id));
  EXPECT_EQ(first["normalized"], "SELECT name FROM teams WHERE id = $1");
  EXPECT_EQ(first["sql"], "SELECT name FROM teams WHERE id = 7");
  EXPECT_EQ(first["duration_ms"], 60.5);
  EXPECT_EQ(first["rows"], 30);
  EXPECT_EQ(first["failed"], false);
  EXPECT_EQ(first["tool"], "standings");
  EXPECT_EQ(first["arguments"], R"({"season":2024})");
  EXPECT_EQ(first["dialect"], "sqlite");
  EXPECT_EQ(first["at"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["sequence"], 2);
  EXPECT_EQ(stats.Totals().slow_log_write_errors, 0u);
}

TEST_F(QueryStatsTest, TheSlowLogFileIsReopenedWhenMovedAwayOrDeleted) {
  QueryStatsOptions options = Options();
  options.slow_log_path = dir_.File("slow.jsonl");
  QueryStats stats(options);
  Run(stats, kPlayer, 60);
  std::filesystem::rename(options.slow_log_path, dir_.File("slow.jsonl.1"));
  Run(stats, kPlayer, 61);
  Run(stats, kPlayer, 62);
  EXPECT_EQ(Lines(dir_.File("slow.jsonl.1")).size(), 1u);
  ASSERT_EQ(Lines(options.slow_log_path).size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(Lines(options.slow_log_path)[0])["sequence"], 2);

  std::filesystem::remove(options.slow_log_path);
  Run(stats, kPlayer, 63);
  ASSERT_EQ(Lines(options.slow_log_path).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(Lines(options.slow_log_path)[0])["sequence"], 4);
  EXPECT_EQ(stats.Totals().slow_log_write_errors, 0u);
}

TEST_F(QueryStatsTest, AnUnwritableSlowLogCountsErrorsAndKeepsTheRing) {
  QueryStatsOptions options = Options();
  options.slow_log_path = dir_.File("missing/dir/slow.jsonl");
  QueryStats stats(options);
  Run(stats, kPlayer, 60);
  Run(stats, kPlayer, 70);
  EXPECT_EQ(stats.Totals().slow_log_write_errors, 2u);
  EXPECT_EQ(stats.SlowQueries(10).size(), 2u);
  EXPECT_EQ(Row(stats, kPlayer).calls, 2u);
}

TEST_F(QueryStatsTest, ConcurrentRecordingGivesExactTotals) {
  QueryStats stats(Options());
  const std::vector<std::string> texts = {
      "SELECT name FROM players WHERE id = 1", "SELECT name FROM players WHERE id = 2",
      std::string(kTeam), std::string(kGame), "PRAGMA user_version"};
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string tool = "tool" + std::to_string(t);
      const CallInfo call{tool, ""};
      const CallScope scope(call);
      for (int i = 0; i < kPerThread; ++i) {
        Run(stats, texts[static_cast<size_t>(i) % texts.size()], 1 + (i % 3), 2, i % 10 == 0);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const QueryStatsTotals totals = stats.Totals();
  EXPECT_EQ(totals.statements, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(totals.fingerprints, 4u);
  const QueryStatsRow players = Row(stats, kPlayer);
  EXPECT_EQ(players.calls, uint64_t{kThreads * kPerThread * 2 / 5});
  EXPECT_EQ(players.rows, 2 * players.calls);
  EXPECT_EQ(players.tools, (std::vector<std::string>{"tool0", "tool1", "tool2", "tool3"}));
  uint64_t calls = 0;
  uint64_t errors = 0;
  double total_ms = 0;
  for (const auto& row : stats.Top(10)) {
    calls += row.calls;
    errors += row.errors;
    total_ms += row.total_ms;
  }
  EXPECT_EQ(calls, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(errors, uint64_t{kThreads * kPerThread / 10});
  // Per thread: 1667 runs of 1 ms, 1667 of 2 ms, 1666 of 3 ms.
  EXPECT_DOUBLE_EQ(total_ms, kThreads * (1667 * 1 + 1667 * 2 + 1666 * 3));
}

TEST_F(QueryStatsTest, CallScopesNestAndRestore) {
  EXPECT_EQ(CallScope::Current(), nullptr);
  QueryStats stats(Options());
  const CallInfo outer{"outer_tool", "{}"};
  {
    const CallScope outer_scope(outer);
    EXPECT_EQ(CallScope::Current(), &outer);
    {
      const CallInfo inner{"inner_tool", "{}"};
      const CallScope inner_scope(inner);
      EXPECT_EQ(CallScope::Current(), &inner);
      Run(stats, kTeam, 1);
    }
    EXPECT_EQ(CallScope::Current(), &outer);
    Run(stats, kPlayer, 1);
    std::thread([] { EXPECT_EQ(CallScope::Current(), nullptr); }).join();  // per thread
  }
  EXPECT_EQ(CallScope::Current(), nullptr);
  EXPECT_EQ(Row(stats, kTeam).tools, std::vector<std::string>{"inner_tool"});
  EXPECT_EQ(Row(stats, kPlayer).tools, std::vector<std::string>{"outer_tool"});
}

TEST_F(QueryStatsTest, ResetForgetsEverything) {
  QueryStats stats(Options());
  Run(stats, kPlayer, 60);
  stats.Reset();
  const QueryStatsTotals totals = stats.Totals();
  EXPECT_EQ(totals.statements, 0u);
  EXPECT_EQ(totals.fingerprints, 0u);
  EXPECT_EQ(totals.slow, 0u);
  EXPECT_TRUE(stats.Top(10).empty());
  EXPECT_TRUE(stats.SlowQueries(10).empty());
  Run(stats, kPlayer, 60);
  EXPECT_EQ(Row(stats, kPlayer).calls, 1u);
  EXPECT_EQ(stats.SlowQueries(10).at(0).sequence, 2u);  // sequences never repeat
}

TEST_F(QueryStatsTest, JsonHasMillisecondsRfc3339InstantsAndHexFingerprints) {
  QueryStats stats(Options());
  clock_.Advance(milliseconds(123));
  {
    const CallInfo call{"standings", ""};
    const CallScope scope(call);
    Run(stats, kPlayer, 1.2345678, 3, false, "SELECT name FROM players WHERE id = 1");
  }
  const nlohmann::json row = ToJson(Row(stats, kPlayer));
  EXPECT_EQ(row["fingerprint"], FingerprintHex(FingerprintSql(kPlayer).id));
  EXPECT_EQ(row["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_EQ(row["normalized"], "SELECT name FROM players WHERE id = $1");
  EXPECT_EQ(row["kind"], "pg_query");
  EXPECT_EQ(row["dialect"], "sqlite");
  EXPECT_EQ(row["calls"], 1);
  EXPECT_EQ(row["errors"], 0);
  EXPECT_EQ(row["rows"], 3);
  EXPECT_EQ(row["total_ms"], 1.235);
  EXPECT_EQ(row["mean_ms"], 1.235);
  EXPECT_EQ(row["max_ms"], 1.235);
  EXPECT_EQ(row["first_seen"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(row["last_seen"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(row["tools"], nlohmann::json::array({"standings"}));
  EXPECT_EQ(row["sample"], "SELECT name FROM players WHERE id = 1");
  EXPECT_TRUE(row.contains("p50_ms") && row.contains("p95_ms") && row.contains("p99_ms"));

  const nlohmann::json totals = ToJson(stats.Totals());
  EXPECT_EQ(totals, (nlohmann::json{{"statements", 1},
                                    {"fingerprints", 1},
                                    {"evicted", 0},
                                    {"slow", 0},
                                    {"slow_log_write_errors", 0},
                                    {"threshold_ms", 50.0}}));

  SlowQuery slow;
  slow.sequence = 7;
  slow.at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795420200123));
  slow.fingerprint = 0xabc;
  slow.sql = "SELECT '\xff\xfe'";  // not UTF-8: replaced, so the JSON always dumps
  slow.dialect = db::Dialect::kPostgres;
  slow.duration_ms = 100.0004;
  const nlohmann::json entry = ToJson(slow);
  EXPECT_EQ(entry["at"], "2026-11-23T07:50:00.123Z");
  EXPECT_EQ(entry["fingerprint"], "0000000000000abc");
  EXPECT_EQ(entry["dialect"], "postgres");
  EXPECT_EQ(entry["duration_ms"], 100.0);
  EXPECT_EQ(entry["sql"], "SELECT '\xEF\xBF\xBD\xEF\xBF\xBD'");
  EXPECT_NO_THROW((void)entry.dump());
}

// Through the SQLite backend: every statement it runs reaches the statistics.
TEST_F(QueryStatsTest, SqliteStatementsAreRecordedThroughTheObserver) {
  QueryStats stats(Options());
  telemetry::MetricsRegistry registry;
  db::DbMetrics metrics(registry);
  metrics.observer = &stats;
  auto database = db::SqliteDatabase::Open({.path = dir_.File("stats.db")}, &metrics);
  ASSERT_OK(database);
  auto connection = (*database)->Connect(db::AccessMode::kReadWrite);
  ASSERT_OK(connection);
  db::Connection& db = **connection;
  ASSERT_OK(db.ExecuteScript("CREATE TABLE players (id INTEGER PRIMARY KEY, name TEXT)"));
  for (int id = 1; id <= 3; ++id) {
    const db::Value params[] = {int64_t{id}, std::string("p") + std::to_string(id)};
    ASSERT_OK(db.Execute("INSERT INTO players (id, name) VALUES (?, ?)", params));
  }
  for (int id = 1; id <= 3; ++id) {
    const db::Value params[] = {int64_t{id}};
    ASSERT_OK(db.Query("SELECT name FROM players WHERE id >= ?", params));
  }
  const QueryStatsRow select = Row(stats, "SELECT name FROM players WHERE id >= ?");
  EXPECT_EQ(select.calls, 3u);
  EXPECT_EQ(select.rows, 3u + 2u + 1u);
  EXPECT_EQ(select.sample, "SELECT name FROM players WHERE id >= 1");
  const QueryStatsRow insert = Row(stats, "INSERT INTO players (id, name) VALUES (?, ?)");
  EXPECT_EQ(insert.calls, 3u);
  EXPECT_EQ(insert.sample, "INSERT INTO players (id, name) VALUES (1, 'p1')");
  EXPECT_EQ(insert.normalized, "INSERT INTO players (id, name) VALUES ($1, $2)");
  metrics.observer = nullptr;
}

}  // namespace
}  // namespace fastbreak::query
