// What query statistics cost each statement: fingerprinting a text (libpg_query, and the
// fallback for SQLite-only SQL), recording a text seen before (the hot path, from one and two
// threads, on one shared entry and on one entry per thread), recording a text never seen (a
// cache miss: fingerprinting included), and, for scale, a cached SQLite point query through
// db::Connection without and with the statistics observing it.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "db/sqlite/sqlite_database.hpp"
#include "query/fake_statement.hpp"
#include "query/query_stats.hpp"
#include "telemetry/metrics.hpp"
#include "testing/testing.hpp"

namespace fastbreak::query {
namespace {

// A typical tool query: 300 bytes.
constexpr std::string_view kToolSql =
    "SELECT p.id, p.full_name, t.abbreviation, s.season, s.games, s.points, s.rebounds, "
    "s.assists FROM player_season_stats s JOIN players p ON p.id = s.player_id JOIN teams t "
    "ON t.id = s.team_id WHERE p.id = ? AND s.season BETWEEN ? AND ? AND s.season_type = ? "
    "ORDER BY s.season DESC LIMIT ?";
// The same shape in SQLite-only syntax (GLOB), which libpg_query rejects.
constexpr std::string_view kSqliteOnlySql =
    "SELECT p.id, p.full_name, t.abbreviation, s.season, s.games, s.points, s.rebounds, "
    "s.assists FROM player_season_stats s JOIN players p ON p.id = s.player_id JOIN teams t "
    "ON t.id = s.team_id WHERE p.full_name GLOB ? AND s.season BETWEEN ? AND ? AND "
    "s.season_type = ? ORDER BY s.season DESC LIMIT ?";

db::StatementEvent Event(const db::Statement& statement) {
  db::StatementEvent event;
  event.statement = &statement;
  event.elapsed = std::chrono::microseconds(180);
  event.rows = 12;
  return event;
}

void BM_FingerprintSql(benchmark::State& state) {
  const bool fallback = state.range(0) == 1;
  const std::string_view sql = fallback ? kSqliteOnlySql : kToolSql;
  state.SetLabel(fallback ? "fallback" : "pg_query");
  for (auto _ : state) benchmark::DoNotOptimize(FingerprintSql(sql));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FingerprintSql)->Arg(0)->Arg(1);

// Arg 0: every thread runs the same text (one entry, contended); 1: each thread its own
// query (its own entry, most likely its own shard).
void BM_RecordKnownText(benchmark::State& state) {
  static QueryStats stats;
  const bool per_thread = state.range(0) == 1;
  state.SetLabel(per_thread ? "query per thread" : "one shared query");
  std::string sql(kToolSql);
  if (per_thread) {
    sql.replace(sql.find("JOIN teams t"), 12,
                fmt::format("JOIN teams_{} t", static_cast<char>('a' + state.thread_index())));
  }
  const FakeStatement statement(sql);
  const CallInfo call{"player_season_stats", R"({"player":"LeBron James","season":2024})"};
  const CallScope scope(call);
  const db::StatementEvent event = Event(statement);
  stats.OnStatement(event);  // fingerprinted and sampled before timing starts
  for (auto _ : state) stats.OnStatement(event);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordKnownText)->Arg(0)->Arg(1)->Threads(1)->Threads(2)->UseRealTime();

// Every execution brings a text not in the cache: fingerprint, entry lookup, cache insert.
void BM_RecordNewText(benchmark::State& state) {
  QueryStatsOptions options;
  options.max_texts = 16;  // one per shard, so the cycle of 4096 texts always misses
  QueryStats stats(options);
  std::vector<std::string> texts;
  for (int i = 0; i < 4096; ++i) {
    texts.push_back(
        std::string(kToolSql).replace(kToolSql.find("LIMIT ?"), 7, "LIMIT " + std::to_string(i)));
  }
  size_t next = 0;
  for (auto _ : state) {
    stats.Record(texts[next], db::Dialect::kSqlite, std::chrono::microseconds(180), 12, false);
    next = (next + 1) % texts.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordNewText);

// A cached request's database work for scale: one prepared point query on SQLite (statement
// cache hit, one row). Arg 1 adds the statistics as the backend's observer.
struct SqliteEnv {
  explicit SqliteEnv(bool observed) : metrics(registry) {
    if (observed) metrics.observer = &stats;
    database = std::move(*db::SqliteDatabase::Open({.path = dir.File("bench.db")}, &metrics));
    connection = std::move(*database->Connect(db::AccessMode::kReadWrite));
    (void)connection->ExecuteScript(
        "CREATE TABLE players (id INTEGER PRIMARY KEY, full_name TEXT, team_id INTEGER);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
        "INSERT INTO players SELECT i, 'player ' || i, i % 30 FROM n;");
  }
  testing::TempDir dir;
  telemetry::MetricsRegistry registry;
  db::DbMetrics metrics;
  QueryStats stats;
  std::unique_ptr<db::SqliteDatabase> database;
  std::unique_ptr<db::Connection> connection;
};

void BM_SqlitePointQuery(benchmark::State& state) {
  const bool observed = state.range(0) == 1;
  state.SetLabel(observed ? "with query stats" : "without");
  SqliteEnv env(observed);
  int64_t id = 0;
  for (auto _ : state) {
    auto statement = env.connection->Prepare("SELECT full_name, team_id FROM players WHERE id = ?");
    if (!statement) {
      state.SkipWithError(statement.error().message.c_str());
      break;
    }
    (*statement)->Bind(1, id % 1000 + 1);
    ++id;
    while (true) {
      auto row = (*statement)->Step();
      if (!row || !*row) break;
      benchmark::DoNotOptimize((*statement)->GetText(0));
    }
    (*statement)->Reset();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqlitePointQuery)->Arg(0)->Arg(1);

}  // namespace
}  // namespace fastbreak::query
