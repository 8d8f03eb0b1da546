#include "db/generator/schedule.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "db/calendar.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int kTeams = 30;
constexpr int kSeasonDays = 174;  // opening night to the last regular-season day, inclusive
constexpr int kMaxGamesPerDay = 15;
constexpr int kNever = -1000;

struct Matchup {
  int home;
  int away;
};

void AddGames(std::vector<Matchup>& out, int a, int b, int a_home, int b_home) {
  for (int i = 0; i < a_home; ++i) out.push_back({a, b});
  for (int i = 0; i < b_home; ++i) out.push_back({b, a});
}

// Every game of the season as (home, away), before dates are assigned.
std::vector<Matchup> BuildMatchups(Rng& rng) {
  const auto teams = NbaTeams();
  // divisions[conference][division][slot] = team index; divisions ordered by name.
  std::array<std::array<std::array<int, 5>, 3>, 2> divisions{};
  std::array<std::array<std::string_view, 3>, 2> names = {
      {{"Atlantic", "Central", "Southeast"}, {"Northwest", "Pacific", "Southwest"}}};
  std::array<std::array<int, 3>, 2> filled{};
  std::array<int, kTeams> conference{};
  std::array<int, kTeams> division{};
  std::array<int, kTeams> slot{};
  for (int t = 0; t < kTeams; ++t) {
    const int c = teams[static_cast<size_t>(t)].conference == "East" ? 0 : 1;
    for (int d = 0; d < 3; ++d) {
      if (names[c][d] != teams[static_cast<size_t>(t)].division) continue;
      divisions[c][d][filled[c][d]++] = t;
    }
  }
  for (auto& conf : divisions) {
    for (auto& div : conf) rng.Shuffle(std::span<int>(div));
  }
  for (int c = 0; c < 2; ++c) {
    for (int d = 0; d < 3; ++d) {
      for (int s = 0; s < 5; ++s) {
        const int t = divisions[c][d][s];
        conference[t] = c;
        division[t] = d;
        slot[t] = s;
      }
    }
  }
  // Which out-of-division conference opponents are met only three times rotates by season.
  std::array<std::array<int, 3>, 2> shift{};
  for (auto& conf : shift) {
    for (int& s : conf) s = rng.UniformInt(0, 4);
  }
  std::vector<Matchup> games;
  games.reserve(1230);
  for (int a = 0; a < kTeams; ++a) {
    for (int b = a + 1; b < kTeams; ++b) {
      if (conference[a] != conference[b]) {
        AddGames(games, a, b, 1, 1);
      } else if (division[a] == division[b]) {
        AddGames(games, a, b, 2, 2);
      } else {
        // Orient the pair so that `low` is in the lower-numbered division.
        const int low = division[a] < division[b] ? a : b;
        const int high = low == a ? b : a;
        const int pair = division[low] + division[high] - 1;  // (0,1)->0 (0,2)->1 (1,2)->2
        const int s = shift[conference[a]][pair];
        const int offset = (slot[high] - slot[low] + 5) % 5;
        if (offset == s) {
          AddGames(games, low, high, 2, 1);
        } else if (offset == (s + 1) % 5) {
          AddGames(games, low, high, 1, 2);
        } else {
          AddGames(games, low, high, 2, 2);
        }
      }
    }
  }
  return games;
}

// The n-th `weekday` (0 = Sunday) of a month.
int NthWeekday(int year, int month, int weekday, int n) {
  const int first = DaysFromCivil(year, month, 1);
  const int delta = (weekday - Weekday(first) + 7) % 7;
  return first + delta + 7 * (n - 1);
}

bool IsDayOff(int day, int season) {
  const int thanksgiving = NthWeekday(season, 11, 4, 4);
  const int christmas_eve = DaysFromCivil(season, 12, 24);
  const int all_star_sunday = NthWeekday(season + 1, 2, 0, 3);
  return day == thanksgiving || day == christmas_eve ||
         (day >= all_star_sunday - 2 && day <= all_star_sunday + 3);
}

