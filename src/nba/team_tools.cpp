#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {

void AddTeamTools(Catalog& /*catalog*/) {}

}  // namespace fastbreak::nba::detail
