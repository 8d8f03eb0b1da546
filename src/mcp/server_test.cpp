#include "mcp/server.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "mcp/mcp_test_util.hpp"

namespace fastbreak::mcp {
namespace {

using testing::kSlowSql;
using testing::McpFixture;
using testing::RecordingOutbound;

TEST(ProtocolTest, NegotiatesVersions) {
  EXPECT_EQ(NegotiateVersion("2025-06-18"), "2025-06-18");
  EXPECT_EQ(NegotiateVersion("2025-03-26"), "2025-03-26");
  EXPECT_EQ(NegotiateVersion("2024-11-05"), kLatestVersion);
  EXPECT_EQ(NegotiateVersion("garbage"), kLatestVersion);
  EXPECT_TRUE(AllowsBatches("2025-03-26"));
  EXPECT_FALSE(AllowsBatches("2025-06-18"));
  EXPECT_FALSE(AllowsBatches("2025-11-25"));
}

TEST(ProtocolTest, ClassifiesMessagesAndRejectsBadEnvelopes) {
  Json id;
  auto request = ClassifyMessage(Json::parse(R"({"jsonrpc":"2.0","id":"a","method":"ping"})"), &id);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->kind, Message::Kind::kRequest);
  EXPECT_EQ(id, "a");
  auto notification =
      ClassifyMessage(Json::parse(R"({"jsonrpc":"2.0","method":"notifications/x"})"), nullptr);
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->kind, Message::Kind::kNotification);
  for (const char* bad :
       {R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"x"})",
        R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
        R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", R"({"jsonrpc":"2.0","id":1,"method":7})",
        R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})", R"({"jsonrpc":"2.0","id":1})",
        "[1]", "3"}) {
    auto result = ClassifyMessage(Json::parse(bad), nullptr);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest) << bad;
  }
}

