#include "db/generator/league.hpp"

#include <algorithm>
#include <cmath>

#include "db/generator/portable_math.hpp"

namespace fastbreak::db::detail {
namespace {

// Stream names for DeriveSeed(seed, season, stream).
constexpr uint64_t kInitialStream = 1'000'001;
constexpr uint64_t kOffseasonStream = 1'000'002;
constexpr uint64_t kTradeStream = 1'000'100;

constexpr int kFreeAgentPool = 60;
constexpr int kMinHealthy = 13;        // fewer healthy players: hardship signings
constexpr double kInjuryRate = 0.018;  // per player-game
constexpr double kFormSd = 1.2;        // game-to-game form, rating points

// Relative frequency of ages 19..38 in a league.
constexpr std::array<double, 20> kAgeWeights = {2,   4, 6, 7, 8, 8,   8,   8,   7.5, 7,
                                                6.5, 6, 5, 4, 3, 2.5, 1.8, 1.2, 0.8, 0.4};

// The positions of a 15-man roster.
constexpr std::array<Position, kRosterSize> kRosterPositions = {
    Position::kGuard,         Position::kGuard,   Position::kGuard,
    Position::kGuard,         Position::kGuard,   Position::kGuardForward,
    Position::kGuardForward,  Position::kForward, Position::kForward,
    Position::kForward,       Position::kForward, Position::kForwardCenter,
    Position::kForwardCenter, Position::kCenter,  Position::kCenter};

int DrawAge(Rng& rng) { return 19 + static_cast<int>(rng.Pick(kAgeWeights)); }

void Erase(std::vector<int>& list, int value) {
  list.erase(std::remove(list.begin(), list.end(), value), list.end());
}

}  // namespace

League::League(uint64_t seed, int64_t first_player_id)
    : seed_(seed), first_player_id_(first_player_id) {}

int League::AddPlayer(const PlayerSeed& seed, Rng& rng) {
  PlayerSeed with_id = seed;
  with_id.id = first_player_id_ + static_cast<int64_t>(players_.size());
  players_.push_back(MakePlayer(with_id, names_, rng));
  return static_cast<int>(players_.size()) - 1;
}

PlayerSeed League::VeteranSeed(int season, int age, Position position, Rng& rng) {
  PlayerSeed seed;
  seed.birth_year = season + 1 - age;
  seed.position = position;
  const int entry_age = std::min(age, rng.UniformInt(19, 22));
  const int first_season = seed.birth_year + entry_age;
  const int years_in = season - first_season;
  if (rng.Bernoulli(0.72)) {
    const int pick = rng.UniformInt(1, 60);
    seed.draft_year = first_season;
    seed.draft_round = pick <= 30 ? 1 : 2;
    seed.draft_number = pick;
    seed.peak = PeakForPick(pick);
  } else {
    seed.peak = PeakForPick(0);
  }
  // Veterans still in the league are the ones who were good enough to stay.
  seed.peak += rng.Normal(0, 2.2) + std::min(1.5, 0.15 * years_in);
  seed.from_year = years_in > 0 ? first_season : 0;
  return seed;
}

void League::CreateInitial(int season) {
  season_ = season;
  Rng rng(DeriveSeed(seed_, static_cast<uint64_t>(season), kInitialStream));
  for (int team = 0; team < kTeamCount; ++team) {
    for (Position position : kRosterPositions) {
      const int index = AddPlayer(VeteranSeed(season, DrawAge(rng), position, rng), rng);
      Sign(index, team);
    }
  }
  TopUpFreeAgents(season, rng);
  for (Player& p : players_) UpdateSeasonRating(p, season, rng);
}

int League::AddFreeAgent(int season, Rng& rng) {
  PlayerSeed seed = VeteranSeed(season, rng.UniformInt(21, 30), DrawPosition(rng), rng);
  seed.peak -= 1.5;
  const int index = AddPlayer(seed, rng);
  player(index).team = kFreeAgent;
  free_agents_.push_back(index);
  return index;
}

void League::TopUpFreeAgents(int season, Rng& rng) {
  while (static_cast<int>(free_agents_.size()) < kFreeAgentPool) {
    const int index = AddFreeAgent(season, rng);
    UpdateSeasonRating(player(index), season, rng);
  }
}

void League::Sign(int index, int team) {
  Player& p = player(index);
  if (p.team == kFreeAgent) Erase(free_agents_, index);
  p.team = team;
  p.seasons_unsigned = 0;
  rosters_[static_cast<size_t>(team)].push_back(index);
}

void League::Move(int index, int team) {
  Player& p = player(index);
  Erase(rosters_[static_cast<size_t>(p.team)], index);
  p.team = team;
  rosters_[static_cast<size_t>(team)].push_back(index);
}

void League::Release(int index) {
  Player& p = player(index);
  if (p.team >= 0) Erase(rosters_[static_cast<size_t>(p.team)], index);
  p.team = kFreeAgent;
  free_agents_.push_back(index);
}

void League::Retire(int index) {
  Player& p = player(index);
  if (p.team >= 0) Erase(rosters_[static_cast<size_t>(p.team)], index);
  if (p.team == kFreeAgent) Erase(free_agents_, index);
  p.team = kRetired;
  p.injured_games = 0;
}

double League::Value(int index) const {
  const Player& p = player(index);
  const int age = AgeInSeason(p, season_);
  const double upside = age < 25 ? 0.35 * std::max(0.0, p.peak - p.rating) : 0.0;
  return p.rating + upside;
}

int League::BestFreeAgent() const {
  int best = -1;
  for (int index : free_agents_) {
    if (player(index).injured_games > 0) continue;
    if (best < 0 || Value(index) > Value(best)) best = index;
  }
  return best;
}

void League::Trade(Rng& rng) {
  const int team_a = rng.UniformInt(0, kTeamCount - 1);
  const int team_b = (team_a + rng.UniformInt(1, kTeamCount - 1)) % kTeamCount;
  const auto& roster_a = rosters_[static_cast<size_t>(team_a)];
  const auto& roster_b = rosters_[static_cast<size_t>(team_b)];
  if (roster_a.empty() || roster_b.empty()) return;
  const int a = roster_a[static_cast<size_t>(rng.Below(roster_a.size()))];
  int b = -1;
  double closest = 1.5;  // only fair swaps
  for (int candidate : roster_b) {
    const double gap = std::abs(Value(candidate) - Value(a));
    if (gap < closest) {
      closest = gap;
      b = candidate;
    }
  }
  if (b < 0) return;
  Move(a, team_b);
  Move(b, team_a);
}

void League::FillRosters(Rng& rng) {
  std::array<int, kTeamCount> order{};
  for (int t = 0; t < kTeamCount; ++t) order[static_cast<size_t>(t)] = t;
  rng.Shuffle(std::span<int>(order));
  bool signed_any = true;
  while (signed_any) {
    signed_any = false;
    for (int team : order) {
      if (static_cast<int>(roster(team).size()) >= kRosterSize) continue;
      const int best = BestFreeAgent();
      if (best < 0) return;
      Sign(best, team);
      signed_any = true;
    }
  }
}

void League::RunOffseason(int season, std::span<const int> draft_order) {
  season_ = season;
  Rng rng(DeriveSeed(seed_, static_cast<uint64_t>(season), kOffseasonStream));
  for (Player& p : players_) {
    if (p.team == kRetired) continue;
    p.injured_games = 0;
    UpdateSeasonRating(p, season, rng);
  }
  // Retirements: age and declining play end careers; unsigned players give up.
  for (int i = 0; i < static_cast<int>(players_.size()); ++i) {
    Player& p = player(i);
    if (p.team == kRetired) continue;
    const int age = AgeInSeason(p, season);
    double logit = 0.8 * (age - 35) + 0.7 * (-3.5 - p.rating);
    if (p.team == kFreeAgent) logit += 1.5 + 1.5 * p.seasons_unsigned;
    const double chance = 1 / (1 + Exp(-logit));
    if (age >= 41 || rng.Bernoulli(chance)) Retire(i);
  }
  // Expiring contracts: some veterans test free agency and may sign elsewhere.
  for (int team = 0; team < kTeamCount; ++team) {
    const std::vector<int> current = roster(team);
    for (int index : current) {
      if (rng.Bernoulli(0.10)) Release(index);
    }
  }
  for (int index : free_agents_) ++player(index).seasons_unsigned;
  // The draft: two rounds in reverse order of the last standings.
  for (int round = 1; round <= 2; ++round) {
    for (size_t slot = 0; slot < draft_order.size(); ++slot) {
      PlayerSeed seed;
      const int age = rng.UniformInt(19, 22);
      seed.birth_year = season - age;
      seed.position = DrawPosition(rng);
      seed.draft_year = season;
      seed.draft_round = round;
      seed.draft_number = (round - 1) * kTeamCount + static_cast<int>(slot) + 1;
      seed.peak = PeakForPick(seed.draft_number) + rng.Normal(0, 2.2);
      const int index = AddPlayer(seed, rng);
      UpdateSeasonRating(player(index), season, rng);
      Sign(index, draft_order[slot]);
    }
  }
  for (int i = 0; i < 10; ++i) Trade(rng);
  // Rosters back to 15: cut the least valuable, then sign the best free agents.
  for (int team = 0; team < kTeamCount; ++team) {
    while (static_cast<int>(roster(team).size()) > kRosterSize) {
      const auto& r = roster(team);
      const int worst =
          *std::min_element(r.begin(), r.end(), [&](int a, int b) { return Value(a) < Value(b); });
      Release(worst);
    }
  }
  FillRosters(rng);
  TopUpFreeAgents(season, rng);
}

void League::RunTradeWindow(int season, int window) {
  Rng rng(DeriveSeed(seed_, static_cast<uint64_t>(season), kTradeStream + window));
  const int trades = rng.UniformInt(3, 6);
  for (int i = 0; i < trades; ++i) Trade(rng);
  // Waive-and-sign (10-day contracts, two-way call-ups): a team swaps its least valuable
  // players for the best free agents, 0-2 times per window.
  for (int team = 0; team < kTeamCount; ++team) {
    const size_t moves = rng.Pick(std::array<double, 3>{0.25, 0.45, 0.3});
    for (size_t move = 0; move < moves; ++move) {
      const auto& r = roster(team);
      const int best = BestFreeAgent();
      if (r.empty() || best < 0) break;
      const int worst =
          *std::min_element(r.begin(), r.end(), [&](int a, int b) { return Value(a) < Value(b); });
      Release(worst);
      Sign(best, team);
    }
  }
  TopUpFreeAgents(season, rng);
}

void League::PrepareForGame(int team, Rng& rng, std::vector<int>& listed) {
  listed.clear();
  auto& r = rosters_[static_cast<size_t>(team)];
  int injured = 0;
  for (int index : r) {
    Player& p = player(index);
    if (p.injured_games > 0) {
      --p.injured_games;
      ++injured;
      continue;
    }
    if (rng.Bernoulli(kInjuryRate)) {
      const int games = rng.Bernoulli(0.12) ? rng.UniformInt(10, 40) : 1 + rng.Geometric(0.7, 15);
      p.injured_games = games - 1;  // this game is the first he misses
      ++injured;
      continue;
    }
    listed.push_back(index);
  }
  // Healthy again and over the limit: waive the least valuable extra players.
  while (injured == 0 && static_cast<int>(r.size()) > kRosterSize) {
    const int worst =
        *std::min_element(r.begin(), r.end(), [&](int a, int b) { return Value(a) < Value(b); });
    Release(worst);
    Erase(listed, worst);
  }
  // Hardship signings when injuries leave fewer than 13.
  while (static_cast<int>(listed.size()) < kMinHealthy) {
    const int best = BestFreeAgent();
    if (best < 0) break;
    Sign(best, team);
    listed.push_back(best);
  }
  // The coach's order: rating plus this week's form, so the end of the bench varies.
  form_.clear();
  for (int index : listed) form_.push_back({player(index).rating + rng.Normal(0, kFormSd), index});
  std::sort(form_.begin(), form_.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  listed.clear();
  for (const auto& entry : form_) {
    if (listed.size() < static_cast<size_t>(kRosterSize)) listed.push_back(entry.second);
  }
}

}  // namespace fastbreak::db::detail
