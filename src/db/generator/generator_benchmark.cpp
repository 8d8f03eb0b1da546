// Generates one 2023-24 season into a fresh SQLite file per iteration and reports the rows
// written per second (all tables), with and without play-by-play.
#include <benchmark/benchmark.h>

#include "db/generator/generator.hpp"
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
    rows += report->rows_per_second * report->seconds;
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

}  // namespace
}  // namespace fastbreak::db
