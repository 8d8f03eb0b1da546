#include "db/generator/game_plan.hpp"

#include <algorithm>
#include <cmath>

#include "db/generator/portable_math.hpp"

namespace fastbreak::db::detail {
namespace {

// Minutes by rank: starters (best first), then the bench.
constexpr std::array<double, 5> kStarterMinutes = {34.5, 33.5, 32.5, 31.0, 29.5};
constexpr std::array<double, 7> kBenchMinutes = {24.0, 20.0, 16.5, 13.0, 9.5, 6.5, 4.0};
constexpr std::array<std::string_view, 5> kSlots = {"G", "G", "F", "F", "C"};

bool Fits(Position position, size_t slot) {
  switch (position) {
    case Position::kGuard:
      return slot < 2;
    case Position::kGuardForward:
      return slot < 4;
    case Position::kForward:
      return slot == 2 || slot == 3;
    case Position::kForwardCenter:
      return slot >= 2;
    case Position::kCenter:
      return slot == 4;
  }
  return false;
}

int RotationSize(bool playoffs, Rng* rng) {
  if (rng == nullptr) return playoffs ? 9 : 10;
  if (playoffs) return 8 + static_cast<int>(rng->Pick(std::array<double, 3>{0.3, 0.45, 0.25}));
  return 9 + static_cast<int>(rng->Pick(std::array<double, 4>{0.15, 0.35, 0.32, 0.18}));
}

}  // namespace

void PlanRotation(const League& league, std::span<const int> listed, bool playoffs, Rng* rng,
                  Rotation& out) {
  out.players.clear();
  out.shares.clear();
  // Starters: best available player for each slot, in rating order.
  std::array<int, 5> slot_player = {-1, -1, -1, -1, -1};
  std::array<bool, kMaxListed> used{};
  if (listed.size() > used.size()) listed = listed.first(used.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    for (size_t s = 0; s < kSlots.size(); ++s) {
      if (slot_player[s] < 0 && Fits(league.player(listed[i]).position, s)) {
        slot_player[s] = static_cast<int>(i);
        used[i] = true;
        break;
      }
    }
  }
  for (size_t s = 0; s < kSlots.size(); ++s) {
    for (size_t i = 0; slot_player[s] < 0 && i < listed.size(); ++i) {
      if (!used[i]) {
        slot_player[s] = static_cast<int>(i);
        used[i] = true;
      }
    }
  }
  // Starters ordered by rating (listed order), keeping their slot label.
  std::array<size_t, 5> order = {0, 1, 2, 3, 4};
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return slot_player[a] < slot_player[b]; });
  int size = std::min(RotationSize(playoffs, rng), static_cast<int>(listed.size()));
  double total = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    if (slot_player[order[k]] < 0) continue;
    out.players.push_back(listed[static_cast<size_t>(slot_player[order[k]])]);
    out.starter_positions[out.players.size() - 1] = kSlots[order[k]];
    const double minutes =
        kStarterMinutes[k] * (playoffs ? 1.06 : 1.0) * (rng ? Exp(rng->Normal(0, 0.08)) : 1);
    out.shares.push_back(minutes);
    total += minutes;
  }
  size_t bench_rank = 0;
  for (size_t i = 0; i < listed.size(); ++i) {
    if (used[i]) continue;
    out.players.push_back(listed[i]);
    double minutes = 0;
    if (static_cast<int>(out.players.size()) <= size && bench_rank < kBenchMinutes.size()) {
      minutes = kBenchMinutes[bench_rank++] * (rng ? Exp(rng->Normal(0, 0.15)) : 1);
    }
    out.shares.push_back(minutes);
    total += minutes;
  }
  for (double& share : out.shares) share *= 5 / total;
}

void AddGarbageTime(int margin, Rng& rng, Rotation& rotation) {
  if (margin < 18) return;
  const int extra = std::min(3, 1 + (margin - 18) / 8);
  double added = 0;
  int given = 0;
  for (size_t i = 5; i < rotation.shares.size() && given < extra; ++i) {
    if (rotation.shares[i] > 0) continue;
    rotation.shares[i] = rng.Uniform(3, 8) / 48;
    added += rotation.shares[i];
    ++given;
  }
  double starters = 0;
  for (size_t i = 0; i < 5 && i < rotation.shares.size(); ++i) starters += rotation.shares[i];
  for (size_t i = 0; i < 5 && i < rotation.shares.size(); ++i) {
    rotation.shares[i] *= 1 - added / starters;
  }
}

TeamStrength RotationStrength(const League& league, const Rotation& rotation) {
  TeamStrength s;
  for (size_t i = 0; i < rotation.players.size(); ++i) {
    const Player& p = league.player(rotation.players[i]);
    s.off += rotation.shares[i] * p.off;
    s.def += rotation.shares[i] * p.def;
  }
  return s;
}

