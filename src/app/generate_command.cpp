#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "core/progress.hpp"
#include "db/generator/generator.hpp"

namespace fastbreak::app {

int RunGenerate(const GenerateArgs& args) {
  auto opened = OpenForWriting(args.db_path);
  if (!opened) {
    spdlog::error("{}", opened.error().message);
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
  auto report = db::GenerateLeague(*opened->connection, options);
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
