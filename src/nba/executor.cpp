#include "nba/executor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace fastbreak::nba {
namespace {

using SteadyClock = std::chrono::steady_clock;

}  // namespace

// The connection a call's work sees: forwards to the pooled connection of the moment, so that
// Reconnect can swap it under the work's feet between two attempts.
class Rebindable final : public db::Connection {
 public:
  explicit Rebindable(db::Connection* target) : target_(target) {}
  void Rebind(db::Connection* target) { target_ = target; }

  db::AccessMode mode() const override { return target_->mode(); }
  db::Dialect dialect() const override { return target_->dialect(); }
  Status Ping() override { return target_->Ping(); }
  bool broken() const override { return target_->broken(); }
  std::string last_sql() const override { return target_->last_sql(); }
  Status ExecuteScript(std::string_view sql) override { return target_->ExecuteScript(sql); }
  Result<db::StatementPtr> Prepare(std::string_view sql) override { return target_->Prepare(sql); }
  Result<db::StatementPtr> PrepareUntrusted(std::string_view sql,
                                            const db::UntrustedLimits& limits) override {
    return target_->PrepareUntrusted(sql, limits);
  }
  int64_t Changes() const override { return target_->Changes(); }
  void Interrupt() override { target_->Interrupt(); }
  Status BeginTransaction() override { return target_->BeginTransaction(); }
  Status BeginWork(const db::WorkOptions& options) override { return target_->BeginWork(options); }
  Status EndWork(bool commit) override { return target_->EndWork(commit); }
  Status Prefetch(std::span<db::Statement* const> statements) override {
    return target_->Prefetch(statements);
  }
  Result<std::unique_ptr<db::BulkLoader>> BeginBulkLoad(
      std::string_view table, std::span<const std::string_view> columns) override {
    return target_->BeginBulkLoad(table, columns);
  }

 protected:
  // Statements belong to the target connection (their returner names it), never to this one.
  void ReturnStatement(db::Statement* statement) override { delete statement; }

 private:
  db::Connection* target_;
};

void CallHandle::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  Interrupt();
}

void CallHandle::Interrupt() {
  std::lock_guard lock(mutex_);
  if (connection_ != nullptr) connection_->Interrupt();
}

Status CallHandle::BeginWork() {
  db::WorkOptions work;
  work.read_only = options_.route != db::Route::kWrite;
  // Each statement may use the time the call has left, so a slow query ends at the deadline
  // on the server too, not only when the timer thread interrupts it.
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
  work.statement_timeout = std::max(left, std::chrono::milliseconds(1));
  return (*lease_)->BeginWork(work);
}

Status CallHandle::Reconnect() {
  if (lease_ == nullptr) return MakeError(ErrorCode::kInternal, "no call is running");
  {
    std::lock_guard lock(mutex_);
    connection_ = nullptr;
  }
  lease_->Discard();
  executor_->retries_.Increment();
  if (cancelled()) return MakeError(ErrorCode::kCancelled, "cancelled by the client");
  FB_ASSIGN_OR_RETURN(*lease_,
                      executor_->router_->Acquire(options_.route, deadline_, options_.holder));
  if (auto status = BeginWork(); !status) {
    lease_->Discard();
    return status;
  }
  if (facade_ != nullptr) facade_->Rebind(lease_->get());
  std::lock_guard lock(mutex_);
  connection_ = lease_->get();
  return Ok();
}

namespace {

std::unique_ptr<db::DatabaseRouter> RouterFor(db::Database& database, int workers,
                                              int min_connections,
                                              telemetry::MetricsRegistry& metrics) {
  db::PoolOptions read;
  read.name = "executor";
  read.mode = db::AccessMode::kReadOnly;
  read.max_size = workers;
  read.min_size = std::clamp(min_connections, 0, workers);
  db::PoolOptions write = read;
  write.name = "executor-writer";
  write.mode = db::AccessMode::kReadWrite;
  write.min_size = 0;
  write.max_size = 1;
  auto read_pool = db::ConnectionPool::Create(database, read, &metrics);
  auto write_pool = db::ConnectionPool::Create(database, write, &metrics);
  if (!read_pool || !write_pool) return nullptr;  // only for invalid options: not these
  auto router =
      db::DatabaseRouter::Create(std::move(*read_pool), std::move(*write_pool), {}, {}, &metrics);
  return router ? std::move(*router) : nullptr;
}

int WorkerCount(const ExecutorOptions& options) {
  if (options.workers > 0) return options.workers;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

}  // namespace

Executor::Executor(db::Database& database, ExecutorOptions options,
                   telemetry::MetricsRegistry& metrics)
    : Executor(RouterFor(database, WorkerCount(options), options.min_connections, metrics), nullptr,
               std::move(options), metrics) {}

Executor::Executor(db::DatabaseRouter& router, ExecutorOptions options,
                   telemetry::MetricsRegistry& metrics)
    : Executor(nullptr, &router, std::move(options), metrics) {}

Executor::Executor(std::unique_ptr<db::DatabaseRouter> own_router, db::DatabaseRouter* router,
                   ExecutorOptions options, telemetry::MetricsRegistry& metrics)
    : own_router_(std::move(own_router)),
      router_(router != nullptr ? router : own_router_.get()),
      options_(std::move(options)),
      queue_depth_(
          metrics.GetGauge("fastbreak_executor_queue_depth", "Calls waiting for a worker")),
      rejected_(metrics.GetCounter("fastbreak_executor_rejected_total",
                                   "Calls refused because the queue was full")),
      timeouts_(metrics.GetCounter("fastbreak_executor_timeouts_total",
                                   "Calls interrupted at their deadline")),
      retries_(metrics.GetCounter("fastbreak_executor_retries_total",
                                  "Read-only calls run again on a new connection after a "
                                  "connection-class error")) {
  const int workers = WorkerCount(options_);
  threads_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i] { WorkerLoop(static_cast<size_t>(i)); });
  }
  timer_ = std::thread([this] { TimerLoop(); });
}

