// BuildRegularSeason's guarantees over many seasons and seeds, including schedules that spill
// past their planned last day (the (season, seed) pairs listed first).
#include "db/generator/schedule.hpp"

#include <gtest/gtest.h>

#include <array>
#include <utility>
#include <vector>

#include "db/calendar.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int kTeams = 30;

void ExpectScheduleGuarantees(int season, uint64_t seed) {
  Rng rng(DeriveSeed(seed, static_cast<uint64_t>(season)));
  const std::vector<ScheduledGame> games = BuildRegularSeason(season, rng);
  ASSERT_EQ(games.size(), 1230u);
  std::array<int, kTeams> home{};
  std::array<int, kTeams> away{};
  std::array<std::vector<int>, kTeams> days;
  for (const ScheduledGame& g : games) {
    ++home[static_cast<size_t>(g.home)];
    ++away[static_cast<size_t>(g.away)];
    days[static_cast<size_t>(g.home)].push_back(g.day);
    days[static_cast<size_t>(g.away)].push_back(g.day);
  }
  for (int t = 0; t < kTeams; ++t) {
    const std::vector<int>& d = days[static_cast<size_t>(t)];
    EXPECT_EQ(home[static_cast<size_t>(t)], 41) << season << " " << seed;
    EXPECT_EQ(away[static_cast<size_t>(t)], 41) << season << " " << seed;
    for (size_t i = 1; i < d.size(); ++i) {
      EXPECT_LT(d[i - 1], d[i]) << "twice a day: " << season << " " << seed;  // sorted by day
      if (i >= 2) {
        EXPECT_FALSE(d[i] == d[i - 1] + 1 && d[i - 1] == d[i - 2] + 1)
            << "three days in a row: season " << season << ", seed " << seed << ", team " << t;
      }
    }
  }
  EXPECT_LE(games.back().day, DaysFromCivil(season + 1, 4, 20)) << season << " " << seed;
}

TEST(Schedule, KeepsItsGuaranteesEvenWhenItSpillsOver) {
  // Pairs whose schedule runs past the planned days (they once allowed three days in a row).
  const std::vector<std::pair<int, uint64_t>> spilling = {{1950, 0}, {1962, 0}, {1963, 1},
                                                          {1966, 1}, {1947, 2}, {1955, 3}};
  for (const auto& [season, seed] : spilling) ExpectScheduleGuarantees(season, seed);
  for (int season = 2015; season <= 2030; ++season) ExpectScheduleGuarantees(season, 42);
}

}  // namespace
}  // namespace fastbreak::db::detail
