// PlayByPlayV2 (resultSets PlayByPlay) and PlayByPlayV3 (game.actions).
//
// V3 action types map to the V2 event codes of the schema; rows V2 folds into another event
// (V3's separate "block" and "steal" credit rows, whose actionType is empty) and unknown types
// get event_type 0, with action "Block" / "Steal" when the description says so. V3 rows are keyed
// by actionId (actionNumber repeats for the credit rows), or their 1-based position when absent.
#include <array>

#include "db/importers/nba_api_internal.hpp"
#include "db/importers/parse_util.hpp"
#include "db/importers/play_by_play_v2.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int64_t kPeriodEnd = 13;

int64_t V3EventType(std::string_view action_type, std::string_view sub_type) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 12> kTypes = {{
      {"Made Shot", 1},
      {"Missed Shot", 2},
      {"Free Throw", 3},
      {"Rebound", 4},
      {"Turnover", 5},
      {"Foul", 6},
      {"Violation", 7},
      {"Substitution", 8},
      {"Timeout", 9},
      {"Jump Ball", 10},
      {"Ejection", 11},
      {"Instant Replay", 18},
  }};
  if (EqualsIgnoreCase(action_type, "period")) {
    if (EqualsIgnoreCase(sub_type, "start")) return 12;
    if (EqualsIgnoreCase(sub_type, "end")) return kPeriodEnd;
  }
  for (const auto& [name, code] : kTypes) {
    if (EqualsIgnoreCase(action_type, name)) return code;
  }
  return 0;
}

// A game seen only in play-by-play: final when the last event ends the 4th period or later with
// the scores apart.
ImportedGame GameFromPlays(ImportedGame game, const std::vector<PlayRecord>& plays) {
  if (plays.empty()) return game;
  const PlayRecord& last = plays.back();
  if (last.event_type == kPeriodEnd && last.period >= 4 && last.home_score != last.away_score) {
    game.status = "final";
    game.home_score = last.home_score;
    game.away_score = last.away_score;
    game.periods = last.period;
  } else {
    game.status = "scheduled";
  }
  return game;
}

// Creates the game when missing (teams required then), then writes the plays.
Status WritePlays(ImportedGame game, const std::vector<PlayRecord>& plays,
                  const std::vector<JsonRef>& where, const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(bool exists, writer.GameExists(game.game_id));
  if (!exists) {
    if (game.home_team_id == 0 || game.away_team_id == 0) {
      return tl::unexpected(root.Fail(fmt::format(
          "game {} is not in the database and its play-by-play does not show both teams; "
          "import the game's LeagueGameLog or ScoreboardV3 too",
          game.game_id)));
    }
    FB_RETURN_IF_ERROR(Located(writer.EnsureGame(GameFromPlays(std::move(game), plays)), root));
  }
  for (size_t i = 0; i < plays.size(); ++i) {
    FB_RETURN_IF_ERROR(Located(writer.UpsertPlay(plays[i]), where[i]));
  }
  return Ok();
}

// OptionalInt(object, key), or `fallback` when missing or null.
Result<int64_t> IntOr(const JsonRef& object, std::string_view key, int64_t fallback) {
  FB_ASSIGN_OR_RETURN(OptInt value, OptionalInt(object, key));
  return value.value_or(fallback);
}

// Parses a V3 running score ("12", or "" when unchanged) into `score`.
Status ReadV3Score(const JsonRef& action, std::string_view key, int64_t& score) {
  FB_ASSIGN_OR_RETURN(auto field, action.OptionalField(key));
  if (!field || field->is_null()) return Ok();
  if (field->json().is_number()) {
    FB_ASSIGN_OR_RETURN(score, field->Int());
    return Ok();
  }
  FB_ASSIGN_OR_RETURN(std::string text, field->String());
  if (text.empty()) return Ok();
  auto value = ParseInt(text);
  if (!value) return tl::unexpected(field->Fail(fmt::format("invalid score \"{}\"", text)));
  score = *value;
  return Ok();
}