TEST(ProtocolTest, LogLevelsRoundTrip) {
  EXPECT_EQ(ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(LogLevelName(LogLevel::kEmergency), "emergency");
  EXPECT_FALSE(ParseLogLevel("verbose"));
}

class McpServerTest : public McpFixture {};

TEST_F(McpServerTest, InitializeNegotiatesAndDeclaresCapabilities) {
  const Json response = Initialize("2025-06-18");
  const Json& result = response["result"];
  EXPECT_EQ(result["protocolVersion"], "2025-06-18");
  EXPECT_EQ(result["serverInfo"]["name"], "fastbreak");
  for (const char* capability : {"tools", "resources", "prompts", "logging", "completions"}) {
    EXPECT_TRUE(result["capabilities"].contains(capability)) << capability;
  }
  // A second initialize on the same session is refused.
  EXPECT_EQ(Initialize()["error"]["code"], -32600);
}

TEST_F(McpServerTest, UnsupportedVersionIsAnsweredWithTheLatest) {
  EXPECT_EQ(Initialize("1999-01-01")["result"]["protocolVersion"], std::string(kLatestVersion));
}

TEST_F(McpServerTest, OnlyPingIsServedBeforeInitialize) {
  EXPECT_EQ(Send(Request(1, "ping"))["result"], Json::object());
  const Json refused = Send(Request(2, "tools/list"));
  EXPECT_EQ(refused["error"]["code"], -32600);
  EXPECT_EQ(refused["id"], 2);
}

TEST_F(McpServerTest, ErrorCodesFollowTheSpecification) {
  Initialize();
  EXPECT_EQ(SendText("{not json")["error"]["code"], -32700);
  EXPECT_TRUE(SendText("{not json")["id"].is_null());
  EXPECT_EQ(Send(Request(1, "no/such/method"))["error"]["code"], -32601);
  EXPECT_EQ(Send(Request(2, "tools/call", {{"name", "nope"}}))["error"]["code"], -32602);
  EXPECT_EQ(
      Send(Request(3, "tools/call", {{"name", "standings"}, {"arguments", 5}}))["error"]["code"],
      -32602);
  EXPECT_EQ(Send(Request(4, "tools/list", {{"cursor", "bogus"}}))["error"]["code"], -32602);
  const Json missing = Send(Request(5, "resources/read", {{"uri", "nba://nothing"}}));
  EXPECT_EQ(missing["error"]["code"], -32002);
  EXPECT_EQ(missing["error"]["data"]["uri"], "nba://nothing");
  EXPECT_EQ(Send(Request(6, "resources/read", {{"uri", "nba://players/1"}}))["error"]["code"],
            -32002);
  EXPECT_EQ(Send(Request(7, "prompts/get", {{"name", "nope"}}))["error"]["code"], -32602);
  EXPECT_EQ(Send(Request(8, "prompts/get", {{"name", "scouting_report"}}))["error"]["code"],
            -32602);
  EXPECT_EQ(Send(Request(9, "logging/setLevel", {{"level", "loud"}}))["error"]["code"], -32602);
}

TEST_F(McpServerTest, ToolFailuresAreResultsWithIsError) {
  Initialize();
  const Json response = CallTool(1, "get_player", {{"player", "Zzyzx Qwerty"}});
  ASSERT_TRUE(response.contains("result")) << response.dump();
  EXPECT_EQ(response["result"]["isError"], true);
  const std::string text = response["result"]["content"][0]["text"];
  EXPECT_NE(text.find("search_players"), std::string::npos) << text;
  const Json bad_argument = CallTool(2, "standings", {{"group", "galaxy"}});
  EXPECT_EQ(bad_argument["result"]["isError"], true);
}

TEST_F(McpServerTest, ToolResultsCarryStructuredContentAndText) {
  Initialize();
  const Json response = CallTool(1, "standings", Json::object());
  const Json& result = response["result"];
  EXPECT_EQ(result["isError"], false);
  EXPECT_TRUE(result["structuredContent"].is_object());
  EXPECT_EQ(result["content"][0]["type"], "text");
  EXPECT_FALSE(result["content"][0]["text"].get<std::string>().empty());
}

TEST_F(McpServerTest, ListsEveryToolWithSchemasAndAnnotations) {
  Initialize();
  const Json tools = Send(Request(1, "tools/list"))["result"]["tools"];
  ASSERT_EQ(tools.size(), nba::NbaCatalog().tools.size());
  ASSERT_GE(tools.size(), 16U);
  for (const auto& tool : tools) {
    EXPECT_EQ(tool["inputSchema"]["type"], "object") << tool["name"];
    EXPECT_EQ(tool["outputSchema"]["type"], "object") << tool["name"];
    // Every tool but two is read-only; those two change the cache, never the data.
    const bool writes_cache = tool["name"] == "invalidate_cache" || tool["name"] == "warm_cache";
    EXPECT_EQ(tool["annotations"]["readOnlyHint"], !writes_cache) << tool["name"];
    EXPECT_EQ(tool["annotations"]["destructiveHint"], false) << tool["name"];
    EXPECT_EQ(tool["annotations"]["openWorldHint"], false) << tool["name"];
    EXPECT_FALSE(tool["description"].get<std::string>().empty());
  }
}

TEST_F(McpServerTest, ResourcesPromptsAndCompletions) {
  Initialize();
  const Json resources = Send(Request(1, "resources/list"))["result"]["resources"];
  ASSERT_GE(resources.size(), 2U);
  const Json templates =
      Send(Request(2, "resources/templates/list"))["result"]["resourceTemplates"];
  EXPECT_EQ(templates.size(), 2U);
  const Json teams = Send(Request(3, "resources/read", {{"uri", "nba://teams"}}));
  const Json contents = teams["result"]["contents"][0];
  EXPECT_EQ(contents["mimeType"], "application/json");
  EXPECT_EQ(Json::parse(contents["text"].get<std::string>())["teams"].size(), 30U);
  const Json prompts = Send(Request(4, "prompts/list"))["result"]["prompts"];
  EXPECT_EQ(prompts.size(), 4U);
  const Json completion =
      Send(Request(5, "completion/complete",
                   {{"ref", {{"type", "ref/prompt"}, {"name", "scouting_report"}}},
                    {"argument", {{"name", "season"}, {"value", "20"}}}}))["result"]["completion"];
  ASSERT_FALSE(completion["values"].empty());
  EXPECT_TRUE(completion["values"][0].get<std::string>().starts_with("20"));
  const Json teams_completion =
      Send(Request(7, "completion/complete",
                   {{"ref", {{"type", "ref/prompt"}, {"name", "team_report"}}},
                    {"argument", {{"name", "team"}, {"value", "Bos"}}}}))["result"]["completion"];
  ASSERT_FALSE(teams_completion["values"].empty()) << teams_completion.dump();
  EXPECT_NE(teams_completion["values"].dump().find("Boston"), std::string::npos)
      << teams_completion.dump();
  // An argument we cannot complete gets an empty list, not an error.
  const Json unknown = Send(Request(6, "completion/complete",
                                    {{"ref", {{"type", "ref/prompt"}, {"name", "other"}}},
                                     {"argument", {{"name", "x"}, {"value", "a"}}}}));
  EXPECT_EQ(unknown["result"]["completion"]["values"], Json::array());
}

TEST_F(McpServerTest, BatchesOnlyFor20250326) {
  Initialize("2025-06-18");
  const Json batch = Json::array({Request(1, "ping"), Request(2, "ping")});
  EXPECT_EQ(Send(batch)["error"]["code"], -32600);
}

TEST_F(McpServerTest, BatchesWorkFor20250326Clients) {
  Initialize("2025-03-26");
  const Json batch = Json::array(
      {Request(1, "ping"), Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}},
       Request(2, "tools/call", {{"name", "standings"}, {"arguments", Json::object()}})});
  const Json answers = Send(batch);
  ASSERT_TRUE(answers.is_array()) << answers.dump();
  ASSERT_EQ(answers.size(), 2U);  // the notification gets no answer
  std::set<int> ids;
  for (const auto& answer : answers) ids.insert(answer["id"].get<int>());
  EXPECT_EQ(ids, (std::set<int>{1, 2}));
  EXPECT_EQ(Send(Json::array())["error"]["code"], -32600);
}