StrengthScale MeasureLeague(const League& league, double net_sd) {
  std::array<TeamStrength, kTeamCount> raw{};
  Rotation rotation;
  std::vector<int> listed;
  for (int team = 0; team < kTeamCount; ++team) {
    listed = league.roster(team);
    std::stable_sort(listed.begin(), listed.end(), [&](int a, int b) {
      return league.player(a).rating > league.player(b).rating;
    });
    PlanRotation(league, listed, false, nullptr, rotation);
    raw[static_cast<size_t>(team)] = RotationStrength(league, rotation);
  }
  StrengthScale scale;
  for (const TeamStrength& s : raw) {
    scale.off_mean += s.off / kTeamCount;
    scale.def_mean += s.def / kTeamCount;
  }
  double net_var = 0;
  double cov = 0;
  for (const TeamStrength& s : raw) {
    const double off = s.off - scale.off_mean;
    const double def = s.def - scale.def_mean;
    net_var += (off + def) * (off + def) / kTeamCount;
    cov += off * def / kTeamCount;
  }
  scale.scale = std::clamp(net_sd / std::sqrt(net_var + 1e-9), 0.2, 5.0);
  scale.off_def_cov = std::max(0.0, scale.scale * scale.scale * cov);
  return scale;
}

int ScorePlan::Total(int side) const {
  int total = 0;
  for (int p = 0; p < periods; ++p)
    total += points[static_cast<size_t>(side)][static_cast<size_t>(p)];
  return total;
}

void Apportion(std::span<const double> weights, int total, std::span<int> out) {
  double sum = 0;
  for (double w : weights) sum += w;
  // Cumulative rounding: every part is within one of its exact share and the parts sum exactly.
  double cumulative = 0;
  int previous = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    cumulative += weights[i];
    const int upto = i + 1 == weights.size()
                         ? total
                         : static_cast<int>(std::floor(cumulative / sum * total + 0.5));
    out[i] = upto - previous;
    previous = upto;
  }
}

ScorePlan PlanScore(const GameModel& m, const StrengthScale& scale, const TeamStrength& home,
                    const TeamStrength& away, Rng& rng) {
  ScorePlan plan;
  const double pace_limit = 2 * m.pace_sd;
  double pace = std::clamp(rng.Normal(m.poss_mean, m.pace_sd), m.poss_mean - pace_limit,
                           m.poss_mean + pace_limit);
  const double shared = rng.Normal(0, std::sqrt(m.shared_var + 2 * scale.off_def_cov));
  const double expect_home =
      pace * (m.ppp + (home.off - away.def) / 100) + m.home_edge / 2 + shared;
  const double expect_away =
      pace * (m.ppp + (away.off - home.def) / 100) - m.home_edge / 2 + shared;
  int home_pts = std::max(60, static_cast<int>(std::lround(rng.Normal(expect_home, m.noise_sd))));
  int away_pts = std::max(60, static_cast<int>(std::lround(rng.Normal(expect_away, m.noise_sd))));
  int overtimes = 0;
  if (home_pts == away_pts) {
    overtimes = 1;
  } else if (std::abs(home_pts - away_pts) <= 6 && rng.Bernoulli(m.ot_force)) {
    overtimes = 1;
    home_pts = away_pts = (home_pts + away_pts + rng.UniformInt(0, 1)) / 2;
  }
  if (overtimes > 0) overtimes += rng.Geometric(0.11, kMaxOvertimes - 1);
  plan.periods = 4 + overtimes;
  // Long games play at a slower pace so that no game runs far past a normal possession count.
  const double minutes = 48.0 + 5.0 * overtimes;
  pace = std::min(pace, (m.poss_mean + m.pace_sd) * 48.0 / minutes);
  plan.poss_per_team = pace;

  std::array<double, 4> weights{};
  std::array<int, 4> quarters{};
  const std::array<int, 2> regulation = {home_pts, away_pts};
  for (size_t side = 0; side < 2; ++side) {
    for (double& w : weights) w = std::max(0.12, rng.Normal(0.25, 0.05));
    Apportion(weights, regulation[side], quarters);
    for (size_t q = 0; q < 4; ++q) plan.points[side][q] = quarters[q];
  }
  const double ot_mean = 0.92 * m.ppp * pace * 5.0 / 48.0;
  for (int ot = 1; ot <= overtimes; ++ot) {
    const size_t index = static_cast<size_t>(3 + ot);
    auto draw = [&] {
      return std::clamp(static_cast<int>(std::lround(rng.Normal(ot_mean, 3.0))), 2, 24);
    };
    int h = draw();
    int a = ot < overtimes ? h : draw();
    if (ot == overtimes && h == a) {
      const double home_chance = std::clamp(0.5 + (expect_home - expect_away) / 30, 0.2, 0.8);
      (rng.Bernoulli(home_chance) ? h : a) += rng.UniformInt(1, 3);
    }
    plan.points[0][index] = h;
    plan.points[1][index] = a;
  }
  return plan;
}

}  // namespace fastbreak::db::detail
