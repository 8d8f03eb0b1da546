#include "nba/tool_cache.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "nba/args.hpp"
#include "nba/cache_keys.hpp"
#include "nba/json_parse.hpp"
#include "nba/tool_result.hpp"
#include "query/query_stats.hpp"

namespace fastbreak::nba {
namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxWarmLine = 8192;

double Ms(milliseconds d) { return static_cast<double>(d.count()); }

Json LatencyJson(const cache::LatencyStats& latency) {
  return {{"count", latency.count},
          {"mean_ms", latency.mean_ms},
          {"p50_ms", latency.p50_ms},
          {"p99_ms", latency.p99_ms}};
}

Json GroupJson(const cache::GroupStats& group) {
  Json served = Json::object();
  Json latency = Json::object();
  for (size_t level = 0; level < cache::kLevelCount; ++level) {
    const auto name = std::string(cache::LevelName(static_cast<cache::Level>(level)));
    served[name] = group.served[level];
    latency[name] = LatencyJson(group.latency[level]);
  }
  Json reasons = Json::object();
  for (size_t r = 0; r < cache::kMissReasonCount; ++r) {
    reasons[std::string(cache::MissReasonName(static_cast<cache::MissReason>(r)))] =
        group.misses[r];
  }
  Json fills = Json::object();
  for (size_t f = 0; f < cache::kFillOutcomeCount; ++f) {
    fills[std::string(cache::FillOutcomeName(static_cast<cache::FillOutcome>(f)))] = group.fills[f];
  }
  return {{"tool", group.name},
          {"enabled", group.policy.enabled},
          {"ttl_ms", Ms(group.policy.ttl)},
          {"stale_ms", Ms(group.policy.stale_ttl)},
          {"negative_ttl_ms", Ms(group.policy.negative_ttl)},
          {"hits",
           {{"l1", group.served[0] + group.served[1]},
            {"stale", group.served[1]},
            {"l2", group.served[2]}}},
          {"misses", group.total_misses()},
          {"computed", group.served[3]},
          {"hit_ratio", group.hit_ratio()},
          {"served", served},
          {"miss_reasons", reasons},
          {"coalesced", group.coalesced},
          {"fills", fills},
          {"latency", latency}};
}

}  // namespace

std::vector<std::string> ToolCache::GroupNames(const Catalog& catalog) {
  std::vector<std::string> names;
  for (const auto& tool : catalog.tools) names.push_back(tool.name);
  names.emplace_back("idempotency");
  return names;
}

ToolCache::ToolCache(const Catalog& catalog, cache::LayeredCache& cache, ToolCacheOptions options)
    : catalog_(catalog), cache_(cache), options_(std::move(options)) {
  for (size_t i = 0; i < catalog_.tools.size(); ++i) {
    const ToolSpec& tool = catalog_.tools[i];
    cache::GroupPolicy policy;
    policy.enabled = tool.cacheable;
    policy.ttl = options_.ttl_current;
    if (auto it = options_.tool_ttl_ms.find(tool.name);
        it != options_.tool_ttl_ms.end() && it->second > 0) {
      policy.ttl = milliseconds(it->second);
    }
    if (auto it = options_.tool_stale_ms.find(tool.name); it != options_.tool_stale_ms.end()) {
      policy.stale_ttl = milliseconds(std::max(0, it->second));
    }
    policy.negative_ttl = options_.negative_ttl;
    cache_.SetGroupPolicy(static_cast<cache::GroupId>(i), policy);
  }
  cache::GroupPolicy idempotency;
  idempotency.ttl = options_.idempotency_ttl;
  idempotency.negative_ttl = options_.idempotency_ttl;
  cache_.SetGroupPolicy(idempotency_group(), idempotency);
}

std::optional<std::string> ToolCache::KeyFor(size_t tool_index, const Json& arguments) const {
  const ToolSpec& tool = catalog_.tools[tool_index];
  if (!tool.cacheable) return std::nullopt;
  auto key = ToolCacheKey(tool.name, arguments);
  if (!key) return std::nullopt;
  return std::move(*key);
}

