// NBA stats API responses for the nba-api importer tests, in the shape nba_api saves them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace fastbreak::db::testing_util {

inline constexpr int64_t kBos = 1610612738;
inline constexpr int64_t kNyk = 1610612752;
inline constexpr int64_t kLal = 1610612747;
inline constexpr int64_t kLac = 1610612746;

// {"resource", "parameters", "resultSets": [{name, headers, rowSet}]}
nlohmann::json ResultSets(const std::string& resource, const std::string& name,
                          const nlohmann::json& headers, const nlohmann::json& rows);

// LeagueGameLog, team rows: NYK 104 - BOS 108 at New York (0022300061), and LAL 130 - LAC 125
// (OT, 0022300100) with only the Lakers' row.
nlohmann::json LeagueGameLog();
// PlayerGameLog of Jayson Tatum (1628369): 0022300075 vs. MIA, 0022300061 at NYK.
nlohmann::json PlayerGameLog();
// BoxScoreTraditionalV2 of 0022300061: three player rows (one DNP), two team rows.
nlohmann::json BoxScoreV2();
// PlayByPlayV2 of 0022300061: the first seven events.
nlohmann::json PlayByPlayV2();

}  // namespace fastbreak::db::testing_util
