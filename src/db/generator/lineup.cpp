#include "db/generator/lineup.hpp"

#include <algorithm>

namespace fastbreak::db::detail {
namespace {

constexpr double kSwapGapSeconds = 200;  // a swap must fix at least this much imbalance
constexpr int kMinStintSeconds = 240;    // nobody leaves sooner after checking in

bool OnCourt(const TeamSide& side, int index) {
  return side.on_since[static_cast<size_t>(index)] >= 0;
}

double Deficit(const TeamSide& side, int index, int at, int game_seconds) {
  return side.target_seconds[static_cast<size_t>(index)] * at / game_seconds -
         side.PlayedAt(index, at);
}

}  // namespace

int TeamSide::PlayedAt(int index, int now) const {
  const size_t i = static_cast<size_t>(index);
  return lines[i].seconds + (on_since[i] >= 0 ? now - on_since[i] : 0);
}

std::array<int, 5> PeriodLineup(const TeamSide& side, int period, int period_end,
                                int game_seconds) {
  std::array<int, 5> lineup = {0, 1, 2, 3, 4};
  if (period == 1 || period == 3) return lineup;
  std::array<double, 5> need{};
  need.fill(-1e18);
  lineup.fill(-1);
  const int count = static_cast<int>(side.target_seconds.size());
  for (int i = 0; i < count; ++i) {
    if (side.target_seconds[static_cast<size_t>(i)] <= 0) continue;
    const double d = Deficit(side, i, period_end, game_seconds);
    // Insert into the top five by need.
    for (size_t k = 0; k < 5; ++k) {
      if (lineup[k] < 0 || d > need[k]) {
        for (size_t j = 4; j > k; --j) {
          lineup[j] = lineup[j - 1];
          need[j] = need[j - 1];
        }
        lineup[k] = i;
        need[k] = d;
        break;
      }
    }
  }
  // Fewer than five with minutes (never in practice): fill from the listed players.
  for (size_t k = 0, next = 0; k < 5; ++k) {
    while (lineup[k] < 0) {
      if (std::find(lineup.begin(), lineup.end(), static_cast<int>(next)) == lineup.end()) {
        lineup[k] = static_cast<int>(next);
      }
      ++next;
    }
  }
  return lineup;
}

int ProposeSubstitutions(const TeamSide& side, int now, int game_seconds, int max_swaps,
                         std::array<Substitution, 3>& out) {
  std::array<int, 5> court = side.court;
  std::array<bool, 32> chosen{};
  int swaps = 0;
  const int count = static_cast<int>(side.target_seconds.size());
  while (swaps < max_swaps) {
    int best_in = -1;
    double best_in_deficit = -1e18;
    for (int i = 0; i < count && i < 32; ++i) {
      if (OnCourt(side, i) || chosen[static_cast<size_t>(i)]) continue;
      if (side.target_seconds[static_cast<size_t>(i)] <= 0) continue;
      const double d = Deficit(side, i, now, game_seconds);
      if (d > best_in_deficit) {
        best_in_deficit = d;
        best_in = i;
      }
    }
    size_t best_out = 5;
    double best_out_deficit = 1e18;
    for (size_t k = 0; k < 5; ++k) {
      const int i = court[k];
      if (chosen[static_cast<size_t>(i)]) continue;
      if (now - side.on_since[static_cast<size_t>(i)] < kMinStintSeconds) continue;
      const double d = Deficit(side, i, now, game_seconds);
      if (d < best_out_deficit) {
        best_out_deficit = d;
        best_out = k;
      }
    }
    if (best_in < 0 || best_out == 5 || best_in_deficit - best_out_deficit < kSwapGapSeconds) {
      break;
    }
    out[static_cast<size_t>(swaps++)] = {court[best_out], best_in};
    chosen[static_cast<size_t>(court[best_out])] = true;
    chosen[static_cast<size_t>(best_in)] = true;
    court[best_out] = best_in;
  }
  return swaps;
}

void ApplySubstitution(TeamSide& side, const Substitution& sub, int now) {
  const size_t out = static_cast<size_t>(sub.out);
  const size_t in = static_cast<size_t>(sub.in);
  side.lines[out].seconds += now - side.on_since[out];
  side.on_since[out] = -1;
  side.on_since[in] = now;
  for (int& slot : side.court) {
    if (slot == sub.out) slot = sub.in;
  }
}

}  // namespace fastbreak::db::detail
