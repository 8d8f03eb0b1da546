// Routes units of work to pools: reads to healthy replicas (least busy first), writes and
// read-your-writes to the primary. A replica whose replay lag passes a threshold, or that fails
// its health check, is taken out of rotation and put back once healthy; with no healthy replica,
// reads fall back to the primary. For SQLite the same router holds a reader pool and a writer
// pool of one.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "db/pool/pool.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::db {

enum class Route {
  kRead,            // read-only work: a healthy replica, else the primary's read pool
  kReadYourWrites,  // reads that must see this instance's writes: the primary's read pool
  kWrite,           // the primary's write pool
};

struct ReplicaOptions {
  // A replica more than this far behind the primary is taken out of rotation. Lag is measured
  // as the time since the replica last replayed a transaction, counted only while it has WAL
  // left to replay (an idle primary does not make a caught-up replica look late), and bounded
  // by how long ago the primary (read at each check) first stood past the replica's replay
  // position, so a record written just before a check after a long idle spell is no lag.
  std::chrono::milliseconds max_lag{5000};
  // How often each replica is checked (lag, reachability).
  std::chrono::milliseconds check_interval{500};
  // Consecutive failed checks before a replica is taken out, and passed checks before it is put
  // back.
  int failures_to_remove = 1;
  int successes_to_restore = 2;
};

struct ReplicaStatus {
  std::string name;
  bool healthy = false;
  double lag_seconds = 0;  // last measured; negative when unknown
  std::string reason;      // why it is out of rotation ("replay lag 7.2 s > 5 s", the error)
};

class DatabaseRouter {
 public:
  // `read` serves kRead/kReadYourWrites on the primary; `write` serves kWrite (null: writes
  // use `read` too). `replicas` may be empty (at most 32). Starts the health-check thread when
  // there are replicas; checks use the replicas' own pools and a primary read connection.
  // Replicas start in rotation and are checked at once. kInvalidArgument when `read` or a
  // replica is null, or for bad options.
  // REQUIRES: `metrics` (may be null) outlives the router.
  static Result<std::unique_ptr<DatabaseRouter>> Create(
      std::unique_ptr<ConnectionPool> read, std::unique_ptr<ConnectionPool> write,
      std::vector<std::unique_ptr<ConnectionPool>> replicas, ReplicaOptions options,
      telemetry::MetricsRegistry* metrics);
  ~DatabaseRouter();

  // A connection for `route`. A replica that fails to give one (unreachable, exhausted) is
  // skipped for the next replica or the primary, within the same deadline: each replica is
  // given at most half of the time left, so the primary always has time to answer.
  Result<PooledConnection> Acquire(Route route, std::chrono::steady_clock::time_point deadline,
                                   std::string_view holder = {});

  // Runs the replica checks now (what the health thread does on its schedule).
  void CheckReplicas();
  std::vector<ReplicaStatus> replica_status() const;
  ConnectionPool& read_pool();
  ConnectionPool& write_pool();
  std::vector<ConnectionPool*> pools();  // every distinct pool, primary first

 private:
  struct Impl;
  explicit DatabaseRouter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fastbreak::db
