// Test helpers of the pool and router tests: a fault-injecting wrapper around a real database
// (a Ping that fails, a session that reports itself broken, a database that is down or slow to
// connect), and a bounded poll for work done by the pool's own threads.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/database.hpp"
#include "db/pool/pool.hpp"

namespace fastbreak::db::testing_util {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A real connection whose Ping fails (on its own, or while its server is down), or which
// reports itself broken, on demand.
class FaultyConnection final : public Connection {
 public:
  FaultyConnection(std::unique_ptr<Connection> real, int order, const std::atomic<bool>& down)
      : id(order), real_(std::move(real)), server_down_(down) {}
  const int id;  // the order it was opened in, from 1 (addresses get reused)
  std::atomic<bool> fail_ping{false};
  std::atomic<bool> is_broken{false};

  AccessMode mode() const override { return real_->mode(); }
  Dialect dialect() const override { return real_->dialect(); }
  Status Ping() override {
    if (fail_ping || server_down_) {
      return MakeError(ErrorCode::kConnection, "injected: server closed the session");
    }
    return real_->Ping();
  }
  bool broken() const override { return is_broken; }
  std::string last_sql() const override {
    std::lock_guard lock(mutex_);
    return last_sql_;
  }
  Status ExecuteScript(std::string_view sql) override { return real_->ExecuteScript(sql); }
  Result<StatementPtr> Prepare(std::string_view sql) override {
    {
      std::lock_guard lock(mutex_);
      last_sql_.assign(sql);
    }
    return real_->Prepare(sql);
  }
  int64_t Changes() const override { return real_->Changes(); }
  void Interrupt() override { real_->Interrupt(); }

 protected:
  // Statements belong to the real connection (their returner names it).
  void ReturnStatement(Statement* statement) override { delete statement; }

 private:
  std::unique_ptr<Connection> real_;
  const std::atomic<bool>& server_down_;
  mutable std::mutex mutex_;  // guards last_sql_, read by the pool's leak check
  std::string last_sql_;
};

// A real database, down (connects refused, pings fail) or slow to connect on demand.
class FaultyDatabase final : public Database {
 public:
  explicit FaultyDatabase(Database& real) : real_(real) {}
  std::atomic<bool> down{false};
  std::atomic<int> connect_delay_ms{0};
  std::atomic<int> connects{0};

  Result<std::unique_ptr<Connection>> Connect(AccessMode mode) override {
    const int id = ++connects;
    if (connect_delay_ms > 0) std::this_thread::sleep_for(milliseconds(connect_delay_ms.load()));
    if (down) return MakeError(ErrorCode::kConnection, "injected: connection refused");
    FB_ASSIGN_OR_RETURN(auto real, real_.Connect(mode));
    return std::unique_ptr<Connection>(
        std::make_unique<FaultyConnection>(std::move(real), id, down));
  }
  std::string_view Kind() const override { return real_.Kind(); }

 private:
  Database& real_;
};

inline FaultyConnection& Faulty(const PooledConnection& c) {
  return dynamic_cast<FaultyConnection&>(*c);
}

// Polls `condition` until it holds or `limit` passes (for work done by the pool's own thread).
template <typename F>
bool WaitUntil(F condition, milliseconds limit = milliseconds(5000)) {
  const auto end = steady_clock::now() + limit;
  while (!condition()) {
    if (steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

}  // namespace fastbreak::db::testing_util
