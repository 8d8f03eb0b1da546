#include "http/rest_api.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "nba/json_parse.hpp"
#include "nba/tool_metrics.hpp"
#include "nba/tool_result.hpp"

namespace fastbreak::http {
namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
constexpr std::string_view kToolsPrefix = "/api/tools/";

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      unsigned value = 0;
      if (i + 2 >= text.size()) {
        return MakeError(ErrorCode::kInvalidArgument, "bad percent escape in query string");
      }
      const auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec != std::errc() || ptr != text.data() + i + 3) {
        return MakeError(ErrorCode::kInvalidArgument, "bad percent escape in query string");
      }
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Json TypedValue(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  int64_t number = 0;
  const char* end = text.data() + text.size();
  if (!text.empty() && std::from_chars(text.data(), end, number).ptr == end) return number;
  return text;
}

Json ToolListing(const nba::Catalog& catalog) {
  Json tools = Json::array();
  for (const auto& tool : catalog.tools) {
    tools.push_back({{"name", tool.name},
                     {"title", tool.title},
                     {"description", tool.description},
                     {"inputSchema", tool.input_schema},
                     {"outputSchema", tool.output_schema},
                     {"annotations",
                      {{"readOnlyHint", tool.annotations.read_only},
                       {"openWorldHint", tool.annotations.open_world}}}});
  }
  return {{"tools", std::move(tools)}};
}

struct RestContext {
  const nba::Catalog& catalog;
  nba::Executor& executor;
  nba::ToolMetrics metrics;
  nba::ToolCache* cache;  // nullptr: no cache
  std::string listing;    // GET /api/tools, serialized once
};

constexpr size_t kMaxIdempotencyKey = 255;
constexpr std::string_view kIdempotencyPrefix = "idem/";

// A tool's answer (a serialized CallToolResult) as a REST response: its structured part, or
// the error with the status of its class. X-Cache says where it came from.
Response ToolResponse(const Result<cache::Served>& served) {
  if (!served) return ErrorResponse(served.error());
  const std::string_view value = served->entry->value();
  const std::string_view structured = nba::StructuredPart(value);
  Response response = structured.empty() ? ErrorResponse(nba::ToolErrorOf(value)) : Response{};
  if (!structured.empty()) response.body.assign(structured);
  response.headers.emplace_back("X-Cache", std::string(cache::LevelName(served->level)));
  return response;
}

nba::Outcome OutcomeOf(const Response& response) {
  if (response.status == 200) return nba::Outcome::kOk;
  return response.status == 504 ? nba::Outcome::kTimeout : nba::Outcome::kError;
}

// A REST response as stored for Idempotency-Key replays: "<status>\n<request hash>\n<body>".
std::string EncodeReplay(const Response& response, std::string_view request_hash) {
  return fmt::format("{}\n{}\n{}", response.status, request_hash, response.body);
}

