#include "cache/redis_client.hpp"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <ctime>
#include <utility>

#include "telemetry/metrics.hpp"

namespace fastbreak::cache {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

timeval ToTimeval(milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

Result<int> ParseInt(std::string_view text, int min, int max, std::string_view what,
                     std::string_view url) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return MakeError(ErrorCode::kInvalidArgument, "redis URL '{}': {} '{}' is not in [{}, {}]", url,
                     what, text, min, max);
  }
  return value;
}

// Sends the commands of `commands`, then reads their replies. Any transport error is returned
// (the caller drops the connection). The pipeline gives up once `timeout` has passed.
Result<std::vector<RedisReply>> RunPipeline(redisContext* context,
                                            std::span<const RedisArgs> commands,
                                            milliseconds timeout) {
  detail::SigpipeGuard guard;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const RedisArgs& command : commands) {
    argv.clear();
    lengths.clear();
    for (std::string_view arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      return MakeError(ErrorCode::kConnection, "redis: cannot queue a command: {}",
                       context->errstr);
    }
  }
  const auto deadline = steady_clock::now() + timeout;
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(context, &reply) != REDIS_OK) {
      const int saved_errno = errno;
      return tl::unexpected<Error>(detail::TransportError(context, saved_errno));
    }
    replies.emplace_back(static_cast<redisReply*>(reply));
    if (i + 1 < commands.size() && steady_clock::now() > deadline) {
      return MakeError(ErrorCode::kTimeout, "redis pipeline of {} commands took over {} ms",
                       commands.size(), timeout.count());
    }
  }
  return replies;
}

bool IsNoScript(const RedisReply& reply) {
  return reply.is_error() && reply.str().starts_with("NOSCRIPT");
}

}  // namespace

// ---- URL and options ----------------------------------------------------------------------

Result<RedisUrl> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) {
    if (url.starts_with("rediss://")) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "redis URL '{}': TLS (rediss://) is not "
                       "supported",
                       url);
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     "redis URL '{}': expected redis://HOST[:PORT][/DB]", url);
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "redis URL '{}': query strings and fragments are not supported", url);
  }
  if (rest.find('@') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "redis URL '{}': credentials in the URL are not supported", url);
  }
  RedisUrl parsed;
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path =
      authority.size() < rest.size() ? rest.substr(authority.size() + 1) : std::string_view();
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "redis URL '{}': unclosed '[' in the host",
                       url);
    }
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return MakeError(ErrorCode::kInvalidArgument, "redis URL '{}': junk after the host", url);
    }
    if (!after.empty()) port = after.substr(1);
    if (after == ":") port = ":";  // an empty port is an error below
  } else {
    const size_t colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) port = ":";
    }
  }
  if (parsed.host.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "redis URL '{}': no host", url);
  }
  if (!port.empty()) {
    FB_ASSIGN_OR_RETURN(parsed.port, ParseInt(port == ":" ? "" : port, 1, 65535, "port", url));
  }
  if (!path.empty()) {
    FB_ASSIGN_OR_RETURN(parsed.db, ParseInt(path, 0, 100000, "database number", url));
  }
  return parsed;
}

std::string RedisOptions::Namespace() const {
  return fmt::format("{}:v{}:", key_prefix, schema_version);
}

