// A period as a script of possessions: what each one ends with and how long it lasts, built so
// that each team scores exactly its planned points for the period.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "db/generator/game_model.hpp"
#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

enum class Outcome : uint8_t {
  kMade2,
  kMade3,
  kFreeThrows,  // shooting foul, free throws only
  kTurnover,
  kMiss2,  // rebounded by the defense
  kMiss3,
};

struct Possession {
  uint8_t side = 0;  // the offense: 0 home, 1 away
  Outcome outcome = Outcome::kMiss2;
  uint8_t and_one = 0;         // made field goals: 0 none, 1 free throw made, 2 missed
  uint8_t ft_attempts = 0;     // kFreeThrows: 2 or 3
  uint8_t ft_made_mask = 0;    // kFreeThrows: bit i set when free throw i + 1 is made
  uint8_t extra_misses = 0;    // misses rebounded by the offense before the outcome
  bool personal_foul = false;  // a non-shooting defensive foul first
  uint16_t seconds = 0;        // duration

  int Points() const;
};

// Scratch buffers reused across periods.
struct PeriodScratch {
  std::array<std::vector<Possession>, 2> lists;
  std::vector<double> weights;
  std::vector<int> durations;
};

// Replaces `out` with one period's possessions. The offense alternates, starting with
// `first_side`; side s scores exactly points[s]; each side has about `poss_per_team` possessions
// (more when its points need them); durations are whole seconds summing to `period_seconds`.
void BuildPeriod(const GameModel& model, int first_side, std::array<int, 2> points,
                 double poss_per_team, int period_seconds, Rng& rng, PeriodScratch& scratch,
                 std::vector<Possession>& out);

}  // namespace fastbreak::db::detail