Response DecodeReplay(std::string_view stored, std::string_view request_hash) {
  const size_t first = stored.find('\n');
  const size_t second = first == std::string_view::npos ? first : stored.find('\n', first + 1);
  if (second == std::string_view::npos) {
    return ErrorResponse(ErrorCode::kInternal, "a stored idempotent response is corrupt");
  }
  if (stored.substr(first + 1, second - first - 1) != request_hash) {
    Response conflict = ErrorResponse(
        ErrorCode::kInvalidArgument,
        "this Idempotency-Key was used with a different request; use a new key for a new "
        "request");
    conflict.status = 422;
    return conflict;
  }
  Response response;
  int status = 500;
  std::from_chars(stored.data(), stored.data() + first, status);
  response.status = status;
  response.body.assign(stored.substr(second + 1));
  response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

// What identifies a request for Idempotency-Key: the tool and the body.
std::string RequestHash(std::string_view tool, std::string_view body) {
  const size_t h = std::hash<std::string_view>{}(body) ^ (std::hash<std::string_view>{}(tool) << 1);
  return fmt::format("{:016x}-{}", h, body.size());
}

// Runs the call on a worker: through the cache when it has a key, else directly. With
// `idempotency_key`, the response is stored for replays before it is sent.
void RunOnWorker(RestContext& context, const nba::ToolSpec* tool, size_t index, Json arguments,
                 std::optional<std::string> key, std::optional<std::string> idempotency_key,
                 std::string request_hash, SteadyClock::time_point start,
                 const std::shared_ptr<ResponseWriter>& writer) {
  auto work = [&context, tool, index, start, writer, key, idempotency_key, request_hash,
               arguments = std::move(arguments)](db::Connection& connection,
                                                 nba::CallHandle& handle) {
    // The call itself: through the cache when it has a key, else directly.
    auto run = [&]() -> Response {
      nba::CallContext call{connection, nullptr, context.cache};
      call.reconnect = [&handle] { return handle.Reconnect(); };
      call.query_stats = context.executor.query_stats();
      auto describe = [&](const Error& error) {
        if (!handle.timed_out()) return error.message;
        return fmt::format("{} took longer than the {} ms limit", tool->name,
                           context.executor.options().call_timeout.count());
      };
      auto cancelled = [&handle] { return handle.cancelled(); };
      Result<cache::Served> served = nba::ToolCache::Run(context.cache, index, *tool, key,
                                                         arguments, call, cancelled, describe);
      if (handle.timed_out() && served && nba::StructuredPart(served->entry->value()).empty()) {
        served = MakeError(ErrorCode::kTimeout, "{}", describe(Error{}));
      }
      Response response = ToolResponse(served);
      context.metrics.Record(index, nba::Transport::kRest, OutcomeOf(response),
                             SteadyClock::now() - start);
      return response;
    };
    if (!idempotency_key) {
      writer->Respond(run());
      return;
    }
    // The first request with this key (here or on another instance, through the L2) is the
    // one whose response every later request gets; busy and time-limit answers are not kept.
    std::optional<Response> fresh;
    cache::FillRequest request;
    request.group = context.cache->idempotency_group();
    request.key = *idempotency_key;
    auto served = context.cache->layered().Fill(request, [&]() -> Result<cache::Computed> {
      fresh = run();
      cache::Computed computed;
      computed.bytes = EncodeReplay(*fresh, request_hash);
      computed.cacheable = fresh->status != 503 && fresh->status != 504;
      return computed;
    });
    if (fresh) {
      writer->Respond(std::move(*fresh));
    } else {
      writer->Respond(served ? DecodeReplay(served->entry->value(), request_hash)
                             : ErrorResponse(served.error()));
    }
  };
  auto failed = [&context, index, start, writer, key, idempotency_key](const Error& error) {
    if (key) context.cache->layered().Abandon(*key, error);
    if (idempotency_key) context.cache->layered().Abandon(*idempotency_key, error);
    context.metrics.Record(
        index, nba::Transport::kRest,
        error.code == ErrorCode::kTimeout ? nba::Outcome::kTimeout : nba::Outcome::kError,
        SteadyClock::now() - start);
    writer->Respond(ErrorResponse(error));
  };
  nba::SubmitOptions submit;
  submit.holder = "REST " + tool->name;
  auto handle = context.executor.Submit(std::move(work), failed, std::move(submit));
  if (!handle) {
    failed(handle.error());
    return;
  }
  // A client that goes away cancels its query.
  writer->OnClose([weak = std::weak_ptr<nba::CallHandle>(*handle)] {
    if (auto call = weak.lock()) call->Cancel();
  });
}

// Runs the tool `name` with the request's arguments: the query string for a GET, the JSON
// object body for a POST.
void RunTool(RestContext& context, std::string_view name, const Request& request,
             const std::shared_ptr<ResponseWriter>& writer) {
  const nba::ToolSpec* tool = context.catalog.FindTool(name);
  if (tool == nullptr || name.find('/') != std::string_view::npos) {
    writer->Respond(ErrorResponse(
        ErrorCode::kNotFound,
        fmt::format("no tool named '{}'; GET /api/tools lists them", name.substr(0, 100))));
    return;
  }
  Json arguments;
  std::optional<std::string> idempotency_key;
  if (request.method == "POST") {
    if (request.body.empty()) {
      arguments = Json::object();
    } else {
      auto parsed = nba::ParseJson(request.body);
      if (!parsed) {
        writer->Respond(ErrorResponse(ErrorCode::kParseError,
                                      fmt::format("the body is {}", parsed.error().message)));
        return;
      }
      arguments = std::move(*parsed);
    }
    if (!arguments.is_object()) {
      writer->Respond(ErrorResponse(ErrorCode::kInvalidArgument,
                                    "the body must be a JSON object of arguments"));
      return;
    }
    const std::string_view header = request.Header("Idempotency-Key");
    if (!header.empty()) {
      const bool printable =
          std::all_of(header.begin(), header.end(), [](char c) { return c > 0x20 && c < 0x7f; });
      if (header.size() > kMaxIdempotencyKey || !printable) {
        writer->Respond(
            ErrorResponse(ErrorCode::kInvalidArgument,
                          fmt::format("Idempotency-Key must be 1 to {} visible ASCII characters",
                                      kMaxIdempotencyKey)));
        return;
      }
      if (context.cache != nullptr) {
        idempotency_key = std::string(kIdempotencyPrefix) + std::string(header);
      }
    }
  } else {
    auto parsed = QueryToArguments(request.query);
    if (!parsed) {
      writer->Respond(ErrorResponse(parsed.error()));
      return;
    }
    arguments = std::move(*parsed);
  }
  const size_t index = static_cast<size_t>(tool - context.catalog.tools.data());
  const auto start = SteadyClock::now();
  std::string request_hash;
  if (idempotency_key) {
    // A replay, or a wait for the first request with this key to finish.
    request_hash = RequestHash(tool->name, request.body);
    cache::LayeredCache& layered = context.cache->layered();
    const cache::GroupId group = context.cache->idempotency_group();
    if (auto found = layered.Find(group, *idempotency_key); found.entry) {
      writer->Respond(DecodeReplay(found.entry->value(), request_hash));
      return;
    }
    auto waiter = [writer, request_hash](const Result<cache::Served>& served) {
      writer->Respond(served ? DecodeReplay(served->entry->value(), request_hash)
                             : ErrorResponse(served.error()));
    };
    if (layered.Join(group, *idempotency_key, waiter) == cache::JoinRole::kFollower) return;
  }
  std::optional<std::string> key;
  if (context.cache != nullptr) key = context.cache->KeyFor(index, arguments);
  if (key && !idempotency_key) {
    // The fast path: an L1 hit answers here; a miss joins the key's computation or leads it.
    cache::LayeredCache& layered = context.cache->layered();
    const auto group = static_cast<cache::GroupId>(index);
    const cache::Found found = layered.Find(group, *key);
    if (found.entry) {
      const cache::Level level = found.stale ? cache::Level::kStale : cache::Level::kL1;
      Response response = ToolResponse(cache::Served{found.entry, level});
      const auto elapsed = SteadyClock::now() - start;
      context.metrics.Record(index, nba::Transport::kRest, OutcomeOf(response), elapsed);
      layered.RecordLatency(group, level, elapsed);
      writer->Respond(std::move(response));
      return;
    }
    auto waiter = [&context, index, start, writer](const Result<cache::Served>& served) {
      Response response = ToolResponse(served);
      context.metrics.Record(index, nba::Transport::kRest, OutcomeOf(response),
                             SteadyClock::now() - start);
      writer->Respond(std::move(response));
    };
    if (layered.Join(group, *key, waiter) == cache::JoinRole::kFollower) return;
  }
  RunOnWorker(context, tool, index, std::move(arguments), std::move(key),
              std::move(idempotency_key), std::move(request_hash), start, writer);
}

}  // namespace

