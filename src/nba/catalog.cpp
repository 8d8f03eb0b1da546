#include "nba/catalog.hpp"

#include "nba/catalog_parts.hpp"

namespace fastbreak::nba {

const ToolSpec* Catalog::FindTool(std::string_view name) const {
  for (const auto& tool : tools) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

const PromptSpec* Catalog::FindPrompt(std::string_view name) const {
  for (const auto& prompt : prompts) {
    if (prompt.name == name) return &prompt;
  }
  return nullptr;
}

const Catalog& NbaCatalog() {
  static const Catalog catalog = [] {
    Catalog built;
    detail::AddPlayerTools(built);
    detail::AddTeamTools(built);
    detail::AddGameTools(built);
    detail::AddSqlTools(built);
    detail::AddCacheTools(built);
    detail::AddQueryTools(built);
    detail::AddResources(built);
    detail::AddPrompts(built);
    return built;
  }();
  return catalog;
}

}  // namespace fastbreak::nba
