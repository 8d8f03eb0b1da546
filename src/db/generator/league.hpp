// The league's people over time: 30 rosters, a free-agent pool, careers that start with a draft
// and end in retirement, trades and signings between and during seasons, and injuries.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "db/generator/players.hpp"
#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

inline constexpr int kTeamCount = 30;
inline constexpr int kRosterSize = 15;

// Not thread-safe. Players are addressed by index; player i has id first_player_id + i.
class League {
 public:
  League(uint64_t seed, int64_t first_player_id);

  // Builds the opening league for `season`: 15 players of all ages per team and a free-agent
  // pool, every rating set for the season.
  void CreateInitial(int season);

  // Between seasons, before `season`: aging, retirements, expiring contracts, a 60-pick draft in
  // `draft_order` (team indices, worst record first), trades, and free agency back to 15-man
  // rosters.
  void RunOffseason(int season, std::span<const int> draft_order);

  // In-season roster churn at trade window `window` (0, 1, ...): trades, waivers and signings.
  void RunTradeWindow(int season, int window);

  // Advances injuries for one team's next game and returns in `listed` the healthy players
  // dressed for it (at most 15, best first), signing replacements when fewer than 13 are
  // healthy.
  void PrepareForGame(int team, Rng& rng, std::vector<int>& listed);

  Player& player(int index) { return players_[static_cast<size_t>(index)]; }
  const Player& player(int index) const { return players_[static_cast<size_t>(index)]; }
  const std::vector<int>& roster(int team) const { return rosters_[static_cast<size_t>(team)]; }
  size_t player_count() const { return players_.size(); }

 private:
  int AddPlayer(const PlayerSeed& seed, Rng& rng);
  PlayerSeed VeteranSeed(int season, int age, Position position, Rng& rng);
  int AddFreeAgent(int season, Rng& rng);
  // Signs a free agent (or a new player) to `team`.
  void Sign(int index, int team);
  // Moves a rostered player to another team (a trade).
  void Move(int index, int team);
  void Release(int index);
  void Retire(int index);
  // How much a team wants him: this season's rating plus some of a young player's upside.
  double Value(int index) const;
  // The free agent a team would sign next, or -1.
  int BestFreeAgent() const;
  void Trade(Rng& rng);
  void FillRosters(Rng& rng);
  void TopUpFreeAgents(int season, Rng& rng);

  uint64_t seed_;
  int64_t first_player_id_;
  int season_ = 0;
  std::vector<Player> players_;
  std::array<std::vector<int>, kTeamCount> rosters_;
  std::vector<int> free_agents_;
  NamePicker names_;
  std::vector<std::pair<double, int>> form_;  // scratch for PrepareForGame
};

}  // namespace fastbreak::db::detail
