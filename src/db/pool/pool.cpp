#include "db/pool/pool.hpp"

#include <spdlog/spdlog.h>

#include "db/pool/pool_internal.hpp"

namespace fastbreak::db {

using detail::Millis;
using detail::SteadyClock;
using std::chrono::milliseconds;

Result<ConnectionPool::Impl::Slot*> ConnectionPool::Impl::Acquire(SteadyClock::time_point deadline,
                                                                  std::string_view holder) {
  AcquireTimer timer{.deadline = deadline};
  std::unique_lock lock(mutex);
  ++callers;
  Result<Slot*> result = AcquireLocked(lock, timer);
  if (result) {
    (*result)->holder.assign(holder);
    ++acquired;
  }
  Publish();
  // The histogram lives in the registry, which outlives the pool: once `callers` drops, a
  // destructor may free this Impl, so nothing of it is touched after the unlock.
  telemetry::Histogram* histogram = metrics ? &metrics->acquire_seconds : nullptr;
  --callers;
  if (stopping) drained.notify_all();
  lock.unlock();
  if (histogram != nullptr) {
    // Served from the idle stack without a ping: no wait worth a clock read (two reads cost
    // more than the rest of the hot path on some virtual machines).
    const bool waited = timer.start != SteadyClock::time_point{};
    histogram->Record(waited ? static_cast<uint64_t>((SteadyClock::now() - timer.start).count())
                             : 0);
  }
  return result;
}

Result<ConnectionPool::Impl::Slot*> ConnectionPool::Impl::AcquireLocked(
    std::unique_lock<std::mutex>& lock, AcquireTimer& timer) {
  bool grew = false;
  while (true) {
    if (stopping) {
      return MakeError(ErrorCode::kUnsupported, "pool {} is shutting down", options.name);
    }
    if (!idle.empty()) {
      Slot* slot = idle.back();
      idle.pop_back();
      const Clock::TimePoint now = Now();
      if (now >= slot->retire_at) {
        std::unique_ptr<Connection> retired = RemoveSlot(slot, false);
        lock.unlock();
        retired.reset();
        lock.lock();
        continue;
      }
      if (NeedsValidation(*slot, now)) {
        // Neither idle nor in use while pinged: `open` still counts it.
        timer.Begin(options.acquire_timeout);
        lock.unlock();
        const bool alive = slot->connection->Ping().has_value();
        lock.lock();
        if (!alive || stopping) {
          std::unique_ptr<Connection> dead = RemoveSlot(slot, !alive);
          lock.unlock();
          dead.reset();
          lock.lock();
          continue;
        }
        MarkAlive(slot, Now());
      }
      MarkCheckedOut(slot, now);
      return slot;
    }
    // No idle connection.
    if (!grew && !waiters.empty()) {
      Grow();
      grew = true;
    }
    timer.Begin(options.acquire_timeout);
    if (open < options.max_size) {
      ++open;
      return OpenReserved(lock);
    }
    if (!grew) {
      Grow();
      grew = true;
    }
    Waiter waiter;
    waiters.PushBack(&waiter);
    Publish();
    while (waiter.handed == nullptr && !waiter.may_open && !waiter.shutdown) {
      if (waiter.cv.wait_until(lock, timer.deadline) == std::cv_status::timeout) break;
    }
    if (waiter.handed != nullptr) return waiter.handed;
    if (waiter.may_open) return OpenReserved(lock);
    if (waiter.shutdown) continue;  // reports kUnsupported above
    waiters.Remove(&waiter);
    ++timeouts;
    if (metrics) metrics->timeouts.Increment();
    return MakeError(ErrorCode::kBusy, "pool {} exhausted: {} in use, {} waiting, waited {} ms",
                     options.name, in_use, waiters.size(),
                     Millis(SteadyClock::now() - timer.start));
  }
}

// Opens a connection for the caller under a place it reserved (`open` counts it).
Result<ConnectionPool::Impl::Slot*> ConnectionPool::Impl::OpenReserved(
    std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  Result<std::unique_ptr<Connection>> connection = database.Connect(options.mode);
  lock.lock();
  if (!connection) {
    --open;
    GrantFreedPlace();
    return MakeError(ErrorCode::kConnection, "pool {}: cannot open a connection: {}", options.name,
                     connection.error().message);
  }
  if (stopping) {
    --open;
    lock.unlock();
    connection->reset();
    lock.lock();
    return MakeError(ErrorCode::kUnsupported, "pool {} is shutting down", options.name);
  }
  Slot* slot = AddSlot(std::move(*connection));
  MarkCheckedOut(slot, slot->created);
  return slot;
}

void ConnectionPool::Impl::Release(Slot* slot) {
  Connection& connection = *slot->connection;
  const bool broken_now = connection.broken();
  std::unique_ptr<Connection> doomed;
  std::optional<LeakReport> came_back;
  {
    std::lock_guard lock(mutex);
    const Clock::TimePoint now = Now();
    slot->in_use = false;
    --in_use;
    if (slot->leak_reported) {
      came_back = LeakReport{slot->holder, {}, Millis(now - slot->checked_out)};
    }
    slot->holder.clear();
    if (broken_now || slot->discard || now >= slot->retire_at || stopping) {
      doomed = RemoveSlot(slot, broken_now);
    } else {
      slot->last_used = now;
      MarkAlive(slot, now);
      Offer(slot, /*bottom=*/false);
    }
    Publish();
  }
  doomed.reset();
  if (came_back) {
    spdlog::info("pool {}: leaked connection came back from '{}' after {} ms", options.name,
                 came_back->holder, came_back->held_ms);
  }
}

// ---- ConnectionPool -------------------------------------------------------------------------

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(Database& database,
                                                               PoolOptions options,
                                                               telemetry::MetricsRegistry* metrics,
                                                               const Clock& clock) {
  if (options.max_size < 1 || options.min_size < 0 || options.min_size > options.max_size) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "pool {}: sizes must satisfy 0 <= min_size <= max_size, max_size >= 1 "
                     "(min {}, max {})",
                     options.name, options.min_size, options.max_size);
  }
  for (const milliseconds d :
       {options.acquire_timeout, options.validate_after_idle, options.keepalive_interval,
        options.max_lifetime, options.idle_timeout, options.leak_threshold}) {
    if (d.count() < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "pool {}: durations must not be negative",
                       options.name);
    }
  }
  if (options.maintenance_interval.count() <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "pool {}: maintenance_interval must be > 0",
                     options.name);
  }
  if (!(options.lifetime_jitter >= 0.0 && options.lifetime_jitter <= 1.0)) {
    return MakeError(ErrorCode::kInvalidArgument, "pool {}: lifetime_jitter must be in [0, 1]",
                     options.name);
  }
  auto impl = std::make_unique<Impl>(database, std::move(options), metrics, clock);
  Impl* raw = impl.get();
  {
    std::lock_guard lock(raw->mutex);
    raw->Publish();
  }
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::move(impl)));
  raw->thread = std::thread([raw] { raw->MaintenanceLoop(); });
  return pool;
}

