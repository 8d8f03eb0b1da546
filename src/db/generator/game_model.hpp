// The per-season parameters of the game simulation, derived from the real league facts so that
// generated box scores land near the real averages (points, pace, shot mix, percentages,
// rebounds, assists, turnovers, fouls, overtime and home-court rates).
#pragma once

#include "db/generator/season_facts.hpp"

namespace fastbreak::db::detail {

struct GameModel {
  // Pace and score: a game draws a shared pace and a shared scoring shift, then each team's
  // points around pace * (ppp + strength) + shift +- home edge / 2 with independent noise. The
  // variances split real team points (sd pts_sd) so that the two scores correlate ~0.26 and the
  // home margin spreads like the real one.
  double poss_mean = 0;   // possessions per team-game in this model (~facts.poss_mean)
  double pace_sd = 0;     // sd of the shared pace (possessions), narrow: every game keeps a
                          // normal number of play-by-play events
  double shared_var = 0;  // variance of the shared shift (both teams hot or cold), points^2,
                          // before the league's offense/defense covariance is added back
  double ppp = 0;         // league points per possession
  double noise_sd = 0;    // per-team score noise
  double home_edge = 0;   // home margin advantage, points
  double ot_force = 0;    // chance that a close game (|margin| <= 6) is forced to overtime
  double net_sd = 0;      // target sd of team net ratings (offense + defense, per 100)

  // Scoring plays, as relative weights of what a scoring possession ends with.
  double w_made2 = 0;
  double w_made3 = 0;
  double w_trip2 = 0;   // two free throws, at least one made
  double w_trip3 = 0;   // three free throws (fouled on a three), at least one made
  double and_one2 = 0;  // chance a made two draws an and-one free throw
  double and_one3 = 0;
  double ft_pct = 0;

  // Possessions without points end in a turnover, a missed free-throw trip or a missed shot.
  double p_turnover = 0;
  double p_zero_trip = 0;
  double miss3_share = 0;      // share of misses that are threes
  double oreb_continue = 0;    // chance each miss is rebounded by the offense (another attempt)
  double p_personal_foul = 0;  // chance a possession has a non-shooting defensive foul
  double team_rebound = 0;     // share of defensive rebounds credited to the team, not a player

  // Credits within events.
  double ast2 = 0;  // chance a made two is assisted
  double ast3 = 0;
  double steal_per_tov = 0;
  double block2 = 0;  // chance a missed two was blocked
  double block3 = 0;
  double offensive_foul_per_tov = 0;

  // Stoppages, per possession boundary.
  double p_timeout = 0;
  double p_sub_check = 0;  // chance a team considers substitutions at a dead ball
};

GameModel BuildGameModel(const SeasonFacts& facts);

}  // namespace fastbreak::db::detail
