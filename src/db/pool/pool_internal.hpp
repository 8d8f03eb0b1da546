// Internals of the connection pool, shared by pool.cpp (acquire, release, the public API) and
// pool_maintenance.cpp (the maintenance thread). Not part of the module's interface.
#pragma once

#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "db/pool/pool.hpp"

namespace fastbreak::db {

namespace detail {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline int64_t Millis(Clock::Duration d) {
  return std::chrono::duration_cast<milliseconds>(d).count();
}

// The longest the refill backs off between connection attempts while the database is down.
inline constexpr milliseconds kMaxRefillBackoff{10000};

}  // namespace detail

// One open connection and its ages. Every field but `connection` (used by its holder) is
// guarded by the pool mutex.
struct PooledConnection::Slot {
  std::unique_ptr<Connection> connection;
  Clock::TimePoint created;
  Clock::TimePoint retire_at;    // created + jittered max_lifetime (max() when unlimited)
  Clock::TimePoint last_used;    // last returned: idle timeout counts from here
  Clock::TimePoint last_alive;   // last known to work: returned, validated or pinged
  int64_t broken_seen = 0;       // the pool's broken count at last_alive
  Clock::TimePoint checked_out;  // handed out: the leak check counts from here
  std::string holder;
  bool in_use = false;
  bool discard = false;  // set by its holder only
  bool leak_reported = false;
};

namespace detail {

struct PoolMetrics {
  PoolMetrics(telemetry::MetricsRegistry& registry, const std::string& pool)
      : open(Connections(registry, pool, "open")),
        idle(Connections(registry, pool, "idle")),
        in_use(Connections(registry, pool, "in_use")),
        waiting(registry.GetGauge("fastbreak_db_pool_waiting",
                                  "Callers blocked in Acquire, waiting for a connection",
                                  {{"pool", pool}})),
        target(registry.GetGauge("fastbreak_db_pool_target_size",
                                 "Adaptive size target of the pool", {{"pool", pool}})),
        acquire_seconds(registry.GetHistogram("fastbreak_db_pool_acquire_seconds",
                                              "Time spent in Acquire, successful or not",
                                              {{"pool", pool}})),
        timeouts(registry.GetCounter(
            "fastbreak_db_pool_timeouts_total",
            "Acquire calls that found the pool exhausted at their deadline", {{"pool", pool}})),
        created(registry.GetCounter("fastbreak_db_pool_created_total", "Connections opened",
                                    {{"pool", pool}})),
        closed(registry.GetCounter("fastbreak_db_pool_closed_total", "Connections closed",
                                   {{"pool", pool}})),
        broken(registry.GetCounter("fastbreak_db_pool_broken_total",
                                   "Connections closed because they were broken or failed a ping",
                                   {{"pool", pool}})),
        leaks(registry.GetCounter("fastbreak_db_pool_leaks_total",
                                  "Connections held past the leak threshold", {{"pool", pool}})) {}

  static telemetry::Gauge& Connections(telemetry::MetricsRegistry& registry,
                                       const std::string& pool, const char* state) {
    return registry.GetGauge("fastbreak_db_pool_connections", "Connections of the pool by state",
                             {{"pool", pool}, {"state", state}});
  }

  telemetry::Gauge& open;
  telemetry::Gauge& idle;
  telemetry::Gauge& in_use;
  telemetry::Gauge& waiting;
  telemetry::Gauge& target;
  telemetry::Histogram& acquire_seconds;
  telemetry::Counter& timeouts;
  telemetry::Counter& created;
  telemetry::Counter& closed;
  telemetry::Counter& broken;
  telemetry::Counter& leaks;
};

// The steady-clock side of one Acquire: read only once the caller may have to wait (validate,
// connect or queue), so the hot path takes no precise clock read.
struct AcquireTimer {
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point start{};  // epoch until Begin()
  void Begin(milliseconds acquire_timeout) {
    if (start != std::chrono::steady_clock::time_point{}) return;
    start = std::chrono::steady_clock::now();
    deadline = std::min(deadline, start + acquire_timeout);
  }
};

// What a maintenance pass found to log once the lock is released.
struct LeakReport {
  std::string holder;
  std::string last_sql;
  int64_t held_ms = 0;
};

}  // namespace detail

struct ConnectionPool::Impl {
  using SteadyClock = detail::SteadyClock;
  using milliseconds = detail::milliseconds;
  using AcquireTimer = detail::AcquireTimer;
  using LeakReport = detail::LeakReport;
  using Slot = PooledConnection::Slot;