milliseconds ToolCache::TtlFor(const ToolSpec& tool, std::optional<int> newest_season,
                               db::Connection& connection) {
  if (auto it = options_.tool_ttl_ms.find(tool.name);
      it != options_.tool_ttl_ms.end() && it->second > 0) {
    return milliseconds(it->second);
  }
  if (!newest_season) return options_.ttl_current;
  int current = current_season_.load(std::memory_order_relaxed);
  if (current == 0) {
    auto newest = connection.QueryScalar("SELECT max(season_id) FROM seasons");
    if (newest && std::holds_alternative<int64_t>(*newest)) {
      current = static_cast<int>(std::get<int64_t>(*newest));
      current_season_.store(current, std::memory_order_relaxed);
    }
  }
  return current != 0 && *newest_season < current ? options_.ttl_historical : options_.ttl_current;
}

namespace {

// An error answer: negative (worth caching briefly) when the arguments name nothing or are
// wrong, which a repeat of the call would get again.
cache::Computed ErrorComputed(const Error& error,
                              const std::function<std::string(const Error&)>& describe) {
  cache::Computed computed;
  computed.bytes = SerializeToolError(describe ? Error{error.code, describe(error)} : error);
  computed.negative =
      error.code == ErrorCode::kNotFound || error.code == ErrorCode::kInvalidArgument;
  computed.cacheable = false;
  return computed;
}

// Runs the tool; after a connection-class error (the server restarted, the backend or replica
// went away) runs it once more on a new connection. Every catalog tool only reads, so a second
// run cannot do anything twice.
Result<ToolOutput> RunTool(const ToolSpec& tool, const Json& arguments, CallContext& context) {
  // Names the call in the query statistics and the slow-query log.
  const std::string arguments_text = context.query_stats != nullptr ? arguments.dump() : "";
  const query::CallInfo call{tool.name, arguments_text};
  const query::CallScope scope(call);
  auto output = tool.run(arguments, context);
  if (output || output.error().code != ErrorCode::kConnection || !context.reconnect) {
    return output;
  }
  if (auto status = context.reconnect(); !status) return output;
  return tool.run(arguments, context);
}

Error CancelledError(const ToolSpec& tool) {
  return Error{ErrorCode::kCancelled,
               fmt::format("{} was cancelled by the client that started it", tool.name)};
}

}  // namespace

Result<cache::Computed> ToolCache::ComputeUncached(
    const ToolSpec& tool, const Json& arguments, CallContext& context,
    const std::function<bool()>& cancelled,
    const std::function<std::string(const Error&)>& describe) {
  auto output = RunTool(tool, arguments, context);
  if (cancelled && cancelled()) return tl::unexpected(CancelledError(tool));
  if (!output) return ErrorComputed(output.error(), describe);
  cache::Computed computed;
  computed.bytes = SerializeToolResult(*output);
  computed.cacheable = false;
  return computed;
}

Result<cache::Computed> ToolCache::Compute(
    const ToolSpec& tool, const Json& arguments, CallContext& context,
    const std::function<bool()>& cancelled,
    const std::function<std::string(const Error&)>& describe) {
  auto output = RunTool(tool, arguments, context);
  if (cancelled && cancelled()) return tl::unexpected(CancelledError(tool));
  const auto& tables = ToolTableTags(tool.name);
  if (!output) {
    cache::Computed computed = ErrorComputed(output.error(), describe);
    computed.cacheable = computed.negative && options_.negative_ttl.count() > 0;
    computed.tags.assign(tables.begin(), tables.end());
    return computed;
  }
  cache::Computed computed;
  computed.tags.assign(tables.begin(), tables.end());
  ResultFacts facts = ExtractResultFacts(output->structured, options_.max_entity_tags);
  computed.tags.insert(computed.tags.end(), std::make_move_iterator(facts.tags.begin()),
                       std::make_move_iterator(facts.tags.end()));
  computed.ttl = TtlFor(tool, facts.newest_season, context.db);
  computed.bytes = SerializeToolResult(*output);
  return computed;
}

