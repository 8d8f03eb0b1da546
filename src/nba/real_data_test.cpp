// The team and game tools against real NBA data imported from the shared data folder: results
// must equal what the source files say, counted independently here.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "db/importers/importer.hpp"
#include "db/schema/migrations.hpp"
#include "db/schema/teams.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

class RealDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = db::SqliteDatabase::Open({.path = dir_.File("nba.db")});
    ASSERT_TRUE(database.has_value()) << database.error().ToString();
    database_ = std::move(*database);
    auto connection = database_->Connect(db::AccessMode::kReadWrite);
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    connection_ = std::move(*connection);
    ASSERT_OK(db::Migrate(*connection_));
  }

  Result<ToolOutput> Call(std::string_view tool, const Json& arguments) {
    return ::fastbreak::nba::testing::CallTool(*connection_, tool, arguments);
  }

  fastbreak::testing::TempDir dir_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<db::Connection> connection_;
};

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream stream(line);
  while (std::getline(stream, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

TEST_F(RealDataTest, StandingsMatchFiveThirtyEightRecords) {
  FB_REQUIRE_SHARED_DATA(dir);
  const std::string file = dir + "/fivethirtyeight/nba_elo_2022-23.csv";
  ASSERT_OK(db::Import(*connection_, db::ImportFormat::kFiveThirtyEight, {file}));

  // Wins and losses per team id, counted from the CSV's played regular-season rows.
  std::ifstream csv(file);
  ASSERT_TRUE(csv.good()) << file;
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  const std::vector<std::string> header = SplitCsvLine(line);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : {"playoff", "team1", "team2", "score1", "score2"}) {
    ASSERT_TRUE(column.count(name)) << name;
  }
  std::map<int64_t, std::pair<int, int>> expected;  // team id -> wins, losses
  int played = 0;
  while (std::getline(csv, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> row = SplitCsvLine(line);
    ASSERT_GT(row.size(), column["score2"]) << line;
    if (!row[column["playoff"]].empty()) continue;
    const std::string& score1 = row[column["score1"]];
    const std::string& score2 = row[column["score2"]];
    if (score1.empty() || score2.empty()) continue;
    const db::TeamInfo* home = db::FindTeamByAbbreviation(row[column["team1"]]);
    const db::TeamInfo* away = db::FindTeamByAbbreviation(row[column["team2"]]);
    ASSERT_NE(home, nullptr) << line;
    ASSERT_NE(away, nullptr) << line;
    const bool home_won = std::stoi(score1) > std::stoi(score2);
    (home_won ? expected[home->team_id].first : expected[home->team_id].second)++;
    (home_won ? expected[away->team_id].second : expected[away->team_id].first)++;
    ++played;
  }
  EXPECT_EQ(played, 1230);
  ASSERT_EQ(expected.size(), 30u);

  auto standings = Call("standings", {{"season", 2022}, {"group", "league"}});
  ASSERT_OK(standings);
  const Json& groups = standings->structured["groups"];
  ASSERT_EQ(groups.size(), 1u);
  const Json& teams = groups[0]["teams"];
  ASSERT_EQ(teams.size(), 30u);
  for (const Json& team : teams) {
    const int64_t id = team["team_id"].get<int64_t>();
    ASSERT_TRUE(expected.count(id)) << team.dump();
    EXPECT_EQ(team["wins"].get<int>(), expected[id].first) << team["abbreviation"];
    EXPECT_EQ(team["losses"].get<int>(), expected[id].second) << team["abbreviation"];
  }
  // 2022-23: Milwaukee had the best record, 58-24.
  EXPECT_EQ(teams[0]["abbreviation"], "MIL");
  EXPECT_EQ(teams[0]["wins"], 58);
}

TEST_F(RealDataTest, BoxScoreMatchesBoxScoreTraditionalV3) {
  FB_REQUIRE_SHARED_DATA(dir);
  const std::string file = dir + "/nba_api/responses/boxscoretraditionalv3.json";
  ASSERT_OK(db::Import(*connection_, db::ImportFormat::kNbaApi, {file}));

  std::ifstream in(file);
  ASSERT_TRUE(in.good()) << file;
  const Json source = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(source.is_discarded());
  const Json& box = source["boxScoreTraditional"];
  ASSERT_TRUE(box.is_object());
  ASSERT_TRUE(box["gameId"].is_string());
  const std::string game_id = box["gameId"].get<std::string>();

  auto result = Call("box_score", {{"game_id", game_id}});
  ASSERT_OK(result);
  std::map<int64_t, Json> lines;  // player id -> line from the tool
  for (const Json& team : result->structured["teams"]) {
    for (const Json& player : team["players"]) {
      lines[player["player_id"].get<int64_t>()] = player;
    }
  }
  const auto stat = [](const Json& value) -> int64_t {
    return value.is_number() ? static_cast<int64_t>(value.get<double>()) : 0;
  };
  int checked = 0;
  for (const char* side : {"homeTeam", "awayTeam"}) {
    ASSERT_TRUE(box[side]["players"].is_array()) << side;
    for (const Json& player : box[side]["players"]) {
      const int64_t id = player["personId"].get<int64_t>();
      ASSERT_TRUE(lines.count(id)) << "player " << id << " missing from box_score";
      const Json& expected = player["statistics"];
      const Json& line = lines[id];
      EXPECT_EQ(stat(line["pts"]), stat(expected["points"])) << id;
      EXPECT_EQ(stat(line["reb"]), stat(expected["reboundsTotal"])) << id;
      EXPECT_EQ(stat(line["ast"]), stat(expected["assists"])) << id;
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(lines.size()));
  EXPECT_GT(checked, 20);
  // MIL at TOR, 100-128.
  const Json& game = result->structured["game"];
  EXPECT_EQ(game["away"]["abbreviation"], "MIL");
  EXPECT_EQ(game["home"]["abbreviation"], "TOR");
}

}  // namespace
}  // namespace fastbreak::nba
