#include <signal.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/health_monitor.hpp"
#include "app/service.hpp"
#include "http/health.hpp"
#include "http/rest_api.hpp"
#include "http/server.hpp"
#include "mcp/http_transport.hpp"
#include "nba/catalog.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::app {
namespace {

// The database answers a query, through the same pools as the tool calls (so a restarted
// server or a replaced connection shows here as it does for them). A pool that is only busy is
// not a failure: the database is up, the calls are waiting. Runs on the health monitor's thread.
Status ProbeDatabase(db::DatabaseRouter& router) {
  auto connection =
      router.Acquire(db::Route::kReadYourWrites,
                     std::chrono::steady_clock::now() + std::chrono::seconds(1), "health check");
  if (!connection) {
    return connection.error().code == ErrorCode::kBusy ? Ok()
                                                       : Status(tl::unexpected(connection.error()));
  }
  FB_ASSIGN_OR_RETURN(auto version,
                      (*connection)->QueryScalar("SELECT max(version) FROM schema_migrations"));
  (void)version;
  return Ok();
}

}  // namespace

int RunServe(const AppOptions& options) {
  auto started = StartService(options);
  if (!started) {
    spdlog::error("{}", started.error().message);
    return kExitFailure;
  }
  Service& service = **started;
  telemetry::MetricsRegistry& registry = service.registry;
  db::DatabaseRouter* database_router = service.router.get();
  HealthMonitor health([database_router] { return ProbeDatabase(*database_router); },
                       std::chrono::seconds(1));

  mcp::HttpTransportOptions transport_options;
  transport_options.allowed_origins = options.mcp.allowed_origins;
  transport_options.session_idle_timeout =
      std::chrono::milliseconds(options.mcp.session_idle_timeout_ms);
  transport_options.max_sessions = options.mcp.max_sessions;
  mcp::HttpTransport transport(*service.mcp, transport_options, registry);

  http::Router router;
  http::AddHealthAndMetricsRoutes(router, registry, [&health] { return health.Current(); });
  transport.AddRoutes(router);
  http::AddRestApiRoutes(router, nba::NbaCatalog(), *service.executor, registry,
                         service.tool_cache.get());

  // Signals are taken by sigwait on this thread; block them before the I/O threads start so
  // that they inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = http::Server::Start(options.server, std::move(router), registry);
  if (!server) {
    spdlog::error("{}", server.error().message);
    return kExitFailure;
  }
  spdlog::info("fastbreak serving http://{}:{} ({}); Ctrl-C stops", options.server.host,
               (*server)->port(), DatabaseDescription(options));
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Stop();
  service.SaveHotKeys();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace fastbreak::app
