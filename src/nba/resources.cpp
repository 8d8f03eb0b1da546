// Resources: nba://schema, nba://teams, and the templates nba://players/{id} and
// nba://games/{id}, which serve the structured output of get_player and box_score.
#include <fmt/format.h>

#include <charconv>

#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {
namespace {

// True for 1..19 ASCII digits (anything longer cannot be an id).
bool IsDigits(std::string_view value) {
  if (value.empty() || value.size() > 19) return false;
  return value.find_first_not_of("0123456789") == std::string_view::npos;
}

// Runs a catalog tool and returns its structured output as JSON text. kNotFound and
// kInvalidArgument (the tool refused the id) become kResourceNotFound with `not_found`; a tool
// missing from the catalog does too.
Result<std::string> ReadThroughTool(std::string_view tool_name, const Json& arguments,
                                    CallContext& context, const std::string& not_found) {
  const ToolSpec* tool = NbaCatalog().FindTool(tool_name);
  if (tool == nullptr) return MakeError(ErrorCode::kResourceNotFound, not_found);
  auto output = tool->run(arguments, context);
  if (!output) {
    const ErrorCode code = output.error().code;
    if (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument) {
      return MakeError(ErrorCode::kResourceNotFound, not_found);
    }
    return tl::unexpected(std::move(output).error());
  }
  return output->structured.dump();
}

ResourceSpec SchemaResource() {
  ResourceSpec resource;
  resource.uri = "nba://schema";
  resource.name = "schema";
  resource.title = "NBA database schema";
  resource.description =
      "Tables, views and columns of the NBA database, with how ids, seasons, game types and "
      "play-by-play event types are encoded: the same text as the describe_schema tool. Read it "
      "before writing SQL for run_sql.";
  resource.mime_type = "text/markdown";
  resource.read = [](CallContext& context) -> Result<std::string> {
    const ToolSpec* tool = NbaCatalog().FindTool("describe_schema");
    if (tool == nullptr) return MakeError(ErrorCode::kInternal, "describe_schema is missing");
    FB_ASSIGN_OR_RETURN(ToolOutput output, tool->run(Json::object(), context));
    return output.text;
  };
  return resource;
}

ResourceSpec TeamsResource() {
  ResourceSpec resource;
  resource.uri = "nba://teams";
  resource.name = "teams";
  resource.title = "NBA teams";
  resource.description =
      "The 30 NBA franchises: team_id, abbreviation, city, nickname, full name, conference and "
      "division, as {\"teams\": [...]} ordered by conference, division and name.";
  resource.mime_type = "application/json";
  resource.read = [](CallContext& context) -> Result<std::string> {
    FB_ASSIGN_OR_RETURN(auto statement,
                        context.db.Prepare("SELECT team_id, abbreviation, city, nickname, "
                                           "full_name, conference, division FROM teams "
                                           "ORDER BY conference, division, full_name"));
    Json teams = Json::array();
    while (true) {
      FB_ASSIGN_OR_RETURN(bool row, statement->Step());
      if (!row) break;
      teams.push_back({{"team_id", statement->GetInt(0)},
                       {"abbreviation", statement->GetText(1)},
                       {"city", statement->GetText(2)},
                       {"nickname", statement->GetText(3)},
                       {"name", statement->GetText(4)},
                       {"conference", statement->GetText(5)},
                       {"division", statement->GetText(6)}});
    }
    return Json{{"teams", std::move(teams)}}.dump();
  };
  return resource;
}

ResourceTemplateSpec PlayerTemplate() {
  ResourceTemplateSpec resource;
  resource.uri_template = "nba://players/{id}";
  resource.name = "player";
  resource.title = "NBA player";
  resource.description =
      "One player by NBA.com person id (digits): bio and career stats by season, the structured "
      "output of get_player. Find ids with search_players.";
  resource.mime_type = "application/json";
  resource.variable = "id";
  resource.read = [](std::string_view value, CallContext& context) -> Result<std::string> {
    const std::string not_found = fmt::format("no player with id {}", value);
    int64_t id = 0;
    if (!IsDigits(value) ||
        std::from_chars(value.data(), value.data() + value.size(), id).ec != std::errc()) {
      return MakeError(ErrorCode::kResourceNotFound, "{}; player ids are digits", not_found);
    }
    return ReadThroughTool("get_player", Json{{"player", id}}, context, not_found);
  };
  return resource;
}

ResourceTemplateSpec GameTemplate() {
  ResourceTemplateSpec resource;
  resource.uri_template = "nba://games/{id}";
  resource.name = "game";
  resource.title = "NBA game box score";
  resource.description =
      "One game by its ten-digit NBA.com id (e.g. 0022300061): teams, score and every player's "
      "line, the structured output of box_score. Find ids with schedule.";
  resource.mime_type = "application/json";
  resource.variable = "id";
  resource.read = [](std::string_view value, CallContext& context) -> Result<std::string> {
    const std::string not_found = fmt::format("no game with id {}", value);
    if (!IsDigits(value) || value.size() > 10) {
      return MakeError(ErrorCode::kResourceNotFound, "{}; game ids are ten digits", not_found);
    }
    return ReadThroughTool("box_score", Json{{"game_id", std::string(value)}}, context, not_found);
  };
  return resource;
}

}  // namespace

void AddResources(Catalog& catalog) {
  catalog.resources.push_back(SchemaResource());
  catalog.resources.push_back(TeamsResource());
  catalog.resource_templates.push_back(PlayerTemplate());
  catalog.resource_templates.push_back(GameTemplate());
}

}  // namespace fastbreak::nba::detail
