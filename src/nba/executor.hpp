// Runs catalog work (tool calls, resource reads, prompts, completions) off the I/O threads: a
// fixed set of worker threads, each with its own read-only database connection, fed by a
// bounded queue. A full queue refuses at once (kBusy) instead of growing. Every call has a
// deadline; a call past it, or cancelled by its caller, has its running query interrupted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"
#include "telemetry/metrics.hpp"

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
};

// One submitted call, shared by the executor and its caller. Thread-safe.
class CallHandle {
 public:
  // Asks the call to stop: a queued call is skipped, a running query is interrupted. The work
  // still finishes (with whatever error the interrupted query gives) and its completion runs.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // True when the call was stopped because it ran past its deadline.
  bool timed_out() const { return timed_out_.load(std::memory_order_acquire); }

 private:
  friend class Executor;
  void Interrupt();

  std::mutex mutex_;                      // guards connection_ against reuse while interrupting
  db::Connection* connection_ = nullptr;  // set while running; guarded by mutex_
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> timed_out_{false};
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point deadline_{};
  std::chrono::steady_clock::time_point next_tick_{};
  // Called from the executor's timer thread every tick_interval while the call runs, with the
  // time it has been running. Must not block.
  std::function<void(std::chrono::milliseconds elapsed)> on_tick_;
};

class Executor {
 public:
  // What a call runs: the worker's connection, and its handle (to check for cancellation).
  using Work = std::function<void(db::Connection& connection, CallHandle& handle)>;
  // Called instead of Work when the call could not run (no connection, cancelled while queued).
  using Failed = std::function<void(const Error& error)>;

  // REQUIRES: `database` outlives the executor. Starts the workers; connections open lazily on
  // each worker's first call.
  Executor(db::Database& database, ExecutorOptions options, telemetry::MetricsRegistry& metrics);
  // Stops taking calls, lets queued and running calls finish, joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `work`. kBusy when the queue is full, kUnsupported after shutdown began. `on_tick`
  // (may be empty) see CallHandle. `timeout` 0 = options.call_timeout.
  Result<std::shared_ptr<CallHandle>> Submit(
      Work work, Failed failed, std::function<void(std::chrono::milliseconds)> on_tick = nullptr,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  int workers() const { return static_cast<int>(threads_.size()); }
  const ExecutorOptions& options() const { return options_; }

 private:
  struct Task {
    Work work;
    Failed failed;
    std::shared_ptr<CallHandle> handle;
  };

  void WorkerLoop(size_t index);
  void TimerLoop();

  db::Database& database_;
  const ExecutorOptions options_;
  telemetry::Gauge& queue_depth_;
  telemetry::Counter& rejected_;
  telemetry::Counter& timeouts_;

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
