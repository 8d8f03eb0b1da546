#include "db/pool/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace fastbreak::db {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxReplicas = 32;

// The primary's WAL position and the replica's state, in one round trip each. Casts keep the
// columns to types every driver reads the same way (int, float8, text).
constexpr std::string_view kPrimaryLsnSql = "SELECT pg_current_wal_lsn()::text";
constexpr std::string_view kReplicaSql =
    "SELECT pg_is_in_recovery()::int,"
    " pg_wal_lsn_diff(?::pg_lsn, pg_last_wal_replay_lsn())::float8,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8,"
    " pg_last_wal_replay_lsn()::text";

// "16/B374D848" -> 0x16B374D848; nullopt when malformed.
std::optional<uint64_t> ParseLsn(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  uint32_t high = 0;
  uint32_t low = 0;
  const char* end = text.data() + text.size();
  auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, high, 16);
  auto [p2, e2] = std::from_chars(text.data() + slash + 1, end, low, 16);
  if (e1 != std::errc() || e2 != std::errc() || p1 != text.data() + slash || p2 != end) {
    return std::nullopt;
  }
  return (uint64_t{high} << 32) | low;
}

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// What one health check of a replica found.
struct CheckResult {
  bool ok = false;
  double lag_seconds = -1;  // negative when unknown
  std::string problem;      // why the check failed
};

}  // namespace

struct DatabaseRouter::Impl {
  struct Replica {
    std::unique_ptr<ConnectionPool> pool;
    std::atomic<bool> healthy{true};  // read on every kRead acquire
    // Guarded by status_mutex.
    int failures = 0;
    int successes = 0;
    double lag_seconds = -1;
    std::string reason;
    telemetry::Gauge* lag_gauge = nullptr;
    telemetry::Gauge* healthy_gauge = nullptr;
    telemetry::Counter* reads = nullptr;
  };
  // A reading of the primary's WAL position (see Lag()).
  struct LsnSample {
    uint64_t lsn;
    SteadyClock::time_point at;
  };

  telemetry::Counter& RouteCounter(std::string_view route, const std::string& target) {
    return metrics->GetCounter("fastbreak_db_route_total",
                               "Connections handed out, by route and pool",
                               {{"route", std::string(route)}, {"target", target}});
  }
  ConnectionPool& WritePool() { return write ? *write : *read; }

  Result<PooledConnection> AcquireRead(SteadyClock::time_point deadline, std::string_view holder);
  void CheckAll();
  std::optional<LsnSample> PrimaryLsn(SteadyClock::time_point deadline);
  CheckResult CheckReplica(Replica& replica, const std::optional<LsnSample>& primary,
                           SteadyClock::time_point deadline);
  double Lag(const std::optional<LsnSample>& primary, std::optional<double> lsn_diff,
             std::optional<double> replay_age, std::optional<uint64_t> replay_lsn) const;
  void Record(Replica& replica, const CheckResult& result);
  void HealthLoop();

  std::unique_ptr<telemetry::MetricsRegistry> own_metrics;  // when none was given
  telemetry::MetricsRegistry* metrics = nullptr;
  ReplicaOptions options;
  std::unique_ptr<ConnectionPool> read;
  std::unique_ptr<ConnectionPool> write;  // null: writes use `read`
  std::vector<std::unique_ptr<Replica>> replicas;
  telemetry::Counter* read_primary = nullptr;
  telemetry::Counter* read_your_writes = nullptr;
  telemetry::Counter* writes = nullptr;
  telemetry::Counter* fallbacks = nullptr;
  std::atomic<uint64_t> round_robin{0};

  mutable std::mutex status_mutex;  // replicas' check bookkeeping
  std::mutex check_mutex;           // one round of checks at a time; guards history
  std::deque<LsnSample> history;    // the primary's recent WAL positions, oldest first

  std::mutex thread_mutex;
  std::condition_variable wake;
  bool stopping = false;  // guarded by thread_mutex
  std::thread thread;
};

