// `fastbreak import {kaggle|nba-api|538} SOURCE... --db PATH`: loads NBA data that users already
// have into the fastbreak schema.
//
// Formats (details in each reader's header):
//   kaggle   the Kaggle "NBA Database" SQLite file (nba.sqlite): tables game, line_score,
//            play_by_play, player, common_player_info; other tables are ignored.
//   nba-api  NBA stats API JSON responses as saved by nba_api: LeagueGameLog, PlayerGameLog,
//            BoxScoreTraditionalV2/V3, PlayByPlayV2/V3, CommonAllPlayers, ScoreboardV3. The
//            endpoint is detected from the content; files are imported in dependency order
//            (players, then games, then box scores, then play-by-play) whatever the order given.
//            Every file is parsed (once) before the first is imported, and the parsed documents
//            are held until imported: peak memory is that of all the parsed files of the run,
//            several times their size on disk (split very large batches into several runs).
//   538      FiveThirtyEight's nba_elo.csv / nba_elo_latest.csv game files.
//
// Guarantees:
//   - The schema is migrated and the 30 teams seeded before anything else (the migration is
//     committed on its own and stays even when the import then fails).
//   - All sources are imported in one transaction: any malformed file or record fails the whole
//     import with an error naming the file and the CSV line, JSON path or Kaggle table row, and
//     leaves every table unchanged.
//   - Re-importing the same data inserts nothing: rows already present with the same values count
//     as skipped, rows whose values changed count as updated. Values missing from a source never
//     erase values already stored (an update only fills or changes non-null fields).
//   - Rows a source references but does not fully describe (a game seen only in a box score, a
//     player seen only in a game log) are created minimally so foreign keys hold; a game whose date
//     the source does not carry gets game_date = kUnknownGameDate until a source with the date
//     (game log, scoreboard, Kaggle, 538) is imported. A game is stored as 'final' only with
//     both scores; one known only from sources without them (player game logs, play-by-play of
//     an unfinished game) is 'scheduled' until its scores are imported, and a final game with
//     scores never goes back to 'scheduled'.
//   - Each source file is recorded in the `imports` table with its counts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"

namespace fastbreak::db {

enum class ImportFormat { kKaggle, kNbaApi, kFiveThirtyEight };

// "kaggle", "nba-api" (also "nba_api", "nbaapi") or "538" (also "fivethirtyeight").
// kInvalidArgument for anything else.
Result<ImportFormat> ParseImportFormat(std::string_view name);
// The canonical name: "kaggle", "nba-api", "538".
std::string_view ImportFormatName(ImportFormat format);

// games.game_date of a game created from a source that does not carry its date (box scores,
// play-by-play). Replaced by the real date when a source that has it is imported.
inline constexpr std::string_view kUnknownGameDate = "";

struct TableCounts {
  int64_t inserted = 0;
  int64_t updated = 0;  // present before, and at least one value changed
  int64_t skipped = 0;  // present with identical values, or a source record not imported
};

struct ImportReport {
  // By table name ("games", "play_by_play", ...). Source records that were not imported (an
  // unplayed game, a defunct franchise, an All-Star game) count as skipped in the table they
  // would have gone to.
  std::map<std::string, TableCounts> tables;
  // Why source records were skipped, with counts: {"unplayed game": 7, ...}.
  std::map<std::string, int64_t> skip_reasons;
  int64_t files = 0;   // source files imported
  double seconds = 0;  // wall time of the whole import
  TableCounts Total() const;
};

struct ImportOptions {
  // Called as work progresses with `done` of `total` units, on the importing thread: after each
  // source file for nba-api and 538; for kaggle, in source rows every 10,000 rows and at the end
  // of each table, against a total estimated from the tables' rowids. May be empty.
  std::function<void(int64_t done, int64_t total)> on_progress;
};

// Imports `sources` (file paths) of `format` into the database behind `connection`.
// REQUIRES: a read-write connection with no transaction open; sources not empty.
// Errors: kInvalidArgument (no sources, wrong kind of file), kNotFound (missing file),
// kParseError (malformed CSV/JSON, wrong value types), kConstraint (data violating the schema's
// checks), kUnsupported (a JSON response of an endpoint this importer does not read), or the
// database's own errors. Messages start with the source path.
Result<ImportReport> Import(Connection& connection, ImportFormat format,
                            const std::vector<std::string>& sources,
                            const ImportOptions& options = {});

}  // namespace fastbreak::db
