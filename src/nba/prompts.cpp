#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {

void AddPrompts(Catalog& /*catalog*/) {}

}  // namespace fastbreak::nba::detail