Status RedisOptions::Validate() const {
  FB_RETURN_IF_ERROR(ParseRedisUrl(url));
  auto bad = [](std::string_view what) {
    return MakeError(ErrorCode::kInvalidArgument, "redis options: {}", what);
  };
  if (pool_size < 1 || pool_size > 1024) return bad("pool_size must be in [1, 1024]");
  if (connect_timeout.count() < 1 || command_timeout.count() < 1) {
    return bad("connect_timeout and command_timeout must be at least 1 ms");
  }
  if (acquire_timeout.count() < 0) return bad("acquire_timeout must not be negative");
  if (failure_threshold < 1) return bad("failure_threshold must be at least 1");
  if (probe_interval.count() < 1) return bad("probe_interval must be at least 1 ms");
  if (key_prefix.empty()) return bad("key_prefix must not be empty");
  if (schema_version < 0) return bad("schema_version must not be negative");
  if (max_value_bytes < 1 || max_value_bytes > (512u << 20)) {
    return bad("max_value_bytes must be in [1, 512 MiB]");
  }
  if (scan_count < 1) return bad("scan_count must be at least 1");
  if (max_tags_per_entry < 1 || max_tags_per_entry > 1000) {
    return bad("max_tags_per_entry must be in [1, 1000]");
  }
  if (bus_ping_interval.count() < 1 || bus_ping_timeout.count() < 1) {
    return bad("bus_ping_interval and bus_ping_timeout must be at least 1 ms");
  }
  if (bus_reconnect_min.count() < 1 || bus_reconnect_max < bus_reconnect_min) {
    return bad("bus_reconnect_min must be >= 1 ms and <= bus_reconnect_max");
  }
  return Ok();
}

// ---- replies and scripts ------------------------------------------------------------------

bool RedisReplyView::is_nil() const { return reply_->type == REDIS_REPLY_NIL; }
bool RedisReplyView::is_error() const { return reply_->type == REDIS_REPLY_ERROR; }
bool RedisReplyView::is_string() const { return reply_->type == REDIS_REPLY_STRING; }
bool RedisReplyView::is_status() const { return reply_->type == REDIS_REPLY_STATUS; }
bool RedisReplyView::is_integer() const { return reply_->type == REDIS_REPLY_INTEGER; }
bool RedisReplyView::is_array() const { return reply_->type == REDIS_REPLY_ARRAY; }

std::string_view RedisReplyView::str() const {
  if (is_string() || is_status() || is_error()) return {reply_->str, reply_->len};
  return {};
}

long long RedisReplyView::integer() const { return is_integer() ? reply_->integer : 0; }
size_t RedisReplyView::size() const { return is_array() ? reply_->elements : 0; }
RedisReplyView RedisReplyView::operator[](size_t i) const {
  return RedisReplyView(reply_->element[i]);
}

RedisReply::~RedisReply() {
  if (reply_ != nullptr) freeReplyObject(const_cast<redisReply*>(reply_));
}

RedisReply& RedisReply::operator=(RedisReply&& other) noexcept {
  if (this != &other) {
    if (reply_ != nullptr) freeReplyObject(const_cast<redisReply*>(reply_));
    reply_ = std::exchange(other.reply_, nullptr);
  }
  return *this;
}

RedisScript::RedisScript(std::string body)
    : body_(std::move(body)), sha1_(detail::Sha1Hex(body_)) {}

// ---- detail -------------------------------------------------------------------------------

namespace detail {

void ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

Error TransportError(const redisContext* context, int saved_errno) {
  if (context->err == REDIS_ERR_IO &&
      (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT)) {
    return Error{ErrorCode::kTimeout, "redis: command timed out"};
  }
  return Error{ErrorCode::kConnection, fmt::format("redis: {}", context->errstr)};
}

Result<ContextPtr> Connect(const RedisUrl& url, milliseconds connect_timeout,
                           milliseconds command_timeout) {
  errno = 0;
  ContextPtr context(
      redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(connect_timeout)));
  const int saved_errno = errno;
  if (context == nullptr) {
    return MakeError(ErrorCode::kConnection, "redis {}:{}: cannot allocate a context", url.host,
                     url.port);
  }
  if (context->err != 0) {
    const bool timed_out = context->err == REDIS_ERR_IO && saved_errno == ETIMEDOUT;
    return MakeError(timed_out ? ErrorCode::kTimeout : ErrorCode::kConnection,
                     "redis {}:{}: connect: {}", url.host, url.port, context->errstr);
  }
  if (redisSetTimeout(context.get(), ToTimeval(command_timeout)) != REDIS_OK) {
    return MakeError(ErrorCode::kConnection, "redis {}:{}: cannot set the timeout: {}", url.host,
                     url.port, context->errstr);
  }
  redisEnableKeepAlive(context.get());
  if (url.db != 0) {
    const std::string db = std::to_string(url.db);
    const RedisArgs select = {"SELECT", db};
    FB_ASSIGN_OR_RETURN(auto replies,
                        RunPipeline(context.get(), std::span(&select, 1), command_timeout));
    if (!replies[0].is_status()) {
      return MakeError(ErrorCode::kConnection, "redis {}:{}: SELECT {} failed: {}", url.host,
                       url.port, url.db, replies[0].str());
    }
  }
  return context;
}

