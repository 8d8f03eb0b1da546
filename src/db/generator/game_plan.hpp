// Before a game is played: each coach's rotation (who starts, who plays how long), the teams'
// strengths, and the score plan (pace, points by period, overtimes) the simulation then plays
// out possession by possession.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "db/generator/game_model.hpp"
#include "db/generator/league.hpp"
#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

inline constexpr int kMaxOvertimes = 3;
inline constexpr int kMaxPeriods = 4 + kMaxOvertimes;

struct Rotation {
  // League player indices: the five starters, the rest of the rotation, then the players who
  // will not play (listed as "Coach's decision").
  std::vector<int> players;
  // Per entry, the share of the game he is planned to be on the floor (33 minutes of 48 is
  // 0.6875): the shares sum to 5, the players on the floor; zero for those who will not play.
  std::vector<double> shares;
  std::array<std::string_view, 5> starter_positions{};  // "G", "G", "F", "F", "C"
};

// Plans the rotation from `listed` (best first; at most kMaxListed are considered): 9-12
// players get minutes in the regular season (10.5 on average), 8-10 in the playoffs; starters
// fill guard, forward and center slots. `rng` null: no randomness (the typical rotation).
inline constexpr size_t kMaxListed = 32;
void PlanRotation(const League& league, std::span<const int> listed, bool playoffs, Rng* rng,
                  Rotation& out);

// Garbage time: when the planned margin is `margin` >= 18 points, gives 1-3 players who were
// not going to play a few minutes, taken from the starters.
void AddGarbageTime(int margin, Rng& rng, Rotation& rotation);

// Points per 100 possessions above an average team, from the minute-weighted player ratings.
struct TeamStrength {
  double off = 0;
  double def = 0;  // points per 100 prevented: higher is better
};
TeamStrength RotationStrength(const League& league, const Rotation& rotation);

// Normalises raw rotation strengths so that the league's team net ratings (offense + defense)
// spread by `net_sd` around zero, whatever the talent distribution of the season.
struct StrengthScale {
  double off_mean = 0;
  double def_mean = 0;
  double scale = 1;
  // Covariance of the normalised offense and defense across teams (good players are good at
  // both). It lowers the covariance of two opponents' scores; PlanScore adds it back.
  double off_def_cov = 0;
  TeamStrength Apply(const TeamStrength& raw) const {
    return {scale * (raw.off - off_mean), scale * (raw.def - def_mean)};
  }
};
StrengthScale MeasureLeague(const League& league, double net_sd);

struct ScorePlan {
  int periods = 4;                                       // 4 + overtimes
  std::array<std::array<int, kMaxPeriods>, 2> points{};  // [home/away][period - 1]
  double poss_per_team = 100;                            // possessions per 48 minutes
  int Total(int side) const;
};

// Draws the pace and both teams' points by period. `home` and `away` are strengths normalised
// by `scale`. Never a tie: regulation ties go to overtime (up to kMaxOvertimes), and the last
// overtime always has a winner.
ScorePlan PlanScore(const GameModel& model, const StrengthScale& scale, const TeamStrength& home,
                    const TeamStrength& away, Rng& rng);

// Splits `total` into non-negative integer parts proportional to `weights`, each within one of
// its exact share. REQUIRES: weights non-negative with a positive sum, out.size() ==
// weights.size().
void Apportion(std::span<const double> weights, int total, std::span<int> out);

}  // namespace fastbreak::db::detail