// Games per day, summing to `total`, shaped like the real week (Wednesdays and Fridays busy,
// Thursdays light), a small opening night and a full last day.
std::vector<int> DailyTargets(const std::vector<int>& days, int total) {
  constexpr std::array<double, 7> kWeekday = {7, 8, 6, 10, 5, 9, 8};
  if (days.empty()) return {};
  std::vector<double> weights(days.size());
  for (size_t i = 0; i < days.size(); ++i) weights[i] = kWeekday[Weekday(days[i])];
  weights[0] = 2;
  weights[days.size() - 1] = 15;
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<int> targets(days.size());
  double carry = 0;
  for (size_t i = 0; i < days.size(); ++i) {
    const double exact = weights[i] * total / sum + carry;
    targets[i] = std::clamp(static_cast<int>(exact + 0.5), 1, kMaxGamesPerDay);
    carry = exact - targets[i];
  }
  return targets;
}

}  // namespace

std::vector<ScheduledGame> BuildRegularSeason(int season, Rng& rng) {
  std::vector<Matchup> remaining = BuildMatchups(rng);
  rng.Shuffle(std::span<Matchup>(remaining));
  const int october_18 = DaysFromCivil(season, 10, 18);
  const int opening = october_18 + (2 - Weekday(october_18) + 7) % 7;  // a Tuesday
  std::vector<int> days;
  for (int d = opening; d < opening + kSeasonDays; ++d) {
    if (!IsDayOff(d, season)) days.push_back(d);
  }
  const std::vector<int> targets = DailyTargets(days, static_cast<int>(remaining.size()));

  std::array<int, kTeams> left{};  // games still to schedule
  std::array<int, kTeams> last{};  // last day played
  std::array<int, kTeams> before_last{};
  for (const Matchup& m : remaining) {
    ++left[m.home];
    ++left[m.away];
  }
  last.fill(kNever);
  before_last.fill(kNever);

  std::vector<ScheduledGame> out;
  out.reserve(remaining.size());
  struct Candidate {
    double score;
    size_t index;
  };
  std::vector<Candidate> candidates;
  std::vector<char> taken;
  for (size_t i = 0; !remaining.empty(); ++i) {
    const bool overtime = i >= days.size();  // schedule spilled past the planned last day
    const int day = overtime ? days.back() + static_cast<int>(i - days.size()) + 1 : days[i];
    const int target = overtime ? kMaxGamesPerDay : targets[i];
    // No three days in a row, spilled days included. The loop still ends: a day on which no
    // game fits leaves every team rested for the next.
    auto rested = [&](int t) { return !(last[t] == day - 1 && before_last[t] == day - 2); };
    candidates.clear();
    for (size_t g = 0; g < remaining.size(); ++g) {
      const Matchup& m = remaining[g];
      if (!rested(m.home) || !rested(m.away)) continue;
      const double back_to_back =
          (last[m.home] == day - 1 ? 1 : 0) + (last[m.away] == day - 1 ? 1 : 0);
      candidates.push_back({left[m.home] + left[m.away] - 3 * back_to_back + 2 * rng.Uniform(), g});
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return a.score > b.score || (a.score == b.score && a.index < b.index);
    });
    std::array<bool, kTeams> busy{};
    taken.assign(remaining.size(), 0);
    int scheduled = 0;
    for (const Candidate& c : candidates) {
      if (scheduled >= target) break;
      const Matchup& m = remaining[c.index];
      if (busy[m.home] || busy[m.away]) continue;
      busy[m.home] = busy[m.away] = true;
      taken[c.index] = 1;
      out.push_back({day, m.home, m.away});
      ++scheduled;
    }
    for (int t = 0; t < kTeams; ++t) {
      if (!busy[t]) continue;
      before_last[t] = last[t];
      last[t] = day;
      --left[t];
    }
    size_t kept = 0;
    for (size_t g = 0; g < remaining.size(); ++g) {
      if (!taken[g]) remaining[kept++] = remaining[g];
    }
    remaining.resize(kept);
  }
  return out;
}

}  // namespace fastbreak::db::detail
