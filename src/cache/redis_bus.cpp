#include "cache/redis_bus.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <exception>
#include <random>
#include <utility>

#include "telemetry/metrics.hpp"

namespace fastbreak::cache {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kMagic = "FBI1";

void PutString(std::string& out, std::string_view text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

void PutList(std::string& out, const std::vector<std::string>& items) {
  out += std::to_string(items.size());
  out += ':';
  for (const std::string& item : items) PutString(out, item);
}

// Reads the fields PutString / PutList wrote; every read fails (nullopt) on malformed bytes.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool done() const { return rest_.empty(); }

  std::optional<size_t> Number() {
    const size_t colon = rest_.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon > 10) return std::nullopt;
    size_t value = 0;
    const auto [end, ec] = std::from_chars(rest_.data(), rest_.data() + colon, value);
    if (ec != std::errc() || end != rest_.data() + colon) return std::nullopt;
    rest_.remove_prefix(colon + 1);
    return value;
  }
  std::optional<std::string> String() {
    const auto length = Number();
    if (!length || *length > rest_.size()) return std::nullopt;
    std::string text(rest_.substr(0, *length));
    rest_.remove_prefix(*length);
    return text;
  }
  bool List(std::vector<std::string>& items) {
    const auto count = Number();
    if (!count || *count > rest_.size() / 2) return false;  // each item takes >= 2 bytes
    items.reserve(*count);
    for (size_t i = 0; i < *count; ++i) {
      auto item = String();
      if (!item) return false;
      items.push_back(std::move(*item));
    }
    return true;
  }
  std::optional<char> Char() {
    if (rest_.empty()) return std::nullopt;
    const char c = rest_.front();
    rest_.remove_prefix(1);
    return c;
  }

 private:
  std::string_view rest_;
};

// Runs a handler; an exception must not end the subscriber thread (and the process).
template <typename Handler, typename... Args>
void Invoke(const Handler& handler, const char* name, const Args&... args) {
  if (!handler) return;
  try {
    handler(args...);
  } catch (const std::exception& e) {
    spdlog::error("invalidation bus: {} handler threw: {}", name, e.what());
  } catch (...) {
    spdlog::error("invalidation bus: {} handler threw", name);
  }
}

}  // namespace

std::string EncodeInvalidation(const Invalidation& invalidation) {
  std::string out(kMagic);
  PutString(out, invalidation.origin);
  out += invalidation.all ? '1' : '0';
  PutList(out, invalidation.tags);
  PutList(out, invalidation.prefixes);
  PutList(out, invalidation.keys);
  return out;
}

std::optional<Invalidation> DecodeInvalidation(std::string_view bytes) {
  if (!bytes.starts_with(kMagic)) return std::nullopt;
  Reader reader(bytes.substr(kMagic.size()));
  Invalidation invalidation;
  auto origin = reader.String();
  if (!origin) return std::nullopt;
  invalidation.origin = std::move(*origin);
  const auto all = reader.Char();
  if (!all || (*all != '0' && *all != '1')) return std::nullopt;
  invalidation.all = *all == '1';
  if (!reader.List(invalidation.tags) || !reader.List(invalidation.prefixes) ||
      !reader.List(invalidation.keys) || !reader.done()) {
    return std::nullopt;
  }
  return invalidation;
}

std::string MakeInstanceId() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::random_device random;
  return fmt::format("{}-{}-{:08x}", host[0] != '\0' ? host.data() : "host", getpid(), random());
}

struct RedisBus::Metrics {
  explicit Metrics(telemetry::MetricsRegistry& registry)
      : published(Messages(registry, "published")),
        received(Messages(registry, "received")),
        ignored_own(Dropped(registry, "own")),
        malformed(Dropped(registry, "malformed")),
        connected(registry.GetGauge("fastbreak_cache_bus_connected",
                                    "1 while the invalidation bus subscription is up")),
        disconnects(registry.GetCounter("fastbreak_cache_bus_disconnects_total",
                                        "Invalidation bus outages")) {}
  static telemetry::Counter& Messages(telemetry::MetricsRegistry& registry, const char* dir) {
    return registry.GetCounter("fastbreak_cache_bus_messages_total", "Invalidation bus messages",
                               {{"direction", dir}});
  }
  static telemetry::Counter& Dropped(telemetry::MetricsRegistry& registry, const char* reason) {
    return registry.GetCounter("fastbreak_cache_bus_dropped_total",
                               "Invalidation bus messages received and not delivered",
                               {{"reason", reason}});
  }
  telemetry::Counter& published;
  telemetry::Counter& received;
  telemetry::Counter& ignored_own;
  telemetry::Counter& malformed;
  telemetry::Gauge& connected;
  telemetry::Counter& disconnects;
};

