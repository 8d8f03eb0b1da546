// The pool's maintenance: keep-alive and suspect pings, lifetime and idle timeout, leak
// reports, refilling to the target size, and shutdown.
#include <spdlog/spdlog.h>

#include "db/pool/pool_internal.hpp"

namespace fastbreak::db {

using detail::kMaxRefillBackoff;
using detail::Millis;

// Pings idle connections outside the lock, closing those that fail: all of them, or those due
// (idle past keepalive_interval, or suspect since a peer broke). Returns how many failed.
int ConnectionPool::Impl::PingIdle(bool all) {
  std::vector<Slot*> checking;
  {
    std::lock_guard lock(mutex);
    const Clock::TimePoint now = Now();
    const bool keepalive = options.keepalive_interval.count() > 0;
    auto due = [&](Slot* slot) {
      return all || Suspect(*slot) ||
             (keepalive && now - slot->last_alive >= options.keepalive_interval);
    };
    for (Slot* slot : idle) {
      if (due(slot)) checking.push_back(slot);
    }
    std::erase_if(idle, due);
    Publish();
  }
  if (checking.empty()) return 0;
  std::vector<bool> alive(checking.size());
  for (size_t i = 0; i < checking.size(); ++i) {
    alive[i] = checking[i]->connection->Ping().has_value();
  }
  std::vector<std::unique_ptr<Connection>> doomed;
  int failed = 0;
  {
    std::lock_guard lock(mutex);
    const Clock::TimePoint now = Now();
    for (size_t i = 0; i < checking.size(); ++i) {
      if (alive[i] && !stopping) {
        MarkAlive(checking[i], now);
        Offer(checking[i], /*bottom=*/true);
      } else {
        failed += alive[i] ? 0 : 1;
        doomed.push_back(RemoveSlot(checking[i], !alive[i]));
      }
    }
    Publish();
  }
  return failed;
}

void ConnectionPool::Impl::Maintain() {
  std::vector<std::unique_ptr<Connection>> doomed;
  std::vector<LeakReport> leaks_found;
  {
    std::lock_guard lock(mutex);
    if (stopping) return;
    const Clock::TimePoint now = Now();
    // Idle connections, coldest first: retire the old, close the unused above min_size.
    for (size_t i = 0; i < idle.size();) {
      Slot* slot = idle[i];
      const bool retire = now >= slot->retire_at;
      const bool unused = options.idle_timeout.count() > 0 && open > options.min_size &&
                          now - slot->last_used >= options.idle_timeout;
      if (!retire && !unused) {
        ++i;
        continue;
      }
      idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
      if (!retire) target = std::max(options.min_size, target - 1);
      doomed.push_back(RemoveSlot(slot, false));
    }
    if (options.leak_threshold.count() > 0) {
      for (const auto& owned : slots) {
        Slot& slot = *owned;
        if (!slot.in_use || slot.leak_reported || now - slot.checked_out < options.leak_threshold) {
          continue;
        }
        slot.leak_reported = true;
        ++leaks;
        if (metrics) metrics->leaks.Increment();
        leaks_found.push_back(
            LeakReport{slot.holder, slot.connection->last_sql(), Millis(now - slot.checked_out)});
      }
    }
    Publish();
  }
  doomed.clear();
  for (const LeakReport& leak : leaks_found) {
    spdlog::warn("pool {}: connection held by '{}' for {} ms (leak threshold {} ms); last SQL: {}",
                 options.name, leak.holder.empty() ? "unnamed" : leak.holder, leak.held_ms,
                 options.leak_threshold.count(), leak.last_sql.empty() ? "none" : leak.last_sql);
  }
  PingIdle(/*all=*/false);
  Refill();
}

// Opens connections until `target` are open, one at a time, backing off while connecting
// fails: a database that is down sees one attempt per backoff step, not a hot loop.
void ConnectionPool::Impl::Refill() {
  std::unique_lock lock(mutex);
  while (!stopping && open < target && SteadyClock::now() >= next_refill) {
    ++open;
    lock.unlock();
    Result<std::unique_ptr<Connection>> connection = database.Connect(options.mode);
    lock.lock();
    if (connection && !stopping) {
      const bool recovered = refill_backoff.count() != 0;
      refill_backoff = milliseconds(0);
      Offer(AddSlot(std::move(*connection)), /*bottom=*/false);
      Publish();
      if (recovered) {
        lock.unlock();
        spdlog::info("pool {}: connecting again", options.name);
        lock.lock();
      }
      continue;
    }
    --open;
    GrantFreedPlace();
    Publish();
    if (!connection) {
      const bool first = refill_backoff.count() == 0;
      refill_backoff = std::min(kMaxRefillBackoff, std::max(refill_backoff * 2, FirstBackoff()));
      next_refill = SteadyClock::now() + refill_backoff;
      const milliseconds wait = refill_backoff;
      lock.unlock();
      // Warn once per outage; the retries go to the debug log.
      spdlog::log(first ? spdlog::level::warn : spdlog::level::debug,
                  "pool {}: cannot open a connection ({}); next attempt in {} ms", options.name,
                  connection.error().message, wait.count());
    } else {
      lock.unlock();
      connection->reset();  // opened while shutting down
    }
    return;
  }
}

void ConnectionPool::Impl::MaintenanceLoop() {
  std::unique_lock lock(mutex);
  while (!stopping) {
    lock.unlock();
    {
      std::lock_guard pass(maintenance_mutex);
      Maintain();
    }
    lock.lock();
    // Woken early when a connection closed below target; Refill's backoff still applies.
    wake.wait_for(lock, options.maintenance_interval, [this] { return stopping || wake_wanted; });
    wake_wanted = false;
  }
}

void ConnectionPool::Impl::Shutdown() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
    while (!waiters.empty()) {
      Waiter* w = waiters.front();
      waiters.Remove(w);
      w->shutdown = true;
      w->cv.notify_one();
    }
    wake.notify_all();
  }
  if (thread.joinable()) thread.join();
  std::vector<std::unique_ptr<Connection>> doomed;
  {
    std::unique_lock lock(mutex);
    drained.wait(lock, [this] { return callers == 0; });
    for (Slot* slot : idle) doomed.push_back(std::move(slot->connection));
    idle.clear();
    slots.clear();
    open = 0;
    Publish();
  }
}

}  // namespace fastbreak::db
