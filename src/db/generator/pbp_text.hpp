// The vocabulary of the play-by-play: shot types and distances, turnover and foul kinds, and
// descriptions in the NBA.com PlayByPlayV2 style ("Smith 26' 3PT Jump Shot (12 PTS) (Jones 3
// AST)", "MISS Smith 3' Layup"). Every Append* function appends to `text` without clearing it.
#pragma once

#include <string>
#include <string_view>

#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

struct ShotDetail {
  std::string_view action;  // static storage: "Jump Shot", "Driving Layup", "Dunk", ...
  int distance;             // feet
};

// A shot's type and distance: threes from 22 to ~30 feet, twos near the rim more often when made.
ShotDetail DrawShot(bool three, bool made, Rng& rng);

struct TurnoverKind {
  std::string_view action;  // "Bad Pass", "Lost Ball", "Traveling", "Offensive Foul", ...
  bool steal;               // a defender is credited with a steal
};
// `steal`: whether this turnover is a steal (bad pass or lost ball) or not.
TurnoverKind DrawTurnover(bool steal, bool offensive_foul, Rng& rng);

std::string_view PeriodName(int period);  // "1st Period" ... "4th Period", "1st OT", ...

void AppendMadeShot(std::string& text, std::string_view shooter, const ShotDetail& shot, bool three,
                    int points, std::string_view assister, int assists);
void AppendMissedShot(std::string& text, std::string_view shooter, const ShotDetail& shot,
                      bool three, std::string_view blocker, int blocks);
void AppendFreeThrow(std::string& text, std::string_view shooter, int number, int of, bool made,
                     int points);
void AppendRebound(std::string& text, std::string_view player, int offensive, int defensive);
void AppendTeamRebound(std::string& text, std::string_view nickname);
void AppendTurnover(std::string& text, std::string_view player, std::string_view action,
                    int player_turnovers, int team_turnovers, std::string_view stealer, int steals);
// code: "P.FOUL", "S.FOUL", "OFF.FOUL", "L.B.FOUL".
void AppendFoul(std::string& text, std::string_view player, std::string_view code, int personal,
                int team);
void AppendSubstitution(std::string& text, std::string_view in, std::string_view out);
void AppendTimeout(std::string& text, std::string_view nickname, int number);
void AppendJumpBall(std::string& text, std::string_view home, std::string_view away,
                    std::string_view tip_to);
void AppendPeriodMarker(std::string& text, bool start, int period);

}  // namespace fastbreak::db::detail
