#include "db/generator/game_model.hpp"

#include <algorithm>
#include <cmath>

namespace fastbreak::db::detail {
namespace {

constexpr double kScoreCorrelation = 0.26;  // real r between the two teams' points
constexpr double kNetSd = 4.5;              // team net ratings, points per 100 possessions
constexpr double kSqrtTwoPi = 2.5066282746310002;

}  // namespace

GameModel BuildGameModel(const SeasonFacts& f) {
  GameModel m;
  const double fg3a = f.fga * f.fg3a_share;
  const double fg3m = fg3a * f.fg3_pct;
  const double fgm = f.fga * f.fg_pct;
  const double fg2m = fgm - fg3m;
  const double fg2a = f.fga - fg3a;
  const double miss2 = fg2a - fg2m;
  const double miss3 = fg3a - fg3m;
  const double ft = f.ft_pct;

  m.and_one2 = 0.065;
  m.and_one3 = 0.008;
  const double and_ones = m.and_one2 * fg2m + m.and_one3 * fg3m;
  const double trips3 = 0.012 * fg3a;
  const double trips2 = std::max(0.0, (f.fta - and_ones - 3 * trips3) / 2);
  const double miss_ft = 1 - ft;

  m.ft_pct = ft;
  m.w_made2 = fg2m;
  m.w_made3 = fg3m;
  m.w_trip2 = trips2 * (1 - miss_ft * miss_ft);
  m.w_trip3 = trips3 * (1 - miss_ft * miss_ft * miss_ft);
  const double scoring = m.w_made2 + m.w_made3 + m.w_trip2 + m.w_trip3;

  const double zero_trips = trips2 * miss_ft * miss_ft + trips3 * miss_ft * miss_ft * miss_ft;
  const double terminal_misses = std::max(1.0, miss2 + miss3 - f.oreb);
  const double non_scoring = f.tov + terminal_misses + zero_trips;
  m.poss_mean = scoring + non_scoring;
  m.p_turnover = f.tov / non_scoring;
  m.p_zero_trip = zero_trips / non_scoring;
  m.miss3_share = miss3 / (miss2 + miss3);
  const double extensions = f.oreb / m.poss_mean;  // offensive rebounds per possession
  m.oreb_continue = extensions / (1 + extensions);

  // Rebound chances on defense: terminal misses and missed last free throws.
  const double missed_last_ft = (trips2 + trips3 + and_ones) * miss_ft;
  m.team_rebound = std::clamp(1 - f.dreb / (terminal_misses + missed_last_ft), 0.0, 0.3);

  const double shooting_fouls = and_ones + trips2 + trips3;
  m.offensive_foul_per_tov = 0.09;
  m.p_personal_foul =
      std::max(0.0, f.pf - shooting_fouls - m.offensive_foul_per_tov * f.tov) / m.poss_mean;

  const double assisted = std::clamp(f.ast / fgm, 0.3, 0.8);
  m.ast3 = std::min(0.92, 1.3 * assisted);
  m.ast2 = std::clamp((f.ast - m.ast3 * fg3m) / fg2m, 0.2, 0.9);
  m.steal_per_tov = std::clamp(f.stl / f.tov, 0.2, 0.9);
  m.block2 = std::clamp(0.85 * f.blk / miss2, 0.0, 0.4);
  m.block3 = std::clamp(0.15 * f.blk / miss3, 0.0, 0.2);

  m.ppp = f.pts_mean / m.poss_mean;
  // The shared part of the two scores' variance: the pace (kept narrow, so that every game has a
  // normal number of events) and a shared shift for the rest.
  const double shared = kScoreCorrelation * f.pts_sd * f.pts_sd;
  m.pace_sd = 0.65 * f.poss_sd;
  m.shared_var = std::max(0.0, shared - m.ppp * m.ppp * m.pace_sd * m.pace_sd);
  m.net_sd = kNetSd;
  m.noise_sd =
      std::sqrt(std::max(25.0, (1 - kScoreCorrelation) * f.pts_sd * f.pts_sd - kNetSd * kNetSd));
  // P(home win) ~ Phi(edge / margin_sd), linearised near one half. The edge aims at 0.58..0.62
  // because forced overtimes and strength differences pull the realised rate down by ~0.02:
  // seasons then land at ~0.56..0.60 (real: 0.54..0.63).
  const double home_win = std::clamp(f.home_win, 0.58, 0.62);
  m.home_edge = f.margin_sd * (home_win - 0.5) * kSqrtTwoPi;
  // Natural ties happen with probability ~ pdf(0) of the margin; force the rest among close
  // games (|margin| <= 6 covers ~32% of games).
  const double natural_ties = 1 / (kSqrtTwoPi * f.margin_sd);
  m.ot_force = std::clamp((f.ot_rate - natural_ties) / 0.32, 0.0, 0.5);

  m.p_timeout = 13.0 / (2 * m.poss_mean);
  m.p_sub_check = 0.05;
  return m;
}

}  // namespace fastbreak::db::detail
