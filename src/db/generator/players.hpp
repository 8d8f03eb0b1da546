// Synthetic players: biography, ratings that follow an aging curve, and the role weights that
// decide who shoots, rebounds, assists, steals, blocks and fouls in a simulated game.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

enum class Position : uint8_t { kGuard, kGuardForward, kForward, kForwardCenter, kCenter };

// "G", "G-F", "F", "F-C", "C".
std::string_view PositionCode(Position position);

inline constexpr int kFreeAgent = -1;
inline constexpr int kRetired = -2;

struct Player {
  int64_t id = 0;
  std::string first_name;
  std::string last_name;
  std::string full_name;
  int birth_days = 0;  // day number (days since 1970-01-01)
  int height_cm = 0;
  int weight_kg = 0;
  Position position = Position::kForward;
  std::string_view country;  // static storage
  int draft_year = 0;        // 0 = undrafted (round and number 0 too)
  int draft_round = 0;
  int draft_number = 0;
  int from_year = 0;           // first season played; 0 until he is first listed for a game
  int last_listed_season = 0;  // last season he was listed for a game (0 = never)

  // Ratings are points per 100 possessions against an average player (like box plus-minus).
  double peak = 0;  // at his peak age
  double peak_age = 27;
  double off_share = 0.5;  // share of the rating on offense
  double rating = 0;       // this season's
  double off = 0;
  double def = 0;

  // Role weights, ~1 for an average player (usage also grows with rating).
  double usage = 1;
  double three = 0.35;  // share of his shots that are threes
  double rebound = 1;
  double assist = 1;
  double steal = 1;
  double block = 1;
  double foul = 1;
  double shoot = 1;  // shooting touch: >1 makes more of his shots

  int team = kFreeAgent;  // team index 0..29, kFreeAgent or kRetired
  int injured_games = 0;  // games he still misses
  int seasons_unsigned = 0;
};

// Age during `season` (on February 1 of the season's second year).
int AgeInSeason(const Player& player, int season);

// Rating change against the peak at `age` years, ignoring noise: rises until ~27, flat to 29,
// declines faster every year after 30.
double AgeCurve(double age_from_peak);

// Draws unique full names (first + last) from the name pools. Not thread-safe.
class NamePicker {
 public:
  // Picks a name not used before when possible (falls back to a repeat after a few tries).
  void Pick(Rng& rng, std::string& first, std::string& last, std::string& full);

 private:
  std::unordered_set<std::string> used_;  // membership only; never iterated
};

struct PlayerSeed {
  int64_t id = 0;
  int birth_year = 0;
  Position position = Position::kForward;
  double peak = 0;
  int draft_year = 0;
  int draft_round = 0;
  int draft_number = 0;
  int from_year = 0;
};

// A new player: bio (name, birth date, size by position, country), role weights and peak.
Player MakePlayer(const PlayerSeed& seed, NamePicker& names, Rng& rng);

// A position drawn by the league-wide mix (more guards and forwards than centers).
Position DrawPosition(Rng& rng);

// Expected peak rating of the `pick`th selection of a draft (1..60; 0 = undrafted).
double PeakForPick(int pick);

// Sets `rating`, `off` and `def` for `season` from the peak, the aging curve and a yearly
// fluctuation.
void UpdateSeasonRating(Player& player, int season, Rng& rng);

}  // namespace fastbreak::db::detail
