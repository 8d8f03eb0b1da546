#include "nba/lookup.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "db/schema/migrations.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

using Json = nlohmann::json;

int64_t Int(db::Connection& db, std::string_view sql) {
  auto value = db.QueryScalar(sql);
  EXPECT_TRUE(value.has_value()) << sql;
  return value ? std::get<int64_t>(*value) : 0;
}

std::string Text(db::Connection& db, std::string_view sql) {
  auto value = db.QueryScalar(sql);
  EXPECT_TRUE(value.has_value()) << sql;
  return value ? std::get<std::string>(*value) : std::string();
}

// A small hand-made league of names that exercise folding, ambiguity and misspellings.
class LookupNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::SqliteOptions options;
    options.path = dir_.File("names.db");
    auto opened = db::SqliteDatabase::Open(options);
    ASSERT_OK(opened);
    database_ = std::move(*opened);
    auto connection = database_->Connect(db::AccessMode::kReadWrite);
    ASSERT_OK(connection);
    db_ = std::move(*connection);
    ASSERT_OK(db::Migrate(*db_));
    Add(1, "LeBron", "James", 2003, 2024, 1);
    Add(2, "Bronny", "James", 2024, 2024, 1);
    Add(3, "Michael", "Jordan", 1984, 2002, 0);
    Add(4, "DeAndre", "Jordan", 2008, 2024, 1);
    Add(5, "Jordan", "Clarkson", 2014, 2024, 1);
    Add(6, "Luka", "Dončić", 2018, 2024, 1);
    Add(7, "Nikola", "Jokić", 2015, 2024, 1);
    Add(8, "Stephen", "Curry", 2009, 2024, 1);
    Add(9, "Shaquille", "O'Neal", 1992, 2010, 0);
    Add(10, "Jaren", "Jackson Jr.", 2018, 2024, 1);
  }

  void Add(int64_t id, std::string first, std::string last, int from, int to, int active) {
    const db::Value params[] = {
        id, first, last, first + " " + last, int64_t{from}, int64_t{to}, int64_t{active}};
    ASSERT_OK(
        db_->Execute("INSERT INTO players(player_id, first_name, last_name, full_name, "
                     "from_year, to_year, is_active) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     params));
  }

  int64_t Resolve(const Json& value) {
    auto player = ResolvePlayer(*db_, value);
    EXPECT_TRUE(player.has_value()) << value.dump() << ": " << player.error().ToString();
    return player ? player->player_id : -1;
  }

  fastbreak::testing::TempDir dir_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<db::Connection> db_;
};

TEST_F(LookupNamesTest, ResolvesIdsAndExactNames) {
  EXPECT_EQ(Resolve(4), 4);
  EXPECT_EQ(Resolve("4"), 4);
  EXPECT_EQ(Resolve("lebron james"), 1);
  EXPECT_EQ(Resolve("LEBRON JAMES"), 1);
  EXPECT_EQ(Resolve("Bronny James"), 2);
  auto missing = ResolvePlayer(*db_, 999);
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("search_players"), std::string::npos);
}

TEST_F(LookupNamesTest, FoldsAccentsAndPunctuation) {
  EXPECT_EQ(Resolve("Luka Doncic"), 6);
  EXPECT_EQ(Resolve("Dončić"), 6);
  EXPECT_EQ(Resolve("jokic"), 7);
  EXPECT_EQ(Resolve("Shaquille ONeal"), 9);
  EXPECT_EQ(Resolve("o'neal"), 9);
  EXPECT_EQ(Resolve("Jaren Jackson"), 10);
}

TEST_F(LookupNamesTest, PartialNamesAndMisspellings) {
  EXPECT_EQ(Resolve("Steph Curry"), 8);
  EXPECT_EQ(Resolve("Curry"), 8);
  EXPECT_EQ(Resolve("Lebron Jmaes"), 1);
  EXPECT_EQ(Resolve("Nikola Jokc"), 7);
  EXPECT_EQ(Resolve("Stephen Cury"), 8);
  EXPECT_EQ(Resolve("Luka"), 6);
}

TEST_F(LookupNamesTest, AmbiguousNamesListCandidates) {
  auto jordan = ResolvePlayer(*db_, "Jordan");
  EXPECT_ERROR(jordan, ErrorCode::kInvalidArgument);
  const std::string& message = jordan.error().message;
  EXPECT_NE(message.find("Michael Jordan (id 3, 1984-2002)"), std::string::npos) << message;
  EXPECT_NE(message.find("DeAndre Jordan (id 4, 2008-2024)"), std::string::npos) << message;
  EXPECT_NE(message.find("Jordan Clarkson (id 5, 2014-2024)"), std::string::npos) << message;
  auto james = ResolvePlayer(*db_, "James");
  EXPECT_ERROR(james, ErrorCode::kInvalidArgument);
}

