#include <gtest/gtest.h>

#include <string>

#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

class ResourceTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = testing::OpenGeneratedLeague(); }

  Result<std::string> Read(std::string_view uri) {
    for (const ResourceSpec& resource : NbaCatalog().resources) {
      if (resource.uri == uri) {
        CallContext context{*db_, {}};
        return resource.read(context);
      }
    }
    ADD_FAILURE() << "no resource " << uri;
    return MakeError(ErrorCode::kInternal, "no resource");
  }

  Result<std::string> ReadTemplate(std::string_view uri_template, std::string_view value) {
    for (const ResourceTemplateSpec& resource : NbaCatalog().resource_templates) {
      if (resource.uri_template == uri_template) {
        EXPECT_EQ(resource.variable, "id");
        CallContext context{*db_, {}};
        return resource.read(value, context);
      }
    }
    ADD_FAILURE() << "no resource template " << uri_template;
    return MakeError(ErrorCode::kInternal, "no resource template");
  }

  Result<PromptOutput> Prompt(std::string_view name,
                              const std::map<std::string, std::string>& arguments) {
    const PromptSpec* prompt = NbaCatalog().FindPrompt(name);
    EXPECT_NE(prompt, nullptr) << name;
    if (prompt == nullptr) return MakeError(ErrorCode::kInternal, "no prompt");
    CallContext context{*db_, {}};
    return prompt->get(arguments, context);
  }

  // A player with games in the generated season, and his name.
  std::pair<int64_t, std::string> SomePlayer(int offset = 0) {
    auto rows = db_->Query(fmt::format(
        "SELECT p.player_id, p.full_name FROM players p WHERE p.player_id IN "
        "(SELECT player_id FROM player_game_stats WHERE seconds > 0) AND (SELECT count(*) FROM "
        "players q WHERE q.full_name = p.full_name) = 1 ORDER BY p.player_id LIMIT 1 OFFSET {}",
        offset));
    EXPECT_TRUE(rows.has_value() && !rows->rows.empty());
    if (!rows || rows->rows.empty()) return {0, ""};
    return {std::get<int64_t>(rows->rows[0][0]), std::get<std::string>(rows->rows[0][1])};
  }

  std::string SomeGame() {
    auto value = db_->QueryScalar("SELECT game_id FROM games WHERE status = 'final' LIMIT 1");
    EXPECT_TRUE(value.has_value());
    return value ? std::get<std::string>(*value) : "";
  }

  std::unique_ptr<db::Connection> db_;
};

TEST_F(ResourceTest, TheCatalogListsTheResourcesWithMimeTypes) {
  const Catalog& catalog = NbaCatalog();
  ASSERT_EQ(catalog.resources.size(), 2u);
  EXPECT_EQ(catalog.resources[0].uri, "nba://schema");
  EXPECT_EQ(catalog.resources[0].mime_type, "text/markdown");
  EXPECT_EQ(catalog.resources[1].uri, "nba://teams");
  EXPECT_EQ(catalog.resources[1].mime_type, "application/json");
  ASSERT_EQ(catalog.resource_templates.size(), 2u);
  EXPECT_EQ(catalog.resource_templates[0].uri_template, "nba://players/{id}");
  EXPECT_EQ(catalog.resource_templates[1].uri_template, "nba://games/{id}");
  for (const auto& resource : catalog.resource_templates) {
    EXPECT_EQ(resource.mime_type, "application/json");
    EXPECT_FALSE(resource.description.empty());
  }
}

TEST_F(ResourceTest, SchemaIsTheDescribeSchemaText) {
  auto text = Read("nba://schema");
  ASSERT_OK(text);
  const ToolSpec* tool = NbaCatalog().FindTool("describe_schema");
  ASSERT_NE(tool, nullptr);
  CallContext context{*db_, {}};
  auto described = tool->run(Json::object(), context);
  ASSERT_OK(described);
  EXPECT_EQ(*text, described->text);
  EXPECT_NE(text->find("## player_game_stats (table)"), std::string::npos);
}

TEST_F(ResourceTest, TeamsAreTheThirtyFranchises) {
  auto text = Read("nba://teams");
  ASSERT_OK(text);
  const Json teams = Json::parse(*text)["teams"];
  ASSERT_EQ(teams.size(), 30u);
  bool saw_celtics = false;
  for (const Json& team : teams) {
    for (const char* key :
         {"team_id", "abbreviation", "city", "nickname", "name", "conference", "division"}) {
      EXPECT_TRUE(team.contains(key)) << key;
    }
    if (team["abbreviation"] == "BOS") {
      saw_celtics = true;
      EXPECT_EQ(team["team_id"], 1610612738);
      EXPECT_EQ(team["name"], "Boston Celtics");
      EXPECT_EQ(team["conference"], "East");
      EXPECT_EQ(team["division"], "Atlantic");
    }
  }
  EXPECT_TRUE(saw_celtics);
}

