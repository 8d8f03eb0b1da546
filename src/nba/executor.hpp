// Runs catalog work (tool calls, resource reads, prompts, completions) off the I/O threads: a
// fixed set of worker threads fed by a bounded queue. A full queue refuses at once (kBusy)
// instead of growing. Each call takes a connection from the router's pools for its route (a
// replica for reads when there are healthy ones) within its own deadline, runs as one unit of
// work (a read-only transaction with a statement timeout of the time it has left, on
// PostgreSQL), and gives the connection back. A call past its deadline, or cancelled by its
// caller, has its running query interrupted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"
#include "db/pool/router.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::query {
class QueryStats;
}

namespace fastbreak::nba {

struct ExecutorOptions {
  // Worker threads (and read-only connections); 0 = one per hardware thread.
  int workers = 0;
  // Calls waiting for a worker beyond this are refused with kBusy (HTTP 503 / JSON-RPC busy).
  size_t queue_capacity = 1024;
  // Longest a call may run; past it the query is interrupted and the call fails with kTimeout.
  std::chrono::milliseconds call_timeout{10000};
  // How often running calls are checked for deadlines and given a tick (for progress).
  std::chrono::milliseconds tick_interval{100};
  // Only for the Executor(Database&) constructor: the pool it builds keeps this many
  // connections open when idle (it never opens more than `workers`).
  int min_connections = 1;
};

class Executor;

// How one call is run.
struct SubmitOptions {
  // Called from the executor's timer thread every tick_interval while the call runs, with the
  // time it has been running (for progress). Must not block. May be empty.
  std::function<void(std::chrono::milliseconds elapsed)> on_tick;
  // 0 = ExecutorOptions::call_timeout.
  std::chrono::milliseconds timeout{0};
  // Which pool serves the call; reads may go to replicas.
  db::Route route = db::Route::kRead;
  // Names the call in pool leak reports ("tools/call standings").
  std::string holder;
};

class Rebindable;

// One submitted call, shared by the executor and its caller. Thread-safe.
class CallHandle {
 public:
  // Asks the call to stop: a queued call is skipped, a running query is interrupted. The work
  // still finishes (with whatever error the interrupted query gives) and its completion runs.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // True when the call was stopped because it ran past its deadline.
  bool timed_out() const { return timed_out_.load(std::memory_order_acquire); }

  // For read-only work that failed with a connection-class error (the server restarted, the
  // backend was terminated, the replica went away): discards the call's connection and takes
  // another for the same route within the call's deadline, its unit of work begun. The
  // Connection& the work was given now talks to the new connection. REQUIRES: no statement of
  // the old connection is alive; called only from the call's own work. Counted in
  // fastbreak_executor_retries_total.
  Status Reconnect();

 private:
  friend class Executor;
  void Interrupt();
  Status BeginWork();

  std::mutex mutex_;                      // guards connection_ against reuse while interrupting
  db::Connection* connection_ = nullptr;  // set while running; guarded by mutex_
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> timed_out_{false};
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point deadline_{};
  std::chrono::steady_clock::time_point next_tick_{};
  SubmitOptions options_;
  Executor* executor_ = nullptr;
  db::PooledConnection* lease_ = nullptr;  // the worker's, while the call runs
  Rebindable* facade_ = nullptr;           // what the work was given, while the call runs
};

class Executor {
 public:
  // What a call runs: the worker's connection, and its handle (to check for cancellation).
  using Work = std::function<void(db::Connection& connection, CallHandle& handle)>;
  // Called instead of Work when the call could not run (no connection, cancelled while queued).
  using Failed = std::function<void(const Error& error)>;

  // REQUIRES: `router` outlives the executor. Starts the workers.
  Executor(db::DatabaseRouter& router, ExecutorOptions options,
           telemetry::MetricsRegistry& metrics);
  // Serves every call from one database: builds a pool of read-only connections (at most one
  // per worker, pool name "executor") and a one-connection write pool, both opened lazily.
  // REQUIRES: `database` outlives the executor.
  Executor(db::Database& database, ExecutorOptions options, telemetry::MetricsRegistry& metrics);
  // Stops taking calls, lets queued and running calls finish, joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `work`. kBusy when the queue is full, kUnsupported after shutdown began. When no
  // connection can be had by the deadline (pool exhausted, database down) `failed` runs
  // instead of `work`, with the pool's error.
  Result<std::shared_ptr<CallHandle>> Submit(Work work, Failed failed, SubmitOptions options);
  Result<std::shared_ptr<CallHandle>> Submit(
      Work work, Failed failed, std::function<void(std::chrono::milliseconds)> on_tick = nullptr,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    SubmitOptions options;
    options.on_tick = std::move(on_tick);
    options.timeout = timeout;
    return Submit(std::move(work), std::move(failed), std::move(options));
  }

  int workers() const { return static_cast<int>(threads_.size()); }
  const ExecutorOptions& options() const { return options_; }
  // The query statistics that calls' contexts carry (CallContext::query_stats); set once,
  // before the first Submit. REQUIRES: outlives the executor's calls.
  void set_query_stats(query::QueryStats* stats) { query_stats_ = stats; }
  query::QueryStats* query_stats() const { return query_stats_; }

 private:
  struct Task {
    Work work;
    Failed failed;
    std::shared_ptr<CallHandle> handle;
  };

  friend class CallHandle;
  Executor(std::unique_ptr<db::DatabaseRouter> own_router, db::DatabaseRouter* router,
           ExecutorOptions options, telemetry::MetricsRegistry& metrics);
  void WorkerLoop(size_t index);
  void TimerLoop();
  void RunTask(size_t index, Task& task);

  std::unique_ptr<db::DatabaseRouter> own_router_;  // Executor(Database&) only
  db::DatabaseRouter* router_;
  const ExecutorOptions options_;
  query::QueryStats* query_stats_ = nullptr;
  telemetry::Gauge& queue_depth_;
  telemetry::Counter& rejected_;
  telemetry::Counter& timeouts_;
  telemetry::Counter& retries_;

  std::mutex mutex_;
  std::condition_variable ready_;                     // a task was queued, or stopping_
  std::deque<Task> queue_;                            // guarded by mutex_
  bool stopping_ = false;                             // guarded by mutex_
  std::vector<std::shared_ptr<CallHandle>> running_;  // guarded by mutex_

  std::condition_variable timer_wake_;  // stopping_
  std::vector<std::thread> threads_;
  std::thread timer_;
};

}  // namespace fastbreak::nba
