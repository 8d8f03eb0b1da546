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

void CallHandle::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  Interrupt();
}

void CallHandle::Interrupt() {
  std::lock_guard lock(mutex_);
  if (connection_ != nullptr) connection_->Interrupt();
}

Executor::Executor(db::Database& database, ExecutorOptions options,
                   telemetry::MetricsRegistry& metrics)
    : database_(database),
      options_(std::move(options)),
      queue_depth_(
          metrics.GetGauge("fastbreak_executor_queue_depth", "Calls waiting for a worker")),
      rejected_(metrics.GetCounter("fastbreak_executor_rejected_total",
                                   "Calls refused because the queue was full")),
      timeouts_(metrics.GetCounter("fastbreak_executor_timeouts_total",
                                   "Calls interrupted at their deadline")) {
  int workers = options_.workers;
  if (workers <= 0) workers = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
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

Result<std::shared_ptr<CallHandle>> Executor::Submit(
    Work work, Failed failed, std::function<void(std::chrono::milliseconds)> on_tick,
    std::chrono::milliseconds timeout) {
  auto handle = std::make_shared<CallHandle>();
  handle->on_tick_ = std::move(on_tick);
  const auto limit = timeout.count() > 0 ? timeout : options_.call_timeout;
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
  std::unique_ptr<db::Connection> connection;
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
      continue;
    }
    if (!connection) {
      auto opened = database_.Connect(db::AccessMode::kReadOnly);
      if (!opened) {
        spdlog::error("executor worker {}: {}", index, opened.error().message);
        task.failed(opened.error());
        continue;
      }
      connection = std::move(*opened);
    }
    {
      std::lock_guard lock(handle.mutex_);
      handle.connection_ = connection.get();
    }
    handle.started_ = SteadyClock::now();
    {
      std::lock_guard lock(mutex_);
      handle.next_tick_ = handle.started_ + options_.tick_interval;
      running_.push_back(task.handle);
    }
    try {
      task.work(*connection, handle);
    } catch (const std::exception& e) {
      spdlog::error("executor worker {}: call threw: {}", index, e.what());
      task.failed(Error{ErrorCode::kInternal, "internal error"});
    }
    {
      std::lock_guard lock(mutex_);
      running_.erase(std::find(running_.begin(), running_.end(), task.handle));
    }
    std::lock_guard lock(handle.mutex_);
    handle.connection_ = nullptr;
  }
}

void Executor::TimerLoop() {
  std::unique_lock lock(mutex_);
  std::vector<std::pair<std::shared_ptr<CallHandle>, std::chrono::milliseconds>> ticks;
  while (!stopping_) {
    timer_wake_.wait_for(lock, options_.tick_interval);
    const auto now = SteadyClock::now();
    ticks.clear();
    for (const auto& handle : running_) {
      if (now >= handle->deadline_ && !handle->timed_out()) {
        handle->timed_out_.store(true, std::memory_order_release);
        timeouts_.Increment();
        handle->Interrupt();
      } else if (handle->on_tick_ && now >= handle->next_tick_) {
        handle->next_tick_ = now + options_.tick_interval;
        ticks.emplace_back(
            handle, std::chrono::duration_cast<std::chrono::milliseconds>(now - handle->started_));
      }
    }
    // Ticks run outside the lock: they may write to a transport.
    lock.unlock();
    for (auto& [handle, elapsed] : ticks) handle->on_tick_(elapsed);
    ticks.clear();
    lock.lock();
  }
}

}  // namespace fastbreak::nba