SigpipeGuard::SigpipeGuard() {
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t old_set;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  was_blocked_ = sigismember(&old_set, SIGPIPE) == 1;
}

SigpipeGuard::~SigpipeGuard() {
  if (was_blocked_) return;
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
    const timespec zero{};
    while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
    }
  }
  pthread_sigmask(SIG_UNBLOCK, &pipe_set, nullptr);
}

std::string Sha1Hex(std::string_view data) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  std::string hex;
  hex.reserve(2 * digest.size());
  for (const unsigned char byte : digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

}  // namespace detail

// ---- the client ---------------------------------------------------------------------------

struct RedisClient::Metrics {
  explicit Metrics(telemetry::MetricsRegistry& registry)
      : breaker_state(registry.GetGauge("fastbreak_cache_l2_breaker_state",
                                        "Redis circuit breaker: 0 closed, 1 open, 2 half-open")),
        breaker_opened(registry.GetCounter("fastbreak_cache_l2_breaker_opened_total",
                                           "Times the Redis circuit breaker opened")),
        connects(Connections(registry, "connect")),
        connect_failures(Connections(registry, "connect_error")),
        stale_replaced(Connections(registry, "stale_replaced")),
        pool_exhausted(registry.GetCounter("fastbreak_cache_l2_pool_exhausted_total",
                                           "Redis calls skipped: no pooled connection in time")),
        failures(registry.GetCounter("fastbreak_cache_l2_failures_total",
                                     "Redis calls that failed (connection error or timeout)")) {}

  static telemetry::Counter& Connections(telemetry::MetricsRegistry& registry, const char* event) {
    return registry.GetCounter("fastbreak_cache_l2_connections_total",
                               "Redis connection events of the L2 pool", {{"event", event}});
  }

  telemetry::Gauge& breaker_state;
  telemetry::Counter& breaker_opened;
  telemetry::Counter& connects;
  telemetry::Counter& connect_failures;
  telemetry::Counter& stale_replaced;
  telemetry::Counter& pool_exhausted;
  telemetry::Counter& failures;
};

Result<std::unique_ptr<RedisClient>> RedisClient::Create(RedisOptions options,
                                                         telemetry::MetricsRegistry& metrics) {
  FB_RETURN_IF_ERROR(options.Validate());
  FB_ASSIGN_OR_RETURN(RedisUrl url, ParseRedisUrl(options.url));
  std::unique_ptr<RedisClient> client(new RedisClient(std::move(options), std::move(url), metrics));
  if (!client->Probe()) {
    spdlog::warn("redis {}:{} unreachable at start; L2 cache disabled until it answers",
                 client->url_.host, client->url_.port);
    client->SetState(kOpenState);
  }
  client->probe_thread_ =
      std::jthread([c = client.get()](const std::stop_token& stop) { c->ProbeLoop(stop); });
  return client;
}

RedisClient::RedisClient(RedisOptions options, RedisUrl url, telemetry::MetricsRegistry& metrics)
    : options_(std::move(options)),
      url_(std::move(url)),
      metrics_(std::make_unique<Metrics>(metrics)),
      slots_(static_cast<size_t>(options_.pool_size)) {
  metrics_->breaker_state.Set(0);
}

RedisClient::~RedisClient() {
  probe_thread_.request_stop();
  probe_cv_.notify_all();
  if (probe_thread_.joinable()) probe_thread_.join();
}

Result<std::vector<RedisReply>> RedisClient::Pipeline(std::span<const RedisArgs> commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  const milliseconds timeout = options_.command_timeout;
  return Execute([&](redisContext* context) { return RunPipeline(context, commands, timeout); });
}

