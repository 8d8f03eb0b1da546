#include <algorithm>
#include <cctype>
#include <set>

#include "nba/catalog.hpp"
#include "nba/lookup.hpp"

namespace fastbreak::nba {
namespace {

// The most player matches counted for `total`.
constexpr size_t kPlayerScan = 100;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// True when `prefix` starts `text` or one of its words (case-insensitive).
bool WordPrefix(const std::string& text, const std::string& prefix) {
  const std::string lower = Lower(text);
  for (size_t at = 0; at < lower.size();) {
    if (lower.compare(at, prefix.size(), prefix) == 0) return true;
    const size_t space = lower.find(' ', at);
    if (space == std::string::npos) break;
    at = space + 1;
  }
  return false;
}

Result<Completion> CompletePlayers(std::string_view prefix, size_t limit, CallContext& context) {
  FB_ASSIGN_OR_RETURN(auto players, SearchPlayers(context.db, prefix, kPlayerScan));
  Completion completion;
  completion.total = static_cast<int>(players.size());
  std::set<std::string> seen;
  for (const auto& player : players) {
    if (completion.values.size() >= limit) break;
    if (seen.insert(player.name).second) completion.values.push_back(player.name);
  }
  return completion;
}

Result<Completion> CompleteTeams(std::string_view prefix, size_t limit, CallContext& context) {
  FB_ASSIGN_OR_RETURN(auto statement,
                      context.db.Prepare("SELECT abbreviation, full_name, city, nickname "
                                         "FROM teams ORDER BY full_name"));
  const std::string wanted = Lower(prefix);
  std::vector<std::string> abbreviations;
  std::vector<std::string> names;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    const std::string abbreviation(statement->GetText(0));
    const std::string full_name(statement->GetText(1));
    if (!wanted.empty() && Lower(abbreviation).starts_with(wanted)) {
      abbreviations.push_back(abbreviation);
    }
    if (WordPrefix(full_name, wanted) || WordPrefix(std::string(statement->GetText(2)), wanted) ||
        WordPrefix(std::string(statement->GetText(3)), wanted)) {
      names.push_back(full_name);
    }
  }
  Completion completion;
  for (auto* list : {&abbreviations, &names}) {
    for (auto& value : *list) {
      if (std::find(completion.values.begin(), completion.values.end(), value) !=
          completion.values.end()) {
        continue;
      }
      ++completion.total;
      if (completion.values.size() < limit) completion.values.push_back(std::move(value));
    }
  }
  return completion;
}

Result<Completion> CompleteSeasons(std::string_view prefix, size_t limit, CallContext& context) {
  FB_ASSIGN_OR_RETURN(auto statement,
                      context.db.Prepare("SELECT label FROM seasons WHERE substr(label, 1, "
                                         "length(CAST(?1 AS TEXT))) = ?1 ORDER BY season_id DESC"));
  statement->Bind(1, prefix);
  Completion completion;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    ++completion.total;
    if (completion.values.size() < limit) {
      completion.values.emplace_back(statement->GetText(0));
    }
  }
  return completion;
}

Result<Completion> CompleteGames(std::string_view prefix, size_t limit, CallContext& context) {
  // A range on the primary key: every id starting with `prefix` sorts in [prefix, prefix + ~).
  const std::string low(prefix);
  const std::string high = low + "~";
  FB_ASSIGN_OR_RETURN(auto count, context.db.Prepare("SELECT COUNT(*) FROM games "
                                                     "WHERE game_id >= ?1 AND game_id < ?2"));
  count->BindAll(low, high);
  FB_ASSIGN_OR_RETURN(auto statement,
                      context.db.Prepare("SELECT game_id FROM games WHERE game_id >= ?1 AND "
                                         "game_id < ?2 ORDER BY game_id LIMIT ?3"));
  statement->BindAll(low, high, static_cast<int64_t>(limit));
  // Both in one round trip where the backend pipelines.
  db::Statement* const batch[] = {count.get(), statement.get()};
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  FB_ASSIGN_OR_RETURN(bool counted, count->Step());
  Completion completion;
  if (counted) completion.total = static_cast<int>(count->GetInt(0));
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    completion.values.emplace_back(statement->GetText(0));
  }
  return completion;
}

}  // namespace

Result<Completion> Complete(ArgumentKind kind, std::string_view prefix, size_t limit,
                            CallContext& context) {
  if (prefix.size() > 200) prefix = prefix.substr(0, 200);
  switch (kind) {
    case ArgumentKind::kPlayer:
      return CompletePlayers(prefix, limit, context);
    case ArgumentKind::kTeam:
      return CompleteTeams(prefix, limit, context);
    case ArgumentKind::kSeason:
      return CompleteSeasons(prefix, limit, context);
    case ArgumentKind::kGame:
      return CompleteGames(prefix, limit, context);
    case ArgumentKind::kText:
      break;
  }
  return Completion{};
}

}  // namespace fastbreak::nba