TEST_F(ResourceTest, APlayerIsGetPlayersStructuredOutput) {
  const auto [id, name] = SomePlayer();
  auto text = ReadTemplate("nba://players/{id}", std::to_string(id));
  ASSERT_OK(text);
  const ToolSpec* tool = NbaCatalog().FindTool("get_player");
  ASSERT_NE(tool, nullptr);
  CallContext context{*db_, {}};
  auto direct = tool->run({{"player", id}}, context);
  ASSERT_OK(direct);
  EXPECT_EQ(Json::parse(*text), direct->structured);
  EXPECT_NE(text->find(name), std::string::npos);
}

TEST_F(ResourceTest, UnknownOrMalformedPlayerIdsAreResourceNotFound) {
  auto missing = ReadTemplate("nba://players/{id}", "4242");
  EXPECT_ERROR(missing, ErrorCode::kResourceNotFound);
  EXPECT_NE(missing.error().message.find("no player with id 4242"), std::string::npos);
  for (const char* bad : {"", "abc", "12a", "-5", "LeBron James", "99999999999999999999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_ERROR(ReadTemplate("nba://players/{id}", bad), ErrorCode::kResourceNotFound);
  }
  // A name is not an id, even one that get_player would resolve.
  EXPECT_ERROR(ReadTemplate("nba://players/{id}", SomePlayer().second),
               ErrorCode::kResourceNotFound);
}

TEST_F(ResourceTest, AGameIsBoxScoresStructuredOutput) {
  const std::string game_id = SomeGame();
  auto text = ReadTemplate("nba://games/{id}", game_id);
  ASSERT_OK(text);
  const ToolSpec* tool = NbaCatalog().FindTool("box_score");
  ASSERT_NE(tool, nullptr);
  CallContext context{*db_, {}};
  auto direct = tool->run({{"game_id", game_id}}, context);
  ASSERT_OK(direct);
  EXPECT_EQ(Json::parse(*text), direct->structured);
  EXPECT_NE(text->find(game_id), std::string::npos);
}

TEST_F(ResourceTest, UnknownOrMalformedGameIdsAreResourceNotFound) {
  auto missing = ReadTemplate("nba://games/{id}", "0029999999");
  EXPECT_ERROR(missing, ErrorCode::kResourceNotFound);
  EXPECT_NE(missing.error().message.find("no game with id 0029999999"), std::string::npos);
  for (const char* bad : {"", "00224x0001", "00224000011", " 0022400001", "../teams"}) {
    SCOPED_TRACE(bad);
    EXPECT_ERROR(ReadTemplate("nba://games/{id}", bad), ErrorCode::kResourceNotFound);
  }
}

class PromptTest : public ResourceTest {};

TEST_F(PromptTest, TheCatalogListsThePromptsWithTheirArguments) {
  const Catalog& catalog = NbaCatalog();
  ASSERT_EQ(catalog.prompts.size(), 4u);
  const PromptSpec* scouting = catalog.FindPrompt("scouting_report");
  ASSERT_NE(scouting, nullptr);
  ASSERT_EQ(scouting->arguments.size(), 2u);
  EXPECT_TRUE(scouting->arguments[0].required);
  EXPECT_EQ(scouting->arguments[0].kind, ArgumentKind::kPlayer);
  EXPECT_FALSE(scouting->arguments[1].required);
  EXPECT_EQ(scouting->arguments[1].kind, ArgumentKind::kSeason);
  const PromptSpec* recap = catalog.FindPrompt("game_recap");
  ASSERT_NE(recap, nullptr);
  ASSERT_EQ(recap->arguments.size(), 1u);
  EXPECT_EQ(recap->arguments[0].kind, ArgumentKind::kGame);
  const PromptSpec* compare = catalog.FindPrompt("compare_players");
  ASSERT_NE(compare, nullptr);
  ASSERT_EQ(compare->arguments.size(), 3u);
  EXPECT_TRUE(compare->arguments[0].required && compare->arguments[1].required);
  EXPECT_FALSE(compare->arguments[2].required);
}

TEST_F(PromptTest, TeamReportResolvesTheTeamAndNamesTheTools) {
  const PromptSpec* team = NbaCatalog().FindPrompt("team_report");
  ASSERT_NE(team, nullptr);
  EXPECT_EQ(team->arguments[0].kind, ArgumentKind::kTeam);
  auto out = Prompt("team_report", {{"team", "celtics"}, {"season", "2024-25"}});
  ASSERT_OK(out);
  const std::string& text = out->messages[0].text;
  EXPECT_NE(text.find("team_season_stats with team 1610612738 and season 2024"), std::string::npos)
      << text;
  EXPECT_NE(out->description.find("Boston Celtics"), std::string::npos) << out->description;
  EXPECT_ERROR(Prompt("team_report", {}), ErrorCode::kInvalidArgument);
  auto unknown = Prompt("team_report", {{"team", "Zzyzx Qwerty"}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("Zzyzx"), std::string::npos) << unknown.error().message;
}

TEST_F(PromptTest, ScoutingReportNamesTheToolsAndIds) {
  const auto [id, name] = SomePlayer();
  auto out = Prompt("scouting_report", {{"player", name}, {"season", "2024-25"}});
  ASSERT_OK(out);
  ASSERT_EQ(out->messages.size(), 1u);
  EXPECT_EQ(out->messages[0].role, "user");
  const std::string& text = out->messages[0].text;
  EXPECT_NE(text.find(fmt::format("player_season_stats with player {} and season 2024", id)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(fmt::format("get_player with player {}", id)), std::string::npos);
  EXPECT_NE(text.find("player_game_log"), std::string::npos);
  EXPECT_NE(out->description.find(name), std::string::npos);
  EXPECT_NE(out->description.find("2024-25"), std::string::npos);
  // Without a season: his latest season, and an id works as well as a name.
  auto latest = Prompt("scouting_report", {{"player", std::to_string(id)}});
  ASSERT_OK(latest);
  EXPECT_NE(latest->messages[0].text.find("season 2024"), std::string::npos);
}

TEST_F(PromptTest, ScoutingReportRefusesBadArguments) {
  EXPECT_ERROR(Prompt("scouting_report", {}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Prompt("scouting_report", {{"player", "  "}}), ErrorCode::kInvalidArgument);
  auto unknown = Prompt("scouting_report", {{"player", "Zzyzx Qwertyuiop"}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_TRUE(unknown.error().code == ErrorCode::kNotFound ||
              unknown.error().code == ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("Zzyzx"), std::string::npos) << unknown.error().message;
  EXPECT_ERROR(Prompt("scouting_report", {{"player", SomePlayer().second}, {"season", "soon"}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Prompt("scouting_report", {{"player", SomePlayer().second}, {"team", "BOS"}}),
               ErrorCode::kInvalidArgument);
}

TEST_F(PromptTest, GameRecapNamesTheGameAndTools) {
  const std::string game_id = SomeGame();
  auto out = Prompt("game_recap", {{"game_id", game_id}});
  ASSERT_OK(out);
  const std::string& text = out->messages[0].text;
  EXPECT_NE(text.find(fmt::format("box_score with game_id \"{}\"", game_id)), std::string::npos)
      << text;
  EXPECT_NE(text.find("play_by_play"), std::string::npos);
  EXPECT_NE(out->description.find(" @ "), std::string::npos);
  // A shorter id is zero-padded like everywhere else.
  auto padded = Prompt("game_recap", {{"game_id", game_id.substr(2)}});
  ASSERT_OK(padded);
  EXPECT_EQ(padded->messages[0].text, text);
}

TEST_F(PromptTest, GameRecapRefusesBadOrUnknownIds) {
  EXPECT_ERROR(Prompt("game_recap", {}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Prompt("game_recap", {{"game_id", "last night"}}), ErrorCode::kInvalidArgument);
  auto missing = Prompt("game_recap", {{"game_id", "0029999999"}});
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("0029999999"), std::string::npos);
}

TEST_F(PromptTest, ComparePlayersNamesBothIds) {
  const auto [first_id, first] = SomePlayer(0);
  const auto [second_id, second] = SomePlayer(1);
  auto out = Prompt("compare_players", {{"player1", first}, {"player2", second}});
  ASSERT_OK(out);
  const std::string& text = out->messages[0].text;
  EXPECT_NE(text.find(fmt::format("compare_players with players [{}, {}] and season 2024", first_id,
                                  second_id)),
            std::string::npos)
      << text;
  EXPECT_NE(out->description.find(first), std::string::npos);
  EXPECT_NE(out->description.find(second), std::string::npos);
}

TEST_F(PromptTest, ComparePlayersRefusesMissingUnknownOrTheSamePlayer) {
  const auto [id, name] = SomePlayer();
  auto missing = Prompt("compare_players", {{"player1", name}});
  EXPECT_ERROR(missing, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("player2"), std::string::npos);
  auto unknown = Prompt("compare_players", {{"player1", name}, {"player2", "Zzyzx Qwertyuiop"}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("Zzyzx"), std::string::npos) << unknown.error().message;
  EXPECT_ERROR(Prompt("compare_players", {{"player1", name}, {"player2", std::to_string(id)}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Prompt("compare_players", {{"player1", name}, {"player2", name}, {"season", "x"}}),
               ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::nba
