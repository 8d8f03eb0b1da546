// Finding players, teams, seasons and games the way people name them: by id, full or partial
// name, a misspelling, an abbreviation or a season label. Ambiguity is reported with the
// candidates, never resolved by a guess.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"

namespace fastbreak::nba {

struct PlayerRef {
  int64_t player_id = 0;
  std::string name;  // "LeBron James"
  std::optional<int> from_year;
  std::optional<int> to_year;
  bool is_active = false;
};

struct TeamRef {
  int64_t team_id = 0;
  std::string abbreviation;  // "LAL"
  std::string name;          // "Los Angeles Lakers"
  std::string conference;    // "East" / "West"
  std::string division;
};

// A player from a JSON argument: an integer id, a numeric string id, or a name (full, partial,
// last name, or misspelled within a small edit distance). Errors:
//   kNotFound        nothing close; the message suggests search_players
//   kInvalidArgument several equally good matches; the message lists up to 10 candidates as
//                    "Name (id N, 2003-2024)" so the agent can retry with an id
// `argument` names the argument in messages ("player").
Result<PlayerRef> ResolvePlayer(db::Connection& db, const nlohmann::json& value,
                                std::string_view argument = "player");

// Ranked name search for search_players and completions: exact, prefix, substring, then fuzzy
// matches, at most `limit`.
Result<std::vector<PlayerRef>> SearchPlayers(db::Connection& db, std::string_view query,
                                             size_t limit, bool active_only = false);

// A team by id (1610612747), abbreviation in any common form ("LAL", "GS", "PHO", "BRK"),
// city ("Boston"), nickname ("Celtics"), full name, or a close misspelling.
Result<TeamRef> ResolveTeam(db::Connection& db, const nlohmann::json& value,
                            std::string_view argument = "team");

// A season from 2023, "2023", "2023-24" or "2023-2024": its start year. Out of 1946..2100 or
// malformed gives kInvalidArgument. `std::nullopt` input (argument absent) resolves to the
// latest season in the database.
Result<int> ResolveSeason(db::Connection& db, const nlohmann::json* value,
                          std::string_view argument = "season");

// "2023-24" for 2023.
std::string SeasonLabel(int season);

// A game id: ten digits ("0022300061"; an integer or a shorter string is zero-padded on the left).
Result<std::string> ParseGameId(const nlohmann::json& value, std::string_view argument = "game_id");

}  // namespace fastbreak::nba
