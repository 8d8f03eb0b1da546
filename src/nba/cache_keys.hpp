// How a tool call maps onto the cache: its key (tool + canonical arguments), the tags its
// result carries (the tables the tool reads and the players, teams, games and seasons the
// result names), and whether the result concerns only finished seasons.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nba/catalog.hpp"

namespace fastbreak::nba {

// Every key of a tool result starts with this, then the tool name and '/': "call/standings/".
inline constexpr std::string_view kToolKeyPrefix = "call/";

// "call/<tool>/<canonical arguments>". Canonical: object keys sorted (at every depth),
// no whitespace, numbers that are whole written as integers (10.0 -> 10), so calls that
// differ only in key order or number spelling share a key. kInvalidArgument when the
// arguments are too large to be a useful key (over 4 KiB canonical).
Result<std::string> ToolCacheKey(std::string_view tool, const Json& arguments);

// The tool named by a key made by ToolCacheKey, or "" when `key` is not one.
std::string_view ToolOfCacheKey(std::string_view key);
// The arguments of a key made by ToolCacheKey (for warming); kInvalidArgument otherwise.
Result<Json> ArgumentsOfCacheKey(std::string_view key);

// "table:<name>" for every base table `tool` may read (views are expanded to their tables).
const std::vector<std::string>& ToolTableTags(std::string_view tool);
// "table:<name>" for every base table.
const std::vector<std::string>& AllTableTags();

// What a result names, found by walking it (bounded): player_id, team_id, game_id and season
// fields, as tags "player:2544", "team:1610612738", "game:22300001", "season:2023", and the
// newest season named (nullopt when none). At most `max_tags` entity tags; beyond that the
// table tags alone stand for the entry.
struct ResultFacts {
  std::vector<std::string> tags;
  std::optional<int> newest_season;
};
ResultFacts ExtractResultFacts(const Json& structured, size_t max_tags = 64);

}  // namespace fastbreak::nba
