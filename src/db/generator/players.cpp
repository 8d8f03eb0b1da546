#include "db/generator/players.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "db/calendar.hpp"
#include "db/generator/names.hpp"
#include "db/generator/portable_math.hpp"

namespace fastbreak::db::detail {
namespace {

struct PositionProfile {
  std::string_view code;
  double share;  // of all players
  double height_cm, height_sd;
  double weight_kg, weight_sd;
  double three, rebound, assist, steal, block, foul, off_share;
};

constexpr std::array<PositionProfile, 5> kProfiles = {{
    {"G", 0.35, 191, 5, 88, 6, 0.50, 0.55, 2.3, 1.3, 0.3, 0.85, 0.62},
    {"G-F", 0.12, 198, 4, 95, 6, 0.45, 0.80, 1.1, 1.1, 0.6, 0.95, 0.56},
    {"F", 0.25, 203, 4, 102, 7, 0.38, 1.00, 0.8, 1.0, 1.0, 1.00, 0.50},
    {"F-C", 0.13, 208, 3, 110, 7, 0.22, 1.40, 0.6, 0.8, 1.8, 1.15, 0.44},
    {"C", 0.15, 213, 4, 116, 8, 0.08, 1.80, 0.5, 0.7, 2.6, 1.30, 0.40},
}};

const PositionProfile& ProfileOf(Position position) {
  return kProfiles[static_cast<size_t>(position)];
}

double Jitter(Rng& rng, double sd) { return Exp(rng.Normal(0, sd)); }

}  // namespace

std::string_view PositionCode(Position position) { return ProfileOf(position).code; }

int AgeInSeason(const Player& player, int season) {
  const CivilDate born = CivilFromDays(player.birth_days);
  return season + 1 - born.year - (born.month > 2 || (born.month == 2 && born.day > 1) ? 1 : 0);
}

double AgeCurve(double age_from_peak) {
  if (age_from_peak < 0) return 0.55 * age_from_peak;
  if (age_from_peak <= 2) return 0;
  const double past = age_from_peak - 2;
  return -(0.2 * past + 0.15 * past * past);
}

void NamePicker::Pick(Rng& rng, std::string& first, std::string& last, std::string& full) {
  const auto firsts = FirstNames();
  const auto lasts = LastNames();
  for (int attempt = 0; attempt < 8; ++attempt) {
    first = firsts[static_cast<size_t>(rng.Below(firsts.size()))];
    last = lasts[static_cast<size_t>(rng.Below(lasts.size()))];
    full = first + ' ' + last;
    if (used_.insert(full).second) return;
  }
}

Position DrawPosition(Rng& rng) {
  std::array<double, kProfiles.size()> shares{};
  for (size_t i = 0; i < kProfiles.size(); ++i) shares[i] = kProfiles[i].share;
  return static_cast<Position>(rng.Pick(shares));
}

double PeakForPick(int pick) {
  if (pick <= 0) return -4.0;
  return 3.0 - 6.5 * (pick - 1) / 59.0;
}

Player MakePlayer(const PlayerSeed& seed, NamePicker& names, Rng& rng) {
  Player p;
  p.id = seed.id;
  names.Pick(rng, p.first_name, p.last_name, p.full_name);
  p.birth_days = DaysFromCivil(seed.birth_year, 1, 1) + rng.UniformInt(0, 364);
  p.position = seed.position;
  const PositionProfile& profile = ProfileOf(seed.position);
  p.height_cm = std::clamp(
      static_cast<int>(std::lround(rng.Normal(profile.height_cm, profile.height_sd))), 170, 232);
  p.weight_kg = std::clamp(
      static_cast<int>(std::lround(rng.Normal(profile.weight_kg, profile.weight_sd))), 70, 150);
  p.country = DrawCountry(rng);
  p.draft_year = seed.draft_year;
  p.draft_round = seed.draft_round;
  p.draft_number = seed.draft_number;
  p.from_year = seed.from_year;
  p.peak = seed.peak;
  p.peak_age = std::clamp(rng.Normal(27, 1.3), 24.0, 30.0);
  p.off_share = std::clamp(profile.off_share + rng.Normal(0, 0.12), 0.15, 0.85);
  p.usage = Jitter(rng, 0.25);
  p.three = std::clamp(profile.three * Jitter(rng, 0.3), 0.0, 0.85);
  p.rebound = profile.rebound * Jitter(rng, 0.2);
  p.assist = profile.assist * Jitter(rng, 0.3);
  p.steal = profile.steal * Jitter(rng, 0.25);
  p.block = profile.block * Jitter(rng, 0.35);
  p.foul = profile.foul * Jitter(rng, 0.15);
  p.shoot = std::clamp(rng.Normal(1.0, 0.06), 0.85, 1.15);
  return p;
}

void UpdateSeasonRating(Player& player, int season, Rng& rng) {
  const double age = AgeInSeason(player, season);
  player.rating = player.peak + AgeCurve(age - player.peak_age) + rng.Normal(0, 0.7);
  player.off = player.rating * player.off_share;
  player.def = player.rating - player.off;
}

}  // namespace fastbreak::db::detail
