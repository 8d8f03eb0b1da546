// League-wide facts per season, measured from real NBA regular-season games. The generator
// calibrates pace, scoring, shot mix and box-score rates to them.
#pragma once

namespace fastbreak::db::detail {

// Per team-game averages unless noted.
struct SeasonFacts {
  int season;        // start year
  double pts_mean;   // team points
  double pts_sd;     // sd of team points
  double margin_sd;  // sd of the home margin
  double home_win;   // home win rate
  double fga;        // field-goal attempts
  double fg_pct;
  double fg3a_share;  // share of FGA that are threes
  double fg3_pct;
  double fta;
  double ft_pct;
  double oreb;
  double dreb;
  double ast;
  double stl;
  double blk;
  double tov;
  double pf;
  double poss_mean;  // possessions per team-game
  double poss_sd;
  double ot_rate;  // share of games that go to overtime
};

// The facts of `start_year`'s season; seasons outside the measured range (2000-01 .. 2025-26)
// take the nearest measured season's facts. `season` is set to `start_year`.
SeasonFacts FactsForSeason(int start_year);

}  // namespace fastbreak::db::detail
