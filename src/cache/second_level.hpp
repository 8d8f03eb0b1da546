// What the layered cache needs from a shared second level (Redis) and an invalidation bus,
// as interfaces: the layered cache is tested without Redis, and Redis is one implementation.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace fastbreak::cache {

// A value as stored in either level: the serialized result bytes and whether it is a cached
// "not found" (negative) result.
struct StoredValue {
  std::string bytes;
  bool negative = false;
  // Time left before the entry expires in the level it came from (0 = unknown).
  std::chrono::milliseconds ttl_left{0};
  // The tags it was stored with (filled by Get), so that a promoted copy can be invalidated.
  std::vector<std::string> tags;
};

// A shared cache level. Every call is bounded in time and fails soft: an unreachable or slow
// level behaves as a miss (Get) or a no-op (Put, Invalidate*), never as an error to the caller.
// Thread-safe.
class SecondLevel {
 public:
  virtual ~SecondLevel() = default;
  // The value for `key`, or nullopt on a miss, on an entry one of whose tags was invalidated
  // after it was stored, or when the level is unavailable.
  virtual std::optional<StoredValue> Get(std::string_view key) = 0;
  // Stores `value` under `key` for `ttl` with `tags`. Best effort.
  virtual void Put(std::string_view key, const StoredValue& value, std::chrono::milliseconds ttl,
                   const std::vector<std::string>& tags) = 0;
  // Drops every entry carrying any of `tags`, or whose key starts with any of `prefixes`, or
  // is one of `keys`; `all` drops every entry of this namespace. Best effort.
  virtual void Invalidate(const std::vector<std::string>& tags,
                          const std::vector<std::string>& prefixes,
                          const std::vector<std::string>& keys, bool all) = 0;
  // False while the level is considered down (circuit open).
  virtual bool available() const = 0;
};

// One invalidation, as sent between instances.
struct Invalidation {
  std::vector<std::string> tags;
  std::vector<std::string> prefixes;
  std::vector<std::string> keys;
  bool all = false;
  std::string origin;  // the publishing instance's id (its own messages are ignored)
};

// Invalidation messages between instances (Redis pub/sub). Thread-safe.
class InvalidationBus {
 public:
  struct Handlers {
    // An invalidation published by another instance.
    std::function<void(const Invalidation&)> on_message;
    // The subscription broke: messages may have been missed, so the L1 must be cleared.
    std::function<void()> on_disconnect;
    // Subscribed again after a disconnect.
    std::function<void()> on_reconnect;
  };
  virtual ~InvalidationBus() = default;
  // Starts listening (a background thread). Called once.
  virtual Status Start(Handlers handlers) = 0;
  // Sends to every other instance. Fails (kConnection) when the bus is down.
  virtual Status Publish(const Invalidation& invalidation) = 0;
  virtual bool connected() const = 0;
  // This instance's id, set as `origin` on published messages.
  virtual const std::string& instance_id() const = 0;
};

}  // namespace fastbreak::cache
