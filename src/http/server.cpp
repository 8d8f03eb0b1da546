#include "http/server.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "http/detail/asio.hpp"
#include "http/detail/listener.hpp"
#include "http/detail/server_state.hpp"
#include "http/detail/session.hpp"

namespace fastbreak::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Status ValidateOptions(const ServerOptions& options) {
  auto invalid = [](std::string_view what) {
    return MakeError(ErrorCode::kInvalidArgument, "http server option {}", what);
  };
  if (options.port < 0 || options.port > 65535) return invalid("port must be in [0, 65535]");
  if (options.io_threads < 0) return invalid("io_threads must be >= 0");
  if (options.body_limit_bytes == 0) return invalid("body_limit_bytes must be > 0");
  if (options.header_limit_bytes == 0) return invalid("header_limit_bytes must be > 0");
  if (options.request_timeout_ms <= 0) return invalid("request_timeout_ms must be > 0");
  if (options.keep_alive_timeout_ms <= 0) return invalid("keep_alive_timeout_ms must be > 0");
  if (options.max_connections == 0) return invalid("max_connections must be > 0");
  if (options.shutdown_grace_ms < 0) return invalid("shutdown_grace_ms must be >= 0");
  return Ok();
}

// "127.0.0.1:8080", "[::1]:8080".
std::string DisplayAddress(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<tcp::endpoint> ResolveEndpoint(net::io_context& io, const ServerOptions& options) {
  const auto port = static_cast<unsigned short>(options.port);
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(options.host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(io);
  const auto results =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return MakeError(ErrorCode::kConnection, "cannot listen on {}: cannot resolve host: {}",
                     DisplayAddress(options.host, options.port),
                     ec ? ec.message() : std::string("no addresses"));
  }
  return results.begin()->endpoint();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, Router router, telemetry::MetricsRegistry& registry, int thread_count)
      : state(
            std::make_unique<detail::ServerState>(std::move(options), std::move(router), registry)),
        io(thread_count) {}

  // Declaration order is destruction order in reverse: the io_context (and any session its
  // abandoned handlers still own) goes before the state those sessions reference.
  std::unique_ptr<detail::ServerState> state;
  net::io_context io;
  std::shared_ptr<detail::Listener> listener;
  std::vector<std::thread> threads;
  int port = 0;

  std::mutex stop_mutex;
  std::condition_variable stopped_cv;  // notified when stopped becomes true
  bool stop_started = false;           // guarded by stop_mutex
  bool stopped = false;                // guarded by stop_mutex
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) Stop();
}

int Server::port() const { return impl_->port; }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Router router,
                                              telemetry::MetricsRegistry& metrics) {
  FB_RETURN_IF_ERROR(ValidateOptions(options));
  const int threads = options.io_threads > 0
                          ? options.io_threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router), metrics, threads);
  const ServerOptions& opts = impl->state->options;

  FB_ASSIGN_OR_RETURN(const tcp::endpoint endpoint, ResolveEndpoint(impl->io, opts));
  FB_ASSIGN_OR_RETURN(impl->listener,
                      detail::Listener::Open(impl->io, endpoint,
                                             DisplayAddress(opts.host, opts.port), *impl->state));
  impl->port = impl->listener->port();
  impl->listener->Start();

  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([io = &impl->io] {
      // Handlers catch their own exceptions; this keeps an unexpected one (bad_alloc inside
      // Beast, say) from taking the process down.
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("http: I/O thread caught: {}", e.what());
        } catch (...) {
          spdlog::error("http: I/O thread caught a non-exception");
        }
      }
    });
  }
  spdlog::info("http: listening on {} ({} I/O threads)", DisplayAddress(opts.host, impl->port),
               threads);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Stop() {
  Impl& impl = *impl_;
  {
    std::unique_lock lock(impl.stop_mutex);
    if (impl.stop_started) {
      impl.stopped_cv.wait(lock, [&impl] { return impl.stopped; });
      return;
    }
    impl.stop_started = true;
  }

  impl.listener->Stop();
  for (const auto& session : impl.state->connections.Close()) session->Shutdown();
  const auto grace = std::chrono::milliseconds(impl.state->options.shutdown_grace_ms);
  if (!impl.state->connections.WaitEmpty(grace)) {
    spdlog::warn("http: connections still open after the {} ms shutdown grace; abandoning them",
                 grace.count());
  }
  // Whatever remains (the listener's aborted accept, abandoned sessions) is dropped here and
  // destroyed with the io_context.
  impl.io.stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
  // No strand runs any more: detach the abandoned sessions from their writers (which then
  // refuse everything and never post to the io_context) and run their OnClose callbacks.
  for (const auto& session : impl.state->connections.Close()) session->Abandon();
  impl.listener.reset();
  spdlog::info("http: stopped");

  {
    std::lock_guard lock(impl.stop_mutex);
    impl.stopped = true;
  }
  impl.stopped_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock lock(impl_->stop_mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped; });
}

}  // namespace fastbreak::http
