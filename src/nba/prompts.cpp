// Prompts: scouting_report, game_recap, compare_players and team_report. Each resolves its
// arguments first (so a bad name fails here, naming it) and then tells the model which tools to
// call with which ids, and what to write.
#include <fmt/format.h>

#include <algorithm>

#include "nba/catalog_parts.hpp"
#include "nba/lookup.hpp"

namespace fastbreak::nba::detail {
namespace {

using Arguments = std::map<std::string, std::string>;

// Unknown argument names give kInvalidArgument listing the allowed ones.
Status CheckPromptArguments(const PromptSpec& prompt, const Arguments& arguments) {
  for (const auto& [name, value] : arguments) {
    const bool known = std::any_of(prompt.arguments.begin(), prompt.arguments.end(),
                                   [&](const PromptArgument& a) { return a.name == name; });
    if (!known) {
      std::vector<std::string> names;
      for (const PromptArgument& a : prompt.arguments) names.push_back(a.name);
      return MakeError(ErrorCode::kInvalidArgument, "unknown argument '{}'; expected one of: {}",
                       name, fmt::join(names, ", "));
    }
  }
  return Ok();
}

// The argument's value, or nullopt when absent or blank.
std::optional<std::string> Optional(const Arguments& arguments, const std::string& name) {
  auto it = arguments.find(name);
  if (it == arguments.end() || it->second.find_first_not_of(" \t") == std::string::npos) {
    return std::nullopt;
  }
  return it->second;
}

Result<std::string> Required(const Arguments& arguments, const std::string& name) {
  auto value = Optional(arguments, name);
  if (!value) return MakeError(ErrorCode::kInvalidArgument, "missing required argument '{}'", name);
  return *value;
}

// The season named by `name`, else the player's last season, else the latest in the database.
Result<int> SeasonFor(db::Connection& db, const Arguments& arguments, const std::string& name,
                      std::optional<int> fallback) {
  if (auto value = Optional(arguments, name)) {
    const Json season(*value);
    return ResolveSeason(db, &season, name);
  }
  if (fallback) return *fallback;
  return ResolveSeason(db, nullptr, name);
}

PromptOutput UserPrompt(std::string description, std::string text) {
  PromptOutput output;
  output.description = std::move(description);
  output.messages.push_back({"user", std::move(text)});
  return output;
}

PromptSpec ScoutingReport() {
  PromptSpec prompt;
  prompt.name = "scouting_report";
  prompt.title = "Scouting report";
  prompt.description =
      "A scouting report on one player for one season: role, scoring, efficiency, strengths, "
      "weaknesses and recent form, from his stats in the database.";
  prompt.arguments = {
      {"player", "Player name or id, e.g. \"Jayson Tatum\".", true, ArgumentKind::kPlayer},
      {"season", "Season, e.g. \"2023-24\"; default: his latest season.", false,
       ArgumentKind::kSeason}};
  prompt.get = [prompt_spec = prompt](const Arguments& arguments,
                                      CallContext& context) -> Result<PromptOutput> {
    FB_RETURN_IF_ERROR(CheckPromptArguments(prompt_spec, arguments));
    FB_ASSIGN_OR_RETURN(std::string name, Required(arguments, "player"));
    FB_ASSIGN_OR_RETURN(PlayerRef player, ResolvePlayer(context.db, Json(name), "player"));
    FB_ASSIGN_OR_RETURN(int season, SeasonFor(context.db, arguments, "season", player.to_year));
    const std::string label = SeasonLabel(season);
    return UserPrompt(
        fmt::format("Scouting report: {} ({})", player.name, label),
        fmt::format(
            "Write a scouting report on {name} (player id {id}) for the {label} season, using "
            "the fastbreak tools:\n"
            "1. Call get_player with player {id} for his bio, position and career by season.\n"
            "2. Call player_season_stats with player {id} and season {season} for his per-game, "
            "per-36 and advanced numbers (true shooting, usage).\n"
            "3. Call player_game_log with player {id}, season {season} and last_n 10 for recent "
            "form.\n"
            "4. Optionally call league_leaders with season {season} for the stats he stands out "
            "in, to place him among the league.\n"
            "Then write, in under 300 words: his role; scoring profile and efficiency; "
            "playmaking, rebounding and defense; two strengths and two weaknesses backed by "
            "numbers; recent form; a one-line verdict. Use only numbers the tools returned and "
            "say when a sample is small.",
            fmt::arg("name", player.name), fmt::arg("id", player.player_id),
            fmt::arg("label", label), fmt::arg("season", season)));
  };
  return prompt;
}

PromptSpec TeamReport() {
  PromptSpec prompt;
  prompt.name = "team_report";
  prompt.title = "Team report";
  prompt.description =
      "A report on one team's season: record and standing, how it scores and defends, its "
      "rotation and best players, and recent results.";
  prompt.arguments = {{"team", "Team name, city or abbreviation, e.g. \"Celtics\" or \"BOS\".",
                       true, ArgumentKind::kTeam},
                      {"season", "Season, e.g. \"2023-24\"; default: the latest in the database.",
                       false, ArgumentKind::kSeason}};
  prompt.get = [prompt_spec = prompt](const Arguments& arguments,
                                      CallContext& context) -> Result<PromptOutput> {
    FB_RETURN_IF_ERROR(CheckPromptArguments(prompt_spec, arguments));
    FB_ASSIGN_OR_RETURN(std::string name, Required(arguments, "team"));
    FB_ASSIGN_OR_RETURN(TeamRef team, ResolveTeam(context.db, Json(name), "team"));
    FB_ASSIGN_OR_RETURN(int season, SeasonFor(context.db, arguments, "season", std::nullopt));
    const std::string label = SeasonLabel(season);
    return UserPrompt(
        fmt::format("Team report: {} ({})", team.name, label),
        fmt::format(
            "Write a report on the {name} ({abbr}, team id {id}) {label} season, using the "
            "fastbreak tools:\n"
            "1. Call standings with season {season} and group conference for the record, rank, "
            "home/away split, last 10 and streak.\n"
            "2. Call team_season_stats with team {id} and season {season} for scoring, "
            "shooting and the offensive, defensive and net ratings.\n"
            "3. Call team_roster with team {id} and season {season} for the rotation.\n"
            "4. Call schedule with team {id}, season {season}, status final and limit 10 for "
            "recent results.\n"
            "Then write, in under 300 words: where the team stands; how it wins (offense, "
            "defense, pace); the players it leans on; its recent form; one thing to watch. Use "
            "only numbers the tools returned.",
            fmt::arg("name", team.name), fmt::arg("abbr", team.abbreviation),
            fmt::arg("id", team.team_id), fmt::arg("label", label), fmt::arg("season", season)));
  };
  return prompt;
}

PromptSpec GameRecap() {
  PromptSpec prompt;
  prompt.name = "game_recap";
  prompt.title = "Game recap";
  prompt.description =
      "A recap of one game: result, how it was won, the key players and the decisive stretch, "
      "from its box score and play-by-play.";
  prompt.arguments = {
      {"game_id", "Ten-digit game id, e.g. \"0022300061\".", true, ArgumentKind::kGame}};
  prompt.get = [prompt_spec = prompt](const Arguments& arguments,
                                      CallContext& context) -> Result<PromptOutput> {
    FB_RETURN_IF_ERROR(CheckPromptArguments(prompt_spec, arguments));
    FB_ASSIGN_OR_RETURN(std::string value, Required(arguments, "game_id"));
    FB_ASSIGN_OR_RETURN(std::string game_id, ParseGameId(Json(value), "game_id"));
    FB_ASSIGN_OR_RETURN(auto statement,
                        context.db.Prepare("SELECT g.game_date, a.abbreviation, h.abbreviation "
                                           "FROM games g "
                                           "JOIN teams h ON h.team_id = g.home_team_id "
                                           "JOIN teams a ON a.team_id = g.away_team_id "
                                           "WHERE g.game_id = ?"));
    statement->Bind(1, game_id);
    FB_ASSIGN_OR_RETURN(bool found, statement->Step());
    if (!found) {
      return MakeError(ErrorCode::kNotFound,
                       "no game with id {}; find game ids with the schedule tool", game_id);
    }
    const std::string matchup = fmt::format("{} @ {}, {}", statement->GetText(1),
                                            statement->GetText(2), statement->GetText(0));
    statement.reset();
    return UserPrompt(
        fmt::format("Recap: {} (game {})", matchup, game_id),
        fmt::format(
            "Write a recap of game {id} ({matchup}) using the fastbreak tools:\n"
            "1. Call get_game with game_id \"{id}\" for the final score and the line score by "
            "period.\n"
            "2. Call box_score with game_id \"{id}\" for every player's line and the team "
            "totals.\n"
            "3. Call play_by_play with game_id \"{id}\" and period 4 (and 5+ if it went to "
            "overtime) to find the decisive runs and baskets.\n"
            "Then write a recap of 150-250 words: a headline; the result and how it was won "
            "(shooting, rebounds, turnovers); the top performer on each side with his line; the "
            "turning point with the score and clock. Use only facts the tools returned.",
            fmt::arg("id", game_id), fmt::arg("matchup", matchup)));
  };
  return prompt;
}

PromptSpec ComparePlayersPrompt() {
  PromptSpec prompt;
  prompt.name = "compare_players";
  prompt.title = "Compare two players";
  prompt.description =
      "A side-by-side comparison of two players in one season, ending with who had the better "
      "season and why.";
  prompt.arguments = {
      {"player1", "First player, name or id.", true, ArgumentKind::kPlayer},
      {"player2", "Second player, name or id.", true, ArgumentKind::kPlayer},
      {"season", "Season, e.g. \"2023-24\"; default: the latest season in the database.", false,
       ArgumentKind::kSeason}};
  prompt.get = [prompt_spec = prompt](const Arguments& arguments,
                                      CallContext& context) -> Result<PromptOutput> {
    FB_RETURN_IF_ERROR(CheckPromptArguments(prompt_spec, arguments));
    FB_ASSIGN_OR_RETURN(std::string first_name, Required(arguments, "player1"));
    FB_ASSIGN_OR_RETURN(std::string second_name, Required(arguments, "player2"));
    FB_ASSIGN_OR_RETURN(PlayerRef first, ResolvePlayer(context.db, Json(first_name), "player1"));
    FB_ASSIGN_OR_RETURN(PlayerRef second, ResolvePlayer(context.db, Json(second_name), "player2"));
    if (first.player_id == second.player_id) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "player1 and player2 are both {} (id {}); name two different players",
                       first.name, first.player_id);
    }
    FB_ASSIGN_OR_RETURN(int season, SeasonFor(context.db, arguments, "season", std::nullopt));
    const std::string label = SeasonLabel(season);
    return UserPrompt(
        fmt::format("Compare {} and {} ({})", first.name, second.name, label),
        fmt::format(
            "Compare {a} (player id {a_id}) and {b} (player id {b_id}) in the {label} season "
            "using the fastbreak tools:\n"
            "1. Call compare_players with players [{a_id}, {b_id}] and season {season} for "
            "their per-game lines side by side; call it again with mode \"per_36\" to adjust "
            "for minutes.\n"
            "2. Call player_season_stats with player {a_id} and season {season}, then with "
            "player {b_id}, for efficiency and usage.\n"
            "3. Call get_player with player {a_id} and with player {b_id} for position, age "
            "and experience.\n"
            "Then write: a short table of the key stats; where each one is better (scoring, "
            "efficiency, playmaking, rebounding, defense, availability); and a verdict on who "
            "had the better season, with the two or three numbers that decide it. Use only "
            "numbers the tools returned.",
            fmt::arg("a", first.name), fmt::arg("a_id", first.player_id),
            fmt::arg("b", second.name), fmt::arg("b_id", second.player_id),
            fmt::arg("label", label), fmt::arg("season", season)));
  };
  return prompt;
}

}  // namespace

void AddPrompts(Catalog& catalog) {
  catalog.prompts.push_back(ScoutingReport());
  catalog.prompts.push_back(GameRecap());
  catalog.prompts.push_back(ComparePlayersPrompt());
  catalog.prompts.push_back(TeamReport());
}

}  // namespace fastbreak::nba::detail