Result<PooledConnection> DatabaseRouter::Impl::AcquireRead(SteadyClock::time_point deadline,
                                                           std::string_view holder) {
  // Healthy replicas, least busy first; equal loads in round-robin order.
  std::array<std::pair<double, size_t>, kMaxReplicas> order;
  size_t count = 0;
  const size_t n = replicas.size();
  const size_t rotation = static_cast<size_t>(round_robin.fetch_add(1, std::memory_order_relaxed));
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (rotation + k) % n;
    Replica& replica = *replicas[i];
    if (!replica.healthy.load(std::memory_order_relaxed)) continue;
    const PoolStats stats = replica.pool->stats();
    order[count++] = {static_cast<double>(stats.in_use) / replica.pool->options().max_size, i};
  }
  std::stable_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t k = 0; k < count; ++k) {
    Replica& replica = *replicas[order[k].second];
    // At most half the time left, so the primary can still answer if this one cannot.
    const SteadyClock::time_point now = SteadyClock::now();
    const SteadyClock::time_point share = deadline > now ? now + (deadline - now) / 2 : deadline;
    auto connection = replica.pool->Acquire(share, holder);
    if (connection) {
      replica.reads->Increment();
      return connection;
    }
    spdlog::debug("router: replica {} could not serve a read: {}", replica.pool->name(),
                  connection.error().message);
  }
  if (n > 0) fallbacks->Increment();
  auto connection = read->Acquire(deadline, holder);
  if (connection) read_primary->Increment();
  return connection;
}

std::optional<DatabaseRouter::Impl::LsnSample> DatabaseRouter::Impl::PrimaryLsn(
    SteadyClock::time_point deadline) {
  auto connection = read->Acquire(deadline, "replica check");
  if (!connection || (*connection)->dialect() != Dialect::kPostgres) return std::nullopt;
  auto value = (*connection)->QueryScalar(kPrimaryLsnSql);
  if (!value || !std::holds_alternative<std::string>(*value)) return std::nullopt;
  const std::optional<uint64_t> lsn = ParseLsn(std::get<std::string>(*value));
  if (!lsn) return std::nullopt;
  return LsnSample{*lsn, SteadyClock::now()};
}

// Lag is 0 once the replica has replayed up to the primary's position read just before.
// Otherwise it is the time since the replica last replayed a transaction, bounded by how long
// ago the primary first stood past the replica's replay position (from the recent readings):
// after a long idle spell the last replayed transaction is old, and a caught-up replica that
// has yet to replay a record written a millisecond ago must not look minutes late.
double DatabaseRouter::Impl::Lag(const std::optional<LsnSample>& primary,
                                 std::optional<double> lsn_diff, std::optional<double> replay_age,
                                 std::optional<uint64_t> replay_lsn) const {
  if (!primary || !lsn_diff) return -1;  // the primary's position is unknown
  if (*lsn_diff <= 0) return 0;
  // A replica that has replayed no transaction since it started (a fresh base backup) has no
  // replay timestamp: then the readings alone tell how long it has been behind.
  double lag = replay_age ? std::max(0.0, *replay_age) : std::numeric_limits<double>::infinity();
  if (replay_lsn) {
    for (const LsnSample& sample : history) {
      if (sample.lsn > *replay_lsn) {
        lag = std::min(lag, Seconds(primary->at - sample.at));
        break;
      }
    }
  }
  return std::isinf(lag) ? 0.0 : lag;
}

