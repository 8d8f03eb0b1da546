// Team, season and game-id lookup (the player half of lookup.hpp is in lookup.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "db/schema/teams.hpp"
#include "nba/lookup.hpp"

namespace fastbreak::nba {
namespace {

constexpr int kMinSeason = 1946;
constexpr int kMaxSeason = 2100;

// Lower case, punctuation dropped, runs of spaces collapsed: "  L.A.  Lakers " -> "la lakers".
std::string Normalize(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out.push_back(static_cast<char>(std::tolower(u)));
    } else if (std::isspace(u) || c == '-' || c == '_') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Optimal string alignment distance: edits plus adjacent transpositions ("Celitcs" is 1 from
// "Celtics").
size_t EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// Edits tolerated for a query of this length.
size_t FuzzBudget(size_t length) {
  if (length <= 3) return 0;
  if (length <= 5) return 1;
  if (length <= 10) return 2;
  return 3;
}

TeamRef ToRef(const db::TeamInfo& team) {
  return TeamRef{team.team_id, std::string(team.abbreviation), std::string(team.full_name),
                 std::string(team.conference), std::string(team.division)};
}

// Common short names that are not the city, nickname or full name.
struct Alias {
  std::string_view alias;
  std::string_view abbreviation;
};
constexpr Alias kAliases[] = {
    {"la lakers", "LAL"},
    {"la clippers", "LAC"},
    {"lac", "LAC"},
    {"sixers", "PHI"},
    {"philly", "PHI"},
    {"blazers", "POR"},
    {"cavs", "CLE"},
    {"mavs", "DAL"},
    {"wolves", "MIN"},
    {"twolves", "MIN"},
    {"t wolves", "MIN"},
    {"nola", "NOP"},
    {"okc", "OKC"},
    {"dubs", "GSW"},
    {"golden state", "GSW"},
    {"sac", "SAC"},
    {"knicks", "NYK"},
    {"new york", "NYK"},
    {"brooklyn", "BKN"},
    {"nets", "BKN"},
    {"celts", "BOS"},
    {"clips", "LAC"},
    {"grizz", "MEM"},
    {"pels", "NOP"},
    {"new jersey nets", "BKN"},
    {"seattle supersonics", "OKC"},
    {"sonics", "OKC"},
};

std::string CandidateList(const std::vector<const db::TeamInfo*>& teams) {
  std::string out;
  for (const db::TeamInfo* team : teams) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({}, id {})", team->full_name, team->abbreviation, team->team_id);
  }
  return out;
}

void AddUnique(std::vector<const db::TeamInfo*>& teams, const db::TeamInfo* team) {
  if (std::find(teams.begin(), teams.end(), team) == teams.end()) teams.push_back(team);
}

Result<TeamRef> ResolveTeamName(std::string_view raw, std::string_view argument) {
  const std::string query = Normalize(raw);
  if (query.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{} must name a team: an abbreviation (\"BOS\"), city, nickname, full name "
                     "or team id",
                     argument);
  }
  if (const db::TeamInfo* team = db::FindTeamByAbbreviation(query)) return ToRef(*team);
  for (const Alias& alias : kAliases) {
    if (alias.alias == query) {
      if (const db::TeamInfo* team = db::FindTeamByAbbreviation(alias.abbreviation)) {
        return ToRef(*team);
      }
    }
  }

  // Exact names: full name, nickname, city (a city may hold two teams).
  std::vector<const db::TeamInfo*> exact;
  for (const db::TeamInfo& team : db::NbaTeams()) {
    if (Normalize(team.full_name) == query || Normalize(team.nickname) == query ||
        Normalize(team.city) == query) {
      AddUnique(exact, &team);
    }
  }
  // Prefixes and words: "Trail", "Golden", "Lakers" inside "Los Angeles Lakers".
  std::vector<const db::TeamInfo*> partial;
  if (exact.empty() && query.size() >= 3) {
    for (const db::TeamInfo& team : db::NbaTeams()) {
      const std::string full = Normalize(team.full_name);
      const std::string nickname = Normalize(team.nickname);
      const std::string city = Normalize(team.city);
      if (full.starts_with(query) || nickname.starts_with(query) || city.starts_with(query) ||
          (query.size() >= 4 && full.find(" " + query) != std::string::npos)) {
        AddUnique(partial, &team);
      }
    }
  }
  std::vector<const db::TeamInfo*>& matches = exact.empty() ? partial : exact;
  if (matches.empty()) {
    // Misspellings: the closest of full name, nickname, city within a small budget.
    size_t best = FuzzBudget(query.size()) + 1;
    for (const db::TeamInfo& team : db::NbaTeams()) {
      for (std::string_view name : {team.full_name, team.nickname, team.city}) {
        const size_t distance = EditDistance(query, Normalize(name));
        if (distance < best) {
          best = distance;
          matches.clear();
        }
        if (distance == best) AddUnique(matches, &team);
      }
    }
  }
  if (matches.size() == 1) return ToRef(*matches.front());
  if (matches.size() > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{} '{}' matches several teams: {}; retry with an abbreviation or id",
                     argument, raw, CandidateList(matches));
  }
  return MakeError(ErrorCode::kNotFound,
                   "no team matches {} '{}'; name a team by abbreviation (\"BOS\", \"LAL\"), "
                   "city (\"Boston\"), nickname (\"Celtics\"), full name or NBA.com team id",
                   argument, raw);
}

Result<TeamRef> ResolveTeamId(int64_t id, std::string_view argument) {
  if (const db::TeamInfo* team = db::FindTeam(id)) return ToRef(*team);
  return MakeError(ErrorCode::kNotFound,
                   "no team has id {} ({}); NBA.com team ids run from 1610612737 (ATL) to "
                   "1610612766 (CHA), or name the team (\"BOS\", \"Celtics\")",
                   id, argument);
}

Result<int> ParseSeasonText(std::string_view raw, std::string_view argument) {
  std::string_view text = raw;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  const auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{} must be a season start year between {} and {} or a label like "
                     "\"2023-24\", got \"{}\"",
                     argument, kMinSeason, kMaxSeason, raw);
  };
  if (text.size() < 4 || !AllDigits(text.substr(0, 4))) return bad();
  int start = 0;
  std::from_chars(text.data(), text.data() + 4, start);
  std::string_view rest = text.substr(4);
  if (!rest.empty()) {
    if (rest.front() != '-' && rest.front() != '/') return bad();
    rest.remove_prefix(1);
    if (!AllDigits(rest) || (rest.size() != 2 && rest.size() != 4)) return bad();
    int end = 0;
    std::from_chars(rest.data(), rest.data() + rest.size(), end);
    const int expected = rest.size() == 2 ? (start + 1) % 100 : start + 1;
    if (end != expected) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "{} \"{}\" is not a season: a season spans two consecutive years, "
                       "like \"{}\"",
                       argument, raw, SeasonLabel(start));
    }
  }
  if (start < kMinSeason || start > kMaxSeason) return bad();
  return start;
}

}  // namespace

