// A small Redis client on hiredis 0.14 (blocking API): URL parsing, a fixed pool of connections
// with a bounded acquire, per-command timeouts, pipelining, Lua scripts (EVALSHA with an EVAL
// fallback) and a circuit breaker, shared by RedisCache and RedisBus.
//
// Circuit breaker: closed (calls go to Redis) -> open after `failure_threshold` consecutive
// failed or timed-out calls (calls return kBusy at once, without touching the network) -> every
// `probe_interval` a background thread connects afresh and sends PING (half-open while it
// does) -> closed again when PING answers. Connections made before the breaker opened are
// replaced on their next use. A reused connection found broken (a Redis restart while the
// breaker stayed closed) is replaced and the call retried once on a new connection.
//
// Standalone Redis (not Cluster): scripts may touch keys they derive from stored data.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.hpp"

struct redisContext;
struct redisReply;

namespace fastbreak::telemetry {
class Counter;
class Gauge;
class MetricsRegistry;
}  // namespace fastbreak::telemetry

namespace fastbreak::cache {

// Where Redis is, from "redis://HOST[:PORT][/DB]" (HOST may be [IPv6]).
struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
};

// kInvalidArgument with a message naming the URL and what is wrong with it. Credentials,
// TLS (rediss://), unix sockets and query strings are not supported.
Result<RedisUrl> ParseRedisUrl(std::string_view url);

struct RedisOptions {
  // The server. Credentials are not supported (bind Redis to a private interface instead).
  std::string url = "redis://127.0.0.1:6379/0";
  // Connections kept by the pool, each used by one call at a time. More allows more concurrent
  // calls; Redis answers one connection's command in ~0.1 ms on loopback, so a few suffice.
  int pool_size = 4;
  // How long a call waits for a free pooled connection before it is skipped (kBusy).
  std::chrono::milliseconds acquire_timeout{10};
  // TCP connect bound, for pool connections, probes and the bus subscriber. Host names are
  // resolved before it applies: prefer an IP address.
  std::chrono::milliseconds connect_timeout{200};
  // Bound on each socket read or write of a command (SO_RCVTIMEO/SO_SNDTIMEO); a pipeline also
  // gives up once this has passed since it started. Small, so a slow Redis cannot slow calls.
  std::chrono::milliseconds command_timeout{50};
  // Consecutive failed or timed-out calls that open the circuit breaker.
  int failure_threshold = 5;
  // Interval between PING probes while the breaker is open (also the least time it stays open).
  std::chrono::milliseconds probe_interval{500};

  // Every key and channel starts with "{key_prefix}:v{schema_version}:". Bump schema_version
  // when the stored format changes, so no instance ever reads entries of the old format.
  std::string key_prefix = "fastbreak";
  int schema_version = 1;
  // Values longer than this are LZ4-compressed (when that makes them smaller).
  size_t compress_threshold = 1024;
  // Values longer than this (before compression) are not stored.
  size_t max_value_bytes = 4 << 20;
  // Tags per entry above which a Put is skipped (each tag costs a few commands per Put).
  size_t max_tags_per_entry = 64;
  // SCAN COUNT hint for prefix and namespace-wide invalidation (keys examined per round trip).
  int scan_count = 1000;
  // Invalidations that could not reach Redis are kept (merged) and replayed before the cache
  // is used again; above this many tags + prefixes + keys they collapse into "all".
  size_t max_pending_invalidations = 10000;

  // Bus subscriber: after this long without traffic it sends PING, and declares the
  // subscription broken when no reply comes within bus_ping_timeout.
  std::chrono::milliseconds bus_ping_interval{250};
  std::chrono::milliseconds bus_ping_timeout{500};
  // Reconnect backoff of the bus subscriber: doubles from min to max, with jitter.
  std::chrono::milliseconds bus_reconnect_min{50};
  std::chrono::milliseconds bus_reconnect_max{1000};

  // "{key_prefix}:v{schema_version}:"
  std::string Namespace() const;
  // kInvalidArgument when a field is out of range or the URL does not parse.
  Status Validate() const;
};

// A non-owning view of one reply (or of an element of an array reply).
class RedisReplyView {
 public:
  explicit RedisReplyView(const redisReply* reply) : reply_(reply) {}
  bool is_nil() const;
  bool is_error() const;
  bool is_string() const;  // bulk string
  bool is_status() const;  // "+OK"-style simple string
  bool is_integer() const;
  bool is_array() const;
  // The bytes of a string, status or error reply; empty otherwise.
  std::string_view str() const;
  // The value of an integer reply; 0 otherwise.
  long long integer() const;
  // Elements of an array reply; 0 otherwise. REQUIRES: i < size().
  size_t size() const;
  RedisReplyView operator[](size_t i) const;

 protected:
  const redisReply* reply_;
};

// An owned reply. Movable.
class RedisReply : public RedisReplyView {
 public:
  explicit RedisReply(redisReply* reply) noexcept : RedisReplyView(reply) {}
  ~RedisReply();
  RedisReply(RedisReply&& other) noexcept : RedisReplyView(other.reply_) { other.reply_ = nullptr; }
  RedisReply& operator=(RedisReply&& other) noexcept;
  RedisReply(const RedisReply&) = delete;
  RedisReply& operator=(const RedisReply&) = delete;
};

// A command as its arguments. The views must stay valid during the call.
using RedisArgs = std::vector<std::string_view>;

// A Lua script and its SHA-1 (for EVALSHA). Immutable; share freely.
class RedisScript {
 public:
  explicit RedisScript(std::string body);
  const std::string& body() const { return body_; }
  const std::string& sha1() const { return sha1_; }  // lowercase hex

