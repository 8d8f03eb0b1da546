#include "loadgen/stdio_driver.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/testing.hpp"

namespace fastbreak::loadgen {
namespace {

using Json = nlohmann::json;

TEST(ScanResponseTest, FindsIdResultAndErrorsInAnyOrder) {
  // Keys sorted (nlohmann), id first.
  auto a = ScanResponse(R"({"id":42,"jsonrpc":"2.0","result":{"content":[],"isError":false}})");
  EXPECT_EQ(a.id, 42u);
  EXPECT_FALSE(a.rpc_error);
  EXPECT_FALSE(a.tool_error);
  // Insertion order (the TypeScript SDK): result first, id last, nested ids ignored.
  auto b = ScanResponse(
      R"({"result":{"content":[{"type":"text","text":"[{\"id\": 7}]","id":9}],"isError":true},)"
      R"( "jsonrpc" : "2.0" , "id" : 1234567890123})");
  EXPECT_EQ(b.id, 1234567890123u);
  EXPECT_TRUE(b.tool_error);
  EXPECT_FALSE(b.rpc_error);
}

TEST(ScanResponseTest, ErrorsNotificationsAndOddIds) {
  auto error = ScanResponse(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"x"}})");
  EXPECT_EQ(error.id, 3u);
  EXPECT_TRUE(error.rpc_error);
  auto note = ScanResponse(R"({"jsonrpc":"2.0","method":"notifications/message","params":)"
                           R"({"data":{"id":5,"error":1,"isError":true}}})");
  EXPECT_FALSE(note.id.has_value());
  EXPECT_FALSE(note.rpc_error);
  EXPECT_FALSE(note.tool_error);
  EXPECT_FALSE(ScanResponse(R"({"id":"abc","result":{}})").id.has_value());
  EXPECT_FALSE(ScanResponse(R"({"id":null,"error":{}})").id.has_value());
  // isError only counts directly inside result.
  EXPECT_FALSE(ScanResponse(R"({"id":1,"result":{"meta":{"isError":true}}})").tool_error);
  // Escaped quotes and backslashes inside strings do not end them early.
  auto escaped = ScanResponse(R"({"result":{"text":"a\\\"id\":9,\\"},"id":8})");
  EXPECT_EQ(escaped.id, 8u);
  // Malformed input: what came before the break.
  EXPECT_FALSE(ScanResponse(R"({"result":{"text":"unterminated)").id.has_value());
  EXPECT_FALSE(ScanResponse("").id.has_value());
}

