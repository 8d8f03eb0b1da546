// FiveThirtyEight game files (nba_elo.csv, nba_elo_latest.csv): one row per game with date,
// season (the year it ends), neutral (0/1), playoff ('' regular season, 'p' play-in, 'q' 's' 'c'
// 'f' playoff rounds 1-4, 't' tiebreaker), team1 (home), team2, ..., score1, score2.
//
// Teams: 538 uses Basketball-Reference franchise-era codes (BRK, PHO, CHO, SEA, KCK, MNL...);
// codes of a current franchise's earlier homes are mapped to it (FindTeamByAbbreviation), codes
// of defunct franchises (IsDefunctFranchiseCode: 1940s-50s BAA/NBA clubs, ABA clubs that did not
// join the NBA) are skipped with a count, and any other code is an error. Unplayed games (empty
// scores) are skipped with a count.
//
// Game ids: the file has none. A game already stored with the same date, home and away team
// (imported from any source) is updated in place. Otherwise its id is synthesized from the
// record alone, so re-importing finds the same id:
//   "5" + century digit + NBA.com type digit + season start yy + 5-digit sequence
//   sequence = days from July 1 of the season's start year to the game date x 30
//              + the home team's index (team id - 1610612737)
// e.g. 2022-10-18 BOS (index 1) at home, regular season 2022-23 -> "5022203271"
// (day 109 x 30 + 1). NBA.com ids start with "00", so these never collide with real ids, and a
// team plays at most one home game a day, so they never collide with each other.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "db/importers/writer.hpp"

namespace fastbreak::db::detail {

Status ImportFiveThirtyEightFile(const std::string& path, Writer& writer);

// The synthesized id described above. kInvalidArgument when the sequence would not fit in its
// five digits (a date before July 1 of the start year, or more than 3333 days after it; on day
// 3333 only the first ten team ids fit), or when `date` is not YYYY-MM-DD, `home_team_id` not one
// of the 30 or `season_start` not a four-digit year. REQUIRES: `date` is a valid calendar date.
Result<std::string> FiveThirtyEightGameId(int64_t season_start, std::string_view game_type,
                                          std::string_view date, int64_t home_team_id);

}  // namespace fastbreak::db::detail
