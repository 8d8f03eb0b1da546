#include "mcp/methods.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <utility>

#include "nba/tool_result.hpp"

namespace fastbreak::mcp {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::array<std::string_view, 11> kMethodNames = {
    "initialize",      "ping",
    "tools/list",      "tools/call",
    "resources/list",  "resources/templates/list",
    "resources/read",  "prompts/list",
    "prompts/get",     "completion/complete",
    "logging/setLevel"};

size_t MethodIndex(std::string_view method) {
  for (size_t i = 0; i < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == method) return i;
  }
  return kMethodNames.size();  // "other"
}

size_t TransportIndex(const Session& session) { return session.transport() == "stdio" ? 0 : 1; }

// Cursors are opaque to clients: "c" + the offset of the page's first item.
std::string EncodeCursor(size_t offset) { return fmt::format("c{}", offset); }

Result<size_t> DecodeCursor(const Json& params, size_t item_count) {
  const auto it = params.is_object() ? params.find("cursor") : params.end();
  if (!params.is_object() || it == params.end() || it->is_null()) return size_t{0};
  if (!it->is_string()) return MakeError(ErrorCode::kInvalidArgument, "cursor must be a string");
  const auto& text = it->get_ref<const std::string&>();
  size_t offset = 0;
  const char* begin = text.data() + 1;
  const char* end = text.data() + text.size();
  if (text.size() < 2 || text[0] != 'c' || std::from_chars(begin, end, offset).ptr != end ||
      offset > item_count) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid cursor '{}': pass back a nextCursor exactly as received",
                     text.substr(0, 40));
  }
  return offset;
}

Json ToolJson(const nba::ToolSpec& tool) {
  return {{"name", tool.name},
          {"title", tool.title},
          {"description", tool.description},
          {"inputSchema", tool.input_schema},
          {"outputSchema", tool.output_schema},
          {"annotations",
           {{"title", tool.title},
            {"readOnlyHint", tool.annotations.read_only},
            {"destructiveHint", tool.annotations.destructive},
            {"idempotentHint", tool.annotations.idempotent},
            {"openWorldHint", tool.annotations.open_world}}}};
}

// The string or integer progress token from params._meta, if any.
std::optional<Json> ProgressToken(const Json& params) {
  const auto meta = params.find("_meta");
  if (meta == params.end() || !meta->is_object()) return std::nullopt;
  const auto token = meta->find("progressToken");
  if (token == meta->end() || !(token->is_string() || token->is_number_integer())) {
    return std::nullopt;
  }
  return *token;
}

// Progress notifications of one call: from the executor's ticks and the tool's own reports,
// strictly increasing, never after the response.
class ProgressSink {
 public:
  ProgressSink(Json token, std::shared_ptr<Outbound> out)
      : token_(std::move(token)), out_(std::move(out)) {}

  void Report(double progress, double total, std::string_view message) {
    std::lock_guard lock(mutex_);
    if (finished_ || progress <= last_) return;
    last_ = progress;
    Json params = {{"progressToken", token_}, {"progress", progress}};
    if (total > 0) params["total"] = total;
    if (!message.empty()) params["message"] = message;
    out_->Notify(Notification("notifications/progress", params));
  }
  // Elapsed-time ticks count in milliseconds, until the tool reports its own progress.
  void Tick(std::chrono::milliseconds elapsed) {
    if (tool_reports_.load(std::memory_order_relaxed)) return;
    Report(static_cast<double>(elapsed.count()), 0,
           fmt::format("running for {:.1f} s", static_cast<double>(elapsed.count()) / 1000.0));
  }
  void ToolReport(double done, double total, std::string_view message) {
    tool_reports_.store(true, std::memory_order_relaxed);
    Report(done, total, message);
  }
  // No notification after this returns.
  void Close() {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }

 private:
  const Json token_;
  const std::shared_ptr<Outbound> out_;
  std::atomic<bool> tool_reports_{false};
  std::mutex mutex_;
  double last_ = -1;       // guarded by mutex_
  bool finished_ = false;  // guarded by mutex_
};

void Log(const Session& session, Outbound& out, LogLevel level, Json data) {
  if (level < session.log_level()) return;
  out.Notify(Notification(
      "notifications/message",
      {{"level", LogLevelName(level)}, {"logger", "fastbreak"}, {"data", std::move(data)}}));
}

}  // namespace

