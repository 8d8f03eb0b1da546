#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/commands.hpp"
#include "core/progress.hpp"
#include "db/generator/generator.hpp"

namespace fastbreak::app {

int RunGenerate(const GenerateArgs& args) {
  const auto parent = std::filesystem::path(args.db_path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    spdlog::error("directory '{}' does not exist", parent.string());
    return kExitFailure;
  }
  auto database = db::SqliteDatabase::Open({.path = args.db_path});
  if (!database) {
    spdlog::error("{}", database.error().message);
    return kExitFailure;
  }
  auto connection = (*database)->Connect(db::AccessMode::kReadWrite);
  if (!connection) {
    spdlog::error("{}", connection.error().message);
    return kExitFailure;
  }
  ProgressBar progress("generate", 0, "games");
  if (args.quiet) progress.Silence();
  db::GeneratorOptions options;
  options.seasons = args.seasons;
  options.start_season = args.start_season;
  options.seed = args.seed;
  options.play_by_play = args.play_by_play;
  options.on_progress = [&progress](int64_t done, int64_t total) {
    progress.SetTotal(total);
    progress.Update(done);
  };
  auto report = db::GenerateLeague(**connection, options);
  progress.Finish();
  if (!report) {
    spdlog::error("generate failed: {}", report.error().message);
    return kExitFailure;
  }
  fmt::print(
      "generated {} season(s) into {}: {} games, {} players, {} team box scores, {} player box "
      "scores, {} play-by-play events\n{} rows in {:.2f} s ({:.0f} rows/s)\n",
      report->seasons, args.db_path, report->games, report->players, report->team_game_rows,
      report->player_game_rows, report->play_by_play_rows, report->rows, report->seconds,
      report->rows_per_second);
  return kExitOk;
}

}  // namespace fastbreak::app
