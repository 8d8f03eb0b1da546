#include "http/rest_api.hpp"

#include <gtest/gtest.h>

#include "db/sqlite/sqlite_database.hpp"
#include "http/server.hpp"
#include "http/test_client.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::http {
namespace {

using Json = nlohmann::json;
namespace bhttp = boost::beast::http;

TEST(QueryToArgumentsTest, TypesValuesAndRepeatsKeys) {
  auto args = QueryToArguments("player=LeBron+James&season=2023&active_only=true&p=1&p=Bob%20X");
  ASSERT_TRUE(args);
  EXPECT_EQ((*args)["player"], "LeBron James");
  EXPECT_EQ((*args)["season"], 2023);
  EXPECT_EQ((*args)["active_only"], true);
  EXPECT_EQ((*args)["p"], Json::array({1, "Bob X"}));
  EXPECT_EQ(*QueryToArguments(""), Json::object());
  EXPECT_EQ((*QueryToArguments("season=2023-24"))["season"], "2023-24");
  EXPECT_ERROR(QueryToArguments("a=%zz"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(QueryToArguments("a=%4"), ErrorCode::kInvalidArgument);
}

class RestApiTest : public ::testing::Test {
 protected:
  RestApiTest() {
    db::SqliteOptions sqlite;
    sqlite.path = nba::testing::GeneratedLeaguePath();
    database_ = std::move(*db::SqliteDatabase::Open(sqlite));
    executor_ = std::make_unique<nba::Executor>(
        *database_, nba::ExecutorOptions{2, 16, std::chrono::milliseconds(5000)}, registry_);
    Router router;
    AddRestApiRoutes(router, nba::NbaCatalog(), *executor_, registry_);
    ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    server_ = std::move(*Server::Start(options, std::move(router), registry_));
  }
  ~RestApiTest() override { server_->Stop(); }

  testing::HttpResponse Get(const std::string& target) {
    testing::TestClient client(server_->port());
    return client.Get(target);
  }
  testing::HttpResponse Post(const std::string& target, const std::string& body) {
    testing::TestClient client(server_->port());
    return client.Send(bhttp::verb::post, target, body, {{"Content-Type", "application/json"}});
  }

  telemetry::MetricsRegistry registry_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<nba::Executor> executor_;
  std::unique_ptr<Server> server_;
};

TEST_F(RestApiTest, ListsTheToolsWithSchemas) {
  const auto response = Get("/api/tools");
  ASSERT_EQ(response.result_int(), 200);
  const Json body = Json::parse(response.body());
  ASSERT_EQ(body["tools"].size(), nba::NbaCatalog().tools.size());
  EXPECT_EQ(body["tools"][0]["inputSchema"]["type"], "object");
}

TEST_F(RestApiTest, GetAndPostRunTheSameToolWithTheSameResult) {
  const auto get = Get("/api/tools/standings?group=league");
  ASSERT_EQ(get.result_int(), 200) << get.body();
  const auto post = Post("/api/tools/standings", R"({"group":"league"})");
  ASSERT_EQ(post.result_int(), 200) << post.body();
  EXPECT_EQ(Json::parse(get.body()), Json::parse(post.body()));
  EXPECT_EQ(Json::parse(get.body())["groups"][0]["teams"].size(), 30U);
}

TEST_F(RestApiTest, ErrorsCarryTheMatchingStatus) {
  EXPECT_EQ(Get("/api/tools/no_such_tool").result_int(), 404);
  EXPECT_EQ(Get("/api/tools/standings?group=galaxy").result_int(), 400);
  EXPECT_EQ(Get("/api/tools/get_player?player=Zzyzx+Qwerty").result_int(), 404);
  EXPECT_EQ(Post("/api/tools/standings", "{oops").result_int(), 400);
  EXPECT_EQ(Post("/api/tools/standings", "[1]").result_int(), 400);
  const auto refused = Post("/api/tools/run_sql", R"({"sql":"DELETE FROM teams"})");
  EXPECT_EQ(refused.result_int(), 403) << refused.body();
  const Json error = Json::parse(refused.body())["error"];
  EXPECT_EQ(error["code"], "permission_denied");
  const auto metrics = registry_.PrometheusText();
  EXPECT_EQ(
      testing::MetricValue(metrics, "fastbreak_tool_calls_total",
                           {{"tool", "standings"}, {"transport", "rest"}, {"outcome", "error"}}),
      1.0);
}

}  // namespace
}  // namespace fastbreak::http
