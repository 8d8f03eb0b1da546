// Writes the simulated league into the NBA schema: one transaction per season, prepared
// statements reused for every row, play-by-play inserted in multi-row batches.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "db/generator/game_record.hpp"

namespace fastbreak::db::detail {

// Rows per multi-row play-by-play INSERT: a game's events go in batches of the first size, the
// rest in the smaller ones, largest first (the last is 1, so every count decomposes).
inline constexpr std::array<int, 4> kEventBatchRows = {64, 16, 4, 1};

struct WriteCounts {
  int64_t games = 0;
  int64_t line_score_rows = 0;
  int64_t team_game_rows = 0;
  int64_t player_game_rows = 0;
  int64_t play_by_play_rows = 0;
  int64_t player_rows = 0;  // players inserted or updated (once per player per season)
  int64_t season_rows = 0;

  int64_t Total() const {
    return games + line_score_rows + team_game_rows + player_game_rows + play_by_play_rows +
           player_rows + season_rows;
  }
};

// Bulk-load settings for the duration of a generation, restored by the destructor:
//  - a rollback journal instead of the WAL: every page is written once, rather than to the WAL
//    and again by the checkpoint (only when no other connection holds the database open);
//  - no fsync, and a small page cache (less memory to fault in; the load appends);
//  - foreign keys not enforced: the writer inserts parents first by construction, and the
//    tests check it with PRAGMA foreign_key_check.
// Transactions stay atomic; a power loss during generation may damage the file, acceptable for
// data that one command regenerates. The restore runs with synchronous back on, so switching
// back to the WAL flushes the whole load to disk once (~0.1 s a season). Measured and not
// adopted: a larger cache or page size, locking_mode = EXCLUSIVE, an in-memory journal, and
// ignore_check_constraints all changed the insert rate by less than the noise (< 5%).
// Best effort: a setting that cannot change stays as it was.
// REQUIRES: no transaction open; the connection outlives the object.
class BulkLoadSettings {
 public:
  explicit BulkLoadSettings(Connection& connection);
  ~BulkLoadSettings();
  BulkLoadSettings(const BulkLoadSettings&) = delete;
  BulkLoadSettings& operator=(const BulkLoadSettings&) = delete;

 private:
  struct Setting {
    const char* name;
    int64_t bulk;                  // value during the load
    std::optional<int64_t> saved;  // value to restore; empty when unchanged
  };
  Connection& connection_;
  std::string journal_mode_;  // to restore; empty when unchanged
  std::array<Setting, 3> settings_ = {{
      {"synchronous", 0, std::nullopt},
      {"cache_size", -8192, std::nullopt},
      {"foreign_keys", 0, std::nullopt},
  }};
};

// Not thread-safe: use it on the connection's thread. REQUIRES: the schema is migrated and the
// teams are seeded; the connection outlives the writer.
class LeagueWriter {
 public:
  // `first_player_id`: the generated players' ids start there (is_active is maintained for
  // ids >= it). `play_by_play` false skips play_by_play rows.
  static Result<std::unique_ptr<LeagueWriter>> Create(Connection& connection,
                                                      int64_t first_player_id, bool play_by_play);
  ~LeagueWriter();

  // Opens the season's transaction and writes its seasons row.
  Status BeginSeason(int season, int start_day);
  // Writes one game: new players' rows, the game, line score, box scores and play-by-play.
  // REQUIRES: inside a season.
  Status WriteGame(const GameRecord& record);
  // Records the season's last day, marks players who did not play this season inactive, and
  // commits.
  Status EndSeason(int season, int end_day);
  // Rolls back the open season, if any.
  void Abort();

  const WriteCounts& counts() const { return counts_; }

 private:
  LeagueWriter(Connection& connection, int64_t first_player_id, bool play_by_play)
      : connection_(connection), first_player_id_(first_player_id), play_by_play_(play_by_play) {}
  Status WritePlayers(const GameRecord& record);
  Status WritePlayByPlay(const GameRecord& record);

  Connection& connection_;
  const int64_t first_player_id_;
  const bool play_by_play_;
  std::optional<Transaction> transaction_;
  StatementPtr season_;
  StatementPtr season_end_;
  StatementPtr deactivate_;
  StatementPtr player_;
  StatementPtr game_;
  StatementPtr period_;
  StatementPtr team_line_;
  StatementPtr player_line_;
  std::array<StatementPtr, kEventBatchRows.size()> events_;  // one per batch size
  WriteCounts counts_;
};

}  // namespace fastbreak::db::detail
