#include "db/generator/possessions.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <span>

#include "db/generator/game_plan.hpp"

namespace fastbreak::db::detail {
namespace {

uint8_t DrawFreeThrows(int attempts, double pct, bool at_least_one, Rng& rng) {
  uint8_t mask = 0;
  do {
    mask = 0;
    for (int i = 0; i < attempts; ++i) {
      if (rng.Bernoulli(pct)) mask = static_cast<uint8_t>(mask | (1u << i));
    }
  } while (at_least_one && mask == 0);
  return mask;
}

Possession MadeShot(Outcome outcome, double and_one, double ft_pct, Rng& rng) {
  Possession p;
  p.outcome = outcome;
  if (rng.Bernoulli(and_one)) p.and_one = rng.Bernoulli(ft_pct) ? 1 : 2;
  return p;
}

Possession FreeThrows(int attempts, uint8_t mask) {
  Possession p;
  p.outcome = Outcome::kFreeThrows;
  p.ft_attempts = static_cast<uint8_t>(attempts);
  p.ft_made_mask = mask;
  return p;
}

Possession DrawScoring(const GameModel& m, Rng& rng) {
  const std::array<double, 4> weights = {m.w_made2, m.w_made3, m.w_trip2, m.w_trip3};
  switch (rng.Pick(weights)) {
    case 0:
      return MadeShot(Outcome::kMade2, m.and_one2, m.ft_pct, rng);
    case 1:
      return MadeShot(Outcome::kMade3, m.and_one3, m.ft_pct, rng);
    case 2:
      return FreeThrows(2, DrawFreeThrows(2, m.ft_pct, true, rng));
    default:
      return FreeThrows(3, DrawFreeThrows(3, m.ft_pct, true, rng));
  }
}

// A scoring possession worth exactly `left` points when left <= 3, else a plain two (which
// leaves at least two).
Possession FitScoring(int left, Rng& rng) {
  switch (left) {
    case 1:
      return FreeThrows(2, rng.Bernoulli(0.5) ? 1 : 2);
    case 2:
      return rng.Bernoulli(0.8) ? MadeShot(Outcome::kMade2, 0, 0, rng) : FreeThrows(2, 3);
    case 3: {
      if (rng.Bernoulli(0.75)) return MadeShot(Outcome::kMade3, 0, 0, rng);
      Possession p = MadeShot(Outcome::kMade2, 0, 0, rng);
      p.and_one = 1;
      return p;
    }
    default:
      return MadeShot(Outcome::kMade2, 0, 0, rng);
  }
}

Possession DrawEmpty(const GameModel& m, Rng& rng) {
  const double u = rng.Uniform();
  if (u < m.p_turnover) {
    Possession p;
    p.outcome = Outcome::kTurnover;
    return p;
  }
  if (u < m.p_turnover + m.p_zero_trip) return FreeThrows(2, 0);
  Possession p;
  p.outcome = rng.Bernoulli(m.miss3_share) ? Outcome::kMiss3 : Outcome::kMiss2;
  return p;
}

}  // namespace

int Possession::Points() const {
  switch (outcome) {
    case Outcome::kMade2:
      return 2 + (and_one == 1 ? 1 : 0);
    case Outcome::kMade3:
      return 3 + (and_one == 1 ? 1 : 0);
    case Outcome::kFreeThrows:
      return std::popcount(static_cast<unsigned>(ft_made_mask));
    default:
      return 0;
  }
}

void BuildPeriod(const GameModel& m, int first_side, std::array<int, 2> points,
                 double poss_per_team, int period_seconds, Rng& rng, PeriodScratch& scratch,
                 std::vector<Possession>& out) {
  for (size_t side = 0; side < 2; ++side) {
    auto& list = scratch.lists[side];
    list.clear();
    for (int left = points[side]; left > 0;) {
      // Redraw plays that overshoot or leave a single point (which only a 1-of-2 trip could
      // fill), so that the last play of a period keeps the natural mix.
      Possession p = DrawScoring(m, rng);
      for (int tries = 0; tries < 4 && (p.Points() > left || left - p.Points() == 1); ++tries) {
        p = DrawScoring(m, rng);
      }
      if (p.Points() > left || left - p.Points() == 1) p = FitScoring(left, rng);
      left -= p.Points();
      list.push_back(p);
    }
  }
  const size_t first = static_cast<size_t>(first_side);
  const size_t other = 1 - first;
  const double expected = poss_per_team * period_seconds / 2880.0;
  const size_t base = static_cast<size_t>(std::max(1L, std::lround(rng.Normal(expected, 0.8))));
  // Possessions alternate, so the side with the ball first has as many or one more.
  const size_t first_count =
      std::max({base, scratch.lists[first].size(), scratch.lists[other].size()});
  size_t other_count = first_count - (rng.Bernoulli(0.5) ? 1 : 0);
  other_count = std::max(other_count, scratch.lists[other].size());
  const std::array<size_t, 2> counts = {first == 0 ? first_count : other_count,
                                        first == 0 ? other_count : first_count};
  for (size_t side = 0; side < 2; ++side) {
    auto& list = scratch.lists[side];
    while (list.size() < counts[side]) list.push_back(DrawEmpty(m, rng));
    for (Possession& p : list) {
      p.side = static_cast<uint8_t>(side);
      p.extra_misses = static_cast<uint8_t>(rng.Geometric(m.oreb_continue, 4));
      p.personal_foul = rng.Bernoulli(m.p_personal_foul);
    }
    rng.Shuffle(std::span<Possession>(list));
  }
  out.clear();
  for (size_t i = 0; i < first_count; ++i) {
    out.push_back(scratch.lists[first][i]);
    if (i < other_count) out.push_back(scratch.lists[other][i]);
  }
  scratch.weights.resize(out.size());
  for (double& w : scratch.weights) w = rng.Uniform(4, 22);
  scratch.durations.resize(out.size());
  Apportion(scratch.weights, period_seconds, scratch.durations);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].seconds = static_cast<uint16_t>(scratch.durations[i]);
  }
}

}  // namespace fastbreak::db::detail
