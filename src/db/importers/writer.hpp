// The one writer every import format goes through: upserts games, line scores, team and player
// box scores, players and play-by-play rows, creates the season rows games need, and counts
// inserted / updated / skipped rows into an ImportReport.
//
// Upsert rule (all tables): a row whose key is new is inserted; a row already present is updated
// only when some non-null incoming value differs from the stored one (null incoming values keep
// what is stored), and counts as skipped otherwise. Insert-only columns (games.source, a
// player's names when the source is not authoritative for them) are never updated.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "db/database.hpp"
#include "db/importers/importer.hpp"

namespace fastbreak::db::detail {

using OptInt = std::optional<int64_t>;
using OptText = std::optional<std::string>;

struct ImportedGame {
  std::string game_id;         // ten characters
  int64_t season_id = 0;       // start year
  std::string_view game_type;  // schema::kRegular, kPlayIn, kPlayoffs, "preseason", "cup_final"
  std::string game_date;       // YYYY-MM-DD, or kUnknownGameDate when the source lacks it
  int64_t home_team_id = 0;
  int64_t away_team_id = 0;
  // What the source says: "final" (played; the default for sources that list only played
  // games) or "scheduled". The writer stores 'final' only when both scores are known as well.
  std::string_view status = "final";
  OptInt home_score;
  OptInt away_score;
  OptInt periods;
  OptInt neutral_site;
  OptInt playoff_round;
  OptInt series_game;
  OptInt attendance;
};

// The counting stats shared by team and player box scores.
struct BoxLine {
  OptInt pts, fgm, fga, fg3m, fg3a, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, plus_minus;
};

struct TeamGameRecord {
  std::string game_id;
  int64_t team_id = 0;
  int64_t opponent_id = 0;
  bool is_home = false;
  OptInt win;
  OptInt seconds;  // team player-seconds (14400 for 48 minutes)
  BoxLine box;     // box.pts is required by the schema
};

struct PlayerGameRecord {
  std::string game_id;
  int64_t player_id = 0;
  int64_t team_id = 0;
  OptInt starter;
  OptText position;
  OptInt seconds;
  OptText dnp_reason;
  BoxLine box;
};

struct PlayerRecord {
  int64_t player_id = 0;
  std::string first_name;
  std::string last_name;
  std::string full_name;
  // False when the source's names are less reliable than what may be stored (Kaggle's
  // common_player_info next to its player table): names and is_active are then only used for a
  // new row.
  bool names_authoritative = true;
  OptText birth_date;
  OptInt height_cm, weight_kg;
  OptText position, country;
  OptInt draft_year, draft_round, draft_number, from_year, to_year, is_active;
};

struct PlayRecord {
  std::string game_id;
  int64_t event_num = 0;
  int64_t period = 0;
  int64_t clock_ms = 0;
  int64_t event_type = 0;
  OptText action;
  OptInt team_id, player_id, player2_id, shot_value, shot_made, shot_distance;
  int64_t home_score = 0;
  int64_t away_score = 0;
  OptText description;
};

class Upserter;

class Writer {
 public:
  // `source` is stored in games.source for new games ("kaggle", "nba-api", "538").
  // REQUIRES: `connection` is inside the import's transaction and outlives the writer; `report`
  // outlives it too.
  static Result<std::unique_ptr<Writer>> Create(Connection& connection, std::string_view source,
                                                ImportReport& report);
  ~Writer();

  // Full upsert of a game (creating its season row). When game_date is kUnknownGameDate the
  // stored date is kept. A game with a real id replaces a FiveThirtyEight game (synthesized id)
  // of the same date and teams; that counts as an update.
  // Status: the stored game is 'final' only when both its scores are known (stored or incoming)
  // and the source says final or it already was; otherwise 'scheduled'. So a partial source (a
  // player game log, a box score without points) never makes a game without scores 'final',
  // and never turns a final game with scores back to 'scheduled'.
  Status UpsertGame(const ImportedGame& game);
  // Inserts the game when missing (status as above); never changes an existing one and counts
  // nothing then.
  Status EnsureGame(const ImportedGame& game);
  // True when the game is in the database. Cached for the last id asked about.
  Result<bool> GameExists(const std::string& game_id);
  // The id of a stored game with this date and teams, if any.
  Result<std::optional<std::string>> FindGame(std::string_view date, int64_t home_team_id,
                                              int64_t away_team_id);
  // The stored home and away team ids of a game, if it exists.
  Result<std::optional<std::pair<int64_t, int64_t>>> GameTeams(const std::string& game_id);

  Status UpsertPeriod(const std::string& game_id, int64_t team_id, int64_t period, int64_t points);
  Status UpsertTeamGame(const TeamGameRecord& row);
  Status UpsertPlayerGame(const PlayerGameRecord& row);
  Status UpsertPlayer(const PlayerRecord& player);
  // Creates a player seen only in a box score or game log; fills in the names of a placeholder
  // row (empty first and last name) created earlier without them. Counts only inserts.
  Status EnsurePlayer(int64_t player_id, std::string_view first_name, std::string_view last_name,
                      std::string_view full_name);
  Status UpsertPlay(const PlayRecord& play);

  // Counts `count` source records not imported into `table`, for `reason`.
  void Skip(std::string_view table, std::string_view reason, int64_t count = 1);

  // Sets start_date / end_date of every season touched from its games. Call once at the end.
  Status Finish();

 private:
  Writer(Connection& connection, std::string_view source, ImportReport& report);
  Status EnsureSeason(int64_t season_id);

  Connection& connection_;
  std::string source_;
  ImportReport& report_;
  std::set<int64_t> seasons_;  // seasons ensured by this import
  std::string last_existing_game_;
  std::unique_ptr<Upserter> games_, periods_, team_games_, player_games_, players_, players_bio_,
      plays_, seasons_upsert_;
  StatementPtr find_game_, game_teams_, fill_placeholder_, drop_synthetic_, settle_status_;
};

}  // namespace fastbreak::db::detail