Result<PlayRecord> ReadV3Action(const JsonRef& action, const std::string& game_id, size_t index,
                                int64_t& home_score, int64_t& away_score) {
  PlayRecord play;
  play.game_id = game_id;
  FB_ASSIGN_OR_RETURN(play.event_num, IntOr(action, "actionId", static_cast<int64_t>(index) + 1));
  FB_ASSIGN_OR_RETURN(JsonRef period, action.Field("period"));
  FB_ASSIGN_OR_RETURN(play.period, period.Int());
  if (play.period < 1) return tl::unexpected(period.Fail("period must be at least 1"));
  FB_ASSIGN_OR_RETURN(JsonRef clock_ref, action.Field("clock"));
  FB_ASSIGN_OR_RETURN(std::string clock, clock_ref.String());
  auto clock_ms = ParseClock(clock);
  if (!clock_ms) return tl::unexpected(clock_ref.Fail(clock_ms.error().message));
  play.clock_ms = *clock_ms;
  FB_ASSIGN_OR_RETURN(OptText action_type, OptionalString(action, "actionType"));
  FB_ASSIGN_OR_RETURN(OptText sub_type, OptionalString(action, "subType"));
  FB_ASSIGN_OR_RETURN(play.description, OptionalString(action, "description"));
  const std::string type = action_type.value_or("");
  const std::string sub = sub_type.value_or("");
  const std::string description = play.description.value_or("");
  play.event_type = V3EventType(type, sub);
  if (!sub.empty()) {
    play.action = sub;
  } else if (type.empty() && description.find("BLOCK") != std::string::npos) {
    play.action = "Block";
  } else if (type.empty() && description.find("STEAL") != std::string::npos) {
    play.action = "Steal";
  } else if (!type.empty()) {
    play.action = type;
  }
  FB_ASSIGN_OR_RETURN(int64_t team_id, IntOr(action, "teamId", 0));
  if (IsNbaTeam(team_id)) play.team_id = team_id;
  FB_ASSIGN_OR_RETURN(int64_t person_id, IntOr(action, "personId", 0));
  if (person_id > 0 && !IsNbaTeam(person_id)) play.player_id = person_id;
  if (play.event_type == 1 || play.event_type == 2) {
    FB_ASSIGN_OR_RETURN(int64_t value, IntOr(action, "shotValue", 0));
    if (value >= 1 && value <= 3) play.shot_value = value;
    play.shot_made = play.event_type == 1 ? 1 : 0;
    FB_ASSIGN_OR_RETURN(play.shot_distance, OptionalInt(action, "shotDistance"));
  } else if (play.event_type == 3) {
    play.shot_value = 1;
    FB_ASSIGN_OR_RETURN(OptText result, OptionalString(action, "shotResult"));
    play.shot_made = result && !result->empty() ? (*result == "Made" ? 1 : 0)
                                                : (description.starts_with("MISS") ? 0 : 1);
  }
  FB_RETURN_IF_ERROR(ReadV3Score(action, "scoreHome", home_score));
  FB_RETURN_IF_ERROR(ReadV3Score(action, "scoreAway", away_score));
  play.home_score = home_score;
  play.away_score = away_score;
  return play;
}

}  // namespace

Status ImportPlayByPlayV3(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(JsonRef game_ref, root.Field("game"));
  FB_ASSIGN_OR_RETURN(JsonRef id_ref, game_ref.Field("gameId"));
  FB_ASSIGN_OR_RETURN(std::string game_id, id_ref.GameId());
  FB_ASSIGN_OR_RETURN(JsonRef actions, game_ref.Field("actions"));
  FB_ASSIGN_OR_RETURN(size_t count, actions.Size());
  auto game = GameFromId(game_id);
  if (!game) {
    writer.Skip("play_by_play", kUnstoredType, static_cast<int64_t>(count));
    return Ok();
  }
  std::vector<PlayRecord> plays;
  std::vector<JsonRef> where;
  int64_t home_score = 0;
  int64_t away_score = 0;
  for (size_t i = 0; i < count; ++i) {
    const JsonRef action = actions.At(i);
    FB_ASSIGN_OR_RETURN(PlayRecord play, ReadV3Action(action, game_id, i, home_score, away_score));
    FB_ASSIGN_OR_RETURN(OptText location, OptionalString(action, "location"));
    if (play.team_id && location == "h") game->home_team_id = *play.team_id;
    if (play.team_id && location == "v") game->away_team_id = *play.team_id;
    plays.push_back(std::move(play));
    where.push_back(action);
  }
  return WritePlays(*std::move(game), plays, where, game_ref, writer);
}