struct McpServer::Methods::Reply {
  Methods* methods = nullptr;
  std::shared_ptr<Session> session;
  std::shared_ptr<Outbound> out;
  Json id;
  size_t method = 0;
  size_t transport = 0;
  SteadyClock::time_point start = SteadyClock::now();
  std::atomic<bool> done{false};

  void Ok(const Json& result) { Send(ResultResponse(id, result), false); }
  // A result already serialized (a tool result from the cache or a worker).
  void OkSerialized(std::string_view result) { Send(SerializedResultResponse(id, result), false); }
  void Fail(const Error& error) { Send(ErrorResponse(id, error), true); }
  void Fail(int code, std::string_view message, const Json* data = nullptr) {
    Send(ErrorResponse(id, code, message, data), true);
  }
  void None() { Send(std::nullopt, false); }

  void Send(std::optional<std::string> response, bool error) {
    if (done.exchange(true)) return;
    const MethodMetrics& metrics = methods->method_metrics_[transport][method];
    metrics.requests->Increment();
    if (error) metrics.errors->Increment();
    metrics.duration->Record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start).count()));
    out->Finish(std::move(response));
  }
};

McpServer::Methods::Methods(const nba::Catalog& catalog, nba::Executor& executor,
                            const McpOptions& options, telemetry::MetricsRegistry& metrics,
                            nba::ToolCache* tool_cache)
    : catalog_(catalog),
      executor_(executor),
      tool_cache_(tool_cache),
      options_(options),
      tool_metrics_(catalog, metrics) {
  static constexpr std::string_view kTransports[] = {"stdio", "http"};
  for (size_t t = 0; t < kTransportCount; ++t) {
    const std::string transport(kTransports[t]);
    for (size_t m = 0; m < kMethodCount; ++m) {
      const std::string method(m < kMethodNames.size() ? kMethodNames[m] : "other");
      const telemetry::Labels labels = {{"transport", transport}, {"method", method}};
      auto& entry = method_metrics_[t][m];
      entry.requests = &metrics.GetCounter(
          "fastbreak_mcp_requests_total", "MCP requests answered, by transport and method", labels);
      entry.errors = &metrics.GetCounter("fastbreak_mcp_errors_total",
                                         "MCP requests answered with a JSON-RPC error", labels);
      entry.duration =
          &metrics.GetHistogram("fastbreak_mcp_request_duration_seconds",
                                "MCP request latency, from receipt to response", labels);
    }
    parse_errors_[t] =
        &metrics.GetCounter("fastbreak_mcp_parse_errors_total", "Bodies that were not valid JSON",
                            {{"transport", transport}});
  }
  std::vector<Json> tools;
  std::vector<Json> resources;
  std::vector<Json> templates;
  std::vector<Json> prompts;
  for (const auto& tool : catalog_.tools) tools.push_back(ToolJson(tool));
  for (const auto& resource : catalog_.resources) {
    resources.push_back({{"uri", resource.uri},
                         {"name", resource.name},
                         {"title", resource.title},
                         {"description", resource.description},
                         {"mimeType", resource.mime_type}});
  }
  for (const auto& resource : catalog_.resource_templates) {
    templates.push_back({{"uriTemplate", resource.uri_template},
                         {"name", resource.name},
                         {"title", resource.title},
                         {"description", resource.description},
                         {"mimeType", resource.mime_type}});
  }
  for (const auto& prompt : catalog_.prompts) {
    Json arguments = Json::array();
    for (const auto& argument : prompt.arguments) {
      arguments.push_back({{"name", argument.name},
                           {"description", argument.description},
                           {"required", argument.required}});
    }
    prompts.push_back({{"name", prompt.name},
                       {"title", prompt.title},
                       {"description", prompt.description},
                       {"arguments", std::move(arguments)}});
  }
  tools_ = {tools.size(), Paginate(tools, "tools")};
  resources_ = {resources.size(), Paginate(resources, "resources")};
  templates_ = {templates.size(), Paginate(templates, "resourceTemplates")};
  prompts_ = {prompts.size(), Paginate(prompts, "prompts")};
}