Executor::~Executor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  timer_wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  timer_.join();
}

Result<std::shared_ptr<CallHandle>> Executor::Submit(Work work, Failed failed,
                                                     SubmitOptions options) {
  auto handle = std::make_shared<CallHandle>();
  const auto limit = options.timeout.count() > 0 ? options.timeout : options_.call_timeout;
  handle->options_ = std::move(options);
  handle->executor_ = this;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return MakeError(ErrorCode::kUnsupported, "the server is shutting down");
    if (queue_.size() >= options_.queue_capacity) {
      rejected_.Increment();
      return MakeError(ErrorCode::kBusy, "server busy: {} calls are waiting; retry shortly",
                       queue_.size());
    }
    // The deadline counts from submission: time in the queue is part of the caller's wait.
    handle->deadline_ = SteadyClock::now() + limit;
    queue_.push_back(Task{std::move(work), std::move(failed), handle});
    queue_depth_.Set(static_cast<double>(queue_.size()));
  }
  ready_.notify_one();
  return handle;
}

void Executor::WorkerLoop(size_t index) {
  while (true) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
      queue_depth_.Set(static_cast<double>(queue_.size()));
    }
    RunTask(index, task);
  }
}

void Executor::RunTask(size_t index, Task& task) {
  CallHandle& handle = *task.handle;
  if (handle.cancelled() || SteadyClock::now() >= handle.deadline_) {
    const bool expired = !handle.cancelled();
    if (expired) {
      handle.timed_out_.store(true, std::memory_order_release);
      timeouts_.Increment();
    }
    task.failed(Error{expired ? ErrorCode::kTimeout : ErrorCode::kCancelled,
                      expired ? "the call waited past its time limit before a worker was free"
                              : "cancelled by the client"});
    return;
  }
  auto acquired = router_->Acquire(handle.options_.route, handle.deadline_, handle.options_.holder);
  if (!acquired) {
    task.failed(acquired.error());
    return;
  }
  db::PooledConnection lease = std::move(*acquired);
  handle.lease_ = &lease;
  if (auto status = handle.BeginWork(); !status) {
    // A connection that cannot start a transaction is suspect: replace it, once.
    Error error = std::move(status).error();
    bool recovered = false;
    if (error.code == ErrorCode::kConnection) {
      auto retried = handle.Reconnect();
      recovered = retried.has_value();
      if (!recovered) error = std::move(retried).error();
    }
    if (!recovered) {
      handle.lease_ = nullptr;
      task.failed(error);
      return;
    }
  }
  {
    std::lock_guard lock(handle.mutex_);
    handle.connection_ = lease.get();
  }
  handle.started_ = SteadyClock::now();
  {
    std::lock_guard lock(mutex_);
    handle.next_tick_ = handle.started_ + options_.tick_interval;
    running_.push_back(task.handle);
  }
  Rebindable facade(lease.get());
  handle.facade_ = &facade;
  bool threw = false;
  try {
    task.work(facade, handle);
  } catch (const std::exception& e) {
    spdlog::error("executor worker {}: call threw: {}", index, e.what());
    task.failed(Error{ErrorCode::kInternal, "internal error"});
    threw = true;
  }
  {
    std::lock_guard lock(mutex_);
    running_.erase(std::find(running_.begin(), running_.end(), task.handle));
  }
  {
    std::lock_guard lock(handle.mutex_);
    handle.connection_ = nullptr;
  }
  handle.lease_ = nullptr;
  handle.facade_ = nullptr;
  // Read-only work has nothing to commit; ending it cleanly keeps the connection reusable. A
  // connection whose unit cannot end (interrupted mid-statement, broken) is not reused.
  if (lease && (threw || !lease->EndWork(!threw))) lease.Discard();
}

void Executor::TimerLoop() {
  std::unique_lock lock(mutex_);
  std::vector<std::pair<std::shared_ptr<CallHandle>, std::chrono::milliseconds>> ticks;
  std::vector<std::shared_ptr<CallHandle>> expired;
  while (!stopping_) {
    timer_wake_.wait_for(lock, options_.tick_interval);
    const auto now = SteadyClock::now();
    for (const auto& handle : running_) {
      if (now >= handle->deadline_ && !handle->timed_out()) {
        handle->timed_out_.store(true, std::memory_order_release);
        timeouts_.Increment();
        expired.push_back(handle);
      } else if (handle->options_.on_tick && now >= handle->next_tick_) {
        handle->next_tick_ = now + options_.tick_interval;
        ticks.emplace_back(
            handle, std::chrono::duration_cast<std::chrono::milliseconds>(now - handle->started_));
      }
    }
    // Interrupts and ticks run outside the lock: cancelling a PostgreSQL query is a round trip
    // to the server, and a tick may write to a transport. Neither may stall Submit.
    lock.unlock();
    for (auto& handle : expired) handle->Interrupt();
    for (auto& [handle, elapsed] : ticks) handle->options_.on_tick(elapsed);
    expired.clear();
    ticks.clear();
    lock.lock();
  }
}

}  // namespace fastbreak::nba
