// Generates one 2023-24 season into a fresh SQLite file per iteration and reports the rows
// written per second (all tables), with and without play-by-play; and, as the ceiling to compare
// with, the same season's play-by-play rows inserted through the plain sqlite3 C API.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "db/generator/generator.hpp"
#include "db/generator/season_sim.hpp"
#include "db/generator/writer.hpp"
#include "db/schema/migrations.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

void BM_GenerateSeason(benchmark::State& state) {
  const bool play_by_play = state.range(0) != 0;
  double rows = 0;
  double pbp_rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    testing::TempDir dir;
    auto database = SqliteDatabase::Open({.path = dir.File("bench.db")});
    if (!database) {
      state.SkipWithError(database.error().ToString().c_str());
      return;
    }
    auto connection = (*database)->Connect(AccessMode::kReadWrite);
    if (!connection) {
      state.SkipWithError(connection.error().ToString().c_str());
      return;
    }
    state.ResumeTiming();
    auto report = GenerateLeague(
        **connection,
        {.seasons = 1, .start_season = 2023, .seed = 42, .play_by_play = play_by_play});
    if (!report) {
      state.SkipWithError(report.error().ToString().c_str());
      return;
    }
    rows += static_cast<double>(report->rows);
    pbp_rows += static_cast<double>(report->play_by_play_rows);
    state.PauseTiming();
    connection->reset();  // close before the directory goes
    database->reset();
    state.ResumeTiming();
  }
  state.counters["rows_per_second"] = benchmark::Counter(rows, benchmark::Counter::kIsRate);
  state.counters["pbp_rows"] = benchmark::Counter(pbp_rows, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_GenerateSeason)
    ->ArgName("play_by_play")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The play-by-play of the benchmark's season (2023-24, seed 42): the generator's own rows.
struct PbpRow {
  std::array<char, 10> game_id;
  int event_num;
  detail::PbpEvent event;  // text_begin indexes PbpRows::text
};
struct PbpRows {
  std::vector<PbpRow> rows;
  std::string text;
};

class CollectingSink final : public detail::GameSink {
 public:
  explicit CollectingSink(PbpRows& out) : out_(out) {}
  bool BeginSeason(int, int) override { return true; }
  detail::GameRecord* NextRecord() override { return &record_; }
  bool Submit(detail::GameRecord* record) override {
    int event_num = 0;
    for (const detail::PbpEvent& e : record->events) {
      PbpRow row{{}, ++event_num, e};
      std::copy_n(record->game_id.data(), row.game_id.size(), row.game_id.data());
      row.event.text_begin = static_cast<uint32_t>(out_.text.size());
      out_.text += record->Description(e);
      out_.rows.push_back(row);
    }
    return true;
  }
  bool EndSeason(int, int) override { return true; }

 private:
  PbpRows& out_;
  detail::GameRecord record_;
};

const PbpRows& SeasonPlayByPlay() {
  static const PbpRows* rows = [] {
    auto* out = new PbpRows;
    detail::LeagueSimulator simulator(42, 5'000'000);
    CollectingSink sink(*out);
    simulator.SimulateSeason(2023, sink);
    return out;
  }();
  return *rows;
}

bool Exec(sqlite3* db, const std::string& sql, benchmark::State& state) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) return true;
  state.SkipWithError(fmt::format("{}: {}", sql, sqlite3_errmsg(db)).c_str());
  return false;
}

void BindIntOrNull(sqlite3_stmt* s, int index, int64_t value, int64_t null_value) {
  if (value == null_value) {
    sqlite3_bind_null(s, index);
  } else {
    sqlite3_bind_int64(s, index, value);
  }
}

