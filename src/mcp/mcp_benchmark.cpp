// The tools/call path in process: McpServer::HandleParsed on a parsed request, the executor
// hop to a worker, the tool's queries on the generated league (one season with play-by-play),
// rendering, serialization, and the Outbound's Finish. One call at a time, so the time per
// iteration is one call's latency without any transport; ping is the floor (dispatch and
// serialization, answered without the executor). The *Cached variants ask a second server,
// with the tool cache, the same question: after the first call they are L1 hits (key, lookup,
// the cached bytes spliced into the response, on the calling thread).
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cache/layered_cache.hpp"
#include "core/clock.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "mcp/server.hpp"
#include "nba/catalog.hpp"
#include "nba/executor.hpp"
#include "nba/nba_test_util.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::mcp {
namespace {

// Keeps the response and signals Finish with an atomic flag the caller waits on (no lock on the
// measured path).
class SignalOutbound final : public Outbound {
 public:
  void Notify(std::string /*message*/) override {}
  void Finish(std::optional<std::string> response) override {
    response_ = std::move(response);
    done_.store(true, std::memory_order_release);
    done_.notify_one();
  }
  // Blocks until Finish ran; returns the response (nullopt when none was due).
  const std::optional<std::string>& Wait() {
    done_.wait(false, std::memory_order_acquire);
    return response_;
  }

