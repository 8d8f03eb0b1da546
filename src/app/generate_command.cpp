#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app/commands.hpp"
#include "core/progress.hpp"
#include "db/generator/generator.hpp"
#include "db/importers/copy_database.hpp"

namespace fastbreak::app {
namespace {

int GenerateUsageError(const std::string& message) {
  fmt::print(stderr, "fastbreak: {}\nRun 'fastbreak generate --help' for usage.\n", message);
  return kExitUsage;
}

// Rows a game adds, roughly: the progress bar's estimate for the generation phase of
// `generate --pg`, before the real count is known.
int64_t RowsPerGameEstimate(bool play_by_play) { return play_by_play ? 470 : 45; }

// A directory under $TMPDIR (or /tmp) removed with everything in it when this goes out of scope.
class ScratchDir {
 public:
  static Result<ScratchDir> Create() {
    std::error_code ec;
    std::string pattern =
        (std::filesystem::temp_directory_path(ec) / "fastbreak-generate-XXXXXX").string();
    if (ec) pattern = "/tmp/fastbreak-generate-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return MakeError(ErrorCode::kInternal, "cannot create a temporary directory {}: {}", pattern,
                       std::strerror(errno));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

db::GeneratorOptions OptionsFrom(const GenerateArgs& args) {
  db::GeneratorOptions options;
  options.seasons = args.seasons;
  options.start_season = args.start_season;
  options.seed = args.seed;
  options.play_by_play = args.play_by_play;
  return options;
}

void PrintGenerated(const db::GeneratorReport& report, const std::string& where) {
  fmt::print(
      "generated {} season(s) into {}: {} games, {} players, {} team box scores, {} player box "
      "scores, {} play-by-play events\n{} rows in {:.2f} s ({:.0f} rows/s)\n",
      report.seasons, where, report.games, report.players, report.team_game_rows,
      report.player_game_rows, report.play_by_play_rows, report.rows, report.seconds,
      report.rows_per_second);
}

// `generate --pg`: the league is generated into a temporary SQLite file (the generator's tuned
// path), then copied into PostgreSQL with COPY. The file is removed whatever happens.
int GenerateIntoPostgres(const GenerateArgs& args) {
  auto target = OpenPostgresForWriting(args.pg_dsn);
  if (!target) {
    spdlog::error("{}", target.error().message);
    return kExitFailure;
  }
  // Fail on a non-empty target now, not after minutes of generating.
  if (auto ready = db::PrepareCopyTarget(*target->connection, {.replace = args.replace}); !ready) {
    spdlog::error("generate failed, {} unchanged: {}", target->name, ready.error().message);
    return kExitFailure;
  }
  auto scratch = ScratchDir::Create();
  if (!scratch) {
    spdlog::error("{}", scratch.error().message);
    return kExitFailure;
  }
  auto staging = OpenForWriting(scratch->File("league.db"));
  if (!staging) {
    spdlog::error("{}", staging.error().message);
    return kExitFailure;
  }

  // One bar over both phases, in rows: generated rows (estimated from games until known), then
  // copied rows.
  ProgressBar progress("generate --pg", 0, "rows");
  if (args.quiet) progress.Silence();
  db::GeneratorOptions options = OptionsFrom(args);
  const int64_t per_game = RowsPerGameEstimate(args.play_by_play);
  options.on_progress = [&progress, per_game](int64_t done, int64_t total) {
    progress.SetTotal(2 * total * per_game);
    progress.Update(done * per_game);
  };
  auto generated = db::GenerateLeague(*staging->connection, options);
  if (!generated) {
    progress.Finish();
    spdlog::error("generate failed, {} unchanged: {}", target->name, generated.error().message);
    return kExitFailure;
  }
  const int64_t generated_rows = generated->rows;
  db::CopyOptions copy_options;
  copy_options.replace = args.replace;
  copy_options.progress = [&progress, generated_rows](std::string_view, int64_t done,
                                                      int64_t total) {
    progress.SetTotal(generated_rows + total);
    progress.Update(generated_rows + done);
  };
  auto copied = db::CopyDatabase(*staging->connection, *target->connection, copy_options);
  progress.Finish();
  if (!copied) {
    spdlog::error("generate failed, {} unchanged: {}", target->name, copied.error().message);
    return kExitFailure;
  }
  if (!copied->analyze_error.empty()) {
    spdlog::warn("copied, but ANALYZE failed (query plans may be poor until autovacuum runs): {}",
                 copied->analyze_error);
  }
  PrintGenerated(*generated, "a temporary SQLite file");
  fmt::print("copied {} rows into {} with COPY in {:.2f} s ({:.0f} rows/s)\n", copied->rows,
             target->name, copied->seconds, copied->RowsPerSecond());
  return kExitOk;
}

}  // namespace

int RunGenerate(const GenerateArgs& args) {
  if (args.db_path.empty() == args.pg_dsn.empty()) {
    return GenerateUsageError("generate needs --db PATH or --pg DSN");
  }
  if (args.replace && args.pg_dsn.empty()) {
    return GenerateUsageError("--replace applies with --pg only");
  }
  if (!args.pg_dsn.empty()) return GenerateIntoPostgres(args);
  auto opened = OpenForWriting(args.db_path);
  if (!opened) {
    spdlog::error("{}", opened.error().message);
    return kExitFailure;
  }
  ProgressBar progress("generate", 0, "games");
  if (args.quiet) progress.Silence();
  db::GeneratorOptions options = OptionsFrom(args);
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
  PrintGenerated(*report, args.db_path);
  return kExitOk;
}

}  // namespace fastbreak::app