Result<TeamRef> ResolveTeam(db::Connection& /*db*/, const nlohmann::json& value,
                            std::string_view argument) {
  if (value.is_number_integer()) return ResolveTeamId(value.get<int64_t>(), argument);
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() > 100) {
      return MakeError(ErrorCode::kInvalidArgument, "{} is too long (at most 100 characters)",
                       argument);
    }
    const std::string trimmed = Normalize(text);
    if (AllDigits(trimmed) && trimmed.size() >= 6) {
      int64_t id = 0;
      const auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), id);
      if (ec == std::errc()) return ResolveTeamId(id, argument);
    }
    return ResolveTeamName(text, argument);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "{} must be a team name, abbreviation (\"BOS\") or integer team id, got {}",
                   argument, value.dump());
}

Result<int> ResolveSeason(db::Connection& db, const nlohmann::json* value,
                          std::string_view argument) {
  if (value == nullptr || value->is_null()) {
    FB_ASSIGN_OR_RETURN(db::StatementPtr statement,
                        db.Prepare("SELECT MAX(season_id) FROM seasons"));
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row || statement->IsNull(0)) {
      return MakeError(ErrorCode::kNotFound,
                       "the database holds no seasons yet; import or generate data first");
    }
    return static_cast<int>(statement->GetInt(0));
  }
  if (value->is_number_integer()) {
    const int64_t year = value->get<int64_t>();
    if (year < kMinSeason || year > kMaxSeason) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "{} must be a season start year between {} and {} (2023 is 2023-24), "
                       "got {}",
                       argument, kMinSeason, kMaxSeason, year);
    }
    return static_cast<int>(year);
  }
  if (value->is_string()) return ParseSeasonText(value->get_ref<const std::string&>(), argument);
  return MakeError(ErrorCode::kInvalidArgument,
                   "{} must be a start year (2023) or a label (\"2023-24\"), got {}", argument,
                   value->dump());
}

std::string SeasonLabel(int season) { return fmt::format("{}-{:02}", season, (season + 1) % 100); }

Result<std::string> ParseGameId(const nlohmann::json& value, std::string_view argument) {
  const auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{} must be a ten-digit NBA.com game id like \"0022300061\" (00, type digit "
                     "2 regular/4 playoffs/5 play-in, season year, sequence), got {}; use "
                     "schedule to find game ids",
                     argument, value.dump());
  };
  std::string digits;
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() ? false : value.get<int64_t>() < 0) return bad();
    digits = value.is_number_unsigned() ? std::to_string(value.get<uint64_t>())
                                        : std::to_string(value.get<int64_t>());
  } else if (value.is_string()) {
    digits = value.get<std::string>();
    while (!digits.empty() && std::isspace(static_cast<unsigned char>(digits.back()))) {
      digits.pop_back();
    }
    digits.erase(0, std::min(digits.find_first_not_of(" \t"), digits.size()));
  } else {
    return bad();
  }
  if (!AllDigits(digits) || digits.size() > 10) return bad();
  return std::string(10 - digits.size(), '0') + digits;
}

}  // namespace fastbreak::nba
