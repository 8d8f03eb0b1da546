// The cache tools: get_cache_stats, invalidate_cache, warm_cache. They act on the service's
// tool cache (CallContext::cache) and are never cached themselves.
#include "nba/args.hpp"
#include "nba/cache_control.hpp"
#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {
namespace {

constexpr size_t kMaxListItems = 100;
constexpr size_t kMaxWarmCalls = 500;

Result<CacheControl*> RequireCache(const CallContext& context) {
  if (context.cache == nullptr) {
    return MakeError(ErrorCode::kUnsupported,
                     "the cache is disabled on this server (cache.enabled: false)");
  }
  return context.cache;
}

// A list of strings argument, at most kMaxListItems items of 512 bytes.
Result<std::vector<std::string>> StringList(const Json& arguments, std::string_view name) {
  std::vector<std::string> out;
  const Json* value = FindArgument(arguments, name);
  if (value == nullptr) return out;
  if (!value->is_array() || value->size() > kMaxListItems) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be an array of at most {} strings", name,
                     kMaxListItems);
  }
  for (const auto& item : *value) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
        item.get_ref<const std::string&>().size() > 512) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "every item of {} must be a non-empty string of at most 512 bytes", name);
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

ToolSpec GetCacheStatsTool() {
  ToolSpec tool;
  tool.name = "get_cache_stats";
  tool.title = "Cache statistics";
  tool.description =
      "Reports how the tool-result cache is doing: hits and misses per tool and per level "
      "(in-process L1, Redis L2, computed), hit and miss latency, why misses happened "
      "(cold, expired, evicted, invalidated), evictions by cause, entries and bytes, admission "
      "rejections, the state of Redis and of the invalidation bus, and recommendations "
      "derived from these numbers (for example which tool's TTL to raise). No arguments.";
  tool.input_schema = schema::Object(Json::object());
  tool.output_schema = {{"type", "object"}};
  tool.annotations = {true, false, true, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {}));
    FB_ASSIGN_OR_RETURN(CacheControl * cache, RequireCache(context));
    Json stats = cache->Stats();
    std::string text = "Cache statistics (JSON):\n" + stats.dump(1);
    return JsonOutput(std::move(stats), std::move(text));
  };
  return tool;
}

ToolSpec InvalidateCacheTool() {
  ToolSpec tool;
  tool.name = "invalidate_cache";
  tool.title = "Invalidate cached results";
  tool.description =
      "Drops cached tool results on this server, in Redis and on every other instance. Say "
      "what to drop: `tags` (\"season:2023\", \"team:1610612738\", \"player:2544\", "
      "\"game:22300001\", \"table:games\"), `tools` (every result of those tools), `keys` or "
      "`prefixes` (raw cache keys, as listed in get_cache_stats), or `all: true`. Use after "
      "correcting data outside fastbreak's importers (which invalidate by themselves).";
  const Json list = schema::Array(schema::String("a value"));
  tool.input_schema = schema::Object({{"tags", list},
                                      {"tools", list},
                                      {"keys", list},
                                      {"prefixes", list},
                                      {"all", schema::Boolean("drop every entry", false)}});
  tool.output_schema =
      schema::Object({{"removed_l1", schema::Integer("entries dropped from this server's L1")},
                      {"l2", schema::Boolean("the Redis level was invalidated too")},
                      {"broadcast", schema::Boolean("other instances were told over the bus")}},
                     {"removed_l1", "l2", "broadcast"});
  tool.annotations = {false, false, true, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"tags", "tools", "keys", "prefixes", "all"}));
    CacheInvalidation invalidation;
    FB_ASSIGN_OR_RETURN(invalidation.tags, StringList(arguments, "tags"));
    FB_ASSIGN_OR_RETURN(invalidation.tools, StringList(arguments, "tools"));
    FB_ASSIGN_OR_RETURN(invalidation.keys, StringList(arguments, "keys"));
    FB_ASSIGN_OR_RETURN(invalidation.prefixes, StringList(arguments, "prefixes"));
    FB_ASSIGN_OR_RETURN(invalidation.all, BoolArgument(arguments, "all", false));
    for (const auto& name : invalidation.tools) {
      if (NbaCatalog().FindTool(name) == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "tools: unknown tool '{}'",
                         name.substr(0, 100));
      }
    }
    if (!invalidation.all && invalidation.tags.empty() && invalidation.tools.empty() &&
        invalidation.keys.empty() && invalidation.prefixes.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "say what to invalidate: tags, tools, keys, prefixes or all: true");
    }
    FB_ASSIGN_OR_RETURN(CacheControl * cache, RequireCache(context));
    FB_ASSIGN_OR_RETURN(Json result, cache->Invalidate(invalidation));
    std::string text =
        fmt::format("Dropped {} entries here; Redis {}; other instances {}.",
                    result.value("removed_l1", 0), result.value("l2", false) ? "too" : "not used",
                    result.value("broadcast", false) ? "told" : "not told (no bus)");
    return JsonOutput(std::move(result), std::move(text));
  };
  return tool;
}

