#include "nba/catalog_parts.hpp"

namespace fastbreak::nba::detail {

void AddSqlTools(Catalog& /*catalog*/) {}

}  // namespace fastbreak::nba::detail
