#include "nba/cache_keys.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nba/json_parse.hpp"

namespace fastbreak::nba {
namespace {

constexpr size_t kMaxCanonicalArguments = 4096;

// A copy of `value` with whole floating-point numbers turned into integers. nlohmann's object
// is an ordered map, so keys come out sorted at every depth.
Json Canonical(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      Json out = Json::object();
      for (const auto& [key, item] : value.items()) out[key] = Canonical(item);
      return out;
    }
    case Json::value_t::array: {
      Json out = Json::array();
      for (const auto& item : value) out.push_back(Canonical(item));
      return out;
    }
    case Json::value_t::number_float: {
      const double d = value.get<double>();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
        return Json(static_cast<int64_t>(d));
      }
      return value;
    }
    case Json::value_t::number_unsigned: {
      const auto u = value.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Json(static_cast<int64_t>(u));
      }
      return value;
    }
    default:
      return value;
  }
}

std::vector<std::string> Tags(std::initializer_list<const char*> tables) {
  std::vector<std::string> tags;
  for (const char* table : tables) tags.push_back(std::string("table:") + table);
  return tags;
}

struct Walker {
  size_t max_tags;
  std::vector<std::string> tags;
  std::optional<int> newest_season;
  bool capped = false;

  void Add(std::string tag) {
    if (tags.size() >= max_tags) {
      capped = true;
      return;
    }
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
  }

  void Visit(const Json& value, int depth) {
    if (depth > 16) return;
    if (value.is_array()) {
      for (const auto& item : value) Visit(item, depth + 1);
      return;
    }
    if (!value.is_object()) return;
    for (const auto& [key, item] : value.items()) {
      if (item.is_number_integer()) {
        const int64_t id = item.get<int64_t>();
        if (key == "player_id") {
          Add(fmt::format("player:{}", id));
        } else if (key == "team_id" || key == "home_team_id" || key == "away_team_id" ||
                   key == "opponent_id") {
          Add(fmt::format("team:{}", id));
        } else if (key == "game_id") {
          Add(fmt::format("game:{}", id));
        } else if (key == "season" && id > 1900 && id < 2200) {
          Add(fmt::format("season:{}", id));
          newest_season = std::max(newest_season.value_or(0), static_cast<int>(id));
        }
      } else if (item.is_structured()) {
        Visit(item, depth + 1);
      }
    }
  }
};

}  // namespace

Result<std::string> ToolCacheKey(std::string_view tool, const Json& arguments) {
  std::string canonical = Canonical(arguments).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (canonical.size() > kMaxCanonicalArguments) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "arguments of {} bytes are too large to cache (limit {})", canonical.size(),
                     kMaxCanonicalArguments);
  }
  std::string key;
  key.reserve(kToolKeyPrefix.size() + tool.size() + 1 + canonical.size());
  key.append(kToolKeyPrefix).append(tool).append("/").append(canonical);
  return key;
}

std::string_view ToolOfCacheKey(std::string_view key) {
  if (!key.starts_with(kToolKeyPrefix)) return {};
  key.remove_prefix(kToolKeyPrefix.size());
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos) return {};
  return key.substr(0, slash);
}

Result<Json> ArgumentsOfCacheKey(std::string_view key) {
  const std::string_view tool = ToolOfCacheKey(key);
  if (tool.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "'{}' is not a tool cache key",
                     key.substr(0, 100));
  }
  FB_ASSIGN_OR_RETURN(Json arguments,
                      ParseJson(key.substr(kToolKeyPrefix.size() + tool.size() + 1)));
  if (!arguments.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "the arguments in '{}' are not an object",
                     key.substr(0, 100));
  }
  return arguments;
}

const std::vector<std::string>& ToolTableTags(std::string_view tool) {
  // Lookups of players, teams and seasons (and the import log for names) happen in every
  // family, so those tables are in each list.
  static const auto* const kPlayer = new std::vector<std::string>(Tags(
      {"players", "teams", "seasons", "imports", "games", "player_game_stats", "team_game_stats"}));
  static const auto* const kTeam = new std::vector<std::string>(Tags(
      {"players", "teams", "seasons", "imports", "games", "player_game_stats", "team_game_stats"}));
  static const auto* const kGame = new std::vector<std::string>(
      Tags({"players", "teams", "seasons", "imports", "games", "game_periods", "play_by_play",
            "player_game_stats", "team_game_stats"}));
  if (tool == "search_players" || tool == "get_player" || tool == "player_season_stats" ||
      tool == "player_game_log" || tool == "compare_players" || tool == "league_leaders") {
    return *kPlayer;
  }
  if (tool == "standings" || tool == "team_season_stats" || tool == "team_roster" ||
      tool == "schedule" || tool == "head_to_head") {
    return *kTeam;
  }
  if (tool == "get_game" || tool == "box_score" || tool == "play_by_play") return *kGame;
  return AllTableTags();
}

const std::vector<std::string>& AllTableTags() {
  static const auto* const kAll = new std::vector<std::string>(
      Tags({"players", "teams", "seasons", "imports", "games", "game_periods", "play_by_play",
            "player_game_stats", "team_game_stats"}));
  return *kAll;
}

ResultFacts ExtractResultFacts(const Json& structured, size_t max_tags) {
  Walker walker{max_tags, {}, std::nullopt, false};
  walker.Visit(structured, 0);
  ResultFacts facts;
  facts.newest_season = walker.newest_season;
  facts.tags = std::move(walker.tags);
  std::sort(facts.tags.begin(), facts.tags.end());
  return facts;
}

}  // namespace fastbreak::nba