RedisBus::RedisBus(RedisClient& client, telemetry::MetricsRegistry& metrics)
    : client_(client),
      channel_(client.options().Namespace() + "invalidate"),
      instance_id_(MakeInstanceId()),
      metrics_(std::make_unique<Metrics>(metrics)),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  metrics_->connected.Set(0);
}

RedisBus::~RedisBus() {
  stopping_.store(true, std::memory_order_release);
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status RedisBus::Start(Handlers handlers) {
  if (thread_.joinable()) return MakeError(ErrorCode::kInvalidArgument, "bus already started");
  if (wake_fd_ < 0) return MakeError(ErrorCode::kIo, "bus: eventfd failed");
  handlers_ = std::move(handlers);
  thread_ = std::thread([this] { Run(); });
  const RedisOptions& options = client_.options();
  std::unique_lock lock(started_mutex_);
  started_cv_.wait_for(lock,
                       options.connect_timeout + 4 * options.command_timeout + milliseconds(500),
                       [this] { return first_attempt_done_; });
  return Ok();
}

Status RedisBus::Publish(const Invalidation& invalidation) {
  Invalidation stamped = invalidation;
  stamped.origin = instance_id_;
  const std::string payload = EncodeInvalidation(stamped);
  auto reply = client_.Command({"PUBLISH", channel_, payload});
  if (!reply) {
    return MakeError(ErrorCode::kConnection, "invalidation bus: {}", reply.error().message);
  }
  if (!reply->is_integer()) {
    return MakeError(ErrorCode::kConnection, "invalidation bus: PUBLISH answered {}", reply->str());
  }
  metrics_->published.Increment();
  return Ok();
}

RedisBusStats RedisBus::Stats() const {
  RedisBusStats stats;
  stats.connected = connected();
  stats.published = metrics_->published.Value();
  stats.received = metrics_->received.Value();
  stats.ignored_own = metrics_->ignored_own.Value();
  stats.malformed = metrics_->malformed.Value();
  stats.disconnects = metrics_->disconnects.Value();
  return stats;
}

void RedisBus::Run() {
  const RedisOptions& options = client_.options();
  milliseconds backoff = options.bus_reconnect_min;
  std::mt19937 random(std::random_device{}());
  auto first_attempt_done = [this] {
    {
      std::lock_guard lock(started_mutex_);
      first_attempt_done_ = true;
    }
    started_cv_.notify_all();
  };
  while (!stopping_.load(std::memory_order_acquire)) {
    auto subscribed = Subscribe();
    if (subscribed) {
      backoff = options.bus_reconnect_min;
      MarkUp();
      first_attempt_done();
      if (Pump(subscribed->get()) == PumpEnd::kStopped) return;
      MarkDown("subscription broken");
      continue;  // a restarted Redis may already be back: retry at once, then back off
    }
    MarkDown(subscribed.error().message);
    first_attempt_done();
    // Jitter: between half and all of the backoff, so instances do not reconnect in step.
    const auto jittered = milliseconds(
        std::uniform_int_distribution<int64_t>(backoff.count() / 2, backoff.count())(random));
    if (!Sleep(jittered)) return;
    backoff = std::min(backoff * 2, options.bus_reconnect_max);
  }
}

Result<detail::ContextPtr> RedisBus::Subscribe() {
  const RedisOptions& options = client_.options();
  FB_ASSIGN_OR_RETURN(
      detail::ContextPtr context,
      detail::Connect(client_.url(), options.connect_timeout, options.command_timeout));
  detail::SigpipeGuard guard;
  std::array<const char*, 2> argv = {"SUBSCRIBE", channel_.c_str()};
  const std::array<size_t, 2> lengths = {9, channel_.size()};
  void* raw = nullptr;
  if (redisAppendCommandArgv(context.get(), 2, argv.data(), lengths.data()) != REDIS_OK ||
      redisGetReply(context.get(), &raw) != REDIS_OK) {
    const int saved_errno = errno;
    return tl::unexpected<Error>(detail::TransportError(context.get(), saved_errno));
  }
  const RedisReply reply(static_cast<redisReply*>(raw));
  if (!reply.is_array() || reply.size() != 3 || reply[0].str() != "subscribe") {
    return MakeError(ErrorCode::kConnection, "bus: unexpected SUBSCRIBE reply {}", reply.str());
  }
  return context;
}

RedisBus::PumpEnd RedisBus::Pump(redisContext* context) {
  const RedisOptions& options = client_.options();
  auto last_traffic = steady_clock::now();
  auto ping_sent = last_traffic;
  bool ping_pending = false;
  while (true) {
    while (true) {  // hand out every complete reply already read
      void* raw = nullptr;
      if (redisGetReplyFromReader(context, &raw) != REDIS_OK) return PumpEnd::kBroken;
      if (raw == nullptr) break;
      const RedisReply reply(static_cast<redisReply*>(raw));
      last_traffic = steady_clock::now();
      ping_pending = false;
      HandleReply(reply);
    }
    if (stopping_.load(std::memory_order_acquire)) return PumpEnd::kStopped;
    const auto deadline = ping_pending ? ping_sent + options.bus_ping_timeout
                                       : last_traffic + options.bus_ping_interval;
    const auto wait = std::chrono::ceil<milliseconds>(deadline - steady_clock::now());
    std::array<pollfd, 2> fds = {pollfd{context->fd, POLLIN, 0}, pollfd{wake_fd_, POLLIN, 0}};
    const int ready =
        poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait.count(), 0)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return PumpEnd::kBroken;
    }
    if (fds[1].revents != 0) return PumpEnd::kStopped;
    if (fds[0].revents != 0) {
      if (redisBufferRead(context) != REDIS_OK) return PumpEnd::kBroken;
      continue;
    }
    if (steady_clock::now() < deadline) continue;
    if (ping_pending) {
      spdlog::warn("invalidation bus: no PING reply within {} ms",
                   options.bus_ping_timeout.count());
      return PumpEnd::kBroken;
    }
    detail::SigpipeGuard guard;
    if (redisAppendCommand(context, "PING") != REDIS_OK) return PumpEnd::kBroken;
    int done = 0;
    while (done == 0) {
      if (redisBufferWrite(context, &done) != REDIS_OK) return PumpEnd::kBroken;
    }
    ping_pending = true;
    ping_sent = steady_clock::now();
  }
}