std::vector<std::string> McpServer::Methods::Paginate(const std::vector<Json>& items,
                                                      const char* key) const {
  const size_t page_size = std::max<size_t>(1, options_.page_size);
  std::vector<std::string> pages;
  for (size_t start = 0; start == 0 || start < items.size(); start += page_size) {
    const size_t end = std::min(items.size(), start + page_size);
    Json result = {{key, Json::array()}};
    for (size_t i = start; i < end; ++i) result[key].push_back(items[i]);
    if (end < items.size()) result["nextCursor"] = EncodeCursor(end);
    pages.push_back(result.dump());
  }
  return pages;
}

void McpServer::Methods::CountParseError(const Session& session) {
  parse_errors_[TransportIndex(session)]->Increment();
}

void McpServer::Methods::Handle(const std::shared_ptr<Session>& session, const Json& message,
                                const std::shared_ptr<Outbound>& out) {
  session->Touch();
  auto reply = std::make_shared<Reply>();
  reply->methods = this;
  reply->session = session;
  reply->out = out;
  reply->transport = TransportIndex(*session);
  reply->method = kMethodCount - 1;
  auto classified = ClassifyMessage(message, &reply->id);
  if (!classified) {
    reply->Fail(classified.error());
    return;
  }
  const Message& request = *classified;
  if (request.kind == Message::Kind::kResponse) {  // fastbreak sends no requests: ignore
    out->Finish(std::nullopt);
    return;
  }
  if (request.kind == Message::Kind::kNotification) {
    Notification(session, request);
    out->Finish(std::nullopt);
    return;
  }
  reply->method = MethodIndex(request.method);
  static const Json kNoParams = Json::object();
  const Json& params = request.params != nullptr ? *request.params : kNoParams;
  if (request.method == "initialize") {
    Initialize(session, params, *reply);
    return;
  }
  if (request.method == "ping") {
    reply->Ok(Json::object());
    return;
  }
  if (!session->initialized()) {
    reply->Fail(-32600, "Invalid Request: the session is not initialized; send initialize first");
    return;
  }
  if (request.method == "tools/list") {
    List(params, tools_.pages, tools_.count, *reply);
  } else if (request.method == "tools/call") {
    CallTool(session, params, reply);
  } else if (request.method == "resources/list") {
    List(params, resources_.pages, resources_.count, *reply);
  } else if (request.method == "resources/templates/list") {
    List(params, templates_.pages, templates_.count, *reply);
  } else if (request.method == "resources/read") {
    ReadResource(session, params, reply);
  } else if (request.method == "prompts/list") {
    List(params, prompts_.pages, prompts_.count, *reply);
  } else if (request.method == "prompts/get") {
    GetPrompt(params, reply);
  } else if (request.method == "completion/complete") {
    Complete(params, reply);
  } else if (request.method == "logging/setLevel") {
    SetLevel(session, params, *reply);
  } else {
    reply->Fail(-32601, fmt::format("Method not found: {}", request.method.substr(0, 100)));
  }
}

void McpServer::Methods::Initialize(const std::shared_ptr<Session>& session, const Json& params,
                                    Reply& reply) {
  if (session->initialized()) {
    reply.Fail(-32600, "Invalid Request: the session is already initialized");
    return;
  }
  const auto version = params.find("protocolVersion");
  if (version == params.end() || !version->is_string()) {
    reply.Fail(-32602, "Invalid params: initialize needs a string protocolVersion");
    return;
  }
  const std::string negotiated(NegotiateVersion(version->get<std::string>()));
  const auto client_info = params.find("clientInfo");
  session->SetInitialized(negotiated, client_info != params.end() ? *client_info : Json::object());
  reply.Ok({{"protocolVersion", negotiated},
            {"capabilities",
             {{"tools", {{"listChanged", false}}},
              {"resources", {{"subscribe", false}, {"listChanged", false}}},
              {"prompts", {{"listChanged", false}}},
              {"logging", Json::object()},
              {"completions", Json::object()}}},
            {"serverInfo",
             {{"name", "fastbreak"},
              {"title", "fastbreak NBA statistics"},
              {"version", options_.server_version}}},
            {"instructions",
             "NBA statistics from a local database. Find players and teams with "
             "search_players or by name in any tool (misspellings are fine; ambiguous names "
             "return candidates with ids). Seasons are written 2023 or \"2023-24\". Use "
             "describe_schema and run_sql (read-only SQL) for questions no tool answers."}});
}

