// Internal: each part of the catalog adds its tools, resources and prompts.
#pragma once

#include "nba/catalog.hpp"

namespace fastbreak::nba::detail {

// A tool result from its structured part and its text rendering.
inline ToolOutput JsonOutput(Json structured, std::string text) {
  ToolOutput output;
  output.structured = std::move(structured);
  output.text = std::move(text);
  return output;
}

void AddPlayerTools(Catalog& catalog);  // player_tools.cpp
void AddTeamTools(Catalog& catalog);    // team_tools.cpp
void AddGameTools(Catalog& catalog);    // game_tools.cpp
void AddSqlTools(Catalog& catalog);     // sql_tools.cpp
void AddResources(Catalog& catalog);    // resources.cpp
void AddPrompts(Catalog& catalog);      // prompts.cpp
void AddCacheTools(Catalog& catalog);   // cache_tools.cpp
void AddQueryTools(Catalog& catalog);   // query_tools.cpp

}  // namespace fastbreak::nba::detail
