// The REST mirror of the NBA tools: the same tools, arguments and structured results as MCP's
// tools/call, for apps that do not speak MCP.
//   GET  /api/tools          the tools with their input and output schemas
//   GET  /api/tools/{name}   runs a tool; arguments from the query string
//   POST /api/tools/{name}   runs a tool; arguments as a JSON object body
// A result is 200 with the tool's structured result; a failure is the usual error body
// {"error":{"code","message"}} with the status of its class (400 bad arguments, 404 unknown
// tool or name, 503 busy, 504 time limit).
//   GET  /api/mcp/performance/cache-stats   the cache's statistics and recommendations
// and the query intelligence tools (same arguments, same structured results):
//   GET  /api/mcp/performance/slow-queries        get_slow_queries (?limit=&min_ms=&tool=)
//   GET  /api/mcp/performance/top-queries         get_top_queries (?limit=&order_by=&tool=)
//   POST /api/mcp/performance/analyze             analyze_query ({"sql": ...})
//   POST /api/mcp/performance/recommend-indexes   recommend_indexes
#pragma once

#include <memory>

#include "http/router.hpp"
#include "nba/catalog.hpp"
#include "nba/executor.hpp"
#include "nba/tool_cache.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::http {

// Registers the routes, and GET /api/mcp/performance/cache-stats. With a cache, tool calls
// are answered from it (X-Cache: l1 | stale | l2 | computed), and a POST with an
// Idempotency-Key header replays its first response (Idempotent-Replayed: true) for the
// cache's idempotency TTL; the same key with another body is 422.
// REQUIRES: catalog, executor, metrics and tool_cache (nullptr = none) outlive the server.
void AddRestApiRoutes(Router& router, const nba::Catalog& catalog, nba::Executor& executor,
                      telemetry::MetricsRegistry& metrics, nba::ToolCache* tool_cache = nullptr);

// Query string to tool arguments: "a=1&b=x&c=true&p=1&p=2" -> {"a":1,"b":"x","c":true,
// "p":[1,2]}. Values are percent-decoded ('+' is a space); integers and true/false become JSON
// numbers and booleans, everything else a string. kInvalidArgument for bad percent escapes.
Result<nlohmann::json> QueryToArguments(std::string_view query);

}  // namespace fastbreak::http