 private:
  std::atomic<bool> done_{false};
  std::optional<std::string> response_;
};

Json Request(int id, std::string method, Json params) {
  return {
      {"jsonrpc", "2.0"}, {"id", id}, {"method", std::move(method)}, {"params", std::move(params)}};
}

// The reason a response is not a success, or empty when it is one.
std::string Failure(const std::optional<std::string>& response) {
  if (!response) return "no response";
  const Json parsed = Json::parse(*response, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return "response is not JSON";
  if (parsed.contains("error") || parsed.value("/result/isError"_json_pointer, false)) {
    return response->substr(0, 300);
  }
  return "";
}

// One server on the generated league, shared by every benchmark; built on first use.
class Bench {
 public:
  static Bench& Get() {
    static Bench* bench = new Bench();  // lives until exit, like the league it reads
    return *bench;
  }

  // Handles `message` (on the server with the cache when `cached`) and waits for its answer.
  std::optional<std::string> Call(const Json& message, bool cached = false) {
    auto out = std::make_shared<SignalOutbound>();
    (cached ? cached_server_ : server_)
        ->HandleParsed(cached ? cached_session_ : session_, message, out);
    return out->Wait();
  }

  int64_t player_id() const { return player_id_; }
  const std::string& player_name() const { return player_name_; }
  const std::string& game_id() const { return game_id_; }

 private:
  Bench() {
    db::SqliteOptions sqlite;
    sqlite.path = nba::testing::GeneratedLeaguePath();
    auto database = db::SqliteDatabase::Open(sqlite);
    if (!database) throw std::runtime_error(database.error().ToString());
    database_ = std::move(*database);
    nba::ExecutorOptions executor;
    executor.workers = 2;
    executor_ = std::make_unique<nba::Executor>(*database_, executor, registry_);
    server_ = std::make_unique<McpServer>(nba::NbaCatalog(), *executor_, McpOptions{}, registry_);
    session_ = std::make_shared<Session>("bench", "stdio");
    cache_ = std::make_unique<cache::LayeredCache>(
        cache::LayeredOptions{}, nba::ToolCache::GroupNames(nba::NbaCatalog()), nullptr, nullptr,
        registry_, SystemClock::Instance());
    tool_cache_ =
        std::make_unique<nba::ToolCache>(nba::NbaCatalog(), *cache_, nba::ToolCacheOptions{});
    cached_server_ = std::make_unique<McpServer>(nba::NbaCatalog(), *executor_, McpOptions{},
                                                 registry_, tool_cache_.get());
    cached_session_ = std::make_shared<Session>("bench-cached", "stdio");

    // The league's top scorer and his first game: real ids the tools resolve.
    auto connection = nba::testing::OpenGeneratedLeague();
    auto top = connection->Query(
        "SELECT s.player_id, p.full_name, MIN(s.game_id) FROM player_game_stats s "
        "JOIN players p USING (player_id) GROUP BY s.player_id ORDER BY SUM(s.pts) DESC LIMIT 1");
    if (!top || top->rows.empty()) throw std::runtime_error("no player in the generated league");
    player_id_ = std::get<int64_t>(top->rows[0][0]);
    player_name_ = std::get<std::string>(top->rows[0][1]);
    game_id_ = std::get<std::string>(top->rows[0][2]);

    const std::string failure =
        Failure(Call(Request(0, "initialize",
                             {{"protocolVersion", "2025-06-18"},
                              {"capabilities", Json::object()},
                              {"clientInfo", {{"name", "bench"}, {"version", "1"}}}})));
    if (!failure.empty()) throw std::runtime_error("initialize failed: " + failure);
    (void)Call(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    (void)Call(Request(0, "initialize",
                       {{"protocolVersion", "2025-06-18"},
                        {"capabilities", Json::object()},
                        {"clientInfo", {{"name", "bench"}, {"version", "1"}}}}),
               true);
    (void)Call(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, true);
  }

  telemetry::MetricsRegistry registry_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<nba::Executor> executor_;
  std::unique_ptr<McpServer> server_;
  std::shared_ptr<Session> session_;
  std::unique_ptr<cache::LayeredCache> cache_;
  std::unique_ptr<nba::ToolCache> tool_cache_;
  std::unique_ptr<McpServer> cached_server_;
  std::shared_ptr<Session> cached_session_;
  int64_t player_id_ = 0;
  std::string player_name_;
  std::string game_id_;
};

// Checks the answer once, then measures calls one after another.
void RunCall(benchmark::State& state, const Json& message, bool cached = false) {
  Bench& bench = Bench::Get();
  const auto first = bench.Call(message, cached);
  if (const std::string failure = Failure(first); !failure.empty()) {
    state.SkipWithError(failure.c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(bench.Call(message, cached));
  state.counters["response_bytes"] = static_cast<double>(first->size());
}

Json ToolCall(std::string name, Json arguments) {
  return Request(1, "tools/call", {{"name", std::move(name)}, {"arguments", std::move(arguments)}});
}

void BM_Ping(benchmark::State& state) { RunCall(state, Request(1, "ping", Json::object())); }
BENCHMARK(BM_Ping)->UseRealTime();

void BM_RunSqlSelect1(benchmark::State& state) {
  RunCall(state, ToolCall("run_sql", {{"sql", "SELECT 1"}}));
}
BENCHMARK(BM_RunSqlSelect1)->UseRealTime();

void BM_RunSqlPlayerGames(benchmark::State& state) {
  // The query scripts/bench-mcp.sh sends to both stdio servers: an index range on one player.
  const std::string sql =
      "SELECT game_id, pts, reb, ast, fgm, fga FROM player_game_stats WHERE player_id = " +
      std::to_string(Bench::Get().player_id()) + " ORDER BY game_id DESC LIMIT 10";
  RunCall(state, ToolCall("run_sql", {{"sql", sql}}));
}
BENCHMARK(BM_RunSqlPlayerGames)->UseRealTime();

void BM_SearchPlayers(benchmark::State& state) {
  const std::string& name = Bench::Get().player_name();
  RunCall(state, ToolCall("search_players", {{"query", name.substr(name.rfind(' ') + 1)}}));
}
BENCHMARK(BM_SearchPlayers)->UseRealTime();

void BM_PlayerSeasonStats(benchmark::State& state) {
  RunCall(state, ToolCall("player_season_stats", {{"player", Bench::Get().player_id()}}));
}
BENCHMARK(BM_PlayerSeasonStats)->UseRealTime();

void BM_Standings(benchmark::State& state) {
  RunCall(state, ToolCall("standings", Json::object()));
}
BENCHMARK(BM_Standings)->UseRealTime();

void BM_BoxScore(benchmark::State& state) {
  RunCall(state, ToolCall("box_score", {{"game_id", Bench::Get().game_id()}}));
}
BENCHMARK(BM_BoxScore)->UseRealTime();

void BM_PlayerSeasonStatsCached(benchmark::State& state) {
  RunCall(state, ToolCall("player_season_stats", {{"player", Bench::Get().player_id()}}), true);
}
BENCHMARK(BM_PlayerSeasonStatsCached)->UseRealTime();

void BM_StandingsCached(benchmark::State& state) {
  RunCall(state, ToolCall("standings", Json::object()), true);
}
BENCHMARK(BM_StandingsCached)->UseRealTime();

void BM_BoxScoreCached(benchmark::State& state) {
  RunCall(state, ToolCall("box_score", {{"game_id", Bench::Get().game_id()}}), true);
}
BENCHMARK(BM_BoxScoreCached)->UseRealTime();

}  // namespace
}  // namespace fastbreak::mcp
