// Invalidations between instances over Redis pub/sub, on channel
// "{key_prefix}:v{schema_version}:invalidate".
//
// Publish goes through the shared RedisClient (pool and breaker: it fails at once while the
// breaker is open). A subscriber thread with its
// own connection delivers other instances' messages. It waits for traffic with poll(); after
// bus_ping_interval of silence it sends PING (allowed in subscribed mode) and declares the
// subscription broken when nothing answers within bus_ping_timeout, so a dead or hung Redis is
// noticed within about a second even when no FIN arrives. Each outage (including Redis being
// unreachable at Start) calls on_disconnect once; the thread reconnects with jittered
// exponential backoff and calls on_reconnect once subscribed again.
//
// Message format (binary-safe, no JSON): "FBI1" then netstring-like fields "<len>:<bytes>" for
// origin, then "<0|1>" for all, then for each of tags, prefixes and keys "<count>:" followed by
// that many "<len>:<bytes>".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "cache/redis_client.hpp"
#include "cache/second_level.hpp"

namespace fastbreak::telemetry {
class MetricsRegistry;
}

namespace fastbreak::cache {

struct RedisBusStats {
  bool connected = false;
  uint64_t published = 0;
  uint64_t received = 0;     // delivered to on_message
  uint64_t ignored_own = 0;  // our own messages, echoed back
  uint64_t malformed = 0;    // messages that did not decode (dropped)
  uint64_t disconnects = 0;  // outages
};

class RedisBus final : public InvalidationBus {
 public:
  // `client` (used to publish, and for its options) and `metrics` must outlive the bus.
  RedisBus(RedisClient& client, telemetry::MetricsRegistry& metrics);
  // Stops the subscriber: wakes it at once and joins it (bounded by connect_timeout when it is
  // connecting). Handlers are not called once this returns.
  ~RedisBus() override;
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  // Starts the subscriber and waits (bounded) for its first attempt, so connected() is true on
  // return when Redis is up. Succeeds even when Redis is down (the thread keeps trying).
  // Handlers run on the subscriber thread, one at a time; they should be quick and must not
  // destroy the bus (an exception they throw is logged and dropped). kInvalidArgument when
  // called twice.
  Status Start(Handlers handlers) override;
  Status Publish(const Invalidation& invalidation) override;
  bool connected() const override { return connected_.load(std::memory_order_acquire); }
  const std::string& instance_id() const override { return instance_id_; }

  const std::string& channel() const { return channel_; }
  RedisBusStats Stats() const;

 private:
  struct Metrics;
  enum class PumpEnd { kStopped, kBroken };

  void Run();
  Result<detail::ContextPtr> Subscribe();
  PumpEnd Pump(redisContext* context);
  void HandleReply(const RedisReplyView& reply);
  void MarkUp();
  void MarkDown(const std::string& why);
  // Sleeps up to `delay`; false when woken to stop.
  bool Sleep(std::chrono::milliseconds delay);

  RedisClient& client_;
  const std::string channel_;
  const std::string instance_id_;
  std::unique_ptr<Metrics> metrics_;
  Handlers handlers_;  // set by Start before the thread starts; then read by it only
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopping_{false};
  bool in_outage_ = false;  // subscriber thread only
  int wake_fd_ = -1;        // eventfd: written to stop the subscriber
  std::mutex started_mutex_;
  std::condition_variable started_cv_;
  bool first_attempt_done_ = false;  // guarded by started_mutex_
  std::thread thread_;
};

// The wire format above. Decode fails (nullopt) on any malformed or trailing bytes.
std::string EncodeInvalidation(const Invalidation& invalidation);
std::optional<Invalidation> DecodeInvalidation(std::string_view bytes);

// "hostname-pid-random": unique per process.
std::string MakeInstanceId();

}  // namespace fastbreak::cache