CheckResult DatabaseRouter::Impl::CheckReplica(Replica& replica,
                                               const std::optional<LsnSample>& primary,
                                               SteadyClock::time_point deadline) {
  auto connection = replica.pool->Acquire(deadline, "replica check");
  if (!connection) return CheckResult{.problem = connection.error().message};
  Connection& c = **connection;
  if (c.dialect() != Dialect::kPostgres) {
    if (auto ping = c.Ping(); !ping) return CheckResult{.problem = ping.error().message};
    return CheckResult{.ok = true, .lag_seconds = 0, .problem = {}};
  }
  auto statement = c.Prepare(kReplicaSql);
  if (!statement) return CheckResult{.problem = statement.error().message};
  Statement& s = **statement;
  if (primary) {
    s.Bind(1, fmt::format("{:X}/{:X}", primary->lsn >> 32, primary->lsn & 0xFFFFFFFFu));
  } else {
    s.BindNull(1);
  }
  auto row = s.Step();
  if (!row) return CheckResult{.problem = row.error().message};
  if (!*row) return CheckResult{.problem = "the replica check returned no row"};
  if (s.GetInt(0) == 0) {
    return CheckResult{.problem = "not in recovery (promoted, or not a replica)"};
  }
  auto optional_double = [&](int column) {
    return s.IsNull(column) ? std::nullopt : std::optional<double>(s.GetDouble(column));
  };
  const std::optional<double> diff = optional_double(1);
  const std::optional<double> age = optional_double(2);
  const std::optional<uint64_t> replay_lsn = s.IsNull(3) ? std::nullopt : ParseLsn(s.GetText(3));
  const double lag = Lag(primary, diff, age, replay_lsn);
  const double max_lag = std::chrono::duration<double>(options.max_lag).count();
  if (lag > max_lag) {
    return CheckResult{.lag_seconds = lag,
                       .problem = fmt::format("replay lag {:.2f} s > {:g} s", lag, max_lag)};
  }
  return CheckResult{.ok = true, .lag_seconds = lag, .problem = {}};
}

void DatabaseRouter::Impl::Record(Replica& replica, const CheckResult& result) {
  const std::string& name = replica.pool->name();
  std::lock_guard lock(status_mutex);
  replica.lag_seconds = result.lag_seconds;
  replica.lag_gauge->Set(result.lag_seconds);
  const bool healthy = replica.healthy.load(std::memory_order_relaxed);
  if (result.ok) {
    replica.failures = 0;
    ++replica.successes;
    if (healthy) {
      replica.reason.clear();
    } else if (replica.successes >= options.successes_to_restore) {
      spdlog::info("router: replica {} back in rotation after {} good checks (lag {:.2f} s)", name,
                   replica.successes, std::max(0.0, result.lag_seconds));
      replica.reason.clear();
      replica.healthy.store(true, std::memory_order_relaxed);
    }
  } else {
    replica.successes = 0;
    ++replica.failures;
    replica.reason = result.problem;
    if (healthy && replica.failures >= options.failures_to_remove) {
      spdlog::warn("router: replica {} taken out of rotation: {}", name, result.problem);
      replica.healthy.store(false, std::memory_order_relaxed);
    }
  }
  replica.healthy_gauge->Set(replica.healthy.load(std::memory_order_relaxed) ? 1 : 0);
}

void DatabaseRouter::Impl::CheckAll() {
  std::lock_guard lock(check_mutex);
  // A check waits for a connection no longer than a round lasts (at least 1 s).
  const milliseconds budget = std::max(options.check_interval, milliseconds(1000));
  const std::optional<LsnSample> primary = PrimaryLsn(SteadyClock::now() + budget);
  if (primary) {
    history.push_back(*primary);
    // Keep enough readings to tell a lag well past max_lag.
    const auto keep = 2 * (options.max_lag + options.check_interval) + milliseconds(1000);
    while (history.size() > 2 && primary->at - history.front().at > keep) history.pop_front();
  }
  for (auto& replica : replicas) {
    Record(*replica, CheckReplica(*replica, primary, SteadyClock::now() + budget));
  }
}

void DatabaseRouter::Impl::HealthLoop() {
  std::unique_lock lock(thread_mutex);
  while (!stopping) {
    lock.unlock();
    CheckAll();
    lock.lock();
    wake.wait_for(lock, options.check_interval, [this] { return stopping; });
  }
}

// ---- DatabaseRouter ------------------------------------------------------------------------

