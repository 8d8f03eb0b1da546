#include "http/rest_api.hpp"

#include <charconv>
#include <chrono>
#include <string>
#include <utility>

#include "nba/json_parse.hpp"
#include "nba/tool_metrics.hpp"

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
  std::string listing;  // GET /api/tools, serialized once
};

void RunTool(RestContext& context, const Request& request,
             const std::shared_ptr<ResponseWriter>& writer) {
  const std::string_view name = request.target.substr(kToolsPrefix.size());
  const nba::ToolSpec* tool = context.catalog.FindTool(name);
  if (tool == nullptr || name.find('/') != std::string_view::npos) {
    writer->Respond(ErrorResponse(
        ErrorCode::kNotFound,
        fmt::format("no tool named '{}'; GET /api/tools lists them", name.substr(0, 100))));
    return;
  }
  Json arguments;
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
  auto work = [&context, tool, index, start, writer, arguments = std::move(arguments)](
                  db::Connection& connection, nba::CallHandle& handle) {
    nba::CallContext call{connection, nullptr};
    auto output = tool->run(arguments, call);
    if (!output) {
      Error error = output.error();
      if (handle.timed_out()) {
        error = Error{ErrorCode::kTimeout,
                      fmt::format("{} took longer than the {} ms limit", tool->name,
                                  context.executor.options().call_timeout.count())};
      }
      context.metrics.Record(index, nba::Transport::kRest,
                             handle.timed_out() ? nba::Outcome::kTimeout : nba::Outcome::kError,
                             SteadyClock::now() - start);
      writer->Respond(ErrorResponse(error));
      return;
    }
    context.metrics.Record(index, nba::Transport::kRest, nba::Outcome::kOk,
                           SteadyClock::now() - start);
    Response response;
    response.body = output->structured.dump(-1, ' ', false, Json::error_handler_t::replace);
    writer->Respond(std::move(response));
  };
  auto failed = [&context, index, start, writer](const Error& error) {
    context.metrics.Record(
        index, nba::Transport::kRest,
        error.code == ErrorCode::kTimeout ? nba::Outcome::kTimeout : nba::Outcome::kError,
        SteadyClock::now() - start);
    writer->Respond(ErrorResponse(error));
  };
  auto handle = context.executor.Submit(std::move(work), std::move(failed));
  if (!handle) {
    writer->Respond(ErrorResponse(handle.error()));
    return;
  }
  // A client that goes away cancels its query.
  writer->OnClose([weak = std::weak_ptr<nba::CallHandle>(*handle)] {
    if (auto call = weak.lock()) call->Cancel();
  });
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
                      telemetry::MetricsRegistry& metrics) {
  auto context = std::make_shared<RestContext>(
      RestContext{catalog, executor, nba::ToolMetrics(catalog, metrics), ""});
  context->listing = ToolListing(catalog).dump();
  router.Add("GET", "/api/tools", [context](const Request&) {
    Response response;
    response.body = context->listing;
    return response;
  });
  auto run = [context](const Request& request, std::shared_ptr<ResponseWriter> writer) {
    RunTool(*context, request, writer);
  };
  router.AddPrefixAsync("GET", std::string(kToolsPrefix), run);
  router.AddPrefixAsync("POST", std::string(kToolsPrefix), run);
}

}  // namespace fastbreak::http