void McpServer::Methods::List(const Json& params, const std::vector<std::string>& pages,
                              size_t item_count, Reply& reply) {
  auto offset = DecodeCursor(params, item_count);
  if (!offset) {
    reply.Fail(offset.error());
    return;
  }
  const size_t page_size = std::max<size_t>(1, options_.page_size);
  if (*offset % page_size != 0 || *offset / page_size >= pages.size()) {
    reply.Fail(-32602,
               "Invalid params: invalid cursor; pass back a nextCursor exactly as received");
    return;
  }
  reply.Send(SerializedResultResponse(reply.id, pages[*offset / page_size]), false);
}

void McpServer::Methods::CallTool(const std::shared_ptr<Session>& session, const Json& params,
                                  std::shared_ptr<Reply> reply) {
  const auto name = params.find("name");
  if (name == params.end() || !name->is_string()) {
    reply->Fail(-32602, "Invalid params: tools/call needs a string 'name'");
    return;
  }
  const nba::ToolSpec* tool = catalog_.FindTool(name->get_ref<const std::string&>());
  if (tool == nullptr) {
    reply->Fail(-32602,
                fmt::format("Unknown tool: '{}'. tools/list names the {} tools.",
                            name->get<std::string>().substr(0, 100), catalog_.tools.size()));
    return;
  }
  Json arguments = Json::object();
  if (const auto it = params.find("arguments"); it != params.end() && !it->is_null()) {
    if (!it->is_object()) {
      reply->Fail(-32602, "Invalid params: 'arguments' must be an object");
      return;
    }
    arguments = *it;
  }
  const size_t tool_index = static_cast<size_t>(tool - catalog_.tools.data());
  const auto transport = nba::ParseTransport(session->transport());
  const auto group = static_cast<cache::GroupId>(tool_index);

  // The cache: a hit answers here, on the I/O thread; a miss waits for the key's computation
  // or leads it.
  std::optional<std::string> key;
  if (tool_cache_ != nullptr) key = tool_cache_->KeyFor(tool_index, arguments);
  if (key) {
    cache::LayeredCache& layered = tool_cache_->layered();
    const cache::Found found = layered.Find(group, *key);
    if (found.entry) {
      const bool ok = !found.entry->negative;
      reply->OkSerialized(found.entry->value());
      const auto elapsed = SteadyClock::now() - reply->start;
      tool_metrics_.Record(tool_index, transport, ok ? nba::Outcome::kOk : nba::Outcome::kError,
                           elapsed);
      layered.RecordLatency(group, found.stale ? cache::Level::kStale : cache::Level::kL1, elapsed);
      if (found.stale) Refresh(tool_index, *key, arguments);
      return;
    }
    auto waiter = [this, reply, tool_index, transport, group](const Result<cache::Served>& served) {
      const auto elapsed = SteadyClock::now() - reply->start;
      if (!served) {
        tool_metrics_.Record(tool_index, transport, nba::Outcome::kError, elapsed);
        reply->OkSerialized(nba::SerializeToolError(served.error()));
        return;
      }
      const bool ok = !nba::StructuredPart(served->entry->value()).empty();
      tool_metrics_.Record(tool_index, transport, ok ? nba::Outcome::kOk : nba::Outcome::kError,
                           elapsed);
      tool_cache_->layered().RecordLatency(group, served->level, elapsed);
      reply->OkSerialized(served->entry->value());
    };
    if (layered.Join(group, *key, std::move(waiter)) == cache::JoinRole::kFollower) return;
  }

  std::shared_ptr<ProgressSink> progress;
  if (auto token = ProgressToken(params)) {
    progress = std::make_shared<ProgressSink>(std::move(*token), reply->out);
  }
  // Answers, then forgets the call; CallTool re-checks `done` after registering the call, so
  // an entry is never left behind.
  auto finish = [this, reply, progress, tool_index, transport, group](
                    nba::Outcome outcome, std::optional<std::string_view> result,
                    cache::Level level, const nba::CallHandle* handle) {
    if (progress) progress->Close();
    const auto elapsed = SteadyClock::now() - reply->start;
    tool_metrics_.Record(tool_index, transport, outcome, elapsed);
    if (result) {
      if (tool_cache_ != nullptr) tool_cache_->layered().RecordLatency(group, level, elapsed);
      reply->OkSerialized(*result);
    } else {
      reply->None();
    }
    reply->session->RemoveInFlight(reply->id, handle);
  };
  auto work = [this, tool, arguments = std::move(arguments), key, reply, progress, finish](
                  db::Connection& connection, nba::CallHandle& handle) {
    nba::CallContext context{connection, nullptr, tool_cache_};
    context.reconnect = [&handle] { return handle.Reconnect(); };
    context.query_stats = executor_.query_stats();
    if (progress) {
      context.on_progress = [progress](double done, double total, std::string_view message) {
        progress->ToolReport(done, total, message);
      };
    }
    auto describe = [this, tool, &handle](const Error& error) {
      if (!handle.timed_out()) return error.message;
      return fmt::format(
          "{} took longer than the {} ms limit and was stopped; narrow the question (a season, "
          "a team, a smaller limit)",
          tool->name, executor_.options().call_timeout.count());
    };
    auto cancelled = [&handle] { return handle.cancelled(); };
    Result<cache::Served> served =
        nba::ToolCache::Run(tool_cache_, static_cast<size_t>(tool - catalog_.tools.data()), *tool,
                            key, arguments, context, cancelled, describe);
    if (handle.cancelled() || (!served && served.error().code == ErrorCode::kCancelled)) {
      finish(nba::Outcome::kCancelled, std::nullopt, cache::Level::kComputed, &handle);
      return;
    }
    if (!served) {
      const std::string error = nba::SerializeToolError(served.error());
      finish(nba::Outcome::kError, error, cache::Level::kComputed, &handle);
      return;
    }
    const std::string_view value = served->entry->value();
    if (nba::StructuredPart(value).empty()) {
      const std::string message = nba::ErrorTextOf(value);
      Log(*reply->session, *reply->out, LogLevel::kWarning,
          {{"tool", tool->name}, {"message", message}});
      finish(handle.timed_out() ? nba::Outcome::kTimeout : nba::Outcome::kError, value,
             served->level, &handle);
      return;
    }
    Log(*reply->session, *reply->out, LogLevel::kDebug,
        {{"tool", tool->name},
         {"cache", cache::LevelName(served->level)},
         {"elapsed_ms",
          std::chrono::duration<double, std::milli>(SteadyClock::now() - reply->start).count()}});
    finish(nba::Outcome::kOk, value, served->level, &handle);
  };
  auto failed = [this, finish, key](const Error& error) {
    if (key) tool_cache_->layered().Abandon(*key, error);
    if (error.code == ErrorCode::kCancelled) {
      finish(nba::Outcome::kCancelled, std::nullopt, cache::Level::kComputed, nullptr);
    } else {
      const std::string result = nba::SerializeToolError(error);
      finish(error.code == ErrorCode::kTimeout ? nba::Outcome::kTimeout : nba::Outcome::kError,
             result, cache::Level::kComputed, nullptr);
    }
  };
  nba::SubmitOptions submit;
  if (progress) {
    submit.on_tick = [progress](std::chrono::milliseconds elapsed) { progress->Tick(elapsed); };
  }
  submit.holder = "tools/call " + tool->name;
  auto handle = executor_.Submit(std::move(work), std::move(failed), std::move(submit));
  if (!handle) {
    if (key) tool_cache_->layered().Abandon(*key, handle.error());
    tool_metrics_.Record(tool_index, transport, nba::Outcome::kError,
                         SteadyClock::now() - reply->start);
    reply->Fail(handle.error());
    return;
  }
  session->AddInFlight(reply->id, *handle);
  // The call may have finished before it was registered; don't keep a stale entry.
  if (reply->done.load()) session->RemoveInFlight(reply->id, handle->get());
}

