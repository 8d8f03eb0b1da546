// Test fixture for the MCP server: the generated league, an executor and a server, and an
// Outbound that records what the server sends.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite/sqlite_database.hpp"
#include "mcp/server.hpp"
#include "nba/catalog.hpp"
#include "nba/executor.hpp"
#include "nba/nba_test_util.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::mcp::testing {

// Records notifications and the final answer; Wait() blocks until Finish ran.
class RecordingOutbound final : public Outbound {
 public:
  void Notify(std::string message) override {
    std::lock_guard lock(mutex_);
    notifications_.push_back(Json::parse(message));
  }
  void Finish(std::optional<std::string> response) override {
    std::lock_guard lock(mutex_);
    finished_ = true;
    if (response) response_ = Json::parse(*response);
    done_.notify_all();
  }
  // The response (null Json when none was sent); fails the test on timeout.
  Json Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(done_.wait_for(lock, timeout, [this] { return finished_; }))
        << "no answer within " << timeout.count() << " ms";
    return response_;
  }
  std::vector<Json> notifications() {
    std::lock_guard lock(mutex_);
    return notifications_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool finished_ = false;
  Json response_;
  std::vector<Json> notifications_;
};

class McpFixture : public ::testing::Test {
 protected:
  explicit McpFixture(McpOptions options = {}, nba::ExecutorOptions executor_options = {}) {
    db::SqliteOptions sqlite;
    sqlite.path = nba::testing::GeneratedLeaguePath();
    database_ = std::move(*db::SqliteDatabase::Open(sqlite));
    if (executor_options.workers == 0) executor_options.workers = 2;
    executor_ = std::make_unique<nba::Executor>(*database_, executor_options, registry_);
    server_ = std::make_unique<McpServer>(nba::NbaCatalog(), *executor_, options, registry_);
    session_ = std::make_shared<Session>("test", "stdio");
  }

  // Sends one message (object or array, or raw text when `raw`) and waits for the answer.
  Json Send(const Json& message, std::shared_ptr<RecordingOutbound> out = nullptr) {
    if (!out) out = std::make_shared<RecordingOutbound>();
    server_->HandleParsed(session_, message, out);
    return out->Wait();
  }
  Json SendText(std::string_view text) {
    auto out = std::make_shared<RecordingOutbound>();
    server_->HandleText(session_, text, out);
    return out->Wait();
  }
  static Json Request(int id, std::string method, Json params = Json::object()) {
    return {{"jsonrpc", "2.0"},
            {"id", id},
            {"method", std::move(method)},
            {"params", std::move(params)}};
  }
  Json Initialize(std::string version = "2025-11-25") {
    return Send(Request(0, "initialize",
                        {{"protocolVersion", version},
                         {"capabilities", Json::object()},
                         {"clientInfo", {{"name", "test"}, {"version", "1"}}}}));
  }
  Json CallTool(int id, std::string name, Json arguments) {
    return Send(Request(id, "tools/call",
                        {{"name", std::move(name)}, {"arguments", std::move(arguments)}}));
  }

  telemetry::MetricsRegistry registry_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<nba::Executor> executor_;
  std::unique_ptr<McpServer> server_;
  std::shared_ptr<Session> session_;
};

// A recursive query that runs for seconds: for cancellation, progress and timeouts.
inline constexpr const char* kSlowSql =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 500000000) "
    "SELECT count(*) FROM c";

}  // namespace fastbreak::mcp::testing