void RedisBus::HandleReply(const RedisReplyView& reply) {
  if (!reply.is_array() || reply.size() != 3 || reply[0].str() != "message") return;  // pong
  auto invalidation = DecodeInvalidation(reply[2].str());
  if (!invalidation) {
    metrics_->malformed.Increment();
    return;
  }
  if (invalidation->origin == instance_id_) {
    metrics_->ignored_own.Increment();
    return;
  }
  metrics_->received.Increment();
  Invoke(handlers_.on_message, "on_message", *invalidation);
}

void RedisBus::MarkUp() {
  connected_.store(true, std::memory_order_release);
  metrics_->connected.Set(1);
  if (!in_outage_) return;
  in_outage_ = false;
  spdlog::info("invalidation bus: subscribed again to {}", channel_);
  Invoke(handlers_.on_reconnect, "on_reconnect");
}

void RedisBus::MarkDown(const std::string& why) {
  connected_.store(false, std::memory_order_release);
  metrics_->connected.Set(0);
  if (in_outage_) return;
  in_outage_ = true;
  metrics_->disconnects.Increment();
  spdlog::warn("invalidation bus down ({}); reconnecting", why);
  Invoke(handlers_.on_disconnect, "on_disconnect");
}

bool RedisBus::Sleep(milliseconds delay) {
  pollfd fd{wake_fd_, POLLIN, 0};
  const int ready = poll(&fd, 1, static_cast<int>(delay.count()));  // EINTR: a shorter sleep
  return ready <= 0 && !stopping_.load(std::memory_order_acquire);
}

}  // namespace fastbreak::cache