void McpServer::Methods::Refresh(size_t tool_index, const std::string& key, const Json& arguments) {
  cache::LayeredCache& layered = tool_cache_->layered();
  const auto group = static_cast<cache::GroupId>(tool_index);
  if (layered.Join(group, key, nullptr) == cache::JoinRole::kFollower) return;
  const nba::ToolSpec* tool = &catalog_.tools[tool_index];
  auto work = [this, tool, group, key, arguments](db::Connection& connection,
                                                  nba::CallHandle& handle) {
    nba::CallContext context{connection, nullptr, tool_cache_};
    context.reconnect = [&handle] { return handle.Reconnect(); };
    context.query_stats = executor_.query_stats();
    cache::FillRequest request;
    request.group = group;
    request.key = key;
    (void)tool_cache_->layered().Fill(
        request, [&] { return tool_cache_->Compute(*tool, arguments, context, nullptr, nullptr); });
  };
  auto failed = [this, key](const Error& error) { tool_cache_->layered().Abandon(key, error); };
  if (auto handle = executor_.Submit(std::move(work), failed); !handle) failed(handle.error());
}

void McpServer::Methods::Submit(const std::shared_ptr<Reply>& reply,
                                std::function<Result<Json>(db::Connection&)> work) {
  auto run = [reply, work = std::move(work)](db::Connection& connection, nba::CallHandle&) {
    auto result = work(connection);
    if (result) {
      reply->Ok(*result);
    } else {
      reply->Fail(result.error());
    }
  };
  auto failed = [reply](const Error& error) { reply->Fail(error); };
  auto handle = executor_.Submit(std::move(run), std::move(failed));
  if (!handle) reply->Fail(handle.error());
}

