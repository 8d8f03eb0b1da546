#include "db/schema/teams.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace fastbreak::db {
namespace {

constexpr std::array<TeamInfo, 30> kTeams = {{
    {1610612737, "ATL", "Atlanta", "Hawks", "Atlanta Hawks", "East", "Southeast", "Georgia", 1949},
    {1610612738, "BOS", "Boston", "Celtics", "Boston Celtics", "East", "Atlantic", "Massachusetts",
     1946},
    {1610612739, "CLE", "Cleveland", "Cavaliers", "Cleveland Cavaliers", "East", "Central", "Ohio",
     1970},
    {1610612740, "NOP", "New Orleans", "Pelicans", "New Orleans Pelicans", "West", "Southwest",
     "Louisiana", 2002},
    {1610612741, "CHI", "Chicago", "Bulls", "Chicago Bulls", "East", "Central", "Illinois", 1966},
    {1610612742, "DAL", "Dallas", "Mavericks", "Dallas Mavericks", "West", "Southwest", "Texas",
     1980},
    {1610612743, "DEN", "Denver", "Nuggets", "Denver Nuggets", "West", "Northwest", "Colorado",
     1976},
    {1610612744, "GSW", "Golden State", "Warriors", "Golden State Warriors", "West", "Pacific",
     "California", 1946},
    {1610612745, "HOU", "Houston", "Rockets", "Houston Rockets", "West", "Southwest", "Texas",
     1967},
    {1610612746, "LAC", "Los Angeles", "Clippers", "Los Angeles Clippers", "West", "Pacific",
     "California", 1970},
    {1610612747, "LAL", "Los Angeles", "Lakers", "Los Angeles Lakers", "West", "Pacific",
     "California", 1948},
    {1610612748, "MIA", "Miami", "Heat", "Miami Heat", "East", "Southeast", "Florida", 1988},
    {1610612749, "MIL", "Milwaukee", "Bucks", "Milwaukee Bucks", "East", "Central", "Wisconsin",
     1968},
    {1610612750, "MIN", "Minnesota", "Timberwolves", "Minnesota Timberwolves", "West", "Northwest",
     "Minnesota", 1989},
    {1610612751, "BKN", "Brooklyn", "Nets", "Brooklyn Nets", "East", "Atlantic", "New York", 1976},
    {1610612752, "NYK", "New York", "Knicks", "New York Knicks", "East", "Atlantic", "New York",
     1946},
    {1610612753, "ORL", "Orlando", "Magic", "Orlando Magic", "East", "Southeast", "Florida", 1989},
    {1610612754, "IND", "Indiana", "Pacers", "Indiana Pacers", "East", "Central", "Indiana", 1976},
    {1610612755, "PHI", "Philadelphia", "76ers", "Philadelphia 76ers", "East", "Atlantic",
     "Pennsylvania", 1949},
    {1610612756, "PHX", "Phoenix", "Suns", "Phoenix Suns", "West", "Pacific", "Arizona", 1968},
    {1610612757, "POR", "Portland", "Trail Blazers", "Portland Trail Blazers", "West", "Northwest",
     "Oregon", 1970},
    {1610612758, "SAC", "Sacramento", "Kings", "Sacramento Kings", "West", "Pacific", "California",
     1948},
    {1610612759, "SAS", "San Antonio", "Spurs", "San Antonio Spurs", "West", "Southwest", "Texas",
     1976},
    {1610612760, "OKC", "Oklahoma City", "Thunder", "Oklahoma City Thunder", "West", "Northwest",
     "Oklahoma", 1967},
    {1610612761, "TOR", "Toronto", "Raptors", "Toronto Raptors", "East", "Atlantic", "Ontario",
     1995},
    {1610612762, "UTA", "Utah", "Jazz", "Utah Jazz", "West", "Northwest", "Utah", 1974},
    {1610612763, "MEM", "Memphis", "Grizzlies", "Memphis Grizzlies", "West", "Southwest",
     "Tennessee", 1995},
    {1610612764, "WAS", "Washington", "Wizards", "Washington Wizards", "East", "Southeast",
     "District of Columbia", 1961},
    {1610612765, "DET", "Detroit", "Pistons", "Detroit Pistons", "East", "Central", "Michigan",
     1948},
    {1610612766, "CHA", "Charlotte", "Hornets", "Charlotte Hornets", "East", "Southeast",
     "North Carolina", 1988},
}};

// Codes used by other sources (Basketball-Reference, FiveThirtyEight, ESPN, NBA.com game logs
// of past seasons) for the same franchises, earlier homes included (NBA.com counts a
// franchise's history under its current team id: the Cincinnati Royals are the Kings).
struct Alias {
  std::string_view code;
  std::string_view abbreviation;
};
constexpr std::array<Alias, 47> kAliases = {{
    {"TRI", "ATL"}, {"MLH", "ATL"}, {"STL", "ATL"}, {"NJN", "BKN"},  {"NJ", "BKN"},  {"BRK", "BKN"},
    {"NYN", "BKN"}, {"NYA", "BKN"}, {"NJA", "BKN"}, {"CHH", "CHA"},  {"CHO", "CHA"}, {"CHB", "CHA"},
    {"DNR", "DEN"}, {"DNA", "DEN"}, {"FTW", "DET"}, {"GS", "GSW"},   {"PHW", "GSW"}, {"SFW", "GSW"},
    {"SDR", "HOU"}, {"INA", "IND"}, {"BUF", "LAC"}, {"SDC", "LAC"},  {"MNL", "LAL"}, {"VAN", "MEM"},
    {"NOH", "NOP"}, {"NOK", "NOP"}, {"NO", "NOP"},  {"NY", "NYK"},   {"SEA", "OKC"}, {"SYR", "PHI"},
    {"PHO", "PHX"}, {"ROC", "SAC"}, {"CIN", "SAC"}, {"KCO", "SAC"},  {"KCK", "SAC"}, {"SA", "SAS"},
    {"SAA", "SAS"}, {"TEX", "SAS"}, {"DLC", "SAS"}, {"UTAH", "UTA"}, {"NOJ", "UTA"}, {"WSH", "WAS"},
    {"WSB", "WAS"}, {"CHP", "WAS"}, {"CHZ", "WAS"}, {"BAL", "WAS"},  {"CAP", "WAS"},
}};

// Basketball-Reference codes of franchises with no current team: BAA/NBA clubs of 1946-55 and
// ABA clubs that folded.
constexpr std::array<std::string_view, 34> kDefunctCodes = {
    "AND", "BLB", "CHS", "CLR", "DNN", "DTF", "INJ", "INO", "PIT", "PRO", "SHE", "STB",
    "TRH", "WAT", "WSC", "ANA", "HSM", "KEN", "LAS", "MMF", "MMP", "MMS", "MMT", "MNM",
    "MNP", "NOB", "OAK", "PTC", "PTP", "SDA", "SDS", "SSL", "UTS", "VIR"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::span<const TeamInfo> NbaTeams() { return kTeams; }

const TeamInfo* FindTeam(int64_t team_id) {
  auto it = std::lower_bound(kTeams.begin(), kTeams.end(), team_id,
                             [](const TeamInfo& t, int64_t id) { return t.team_id < id; });
  return it != kTeams.end() && it->team_id == team_id ? &*it : nullptr;
}

const TeamInfo* FindTeamByAbbreviation(std::string_view abbreviation) {
  for (const Alias& alias : kAliases) {
    if (EqualsIgnoreCase(alias.code, abbreviation)) {
      abbreviation = alias.abbreviation;
      break;
    }
  }
  for (const TeamInfo& team : kTeams) {
    if (EqualsIgnoreCase(team.abbreviation, abbreviation)) return &team;
  }
  return nullptr;
}

bool IsDefunctFranchiseCode(std::string_view code) {
  return std::any_of(kDefunctCodes.begin(), kDefunctCodes.end(),
                     [&](std::string_view defunct) { return EqualsIgnoreCase(defunct, code); });
}

Result<int64_t> SeedTeams(Connection& connection) {
  FB_ASSIGN_OR_RETURN(StatementPtr insert,
                      connection.Prepare("INSERT INTO teams(team_id, abbreviation, city, nickname, "
                                         "full_name, conference, division, state, year_founded) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                         "ON CONFLICT DO NOTHING"));
  int64_t inserted = 0;
  for (const TeamInfo& team : kTeams) {
    insert->BindAll(team.team_id, team.abbreviation, team.city, team.nickname, team.full_name,
                    team.conference, team.division, team.state, team.year_founded);
    FB_RETURN_IF_ERROR(insert->Run());
    inserted += connection.Changes();
  }
  return inserted;
}

}  // namespace fastbreak::db