Result<cache::Served> ToolCache::Run(ToolCache* cache, size_t tool_index, const ToolSpec& tool,
                                     const std::optional<std::string>& key, const Json& arguments,
                                     CallContext& context, const std::function<bool()>& cancelled,
                                     const std::function<std::string(const Error&)>& describe) {
  if (cache != nullptr && key) {
    cache::FillRequest request;
    request.group = static_cast<cache::GroupId>(tool_index);
    request.key = *key;
    return cache->cache_.Fill(
        request, [&] { return cache->Compute(tool, arguments, context, cancelled, describe); });
  }
  FB_ASSIGN_OR_RETURN(cache::Computed computed,
                      ComputeUncached(tool, arguments, context, cancelled, describe));
  return cache::Served{std::make_shared<cache::Entry>(std::string_view(), computed.bytes),
                       cache::Level::kComputed};
}

Result<cache::Served> ToolCache::Serve(size_t tool_index, const std::string& key,
                                       const Json& arguments, CallContext& context) {
  return Run(this, tool_index, catalog_.tools[tool_index], key, arguments, context, nullptr,
             nullptr);
}

Json ToolCache::Stats() const {
  const cache::CacheSnapshot snapshot = cache_.Snapshot();
  Json tools = Json::array();
  for (const auto& group : snapshot.groups) {
    if (group.name == "idempotency" || group.policy.enabled ||
        group.served[3] + group.total_misses() > 0) {
      tools.push_back(GroupJson(group));
    }
  }
  const cache::L1Stats& l1 = snapshot.l1;
  Json removals = Json::object();
  for (size_t c = 0; c < cache::kRemovalCauseCount; ++c) {
    removals[std::string(cache::RemovalCauseName(static_cast<cache::RemovalCause>(c)))] =
        l1.removals[c];
  }
  Json reasons = Json::object();
  for (size_t r = 0; r < cache::kMissReasonCount; ++r) {
    reasons[std::string(cache::MissReasonName(static_cast<cache::MissReason>(r)))] =
        l1.misses_by_reason[r];
  }
  const uint64_t lookups = l1.hits + l1.misses;
  Json stats = {
      {"enabled", true},
      {"l1",
       {{"entries", l1.entries},
        {"bytes", l1.bytes},
        {"max_entries", l1.max_entries},
        {"max_bytes", l1.max_bytes},
        {"shards", l1.shards},
        {"hits", l1.hits},
        {"stale_hits", l1.stale_hits},
        {"misses", l1.misses},
        {"hit_ratio", lookups == 0 ? 0.0 : static_cast<double>(l1.hits) / lookups},
        {"miss_reasons", reasons},
        {"evictions", removals},
        {"admission_rejections", l1.admission_rejections},
        {"oversize_rejections", l1.oversize_rejections}}},
      {"l2", {{"configured", snapshot.l2_configured}, {"available", snapshot.l2_available}}},
      {"bus",
       {{"configured", snapshot.bus_configured},
        {"connected", snapshot.bus_connected},
        {"disconnects", snapshot.bus_disconnects}}},
      {"invalidations", snapshot.invalidations},
      {"tools", std::move(tools)},
      {"recommendations", cache::Recommendations(snapshot)}};
  std::function<void(Json&)> extra;
  {
    std::lock_guard lock(mutex_);
    extra = extra_stats_;
  }
  if (extra) extra(stats);
  return stats;
}

Result<Json> ToolCache::Invalidate(const CacheInvalidation& invalidation) {
  cache::Invalidation request;
  request.tags = invalidation.tags;
  request.keys = invalidation.keys;
  request.prefixes = invalidation.prefixes;
  for (const auto& tool : invalidation.tools) {
    request.prefixes.push_back(std::string(kToolKeyPrefix) + tool + "/");
  }
  request.all = invalidation.all;
  const cache::InvalidationReport report = cache_.Invalidate(request);
  // The newest season may have changed with the data.
  current_season_.store(0, std::memory_order_relaxed);
  Json result = {
      {"removed_l1", report.removed_l1}, {"l2", report.l2}, {"broadcast", report.broadcast}};
  if (report.broadcast_error) result["broadcast_error"] = report.broadcast_error->message;
  return result;
}