void McpServer::Methods::ReadResource(const std::shared_ptr<Session>& /*session*/,
                                      const Json& params, std::shared_ptr<Reply> reply) {
  const auto uri_it = params.find("uri");
  if (uri_it == params.end() || !uri_it->is_string()) {
    reply->Fail(-32602, "Invalid params: resources/read needs a string 'uri'");
    return;
  }
  const std::string uri = uri_it->get<std::string>();
  const Json data = {{"uri", uri}};
  for (const auto& resource : catalog_.resources) {
    if (resource.uri != uri) continue;
    Submit(reply, [&resource, uri](db::Connection& connection) -> Result<Json> {
      nba::CallContext context{connection, nullptr};
      FB_ASSIGN_OR_RETURN(std::string text, resource.read(context));
      return Json{{"contents", Json::array({{{"uri", uri},
                                             {"mimeType", resource.mime_type},
                                             {"text", std::move(text)}}})}};
    });
    return;
  }
  for (const auto& resource : catalog_.resource_templates) {
    const std::string& pattern = resource.uri_template;
    const std::string placeholder = "{" + resource.variable + "}";
    const size_t at = pattern.find(placeholder);
    if (at == std::string::npos) continue;
    const std::string prefix = pattern.substr(0, at);
    const std::string suffix = pattern.substr(at + placeholder.size());
    if (uri.size() <= prefix.size() + suffix.size() || !uri.starts_with(prefix) ||
        !uri.ends_with(suffix)) {
      continue;
    }
    std::string value = uri.substr(prefix.size(), uri.size() - prefix.size() - suffix.size());
    Submit(reply, [&resource, uri, value](db::Connection& connection) -> Result<Json> {
      nba::CallContext context{connection, nullptr};
      auto text = resource.read(value, context);
      if (!text) {
        if (text.error().code == ErrorCode::kResourceNotFound ||
            text.error().code == ErrorCode::kNotFound) {
          return MakeError(ErrorCode::kResourceNotFound, "Resource not found: {}", uri);
        }
        return tl::unexpected(text.error());
      }
      return Json{{"contents", Json::array({{{"uri", uri},
                                             {"mimeType", resource.mime_type},
                                             {"text", std::move(*text)}}})}};
    });
    return;
  }
  reply->Fail(-32002, fmt::format("Resource not found: {}", uri.substr(0, 200)), &data);
}

void McpServer::Methods::GetPrompt(const Json& params, std::shared_ptr<Reply> reply) {
  const auto name = params.find("name");
  if (name == params.end() || !name->is_string()) {
    reply->Fail(-32602, "Invalid params: prompts/get needs a string 'name'");
    return;
  }
  const nba::PromptSpec* prompt = catalog_.FindPrompt(name->get_ref<const std::string&>());
  if (prompt == nullptr) {
    reply->Fail(-32602, "Invalid params: unknown prompt '" +
                            name->get<std::string>().substr(0, 100) +
                            "'; prompts/list names the prompts");
    return;
  }
  std::map<std::string, std::string> arguments;
  if (const auto it = params.find("arguments"); it != params.end() && !it->is_null()) {
    if (!it->is_object()) {
      reply->Fail(-32602, "Invalid params: 'arguments' must be an object of strings");
      return;
    }
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) {
        reply->Fail(-32602, "Invalid params: prompt argument '" + key + "' must be a string");
        return;
      }
      arguments[key] = value.get<std::string>();
    }
  }
  for (const auto& argument : prompt->arguments) {
    if (argument.required && arguments.find(argument.name) == arguments.end()) {
      reply->Fail(-32602, "Invalid params: prompt '" + prompt->name + "' needs the argument '" +
                              argument.name + "'");
      return;
    }
  }
  Submit(
      reply,
      [prompt, arguments = std::move(arguments)](db::Connection& connection) -> Result<Json> {
        nba::CallContext context{connection, nullptr};
        FB_ASSIGN_OR_RETURN(nba::PromptOutput output, prompt->get(arguments, context));
        Json messages = Json::array();
        for (auto& message : output.messages) {
          messages.push_back({{"role", message.role},
                              {"content", {{"type", "text"}, {"text", std::move(message.text)}}}});
        }
        return Json{{"description", std::move(output.description)},
                    {"messages", std::move(messages)}};
      });
}

