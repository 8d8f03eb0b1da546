#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {

void AddGameTools(Catalog& /*catalog*/) {}

}  // namespace fastbreak::nba::detail
