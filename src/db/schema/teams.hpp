// The 30 NBA franchises with their NBA.com ids, and the conference/division alignment in
// force since 2004-05. Reference data written by the generator and every importer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "db/database.hpp"

namespace fastbreak::db {

struct TeamInfo {
  int64_t team_id;
  std::string_view abbreviation;
  std::string_view city;
  std::string_view nickname;
  std::string_view full_name;
  std::string_view conference;  // "East" or "West"
  std::string_view division;
  std::string_view state;
  int year_founded;
};

// All 30, ordered by team id.
std::span<const TeamInfo> NbaTeams();

// The team with this id / abbreviation, or null. Abbreviations are case-insensitive and include
// the codes other sources use for the same franchise, its earlier homes included: NBA.com's
// older ("NJN", "SEA", "NOH", "CHH", "VAN"), ESPN's ("GS", "NY", "SA", "UTAH", "WSH") and
// Basketball-Reference's / FiveThirtyEight's ("BRK", "PHO", "CHO", "KCK", "CIN", "MNL", "SDR",
// "BUF", "BAL"...).
const TeamInfo* FindTeam(int64_t team_id);
const TeamInfo* FindTeamByAbbreviation(std::string_view abbreviation);

// True for a Basketball-Reference code of a franchise with no current team (BAA/NBA clubs of
// 1946-55 such as "PRO", ABA clubs that folded such as "KEN"); case-insensitive.
bool IsDefunctFranchiseCode(std::string_view code);

// Inserts the 30 teams; rows already present are left as they are. Returns rows inserted.
Result<int64_t> SeedTeams(Connection& connection);

}  // namespace fastbreak::db
