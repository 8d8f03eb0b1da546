#include "db/importers/play_by_play_v2.hpp"

#include "db/importers/parse_util.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int64_t kMadeShot = 1;
constexpr int64_t kMissedShot = 2;
constexpr int64_t kFreeThrow = 3;

// A real person id: not 0 and not a team id (team rebounds carry the team in PLAYER1_ID).
OptInt PersonId(const OptInt& id) {
  if (!id || *id <= 0 || IsNbaTeam(*id)) return std::nullopt;
  return id;
}

}  // namespace

OptInt ShotDistanceFromDescription(std::string_view description) {
  // The first "<digits>'" that starts a word ("O'Neal" does not count).
  for (size_t quote = description.find('\''); quote != std::string_view::npos;
       quote = description.find('\'', quote + 1)) {
    size_t start = quote;
    while (start > 0 && description[start - 1] >= '0' && description[start - 1] <= '9') --start;
    if (start < quote && (start == 0 || description[start - 1] == ' ')) {
      return ParseInt(description.substr(start, quote - start));
    }
  }
  return std::nullopt;
}

Result<PlayRecord> V2PlayConverter::Convert(const V2Event& event) {
  if (event.game_id != game_id_) {
    game_id_ = event.game_id;
    home_score_ = 0;
    away_score_ = 0;
  }
  if (event.score && !event.score->empty()) {
    const size_t dash = event.score->find('-');
    OptInt away = dash == std::string::npos
                      ? std::nullopt
                      : ParseInt(std::string_view(*event.score).substr(0, dash));
    OptInt home = dash == std::string::npos
                      ? std::nullopt
                      : ParseInt(std::string_view(*event.score).substr(dash + 1));
    if (!away || !home) {
      return MakeError(ErrorCode::kParseError, "invalid score '{}' (expected \"away - home\")",
                       *event.score);
    }
    home_score_ = *home;
    away_score_ = *away;
  }
  if (event.period < 1) {
    return MakeError(ErrorCode::kParseError, "invalid period {}", event.period);
  }
  FB_ASSIGN_OR_RETURN(int64_t clock_ms, ParseClock(event.clock));

  PlayRecord play;
  play.game_id = event.game_id;
  play.event_num = event.event_num;
  play.period = event.period;
  play.clock_ms = clock_ms;
  play.event_type = event.event_type;
  play.home_score = home_score_;
  play.away_score = away_score_;
  std::string description;
  for (const OptText* part :
       {&event.home_description, &event.neutral_description, &event.visitor_description}) {
    if (!*part || (*part)->empty()) continue;
    if (!description.empty()) description += " | ";
    description += **part;
  }
  if (!description.empty()) play.description = description;

  if (event.player1_team_id && IsNbaTeam(*event.player1_team_id)) {
    play.team_id = event.player1_team_id;
  } else if (event.player1_id && IsNbaTeam(*event.player1_id)) {
    play.team_id = event.player1_id;  // a team event (team rebound, team turnover)
  }
  play.player_id = PersonId(event.player1_id);
  play.player2_id = PersonId(event.player2_id);

  if (event.event_type == kMadeShot || event.event_type == kMissedShot) {
    play.shot_value = description.find("3PT") != std::string::npos ? 3 : 2;
    play.shot_made = event.event_type == kMadeShot ? 1 : 0;
    play.shot_distance = ShotDistanceFromDescription(description);
  } else if (event.event_type == kFreeThrow) {
    play.shot_value = 1;
    play.shot_made = description.find("MISS") == std::string::npos ? 1 : 0;
  }
  return play;
}

}  // namespace fastbreak::db::detail
