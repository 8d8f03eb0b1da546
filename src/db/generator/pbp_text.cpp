#include "db/generator/pbp_text.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>

namespace fastbreak::db::detail {
namespace {

struct ShotType {
  std::string_view action;
  double weight;
  int min_distance;
  int max_distance;
};

constexpr std::array<ShotType, 6> kThrees = {{
    {"Jump Shot", 55, 22, 27},
    {"Pullup Jump Shot", 18, 23, 28},
    {"Step Back Jump Shot", 12, 23, 29},
    {"Running Jump Shot", 5, 23, 27},
    {"Fadeaway Jump Shot", 3, 23, 26},
    {"Turnaround Jump Shot", 7, 22, 26},
}};

// Twos by zone: at the rim, in the paint, mid-range.
constexpr std::array<ShotType, 14> kTwos = {{
    {"Layup", 12, 0, 3},
    {"Driving Layup", 14, 0, 4},
    {"Cutting Layup Shot", 4, 0, 2},
    {"Dunk", 6, 0, 1},
    {"Driving Dunk", 3, 0, 2},
    {"Alley Oop Dunk", 2, 0, 1},
    {"Tip Layup Shot", 2, 0, 2},
    {"Floating Jump Shot", 8, 5, 12},
    {"Driving Floating Jump Shot", 5, 5, 12},
    {"Hook Shot", 5, 3, 10},
    {"Turnaround Hook Shot", 3, 4, 10},
    {"Jump Shot", 14, 12, 21},
    {"Pullup Jump Shot", 12, 10, 21},
    {"Fadeaway Jump Shot", 5, 10, 20},
}};

constexpr std::array<std::string_view, 8> kPeriodNames = {
    "1st Period", "2nd Period", "3rd Period", "4th Period", "1st OT", "2nd OT", "3rd OT", "4th OT"};

template <typename... Args>
void Append(std::string& text, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(text), format, std::forward<Args>(args)...);
}

void AppendShot(std::string& text, const ShotDetail& shot, bool three) {
  if (shot.distance > 0) Append(text, "{}' ", shot.distance);
  if (three) text += "3PT ";
  text += shot.action;
}

}  // namespace

ShotDetail DrawShot(bool three, bool made, Rng& rng) {
  if (three) {
    std::array<double, kThrees.size()> weights{};
    for (size_t i = 0; i < kThrees.size(); ++i) weights[i] = kThrees[i].weight;
    const ShotType& t = kThrees[rng.Pick(weights)];
    return {t.action, rng.UniformInt(t.min_distance, t.max_distance)};
  }
  std::array<double, kTwos.size()> weights{};
  for (size_t i = 0; i < kTwos.size(); ++i) {
    // Made twos come from close in more often than missed ones.
    const bool rim = kTwos[i].max_distance <= 4;
    weights[i] = kTwos[i].weight * (rim ? (made ? 1.4 : 0.7) : 1.0);
  }
  const ShotType& t = kTwos[rng.Pick(weights)];
  return {t.action, rng.UniformInt(t.min_distance, t.max_distance)};
}

TurnoverKind DrawTurnover(bool steal, bool offensive_foul, Rng& rng) {
  if (offensive_foul) return {"Offensive Foul", false};
  if (steal) return {rng.Bernoulli(0.6) ? "Bad Pass" : "Lost Ball", true};
  constexpr std::array<std::string_view, 6> kOther = {
      "Bad Pass",   "Traveling", "Out of Bounds Lost Ball",
      "Shot Clock", "Lost Ball", "Out of Bounds - Bad Pass Turnover"};
  constexpr std::array<double, 6> kWeights = {30, 25, 15, 8, 12, 10};
  return {kOther[rng.Pick(kWeights)], false};
}

std::string_view PeriodName(int period) {
  const size_t index = static_cast<size_t>(period - 1);
  return index < kPeriodNames.size() ? kPeriodNames[index] : "OT";
}

void AppendMadeShot(std::string& text, std::string_view shooter, const ShotDetail& shot, bool three,
                    int points, std::string_view assister, int assists) {
  text += shooter;
  text += ' ';
  AppendShot(text, shot, three);
  Append(text, " ({} PTS)", points);
  if (!assister.empty()) Append(text, " ({} {} AST)", assister, assists);
}

void AppendMissedShot(std::string& text, std::string_view shooter, const ShotDetail& shot,
                      bool three, std::string_view blocker, int blocks) {
  text += "MISS ";
  text += shooter;
  text += ' ';
  AppendShot(text, shot, three);
  if (!blocker.empty()) Append(text, "; {} BLOCK ({} BLK)", blocker, blocks);
}

void AppendFreeThrow(std::string& text, std::string_view shooter, int number, int of, bool made,
                     int points) {
  if (made) {
    Append(text, "{} Free Throw {} of {} ({} PTS)", shooter, number, of, points);
  } else {
    Append(text, "MISS {} Free Throw {} of {}", shooter, number, of);
  }
}

void AppendRebound(std::string& text, std::string_view player, int offensive, int defensive) {
  Append(text, "{} REBOUND (Off:{} Def:{})", player, offensive, defensive);
}

void AppendTeamRebound(std::string& text, std::string_view nickname) {
  Append(text, "{} Rebound", nickname);
}

void AppendTurnover(std::string& text, std::string_view player, std::string_view action,
                    int player_turnovers, int team_turnovers, std::string_view stealer,
                    int steals) {
  Append(text, "{} {} Turnover (P{}.T{})", player, action, player_turnovers, team_turnovers);
  if (!stealer.empty()) Append(text, "; {} STEAL ({} STL)", stealer, steals);
}

void AppendFoul(std::string& text, std::string_view player, std::string_view code, int personal,
                int team) {
  Append(text, "{} {} (P{}.T{})", player, code, personal, team);
}

void AppendSubstitution(std::string& text, std::string_view in, std::string_view out) {
  Append(text, "SUB: {} FOR {}", in, out);
}

void AppendTimeout(std::string& text, std::string_view nickname, int number) {
  Append(text, "{} Timeout: Regular (Reg.{})", nickname, number);
}

void AppendJumpBall(std::string& text, std::string_view home, std::string_view away,
                    std::string_view tip_to) {
  Append(text, "Jump Ball {} vs. {}: Tip to {}", home, away, tip_to);
}

void AppendPeriodMarker(std::string& text, bool start, int period) {
  Append(text, "{} of {}", start ? "Start" : "End", PeriodName(period));
}

}  // namespace fastbreak::db::detail
