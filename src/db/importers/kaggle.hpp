// The Kaggle "NBA Database" SQLite file (nba.sqlite, wyattowalsh/basketball): 16 tables, all ids
// TEXT, no keys. Read through a second, read-only connection, streaming every table in one pass.
//
// Tables read (when present; `game` is required, its absence means "not a Kaggle NBA file"):
//   player              id, full_name, first_name, last_name, is_active -> players
//   common_player_info  birthdate, height "6-9", weight (lb), position, country, draft, years
//                       -> players (names only for players not already stored)
//   game                one wide row per game, *_home / *_away -> games, team_game_stats
//   line_score          pts_qtr1..4, pts_ot1..10 per side -> game_periods
//   play_by_play        PlayByPlayV2 columns -> play_by_play
// Games of types the schema does not store (All-Star and the like), games involving a team that
// is not one of the 30, and line scores / plays of games not imported are skipped with a count.
// Biographical values that cannot be read (a birthdate "", height "") are stored as NULL; game
// values that cannot be read are errors naming the table, row and column.
// Play-by-play rows are read in the file's order (grouped by game, in event order, as published);
// the running score is carried forward over rows without one.
#pragma once

#include <string>

#include "core/error.hpp"
#include "db/importers/importer.hpp"
#include "db/importers/writer.hpp"

namespace fastbreak::db::detail {

// Progress is reported in source rows against an estimate of the total from the tables' rowids.
Status ImportKaggleFile(const std::string& path, Writer& writer, const ImportOptions& options);

}  // namespace fastbreak::db::detail
