// A real PostgreSQL 15 server for tests and benchmarks: initdb into a temporary directory,
// listening on 127.0.0.1 at a free port (and a Unix socket in the data directory's parent), no
// fsync. When the test runs as root the server runs as the unprivileged `postgres` user (it
// refuses root). Stopped and its directory removed by the destructor.
//
// The postmaster is a direct child of the test process (not started through pg_ctl, whose
// double fork would detach it), with PR_SET_PDEATHSIG = SIGKILL: if the test crashes, the
// postmaster dies with the thread that started it and its backends follow. Start servers from
// the main thread (SetUpTestSuite) or one that outlives them. A crashed test leaves only its
// temporary directory behind.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace fastbreak::testing {

// Not thread-safe: drive it from one thread (the test's).
class PostgresServer {
 public:
  // The directory holding initdb/pg_ctl/postgres/pg_basebackup: $FASTBREAK_PG_BINDIR, else
  // `pg_config --bindir`, else /usr/lib/postgresql/15/bin; "" when not found.
  static std::string BinDir();
  static bool Available() { return !BinDir().empty(); }
  static std::string UnavailableMessage();

  PostgresServer() = default;  // not started
  ~PostgresServer();           // Stop() and remove the data directory
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // initdb (trust authentication on loopback, superuser "postgres", database "fastbreak"), then
  // start and wait until it accepts connections (up to ~20 s). `settings` are extra
  // postgresql.conf lines ("shared_preload_libraries = 'pg_stat_statements'"). Replication is
  // enabled (wal_level = replica, max_wal_senders = 10, hot_standby_feedback) so replicas can
  // be made from it.
  Status StartPrimary(const std::vector<std::string>& settings = {});
  // A streaming replica of `primary`: pg_basebackup -R into a new directory, started on its
  // own free port; waits until it accepts connections and is in recovery.
  Status StartReplicaOf(const PostgresServer& primary);

  // pg_ctl stop -m fast / start (same port and data) / restart -m fast; each waits (bounded,
  // ~20 s). Start after Kill() retries while the dead server's backends are still exiting.
  Status Stop();
  Status Start();
  Status Restart();
  // SIGKILL the postmaster (a crash); Start() then runs crash recovery.
  void Kill();
  // The postmaster's pid, or -1 when not running.
  pid_t pid() const { return pid_; }
  // The server's log (stderr of the postmaster and of initdb, pg_basebackup, pg_ctl).
  std::string log_path() const;

  bool running() const;
  int port() const { return port_; }
  // "host=127.0.0.1 port=<port> dbname=fastbreak user=postgres connect_timeout=3"
  std::string dsn() const;
  const std::string& data_dir() const { return data_dir_; }

  // Runs SQL (one or more statements) on a fresh connection as the superuser and returns the
  // first column of the last statement's rows as text (NULL as ""). For admin steps in tests:
  // pg_terminate_backend, pg_wal_replay_pause, CREATE EXTENSION, ...
  Result<std::vector<std::string>> Query(const std::string& sql) const;

 private:
  Status InitDb(const std::vector<std::string>& settings);
  Status PgCtl(const std::vector<std::string>& args) const;
  Status WaitReady(bool expect_recovery) const;
  // Forks the postmaster (as `postgres` when root) and waits until it is ready.
  Status SpawnPostmaster();
  Status MakeRoot();

  std::string root_;  // temporary directory holding data_dir_ and the socket directory
  std::string data_dir_;
  int port_ = 0;
  bool replica_ = false;
  bool started_ = false;
  pid_t pid_ = -1;  // the postmaster, our child
};

}  // namespace fastbreak::testing