  // A caller blocked in Acquire. Lives on the caller's stack, linked into the pool's FIFO; the
  // thread that hands it something unlinks it and notifies its own condition variable, so the
  // oldest waiter is served first whatever the scheduler does.
  struct Waiter {
    std::condition_variable cv;
    Waiter* next = nullptr;
    Waiter* prev = nullptr;
    Slot* handed = nullptr;  // a connection, already marked in use
    bool may_open = false;   // a reserved place: open a connection yourself
    bool shutdown = false;
  };

  class WaiterQueue {
   public:
    bool empty() const { return head_ == nullptr; }
    int size() const { return size_; }
    Waiter* front() const { return head_; }
    void PushBack(Waiter* w) {
      w->prev = tail_;
      w->next = nullptr;
      (tail_ != nullptr ? tail_->next : head_) = w;
      tail_ = w;
      ++size_;
    }
    void Remove(Waiter* w) {
      (w->prev != nullptr ? w->prev->next : head_) = w->next;
      (w->next != nullptr ? w->next->prev : tail_) = w->prev;
      w->prev = w->next = nullptr;
      --size_;
    }

   private:
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
    int size_ = 0;
  };

  Impl(Database& database_in, PoolOptions options_in, telemetry::MetricsRegistry* registry,
       const Clock& clock_in)
      : database(database_in),
        options(std::move(options_in)),
        clock(clock_in),
        target(options.min_size),
        rng(std::random_device{}()) {
    if (registry != nullptr) metrics.emplace(*registry, options.name);
    idle.reserve(static_cast<size_t>(options.max_size));
    slots.reserve(static_cast<size_t>(options.max_size));
  }

  // The time for ages (idle, lifetime, leaks). With the SystemClock, CLOCK_MONOTONIC_COARSE:
  // the same clock at kernel-tick resolution (a few ms, plenty for ages of seconds), for a
  // fraction of the cost of a precise read.
  Clock::TimePoint Now() const {
#ifdef CLOCK_MONOTONIC_COARSE
    if (coarse) {
      timespec ts{};
      clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
      return Clock::TimePoint(std::chrono::seconds(ts.tv_sec) +
                              std::chrono::nanoseconds(ts.tv_nsec));
    }
#endif
    return clock.Now();
  }

  // ---- everything below REQUIRES: `mutex` held, unless it says otherwise ----

  // A new slot for a connection opened under a reservation (`open` already counts it).
  Slot* AddSlot(std::unique_ptr<Connection> connection) {
    auto slot = std::make_unique<Slot>();
    const Clock::TimePoint now = Now();
    slot->connection = std::move(connection);
    slot->created = slot->last_used = slot->last_alive = now;
    slot->broken_seen = broken;
    slot->retire_at = Clock::TimePoint::max();
    if (options.max_lifetime.count() > 0) {
      std::uniform_real_distribution<double> share(0.0, options.lifetime_jitter);
      const auto lifetime =
          std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double, std::nano>(
              std::chrono::duration<double, std::nano>(options.max_lifetime).count() *
              (1.0 - share(rng))));
      slot->retire_at = now + lifetime;
    }
    ++created;
    if (metrics) metrics->created.Increment();
    slots.push_back(std::move(slot));
    return slots.back().get();
  }

  // Forgets a slot (not idle, not handed out) and gives back its connection, to be destroyed
  // outside the lock. Frees its place for a waiter.
  std::unique_ptr<Connection> RemoveSlot(Slot* slot, bool broken_slot) {
    auto it = std::find_if(slots.begin(), slots.end(),
                           [slot](const auto& owned) { return owned.get() == slot; });
    std::unique_ptr<Connection> connection = std::move((*it)->connection);
    slots.erase(it);
    --open;
    ++closed;
    if (metrics) metrics->closed.Increment();
    if (broken_slot) {
      ++broken;
      if (metrics) metrics->broken.Increment();
      // One broken session usually means the server dropped them all: the others become
      // suspect (Suspect()), pinged before they are handed out and soon in the background.
      wake_wanted = true;
      wake.notify_one();
    }
    GrantFreedPlace();
    return connection;
  }