Result<RedisReply> RedisClient::Command(const RedisArgs& args) {
  FB_ASSIGN_OR_RETURN(auto replies, Pipeline(std::span(&args, 1)));
  return std::move(replies[0]);
}

Result<std::vector<RedisReply>> RedisClient::Eval(std::span<const RedisScriptCall> calls) {
  if (calls.empty()) return std::vector<RedisReply>();
  // Argument lists of EVALSHA (by_sha) and of EVAL (by_body); numkeys strings kept alive.
  std::vector<std::string> key_counts;
  key_counts.reserve(calls.size());
  std::vector<RedisArgs> by_sha;
  by_sha.reserve(calls.size());
  for (const RedisScriptCall& call : calls) {
    key_counts.push_back(std::to_string(call.keys.size()));
    RedisArgs args = {"EVALSHA", call.script->sha1(), key_counts.back()};
    args.insert(args.end(), call.keys.begin(), call.keys.end());
    args.insert(args.end(), call.args.begin(), call.args.end());
    by_sha.push_back(std::move(args));
  }
  const milliseconds timeout = options_.command_timeout;
  return Execute([&](redisContext* context) -> Result<std::vector<RedisReply>> {
    FB_ASSIGN_OR_RETURN(auto replies, RunPipeline(context, by_sha, timeout));
    std::vector<size_t> missing;
    for (size_t i = 0; i < replies.size(); ++i) {
      if (IsNoScript(replies[i])) missing.push_back(i);
    }
    if (missing.empty()) return replies;
    std::vector<RedisArgs> by_body;
    for (size_t i : missing) {
      RedisArgs args = by_sha[i];
      args[0] = "EVAL";
      args[1] = calls[i].script->body();
      by_body.push_back(std::move(args));
    }
    FB_ASSIGN_OR_RETURN(auto retried, RunPipeline(context, by_body, timeout));
    for (size_t j = 0; j < missing.size(); ++j) replies[missing[j]] = std::move(retried[j]);
    return replies;
  });
}

Result<std::vector<RedisReply>> RedisClient::Execute(
    const std::function<Result<std::vector<RedisReply>>(redisContext*)>& run) {
  if (!available()) return MakeError(ErrorCode::kBusy, "redis: circuit breaker open");
  const int index = Acquire();
  if (index < 0) {
    metrics_->pool_exhausted.Increment();
    return MakeError(ErrorCode::kBusy, "redis: no pooled connection free within {} ms",
                     options_.acquire_timeout.count());
  }
  Slot& slot = slots_[static_cast<size_t>(index)];  // ours until Release
  struct Releaser {
    RedisClient* client;
    int index;
    ~Releaser() { client->Release(index); }
  } releaser{this, index};

  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (slot.context == nullptr || slot.generation != generation) {
      slot.context.reset();
      auto connected = detail::Connect(url_, options_.connect_timeout, options_.command_timeout);
      if (!connected) {
        metrics_->connect_failures.Increment();
        RecordFailure();
        return tl::unexpected<Error>(std::move(connected).error());
      }
      metrics_->connects.Increment();
      slot.context = std::move(*connected);
      slot.generation = generation;
      fresh = true;
    }
    auto result = run(slot.context.get());
    if (result) {
      RecordSuccess();
      return result;
    }
    slot.context.reset();  // its state is unknown after a transport error
    if (result.error().code == ErrorCode::kConnection && !fresh && attempt == 0) {
      metrics_->stale_replaced.Increment();  // e.g. Redis restarted: retry on a new connection
      continue;
    }
    RecordFailure();
    return result;
  }
}

