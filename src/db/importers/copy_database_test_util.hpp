// Helpers for the CopyDatabase tests (SQLite and PostgreSQL targets): a generated source league,
// row counts and ordered row samples of every copied table, and a source with a row that breaks
// a foreign key.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "db/generator/generator.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db::testing_util {

struct CopiedTable {
  std::string_view name;
  std::string_view key;  // ORDER BY for a deterministic sample
};

// Every table CopyDatabase copies, parent first.
inline constexpr std::array<CopiedTable, 9> kCopiedTables = {{
    {"teams", "team_id"},
    {"players", "player_id"},
    {"seasons", "season_id"},
    {"games", "game_id"},
    {"game_periods", "game_id, team_id, period"},
    {"team_game_stats", "game_id, team_id"},
    {"player_game_stats", "game_id, player_id"},
    {"play_by_play", "game_id, event_num"},
    {"imports", "import_id"},
}};

// Row count by table.
inline std::map<std::string, int64_t> CountRows(Connection& connection) {
  std::map<std::string, int64_t> counts;
  for (const CopiedTable& table : kCopiedTables) {
    auto count = connection.QueryScalar("SELECT COUNT(*) FROM " + std::string(table.name));
    EXPECT_TRUE(count.has_value()) << table.name << ": " << count.error().ToString();
    counts[std::string(table.name)] = count ? std::get<int64_t>(*count) : -1;
  }
  return counts;
}

// The first `limit` rows of `table` in key order, every column in the source's column order
// (named explicitly, so that a target with another column order compares the same).
inline std::vector<std::vector<Value>> SampleRows(Connection& connection, const CopiedTable& table,
                                                  const std::vector<std::string>& columns,
                                                  int limit) {
  std::string list;
  for (const std::string& column : columns) list += (list.empty() ? "" : ", ") + column;
  auto rows =
      connection.Query("SELECT " + list + " FROM " + std::string(table.name) + " ORDER BY " +
                       std::string(table.key) + " LIMIT " + std::to_string(limit));
  EXPECT_TRUE(rows.has_value()) << table.name << ": " << rows.error().ToString();
  return rows ? rows->rows : std::vector<std::vector<Value>>{};
}

// The column names of `table`.
inline std::vector<std::string> Columns(Connection& connection, std::string_view table) {
  auto result = connection.Query("SELECT * FROM " + std::string(table) + " LIMIT 1");
  EXPECT_TRUE(result.has_value()) << table << ": " << result.error().ToString();
  return result ? result->columns : std::vector<std::string>{};
}

// A SQLite database file and a connection to it.
struct SqliteFile {
  std::unique_ptr<SqliteDatabase> database;
  std::unique_ptr<Connection> connection;
};

inline Result<SqliteFile> OpenSqlite(const std::string& path, AccessMode mode) {
  SqliteFile file;
  FB_ASSIGN_OR_RETURN(file.database, SqliteDatabase::Open({.path = path}));
  FB_ASSIGN_OR_RETURN(file.connection, file.database->Connect(mode));
  return file;
}

// Writes a one-season league (with play-by-play when asked) and two import records into `path`.
inline Status WriteSourceLeague(const std::string& path, bool play_by_play) {
  FB_ASSIGN_OR_RETURN(SqliteFile file, OpenSqlite(path, AccessMode::kReadWrite));
  FB_RETURN_IF_ERROR(GenerateLeague(
      *file.connection,
      {.seasons = 1, .start_season = 2023, .seed = 11, .play_by_play = play_by_play}));
  return file.connection->ExecuteScript(
      "INSERT INTO imports(import_id, format, source, inserted) VALUES "
      "(3, 'generate', 'seed 11', 10), (7, 'kaggle', 'nba.sqlite', 20)");
}

// Adds to the database at `path` a box score of a player who does not exist, with foreign keys
// unenforced (as an older or careless writer could have): a row PostgreSQL (or SQLite with
// foreign keys on) refuses.
inline Status AddOrphanBoxScore(const std::string& path) {
  FB_ASSIGN_OR_RETURN(SqliteFile file, OpenSqlite(path, AccessMode::kReadWrite));
  return file.connection->ExecuteScript(
      "PRAGMA foreign_keys = OFF; "
      "INSERT INTO player_game_stats(game_id, player_id, team_id, starter, seconds, pts) "
      "SELECT game_id, 999, home_team_id, 0, 60, 2 FROM games ORDER BY game_id LIMIT 1; "
      "PRAGMA foreign_keys = ON;");
}

}  // namespace fastbreak::db::testing_util