Result<Json> QueryToArguments(std::string_view query) {
  Json arguments = Json::object();
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    FB_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq)));
    FB_ASSIGN_OR_RETURN(
        std::string value,
        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)));
    Json typed = TypedValue(value);
    auto it = arguments.find(key);
    if (it == arguments.end()) {
      arguments[key] = std::move(typed);
    } else if (it->is_array()) {
      it->push_back(std::move(typed));
    } else {
      *it = Json::array({std::move(*it), std::move(typed)});
    }
  }
  return arguments;
}

void AddRestApiRoutes(Router& router, const nba::Catalog& catalog, nba::Executor& executor,
                      telemetry::MetricsRegistry& metrics, nba::ToolCache* tool_cache) {
  auto context = std::make_shared<RestContext>(
      RestContext{catalog, executor, nba::ToolMetrics(catalog, metrics), tool_cache, ""});
  context->listing = ToolListing(catalog).dump();
  router.Add("GET", "/api/tools", [context](const Request&) {
    Response response;
    response.body = context->listing;
    return response;
  });
  auto run = [context](const Request& request, std::shared_ptr<ResponseWriter> writer) {
    RunTool(*context, request.target.substr(kToolsPrefix.size()), request, writer);
  };
  router.AddPrefixAsync("GET", std::string(kToolsPrefix), run);
  router.AddPrefixAsync("POST", std::string(kToolsPrefix), run);
  router.Add("GET", "/api/mcp/performance/cache-stats", [context](const Request&) {
    Response response;
    response.body =
        context->cache != nullptr ? context->cache->Stats().dump() : R"({"enabled":false})";
    return response;
  });
  // The query intelligence tools under their REST names.
  const std::pair<std::string_view, std::string_view> kPerformanceRoutes[] = {
      {"GET /api/mcp/performance/slow-queries", "get_slow_queries"},
      {"GET /api/mcp/performance/top-queries", "get_top_queries"},
      {"POST /api/mcp/performance/analyze", "analyze_query"},
      {"POST /api/mcp/performance/recommend-indexes", "recommend_indexes"},
  };
  for (const auto& [route, tool] : kPerformanceRoutes) {
    const size_t space = route.find(' ');
    router.AddAsync(
        std::string(route.substr(0, space)), std::string(route.substr(space + 1)),
        [context, tool = tool](const Request& request, std::shared_ptr<ResponseWriter> writer) {
          RunTool(*context, tool, request, writer);
        });
  }
}

}  // namespace fastbreak::http