ConnectionPool::ConnectionPool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConnectionPool::~ConnectionPool() { impl_->Shutdown(); }

Result<PooledConnection> ConnectionPool::Acquire(std::chrono::steady_clock::time_point deadline,
                                                 std::string_view holder) {
  FB_ASSIGN_OR_RETURN(Impl::Slot * slot, impl_->Acquire(deadline, holder));
  return PooledConnection(this, slot, slot->connection.get());
}

Result<PooledConnection> ConnectionPool::Acquire(std::string_view holder) {
  return Acquire(SteadyClock::time_point::max(), holder);
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(impl_->mutex);
  const Impl& p = *impl_;
  return PoolStats{.open = p.open,
                   .idle = static_cast<int>(p.idle.size()),
                   .in_use = p.in_use,
                   .waiting = p.waiters.size(),
                   .target = p.target,
                   .created = p.created,
                   .closed = p.closed,
                   .broken = p.broken,
                   .timeouts = p.timeouts,
                   .leaks = p.leaks,
                   .acquired = p.acquired};
}

const PoolOptions& ConnectionPool::options() const { return impl_->options; }
const std::string& ConnectionPool::name() const { return impl_->options.name; }

int ConnectionPool::ValidateIdle() { return impl_->PingIdle(/*all=*/true); }

void ConnectionPool::RunMaintenance() {
  std::lock_guard pass(impl_->maintenance_mutex);
  impl_->Maintain();
}

// ---- PooledConnection -----------------------------------------------------------------------

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      slot_(std::exchange(other.slot_, nullptr)),
      connection_(std::exchange(other.connection_, nullptr)) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    slot_ = std::exchange(other.slot_, nullptr);
    connection_ = std::exchange(other.connection_, nullptr);
  }
  return *this;
}

PooledConnection::~PooledConnection() { Release(); }

void PooledConnection::SetHolder(std::string_view holder) {
  if (pool_ == nullptr) return;
  std::lock_guard lock(pool_->impl_->mutex);
  slot_->holder.assign(holder);
}

void PooledConnection::Discard() {
  if (slot_ == nullptr) return;
  slot_->discard = true;
  Release();
}

void PooledConnection::Release() {
  if (pool_ == nullptr) return;
  pool_->impl_->Release(slot_);
  pool_ = nullptr;
  slot_ = nullptr;
  connection_ = nullptr;
}

ConnectionPool* PooledConnection::pool() const { return pool_; }

}  // namespace fastbreak::db