void McpServer::Methods::Complete(const Json& params, std::shared_ptr<Reply> reply) {
  const auto ref = params.find("ref");
  const auto argument = params.find("argument");
  if (ref == params.end() || !ref->is_object() || argument == params.end() ||
      !argument->is_object() || !argument->contains("name") || !(*argument)["name"].is_string() ||
      !argument->contains("value") || !(*argument)["value"].is_string()) {
    reply->Fail(-32602,
                "Invalid params: completion/complete needs 'ref' and 'argument' {name, value}");
    return;
  }
  const std::string type = ref->value("type", "");
  const std::string name = (*argument)["name"].get<std::string>();
  nba::ArgumentKind kind = nba::ArgumentKind::kText;
  if (type == "ref/prompt") {
    const std::string prompt_name = ref->value("name", "");
    if (const auto* prompt = catalog_.FindPrompt(prompt_name)) {
      for (const auto& declared : prompt->arguments) {
        if (declared.name == name) kind = declared.kind;
      }
    }
  } else if (type == "ref/resource") {
    const std::string uri = ref->value("uri", "");
    if (uri == "nba://games/{id}" && name == "id") kind = nba::ArgumentKind::kGame;
  } else {
    reply->Fail(-32602, "Invalid params: ref.type must be 'ref/prompt' or 'ref/resource'");
    return;
  }
  if (kind == nba::ArgumentKind::kText) {  // nothing we can suggest: an empty completion
    reply->Ok({{"completion", {{"values", Json::array()}, {"total", 0}, {"hasMore", false}}}});
    return;
  }
  std::string value = (*argument)["value"].get<std::string>();
  if (value.size() > 200) value.resize(200);
  Submit(reply, [kind, value](db::Connection& connection) -> Result<Json> {
    nba::CallContext context{connection, nullptr};
    constexpr size_t kMaxValues = 100;  // the specification's cap
    FB_ASSIGN_OR_RETURN(nba::Completion completion,
                        nba::Complete(kind, value, kMaxValues, context));
    const int total = std::max<int>(completion.total, static_cast<int>(completion.values.size()));
    const bool more = static_cast<size_t>(total) > completion.values.size();
    return Json{{"completion",
                 {{"values", std::move(completion.values)}, {"total", total}, {"hasMore", more}}}};
  });
}

void McpServer::Methods::SetLevel(const std::shared_ptr<Session>& session, const Json& params,
                                  Reply& reply) {
  const auto level = params.find("level");
  if (level == params.end() || !level->is_string()) {
    reply.Fail(-32602, "Invalid params: logging/setLevel needs a string 'level'");
    return;
  }
  const auto parsed = ParseLogLevel(level->get_ref<const std::string&>());
  if (!parsed) {
    reply.Fail(-32602,
               "Invalid params: level must be one of debug, info, notice, warning, error, "
               "critical, alert, emergency");
    return;
  }
  session->SetLogLevel(*parsed);
  reply.Ok(Json::object());
}

void McpServer::Methods::Notification(const std::shared_ptr<Session>& session,
                                      const Message& message) {
  if (message.method == "notifications/initialized") {
    session->MarkClientReady();
  } else if (message.method == "notifications/cancelled") {
    if (message.params != nullptr) {
      const auto id = message.params->find("requestId");
      if (id != message.params->end() && (id->is_string() || id->is_number_integer())) {
        if (session->Cancel(*id)) spdlog::debug("mcp: cancelled request {}", id->dump());
      }
    }
  }
  // Other notifications (progress from the client, roots changes) need no action.
}

}  // namespace fastbreak::mcp