TEST(RequestTemplateTest, RendersOneLinePerIdAndValidates) {
  auto request = RequestTemplate::Make("run_sql", R"({ "sql" : "SELECT \"a\"" })");
  ASSERT_TRUE(request.has_value());
  std::string out;
  request->AppendLine(17, out);
  request->AppendLine(18446744073709551615u, out);
  const auto first_end = out.find('\n');
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_EQ(out.back(), '\n');
  const Json first = Json::parse(out.substr(0, first_end));
  EXPECT_EQ(first["id"], 17);
  EXPECT_EQ(first["method"], "tools/call");
  EXPECT_EQ(first["params"]["name"], "run_sql");
  EXPECT_EQ(first["params"]["arguments"]["sql"], "SELECT \"a\"");
  EXPECT_EQ(ScanResponse(out.substr(first_end + 1)).id, 18446744073709551615u);

  EXPECT_EQ(RequestTemplate::Make("run_sql", "[1]").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(RequestTemplate::Make("run_sql", "{").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(RequestTemplate::Make("", "{}").error().code, ErrorCode::kInvalidArgument);
}

TEST(RequestTemplateTest, ReadsAFile) {
  fastbreak::testing::TempDir dir;
  const std::string path = (dir.path() / "request.json").string();
  std::ofstream(path) << R"({"name": "query", "arguments": {"sql": "SELECT 1"}})";
  auto request = RequestTemplate::FromFile(path);
  ASSERT_TRUE(request.has_value()) << request.error().ToString();
  EXPECT_EQ(request->tool(), "query");
  std::string out;
  request->AppendLine(1, out);
  EXPECT_EQ(Json::parse(out)["params"]["arguments"]["sql"], "SELECT 1");

  std::ofstream(path) << "not json";
  EXPECT_EQ(RequestTemplate::FromFile(path).error().code, ErrorCode::kParseError);
  std::ofstream(path) << R"({"arguments": {}})";
  EXPECT_EQ(RequestTemplate::FromFile(path).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(RequestTemplate::FromFile(path + ".missing").error().code, ErrorCode::kIo);
}

TEST(FormatTest, ReportsPercentilesFromTheHistogram) {
  BenchReport report;
  for (uint64_t us = 1; us <= 100; ++us) report.latency_ns.Add(us * 1000);
  report.sent = 100;
  report.responses = 98;
  report.tool_errors = 1;
  report.seconds = 0.5;
  const Json json = Json::parse(FormatJson("x", 8, report));
  EXPECT_EQ(json["label"], "x");
  EXPECT_EQ(json["in_flight"], 8);
  EXPECT_DOUBLE_EQ(json["rps"].get<double>(), 196.0);
  EXPECT_EQ(json["failures"], 3);  // one tool error, two missing
  EXPECT_NEAR(json["p50_us"].get<double>(), 50.0, 50.0 * 0.04);
  EXPECT_NEAR(json["p99_us"].get<double>(), 99.0, 99.0 * 0.04);
  EXPECT_DOUBLE_EQ(json["max_us"].get<double>(), 100.0);
  const std::string text = FormatText("x", 8, report);
  EXPECT_NE(text.find("196 req/s"), std::string::npos) << text;
  EXPECT_NE(text.find("failures 3"), std::string::npos) << text;
}

TEST(EchoResponderTest, AnswersEveryRequestWithItsId) {
  int in[2];
  int out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  const std::string input =
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"arguments":{"id":9}}})"
      "\n";
  ASSERT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(in[1]);
  ASSERT_TRUE(RunEchoResponder(in[0], out[1], 16).has_value());
  ::close(out[1]);
  std::string answer(4096, '\0');
  answer.resize(static_cast<size_t>(std::max<ssize_t>(::read(out[0], answer.data(), 4096), 0)));
  ::close(in[0]);
  ::close(out[0]);
  const auto newline = answer.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const Json first = Json::parse(answer.substr(0, newline));
  EXPECT_EQ(first["id"], 0);
  EXPECT_EQ(first["result"]["content"][0]["text"], "ok" + std::string(16, '.'));
  const Json second = Json::parse(answer.substr(newline + 1));
  EXPECT_EQ(second["id"], 5);
}

// `cat` answers each request with the request itself: same id, no error.
TEST(RunStdioBenchTest, MatchesPipelinedResponsesById) {
  ::signal(SIGPIPE, SIG_IGN);
  auto request = RequestTemplate::Make("run_sql", R"({"sql":"SELECT 1"})");
  ASSERT_TRUE(request.has_value());
  BenchOptions options;
  options.command = {"cat"};
  options.requests = 2000;
  options.warmup = 50;
  options.in_flight = 16;
  options.timeout = std::chrono::seconds(30);
  auto report = RunStdioBench(*request, options);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->sent, 2000u);
  EXPECT_EQ(report->responses, 2000u);
  EXPECT_EQ(report->Failures(), 0u);
  EXPECT_EQ(report->unmatched, 0u);
  EXPECT_FALSE(report->timed_out);
  EXPECT_EQ(report->latency_ns.Count(), 2000u);
  EXPECT_GT(report->seconds, 0.0);
  EXPECT_GT(report->RequestsPerSecond(), 0.0);
  EXPECT_EQ(report->child_exit, "exit 0");
  EXPECT_EQ(Json::parse(report->first_response)["params"]["name"], "run_sql");
}

TEST(RunStdioBenchTest, FailsWhenTheServerCannotStartOrAnswer) {
  ::signal(SIGPIPE, SIG_IGN);
  auto request = RequestTemplate::Make("run_sql", "{}");
  ASSERT_TRUE(request.has_value());
  BenchOptions options;
  options.timeout = std::chrono::seconds(10);
  options.command = {"/nonexistent/server"};
  EXPECT_EQ(RunStdioBench(*request, options).error().code, ErrorCode::kConnection);
  options.command = {"true"};
  EXPECT_EQ(RunStdioBench(*request, options).error().code, ErrorCode::kConnection);
  options.command = {"sleep", "5"};
  options.timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RunStdioBench(*request, options).error().code, ErrorCode::kConnection);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  options.command.clear();
  EXPECT_EQ(RunStdioBench(*request, options).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::loadgen