void BindTextOrNull(sqlite3_stmt* s, int index, std::string_view text) {
  if (text.empty()) {
    sqlite3_bind_null(s, index);
  } else {
    sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
}

// Binds one row's 15 columns from parameter `p`.
void BindRow(sqlite3_stmt* s, int p, const PbpRow& row, const std::string& text) {
  const detail::PbpEvent& e = row.event;
  sqlite3_bind_text(s, p, row.game_id.data(), static_cast<int>(row.game_id.size()), SQLITE_STATIC);
  sqlite3_bind_int(s, p + 1, row.event_num);
  sqlite3_bind_int(s, p + 2, e.period);
  sqlite3_bind_int(s, p + 3, e.clock_ms);
  sqlite3_bind_int(s, p + 4, e.event_type);
  BindTextOrNull(s, p + 5, e.action);
  BindIntOrNull(s, p + 6, e.team_id, 0);
  BindIntOrNull(s, p + 7, e.player_id, 0);
  BindIntOrNull(s, p + 8, e.player2_id, 0);
  BindIntOrNull(s, p + 9, e.shot_value, -1);
  BindIntOrNull(s, p + 10, e.shot_made, -1);
  BindIntOrNull(s, p + 11, e.shot_distance, -1);
  sqlite3_bind_int(s, p + 12, e.home_score);
  sqlite3_bind_int(s, p + 13, e.away_score);
  BindTextOrNull(s, p + 14, std::string_view(text).substr(e.text_begin, e.text_size));
}

std::string InsertSql(int rows) {
  std::string sql =
      "INSERT INTO play_by_play(game_id, event_num, period, clock_ms, event_type, action, "
      "team_id, player_id, player2_id, shot_value, shot_made, shot_distance, home_score, "
      "away_score, description) VALUES ";
  for (int r = 0; r < rows; ++r)
    sql += r == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  return sql;
}

// The schema, created as the app creates it (WAL mode, migrations).
bool CreateSchema(const std::string& path) {
  auto database = SqliteDatabase::Open({.path = path});
  if (!database) return false;
  auto connection = (*database)->Connect(AccessMode::kReadWrite);
  return connection && Migrate(**connection).has_value();
}

// The ceiling for BM_GenerateSeason: the season's play-by-play rows (the bulk of its rows)
// inserted into the same schema through the plain C API, as fast as SQLite goes: no wrapper,
// no simulation, text bound without copies, rows in multi-row INSERTs of the generator's batch
// size, one transaction, the generator's bulk-load pragmas, and the same restore to WAL mode at
// the end (which flushes the file to disk, as the generator's does).
void BM_RawSqlitePlayByPlayInsert(benchmark::State& state) {
  const PbpRows& data = SeasonPlayByPlay();
  const int batch = detail::kEventBatchRows[0];
  const std::string batch_sql = InsertSql(batch);
  const std::string one_sql = InsertSql(1);
  double rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    testing::TempDir dir;
    const std::string path = dir.File("raw.db");
    if (!CreateSchema(path)) {
      state.SkipWithError("cannot create the schema");
      return;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
            SQLITE_OK ||
        !Exec(db,
              "PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 1073741824; "
              "PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = OFF; "
              "PRAGMA cache_size = -8192; PRAGMA foreign_keys = OFF",
              state)) {
      sqlite3_close(db);
      return;
    }
    state.ResumeTiming();
    sqlite3_stmt* many = nullptr;
    sqlite3_stmt* one = nullptr;
    bool ok = Exec(db, "BEGIN IMMEDIATE", state) &&
              sqlite3_prepare_v2(db, batch_sql.c_str(), -1, &many, nullptr) == SQLITE_OK &&
              sqlite3_prepare_v2(db, one_sql.c_str(), -1, &one, nullptr) == SQLITE_OK;
    const size_t n = data.rows.size();
    size_t i = 0;
    for (; ok && i + static_cast<size_t>(batch) <= n; i += static_cast<size_t>(batch)) {
      for (int k = 0; k < batch; ++k) BindRow(many, 1 + 15 * k, data.rows[i + k], data.text);
      ok = sqlite3_step(many) == SQLITE_DONE;
      sqlite3_reset(many);
    }
    for (; ok && i < n; ++i) {
      BindRow(one, 1, data.rows[i], data.text);
      ok = sqlite3_step(one) == SQLITE_DONE;
      sqlite3_reset(one);
    }
    if (!ok) state.SkipWithError(sqlite3_errmsg(db));
    sqlite3_finalize(many);
    sqlite3_finalize(one);
    ok = ok && Exec(db, "COMMIT", state) &&
         Exec(db, "PRAGMA synchronous = NORMAL; PRAGMA journal_mode = WAL", state);
    state.PauseTiming();
    sqlite3_close(db);
    if (!ok) return;
    rows += static_cast<double>(n);
    state.ResumeTiming();
  }
  state.counters["rows_per_second"] = benchmark::Counter(rows, benchmark::Counter::kIsRate);
  state.counters["pbp_rows"] = benchmark::Counter(rows, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_RawSqlitePlayByPlayInsert)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace fastbreak::db