ToolSpec WarmCacheTool() {
  ToolSpec tool;
  tool.name = "warm_cache";
  tool.title = "Warm the cache";
  tool.description =
      "Runs tool calls ahead of demand so that later calls are served from memory. Give "
      "`calls` ([{\"tool\": \"standings\", \"arguments\": {\"season\": 2024}}], at most 500), or "
      "`hot: true` to warm the most requested calls of the previous run. Calls already cached "
      "are skipped; each failure is reported with its reason.";
  const Json call = schema::Object(
      {{"tool", schema::String("tool name")}, {"arguments", {{"type", "object"}}}}, {"tool"});
  tool.input_schema = schema::Object(
      {{"calls", schema::Array(call, "tool calls to run into the cache")},
       {"hot", schema::Boolean("warm the most requested calls of the previous run", false)}});
  const Json failure = schema::Object(
      {{"tool", schema::String("tool")}, {"error", schema::String("why")}}, {"tool", "error"});
  tool.output_schema =
      schema::Object({{"requested", schema::Integer("calls asked for")},
                      {"warmed", schema::Integer("calls run and cached")},
                      {"already_cached", schema::Integer("calls that were cached already")},
                      {"failed", schema::Array(failure)}},
                     {"requested", "warmed", "already_cached", "failed"});
  tool.annotations = {false, false, true, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"calls", "hot"}));
    FB_ASSIGN_OR_RETURN(bool hot, BoolArgument(arguments, "hot", false));
    std::vector<WarmCall> calls;
    if (const Json* list = FindArgument(arguments, "calls"); list != nullptr) {
      if (!list->is_array() || list->size() > kMaxWarmCalls) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "calls must be an array of at most {} {{tool, arguments}} objects",
                         kMaxWarmCalls);
      }
      for (const auto& item : *list) {
        const Json* name = item.is_object() ? FindArgument(item, "tool") : nullptr;
        if (name == nullptr || !name->is_string()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "every item of calls needs a string 'tool'");
        }
        const ToolSpec* target = NbaCatalog().FindTool(name->get_ref<const std::string&>());
        if (target == nullptr || !target->cacheable) {
          return MakeError(ErrorCode::kInvalidArgument, "calls: '{}' is not a cacheable tool",
                           name->get<std::string>().substr(0, 100));
        }
        const Json* args = FindArgument(item, "arguments");
        if (args != nullptr && !args->is_object()) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "calls: 'arguments' of {} must be an object", target->name);
        }
        calls.push_back({target->name, args != nullptr ? *args : Json::object()});
      }
    }
    if (calls.empty() && !hot) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "say what to warm: calls: [{tool, arguments}] or hot: true");
    }
    FB_ASSIGN_OR_RETURN(CacheControl * cache, RequireCache(context));
    FB_ASSIGN_OR_RETURN(Json result, cache->Warm(calls, hot, context));
    std::string text = fmt::format("Warmed {} of {} calls ({} were cached already, {} failed).",
                                   result.value("warmed", 0), result.value("requested", 0),
                                   result.value("already_cached", 0),
                                   result.contains("failed") ? result["failed"].size() : 0);
    return JsonOutput(std::move(result), std::move(text));
  };
  return tool;
}

}  // namespace

void AddCacheTools(Catalog& catalog) {
  catalog.tools.push_back(GetCacheStatsTool());
  catalog.tools.push_back(InvalidateCacheTool());
  catalog.tools.push_back(WarmCacheTool());
}

}  // namespace fastbreak::nba::detail