Result<Json> ToolCache::Warm(const std::vector<WarmCall>& calls, bool hot, CallContext& context) {
  std::vector<WarmCall> todo = calls;
  if (hot) {
    std::lock_guard lock(mutex_);
    todo.insert(todo.end(), hot_calls_.begin(), hot_calls_.end());
  }
  Json failed = Json::array();
  int64_t warmed = 0;
  int64_t already = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    const WarmCall& call = todo[i];
    context.Progress(static_cast<double>(i), static_cast<double>(todo.size()), call.tool);
    const ToolSpec* tool = catalog_.FindTool(call.tool);
    const size_t index = tool == nullptr ? 0 : static_cast<size_t>(tool - catalog_.tools.data());
    auto key = tool == nullptr ? std::nullopt : KeyFor(index, call.arguments);
    if (!key) {
      failed.push_back({{"tool", call.tool}, {"error", "not a cacheable tool call"}});
      continue;
    }
    if (cache_.Contains(*key)) {
      ++already;
      continue;
    }
    auto served = Serve(index, *key, call.arguments, context);
    if (!served) {
      failed.push_back({{"tool", call.tool}, {"error", served.error().message}});
    } else if (served->entry->negative || StructuredPart(served->entry->value()).empty()) {
      failed.push_back({{"tool", call.tool}, {"error", ErrorTextOf(served->entry->value())}});
    } else {
      ++warmed;
    }
  }
  return Json{{"requested", todo.size()},
              {"warmed", warmed},
              {"already_cached", already},
              {"failed", std::move(failed)}};
}

void ToolCache::SetExtraStats(std::function<void(Json& stats)> extra) {
  std::lock_guard lock(mutex_);
  extra_stats_ = std::move(extra);
}

void ToolCache::SetHotCalls(std::vector<WarmCall> calls) {
  std::lock_guard lock(mutex_);
  hot_calls_ = std::move(calls);
}

Status ToolCache::SaveHotKeys(const std::string& path, size_t n) const {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kIo, "cannot write '{}'", temp);
    for (const auto& hot : cache_.HotKeys(n)) {
      const std::string_view tool = ToolOfCacheKey(hot.entry->key());
      if (tool.empty() || hot.entry->negative) continue;
      auto arguments = ArgumentsOfCacheKey(hot.entry->key());
      if (!arguments) continue;
      out << Json{{"tool", tool}, {"arguments", *arguments}, {"hits", hot.hits}}.dump() << '\n';
    }
    out.flush();
    if (!out) return MakeError(ErrorCode::kIo, "cannot write '{}'", temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec)
    return MakeError(ErrorCode::kIo, "cannot rename '{}' to '{}': {}", temp, path, ec.message());
  return Ok();
}

Result<std::vector<WarmCall>> ToolCache::ReadWarmFile(const std::string& path, size_t limit,
                                                      size_t* skipped) const {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot read warm file '{}'", path);
  std::vector<WarmCall> calls;
  size_t bad = 0;
  std::string line;
  while (calls.size() < limit && std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto parsed = line.size() > kMaxWarmLine ? Result<Json>(MakeError(ErrorCode::kParseError, ""))
                                             : ParseJson(line);
    const Json* tool = parsed && parsed->is_object() ? FindArgument(*parsed, "tool") : nullptr;
    const ToolSpec* spec = tool != nullptr && tool->is_string()
                               ? catalog_.FindTool(tool->get_ref<const std::string&>())
                               : nullptr;
    if (spec == nullptr || !spec->cacheable) {
      ++bad;
      continue;
    }
    Json arguments = parsed->value("arguments", Json::object());
    if (!arguments.is_object()) {
      ++bad;
      continue;
    }
    calls.push_back({spec->name, std::move(arguments)});
  }
  if (skipped != nullptr) *skipped = bad;
  return calls;
}

}  // namespace fastbreak::nba
