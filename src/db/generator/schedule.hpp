// The regular-season schedule: who plays whom, where and when.
#pragma once

#include <vector>

#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

struct ScheduledGame {
  int day = 0;   // day number
  int home = 0;  // team index into NbaTeams()
  int away = 0;
};

// The 1,230 games of the season starting in `season`, sorted by day (the order of their game
// ids). Guarantees: 82 games per team, 41 at home and 41 away; 4 games against each division
// rival, 3 or 4 against the other conference teams (52 conference games), 2 against each team
// of the other conference (one home, one away); no team plays twice on a day or three days in a
// row. Games run from the Tuesday on or after October 18 to mid-April (~165 game days, ~7.5
// games a day), with Thanksgiving, Christmas Eve and the All-Star break off.
std::vector<ScheduledGame> BuildRegularSeason(int season, Rng& rng);

}  // namespace fastbreak::db::detail
