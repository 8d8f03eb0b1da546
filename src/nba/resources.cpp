#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {

void AddResources(Catalog& /*catalog*/) {}

}  // namespace fastbreak::nba::detail
