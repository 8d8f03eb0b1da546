// Writes Kaggle "NBA Database" files (nba.sqlite) for the Kaggle importer tests: the published
// tables' columns and row helpers.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db::testing_util {

// The Kaggle tables' columns, as published (types as in the file: ids TEXT, stats REAL).
inline std::vector<std::string> GameColumns() {
  std::vector<std::string> columns = {
      "season_id TEXT",      "team_id_home TEXT", "team_abbreviation_home TEXT",
      "team_name_home TEXT", "game_id TEXT",      "game_date TIMESTAMP",
      "matchup_home TEXT",   "wl_home TEXT",      "min INTEGER"};
  const char* stats[] = {"fgm", "fga", "fg_pct", "fg3m", "fg3a", "fg3_pct",
                         "ftm", "fta", "ft_pct", "oreb", "dreb", "reb",
                         "ast", "stl", "blk",    "tov",  "pf",   "pts"};
  for (const char* side : {"home", "away"}) {
    if (std::string(side) == "away") {
      for (const char* c : {"team_id_away TEXT", "team_abbreviation_away TEXT",
                            "team_name_away TEXT", "matchup_away TEXT", "wl_away TEXT"}) {
        columns.push_back(c);
      }
    }
    for (const char* stat : stats) columns.push_back(fmt::format("{}_{} REAL", stat, side));
    columns.push_back(fmt::format("plus_minus_{} INTEGER", side));
    columns.push_back(fmt::format("video_available_{} INTEGER", side));
  }
  columns.push_back("season_type TEXT");
  return columns;
}

inline std::vector<std::string> LineScoreColumns() {
  std::vector<std::string> columns = {"game_date_est TIMESTAMP", "game_sequence INTEGER",
                                      "game_id TEXT"};
  for (const char* side : {"home", "away"}) {
    for (const char* c :
         {"team_id", "team_abbreviation", "team_city_name", "team_nickname", "team_wins_losses"}) {
      columns.push_back(fmt::format("{}_{} TEXT", c, side));
    }
    for (int q = 1; q <= 4; ++q) columns.push_back(fmt::format("pts_qtr{}_{} INTEGER", q, side));
    for (int q = 1; q <= 10; ++q) columns.push_back(fmt::format("pts_ot{}_{} INTEGER", q, side));
    columns.push_back(fmt::format("pts_{} REAL", side));
  }
  return columns;
}

inline std::vector<std::string> PlayByPlayColumns() {
  std::vector<std::string> columns = {"game_id TEXT",
                                      "eventnum INTEGER",
                                      "eventmsgtype INTEGER",
                                      "eventmsgactiontype INTEGER",
                                      "period INTEGER",
                                      "wctimestring TEXT",
                                      "pctimestring TEXT",
                                      "homedescription TEXT",
                                      "neutraldescription TEXT",
                                      "visitordescription TEXT",
                                      "score TEXT",
                                      "scoremargin TEXT"};
  for (int p = 1; p <= 3; ++p) {
    columns.push_back(fmt::format("person{}type REAL", p));
    for (const char* c :
         {"id", "name", "team_id", "team_city", "team_nickname", "team_abbreviation"}) {
      columns.push_back(fmt::format("player{}_{} TEXT", p, c));
    }
  }
  columns.push_back("video_available_flag TEXT");
  return columns;
}

inline const std::vector<std::string> kPlayerColumns = {
    "id TEXT", "full_name TEXT", "first_name TEXT", "last_name TEXT", "is_active INTEGER"};
inline const std::vector<std::string> kTeamColumns = {
    "id TEXT",   "full_name TEXT", "abbreviation TEXT", "nickname TEXT",
    "city TEXT", "state TEXT",     "year_founded REAL"};
inline const std::vector<std::string> kPlayerInfoColumns = {"person_id TEXT",
                                                            "first_name TEXT",
                                                            "last_name TEXT",
                                                            "display_first_last TEXT",
                                                            "display_last_comma_first TEXT",
                                                            "display_fi_last TEXT",
                                                            "player_slug TEXT",
                                                            "birthdate TIMESTAMP",
                                                            "school TEXT",
                                                            "country TEXT",
                                                            "last_affiliation TEXT",
                                                            "height TEXT",
                                                            "weight TEXT",
                                                            "season_exp REAL",
                                                            "jersey TEXT",
                                                            "position TEXT",
                                                            "rosterstatus TEXT",
                                                            "games_played_current_season_flag TEXT",
                                                            "team_id INTEGER",
                                                            "team_name TEXT",
                                                            "team_abbreviation TEXT",
                                                            "team_code TEXT",
                                                            "team_city TEXT",
                                                            "playercode TEXT",
                                                            "from_year REAL",
                                                            "to_year REAL",
                                                            "dleague_flag TEXT",
                                                            "nba_flag TEXT",
                                                            "games_played_flag TEXT",
                                                            "draft_year TEXT",
                                                            "draft_round TEXT",
                                                            "draft_number TEXT",
                                                            "greatest_75_flag TEXT"};