  // When a place is free and callers wait, the oldest may open a connection.
  void GrantFreedPlace() {
    while (!waiters.empty() && open < options.max_size) {
      Waiter* w = waiters.front();
      waiters.Remove(w);
      w->may_open = true;
      ++open;
      w->cv.notify_one();
    }
    if (open < target) {  // the maintenance thread refills
      wake_wanted = true;
      wake.notify_one();
    }
  }

  void MarkCheckedOut(Slot* slot, Clock::TimePoint now) {
    slot->in_use = true;
    slot->checked_out = now;
    slot->leak_reported = false;
    ++in_use;
  }

  // A working connection nobody holds: to the oldest waiter, else onto the idle stack (on top,
  // or at the bottom for connections that were only pinged, not used).
  void Offer(Slot* slot, bool bottom) {
    if (!waiters.empty()) {
      Waiter* w = waiters.front();
      waiters.Remove(w);
      MarkCheckedOut(slot, Now());
      w->handed = slot;
      w->cv.notify_one();
      return;
    }
    idle.push_back(slot);
    if (bottom) std::rotate(idle.begin(), idle.end() - 1, idle.end());
  }

  // Last known to work before some connection of the pool turned out broken.
  bool Suspect(const Slot& slot) const { return slot.broken_seen != broken; }
  void MarkAlive(Slot* slot, Clock::TimePoint now) {
    slot->last_alive = now;
    slot->broken_seen = broken;
  }

  bool NeedsValidation(const Slot& slot, Clock::TimePoint now) const {
    return Suspect(slot) || now - slot.last_alive >= options.validate_after_idle;
  }

  void Publish() {
    if (!metrics) return;
    metrics->open.Set(open);
    metrics->idle.Set(static_cast<double>(idle.size()));
    metrics->in_use.Set(in_use);
    metrics->waiting.Set(waiters.size());
    metrics->target.Set(target);
  }

  milliseconds FirstBackoff() const {
    return std::max(options.maintenance_interval, milliseconds(50));
  }

  void Grow() {
    if (target < options.max_size) ++target;
  }

  // ---- operations (take the lock themselves) ----
  Result<Slot*> Acquire(SteadyClock::time_point deadline, std::string_view holder);
  Result<Slot*> AcquireLocked(std::unique_lock<std::mutex>& lock, AcquireTimer& timer);
  Result<Slot*> OpenReserved(std::unique_lock<std::mutex>& lock);
  void Release(Slot* slot);
  int PingIdle(bool all);
  void Maintain();
  void Refill();
  void MaintenanceLoop();
  void Shutdown();

  Database& database;
  const PoolOptions options;
  const Clock& clock;
  const bool coarse = dynamic_cast<const SystemClock*>(&clock) != nullptr;
  std::optional<detail::PoolMetrics> metrics;

  mutable std::mutex mutex;
  std::vector<std::unique_ptr<Slot>> slots;  // every open connection
  std::vector<Slot*> idle;                   // LIFO: back() is the most recently returned
  WaiterQueue waiters;                       // FIFO
  int open = 0;     // slots plus places reserved by connections being opened
  int in_use = 0;   // handed out to callers
  int target;       // adaptive size, min_size..max_size
  int callers = 0;  // threads inside Acquire (the destructor waits for them to leave)
  bool stopping = false;
  int64_t created = 0, closed = 0, broken = 0, timeouts = 0, leaks = 0, acquired = 0;
  std::mt19937_64 rng;  // lifetime jitter

  std::condition_variable wake;     // the maintenance thread sleeps on it
  bool wake_wanted = false;         // wakes it before maintenance_interval (refill, suspects)
  std::condition_variable drained;  // the destructor waits on it for callers to leave
  SteadyClock::time_point next_refill{};
  milliseconds refill_backoff{0};
  std::mutex maintenance_mutex;  // one maintenance pass at a time
  std::thread thread;
};

}  // namespace fastbreak::db
