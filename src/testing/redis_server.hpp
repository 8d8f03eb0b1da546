// A real redis-server for tests and benchmarks: started on 127.0.0.1 with a free port, a
// temporary data directory and no persistence; stopped (and reaped) by the destructor.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "testing/testing.hpp"

namespace fastbreak::testing {

// A reply to RedisServer::Command, as plain data.
struct RedisValue {
  enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisValue> elements;  // kArray
};

// Not thread-safe: drive it from one thread (the test's). The server gets PR_SET_PDEATHSIG, so
// it dies with the thread that started it even if the test process crashes: start it from the
// main thread (or one that outlives it).
class RedisServer {
 public:
  // redis-server from $FASTBREAK_REDIS_SERVER, PATH, /usr/bin or /usr/local/bin; "" if none.
  static std::string BinaryPath();
  static bool Available() { return !BinaryPath().empty(); }
  static std::string UnavailableMessage();

  RedisServer() = default;  // not started
  ~RedisServer();           // Stop()
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server and waits (up to ~5 s) until it answers PING. The first start picks a
  // free port; later starts (after Stop or Kill) reuse it, for restart tests. `extra_args` are
  // appended to the command line (e.g. {"--maxmemory-policy", "allkeys-lru"}).
  Status Start(const std::vector<std::string>& extra_args = {});
  // SIGTERM, then SIGKILL if it has not exited within 3 s; waits for it. No-op when stopped.
  void Stop();
  // SIGKILL and wait: a crash. No-op when stopped.
  void Kill();
  // SIGSTOP / SIGCONT: a hung server (connections accepted, nothing answered).
  void Pause();
  void Resume();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

  // Runs one command on a new connection (1 s timeout). Binary-safe.
  Result<RedisValue> Command(const std::vector<std::string>& args) const;

 private:
  Status StartOnce(const std::vector<std::string>& extra_args);
  bool Ping() const;

  TempDir dir_;  // data directory and redis.log
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace fastbreak::testing

// Skips the current test when redis-server is not installed.
#define FB_REQUIRE_REDIS_SERVER()                      \
  if (!::fastbreak::testing::RedisServer::Available()) \
  GTEST_SKIP() << ::fastbreak::testing::RedisServer::UnavailableMessage()