 private:
  std::string body_;
  std::string sha1_;
};

struct RedisScriptCall {
  const RedisScript* script = nullptr;
  RedisArgs keys;  // KEYS
  RedisArgs args;  // ARGV
};

// Counts since construction, for a stats endpoint.
struct RedisClientStats {
  enum class BreakerState { kClosed = 0, kOpen = 1, kHalfOpen = 2 };
  BreakerState breaker_state = BreakerState::kClosed;
  uint64_t breaker_opened = 0;  // closed -> open transitions
  uint64_t connects = 0;        // connections made (pool and probes)
  uint64_t connect_failures = 0;
  uint64_t stale_replaced = 0;  // reused connections found broken and replaced
  uint64_t pool_exhausted = 0;  // calls skipped because no connection freed in time
  uint64_t failures = 0;        // calls that failed (connection or timeout)
};

namespace detail {
struct ContextDeleter {
  void operator()(redisContext* context) const;
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

// A new blocking connection: connected within connect_timeout, each read and write then bounded
// by command_timeout, TCP keepalive on, database selected. kConnection / kTimeout on failure.
Result<ContextPtr> Connect(const RedisUrl& url, std::chrono::milliseconds connect_timeout,
                           std::chrono::milliseconds command_timeout);

// Classifies the error of a context after a failed hiredis call (errno as saved right after
// it): kTimeout when a socket timeout expired, else kConnection.
Error TransportError(const redisContext* context, int saved_errno);

// Blocks SIGPIPE in the calling thread while hiredis writes (a write to a socket the server
// closed must not kill the process) and discards a SIGPIPE raised meanwhile.
class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  bool was_blocked_ = false;
};

// SHA-1 of `data` as 40 lowercase hex digits (what Redis names scripts by).
std::string Sha1Hex(std::string_view data);
}  // namespace detail

// Thread-safe. Every call is bounded: acquire_timeout + (connect_timeout when a connection must
// be made) + command_timeout per socket operation. Errors:
//   kBusy       the call did not touch the network: breaker open, or no connection free in time;
//   kTimeout    a command timed out (the connection is dropped: a late reply cannot be matched);
//   kConnection connect, read or write failed.
// A command Redis answers with an error ("-ERR ...") is a reply, not a failed call.
class RedisClient {
 public:
  using BreakerState = RedisClientStats::BreakerState;

  // Validates `options` (kInvalidArgument), then PINGs Redis once: when that fails the breaker
  // starts open and the probe thread keeps trying, so an instance starts without Redis.
  // `metrics` must outlive the client.
  static Result<std::unique_ptr<RedisClient>> Create(RedisOptions options,
                                                     telemetry::MetricsRegistry& metrics);
  // REQUIRES: no call in flight, and no RedisCache / RedisBus using this client still alive.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends every command, then reads every reply: one round trip.
  Result<std::vector<RedisReply>> Pipeline(std::span<const RedisArgs> commands);
  Result<RedisReply> Command(const RedisArgs& args);
  // Runs the scripts in one round trip with EVALSHA; those Redis answers NOSCRIPT (restarted or
  // flushed) are sent again with EVAL on the same connection, which also caches them.
  Result<std::vector<RedisReply>> Eval(std::span<const RedisScriptCall> calls);

  // True while the breaker is closed.
  bool available() const { return state_.load(std::memory_order_acquire) == kClosedState; }
  BreakerState breaker_state() const;
  const RedisOptions& options() const { return options_; }
  const RedisUrl& url() const { return url_; }
  RedisClientStats Stats() const;

  // `listener` runs on the probe thread each time the breaker closes after an outage (e.g. to
  // replay work skipped meanwhile); it may call this client. Returns an id for removal.
  uint64_t AddRecoveryListener(std::function<void()> listener);
  // After it returns, the listener is not running and will not run again. REQUIRES: not called
  // from a listener.
  void RemoveRecoveryListener(uint64_t id);

 private:
  static constexpr int kClosedState = 0;
  static constexpr int kOpenState = 1;
  static constexpr int kHalfOpenState = 2;
  struct Slot {
    detail::ContextPtr context;
    uint64_t generation = 0;
    bool busy = false;
  };
  struct Metrics;

  RedisClient(RedisOptions options, RedisUrl url, telemetry::MetricsRegistry& metrics);

  // Runs `run` on a pooled connection under the breaker (see the class comment).
  Result<std::vector<RedisReply>> Execute(
      const std::function<Result<std::vector<RedisReply>>(redisContext*)>& run);
  int Acquire();
  void Release(int slot);
  void RecordSuccess();
  void RecordFailure();
  void SetState(int state);
  void ProbeLoop(const std::stop_token& stop);
  bool Probe();

  const RedisOptions options_;
  const RedisUrl url_;
  std::unique_ptr<Metrics> metrics_;

  std::mutex pool_mutex_;  // guards slots_ (a busy slot's context belongs to its caller)
  std::condition_variable pool_cv_;
  std::vector<Slot> slots_;
  std::atomic<uint64_t> generation_{0};  // bumped when the breaker opens or closes

  std::atomic<int> state_{kClosedState};
  std::atomic<int> consecutive_failures_{0};

  std::mutex listeners_mutex_;  // guards listeners_, held while they run
  std::vector<std::pair<uint64_t, std::function<void()>>> listeners_;
  uint64_t next_listener_id_ = 1;

  std::mutex probe_mutex_;
  std::condition_variable_any probe_cv_;
  std::jthread probe_thread_;  // last: started once everything else is ready
};

}  // namespace fastbreak::cache
