#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {

void AddPlayerTools(Catalog& /*catalog*/) {}

}  // namespace fastbreak::nba::detail
