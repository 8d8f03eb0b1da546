// One team's state during a simulated game (who is listed, who is on the floor, their running
// box score) and the coach's substitution logic, which steers every player towards his planned
// minutes.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "db/generator/game_plan.hpp"
#include "db/generator/game_record.hpp"

namespace fastbreak::db::detail {

// Per listed player, the weights that pick who acts in an event (see GameSimulator::Pick).
struct RoleWeights {
  double made2 = 0;
  double made3 = 0;
  double miss2 = 0;
  double miss3 = 0;
  double draw_foul = 0;
  double rebound = 0;
  double assist = 0;
  double steal = 0;
  double block = 0;
  double foul = 0;
  double turnover = 0;
};

struct TeamSide {
  int team = 0;  // index into NbaTeams()
  int64_t team_id = 0;
  std::string_view nickname;
  Rotation rotation;                         // listed players, rotation first
  std::vector<int64_t> player_ids;           // per listed player
  std::vector<std::string_view> last_names;  // per listed player (league storage)
  std::vector<RoleWeights> weights;          // per listed player
  std::vector<double> target_seconds;        // planned seconds per listed player
  std::vector<StatLine> lines;               // running box score per listed player
  std::vector<int> on_since;                 // game second he last checked in, -1 when on the bench
  std::array<int, 5> court{};                // listed-player slots on the floor
  int team_fouls = 0;                        // this period
  int turnovers = 0;
  int timeouts = 0;

  // Seconds played so far, counting the current stint up to game second `now`.
  int PlayedAt(int index, int now) const;
};

struct Substitution {
  int out;  // listed-player slot leaving
  int in;   // listed-player slot entering
};

// The five to start a period. Periods 1 and 3: the starters (slots 0..4); other periods: the five
// furthest behind their planned minutes by the end of the period (`period_end`, game seconds,
// of `game_seconds` in all).
std::array<int, 5> PeriodLineup(const TeamSide& side, int period, int period_end, int game_seconds);

// Substitutions at a dead ball at game second `now`: swaps the bench player furthest behind
// his minutes for the player on the floor furthest ahead, while the gap is large, at most
// `max_swaps` times. Does not apply them.
int ProposeSubstitutions(const TeamSide& side, int now, int game_seconds, int max_swaps,
                         std::array<Substitution, 3>& out);

// Moves `in` onto the floor in place of `out` at game second `now`, banking `out`'s seconds.
void ApplySubstitution(TeamSide& side, const Substitution& sub, int now);

}  // namespace fastbreak::db::detail