Status ImportPlayByPlayV2(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(auto set, ResultSet::Find(root, "PlayByPlay"));
  if (!set) return tl::unexpected(root.Fail("no result set named PlayByPlay"));
  V2PlayConverter converter;
  std::optional<ImportedGame> game;
  std::vector<PlayRecord> plays;
  std::vector<JsonRef> where;
  auto flush = [&]() -> Status {
    if (!game) return Ok();
    FB_RETURN_IF_ERROR(WritePlays(*std::move(game), plays, where, root, writer));
    plays.clear();
    where.clear();
    game.reset();
    return Ok();
  };
  for (size_t row = 0; row < set->rows(); ++row) {
    V2Event event;
    FB_ASSIGN_OR_RETURN(JsonRef id_cell, set->Cell(row, "GAME_ID"));
    FB_ASSIGN_OR_RETURN(event.game_id, id_cell.GameId());
    if (game && game->game_id != event.game_id) FB_RETURN_IF_ERROR(flush());
    if (!game) {
      game = GameFromId(event.game_id);
      if (!game) {
        writer.Skip("play_by_play", kUnstoredType);
        continue;
      }
    }
    const std::pair<int64_t*, std::string_view> ints[] = {{&event.event_num, "EVENTNUM"},
                                                          {&event.event_type, "EVENTMSGTYPE"},
                                                          {&event.period, "PERIOD"}};
    for (const auto& [target, column] : ints) {
      FB_ASSIGN_OR_RETURN(JsonRef cell, set->Cell(row, column));
      FB_ASSIGN_OR_RETURN(*target, cell.Int());
    }
    const std::pair<OptText*, std::string_view> texts[] = {
        {&event.home_description, "HOMEDESCRIPTION"},
        {&event.neutral_description, "NEUTRALDESCRIPTION"},
        {&event.visitor_description, "VISITORDESCRIPTION"},
        {&event.score, "SCORE"}};
    for (const auto& [target, column] : texts) {
      FB_ASSIGN_OR_RETURN(JsonRef cell, set->Cell(row, column));
      FB_ASSIGN_OR_RETURN(*target, cell.OptString());
    }
    const std::pair<OptInt*, std::string_view> ids[] = {{&event.player1_id, "PLAYER1_ID"},
                                                        {&event.player1_team_id, "PLAYER1_TEAM_ID"},
                                                        {&event.player2_id, "PLAYER2_ID"}};
    for (const auto& [target, column] : ids) {
      FB_ASSIGN_OR_RETURN(JsonRef cell, set->Cell(row, column));
      FB_ASSIGN_OR_RETURN(*target, cell.OptLenientInt());
    }
    FB_ASSIGN_OR_RETURN(JsonRef clock_cell, set->Cell(row, "PCTIMESTRING"));
    FB_ASSIGN_OR_RETURN(event.clock, clock_cell.String());
    auto play = converter.Convert(event);
    if (!play) {
      return tl::unexpected(
          AtLocation(play.error(), fmt::format("{}: {}", root.file(), set->Row(row).path())));
    }
    // The team of a home-only or visitor-only description is the home or away team.
    if (play->team_id && event.home_description && !event.visitor_description) {
      game->home_team_id = *play->team_id;
    } else if (play->team_id && event.visitor_description && !event.home_description) {
      game->away_team_id = *play->team_id;
    }
    plays.push_back(*std::move(play));
    where.push_back(set->Row(row));
  }
  return flush();
}

}  // namespace fastbreak::db::detail