TEST_F(McpServerTest, LoggingLevelControlsMessages) {
  Initialize();
  EXPECT_EQ(Send(Request(1, "logging/setLevel", {{"level", "debug"}}))["result"], Json::object());
  auto out = std::make_shared<RecordingOutbound>();
  Send(Request(2, "tools/call", {{"name", "standings"}, {"arguments", Json::object()}}), out);
  const auto messages = out->notifications();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0]["method"], "notifications/message");
  EXPECT_EQ(messages[0]["params"]["level"], "debug");
  // At "error", a successful call logs nothing.
  Send(Request(3, "logging/setLevel", {{"level", "error"}}));
  auto quiet = std::make_shared<RecordingOutbound>();
  Send(Request(4, "tools/call", {{"name", "standings"}, {"arguments", Json::object()}}), quiet);
  EXPECT_TRUE(quiet->notifications().empty());
}

TEST_F(McpServerTest, CancellationInterruptsTheQueryAndSendsNoResponse) {
  Initialize();
  auto out = std::make_shared<RecordingOutbound>();
  const auto start = std::chrono::steady_clock::now();
  server_->HandleParsed(
      session_,
      Request(7, "tools/call",
              {{"name", "run_sql"}, {"arguments", {{"sql", kSlowSql}, {"timeout_ms", 10000}}}}),
      out);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto cancel = std::make_shared<RecordingOutbound>();
  server_->HandleParsed(session_,
                        Json{{"jsonrpc", "2.0"},
                             {"method", "notifications/cancelled"},
                             {"params", {{"requestId", 7}, {"reason", "test"}}}},
                        cancel);
  EXPECT_TRUE(cancel->Wait().is_null());
  EXPECT_TRUE(out->Wait().is_null()) << "a cancelled request gets no response";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The worker is free again.
  EXPECT_EQ(CallTool(8, "standings", Json::object())["result"]["isError"], false);
}

TEST_F(McpServerTest, ProgressNotificationsForSlowCallsWithAToken) {
  Initialize();
  auto out = std::make_shared<RecordingOutbound>();
  const Json response =
      Send(Request(9, "tools/call",
                   {{"name", "run_sql"},
                    {"_meta", {{"progressToken", "tok"}}},
                    {"arguments",
                     {{"sql",
                       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < "
                       "100000000) SELECT count(*) FROM c"},
                      {"timeout_ms", 400}}}}),
           out);
  ASSERT_TRUE(response.contains("result"));
  const auto notifications = out->notifications();
  ASSERT_FALSE(notifications.empty()) << "a call of ~400 ms sends progress";
  double last = -1;
  for (const auto& notification : notifications) {
    if (notification["method"] != "notifications/progress") continue;
    EXPECT_EQ(notification["params"]["progressToken"], "tok");
    const double progress = notification["params"]["progress"];
    EXPECT_GT(progress, last);
    last = progress;
  }
  EXPECT_GT(last, 0);
}

class McpPagingTest : public McpFixture {
 protected:
  McpPagingTest() : McpFixture(McpOptions{5, "test"}) {}
};

TEST_F(McpPagingTest, ListsArePagedWithCursors) {
  Initialize();
  std::vector<std::string> names;
  Json params = Json::object();
  for (int page = 0; page < 10; ++page) {
    const Json result = Send(Request(page, "tools/list", params))["result"];
    EXPECT_LE(result["tools"].size(), 5U);
    for (const auto& tool : result["tools"]) names.push_back(tool["name"]);
    if (!result.contains("nextCursor")) break;
    params = {{"cursor", result["nextCursor"]}};
  }
  EXPECT_EQ(names.size(), nba::NbaCatalog().tools.size());
}

class McpTimeoutTest : public McpFixture {
 protected:
  McpTimeoutTest()
      : McpFixture(McpOptions{}, nba::ExecutorOptions{1, 1, std::chrono::milliseconds(300),
                                                      std::chrono::milliseconds(20)}) {}
};

TEST_F(McpTimeoutTest, CallsPastTheTimeLimitAreStoppedWithAClearError) {
  Initialize();
  const auto start = std::chrono::steady_clock::now();
  const Json response = CallTool(1, "run_sql", {{"sql", kSlowSql}, {"timeout_ms", 10000}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(response["result"]["isError"], true);
  const std::string text = response["result"]["content"][0]["text"];
  EXPECT_NE(text.find("300 ms"), std::string::npos) << text;
}

}  // namespace
}  // namespace fastbreak::mcp