using Row = std::map<std::string, std::string>;  // column -> SQL literal; others NULL

// 'text' as an SQL literal, or NULL when empty.
inline std::string Quote(const std::string& text) {
  if (text.empty()) return "NULL";
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Writes a Kaggle-format nba.sqlite with the tables given.
class KaggleFile {
 public:
  explicit KaggleFile(const std::string& path) {
    auto database = SqliteDatabase::Open({.path = path});
    EXPECT_TRUE(database.has_value());
    database_ = std::move(*database);
    connection_ = std::move(*database_->Connect(AccessMode::kReadWrite));
  }
  void Table(const std::string& name, const std::vector<std::string>& columns) {
    EXPECT_OK(connection_->ExecuteScript(
        fmt::format("CREATE TABLE \"{}\" ({})", name, fmt::join(columns, ", "))));
  }
  void Insert(const std::string& table, const Row& row) {
    std::vector<std::string> names;
    std::vector<std::string> values;
    for (const auto& [name, value] : row) {
      names.push_back(name);
      values.push_back(value);
    }
    EXPECT_OK(
        connection_->ExecuteScript(fmt::format("INSERT INTO \"{}\"({}) VALUES ({})", table,
                                               fmt::join(names, ", "), fmt::join(values, ", "))));
  }
  // A `game` row: home/away ids, points, and made <= attempted stats.
  void Game(const std::string& id, const std::string& date, const std::string& home,
            const std::string& away, int home_pts, int away_pts, int64_t minutes,
            const std::string& type) {
    Row row = {{"game_id", "'" + id + "'"},
               {"season_id", "'2" + id.substr(3, 2) + "'"},
               {"game_date", "'" + date + " 00:00:00'"},
               {"team_id_home", "'" + home + "'"},
               {"team_id_away", "'" + away + "'"},
               {"wl_home", home_pts > away_pts ? "'W'" : "'L'"},
               {"wl_away", home_pts > away_pts ? "'L'" : "'W'"},
               {"min", std::to_string(minutes)},
               {"season_type", "'" + type + "'"}};
    for (const char* side : {"home", "away"}) {
      const int pts = std::string(side) == "home" ? home_pts : away_pts;
      const std::pair<const char*, int> stats[] = {
          {"fgm", 40}, {"fga", 85},  {"fg3m", 12}, {"fg3a", 35}, {"ftm", 18},
          {"fta", 22}, {"oreb", 10}, {"dreb", 33}, {"reb", 43},  {"ast", 25},
          {"stl", 7},  {"blk", 5},   {"tov", 13},  {"pf", 19},   {"pts", pts}};
      for (const auto& [stat, value] : stats) {
        row[fmt::format("{}_{}", stat, side)] = fmt::format("{}.0", value);
      }
      row[fmt::format("plus_minus_{}", side)] =
          std::to_string(std::string(side) == "home" ? home_pts - away_pts : away_pts - home_pts);
    }
    Insert("game", row);
  }
  void LineScore(const std::string& id, const std::string& home, const std::string& away,
                 std::vector<int> home_periods, std::vector<int> away_periods) {
    Row row = {{"game_id", "'" + id + "'"},
               {"team_id_home", "'" + home + "'"},
               {"team_id_away", "'" + away + "'"}};
    for (int q = 1; q <= 4; ++q) {
      row[fmt::format("pts_qtr{}_home", q)] = std::to_string(home_periods[q - 1]);
      row[fmt::format("pts_qtr{}_away", q)] = std::to_string(away_periods[q - 1]);
    }
    for (int ot = 1; ot <= 10; ++ot) {
      const size_t i = 3 + static_cast<size_t>(ot);
      row[fmt::format("pts_ot{}_home", ot)] =
          std::to_string(i < home_periods.size() ? home_periods[i] : 0);
      row[fmt::format("pts_ot{}_away", ot)] =
          std::to_string(i < away_periods.size() ? away_periods[i] : 0);
    }
    Insert("line_score", row);
  }
  void Play(const std::string& id, int eventnum, int type, int period, const std::string& clock,
            const std::string& home, const std::string& visitor, const std::string& score,
            const std::string& player1, const std::string& team1) {
    Insert("play_by_play", {{"game_id", "'" + id + "'"},
                            {"eventnum", std::to_string(eventnum)},
                            {"eventmsgtype", std::to_string(type)},
                            {"eventmsgactiontype", "1"},
                            {"period", std::to_string(period)},
                            {"pctimestring", "'" + clock + "'"},
                            {"homedescription", Quote(home)},
                            {"visitordescription", Quote(visitor)},
                            {"score", Quote(score)},
                            {"player1_id", Quote(player1)},
                            {"player1_team_id", Quote(team1)},
                            {"player2_id", "'0'"}});
  }

 private:
  std::unique_ptr<SqliteDatabase> database_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace fastbreak::db::testing_util
