// Stat formulas: per-game and per-36 rates, shooting percentages, TS%, eFG%, usage estimate,
// and the JSON blocks (with their output-schema fragments) the player and team tools share.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace fastbreak::nba {

using Json = nlohmann::json;

// Box-score counting stats summed over some games. `games` counts games played (seconds > 0).
struct CountingStats {
  int64_t games = 0;
  int64_t starts = 0;
  int64_t seconds = 0;
  int64_t pts = 0, fgm = 0, fga = 0, fg3m = 0, fg3a = 0, ftm = 0, fta = 0;
  int64_t oreb = 0, dreb = 0, reb = 0, ast = 0, stl = 0, blk = 0, tov = 0, pf = 0;
  int64_t plus_minus = 0;

  CountingStats& operator+=(const CountingStats& other);
};

// SQL select list producing the columns ReadCountingStats expects, over player_game_stats rows
// aliased `alias` (only rows with seconds > 0 count as games): "COUNT(...), SUM(p.starter), ...".
std::string CountingSelect(std::string_view alias);
// The select list's column count.
inline constexpr int kCountingColumns = 19;
// Reads CountingSelect's columns starting at `first_column`; NULL sums read as 0.
CountingStats ReadCountingStats(const db::Statement& statement, int first_column);

// made / attempts, or nullopt without attempts.
std::optional<double> Ratio(int64_t made, int64_t attempts);
// total / games, or nullopt when games is 0.
std::optional<double> PerGame(double total, int64_t games);
// total per 36 minutes played, or nullopt without minutes.
std::optional<double> Per36(double total, int64_t seconds);
double Minutes(int64_t seconds);
// `value` rounded to `decimals` places; nullopt stays nullopt.
std::optional<double> Round(std::optional<double> value, int decimals);

struct ShootingLine {
  std::optional<double> fg_pct, fg3_pct, ft_pct;
  std::optional<double> ts_pct;   // PTS / (2 * (FGA + 0.44 * FTA))
  std::optional<double> efg_pct;  // (FGM + 0.5 * 3PM) / FGA
};
ShootingLine Shooting(const CountingStats& stats);

// The team side of the games a player played, for the usage estimate.
struct TeamShare {
  int64_t seconds = 0;  // team player-seconds (5 per second of game time)
  int64_t fga = 0, fta = 0, tov = 0;
};
// 100 * ((FGA + 0.44 FTA + TOV) * (team minutes / 5)) / (minutes * (team FGA + 0.44 team FTA +
// team TOV)); nullopt when either side has no minutes or possessions.
std::optional<double> UsageRate(const CountingStats& player, const TeamShare& team);

// JSON blocks. Every key of a block is declared by the matching schema; rates are rounded to one
// decimal, percentages are fractions rounded to three and null without attempts.
enum class Scale { kTotals, kPerGame, kPer36 };
// Counting stats: totals (with games, games_started), per game or per 36 minutes.
Json CountingJson(const CountingStats& stats, Scale scale);
Json CountingSchema(Scale scale);
// fg_pct, fg3_pct, ft_pct, ts_pct, efg_pct.
Json ShootingJson(const ShootingLine& line);
Json ShootingSchema();
// ts_pct, efg_pct, usage_pct, ast_to_tov, fg3a_rate, ft_rate.
Json AdvancedJson(const CountingStats& stats, std::optional<double> usage);
Json AdvancedSchema();

// The stat keys of CountingJson ("points", "rebounds", ...), in order, excluding games.
const std::vector<std::string>& CountingKeys();

}  // namespace fastbreak::nba
