#include "mcp/http_transport.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "http/server.hpp"
#include "http/test_client.hpp"
#include "mcp/mcp_test_util.hpp"

namespace fastbreak::mcp {
namespace {

namespace bhttp = boost::beast::http;
using http::testing::HttpResponse;
using http::testing::TestClient;
using Headers = std::vector<std::pair<std::string, std::string>>;

const char* kInitialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

class HttpTransportTest : public testing::McpFixture {
 protected:
  void Start(HttpTransportOptions options = {}) {
    transport_ = std::make_unique<HttpTransport>(*server_, options, registry_);
    http::Router router;
    transport_->AddRoutes(router);
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.io_threads = 1;
    http_ = std::move(*http::Server::Start(server_options, std::move(router), registry_));
  }
  void TearDown() override {
    if (http_) http_->Stop();
  }
  HttpResponse Post(const std::string& body, Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    headers.emplace_back("Accept", "application/json, text/event-stream");
    TestClient client(http_->port());
    return client.Send(bhttp::verb::post, "/mcp", body, headers);
  }
  std::string OpenSession() {
    const auto response = Post(kInitialize);
    EXPECT_EQ(response.result_int(), 200);
    return std::string(response["Mcp-Session-Id"]);
  }

  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<http::Server> http_;
};

TEST_F(HttpTransportTest, InitializeIssuesASessionThatLaterRequestsMustCarry) {
  Start();
  const std::string session = OpenSession();
  EXPECT_EQ(session.size(), 32U);
  EXPECT_EQ(transport_->session_count(), 1U);
  const char* ping = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
  EXPECT_EQ(Post(ping).result_int(), 400);
  EXPECT_EQ(Post(ping, {{"Mcp-Session-Id", "0123"}}).result_int(), 404);
  const auto ok = Post(ping, {{"Mcp-Session-Id", session}});
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(Json::parse(ok.body())["id"], 2);
  const auto accepted = Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                             {{"Mcp-Session-Id", session}});
  EXPECT_EQ(accepted.result_int(), 202);
  EXPECT_TRUE(accepted.body().empty());
}

TEST_F(HttpTransportTest, DeleteEndsTheSession) {
  Start();
  const std::string session = OpenSession();
  TestClient client(http_->port());
  EXPECT_EQ(
      client.Send(bhttp::verb::delete_, "/mcp", "", {{"Mcp-Session-Id", session}}).result_int(),
      204);
  EXPECT_EQ(transport_->session_count(), 0U);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", {{"Mcp-Session-Id", session}})
                .result_int(),
            404);
}

TEST_F(HttpTransportTest, OriginsOutsideTheAllowListAreForbidden) {
  Start();
  EXPECT_EQ(Post(kInitialize, {{"Origin", "http://evil.example"}}).result_int(), 403);
  EXPECT_EQ(Post(kInitialize, {{"Origin", "http://localhost.evil.example"}}).result_int(), 403);
  EXPECT_EQ(Post(kInitialize, {{"Origin", "http://localhost:8080"}}).result_int(), 200);
  EXPECT_EQ(Post(kInitialize, {{"Origin", "http://127.0.0.1"}}).result_int(), 200);
}

TEST_F(HttpTransportTest, HeadersAndBodiesAreChecked) {
  Start();
  EXPECT_EQ(Post(kInitialize, {{"MCP-Protocol-Version", "1999-01-01"}}).result_int(), 400);
  const auto bad_json = Post("{not json");
  EXPECT_EQ(bad_json.result_int(), 400);
  EXPECT_EQ(Json::parse(bad_json.body())["error"]["code"], -32700);
  TestClient client(http_->port());
  EXPECT_EQ(client.Send(bhttp::verb::post, "/mcp", kInitialize, {{"Content-Type", "text/plain"}})
                .result_int(),
            415);
  TestClient get(http_->port());
  EXPECT_EQ(get.Send(bhttp::verb::get, "/mcp", "", {{"Accept", "application/json"}}).result_int(),
            406);
}

TEST_F(HttpTransportTest, IdleSessionsExpire) {
  HttpTransportOptions options;
  options.session_idle_timeout = std::chrono::milliseconds(100);
  Start(options);
  const std::string session = OpenSession();
  for (int i = 0; i < 100 && transport_->session_count() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(transport_->session_count(), 0U);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", {{"Mcp-Session-Id", session}})
                .result_int(),
            404);
}

TEST_F(HttpTransportTest, GetOpensAStreamThatKeepsTheSessionAlive) {
  HttpTransportOptions options;
  options.session_idle_timeout = std::chrono::milliseconds(100);
  options.keep_alive_interval = std::chrono::milliseconds(50);
  Start(options);
  const std::string session = OpenSession();
  TestClient stream(http_->port());
  stream.WriteRaw("GET /mcp HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nMcp-Session-Id: " +
                  session + "\r\n\r\n");
  const auto header = stream.ReadStreamHeader();
  EXPECT_EQ(header.result_int(), 200);
  EXPECT_EQ(header[bhttp::field::content_type], "text/event-stream");
  EXPECT_NE(stream.ReadStreamSome().find(": keep-alive"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(transport_->session_count(), 1U) << "an open stream keeps its session";
}

TEST_F(HttpTransportTest, ProgressTurnsTheResponseIntoAnEventStream) {
  Start();
  const std::string session = OpenSession();
  const std::string call =
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"run_sql",)"
      R"("_meta":{"progressToken":1},"arguments":{"timeout_ms":500,"sql":")" +
      std::string(testing::kSlowSql) + R"("}}})";
  const auto response = Post(call, {{"Mcp-Session-Id", session}});
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[bhttp::field::content_type], "text/event-stream");
  EXPECT_NE(response.body().find("notifications/progress"), std::string::npos);
  EXPECT_NE(response.body().find(R"("id":5)"), std::string::npos);
}

}  // namespace
}  // namespace fastbreak::mcp
