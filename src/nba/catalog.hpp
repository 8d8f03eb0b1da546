// The NBA domain as an agent sees it: tools, resources, prompts and argument completions over
// the NBA schema. Protocol-neutral: the MCP server (mcp/) and the REST mirror (http/) both serve
// this catalog, so a tool behaves the same whichever way it is called.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"

namespace fastbreak::query {
class QueryStats;
}

namespace fastbreak::nba {

using Json = nlohmann::json;

class CacheControl;

// What a tool, resource or prompt may use while it runs. Owned by the caller; valid for the call.
struct CallContext {
  // A read-only connection, used by this call alone.
  db::Connection& db;
  // Reports progress of a long call: `done` of `total` (total 0 = unknown), with a short message.
  // Empty when the caller did not ask for progress; call it through Progress().
  std::function<void(double done, double total, std::string_view message)> on_progress;

  // The service's tool cache, for the cache tools; nullptr when the caller has none.
  CacheControl* cache = nullptr;

  // Replaces `db`'s underlying connection after a connection-class error (see
  // CallHandle::Reconnect), so that read-only work can run once more; empty = no retry.
  std::function<Status()> reconnect = nullptr;

  // The service's per-fingerprint query statistics, for the query tools; nullptr when off.
  query::QueryStats* query_stats = nullptr;

  void Progress(double done, double total, std::string_view message) const {
    if (on_progress) on_progress(done, total, message);
  }
};

// A successful tool result: `structured` conforms to the tool's output schema; `text` is a
// compact rendering of the same facts for a model to read (a few lines or a small table).
struct ToolOutput {
  Json structured;
  std::string text;
};

// MCP tool annotations. Every NBA tool is read-only and closed-world.
struct ToolAnnotations {
  bool read_only = true;
  bool destructive = false;
  bool idempotent = true;
  bool open_world = false;
};

struct ToolSpec {
  std::string name;         // snake_case, unique: "player_season_stats"
  std::string title;        // human-readable: "Player season stats"
  std::string description;  // written for an LLM: what it answers, when to use it, examples
  Json input_schema;        // JSON Schema (draft 2020-12), {"type":"object",...}
  Json output_schema;       // JSON Schema, {"type":"object",...}; `structured` conforms to it
  ToolAnnotations annotations;
  // Whether results may be cached (false for tools that report or change server state).
  bool cacheable = true;
  // Runs the tool. `arguments` is the client's object (possibly empty, never validated by the
  // caller): the tool checks it and answers bad input with kInvalidArgument naming the argument
  // and what is allowed. Unknown names give kNotFound; an ambiguous name gives kInvalidArgument
  // listing the candidates (name, id, team, seasons) so the agent can pick one. Every error is
  // shown to the agent as a tool result with isError: true, so messages must say what to do.
  std::function<Result<ToolOutput>(const Json& arguments, CallContext& context)> run;
};

// A fixed resource: "nba://schema".
struct ResourceSpec {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;  // "text/markdown", "application/json"
  std::function<Result<std::string>(CallContext& context)> read;
};

// A resource template: "nba://players/{id}". `read` gets the value of the one variable and
// returns kResourceNotFound when nothing has that id.
struct ResourceTemplateSpec {
  std::string uri_template;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::string variable;  // "id"
  std::function<Result<std::string>(std::string_view value, CallContext& context)> read;
};

// What a completion or a prompt argument refers to.
enum class ArgumentKind { kText, kPlayer, kTeam, kSeason, kGame };

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
  ArgumentKind kind = ArgumentKind::kText;
};

struct PromptMessage {
  std::string role;  // "user" or "assistant"
  std::string text;
};

struct PromptOutput {
  std::string description;
  std::vector<PromptMessage> messages;
};

struct PromptSpec {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  // Missing required arguments and unknown players/teams: kInvalidArgument naming them.
  std::function<Result<PromptOutput>(const std::map<std::string, std::string>& arguments,
                                     CallContext& context)>
      get;
};

// Everything the domain offers, built once at startup. Immutable and thread-safe afterwards.
struct Catalog {
  std::vector<ToolSpec> tools;  // in listing order
  std::vector<ResourceSpec> resources;
  std::vector<ResourceTemplateSpec> resource_templates;
  std::vector<PromptSpec> prompts;

  const ToolSpec* FindTool(std::string_view name) const;
  const PromptSpec* FindPrompt(std::string_view name) const;
};

// The NBA catalog.
const Catalog& NbaCatalog();

// Up to `limit` values for an argument of `kind` that start with (or, for names, contain or
// closely match) `prefix`, best first; `total` gets the number of matches. kText completes
// nothing. Players and teams complete to names; seasons to "2023-24"; games to ids.
struct Completion {
  std::vector<std::string> values;
  int total = 0;
};
Result<Completion> Complete(ArgumentKind kind, std::string_view prefix, size_t limit,
                            CallContext& context);

}  // namespace fastbreak::nba