TEST_F(LookupNamesTest, BadInputAndNothingClose) {
  auto nothing = ResolvePlayer(*db_, "Zzyzx Qwerty");
  EXPECT_ERROR(nothing, ErrorCode::kNotFound);
  EXPECT_NE(nothing.error().message.find("search_players"), std::string::npos);
  EXPECT_ERROR(ResolvePlayer(*db_, true), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ResolvePlayer(*db_, Json::array()), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ResolvePlayer(*db_, ""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ResolvePlayer(*db_, 1.5), ErrorCode::kInvalidArgument);
}

TEST_F(LookupNamesTest, IndexRefreshesWhenPlayersChange) {
  EXPECT_ERROR(ResolvePlayer(*db_, "Victor Wembanyama"), ErrorCode::kNotFound);
  Add(11, "Victor", "Wembanyama", 2023, 2024, 1);
  EXPECT_EQ(Resolve("Wembanyama"), 11);
}

TEST_F(LookupNamesTest, SearchRanksExactThenPartialThenFuzzy) {
  auto found = SearchPlayers(*db_, "jordan", 10);
  ASSERT_OK(found);
  ASSERT_EQ(found->size(), 3u);
  // Exact name parts first, active and recent careers before retired ones.
  EXPECT_EQ((*found)[2].player_id, 3);
  auto active = SearchPlayers(*db_, "jordan", 10, /*active_only=*/true);
  ASSERT_OK(active);
  EXPECT_EQ(active->size(), 2u);
  auto limited = SearchPlayers(*db_, "j", 2);
  ASSERT_OK(limited);
  EXPECT_EQ(limited->size(), 2u);
  auto fuzzy = SearchPlayers(*db_, "Lebron Jmaes", 5);
  ASSERT_OK(fuzzy);
  ASSERT_FALSE(fuzzy->empty());
  EXPECT_EQ(fuzzy->front().player_id, 1);
}

TEST(LookupGeneratedTest, ResolvesEveryKindOfNameInTheGeneratedLeague) {
  auto db = testing::OpenGeneratedLeague();
  // A player whose last name no one else has.
  const int64_t id =
      Int(*db,
          "SELECT MIN(player_id) FROM players WHERE length(last_name) >= 6 AND last_name IN "
          "(SELECT last_name FROM players GROUP BY last_name HAVING COUNT(*) = 1)");
  const std::string full =
      Text(*db, "SELECT full_name FROM players WHERE player_id = " + std::to_string(id));
  const std::string last =
      Text(*db, "SELECT last_name FROM players WHERE player_id = " + std::to_string(id));
  for (const Json& query : {Json(id), Json(std::to_string(id)), Json(full), Json(last)}) {
    auto player = ResolvePlayer(*db, query);
    ASSERT_OK(player);
    EXPECT_EQ(player->player_id, id) << query.dump();
    EXPECT_EQ(player->name, full);
  }
  // A transposition inside the last name is still him.
  std::string typo = full;
  const size_t at = full.size() - 3;
  std::swap(typo[at], typo[at + 1]);
  auto misspelled = ResolvePlayer(*db, typo);
  ASSERT_OK(misspelled);
  EXPECT_EQ(misspelled->player_id, id) << typo;
  // A shared last name is ambiguous.
  const std::string shared =
      Text(*db, "SELECT last_name FROM players GROUP BY last_name HAVING COUNT(*) >= 2 LIMIT 1");
  auto ambiguous = ResolvePlayer(*db, shared);
  EXPECT_ERROR(ambiguous, ErrorCode::kInvalidArgument);
  EXPECT_NE(ambiguous.error().message.find("(id "), std::string::npos);
}

TEST(LookupGeneratedTest, ResolveIsFastOnceTheIndexIsLoaded) {
  auto db = testing::OpenGeneratedLeague();
  const std::string full = Text(*db, "SELECT full_name FROM players ORDER BY player_id LIMIT 1");
  ASSERT_OK(ResolvePlayer(*db, full));  // loads the index
  constexpr int kCalls = 200;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) ASSERT_OK(ResolvePlayer(*db, full));
  const double exact_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kCalls;
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) (void)ResolvePlayer(*db, "Qzxvy Wmbrtk");
  const double miss_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kCalls;
  std::printf("players: %lld; ResolvePlayer exact: %.1f us, fuzzy miss: %.1f us\n",
              static_cast<long long>(Int(*db, "SELECT COUNT(*) FROM players")), exact_us, miss_us);
  EXPECT_LT(exact_us, 5000);
}

TEST(CompletionTest, SeasonsTeamsGamesAndPlayers) {
  auto db = testing::OpenGeneratedLeague();
  CallContext context{*db, {}};
  auto seasons = Complete(ArgumentKind::kSeason, "20", 10, context);
  ASSERT_OK(seasons);
  ASSERT_FALSE(seasons->values.empty());
  EXPECT_EQ(seasons->values.front(), "2024-25");
  auto none = Complete(ArgumentKind::kSeason, "19", 10, context);
  ASSERT_OK(none);
  EXPECT_TRUE(none->values.empty());

  auto teams = Complete(ArgumentKind::kTeam, "bos", 10, context);
  ASSERT_OK(teams);
  EXPECT_NE(std::find(teams->values.begin(), teams->values.end(), "BOS"), teams->values.end());
  EXPECT_NE(std::find(teams->values.begin(), teams->values.end(), "Boston Celtics"),
            teams->values.end());
  auto lakers = Complete(ArgumentKind::kTeam, "Lak", 10, context);
  ASSERT_OK(lakers);
  ASSERT_EQ(lakers->values.size(), 1u);
  EXPECT_EQ(lakers->values[0], "Los Angeles Lakers");

  auto games = Complete(ArgumentKind::kGame, "00224", 5, context);
  ASSERT_OK(games);
  EXPECT_EQ(games->values.size(), 5u);
  EXPECT_EQ(games->total, Int(*db, "SELECT COUNT(*) FROM games WHERE game_id LIKE '00224%'"));
  for (const auto& id : games->values) EXPECT_TRUE(id.starts_with("00224")) << id;

  const std::string last = Text(*db, "SELECT last_name FROM players ORDER BY player_id LIMIT 1");
  auto players = Complete(ArgumentKind::kPlayer, last.substr(0, 3), 5, context);
  ASSERT_OK(players);
  EXPECT_FALSE(players->values.empty());
  EXPECT_LE(players->values.size(), 5u);
  auto text = Complete(ArgumentKind::kText, "x", 5, context);
  ASSERT_OK(text);
  EXPECT_TRUE(text->values.empty());
}

}  // namespace
}  // namespace fastbreak::nba