int RedisClient::Acquire() {
  std::unique_lock lock(pool_mutex_);
  const auto deadline = steady_clock::now() + options_.acquire_timeout;
  while (true) {
    // Prefer a slot with a live connection, so idle slots do not each open one.
    int free_slot = -1;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].busy) continue;
      if (slots_[i].context != nullptr) {
        free_slot = static_cast<int>(i);
        break;
      }
      if (free_slot < 0) free_slot = static_cast<int>(i);
    }
    if (free_slot >= 0) {
      slots_[static_cast<size_t>(free_slot)].busy = true;
      return free_slot;
    }
    if (pool_cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
        steady_clock::now() >= deadline) {
      // One last look: a slot may have been released right at the deadline.
      for (size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i].busy) {
          slots_[i].busy = true;
          return static_cast<int>(i);
        }
      }
      return -1;
    }
  }
}

void RedisClient::Release(int slot) {
  {
    std::lock_guard lock(pool_mutex_);
    slots_[static_cast<size_t>(slot)].busy = false;
  }
  pool_cv_.notify_one();
}

void RedisClient::RecordSuccess() {
  if (consecutive_failures_.load(std::memory_order_relaxed) != 0) {
    consecutive_failures_.store(0, std::memory_order_relaxed);
  }
}

void RedisClient::RecordFailure() {
  metrics_->failures.Increment();
  if (consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1 <
      options_.failure_threshold) {
    return;
  }
  int expected = kClosedState;
  if (state_.compare_exchange_strong(expected, kOpenState, std::memory_order_acq_rel)) {
    generation_.fetch_add(1, std::memory_order_acq_rel);
    metrics_->breaker_opened.Increment();
    metrics_->breaker_state.Set(kOpenState);
    spdlog::warn("redis {}:{}: circuit breaker open after {} consecutive failures", url_.host,
                 url_.port, options_.failure_threshold);
  }
}

void RedisClient::SetState(int state) {
  // Only closed -> open counts as an opening (half-open -> open is a failed probe).
  if (state_.exchange(state, std::memory_order_acq_rel) == kClosedState && state == kOpenState) {
    metrics_->breaker_opened.Increment();
  }
  metrics_->breaker_state.Set(state);
}

RedisClient::BreakerState RedisClient::breaker_state() const {
  return static_cast<BreakerState>(state_.load(std::memory_order_acquire));
}

bool RedisClient::Probe() {
  auto connected = detail::Connect(url_, options_.connect_timeout, options_.command_timeout);
  if (!connected) {
    metrics_->connect_failures.Increment();
    return false;
  }
  metrics_->connects.Increment();
  const RedisArgs ping = {"PING"};
  auto replies = RunPipeline(connected->get(), std::span(&ping, 1), options_.command_timeout);
  return replies && replies->front().is_status() && replies->front().str() == "PONG";
}

void RedisClient::ProbeLoop(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(probe_mutex_);
      probe_cv_.wait_for(lock, stop, options_.probe_interval, [] { return false; });
    }
    if (stop.stop_requested()) return;
    if (state_.load(std::memory_order_acquire) == kClosedState) continue;
    SetState(kHalfOpenState);
    if (!Probe()) {
      SetState(kOpenState);
      continue;
    }
    generation_.fetch_add(1, std::memory_order_acq_rel);  // drop connections from before
    consecutive_failures_.store(0, std::memory_order_relaxed);
    SetState(kClosedState);
    spdlog::info("redis {}:{}: answering again, circuit breaker closed", url_.host, url_.port);
    std::lock_guard lock(listeners_mutex_);
    for (auto& [id, listener] : listeners_) listener();
  }
}

uint64_t RedisClient::AddRecoveryListener(std::function<void()> listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.emplace_back(next_listener_id_, std::move(listener));
  return next_listener_id_++;
}

void RedisClient::RemoveRecoveryListener(uint64_t id) {
  std::lock_guard lock(listeners_mutex_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

RedisClientStats RedisClient::Stats() const {
  RedisClientStats stats;
  stats.breaker_state = breaker_state();
  stats.breaker_opened = metrics_->breaker_opened.Value();
  stats.connects = metrics_->connects.Value();
  stats.connect_failures = metrics_->connect_failures.Value();
  stats.stale_replaced = metrics_->stale_replaced.Value();
  stats.pool_exhausted = metrics_->pool_exhausted.Value();
  stats.failures = metrics_->failures.Value();
  return stats;
}

}  // namespace fastbreak::cache