Result<std::unique_ptr<DatabaseRouter>> DatabaseRouter::Create(
    std::unique_ptr<ConnectionPool> read, std::unique_ptr<ConnectionPool> write,
    std::vector<std::unique_ptr<ConnectionPool>> replicas, ReplicaOptions options,
    telemetry::MetricsRegistry* metrics) {
  if (read == nullptr) return MakeError(ErrorCode::kInvalidArgument, "router: no read pool");
  if (replicas.size() > kMaxReplicas) {
    return MakeError(ErrorCode::kInvalidArgument, "router: {} replicas, at most {}",
                     replicas.size(), kMaxReplicas);
  }
  if (options.failures_to_remove < 1 || options.successes_to_restore < 1 ||
      options.check_interval.count() <= 0 || options.max_lag.count() < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "router: failures_to_remove and successes_to_restore must be >= 1, "
                     "check_interval > 0 and max_lag >= 0");
  }
  auto impl = std::make_unique<Impl>();
  if (metrics == nullptr) {
    impl->own_metrics = std::make_unique<telemetry::MetricsRegistry>();
    metrics = impl->own_metrics.get();
  }
  impl->metrics = metrics;
  impl->options = options;
  impl->read = std::move(read);
  impl->write = std::move(write);
  impl->read_primary = &impl->RouteCounter("read", impl->read->name());
  impl->read_your_writes = &impl->RouteCounter("read_your_writes", impl->read->name());
  impl->writes = &impl->RouteCounter("write", impl->WritePool().name());
  impl->fallbacks = &metrics->GetCounter(
      "fastbreak_db_replica_fallbacks_total",
      "Reads served by the primary because no replica was healthy or every replica failed");
  for (auto& pool : replicas) {
    if (pool == nullptr) return MakeError(ErrorCode::kInvalidArgument, "router: null replica");
    auto replica = std::make_unique<Impl::Replica>();
    const telemetry::Labels labels = {{"replica", pool->name()}};
    replica->lag_gauge = &metrics->GetGauge("fastbreak_db_replica_lag_seconds",
                                            "Replay lag of the replica (-1 unknown)", labels);
    replica->healthy_gauge = &metrics->GetGauge("fastbreak_db_replica_healthy",
                                                "1 while the replica is in rotation", labels);
    replica->lag_gauge->Set(-1);
    replica->healthy_gauge->Set(1);
    replica->reads = &impl->RouteCounter("read", pool->name());
    replica->pool = std::move(pool);
    impl->replicas.push_back(std::move(replica));
  }
  Impl* raw = impl.get();
  std::unique_ptr<DatabaseRouter> router(new DatabaseRouter(std::move(impl)));
  if (!raw->replicas.empty()) raw->thread = std::thread([raw] { raw->HealthLoop(); });
  return router;
}

DatabaseRouter::DatabaseRouter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DatabaseRouter::~DatabaseRouter() {
  {
    std::lock_guard lock(impl_->thread_mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<PooledConnection> DatabaseRouter::Acquire(Route route,
                                                 std::chrono::steady_clock::time_point deadline,
                                                 std::string_view holder) {
  switch (route) {
    case Route::kRead:
      return impl_->AcquireRead(deadline, holder);
    case Route::kReadYourWrites: {
      auto connection = impl_->read->Acquire(deadline, holder);
      if (connection) impl_->read_your_writes->Increment();
      return connection;
    }
    case Route::kWrite: {
      auto connection = impl_->WritePool().Acquire(deadline, holder);
      if (connection) impl_->writes->Increment();
      return connection;
    }
  }
  return MakeError(ErrorCode::kInternal, "router: unknown route");
}

void DatabaseRouter::CheckReplicas() { impl_->CheckAll(); }

std::vector<ReplicaStatus> DatabaseRouter::replica_status() const {
  std::vector<ReplicaStatus> out;
  std::lock_guard lock(impl_->status_mutex);
  for (const auto& replica : impl_->replicas) {
    out.push_back(ReplicaStatus{.name = replica->pool->name(),
                                .healthy = replica->healthy.load(std::memory_order_relaxed),
                                .lag_seconds = replica->lag_seconds,
                                .reason = replica->reason});
  }
  return out;
}

ConnectionPool& DatabaseRouter::read_pool() { return *impl_->read; }
ConnectionPool& DatabaseRouter::write_pool() { return impl_->WritePool(); }

std::vector<ConnectionPool*> DatabaseRouter::pools() {
  std::vector<ConnectionPool*> out = {impl_->read.get()};
  if (impl_->write != nullptr) out.push_back(impl_->write.get());
  for (const auto& replica : impl_->replicas) out.push_back(replica->pool.get());
  return out;
}

}  // namespace fastbreak::db
