// A connection pool for any Database (SQLite or PostgreSQL), with the promises of HikariCP and
// PgBouncer: bounded size, acquire with a deadline (never an unbounded wait), FIFO waiters,
// validation of connections idle past a threshold, keep-alive, maximum lifetime with jitter,
// idle timeout, leak detection, adaptive sizing, and replacement of broken connections. Every
// figure is a metric.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "db/database.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::db {

struct PoolOptions {
  // Label of the pool's metrics (pool="primary", "replica1", "sqlite-readers", ...).
  std::string name = "primary";
  AccessMode mode = AccessMode::kReadOnly;
  // Connections kept open even when idle (opened in the background after Create), and the
  // most that may ever be open.
  int min_size = 2;
  int max_size = 8;
  // Longest Acquire waits when every connection is in use and the pool is at max_size; then
  // kBusy "pool exhausted". A caller's own earlier deadline wins.
  std::chrono::milliseconds acquire_timeout{1000};
  // A connection idle longer than this is pinged before it is handed out; one that fails is
  // closed and another taken. 0 = always validate.
  std::chrono::milliseconds validate_after_idle{500};
  // Idle connections are pinged this often, so a dead server or a terminated backend is found
  // before a caller meets it. 0 = off.
  std::chrono::milliseconds keepalive_interval{30000};
  // A connection is closed once this old (when next idle). Each connection's lifetime is
  // shortened by a random 0..lifetime_jitter share, so connections do not all retire at once.
  // 0 = unlimited.
  std::chrono::milliseconds max_lifetime{30 * 60 * 1000};
  double lifetime_jitter = 0.025;
  // Idle connections above min_size are closed after this long unused. 0 = never.
  std::chrono::milliseconds idle_timeout{60 * 1000};
  // A connection held longer than this is reported once (log warning with the holder and its
  // last SQL, and the leaks counter), and again at info when it comes back. 0 = off.
  std::chrono::milliseconds leak_threshold{10000};
  // How often the maintenance thread runs (keep-alive, lifetime, idle timeout, leak checks,
  // refilling to min_size).
  std::chrono::milliseconds maintenance_interval{250};
};

// Adaptive sizing. The pool keeps a target size, min_size..max_size, that follows demand:
//  - an Acquire that finds no idle connection while other callers are waiting (or that must
//    wait itself) raises the target by one, up to max_size;
//  - each idle connection closed after idle_timeout (only while more than min_size are open)
//    lowers it by one, down to min_size.
// The maintenance thread keeps `target` connections open (refilling after lifetime retirements
// and broken connections, with backoff while the database is down), so a pool that needed
// more connections at peak keeps them warm until they go unused for idle_timeout. Acquire may
// open connections beyond the target, up to max_size, whenever none is idle.

// A snapshot of the pool's state.
struct PoolStats {
  int open = 0;  // connections open (idle + in use + being opened)
  int idle = 0;
  int in_use = 0;
  int waiting = 0;  // callers blocked in Acquire
  int target = 0;   // current adaptive size target, min_size..max_size
  int64_t created = 0;
  int64_t closed = 0;
  int64_t broken = 0;    // closed because broken() or a failed validation
  int64_t timeouts = 0;  // Acquire calls that hit their deadline
  int64_t leaks = 0;     // leak reports
  int64_t acquired = 0;
};

class ConnectionPool;

// A connection checked out of a pool. Returns it on destruction (or closes it when it is
// broken). Move-only. Not thread-safe (like the Connection it wraps).
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_; }
  Connection* get() const { return connection_; }
  explicit operator bool() const { return connection_ != nullptr; }

  // Names the work holding the connection, for leak reports ("tool player_season_stats").
  // Thread-safe with respect to the pool's leak check.
  void SetHolder(std::string_view holder);
  // Closes the connection instead of returning it (its session state is unknown).
  void Discard();
  // Returns the connection now.
  void Release();
  // The pool it came from (its name labels routing metrics); null when empty.
  ConnectionPool* pool() const;

 private:
  friend class ConnectionPool;
  struct Slot;
  PooledConnection(ConnectionPool* pool, Slot* slot, Connection* connection)
      : pool_(pool), slot_(slot), connection_(connection) {}
  ConnectionPool* pool_ = nullptr;
  Slot* slot_ = nullptr;
  Connection* connection_ = nullptr;
};

class ConnectionPool {
 public:
  // Starts the maintenance thread, which opens min_size connections in the background (a
  // database that is down does not fail Create). Metrics are registered under
  // fastbreak_db_pool_* with label pool=<name>; `metrics` may be null. `clock` drives idle,
  // lifetime and leak ages (a ManualClock in tests; the SystemClock is read at its coarse,
  // millisecond resolution); deadlines in Acquire are steady_clock. The acquire-time
  // histogram records 0 for a connection taken from the idle stack without a ping: the hot
  // path reads no precise clock.
  // REQUIRES: `database`, `metrics` and `clock` outlive the pool. kInvalidArgument for bad
  // options (min > max, max < 1, negative durations).
  static Result<std::unique_ptr<ConnectionPool>> Create(
      Database& database, PoolOptions options, telemetry::MetricsRegistry* metrics,
      const Clock& clock = SystemClock::Instance());
  // Stops the maintenance thread, fails waiting Acquire calls with kUnsupported, closes every
  // connection. REQUIRES: every PooledConnection was returned first.
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A healthy connection, waiting (FIFO among waiters) until one is free, the pool can open
  // another, or `deadline` (capped at now + acquire_timeout) passes. Errors:
  //   kBusy        "pool <name> exhausted: <n> in use, <m> waiting, waited <ms> ms" at the
  //                deadline
  //   kConnection  the database cannot be reached (the connect error, when no connection is
  //                free and opening one failed). Returned at once, not at the deadline: a
  //                database that is down fails callers fast. A connection attempt itself is
  //                bounded by the driver's connect timeout, not by `deadline`.
  //   kUnsupported the pool is shutting down
  // An idle connection is pinged before it is handed out when it has been idle longer than
  // validate_after_idle, or when a connection of the pool turned out broken since it was last
  // known to work (a server restart kills every session at once).
  Result<PooledConnection> Acquire(std::chrono::steady_clock::time_point deadline,
                                   std::string_view holder = {});
  Result<PooledConnection> Acquire(std::string_view holder = {});  // now + acquire_timeout

  PoolStats stats() const;
  const PoolOptions& options() const;
  const std::string& name() const;
  // Pings every idle connection now and closes those that fail (what keep-alive does on its
  // schedule). Returns how many were closed.
  int ValidateIdle();
  // Runs one maintenance pass now (what the maintenance thread does every
  // maintenance_interval): lifetime, idle timeout, keep-alive, leak check, refill. For tests
  // driving a ManualClock, and for admin commands.
  void RunMaintenance();

 private:
  struct Impl;
  explicit ConnectionPool(std::unique_ptr<Impl> impl);
  friend class PooledConnection;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fastbreak::db
