// NBA stats API responses as saved by nba_api (the raw JSON of endpoint.get_json()):
//   resultSets form  {"resource": ..., "resultSets": [{"name", "headers", "rowSet"}]}:
//     CommonAllPlayers, LeagueGameLog (team or player rows), PlayerGameLog,
//     BoxScoreTraditionalV2 (PlayerStats + TeamStats), PlayByPlayV2 (PlayByPlay);
//   V3 nested form: BoxScoreTraditionalV3 {"boxScoreTraditional"}, PlayByPlayV3 {"game":
//     {"actions"}}, ScoreboardV3 {"scoreboard": {"games"}}.
// The season and game type of a game come from its id; games of types the schema does not store
// (All-Star...) and teams outside the 30 are skipped with a count.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "db/importers/writer.hpp"

namespace fastbreak::db::detail {

// In the order files are imported: what later endpoints reference comes first.
enum class NbaApiEndpoint {
  kCommonAllPlayers,
  kScoreboardV3,
  kLeagueGameLog,
  kPlayerGameLog,
  kBoxScoreTraditionalV3,
  kBoxScoreTraditionalV2,
  kPlayByPlayV3,
  kPlayByPlayV2,
};

std::string_view EndpointName(NbaApiEndpoint endpoint);

// Which endpoint `root` is a response of. kUnsupported "<file>: ..." for anything else.
Result<NbaApiEndpoint> DetectEndpoint(const nlohmann::json& root, const std::string& file);

// Imports one parsed response. Errors name `file` and the JSON path.
Status ImportNbaApiDocument(NbaApiEndpoint endpoint, const nlohmann::json& root,
                            const std::string& file, Writer& writer);

}  // namespace fastbreak::db::detail
